"""Safe writes: an interrupted write leaves the old file intact; backups are never overwritten."""

from __future__ import annotations

import os

import pytest

from tco.errors import ExitCode, TcoUserError
from tco import files as atomic
from tco.files import write_atomic


def test_a_new_file_is_written_without_a_backup(tmp_path):
    target = tmp_path / "out.yaml"
    assert write_atomic(target, "a: 1\n") is None
    assert target.read_text() == "a: 1\n"


def test_the_old_file_is_kept_as_bak_then_as_a_timestamped_bak(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("v1")
    first = write_atomic(target, "v2")
    assert first == tmp_path / "out.yaml.bak" and first.read_text() == "v1"
    second = write_atomic(target, b"v3")
    assert second != first and second.name.startswith("out.yaml.") and second.name.endswith(".bak")
    assert second.read_text() == "v2" and first.read_text() == "v1" and target.read_text() == "v3"
    third = write_atomic(target, "v4")  # same second: still a new name
    assert len({first, second, third}) == 3 and third.read_text() == "v3"


def test_no_backup_when_asked(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("v1")
    assert write_atomic(target, "v2", backup=False) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml"]


def test_a_write_interrupted_half_way_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "sheet.yaml"
    target.write_text("old content")
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(TcoUserError) as e:
        write_atomic(target, "new content that will not fit")
    assert e.value.exit_code == ExitCode.WRITE_FAILED
    assert str(target) in e.value.problems[0].file and "No space left" in e.value.problems[0].message
    assert target.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.yaml"]


def test_an_interrupt_during_the_swap_also_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "sheet.yaml"
    target.write_text("old content")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new", backup=False)
    assert target.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.yaml"]


def test_an_unwritable_folder_is_a_write_failed_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(TcoUserError) as e:
        write_atomic(blocker / "out.yaml", "data")
    assert e.value.exit_code == ExitCode.WRITE_FAILED
