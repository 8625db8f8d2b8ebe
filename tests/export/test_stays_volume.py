"""The workbook shows the volume from which self-hosting stays no costlier as `tco run` does, in the Summary's table and
in its sentence, as exported and after LibreOffice recomputes the file (tests/engine/test_breakeven_volume.py works the
figures out by hand)."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "engine"))
sys.path.insert(0, str(Path(__file__).parent))
from test_breakeven_volume import FIRST, SCENARIO, STAYS  # noqa: E402
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, recalculated_by_libreoffice  # noqa: E402

from tco.engine.compare import recommendation  # noqa: E402
from tco.export.excel import export_workbook  # noqa: E402
from tco.run import run_scenarios  # noqa: E402
from small_workbook_settings import TODAY  # noqa: E402

HEADER = "stays no costlier from (requests/day)"


def summary_figures(book) -> tuple[float, float, str]:
    """(break-even, stays-from) of the option `own`, and the scenario's sentence, read off the Summary sheet."""
    sheet = book["Summary"]
    cells = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    header_row, stays_col = next(k for k, v in cells.items() if v == HEADER)
    volume_col = next(c for (r, c), v in cells.items() if r == header_row and v == "break-even requests/day")
    own_row = next(r for (r, c), v in cells.items() if c == 2 and v == "own" and r > header_row)
    sentence = next(v for (r, c), v in cells.items() if c == 8 and isinstance(v, str) and v.startswith("api (api)"))
    return cells[(own_row, volume_col)], cells[(own_row, stays_col)], sentence


def exported(tmp_path):
    path = tmp_path / "teeth.yaml"
    path.write_text(SCENARIO)
    run = run_scenarios([path], today=TODAY)
    expected = recommendation(run.results, "teeth")
    assert f"pays from {STAYS:,.0f}" in expected.replace("would pay", "pays")  # the hand figures' sentence
    return expected, export_workbook(run, tmp_path / "teeth.xlsx")


def check(book, expected: str) -> None:
    volume, stays, sentence = summary_figures(book)
    assert volume == pytest.approx(FIRST, rel=1e-6)
    assert stays == pytest.approx(STAYS, rel=1e-6)
    assert sentence == expected


def test_the_summary_shows_the_engines_figures_as_exported(tmp_path):
    expected, book_path = exported(tmp_path)
    check(openpyxl.load_workbook(book_path, data_only=True), expected)


@pytest.mark.slow  # LibreOffice's start and recomputation: about 4 s
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_recomputes_the_same_figures_and_sentence(tmp_path):
    expected, book_path = exported(tmp_path)
    check(openpyxl.load_workbook(recalculated_by_libreoffice(book_path, tmp_path), data_only=True), expected)
