"""The workbook's break-even check of a mixed fleet with `replicas: auto` uses the base break-even chose there.

Why: break-even chooses an `auto` base again at each volume (tco.engine.base_size); the check block
that recomputes the months at the break-even volume must take that base, or the two totals would not
meet. Evaluated by the `formulas` package (slow step).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from tco.export.excel import export_workbook
from tco.run import run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from test_workbook import check_against_engine  # noqa: E402

COMMIT = Path(__file__).parents[1] / "data" / "commitments_small.yaml"


@pytest.mark.xdist_group("whole-example-workbooks")  # one worker at a time: ~10 GB each (pyproject.toml)
@pytest.mark.slow
def test_the_break_even_check_recomputes_the_months_with_the_base_chosen_at_that_volume(tmp_path):
    # at 20 million requests a day `auto` reserves 9 replicas; at the break-even volume (~8,000 a day) 1
    run = run_scenarios([COMMIT], today=dt.date(2026, 11, 27), overrides=["workload.requests_per_day=20000000"])
    row = run.results.row("commit", "base-bursts")
    be = run.results.breakevens[row.row]
    assert (row.values["base_replicas"], be.base_replicas) == (9.0, 1)
    path = export_workbook(run, tmp_path / "commit.xlsx", month_rows=14)
    assert check_against_engine(run.results, path) > 0
