"""`tco validate`: its help states the exit codes it really gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import ExitCode

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def _help(capsys) -> str:
    assert main(["validate", "--help"]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_the_help_names_every_exit_code_validate_gives(capsys):
    """It said "Exit 2 if anything is wrong" while a configuration that cannot run exits 4."""
    text = _help(capsys)
    assert (f"Exit {ExitCode.OK:d} when every file is valid (warnings alone do not fail), {ExitCode.CANNOT_RUN:d} when every "
            f"problem is a configuration that cannot run (e.g. weights larger than GPU memory), else {ExitCode.BAD_INPUT:d}.") in text


@pytest.mark.parametrize(("file", "code"), [("scenario/valid.yaml", ExitCode.OK), ("scenario/negative.yaml", ExitCode.BAD_INPUT),
                                            ("scenario/too_large_for_gpus.yaml", ExitCode.CANNOT_RUN)])
def test_validate_exits_with_the_code_its_help_gives(capsys, monkeypatch, file, code):
    monkeypatch.chdir(BAD)
    assert main(["validate", file]) == code
    capsys.readouterr()
