"""Read YAML safely and remember where every key was written.

Why our own walker: PyYAML silently keeps the last of two duplicate keys, expands alias bombs
into billions of nodes, and `yaml.safe_load` forgets line numbers. We compose the node graph with
the C parser (fast), then build plain Python data ourselves, with a `{key_path: line}` index that
turns a pydantic error location into `file:line: field`.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from tco.errors import DataProblem, TcoUserError

KeyPath = tuple[Any, ...]

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Larger files are refused before parsing: the largest bundled price sheet is 0.25 MB, and parsing
tens of MB would take many seconds and gigabytes of memory."""
MAX_NODES = 2_000_000
"""Stops alias bombs: a few lines that would expand to billions of nodes."""
MAX_DEPTH = 64
"""No valid file nests deeper than a handful of levels; deep nesting is junk or an attack."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_FLOAT = re.compile(r"^-?[0-9]+\.[0-9]*([eE][-+]?[0-9]+)?$")


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
"""Byte-order marks of the encodings Windows editors save by default ("Unicode")."""


class _Limit(Exception):
    def __init__(self, message: str, line: int | None):
        self.message, self.line = message, line


def read_text(path: Path, display: str | None = None) -> str:
    """The file's text, or a TcoUserError naming the file (missing, a folder, binary, too big)."""
    name = display or str(path)
    if not path.exists():
        raise TcoUserError(DataProblem(name, None, "", "no such file"))
    if path.is_dir():
        raise TcoUserError(DataProblem(name, None, "", "is a folder, not a file"))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TcoUserError(DataProblem(name, None, "", f"file is too large ({size / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB)"))
        raw = path.read_bytes()
    except OSError as e:
        raise TcoUserError(DataProblem(name, None, "", f"cannot read: {e.strerror or e}")) from None
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise TcoUserError(DataProblem(name, None, "", f"is {encoding} text, not UTF-8", hint="save the file as UTF-8"))
    if b"\x00" in raw[:8192]:
        raise TcoUserError(DataProblem(name, None, "", "looks like a binary file, not YAML text"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise TcoUserError(DataProblem(name, line, "", "is not UTF-8 text", hint="save the file as UTF-8")) from None


def parse_yaml(text: str, name: str) -> tuple[Any, dict[KeyPath, int]]:
    """Plain data and its line index; every syntax problem as a located TcoUserError."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        what = (e.problem or e.context or "invalid YAML").strip()
        hint = "YAML does not allow tab characters for indentation; use spaces" if "\t" in what or "tab" in what else None
        raise TcoUserError(DataProblem(name, line, "", f"YAML syntax error{col}: {what}", hint=hint)) from None
    except yaml.YAMLError as e:
        raise TcoUserError(DataProblem(name, None, "", f"YAML error: {e}")) from None
    if node is None:
        return None, {(): 1}
    lines: dict[KeyPath, int] = {}
    problems: list[DataProblem] = []
    builder = _Builder(name, lines, problems)
    try:
        _refuse_alias_bombs(node)
        data = builder.build(node, (), 0)
    except _Limit as e:
        raise TcoUserError(DataProblem(name, e.line, "", e.message)) from None
    if problems:
        raise TcoUserError(problems)
    return data, lines


def load_yaml(path: Path, display: str | None = None) -> tuple[Any, dict[KeyPath, int]]:
    name = display or str(path)
    cached = _cache_file(path)
    if cached is not None and cached.exists():
        try:
            return _decode_cache(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is simply rebuilt
    result = parse_yaml(read_text(path, name), name)
    if cached is not None:
        _write_cache(cached, result)
    return result


CACHE_MIN_BYTES = 4 * 1024
"""Only large files (the catalogs) are cached: parsing them is most of `tco run`'s start-up."""


def _cache_file(path: Path) -> Path | None:
    """A parsed-form cache entry keyed by the file's path, size and modification time.

    Why: the bundled catalogs are tens of thousands of YAML nodes; re-parsing them on every run
    costs most of a second. Set TCO_NO_CACHE=1 to turn it off.
    """
    if os.environ.get("TCO_NO_CACHE"):
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    if st.st_size < CACHE_MIN_BYTES:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llm-tco" / "yaml-v1"
    key = hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{yaml.__version__}".encode()).hexdigest()[:32]
    return base / f"{key}.json"


def _encode_cache(result: tuple[Any, dict[KeyPath, int]]) -> str:
    """Plain JSON (never pickle: a cache must not be able to run code); dates are tagged."""
    import datetime as dt

    def default(value: Any) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return {"__date__": value.isoformat(), "__datetime__": isinstance(value, dt.datetime)}
        raise TypeError(f"cannot cache {type(value).__name__}")

    data, lines = result
    return json.dumps({"data": data, "lines": [[list(k), v] for k, v in lines.items()]}, default=default)


def _decode_cache(text: str) -> tuple[Any, dict[KeyPath, int]]:
    import datetime as dt

    def hook(obj: dict) -> Any:
        if "__date__" in obj and len(obj) == 2:
            cls = dt.datetime if obj["__datetime__"] else dt.date
            return cls.fromisoformat(obj["__date__"])
        return obj

    raw = json.loads(text, object_hook=hook)
    return raw["data"], {tuple(k): v for k, v in raw["lines"]}


def _write_cache(target: Path, result: Any) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(_encode_cache(result), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home is fine: we just parse every time


def _refuse_alias_bombs(root: yaml.Node) -> None:
    """Count the nodes the document expands to, without expanding it.

    Why: an alias is a reference to a node already read, so ten lines can stand for billions of
    nodes. Each distinct node's expanded size is computed once (memoised), so this is linear in
    the size of the file, not of its expansion.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            size[id(node)] = 1
            continue
        if children_done:
            total = 1 + sum(size.get(id(c), 1) for c in children)
            if total > MAX_NODES:
                raise _Limit(f"document expands to more than {MAX_NODES:,} nodes (an alias bomb?)", node.start_mark.line + 1)
            size[id(node)] = total
            open_nodes.discard(id(node))
            continue
        if id(node) in open_nodes:
            raise _Limit("an alias refers to the node that contains it (a loop)", node.start_mark.line + 1)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


class _Builder:
    def __init__(self, name: str, lines: dict[KeyPath, int], problems: list[DataProblem]):
        self.name, self.lines, self.problems = name, lines, problems
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        self.nodes += 1
        line = node.start_mark.line + 1
        if self.nodes > MAX_NODES:
            raise _Limit(f"document expands to more than {MAX_NODES:,} nodes (an alias bomb?)", line)
        if depth > MAX_DEPTH:
            raise _Limit(f"nesting deeper than {MAX_DEPTH} levels", line)
        self.lines.setdefault(path, line)
        if isinstance(node, yaml.MappingNode):
            if node.tag not in ("tag:yaml.org,2002:map",):
                raise _Limit(_tag_refused(node.tag), line)
            out: dict[Any, Any] = {}
            for key_node, value_node in self._merged(node):
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(DataProblem(self.name, key_node.start_mark.line + 1, _dotted(path), "a key must be a plain name"))
                    continue
                key = self._scalar(key_node)
                if isinstance(key, (list, dict)) or key is None:
                    self.problems.append(DataProblem(self.name, key_node.start_mark.line + 1, _dotted(path), "a key must be a plain name"))
                    continue
                key = str(key) if not isinstance(key, str) else key
                child = (*path, key)
                if key in out:
                    self.problems.append(DataProblem(
                        self.name, key_node.start_mark.line + 1, _dotted(child),
                        f"duplicate key (first written on line {self.lines.get(child, '?')}); YAML would silently keep only the last one"))
                    continue
                out[key] = self.build(value_node, child, depth + 1)
                self.lines[child] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag not in ("tag:yaml.org,2002:seq",):
                raise _Limit(_tag_refused(node.tag), line)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _merged(self, node: yaml.MappingNode) -> Iterable[tuple[yaml.Node, yaml.Node]]:
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Limit("merge keys (<<) are not supported; write the keys out", key_node.start_mark.line + 1)
            yield key_node, value_node

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        # Fast paths for the common plain scalars (the catalogs hold tens of thousands of them);
        # anything unusual goes through PyYAML's own safe constructor below.
        if tag == "tag:yaml.org,2002:str":
            return node.value
        if tag == "tag:yaml.org,2002:int" and node.value.isdigit():
            return int(node.value)
        if tag == "tag:yaml.org,2002:float" and _PLAIN_FLOAT.match(node.value):
            return float(node.value)
        if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.endswith((":binary", ":omap", ":pairs", ":set")):
            raise _Limit(_tag_refused(node.tag), node.start_mark.line + 1)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise _Limit(f"cannot read value: {getattr(e, 'problem', e)}", node.start_mark.line + 1) from None
        except (ValueError, OverflowError):
            raise _Limit(f"cannot read value {node.value!r}", node.start_mark.line + 1) from None


def _tag_refused(tag: str) -> str:
    return f"tag {tag.replace('tag:yaml.org,2002:', '!!')} is not allowed: only plain YAML data is read"


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


dotted = _dotted

_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "finite_number": "must be a finite number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "string_type": "must be text (put it in quotes if YAML read it as something else)",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": "must be a date written as YYYY-MM-DD",
    "date_parsing": "must be a date written as YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written as YYYY-MM-DD",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "must have at most {max_length} item(s)",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must match {pattern}",
    "union_tag_invalid": "`{tag}` is not a known {discriminator}; expected one of {expected_tags}",
    "union_tag_not_found": "the {discriminator} key is required",
}


def humane(err: dict[str, Any]) -> str:
    """A pydantic error as a sentence for the person who wrote the file, with the bad value."""
    template = _MESSAGES.get(err["type"])
    ctx = {k: (int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v)
           for k, v in (err.get("ctx") or {}).items()}
    if template:
        try:
            text = template.format(**ctx)
        except (KeyError, IndexError):
            text = err["msg"]
    elif err["type"] == "value_error":
        text = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    else:
        text = err["msg"]
    value = err.get("input")
    if err["type"] not in ("missing", "extra_forbidden", "union_tag_not_found") and _is_shown(value):
        text += f" (got {value!r})"
    return text


def _is_shown(value: Any) -> bool:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return True
    return isinstance(value, (str, int, float, bool)) and len(repr(value)) <= 60


def problems_from_validation(name: str, error: ValidationError, lines: dict[KeyPath, int],
                             model: type[BaseModel] | None = None, prefix: KeyPath = (),
                             data: Any = None) -> list[DataProblem]:
    out = []
    known = sorted(_all_field_names(model)) if model is not None else []
    for err in error.errors():
        loc = (*prefix, *_data_loc(data, err["loc"]))
        probe = loc if err["type"] != "missing" else loc[:-1]
        while probe and probe not in lines:
            probe = probe[:-1]
        hint = None
        if err["type"] == "extra_forbidden" and loc:
            hint = _did_you_mean(str(loc[-1]), known)
        hint = hint or _percent_hint(err)
        out.append(DataProblem(name, lines.get(probe), _dotted(loc), humane(err), hint=hint))
    return out


def _percent_hint(err: dict[str, Any]) -> str | None:
    """`85` where a fraction is expected is almost always a percentage: say how to write it."""
    value, ctx = err.get("input"), err.get("ctx") or {}
    limit = ctx.get("le", ctx.get("lt"))
    if err["type"] not in ("less_than_equal", "less_than") or limit != 1 or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and 1 < value <= 100:
        return f"a share is a fraction: write {value / 100:g}, not {value:g}"
    return None


def _data_loc(data: Any, loc: Iterable[Any]) -> list[Any]:
    """Pydantic's error path with its union-member tags (`api`, `function-after[...]`) removed.

    Why: the user never wrote those tags; the path must match the keys in their file.
    """
    loc = list(loc)
    out: list[Any] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif i == len(loc) - 1 and not (isinstance(part, str) and "[" in part):
            out.append(part)
        elif data is None and not (isinstance(part, str) and "[" in part):
            out.append(part)
    return out


def _all_field_names(model: Any, seen: set | None = None) -> set[str]:
    """Every field name of `model` and of the models nested in it, for did-you-mean hints."""
    import typing

    seen = set() if seen is None else seen
    names: set[str] = set()
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or model in seen:
        return names
    seen.add(model)
    for field_name, info in model.model_fields.items():
        names.add(info.alias or field_name)
        stack = [info.annotation]
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                names |= _all_field_names(ann, seen)
            stack.extend(typing.get_args(ann))
    return names


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    return _did_you_mean(word, list(choices))


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def validate_as(model: type[BaseModel], data: Any, name: str, lines: dict[KeyPath, int], prefix: KeyPath = ()):
    """`model.model_validate(data)` or a TcoUserError with every problem located."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise TcoUserError(problems_from_validation(name, e, lines, model, prefix, data)) from None
