"""Fixtures shared by the workbook tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tco.export.excel import export_workbook
from tco.run import run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
import small_workbook_settings as small  # noqa: E402
from workbook_reader import LoadedWorkbook  # noqa: E402


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    """small.yaml run and exported once per worker: (the run, the file). For the tests that read the file or hand it
    to LibreOffice, which need not wait for the `formulas` evaluator to read it."""
    run = run_scenarios([small.SMALL], today=small.TODAY)
    return run, export_workbook(run, tmp_path_factory.mktemp("small-workbook") / "small.xlsx", month_rows=small.MONTH_ROWS)


@pytest.fixture(scope="session")
def small_workbook(small_export):
    """The same, read by the `formulas` evaluator once per worker (about 30 s of the tests' time): (the run, the file,
    the loaded workbook). Tests using it join the xdist group `small_workbook_settings.GROUP`."""
    run, path = small_export
    return run, path, LoadedWorkbook(path)
