"""Write a file so that a crash or a full disk never leaves it half-written, and never lose the old one.

Lives beside `tco.paths` (low in the layers) because both the loaders (price sheets) and the exporters
(workbook) write files: neither may import the other.

Why: a price sheet, a workbook or a scenario saved from the TUI may be the only copy of someone's
work. We write a temp file in the same folder (same file system, so `os.replace` is atomic), fsync
it, keep the existing file as a backup, then swap.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from tco.errors import DataProblem, ExitCode, TcoUserError


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


def write_atomic(path: Path, data: bytes | str, backup: bool = True) -> Path | None:
    """Replace `path` with `data` atomically; return the backup of the previous file (None if none was kept)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
            kept = backup_path_for(path)
            shutil.copy2(path, kept)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(path.parent)
        return kept
    except OSError as e:
        raise TcoUserError(
            DataProblem(str(path), None, "", f"cannot write: {e.strerror or e}; the previous file, if any, is unchanged"),
            exit_code=ExitCode.WRITE_FAILED,
        ) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


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
