"""The bundled examples' workbooks and a two-scenario workbook compute what the engine computes (slow step).

The bundled examples are recomputed by LibreOffice (what finance may open them in; 4-33 s each); the two-scenario
workbook by the `formulas` package too (an independent evaluator in Python: minutes and gigabytes, so on shorter
horizons).

Why a module of their own: test_workbook.py puts its tests in the small workbook's xdist group, and a second
group mark would join the first into a third group, which xdist may run next to "whole-example-workbooks" on
the other worker. Here the `formulas` case carries that one group only, so one worker evaluates every whole
workbook in turn (each holds ~10 GB: pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tco.export.excel import export_workbook
from tco.run import example_files, run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from test_workbook import DATA, TODAY, check_against_engine  # noqa: E402
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, rows_past_the_longest_horizon, values_by_libreoffice  # noqa: E402


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
@pytest.mark.slow
@pytest.mark.parametrize("example", [p.stem for p in example_files()])
def test_bundled_example_workbook_recomputed_by_libreoffice_matches_engine(example, tmp_path):
    """Every horizon result, monthly cost and break-even cell of each bundled example, as LibreOffice computes
    them from the file's formulas alone (the `formulas` package took 27 minutes and 11-13 GB on the six,
    which left CI ten minutes of its ninety; it still evaluates the two-scenario and commitments workbooks)."""
    source = next(p for p in example_files() if p.stem == example)
    run = run_scenarios([source], today=TODAY)
    path = export_workbook(run, tmp_path / f"{example}.xlsx", month_rows=rows_past_the_longest_horizon(run))
    assert check_against_engine(run.results, path, values_by_libreoffice(path, tmp_path)) > 50


@pytest.mark.parametrize("evaluator", [
    pytest.param("libreoffice", marks=pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)),
    pytest.param("formulas", marks=pytest.mark.xdist_group("whole-example-workbooks")),  # one worker at a time: ~5 GB
])
@pytest.mark.slow
def test_two_scenarios_match_engine(tmp_path, evaluator):
    """Two scenarios in one workbook (each sheet's own horizon, months past the shorter one at zero; an overflow
    and a share hybrid; rented and purchased GPUs; break-even on one sheet, none on the other).

    LibreOffice computes the file's 24 and 36 months; the `formulas` package 8 and 12 (7.5 minutes and 4.8 GB; 22
    minutes and 9 GB at 24 and 36, and its time grows with the month rows)."""
    source = DATA / "two_scenarios.yaml"
    horizons = {"support-chat": 24, "agent-owned": 36}
    if evaluator == "formulas":
        horizons = {"support-chat": 8, "agent-owned": 12}
        text = source.read_text(encoding="utf-8")
        source = tmp_path / "two_short.yaml"
        source.write_text(text.replace("horizon_months: 24", "horizon_months: 8").replace("horizon_months: 36", "horizon_months: 12"),
                          encoding="utf-8")
    run = run_scenarios([source], today=TODAY)
    results = run.results
    assert {s.id: s.finance.horizon_months for s in results.scenarios} == horizons
    path = export_workbook(run, tmp_path / "two.xlsx", month_rows=rows_past_the_longest_horizon(run))
    values = values_by_libreoffice(path, tmp_path) if evaluator == "libreoffice" else None
    assert check_against_engine(results, path, values) > 200
