"""Write edited scenario data back into the user's YAML text, keeping its comments and layout.

Why ruamel.yaml: PyYAML drops every comment on dump, and scenario files carry `ASSUMPTION` notes
in comments that a reviewer needs to see. ruamel.yaml's round-trip mode keeps comments, key order
and flow style; this module changes only the values that differ, so an untouched line is written
back as it was (`20_000` stays `20_000`, quotes stay quotes).

Lists of mappings with an `id` (scenarios, options) are matched by id, so deleting, adding or
duplicating an option leaves the comments of the others in place. A renamed option or an older key
spelling renamed on load is told to `updated_text` (`renamed_ids`, `renamed_keys`): the node is
renamed in the original tree first, so it keeps its comments instead of being deleted and added bare.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Iterable


class RoundTripFailed(Exception):
    """The original text cannot be parsed in round-trip mode; the caller writes plain YAML instead."""


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a line the user wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump_new(document: Any) -> str:
    """A document with no original text (the file has gone): plain block YAML."""
    out = io.StringIO()
    _yaml().dump(_fresh(document), out)
    return out.getvalue()


KeyPath = tuple  # keys and list indices from the document's root, e.g. ("scenarios", 0, "options")


def updated_text(original: str, document: Any, *, renamed_keys: Iterable[tuple[KeyPath, str, str]] = (),
                 renamed_ids: Iterable[tuple[KeyPath, str, str]] = ()) -> str:
    """`original` (YAML text) with its data replaced by `document`, comments and layout kept where data is kept.

    `renamed_keys`: (path of a mapping, old key, new key) renamed since `original` was read (an older
    spelling); `renamed_ids`: (path of a list, old id, new id) of items renamed since then. Both are
    renamed in the original tree before merging, so their comments stay (matched by name, they would be
    deleted and written anew without them).
    """
    round_trip = _yaml()  # ruamel's round-trip loader builds only plain data (no arbitrary objects)
    _match_indent(round_trip, original)
    tree = _load(round_trip, original)
    for path, old, new in renamed_keys:
        _rename_key(_node_at(tree, path), old, new)
    by_list: dict[KeyPath, dict[str, str]] = {}
    for path, old, new in renamed_ids:
        by_list.setdefault(tuple(path), {})[old] = new
    for path, renames in by_list.items():
        _rename_items(_node_at(tree, path), renames)
    tree = merge(tree, document, _shared_counts(tree))
    out = io.StringIO()
    round_trip.dump(tree, out)
    return out.getvalue()


def dropped_comments(original: str, text: str) -> list[str]:
    """Comment lines of `original` that `text` no longer has (each `# ...` line once per time it is missing).

    Why: the save message says "Comments kept." only when it is true; a comment that went with a
    deleted option or a rewritten list is named instead of silently lost.
    """
    from collections import Counter

    yaml = _yaml()
    before = _comment_lines(_load(yaml, original))
    missing = Counter(before) - Counter(_comment_lines(_load(yaml, text)))
    dropped = []
    for line in before:
        if missing[line] > 0:
            missing[line] -= 1
            dropped.append(line)
    return dropped


def _load(round_trip, text: str) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        return round_trip.load(text)
    except YAMLError as e:
        raise RoundTripFailed(str(e)) from None


def _comment_lines(tree: Any) -> list[str]:
    """Every comment line ruamel holds in `tree`, stripped, in document order (a token shared by two slots counted once)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.tokens import CommentToken

    lines: list[str] = []
    seen: set[int] = set()

    def tokens(slot: Any):
        if isinstance(slot, CommentToken):
            yield slot
        elif isinstance(slot, (list, tuple)):
            for inner in slot:
                yield from tokens(inner)
        elif isinstance(slot, dict):
            for inner in slot.values():
                yield from tokens(inner)

    def visit(node: Any) -> None:
        if not isinstance(node, (CommentedMap, CommentedSeq)) or id(node) in seen:
            return
        seen.add(id(node))
        for token in tokens([node.ca.comment, node.ca.items, node.ca.end]):
            if id(token) not in seen:
                seen.add(id(token))
                lines.extend(line.strip() for line in token.value.splitlines() if line.strip().startswith("#"))
        for child in node.values() if isinstance(node, CommentedMap) else node:
            visit(child)

    visit(tree)
    return lines


def _node_at(tree: Any, path: KeyPath) -> Any:
    """The node at `path` in the round-trip tree, or None when the original has no such place."""
    node = tree
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _rename_key(mapping: Any, old: str, new: str) -> None:
    """Rename `old` to `new` in place: same position, same value node, same comments."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(mapping, CommentedMap) or old not in mapping or new in mapping:
        return
    position = list(mapping).index(old)
    slots = mapping.ca.items.pop(old, None)
    value = mapping[old]
    del mapping[old]
    mapping.insert(position, new, value)
    if slots is not None:
        mapping.ca.items[new] = slots


def _rename_items(seq: Any, renames: dict[str, str]) -> None:
    """Give items of a list of mappings their new ids, all at once (a swap `a`<->`b` is two renames, not a clash).

    Skipped when the ids would then repeat (an id renamed onto one still in the original): merge then
    matches by id, as it does for any other edit."""
    from ruamel.yaml.comments import CommentedSeq

    if not isinstance(seq, CommentedSeq) or not _by_id(seq):
        return
    ids = [item["id"] for item in seq]
    after = [renames.get(i) or i for i in ids]
    if len(set(after)) != len(after):
        return
    for item, old, new in zip(seq, ids, after):
        if new != old:
            item["id"] = new


def _match_indent(yaml, text: str) -> None:
    """Keep the file's list style: `- item` flush with its key (offset 0) or indented by two."""
    lines = text.splitlines()
    for i, line in enumerate(lines[1:], 1):
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") and lines[i - 1].rstrip().endswith(":") and not lines[i - 1].lstrip().startswith("#"):
            parent = len(lines[i - 1]) - len(lines[i - 1].lstrip(" "))
            offset = len(line) - len(stripped) - parent
            yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
            return


def _same(old: Any, new: Any) -> bool:
    """Equal values of the same kind (True is not 1; a date is not its text)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old == new
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return old == new and isinstance(old, float) == isinstance(new, float)
    if isinstance(old, dt.date) or isinstance(new, dt.date):
        return type(old) is type(new) and old == new
    if isinstance(old, str) and isinstance(new, str):
        return old == new
    return False


def _shared_counts(tree: Any) -> dict[int, int]:
    """id of each mapping or list -> how many places of the document hold it (more than one: an anchor and its aliases)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    counts: dict[int, int] = {}

    def visit(node: Any) -> None:
        if isinstance(node, (CommentedMap, CommentedSeq)):
            counts[id(node)] = counts.get(id(node), 0) + 1
            if counts[id(node)] == 1:  # an alias repeats its node's children: count them once per node
                for child in (node.values() if isinstance(node, CommentedMap) else node):
                    visit(child)

    visit(tree)
    return counts


def _unchanged(old: Any, new: Any) -> bool:
    """`old` (round-trip nodes) already holds exactly `new`'s data."""
    if isinstance(old, dict) and isinstance(new, dict):
        return list(old) == list(new) and all(_unchanged(old[k], new[k]) for k in new)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_unchanged(a, b) for a, b in zip(old, new))
    return _same(old, new)


def _unshared(old: Any, new: Any, shared: dict[int, int] | None) -> Any:
    """`old`, or a copy of it when an alias elsewhere holds the same node and this place changes it.

    Why: an anchor (`&ops`) and its alias (`*ops`) are one node in ruamel's tree; writing an edit of
    one option into it would silently change the other option in the saved file. The copy carries
    the comments but no anchor; the other places keep the original node.
    """
    if shared is None or shared.get(id(old), 0) <= 1 or _unchanged(old, new):
        return old
    import copy

    shared[id(old)] -= 1
    duplicate = copy.deepcopy(old)
    duplicate.anchor.value = None
    return duplicate


def _keep_comments_of_deleted(mapping: Any, key: Any) -> None:
    """Before `key` is deleted: hand the full-line comments that follow it to the key before it.

    Why: ruamel attaches the comment lines below `key: value` to `key`, although they usually
    introduce the next field; deleting the key would delete them. The deleted key's own
    end-of-line comment goes with it (it described the value that is gone).
    """
    token = (mapping.ca.items.get(key) or [None, None, None, None])[2]
    if token is None or "\n" not in token.value:
        return
    following = token.value.split("\n", 1)[1]
    if not following.strip():
        return
    keys = list(mapping)
    at = keys.index(key)
    if at > 0:
        _append_following(mapping, keys[at - 1], following, token.start_mark)
    elif at + 1 < len(keys):
        lines = [line.strip() for line in following.splitlines() if line.strip()]
        column = len(following) - len(following.lstrip(" "))
        text = "\n".join(line.removeprefix("#").removeprefix(" ") for line in lines)  # ruamel writes "# " back
        mapping.yaml_set_comment_before_after_key(keys[at + 1], before=text, indent=column)


def _append_following(mapping: Any, key: Any, following: str, mark: Any) -> None:
    """Put comment lines below `key: value` (its end-of-line slot, where ruamel keeps the lines that follow a key)."""
    from ruamel.yaml.tokens import CommentToken

    slots = mapping.ca.items.setdefault(key, [None, None, None, None])
    if slots[2] is None:
        slots[2] = CommentToken("\n" + following, mark, None)
    elif slots[2].value.endswith("\n"):
        slots[2].value += following
    else:
        slots[2].value += "\n" + following


def _trailing_key(node: Any) -> tuple[Any, Any] | None:
    """(mapping, key) holding the comment lines below `node`: its last key, descending into a last value written in
    block style (ruamel attaches the lines that follow a block to the deepest last key; a flow value keeps them on its
    own key)."""
    from ruamel.yaml.comments import CommentedMap

    while isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        value = node[key]
        if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
            node = value
            continue
        return node, key
    return None


def _keep_comments_of_deleted_item(seq: Any, index: int) -> None:
    """Before item `index` of a list of mappings (an option) is deleted: keep the comment lines below it, which
    introduce the next item, as `_keep_comments_of_deleted` does for a key. ruamel holds them on the item's deepest
    last key (after a block value) or already as the next item's own comment (after a flow value, kept as it is);
    the first kind moves above the next item, or below the item before where the deleted one was the last. The
    comment above the deleted item introduced it and goes with it."""
    from ruamel.yaml.tokens import CommentToken

    source = _trailing_key(seq[index])
    if source is None:
        return
    mapping, key = source
    slots = mapping.ca.items.get(key)
    token = slots[2] if slots else None
    if token is None or "\n" not in token.value or not token.value.split("\n", 1)[1].strip():
        return
    following = token.value.split("\n", 1)[1]
    if index + 1 < len(seq):
        lines = [line.strip() for line in following.splitlines() if line.strip()]
        column = len(following) - len(following.lstrip(" "))
        before = seq.ca.items.setdefault(index + 1, [None, None, None, None])
        moved = [CommentToken(line + "\n", token.start_mark, None, column=column) for line in lines]
        before[1] = moved + list(before[1] or [])
        return
    target = _trailing_key(seq[index - 1]) if index > 0 else None
    if target is not None:
        _append_following(*target, following, token.start_mark)


def merge(old: Any, new: Any, shared: dict[int, int] | None = None) -> Any:
    """`new`'s data, reusing `old`'s round-trip nodes (and so their comments) wherever they still fit.

    `shared` (from `_shared_counts`) marks nodes held by an anchor and its aliases: those are
    copied before an edit is written into them.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(old, (CommentedMap, CommentedSeq)):
        old = _unshared(old, new, shared)
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            _keep_comments_of_deleted(old, key)
            del old[key]
        previous = None
        for key, value in new.items():
            if key in old:
                old[key] = merge(old[key], value, shared)
            else:
                position = list(old).index(previous) + 1 if previous in old else len(old)
                old.insert(position, key, _fresh(value))
            previous = key
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        if _by_id(old) and _by_id(new):
            wanted = [item["id"] for item in new]
            for i in reversed(range(len(old))):
                if old[i]["id"] not in wanted:
                    _keep_comments_of_deleted_item(old, i)
                    del old[i]
            for i, item in enumerate(new):
                if i < len(old) and old[i]["id"] == item["id"]:
                    old[i] = merge(old[i], item, shared)
                else:
                    later = next((j for j in range(i + 1, len(old)) if old[j]["id"] == item["id"]), None)
                    node = merge(old.pop(later), item, shared) if later is not None else _fresh(item)
                    old.insert(i, node)
            return old
        if len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new)):
            return old
        seq = _fresh(new)
        if old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if _same(old, new):
        return old
    return _fresh(new)


def _by_id(items: list) -> bool:
    return bool(items) and all(isinstance(i, dict) and "id" in i for i in items)


def _fresh(value: Any) -> Any:
    """Plain data as round-trip nodes (a new option, a replaced list)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        return CommentedMap((k, _fresh(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(_fresh(v) for v in value)
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            seq.fa.set_flow_style()  # 24 hourly weights on one line, as people write them
        return seq
    return value
