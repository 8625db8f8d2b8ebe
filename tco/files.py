"""Write a file so that a crash or a full disk never leaves it half-written, and never lose the old one.

Lives beside `tco.paths` (low in the layers) because both the loaders (price sheets) and the exporters
(workbook) write files: neither may import the other.

Why: a price sheet, a workbook or a scenario saved from the TUI may be the only copy of someone's
work. We write a temp file in the same folder (same file system, so `os.replace` is atomic), fsync
it, keep the existing file as a backup, then swap.

The rules around an output (issue 19):
- never onto an input: the caller passes the files it read (`inputs=`); writing onto one of them
  is refused (exit 2, bad input) before anything is written;
- a missing parent folder is refused (exit 3, cannot write) unless the caller asks for it
  (`make_parents=True`, what `tco export --mkdir` does);
- temp files live in the output's folder and are named `.NAME.tco-PID-RANDOM.tmp`; they are removed
  on every exit path: normal return, an exception, Ctrl-C (SIGINT) and SIGTERM/SIGHUP (turned into
  an exception while a write is running, so `finally` blocks run);
- a run killed with SIGKILL cannot clean up: its temp files are removed by the next write into
  the same folder (only when the process named in the file name is gone);
- the backup of the replaced file is made atomically (a hard link, or a copy to a temp file then a
  rename), and only the newest `KEEP_BACKUPS` dated backups of a file are kept (plus a plain
  `NAME.bak`, never deleted since a user may have made it, and those the caller protects: the TUI
  keeps the file as it was before a session's first save until the session ends);
- an output that is a symlink is followed: its target is written (and backed up), the link stays;
- an output that exists and is not a regular file (a device such as /dev/null, a FIFO, a socket) is
  opened and written in place, as a shell's `>` does: there is no file to keep, and renaming a temp
  file over it would move the device away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from tco.errors import DataProblem, ExitCode, TcoUserError

KEEP_BACKUPS = 5
"""Dated backups kept per output file (`name.<stamp>.bak`, ...): the newest five, older ones are deleted.
A plain `name.bak` is never deleted (see `prune_backups`)."""

_TEMP_PATTERN = re.compile(r"^\..+\.tco-(\d+)-[A-Za-z0-9_]+\.tmp$")
"""Our temp files and folders: `.NAME.tco-PID-RANDOM.tmp` (the PID tells whether the writer still runs)."""

_CLEANUP_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


class Interrupted(KeyboardInterrupt):
    """SIGTERM/SIGHUP arrived during a write: raised so that every `finally` removes its temp files."""


_FILES_READ: dict[str, None] = {}
"""Every input file the loaders read in this process (in order): an output must never replace one."""


def note_input(path: Path | str) -> None:
    """Remember that `path` was read as an input (the loaders call this for every file they read)."""
    _FILES_READ.setdefault(os.path.abspath(path), None)


class InputFolder(NamedTuple):
    """A folder the command reads every file of `suffixes` from (`--pricing-dir`, `--hardware-dir`)."""

    path: Path
    suffixes: tuple[str, ...]

    def holds(self, path: Path) -> bool:
        """Whether `path` is (or would be) one of the folder's input files, at any depth."""
        if path.suffix.lower() not in self.suffixes:
            return False
        try:
            Path(os.path.realpath(path)).relative_to(os.path.realpath(self.path))
        except ValueError:
            return False
        return True


_FOLDERS_READ: dict[InputFolder, None] = {}
"""Input folders given to this process: price sheets are read lazily (only the providers a scenario names), so a
sheet of the folder that was not read never reached `_FILES_READ`, and `-o` could replace it."""


def note_input_folder(folder: Path | str, suffixes: Iterable[str]) -> None:
    """Remember that files of `suffixes` in `folder` are inputs, read or not: an output may not land on one of them."""
    _FOLDERS_READ.setdefault(InputFolder(Path(os.path.abspath(folder)), tuple(s.lower() for s in suffixes)), None)


def files_read() -> list[Path | InputFolder]:
    """The input files read so far (scenarios, catalogs, scores) and the input folders: what an output may not replace."""
    return [*(Path(p) for p in list(_FILES_READ)), *_FOLDERS_READ]


def temp_prefix(path: Path) -> str:
    """`.NAME.tco-PID-` : the start of every temp name made for `path` by this process."""
    return f".{Path(path).name}.tco-{os.getpid()}-"


def backup_path_for(path: Path) -> Path:
    """`name.bak`, or `name.<YYYYmmdd-HHMMSS>.bak` when that exists: an older backup is never overwritten."""
    plain = path.with_name(path.name + ".bak")
    if not plain.exists():
        return plain
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{stamp}-{n}.bak")
        n += 1
    return candidate


def backups_of(path: Path) -> list[Path]:
    """The backups of `path`, newest first: `name.bak` (ours or the user's: it cannot be told) and the dated ones.

    Order: modification time (a backup keeps the time its content was written), then the order the
    names were made in (`name.bak` first, then by stamp and counter), for backups made within the
    clock's resolution.
    """
    pattern = re.compile(rf"^{re.escape(path.name)}(?:\.(\d{{8}}-\d{{6}})(?:-(\d+))?)?\.bak$")
    found = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match and entry.is_file(follow_symlinks=False):
            try:
                mtime = entry.stat(follow_symlinks=False).st_mtime_ns
            except OSError:
                continue
            made = (match.group(1) is not None, match.group(1) or "", int(match.group(2) or 0))
            found.append((mtime, made, entry.name))
    found.sort(reverse=True)
    return [path.with_name(name) for *_, name in found]


def prune_backups(path: Path, keep: int = KEEP_BACKUPS, protect: Iterable[Path] = ()) -> list[Path]:
    """Delete all but the `keep` newest dated backups of `path`, never one in `protect`; return those deleted.

    Only names of the dated form this module makes and no one else does, `name.<YYYYmmdd-HHMMSS>[-N].bak`,
    are ever deleted. The plain `name.bak` is kept whoever made it: people make a `name.bak` by hand (`cp out.csv
    out.csv.bak`) before a run, and nothing tells it apart from the one our first write made (that write never
    overwrites an existing `name.bak`, so a user's stays as they left it). Why: a backup we delete that was the
    user's only copy is lost work; a plain `name.bak` of ours that is kept costs one file.
    """
    protected = {os.path.abspath(p) for p in protect}
    plain = path.name + ".bak"
    removed = []
    dated = [b for b in backups_of(path) if b.name != plain and os.path.abspath(b) not in protected]
    for old in dated[keep:]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:
            pass
    return removed


def refuse_unsafe_target(path: Path, inputs: Iterable[Path | str | InputFolder] = (), make_parents: bool = False,
                         label: str | None = None, parents_hint: str | None = None) -> None:
    """Raise, before anything is written, when `path` is one of `inputs` (exit 2) or its folder is missing (exit 3).

    Why before the work: an export may take seconds; the user should hear at once that the path
    they gave is wrong, and nothing (not even a temp file) is left behind.
    """
    path = Path(path)
    name = label or str(path)
    for source in inputs:
        if isinstance(source, InputFolder):
            if source.holds(path):
                raise TcoUserError(DataProblem(
                    name, None, "", f"is an input of this command (a file of {source.path}, which it reads); refusing to write over it",
                    hint="write the output to another file name, outside the folder"))
            continue
        if _same_file(path, Path(source)):
            raise TcoUserError(DataProblem(
                name, None, "", f"is an input of this command ({source}); refusing to write over it",
                hint="write the output to another file name"))
    parent = path.parent
    if not make_parents and not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise TcoUserError(DataProblem(name, None, "", f"the folder `{parent}` {what}; nothing was written",
                                       hint=parents_hint or "create the folder first"), exit_code=ExitCode.WRITE_FAILED)
    if path.is_dir():
        raise TcoUserError(DataProblem(name, None, "", "is a folder; give a file name"), exit_code=ExitCode.WRITE_FAILED)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        try:
            return a.resolve() == b.resolve()
        except (OSError, RuntimeError):
            return False


def writes_in_place(path: Path) -> bool:
    """True when `path` exists and is neither a regular file nor a folder (a device, FIFO or socket, also via a symlink).

    Why: such an output is a channel, not a document. It is opened and written like a shell's
    `> /dev/null`; a temp file renamed over it would move the device (or pipe) to `NAME.bak`.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def output_target(path: Path) -> Path:
    """The file a write to `path` lands in: a symlink's final target, so the link itself stays.

    Why: a user who points `out.csv` at `reports/q3.csv` expects the report to change; replacing
    the link by a regular file would leave the report stale and silently drop the link. A symlink
    loop has no target and is refused (exit 3).
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops where it finds a loop
        raise TcoUserError(DataProblem(str(path), None, "", "is a symbolic link that loops; nothing was written",
                                       hint="point the link at a file, or give another output name"),
                           exit_code=ExitCode.WRITE_FAILED)
    return target


def write_atomic(path: Path, data: bytes | str, backup: bool = True, *, make_parents: bool = False,
                 inputs: Iterable[Path | str | InputFolder] = (), keep_backups: Iterable[Path] = ()) -> Path | None:
    """Replace `path` with `data` atomically; return the backup of the previous file (None if none was kept).

    A symlink's target is the file replaced (and backed up); a device, FIFO or socket is written in place.
    `keep_backups` are never pruned (the TUI keeps the file as it was before a session's first save).
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    inputs = list(inputs)
    refuse_unsafe_target(path, inputs, make_parents)
    name = str(path)
    if writes_in_place(path):
        _write_in_place(path, payload)
        return None
    tmp_name: str | None = None
    try:
        with cleanup_on_signals():
            if make_parents:
                path.parent.mkdir(parents=True, exist_ok=True)
            path = output_target(path)
            remove_orphan_temp_files(path.parent)
            fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            if path.exists():
                mode = path.stat().st_mode & 0o777
            else:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(tmp_name, mode)
            kept = None
            if backup and path.exists():
                kept = _backup_atomic(path)
            os.replace(tmp_name, path)
            tmp_name = None
            _fsync_dir(path.parent)
            if kept is not None:
                prune_backups(path, protect=keep_backups)
            return kept
    except OSError as e:
        raise cannot_write(Path(name), e) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def cannot_write(path: Path, error: OSError) -> TcoUserError:
    """The error for an output that could not be written (exit 3): nothing that existed before was changed."""
    return TcoUserError(
        DataProblem(str(path), None, "", f"cannot write: {error.strerror or error}; the previous file, if any, is unchanged"),
        exit_code=ExitCode.WRITE_FAILED,
    )


def make_parent_folders(path: Path) -> None:
    """Create `path`'s missing folders (`--mkdir`); a name in the way or a read-only folder is exit 3, not a traceback."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise cannot_write(path, e) from None


def _write_in_place(path: Path, payload: bytes) -> None:
    """Open an existing device, FIFO or socket for writing and write `payload` to it: no temp file, no backup.

    Opened without O_CREAT or O_TRUNC, and checked again once open: if a regular file took the
    name in between, it is left untouched and the write is refused. A FIFO blocks until a reader
    opens it, as with a shell's `>`; Ctrl-C still stops the wait.
    """
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "wb") as f:
            if stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise OSError(0, "it became a regular file while being opened; it was left unchanged")
            f.write(payload)
    except OSError as e:
        raise TcoUserError(
            DataProblem(str(path), None, "", f"cannot write: {e.strerror or e} (it is a device, pipe or socket, written in place)"),
            exit_code=ExitCode.WRITE_FAILED,
        ) from None


def _backup_atomic(path: Path) -> Path:
    """Keep the current `path` under a backup name, never half-written.

    A hard link is instant and atomic (the new file then replaces `path`, the link keeps the old
    bytes); where links are not allowed (FAT, some network shares) the copy goes to a temp file
    that is renamed once complete.
    """
    kept = backup_path_for(path)
    try:
        os.link(path, kept)
        return kept
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(kept), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(path, tmp)
        os.replace(tmp, kept)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return kept


def remove_orphan_temp_files(folder: Path) -> list[Path]:
    """Delete our temp files and folders in `folder` whose writing process is gone (a killed run)."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_PATTERN.match(entry.name)
        if not match or _process_alive(int(match.group(1))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # someone else's process (or we cannot tell): leave its files alone
    return True


@contextlib.contextmanager
def scratch_folder(near: Path) -> Iterator[Path]:
    """A private temp folder beside `near` (same naming rule), removed on every exit path.

    Why: libraries that spill to temp files (openpyxl writes one per sheet) would otherwise leave
    them in /tmp when the run is killed; here they are beside the output, where the next write
    finds and removes them. Beside a symlink's target, that is; for an output written in place (a
    device such as /dev/null, a FIFO) the system temp folder is used, never /dev.
    """
    near = Path(near)
    with cleanup_on_signals():
        if writes_in_place(near):
            where = Path(tempfile.gettempdir())
        else:
            near = output_target(near)
            where = near.parent
        remove_orphan_temp_files(where)
        try:
            folder = tempfile.mkdtemp(prefix=temp_prefix(near), suffix=".tmp", dir=where)
        except OSError as e:  # a read-only or full folder: the user's output, not a bug (exit 3)
            raise cannot_write(near, e) from None
        try:
            yield Path(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise `Interrupted` (like Ctrl-C) so `finally` blocks run.

    Only the main thread can install signal handlers; elsewhere (the TUI's workers) this does
    nothing, and the app's own shutdown applies.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame):
        raise Interrupted(f"signal {signum}")

    try:
        for sig in _CLEANUP_SIGNALS:
            old = signal.getsignal(sig)
            if old == signal.SIG_DFL:  # an outer block (or the app) already handles it otherwise
                previous[sig] = old
                signal.signal(sig, handler)
    except (ValueError, OSError):
        pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, old)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on Windows, where it is skipped."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
