"""`tco.cli.main`: how a failure becomes an exit code and a message (README: 1 bug, 2 bad input, 3 could not write output)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tco" / "examples" / "customer-support.yaml"
FULL = Path("/dev/full")

needs_dev_full = pytest.mark.skipif(not FULL.is_char_device(), reason="needs the /dev/full device")


class _Refusing:
    """A standard output that refuses every write with `error`, as a full disk or a closed pipe does."""

    def __init__(self, error: OSError):
        self.error = error

    def write(self, text):
        raise self.error

    def flush(self):
        raise self.error


@needs_dev_full
@pytest.mark.parametrize("argv", [
    ["run", "--no-breakeven", str(EXAMPLE)],
    ["breakeven", str(EXAMPLE), "--format", "csv"],
    ["sweep", str(EXAMPLE), "--vary", "workload.requests_per_day=1000,2000"],
    ["hardware", "list"],
], ids=["run", "breakeven", "sweep", "hardware-list"])
def test_a_full_disk_on_stdout_is_exit_3_with_one_line_and_no_traceback(argv, capsys, monkeypatch):
    with open(FULL, "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        code = main(argv)
    err = capsys.readouterr().err
    assert code == ExitCode.WRITE_FAILED
    assert err == "tco: could not write output: [Errno 28] No space left on device\n"


@needs_dev_full
@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_short_output_to_a_full_disk_is_not_lost_silently_at_exit(buffered):
    """A block-buffered stdout used to fail only in the interpreter's flush at exit: exit 0, nothing said."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"PYTHONPATH": str(ROOT)}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open(FULL, "wb") as full:
        done = subprocess.run([sys.executable, "-m", "tco", "hardware", "list", "--format", "csv"], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert done.returncode == ExitCode.WRITE_FAILED, done.stderr
    assert done.stderr == "tco: could not write output: [Errno 28] No space left on device\n"


def test_a_closed_pipe_is_still_a_quiet_exit_0(capsys, monkeypatch):
    """`tco hardware list | head -1`: the reader has what it wanted."""
    monkeypatch.setattr(sys, "stdout", _Refusing(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert main(["hardware", "list"]) == 0
    assert capsys.readouterr().err == ""


def test_stdout_is_given_back_after_the_command(capsys):
    before = sys.stdout
    assert main(["hardware", "list", "--format", "csv"]) == 0
    assert sys.stdout is before and capsys.readouterr().out.startswith("id,")
