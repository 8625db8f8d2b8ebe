"""Read YAML safely and remember where every key was written.

Why our own walker: PyYAML silently keeps the last of two duplicate keys, expands alias bombs
into billions of nodes, and `yaml.safe_load` forgets line numbers. We compose the node graph with
the C parser (fast), then build plain Python data ourselves, with a `{key_path: line}` index that
turns a pydantic error location into `file:line: field`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import json
import errno
import os
import re
import stat
import time
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from tco.errors import DataProblem, TcoUserError
from tco.files import note_input

KeyPath = tuple[Any, ...]

YAML_SUFFIXES = (".yaml", ".yml")
"""The file names a catalog folder (hardware, pricing) is read from: `.yml` is as common a spelling as `.yaml`."""

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Larger files are refused before parsing: the largest bundled price sheet is 0.25 MB, and parsing
tens of MB would take many seconds and gigabytes of memory."""
MAX_NODES = 2_000_000
"""Stops alias bombs: a few lines that would expand to billions of nodes."""
MAX_DEPTH = 64
"""No valid file nests deeper than a handful of levels; deep nesting is junk or an attack."""
MAX_NUMBER_CHARACTERS = 400
"""A number longer than this is junk (a float has 17 significant digits; 1e308 is its largest value). Python cannot
even read an integer of more than 4,300 digits: it raises a ValueError that is no YAML error."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_FLOAT = re.compile(r"^-?[0-9]+\.[0-9]*([eE][-+]?[0-9]+)?$")


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
"""Byte-order marks of the encodings Windows editors save by default ("Unicode")."""


class _Limit(Exception):
    def __init__(self, message: str, line: int | None, field: str = ""):
        self.message, self.line, self.field = message, line, field


def read_bytes_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError otherwise (never blocks, never grows).

    Why not `Path.read_bytes`: a FIFO blocks it forever and a character device such as /dev/zero
    reports size 0 and then never ends, growing memory until the process dies.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder") if stat.S_ISDIR(st.st_mode) \
                else OSError(errno.EINVAL, "not a regular file")
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise OSError(errno.EFBIG, f"larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path, display: str | None = None, kind: str = "YAML") -> str:
    """The file's text, or a TcoUserError naming the file (missing, a link loop, a folder, a device, binary, too big).

    `kind` names the text expected in the message for a binary file (a --batch file is CSV, not YAML)."""
    name = display or str(path)
    try:
        os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise TcoUserError(DataProblem(name, None, "", "is a symbolic link that loops back on itself (no file at the end)")) from None
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            raise TcoUserError(DataProblem(name, None, "", "no such file")) from None
        raise TcoUserError(DataProblem(name, None, "", f"cannot read: {e.strerror or e}")) from None
    except ValueError:
        raise TcoUserError(DataProblem(name, None, "", "not a valid file name")) from None
    if path.is_dir():
        raise TcoUserError(DataProblem(name, None, "", "is a folder, not a file"))
    try:
        raw = read_bytes_limited(path, MAX_FILE_BYTES)
    except OSError as e:
        if e.errno == errno.EFBIG:
            size = _size_or_none(path)
            shown = f"{size / 2**20:.0f} MiB; " if size else ""
            raise TcoUserError(DataProblem(name, None, "", f"file is too large ({shown}the limit is {MAX_FILE_BYTES // 2**20} MiB)")) from None
        if e.errno == errno.EINVAL:
            raise TcoUserError(DataProblem(name, None, "", "is not a regular file (a device, pipe or socket)")) from None
        raise TcoUserError(DataProblem(name, None, "", f"cannot read: {e.strerror or e}")) from None
    note_input(path)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise TcoUserError(DataProblem(name, None, "", f"is {encoding} text, not UTF-8", hint="save the file as UTF-8"))
    if b"\x00" in raw[:8192]:
        raise TcoUserError(DataProblem(name, None, "", f"looks like a binary file, not {kind} text"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise TcoUserError(DataProblem(name, line, "", "is not UTF-8 text", hint="save the file as UTF-8")) from None


def _size_or_none(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _syntax_hint(text: str, what: str, mark) -> str | None:
    """What to do about the two syntax errors people make most: a tab (the C parser's message does not say so) and a
    second document (`---`) in one file."""
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in what or "tab" in what or "\t" in line[:mark.column + 1]:  # a tab before or at where it broke
        return "YAML does not allow tab characters for indentation; use spaces"
    if "another document" in what:
        return "a file holds one YAML document: list several scenarios under one `scenarios:`, or give several files"
    return None


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
        raise TcoUserError(DataProblem(name, line, "", f"YAML syntax error{col}: {what}",
                                       hint=_syntax_hint(text, what, mark))) from None
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
        raise TcoUserError(DataProblem(name, e.line, e.field, e.message)) from None
    if problems:
        raise TcoUserError(problems)
    return data, lines


def load_yaml(path: Path, display: str | None = None, cache: bool | None = None) -> tuple[Any, dict[KeyPath, int]]:
    """Parsed data and line index of a YAML file, from the parse cache when the same bytes were parsed before.

    `cache=None` caches only the bundled catalogs (hardware/, pricing/ shipped with llm-tco): the
    user's own files (scenarios, price sheets) are never copied into the cache folder.
    """
    name = display or str(path)
    text = read_text(path, name)
    use_cache = _cache_wanted(path, len(text)) if cache is None else (cache and not os.environ.get("TCO_NO_CACHE"))
    if not use_cache:
        return parse_yaml(text, name)
    source_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    folder = cache_dir()
    entry = folder / f"{source_sha256[:40]}.json"
    hit = _read_cache_entry(entry, source_sha256)
    if hit is not None:
        return hit
    result = parse_yaml(text, name)
    _write_cache(folder, entry, source_sha256, result)
    return result


CACHE_MIN_BYTES = 4 * 1024
"""Only large files (the catalogs) are cached: parsing them is most of `tco run`'s start-up."""
CACHE_FORMAT = "llm-tco parse cache"
CACHE_VERSION = 3
"""Bumped whenever the entry layout or the parser's output changes; entries of another version are ignored."""
CACHE_MAX_ENTRY_BYTES = 4 * MAX_FILE_BYTES
"""No entry is read beyond this (the JSON of the largest file we parse is ~2x its YAML)."""
CACHE_MAX_ENTRIES = 200
"""Entries kept (the bundled catalogs are ~60 files over 4 KB); older ones are pruned at each write."""
CACHE_MAX_AGE_DAYS = 30
"""Entries not used for this long are pruned at each write (a hit refreshes an entry's time)."""


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/llm-tco/yaml-v2` (default `~/.cache/llm-tco/yaml-v2`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llm-tco" / f"yaml-v{CACHE_VERSION}"


def _cache_wanted(path: Path, size: int) -> bool:
    """Cache a file only when it is a bundled catalog file large enough to be worth it.

    Why: the cache holds JSON copies; a user's scenario or price sheet does not belong in a folder
    they never look at, and the bundled files are the ones every `tco run` parses. Set
    TCO_NO_CACHE=1 to turn it off.
    """
    if os.environ.get("TCO_NO_CACHE") or size < CACHE_MIN_BYTES:
        return False
    from tco.paths import bundled_dir

    try:
        real = Path(os.path.realpath(path))
        return any(real.is_relative_to(os.path.realpath(bundled_dir(kind))) for kind in ("hardware", "pricing"))
    except (OSError, ValueError):
        return False


def _read_cache_entry(entry: Path, source_sha256: str) -> tuple[Any, dict[KeyPath, int]] | None:
    """A cache entry's data when it is a regular file of the right shape, version and checksums; else None.

    Why so careful: the folder is writable by anything running as the user. An entry that was
    edited, truncated, replaced by a symlink (to /dev/zero, say), a FIFO or a huge file must be
    ignored and rebuilt, never trusted, never blocking, never read without a limit.
    """
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(entry, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > CACHE_MAX_ENTRY_BYTES:
            return None
        seen = _DECODED.get(str(entry))
        if seen is not None and seen[0] == (source_sha256, *_identity(st)):
            return seen[1]
        chunks, total = [], 0
        while total <= CACHE_MAX_ENTRY_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > CACHE_MAX_ENTRY_BYTES:
            return None
        raw = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        header_text, _, payload = raw.partition(b"\n")
        header = json.loads(header_text)
        if not (isinstance(header, dict) and header.get("format") == CACHE_FORMAT and header.get("version") == CACHE_VERSION
                and header.get("yaml") == yaml.__version__ and header.get("source_sha256") == source_sha256
                and header.get("payload_sha256") == hashlib.sha256(payload).hexdigest()):
            return None
        result = _decode_cache(payload.decode("utf-8"))
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    try:
        os.utime(entry, follow_symlinks=False)  # a hit keeps the entry young for pruning
        if len(_DECODED) >= CACHE_MAX_ENTRIES:
            _DECODED.clear()
        _DECODED[str(entry)] = ((source_sha256, *_identity(os.stat(entry, follow_symlinks=False))), result)
    except (OSError, NotImplementedError):
        pass
    return result


_DECODED: dict[str, tuple[tuple, tuple[Any, dict[KeyPath, int]]]] = {}
"""Entries this process decoded, by path: (the source's checksum and the entry file's identity, the result).

Why: decoding the bundled catalogs' entries was most of their load (0.25 of 0.36 s), and a process may load
them again and again: `tco.evaluate` called in a notebook, the terminal UI opening other files, the tests. A memorized result is the parse of the
source whose checksum it is kept with, so nothing done to the entry afterwards can make it wrong; it is still
returned only while the entry is the file it was decoded from (device, inode, size, modification and change
times), so an entry changed since is read and checked again, as before. The result is shared: its callers only
read it (they validate it into new objects)."""


def _identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _encode_cache(result: tuple[Any, dict[KeyPath, int]]) -> str:
    """Plain JSON (never pickle: a cache must not be able to run code); dates are tagged."""
    import datetime as dt

    def default(value: Any) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return {"__date__": value.isoformat(), "__datetime__": isinstance(value, dt.datetime)}
        raise TypeError(f"cannot cache {type(value).__name__}")

    data, lines = result
    return json.dumps({"data": data, "lines": [[list(k), v] for k, v in lines.items()]}, default=default, allow_nan=True)


def _decode_cache(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """The entry's payload, checked to be the shape `_encode_cache` writes (ValueError if not)."""
    import datetime as dt

    def hook(obj: dict) -> Any:
        if "__date__" in obj and len(obj) == 2:
            cls = dt.datetime if obj["__datetime__"] is True else dt.date
            return cls.fromisoformat(obj["__date__"])
        return obj

    raw = json.loads(text, object_hook=hook)
    if not isinstance(raw, dict) or set(raw) != {"data", "lines"} or not isinstance(raw["lines"], list):
        raise ValueError("not a cache payload")
    lines: dict[KeyPath, int] = {}
    for item in raw["lines"]:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], list)
                and type(item[1]) is int and item[1] >= 1
                and all(type(k) in (str, int) for k in item[0])):
            raise ValueError("bad line index")
        lines[tuple(item[0])] = item[1]
    if () not in lines and raw["data"] is not None:
        raise ValueError("line index without its root")
    return raw["data"], lines


def _write_cache(folder: Path, target: Path, source_sha256: str, result: Any) -> None:
    """Write an entry atomically (temp file + rename, which also replaces a planted symlink), then prune."""
    tmp = None
    try:
        payload = _encode_cache(result).encode("utf-8")
        header = json.dumps({"format": CACHE_FORMAT, "version": CACHE_VERSION, "yaml": yaml.__version__,
                             "source_sha256": source_sha256, "payload_sha256": hashlib.sha256(payload).hexdigest()})
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = folder / f".{target.name}.tco-{os.getpid()}-{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(header.encode("utf-8") + b"\n" + payload)
        os.replace(tmp, target)
        tmp = None
        prune_cache(folder)
    except (OSError, TypeError, ValueError):
        pass  # a read-only home is fine: we just parse every time
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def prune_cache(folder: Path | None = None, now: float | None = None) -> list[Path]:
    """Delete entries unused for CACHE_MAX_AGE_DAYS, all but the newest CACHE_MAX_ENTRIES, stray
    non-entries (symlinks, FIFOs, folders, orphan temp files of killed runs) and older-version folders.

    Returns what was removed.
    """
    from tco.files import remove_orphan_temp_files

    folder = folder or cache_dir()
    now = time.time() if now is None else now
    removed: list[Path] = list(remove_orphan_temp_files(folder))
    entries: list[tuple[float, Path]] = []
    try:
        listing = list(os.scandir(folder))
    except OSError:
        listing = []
    for item in listing:
        path = Path(item.path)
        if item.name.startswith("."):
            continue  # a temp file of a running write
        try:
            st = item.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or not item.name.endswith(".json"):
            try:
                _rmtree(path) if stat.S_ISDIR(st.st_mode) else os.unlink(path)
                removed.append(path)
            except OSError:
                pass
            continue
        entries.append((st.st_mtime, path))
    entries.sort(reverse=True)
    for i, (mtime, path) in enumerate(entries):
        if i >= CACHE_MAX_ENTRIES or now - mtime > CACHE_MAX_AGE_DAYS * 86400:
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    for old in folder.parent.glob("yaml-v*"):
        if old.name != folder.name and old.is_dir() and not old.is_symlink() and re.fullmatch(r"yaml-v\d+", old.name):
            _rmtree(old)
            removed.append(old)
    return removed


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


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
        try:
            return self._scalar(node)
        except _Limit as e:
            e.field = e.field or _dotted(path)
            raise

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
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(node.value) > MAX_NUMBER_CHARACTERS:
            # Python refuses to read an integer of more than 4,300 digits (a ValueError, not a YAML error)
            raise _Limit(f"a number written with {len(node.value):,} characters is too long to be a real figure",
                         node.start_mark.line + 1)
        if tag == "tag:yaml.org,2002:int" and node.value.isdigit():
            return int(node.value)
        if tag == "tag:yaml.org,2002:float" and _PLAIN_FLOAT.match(node.value):
            return float(node.value)
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            number = _yaml11_number(node.value)
            if number is not None:
                return number
        if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.endswith((":binary", ":omap", ":pairs", ":set")):
            raise _Limit(_tag_refused(node.tag), node.start_mark.line + 1)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise _Limit(f"cannot read value: {getattr(e, 'problem', e)}", node.start_mark.line + 1) from None
        except (ValueError, OverflowError):
            if tag == "tag:yaml.org,2002:timestamp":
                return node.value  # `2026-02-30`: kept as text, so the model says which field wants a real date
            raise _Limit(f"cannot read value {node.value!r}", node.start_mark.line + 1) from None


_DECIMAL_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
"""Decimal digits, maybe grouped by underscores; a leading zero is decimal too (`010` is 10, as `tco` always read
unsigned `010`), never YAML 1.1's octal 8."""
_YAML11_ONLY = re.compile(r"^[-+]?(0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$")
"""Numbers only YAML 1.1 reads as numbers: hex `0x10` (16), binary `0b11` (3), sexagesimal `1:30` (90) and `1:30.5`."""


def decimal_integer(text: str) -> int | None:
    """`012` -> 12, `-010` -> -10, `1_000` -> 1000 (never YAML 1.1's octal); None when `text` is no decimal integer."""
    text = text.strip()
    return int(text.replace("_", "")) if _DECIMAL_INT.match(text) else None


def yaml11_only_number(text: str) -> bool:
    """Whether `text` is a number only YAML 1.1 reads as one (`1:30`, `0x10`, `0b11`): kept as text by our loaders."""
    return bool(_YAML11_ONLY.match(text.strip()))


def _yaml11_number(text: str) -> Any:
    """What a plain scalar PyYAML resolved as int or float becomes, when it is not a plain decimal number; None when
    PyYAML's own constructor reads it as written (`.inf`, `-.nan`, `1e5`).

    Why: YAML 1.1 (PyYAML, CSafeLoader) reads `1:30` as 90, `0x10` as 16 and `-010` as -8, where the person meant a
    time, an id or minus ten; a price or a count read that way is wrong without a word. Those forms are kept as the text written,
    so a number field refuses them with its file, line and field (`must be a number (got '1:30')`) and a text field
    keeps them as written. `1_000` (digits grouped by underscores, decimal) means only one number: it is read as 1000.
    """
    if (number := decimal_integer(text)) is not None:
        return number
    if _YAML11_ONLY.match(text):
        return text
    return None


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
    "date_from_datetime_inexact": "must be a date written as YYYY-MM-DD",
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
    elif err["type"] == "located":
        text = str(ctx.get("message", err["msg"]))
    elif err["type"] == "value_error":
        text = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    else:
        text = err["msg"]
    value = err.get("input") if err["type"] != "located" else ctx.get("value")
    if isinstance(value, dt.date) and err["type"] == "date_out_of_range":
        text += f" (got {value.isoformat()})"
    elif err["type"] not in ("missing", "extra_forbidden", "union_tag_not_found") and _is_shown(value):
        text += f" (got {value!r})"
    return text


def _is_shown(value: Any) -> bool:
    if isinstance(value, dt.date):
        return False
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return True
    return isinstance(value, (str, int, float, bool)) and len(repr(value)) <= 60


def problems_from_validation(name: str, error: ValidationError, lines: dict[KeyPath, int],
                             model: type[BaseModel] | None = None, prefix: KeyPath = (),
                             data: Any = None) -> list[DataProblem]:
    out = []
    known = sorted(_all_field_names(model)) if model is not None else []
    for err in error.errors():
        ctx = err.get("ctx") or {}
        at = tuple(ctx.get("at", ())) if err["type"] == "located" else ()
        loc = (*prefix, *_data_loc(data, err["loc"], keep_last=err["type"] == "missing"), *at)
        probe = loc if err["type"] != "missing" else loc[:-1]
        while probe and probe not in lines:
            probe = probe[:-1]
        hint = None
        if err["type"] == "extra_forbidden" and loc:
            hint = _unknown_field_hint(str(loc[-1]), _field_names_at(model, err["loc"][:-1]), known)
        hint = hint or ctx.get("hint") if err["type"] == "located" else hint or _percent_hint(err)
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


def _data_loc(data: Any, loc: Iterable[Any], keep_last: bool = True) -> list[Any]:
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
        elif i == len(loc) - 1 and not (isinstance(part, str) and "[" in part) and (
                keep_last or not isinstance(current, dict) or data is None):
            out.append(part)  # a missing key; but not a union member's tag (`hybrid`) the user never wrote
        elif data is None and not (isinstance(part, str) and "[" in part):
            out.append(part)
    return out


def _models_in(annotation: Any) -> list:
    """The pydantic models an annotation holds (itself, or inside Optional, list, Union, Annotated ...)."""
    import typing

    found, stack = [], [annotation]
    while stack:
        ann = stack.pop()
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found.append(ann)
        else:
            stack.extend(typing.get_args(ann))
    return found


def _all_field_names(model: Any, seen: set | None = None) -> set[str]:
    """Every field name of `model` and of the models nested in it, for did-you-mean hints."""
    seen = set() if seen is None else seen
    names: set[str] = set()
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or model in seen:
        return names
    seen.add(model)
    for field_name, info in model.model_fields.items():
        names.add(info.alias or field_name)
        for nested in _models_in(info.annotation):
            names |= _all_field_names(nested, seen)
    return names


def _field_names_at(model: Any, loc: tuple) -> set[str] | None:
    """The field names of the model an error location points into (`loc` as pydantic gives it: field names, list
    indexes, and the tag of a tagged union such as an option's `kind`), or None where it cannot be followed."""
    import typing

    current = _models_in(model)
    for part in loc:
        if isinstance(part, int):
            continue
        if len(current) > 1:  # a tagged union: the part names the member (its `kind` literal)
            current = [m for m in current if part in typing.get_args(getattr(m.model_fields.get("kind"), "annotation", None))]
            if current:
                continue
            return None
        if len(current) != 1 or part not in current[0].model_fields:
            return None
        current = _models_in(current[0].model_fields[part].annotation)
    if len(current) != 1:
        return None
    return {info.alias or name for name, info in current[0].model_fields.items()}


def _unknown_field_hint(word: str, here: set[str] | None, known: list[str]) -> str | None:
    """Did-you-mean among the fields of the entry the key is in; a key that is a field of another kind of entry (an
    API option's `source` in a self-hosted option) is said to be so, not offered back as its own correction."""
    if here is None:
        return _did_you_mean(word, [c for c in known if c != word])
    close = _did_you_mean(word, sorted(here))
    if close or word not in known:
        return close
    return f"`{word}` is a field of another kind of entry, not of this one"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    return _did_you_mean(word, list(choices))


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    """The choice the user most likely meant. Why more than difflib: an id typed as its name (`MI300X`, `H100 SXM`)
    is the same id in other case and separators, and a prefix (`h100`) means one of the ids it starts, which
    difflib would trade for a near spelling (`h800`)."""
    def normal(text: str) -> str:
        return text.strip().lower().replace(" ", "-").replace("_", "-")

    by_normal: dict[str, str] = {}
    for choice in choices:
        by_normal.setdefault(normal(choice), choice)
    key = normal(word)
    if key in by_normal and by_normal[key] != word:
        return f"did you mean `{by_normal[key]}`?"
    starting = [choice for n, choice in by_normal.items() if n.startswith(key) and n != key] if len(key) >= 3 else []
    if 1 <= len(starting) <= 4:
        named = [f"`{c}`" for c in starting]
        return f"did you mean {', '.join(named[:-1]) + ' or ' + named[-1] if len(named) > 1 else named[0]}?"
    close = difflib.get_close_matches(key, list(by_normal), n=1, cutoff=0.6)
    return f"did you mean `{by_normal[close[0]]}`?" if close else None


def partial_date_start(text: str) -> dt.date:
    """The first day a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date (tco.model.base.PartialDate) can mean."""
    parts = [int(p) for p in text.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


FUTURE_DATE_MARGIN = dt.timedelta(days=1)
"""`as_of` may be one day past the local date: a date written in UTC (as `tco pricing import` does) is tomorrow's
for part of the day west of Greenwich, and that is no mistake."""


def future_as_of_problems(record: BaseModel, name: str, lines: dict[KeyPath, int], today: dt.date) -> list[DataProblem]:
    """A located problem for every `as_of` in `record` (at any depth) that starts after `today`.

    Why: `as_of` says when figures were read; a day not yet come is a typo (2062 for 2026) that the staleness warnings
    and the price history then trust. `today` comes from the loader: the models stay free of the clock.
    `effective_from` is not checked: a price announced for a later day is real."""
    out: list[DataProblem] = []

    def walk(value: Any, path: KeyPath) -> None:
        if isinstance(value, BaseModel):
            for field in type(value).model_fields:
                child = getattr(value, field)
                if field == "as_of" and isinstance(child, str):
                    try:
                        start = partial_date_start(child)
                    except ValueError:
                        continue
                    if start > today + FUTURE_DATE_MARGIN:
                        at = (*path, field)
                        out.append(DataProblem(name, lines.get(at), _dotted(at),
                                               f"{child} is in the future (today is {today.isoformat()}): figures cannot have been read on a day to come",
                                               hint="as_of is the day the source was read (YYYY-MM-DD, YYYY-MM or YYYY)"))
                else:
                    walk(child, (*path, field))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, (*path, i))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))

    walk(record, ())
    return out


def implausible_numbers(data: Any, name: str, lines: dict[KeyPath, int], largest: float,
                        smallest: float = 0.0, prefix: KeyPath = ()) -> list[DataProblem]:
    """A located problem for every finite number in `data` above `largest` or, non-zero, below `smallest` in size.

    Why: such a figure can only be a typing mistake (1e300 for 300), and the engine's sums and products overflow
    it to inf (or divide a tiny one to inf): a traceback or an "inf GB" message far from the line that caused it.
    Shared by scenario files and hardware records, each with its own limits. `prefix` is where `data` sits in the file."""
    out: list[DataProblem] = []
    stack: list[tuple[KeyPath, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and (
                abs(value) > largest or 0 < abs(value) < smallest):
            probe = (*prefix, *path)
            while probe and probe not in lines:
                probe = probe[:-1]
            message = (f"is too large to be a real figure (got {value:g}; the limit is {largest:g})"
                       if abs(value) > largest else
                       f"is too small to be a real figure (got {value:g}; write 0 or at least {smallest:g})")
            out.append(DataProblem(name, lines.get(probe), dotted((*prefix, *path)), message))
    return out


def validate_as(model: type[BaseModel], data: Any, name: str, lines: dict[KeyPath, int], prefix: KeyPath = ()):
    """`model.model_validate(data)` or a TcoUserError with every problem located."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise TcoUserError(problems_from_validation(name, e, lines, model, prefix, data)) from None
