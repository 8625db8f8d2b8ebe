"""The user's key remapping: `$XDG_CONFIG_HOME/llm-tco/keymap.yaml` (or `.yml`, `.toml`).

Why binding ids: every binding of the UI carries an `id` (shown in the help screen), so a keymap
names what a key does, not which key it was. The file is a mapping `binding-id: keys`, keys written
as Textual writes them, several separated by commas:

    # ~/.config/llm-tco/keymap.yaml
    toggle-theme: f10
    explain-cell: ctrl+x,e

A problem in the file (an unknown id, a value that is not text, a file that does not parse) is
reported with its file and line, and the rest of the file still applies: a typo in a keymap must
not keep the calculator from opening. No Textual here (the app applies the result).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

KEYMAP_NAMES = ("keymap.yaml", "keymap.yml", "keymap.toml")
"""Looked for in this order in the config folder; the first that exists is read."""


@dataclass
class Keymap:
    path: Path | None
    """The file read (None when the user has none)."""
    bindings: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, only the entries that passed the checks."""
    problems: list[str] = field(default_factory=list)
    """`file:line: field: message` lines, one per refused entry."""


def config_dir(environ: dict[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/llm-tco`, or `~/.config/llm-tco` when the variable is unset or empty (XDG spec)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".config")
    return Path(base) / "llm-tco"


def find_keymap(folder: Path) -> Path | None:
    for name in KEYMAP_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_keymap(known_ids: set[str], folder: Path | None = None, scopes: list[dict[str, str]] | None = None) -> Keymap:
    """The user's keymap, checked. `scopes`: the bindings active together (one screen's and the app-wide ones), as
    binding id -> default keys; an entry that gives a key another binding of the same scope still has is refused,
    since one of the two would silently stop working."""
    folder = config_dir() if folder is None else folder
    path = find_keymap(folder)
    if path is None:
        return Keymap(None)
    keymap = Keymap(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        keymap.problems.append(f"{path}: cannot read the keymap ({e})")
        return keymap
    try:
        entries = _toml_entries(text) if path.suffix == ".toml" else _yaml_entries(text)
    except ValueError as e:
        keymap.problems.append(f"{path}:{e}")
        return keymap
    for binding_id, keys, line in entries:
        where = f"{path}:{line}: {binding_id}"
        if binding_id not in known_ids:
            close = difflib.get_close_matches(binding_id, sorted(known_ids), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else " (the help screen lists every id in brackets)"
            keymap.problems.append(f"{where}: unknown binding id{hint}")
        else:
            if isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys):
                keys = ",".join(keys)  # `quit: [q, ctrl+q]` means what `quit: q,ctrl+q` does
            if not isinstance(keys, str) or not keys.strip() or any(not k.strip() for k in keys.split(",")):
                keymap.problems.append(f"{where}: keys must be text such as `f10` or `ctrl+x,e`, got {keys!r}")
            elif bad := [k.strip() for k in keys.split(",") if any(not part for part in k.strip().split("+"))]:
                keymap.problems.append(f"{where}: `{bad[0]}` names no key (write a key after each +, e.g. `ctrl+x`)")
            else:
                keymap.bindings[binding_id] = ",".join(k.strip() for k in keys.split(","))
    for binding_id, problem in _conflicts(keymap.bindings, scopes or []):
        keymap.problems.append(f"{path}:{next(line for i, _, line in entries if i == binding_id)}: {binding_id}: {problem}")
        del keymap.bindings[binding_id]
    return keymap


def _conflicts(chosen: dict[str, str], scopes: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(binding id, why) for each user entry whose key another binding active with it still has."""
    out: dict[str, str] = {}
    for scope in scopes:
        final = {i: chosen.get(i, keys) for i, keys in scope.items()}
        for binding_id in chosen:
            if binding_id not in scope or binding_id in out:
                continue
            mine = {k.strip() for k in chosen[binding_id].split(",")}
            for other, keys in final.items():
                shared = mine & {k.strip() for k in keys.split(",")} if other != binding_id else set()
                if shared:
                    whose = "its default key" if other not in chosen else "the key you gave it"
                    out[binding_id] = (f"`{sorted(shared)[0]}` is also `{other}`'s ({whose}), active at the same time: "
                                       f"give `{other}` another key too, or choose another key here")
                    break
    return list(out.items())


def _yaml_entries(text: str) -> list[tuple[str, object, int]]:
    """(id, keys, line) for each top-level entry; a parse error is `line: message`."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ValueError(f"{mark.line + 1 if mark else 1}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise ValueError(f"{node.start_mark.line + 1}: the keymap must be a mapping `binding-id: keys`")
    out = []
    for key_node, value_node in node.value:
        value = value_node.value if isinstance(value_node, yaml.ScalarNode) else yaml.safe_load(yaml.serialize(value_node))
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag != "tag:yaml.org,2002:str":
            value = yaml.safe_load(yaml.serialize(value_node))  # `f1: 3` is a number, not keys
        out.append((str(key_node.value), value, key_node.start_mark.line + 1))
    return out


def _toml_entries(text: str) -> list[tuple[str, object, int]]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{getattr(e, 'lineno', 1)}: not valid TOML ({e})") from None
    lines = text.splitlines()

    def line_of(key: str) -> int:
        for i, line in enumerate(lines, 1):
            stripped = line.strip()
            if stripped.startswith((key, f'"{key}"', f"'{key}'")):
                return i
        return 1

    return [(str(k), v, line_of(str(k))) for k, v in data.items()]
