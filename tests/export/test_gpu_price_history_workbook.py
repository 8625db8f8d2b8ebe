"""A backtest's GPU price history in the workbook: the known months are inputs with the offer's source and date,
and the price factors read them (the same formulas as the engine: tco.engine.formulas.gpu_price_factor).

Convention (tests/engine/test_gpu_price_history.py): months of the horizon that start on or before a GPU offer's
as_of date pay its price; gpu_price_change_per_year counts from the month after, as the API's decline does.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import openpyxl
import pytest

from tco.export.excel import export_workbook
from tco.run import run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, calc_layout, input_cells, values_by_libreoffice  # noqa: E402

TODAY = dt.date(2026, 12, 7)
OPTIONS = {
    # hyperstack:n3-H100x1: $2.50 per GPU-hour on demand, as_of 2026-08-26 -> January..August known (8 months)
    "rented": """{kind: self-hosted, id: rented, model: llama-3.3-70b, gpu: h100-pcie, gpus_per_replica: 1,
                  replica_output_tokens_per_s: 1000, payment: {mode: on-demand, offer: "hyperstack:n3-H100x1"}}""",
    # gcp:a2-highgpu-1g:us-central1:1y, as_of 2026-07-30 -> 7 months; its 12-month terms renew in month 13
    "reserved": """{kind: self-hosted, id: reserved, model: llama-3.3-70b, gpu: a100-40gb, gpus_per_replica: 1,
                    replica_output_tokens_per_s: 100, payment: {mode: reserved, offer: "gcp:a2-highgpu-1g:us-central1:1y"}}""",
    # the same committed base (7 months) with bursts from gcp:a2-highgpu-1g, as_of `2026` -> January only
    "mixed": """{kind: self-hosted, id: mixed, model: llama-3.3-70b, gpu: a100-40gb, gpus_per_replica: 1,
                 replica_output_tokens_per_s: 100, payment: {mode: mixed, base: {offer: "gcp:a2-highgpu-1g:us-central1:1y",
                 replicas: 1}, burst: {offer: "gcp:a2-highgpu-1g"}}}""",
}


def backtest(tmp_path: Path, options: list[str], horizon: int) -> Path:
    path = tmp_path / "backtest.yaml"
    listed = "\n".join(f"      - {' '.join(OPTIONS[o].split())}" for o in options)
    path.write_text(f"""\
schema_version: 1
scenarios:
  - id: backtest
    workload:
      requests_per_day: 86400
      monthly_growth: 0.05
      input_tokens: 100
      output_tokens: 100
      hourly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    finance: {{horizon_months: {horizon}, start_date: 2026-01-01, gpu_price_change_per_year: -0.15, discount_rate_per_year: 0.08}}
    options:
{listed}
""", encoding="utf-8")
    return path


def test_the_known_months_are_an_input_with_the_offers_date_and_the_price_factor_reads_them(tmp_path):
    run = run_scenarios([backtest(tmp_path, ["rented"], 3)], today=TODAY, with_breakeven=False)
    path = export_workbook(run, tmp_path / "backtest.xlsx", month_rows=3)
    book = openpyxl.load_workbook(path)
    cell = input_cells(path)[("backtest", "rented", "gpu_price_known_months")]
    inputs = book["Inputs"]
    row = inputs[int(cell[1:])]
    assert inputs[cell].value == 8
    assert "2026-08-26" in " ".join(str(c.value) for c in row[7:9])  # the offer's source and date
    layout = calc_layout(path, "Calc backtest")
    factor = book["Calc backtest"][f"{layout.blocks['rented']['gpu_price_factor']}{layout.month_rows[0]}"].value
    assert "MAX(" in factor and "gpu_price_known_months__backtest__rented" in factor
    assert "has_gpu_price_history__backtest__rented" in factor


@pytest.mark.slow  # LibreOffice's start and recomputation: about 5 s
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_recomputes_the_engines_totals_of_a_backtest(tmp_path):
    """A rented fleet, reserved terms renewed after the known months, and a mixed fleet whose base and bursts have
    offers of different dates, growing so that GPUs are added inside and after the known months."""
    run = run_scenarios([backtest(tmp_path, list(OPTIONS), 14)], today=TODAY, with_breakeven=False)
    path = export_workbook(run, tmp_path / "backtest.xlsx", month_rows=15)
    values = values_by_libreoffice(path, tmp_path)
    layout = calc_layout(path, "Calc backtest")
    records = list(run.results.options.iter_rows(named=True))
    assert {r["option"] for r in records} == set(OPTIONS)
    for rec in records:
        assert "GPU price history" in rec["notes"], rec["option"]
        for name in ("total_cost_usd", "npv_usd"):
            got = values[("CALC BACKTEST", layout.results[(rec["option"], name)])]
            assert math.isclose(got, rec[name], rel_tol=1e-9), (rec["option"], name, got, rec[name])
