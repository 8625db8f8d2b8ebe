"""A --pricing-dir or --hardware-dir the user cannot read, and entries in it that are no file, are said, not skipped.

Why: an unreadable pricing folder raised PermissionError (a traceback), an unreadable hardware folder was read as
empty, and a broken link or a folder named `acme.yaml` among the price sheets was skipped without a word: each time
the run priced options from the bundled data while the user believed their own was used.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import TcoUserError
from tco.load import hardware as hardware_loader
from tco.load import pricing as pricing_loader
from tco.load.pricing import load_provider, pricing_dirs

SHEET = """schema_version: 1
id: acme
name: Acme AI
source: "https://acme.example/pricing"
as_of: "2026-11-01"
models:
  - id: acme-large
    prices:
      - input_usd_per_million_tokens: 1.5
"""


def _unreadable(folder: Path, monkeypatch, module) -> None:
    """Make `folder` unlistable: chmod 000 where that binds (not root), else the listing call fails as it would."""
    folder.chmod(0)
    if os.geteuid() != 0:
        return
    real_scandir = os.scandir

    def refuse(path=".", *args):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(module.os, "scandir", refuse)


@pytest.fixture
def restore(tmp_path):
    yield
    for p in tmp_path.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o700)


def test_an_unreadable_pricing_folder_is_a_located_error_with_exit_2(tmp_path, monkeypatch, capsys, restore):
    folder = tmp_path / "pr"
    folder.mkdir()
    (folder / "acme.yaml").write_text(SHEET)
    _unreadable(folder, monkeypatch, pricing_loader)
    with pytest.raises(TcoUserError) as caught:
        pricing_dirs([folder])
    [problem] = caught.value.problems
    assert problem.file == str(folder) and problem.message == "cannot read the folder: Permission denied"
    assert main(["pricing", "list", "--pricing-dir", str(folder), "--provider", "acme"]) == 2
    err = capsys.readouterr().err
    assert f"{folder}: cannot read the folder" in err and "Traceback" not in err


@pytest.mark.parametrize("make, says", [
    (lambda p: p.symlink_to(p.parent / "gone.yaml"), "no such file"),
    (lambda p: p.mkdir(), "is a folder, not a file"),
])
def test_a_price_sheet_that_is_no_file_is_said_not_skipped(tmp_path, make, says):
    user, other = tmp_path / "user", tmp_path / "other"
    user.mkdir(), other.mkdir()
    (other / "acme.yaml").write_text(SHEET)
    make(user / "acme.yaml")
    with pytest.raises(TcoUserError) as caught:
        load_provider("acme", [user, other])  # `other` stands for the bundled folder it would fall back on
    [problem] = caught.value.problems
    assert (problem.file, problem.message) == (str(user / "acme.yaml"), says)


def test_an_unreadable_hardware_folder_is_a_located_error(tmp_path, monkeypatch, restore):
    folder = tmp_path / "hw"
    (folder / "sub").mkdir(parents=True)
    _unreadable(folder / "sub", monkeypatch, hardware_loader)
    problems = hardware_loader.unreadable_folders(folder)
    assert [(p.file, p.message) for p in problems] == [(str(folder / "sub"), "cannot read the folder: Permission denied")]


def test_load_hardware_reports_an_unreadable_user_folder(tmp_path, monkeypatch, restore):
    base, folder = tmp_path / "base", tmp_path / "hw"
    base.mkdir(), folder.mkdir()
    _unreadable(folder, monkeypatch, hardware_loader)
    with pytest.raises(TcoUserError) as caught:
        hardware_loader.load_hardware(base, extra_dirs=[folder])  # an empty base stands for the bundled folder
    assert [(p.file, p.message) for p in caught.value.problems] == [(str(folder), "cannot read the folder: Permission denied")]
