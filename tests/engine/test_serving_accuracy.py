"""Issue 16 acceptance: the model alone on both calibration sources, re-scored with the shipped constants.

docs/throughput.md quotes the figures in a generated table (`python -m tco.bench.serving_accuracy_doc
docs/throughput.md`); this test recomputes them, so the doc cannot drift from the model. The issue's targets
are checked separately and marked as not yet met (strict xfail: the test fails the day they are met, so the
mark must then be removed).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tco.bench.accuracy import accuracy_rows
from tco.load.hardware import load_hardware

DOC = Path(__file__).resolve().parents[2] / "docs" / "throughput.md"


@pytest.fixture(scope="module")
def rows():
    return accuracy_rows(load_hardware())


def _documented() -> dict[tuple[str, str], tuple[int, float, float]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- BEGIN serving accuracy", 1)[1].split("<!-- END serving accuracy", 1)[0]
    out = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"\d+", cells[2]):
            out[(cells[0], cells[1])] = (int(cells[2]), float(cells[3]), float(cells[4]))
    return out


def test_the_documented_figures_are_what_the_model_gives(rows):
    documented = _documented()
    assert len(documented) >= 20
    computed = {(r["group"], r["key"]): (r["rows"], r["median_abs_pct_error"], r["p90_abs_pct_error"]) for r in rows}
    for key, (n, median, p90) in documented.items():
        assert computed[key][0] == n, key
        assert computed[key][1] == pytest.approx(median, abs=0.006), key
        assert computed[key][2] == pytest.approx(p90, abs=0.006), key


def _figure(rows, group, key="overall"):
    return next(r for r in rows if r["group"] == group and r["key"] == key)


@pytest.mark.xfail(strict=True, reason="issue 16 targets not met yet: see docs/throughput.md, 'Where it stands'")
def test_issue_16_targets_on_all_calibration_rows(rows):
    throughput, tpot, ttft = (_figure(rows, g) for g in ("model (all rows)", "tpot (all rows)", "ttft (all rows)"))
    assert throughput["median_abs_pct_error"] <= 10 and throughput["p90_abs_pct_error"] <= 25
    assert tpot["median_abs_pct_error"] <= 10
    assert ttft["median_abs_pct_error"] <= 25
