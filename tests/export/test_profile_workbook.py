"""An hourly profile edited on the Inputs sheet: every fleet follows it, the fixed one too (its busiest hour is the
largest weight, a formula over the hours' cells), and the workbook agrees with `tco run --set workload.hourly_profile`."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, input_cells, recalculated_by_libreoffice  # noqa: E402
from small_workbook_settings import TODAY  # noqa: E402

from tco.export.excel import export_workbook  # noqa: E402
from tco.report.results import result_records  # noqa: E402
from tco.run import run_scenarios  # noqa: E402

SCENARIO = """\
schema_version: 1
scenarios:
  - id: day
    workload:
      requests_per_day: 400000
      input_tokens: 1000
      output_tokens: 100
      hourly_profile: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    finance: {horizon_months: 6, start_date: 2027-01-01}
    options:
      - {kind: api, id: api, provider: openai, model: gpt-4.1}
      - kind: self-hosted
        id: fixed
        model: llama-3.1-8b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: on-demand, gpu_usd_per_hour: 2}
      - {kind: hybrid, id: overflow, self_hosted: fixed, api: api, mode: overflow, overflow_replicas: 2}
"""
EDITED = [0.5] * 8 + [1.0] * 7 + [5.0] + [1.0] * 8  # hour 15 now five times the average: the fixed fleet must grow


def totals(book) -> dict[str, float]:
    sheet = book["Summary"]
    cells = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    header_row, total_col = next(k for k, v in cells.items() if v == "total cost")
    return {v: cells[(r, total_col)] for (r, c), v in cells.items() if c == 2 and r > header_row and (r, total_col) in cells}


@pytest.mark.slow  # LibreOffice's start and recomputation: about 5 s
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_an_edited_profile_moves_the_fixed_fleet_as_tco_run_does(tmp_path):
    path = tmp_path / "day.yaml"
    path.write_text(SCENARIO)
    mean = sum(EDITED) / len(EDITED)
    weights = [w / mean for w in EDITED]  # the sheet holds weights relative to the average hour
    expected = {r["option"]: r["total_cost_usd"] for r in result_records(run_scenarios(
        [path], today=TODAY, overrides=[f"workload.hourly_profile={EDITED!r}"]).results)}
    before = {r["option"]: r["total_cost_usd"] for r in result_records(run_scenarios([path], today=TODAY).results)}
    assert expected["fixed"] > before["fixed"]  # the edit matters to the fixed fleet (else this proves nothing)
    book_path = export_workbook(run_scenarios([path], today=TODAY), tmp_path / "day.xlsx")
    book = openpyxl.load_workbook(book_path)
    cells = input_cells(book_path)
    for hour, weight in enumerate(weights):
        book["Inputs"][cells[("day", "(all options)", f"profile_h{hour:02d}")]] = weight
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    recomputed = totals(openpyxl.load_workbook(recalculated_by_libreoffice(changed, tmp_path), data_only=True))
    for option, total in expected.items():
        assert recomputed[option] == pytest.approx(total, rel=1e-9), option
