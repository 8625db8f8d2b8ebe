"""The files around an output (issue 19 item 4): never an input, never a silent mkdir, no temp file
left behind on any exit path (Ctrl-C, SIGTERM, a SIGKILL cleaned at the next write), backups
written atomically and pruned to KEEP_BACKUPS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import ExitCode, TcoUserError
from tco import files as atomic
from tco.files import KEEP_BACKUPS, backups_of, remove_orphan_temp_files, write_atomic

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tco" / "examples" / "customer-support.yaml"


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_export_onto_its_own_scenario_file_is_refused_and_the_file_is_unchanged(scenario, capsys):
    before = scenario.read_bytes()
    code = main(["export", str(scenario), "--xlsx", str(scenario)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert "is an input of this command" in err and "Traceback" not in err
    assert scenario.read_bytes() == before
    assert listing(scenario.parent) == ["mine.yaml"], "no backup, no temp file"


def test_the_same_file_by_another_name_is_still_refused(scenario, capsys):
    link = scenario.parent / "alias.xlsx"
    link.symlink_to(scenario.name)
    assert main(["export", str(scenario), "--xlsx", str(link)]) == ExitCode.BAD_INPUT
    assert "is an input of this command" in capsys.readouterr().err
    assert scenario.read_bytes() == EXAMPLE.read_bytes()


def test_write_atomic_refuses_any_file_listed_as_an_input(tmp_path):
    source = tmp_path / "prices.yaml"
    source.write_text("keep me")
    with pytest.raises(TcoUserError) as e:
        write_atomic(source, "overwritten", inputs=[tmp_path / "." / "prices.yaml"])
    assert e.value.exit_code == ExitCode.BAD_INPUT
    assert source.read_text() == "keep me" and listing(tmp_path) == ["prices.yaml"]


def test_a_missing_output_folder_is_refused_with_a_hint_and_nothing_is_created(scenario, capsys):
    target = scenario.parent / "reports" / "q3" / "out.xlsx"
    code = main(["export", str(scenario), "--xlsx", str(target)])
    err = capsys.readouterr().err
    assert code == ExitCode.WRITE_FAILED
    assert f"the folder `{target.parent}` does not exist; nothing was written" in err and "--mkdir" in err
    assert listing(scenario.parent) == ["mine.yaml"]


def test_write_atomic_refuses_a_missing_folder_unless_asked(tmp_path):
    target = tmp_path / "new" / "out.csv"
    with pytest.raises(TcoUserError) as e:
        write_atomic(target, "a,b\n")
    assert e.value.exit_code == ExitCode.WRITE_FAILED and not target.parent.exists()
    write_atomic(target, "a,b\n", make_parents=True)
    assert target.read_text() == "a,b\n"


def test_mkdir_creates_the_folder_and_writes_the_workbook(scenario, capsys):
    target = scenario.parent / "reports" / "out.xlsx"
    assert main(["export", str(scenario), "--xlsx", str(target), "--mkdir"]) == 0
    assert target.read_bytes()[:2] == b"PK"  # a zip package, as every .xlsx is
    assert listing(target.parent) == ["out.xlsx"], "no temp file or scratch folder left"


def test_backups_are_pruned_to_the_newest_five(tmp_path):
    target = tmp_path / "out.csv"
    for version in range(1, 10):  # v1 is written first, v9 last: 8 older versions exist
        write_atomic(target, f"v{version}")
    assert KEEP_BACKUPS == 5
    kept = backups_of(target)
    # the five newest dated backups, and the plain out.csv.bak of the first write (never pruned: see prune_backups)
    assert [p.read_text() for p in kept] == ["v8", "v7", "v6", "v5", "v4", "v1"]
    assert kept[-1].name == "out.csv.bak"
    assert target.read_text() == "v9"
    assert len(listing(tmp_path)) == 1 + KEEP_BACKUPS + 1


def test_the_backup_is_made_before_the_swap_and_never_half_written(tmp_path, monkeypatch):
    """Where hard links are refused, the copy goes to a temp name first; a failure leaves no .bak."""
    target = tmp_path / "out.csv"
    target.write_text("original")
    monkeypatch.setattr(atomic.os, "link", lambda *a: (_ for _ in ()).throw(OSError(1, "links not allowed")))
    real_copy = atomic.shutil.copyfileobj

    def half_copy(src, dst):
        dst.write(src.read(3))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.shutil, "copyfileobj", half_copy)
    with pytest.raises(TcoUserError):
        write_atomic(target, "new")
    assert target.read_text() == "original" and listing(tmp_path) == ["out.csv"]
    monkeypatch.setattr(atomic.shutil, "copyfileobj", real_copy)
    kept = write_atomic(target, "new")
    assert kept.read_text() == "original" and target.read_text() == "new"


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(child.stdout)


def test_temp_files_of_a_killed_run_are_removed_at_the_next_write(tmp_path):
    """A SIGKILLed writer cannot clean up; its `.NAME.tco-PID-*.tmp` files go at the next write there."""
    script = textwrap.dedent(f"""
        import os, signal, tempfile
        from pathlib import Path
        from tco.files import scratch_folder, temp_prefix
        out = Path({str(tmp_path / "book.xlsx")!r})
        fd, name = tempfile.mkstemp(prefix=temp_prefix(out), suffix=".tmp", dir=out.parent)
        os.write(fd, b"half a workbook")
        with scratch_folder(out) as scratch:
            (scratch / "sheet-1.xml").write_text("<worksheet>")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    left = listing(tmp_path)
    assert len(left) == 2 and all(n.startswith(".book.xlsx.tco-") and n.endswith(".tmp") for n in left), left
    alive = tmp_path / f".other.csv.tco-{os.getpid()}-abc.tmp"  # a write in progress (this process): kept
    alive.write_text("in progress")
    unrelated = tmp_path / ".book.xlsx.notes.tmp"  # not our pattern: never touched
    unrelated.write_text("mine")
    write_atomic(tmp_path / "book.xlsx", b"PK new")
    assert listing(tmp_path) == sorted(["book.xlsx", alive.name, unrelated.name])


def test_orphans_of_a_process_that_is_gone_are_found_by_pattern(tmp_path):
    dead = _dead_pid()
    orphan = tmp_path / f".a.xlsx.tco-{dead}-x1y2.tmp"
    orphan.mkdir()
    (orphan / "sheet.xml").write_text("x")
    assert remove_orphan_temp_files(tmp_path) == [orphan] and listing(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_export_stopped_by_a_signal_leaves_no_temp_file_anywhere(tmp_path, scenario, sig):
    """The signal arrives while the workbook's sheets are being written (openpyxl's temp files exist).

    TMPDIR is a private folder, so a temp file in the system temp folder would show there too.
    """
    out, tmp = tmp_path / "out", tmp_path / "tmpdir"
    out.mkdir()
    tmp.mkdir()
    script = textwrap.dedent(f"""
        import os, signal, sys
        import tco.export.excel as excel
        real = excel.fill_rows
        def stop_here(*args, **kwargs):
            scratch = [p for p in os.listdir({str(out)!r}) if p.endswith(".tmp")]
            assert scratch, "the scratch folder is beside the output while the sheets are written"
            os.kill(os.getpid(), {int(sig)})
            return real(*args, **kwargs)
        excel.fill_rows = stop_here
        from tco.cli import main
        sys.exit(main(["export", {str(scenario)!r}, "--xlsx", {str(out / "book.xlsx")!r}]))
    """)
    env = os.environ | {"PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "TCO_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert listing(out) == [] and listing(tmp) == []


def test_openpyxl_sheet_files_do_not_go_to_the_system_temp_folder(tmp_path, scenario, monkeypatch):
    """Issue 19 saw ~150 `openpyxl.*.xml` files in /tmp during an export (one per sheet)."""
    from openpyxl.worksheet import _writer

    from tco.export.excel import export_workbook
    from tco.run import run_scenarios

    def refuse(suffix=""):
        raise AssertionError("openpyxl's own temp file in the system temp folder")

    monkeypatch.setattr(_writer, "create_temporary_file", refuse)
    results = run_scenarios([scenario])
    path = export_workbook(results, tmp_path / "book.xlsx")
    assert path.read_bytes()[:2] == b"PK"
    assert listing(tmp_path) == ["book.xlsx", "mine.yaml"]


def _refuse_renames_outside(folder: Path, monkeypatch) -> None:
    """A guard: the writer may rename or link only inside `folder`, so a regression can never move /dev/null or /dev/full."""

    def inside(*paths) -> bool:
        return all(os.path.realpath(p).startswith(str(folder.resolve()) + os.sep) for p in paths)

    real_replace, real_link = atomic.os.replace, atomic.os.link

    def replace(src, dst, *a, **k):
        assert inside(src, dst), f"renamed {src} -> {dst} outside the test folder"
        return real_replace(src, dst, *a, **k)

    def link(src, dst, *a, **k):
        assert inside(src, dst), f"linked {src} -> {dst} outside the test folder"
        return real_link(src, dst, *a, **k)

    monkeypatch.setattr(atomic.os, "replace", replace)
    monkeypatch.setattr(atomic.os, "link", link)


def test_a_device_a_fifo_or_a_link_to_one_is_written_in_place_and_a_file_is_not(tmp_path):
    fifo, regular, folder = tmp_path / "pipe", tmp_path / "out.csv", tmp_path / "sub"
    os.mkfifo(fifo)
    regular.write_text("v1")
    folder.mkdir()
    to_null = tmp_path / "null.csv"
    to_null.symlink_to(os.devnull)
    to_file = tmp_path / "link.csv"
    to_file.symlink_to(regular.name)
    assert atomic.writes_in_place(Path(os.devnull)) and atomic.writes_in_place(fifo) and atomic.writes_in_place(to_null)
    assert not any(atomic.writes_in_place(p) for p in (regular, to_file, folder, tmp_path / "missing.csv"))


def test_run_output_to_a_fifo_goes_through_it_and_the_fifo_stays(scenario, capsys):
    """Issue: the FIFO was renamed to `NAME.bak` and a regular file took its place; a shell's `>` writes through it."""
    import threading

    fifo = scenario.parent / "out.csv"
    os.mkfifo(fifo)
    received = []

    def read_all():
        with open(fifo, "rb") as f:  # blocks until the writer opens the FIFO
            received.append(f.read())

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    code = main(["run", str(scenario), "--no-breakeven", "--format", "csv", "--output", str(fifo)])
    reader.join(timeout=60)
    assert code == 0, capsys.readouterr().err
    assert received and received[0].startswith(b"scenario,"), "the reader got the CSV"
    assert listing(scenario.parent) == ["mine.yaml", "out.csv"], "no backup, no temp file"
    assert fifo.is_fifo()


def test_a_link_to_a_device_is_written_through_and_the_device_is_never_renamed(tmp_path, monkeypatch):
    _refuse_renames_outside(tmp_path, monkeypatch)
    to_null = tmp_path / "null.csv"
    to_null.symlink_to(os.devnull)
    assert write_atomic(to_null, "a,b\n") is None
    assert to_null.is_symlink() and os.readlink(to_null) == os.devnull and Path(os.devnull).is_char_device()
    assert listing(tmp_path) == ["null.csv"]


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs the /dev/full device")
def test_a_full_device_is_a_write_error_with_exit_3_and_nothing_is_renamed(tmp_path, monkeypatch):
    _refuse_renames_outside(tmp_path, monkeypatch)
    to_full = tmp_path / "full.csv"
    to_full.symlink_to("/dev/full")
    with pytest.raises(TcoUserError) as e:
        write_atomic(to_full, "a,b\n")
    assert e.value.exit_code == ExitCode.WRITE_FAILED
    assert "cannot write: No space left on device" in e.value.problems[0].render()
    assert to_full.is_symlink() and Path("/dev/full").is_char_device() and listing(tmp_path) == ["full.csv"]


def test_a_symlinked_output_writes_its_target_with_a_backup_and_the_link_stays(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    target = reports / "q3.csv"
    target.write_text("old")
    link = tmp_path / "out.csv"
    link.symlink_to(Path("reports") / "q3.csv")
    kept = write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "q3.csv")
    assert target.read_text() == "new" and kept == reports / "q3.csv.bak" and kept.read_text() == "old"
    assert listing(tmp_path) == ["out.csv", "reports"] and listing(reports) == ["q3.csv", "q3.csv.bak"]


def test_run_output_through_a_symlink_updates_the_target(scenario, capsys):
    target = scenario.parent / "real.csv"
    target.write_text("old")
    link = scenario.parent / "out.csv"
    link.symlink_to(target.name)
    assert main(["run", str(scenario), "--no-breakeven", "--format", "csv", "--output", str(link)]) == 0
    assert link.is_symlink() and target.read_text().startswith("scenario,")
    assert (scenario.parent / "real.csv.bak").read_text() == "old"
    assert listing(scenario.parent) == ["mine.yaml", "out.csv", "real.csv", "real.csv.bak"]


def test_a_dangling_symlink_creates_its_target_and_a_loop_is_refused(tmp_path):
    dangling = tmp_path / "out.csv"
    dangling.symlink_to("made.csv")
    assert write_atomic(dangling, "a,b\n") is None
    assert dangling.is_symlink() and (tmp_path / "made.csv").read_text() == "a,b\n"
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    with pytest.raises(TcoUserError) as e:
        write_atomic(tmp_path / "loop1", "x")
    assert e.value.exit_code == ExitCode.WRITE_FAILED and "loops" in e.value.problems[0].render()
    assert (tmp_path / "loop1").is_symlink() and listing(tmp_path) == ["loop1", "loop2", "made.csv", "out.csv"]


def test_the_scratch_folder_of_an_output_written_in_place_is_not_beside_the_device(tmp_path, monkeypatch):
    """`tco export --xlsx /dev/null` must not make its temp folder in /dev."""
    from tco.files import scratch_folder

    monkeypatch.setattr(atomic.tempfile, "tempdir", str(tmp_path))
    with scratch_folder(Path(os.devnull)) as scratch:
        assert scratch.parent == tmp_path
    assert listing(tmp_path) == []


def test_a_workbook_into_a_folder_that_refuses_new_files_is_exit_3_and_the_old_file_stays(scenario, capsys, monkeypatch):
    """A read-only or full folder: the scratch folder beside the output cannot be made. That raised a bare OSError
    (a traceback, exit 1: "a bug in llm-tco") where README promises exit 3 and one line."""
    import tempfile

    out = scenario.parent / "out.xlsx"
    out.write_bytes(b"the user's previous workbook")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    code = main(["export", str(scenario), "--xlsx", str(out)])
    err = capsys.readouterr().err
    assert code == ExitCode.WRITE_FAILED
    assert "Traceback" not in err
    assert err.splitlines()[0] == f"{out}: cannot write: Permission denied; the previous file, if any, is unchanged"
    assert out.read_bytes() == b"the user's previous workbook"
    assert listing(scenario.parent) == ["mine.yaml", "out.xlsx"]


def test_a_workbook_without_its_break_even_is_refused_before_any_write(scenario, capsys):
    """`--no-breakeven --xlsx`: the workbook showed "never" for a volume it had not solved, and its Checks sheet was red
    (live break-even against the exported one) the moment it was written."""
    out = scenario.parent / "book.xlsx"
    code = main(["run", str(scenario), "--no-breakeven", "--xlsx", str(out)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT and "--no-breakeven: the workbook (--xlsx) needs the break-even volume" in err
    assert listing(scenario.parent) == ["mine.yaml"]


def test_mkdir_through_a_file_in_the_way_is_exit_3_not_a_traceback(scenario, capsys):
    blocker = scenario.parent / "reports"
    blocker.write_text("a file, not a folder")
    code = main(["export", str(scenario), "--xlsx", str(blocker / "q3" / "out.xlsx"), "--mkdir"])
    err = capsys.readouterr().err
    assert code == ExitCode.WRITE_FAILED
    assert "Traceback" not in err and "cannot write: Not a directory" in err
    assert blocker.read_text() == "a file, not a folder"


def test_run_with_one_file_for_the_table_and_the_workbook_is_refused_before_any_write(scenario, capsys):
    """`--output out.xlsx --xlsx out.xlsx` wrote the workbook, then the text table over it (the workbook pushed to a
    backup): the file named .xlsx was no workbook."""
    out = scenario.parent / "out.xlsx"
    out.write_bytes(b"the user's previous workbook")
    code = main(["run", str(scenario), "--no-breakeven", "--output", str(out), "--xlsx", str(scenario.parent / "." / "out.xlsx")])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert err.splitlines()[0] == f"--output: {out} is also the --xlsx workbook; the two outputs need two files"
    assert out.read_bytes() == b"the user's previous workbook"
    assert listing(scenario.parent) == ["mine.yaml", "out.xlsx"]


@pytest.mark.parametrize("fmt,output", [("focus", "mine.yaml"), ("parquet", None), ("json", "no-such-folder/out.json")])
def test_run_refuses_its_table_output_before_it_writes_the_workbook(scenario, capsys, fmt, output):
    """`tco run X.yaml --xlsx book.xlsx -o X.yaml` wrote (or replaced, moving the user's file to book.xlsx.bak) the
    workbook, then refused the table's output as an input of the command: exit 2 with a file changed. The same with
    `--format parquet` and no --output, and an output folder that does not exist (exit 3)."""
    book = scenario.parent / "book.xlsx"
    book.write_bytes(b"the user's previous workbook")
    args = ["run", str(scenario), "--xlsx", str(book), "--format", fmt]
    if output:
        args += ["--output", str(scenario.parent / output)]
    before = scenario.read_bytes()
    code = main(args)
    err = capsys.readouterr().err
    assert code == (ExitCode.WRITE_FAILED if "no-such-folder" in (output or "") else ExitCode.BAD_INPUT), err
    assert "wrote" not in err and "Traceback" not in err
    assert book.read_bytes() == b"the user's previous workbook" and scenario.read_bytes() == before
    assert listing(scenario.parent) == ["book.xlsx", "mine.yaml"]
