"""Read YAML safely and remember where every key was written.

Why our own walker: PyYAML silently keeps the last of two duplicate keys, expands alias bombs
into billions of nodes, and `yaml.safe_load` forgets line numbers. We compose the node graph with
the C parser (fast), then build plain Python data ourselves, with a `{key_path: line}` index that
turns a pydantic error location into `file:line: field`.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from tco.errors import DataProblem, TcoUserError

KeyPath = tuple[Any, ...]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused before parsing: no scenario or price sheet is anywhere near this."""
MAX_NODES = 2_000_000
"""Stops alias bombs: a few lines that would expand to billions of nodes."""
MAX_DEPTH = 64
"""No valid file nests deeper than a handful of levels; deep nesting is junk or an attack."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        data = builder.build(node, (), 0)
    except _Limit as e:
        raise TcoUserError(DataProblem(name, e.line, "", e.message)) from None
    if problems:
        raise TcoUserError(problems)
    return data, lines


def load_yaml(path: Path, display: str | None = None) -> tuple[Any, dict[KeyPath, int]]:
    name = display or str(path)
    return parse_yaml(read_text(path, name), name)


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
                raise _Limit(f"tag {node.tag} is not allowed", line)
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
                raise _Limit(f"tag {node.tag} is not allowed", line)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _merged(self, node: yaml.MappingNode) -> Iterable[tuple[yaml.Node, yaml.Node]]:
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Limit("merge keys (<<) are not supported; write the keys out", key_node.start_mark.line + 1)
            yield key_node, value_node

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.endswith((":binary", ":omap", ":pairs", ":set")):
            raise _Limit(f"tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed: only plain YAML data is read", node.start_mark.line + 1)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise _Limit(f"cannot read value: {getattr(e, 'problem', e)}", node.start_mark.line + 1) from None
        except (ValueError, OverflowError):
            raise _Limit(f"cannot read value {node.value!r}", node.start_mark.line + 1) from None


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
    ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
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
        out.append(DataProblem(name, lines.get(probe), _dotted(loc), humane(err), hint=hint))
    return out


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
