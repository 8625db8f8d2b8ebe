"""A backtest pays a GPU offer's price up to the offer's date; the expected GPU price change counts after it.

Convention: the API side's documented rule (tco.engine.formulas.api_price_decline_factor, README "API prices"):
"A backtest's earlier months pay the recorded prices only, never a guessed decline". The months of the horizon
that start on or before the price's as_of date are known months (`_months_known`); month m pays
price x (1 + gpu_price_change_per_year)^(max(m - 1 - known, 0) / 12), so the first month after the known ones
pays the offer's price and the change accrues month by month from there (the API test
`test_prices_follow_the_recorded_history_month_by_month_and_the_decline_starts_after_the_sheets_date`: December
after two known months pays 0.8^0, January 0.8^(1/12)). A scenario starting after the offer's date is unchanged:
month m pays price x (1 + change)^((m - 1) / 12). A month is 730 hours.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import RENTED, evaluate  # noqa: E402
from test_mixed_fleet import MIXED  # noqa: E402

from tco.cli import main

HOURS = 730.0

# hyperstack:n3-H100x1 (hardware/offers/hyperstack.yaml): one H100 PCIe, $2.50 per GPU-hour on demand, as_of 2026-08-26
RENTED_FROM_AN_OFFER = """\
schema_version: 1
scenarios:
  - id: gpu
    workload: {{requests_per_day: 86400, input_tokens: 100, output_tokens: 100}}
    finance: {{horizon_months: 12, start_date: {start}, gpu_price_change_per_year: -0.15, discount_rate_per_year: 0.0}}
    options:
      - kind: self-hosted
        id: rented
        model: llama-3.3-70b
        gpu: h100-pcie
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {{mode: on-demand, offer: "hyperstack:n3-H100x1"}}
        operations: {{staff_fte: 0, setup_usd: 0, software_usd_per_gpu_month: 0}}
"""


def run_rented(tmp_path, capsys, start: str) -> dict:
    path = tmp_path / "gpu.yaml"
    path.write_text(RENTED_FROM_AN_OFFER.format(start=start), encoding="utf-8")
    code = main(["run", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [record] = json.loads(captured.out)
    return record


def test_a_backtest_rents_at_the_offers_price_until_its_date_and_the_change_counts_after(tmp_path, capsys):
    # 86,400 requests a day = 1 completion/s; a replica serves 1000 / 100 = 10/s: one 1-GPU replica all year.
    # One GPU-month = 730 h x $2.50 = $1,825. Start 2026-01-01: months 1-8 (January..August) start on or before the
    # offer's 2026-08-26, so known = 8. Month m pays 1,825 x 0.85^(max(m - 9, 0) / 12):
    #   months 1-9: 1,825 each                                    = 16,425.000
    #   month 10: 1,825 x 0.85^(1/12) = 1,825 x 0.986548          =  1,800.450
    #   month 11: 1,825 x 0.85^(2/12) = 1,825 x 0.973277          =  1,776.231
    #   month 12: 1,825 x 0.85^(3/12) = 1,825 x 0.960185          =  1,752.337
    #   year                                                      = 21,754.018
    # Before (the change from month 1 whatever the offer's date): 1,825 x sum of 0.85^(k/12), k = 0..11 = 20,350.21,
    # and August, the month the offer's $2.50 was observed in, paid 1,825 x 0.85^(7/12) = 1,659.93.
    record = run_rented(tmp_path, capsys, "2026-01-01")
    expected = [1_825.0] * 9 + [1_825.0 * 0.85 ** (k / 12) for k in (1, 2, 3)]
    assert expected[9:] == pytest.approx([1_800.450, 1_776.231, 1_752.337], abs=1e-3)
    assert record["monthly_cost_usd"] == pytest.approx(expected, rel=1e-12)
    assert record["total_cost_usd"] == pytest.approx(21_754.018, abs=1e-3)
    assert "GPU price history: months 1-8 start on or before the offer's as_of (2026-08-26)" in record["notes"]


def test_a_scenario_starting_after_the_offers_date_changes_the_price_from_month_1(tmp_path, capsys):
    # Start 2026-09-01, after 2026-08-26: no known month; month m pays 1,825 x 0.85^((m - 1) / 12), as before.
    record = run_rented(tmp_path, capsys, "2026-09-01")
    assert record["monthly_cost_usd"] == pytest.approx([1_825.0 * 0.85 ** ((m - 1) / 12) for m in range(1, 13)], rel=1e-12)
    assert "GPU price history" not in record["notes"]


def month_value(results, option: str, name: str, month: int) -> float:
    row = results.options.filter(pl.col("option") == option)["row"][0]
    return results.monthly.filter((pl.col("row") == row) & (pl.col("month") == month))[name][0]


# RENTED (rows_by_hand): 6 replicas x 2 GPUs = 12 GPUs, one per instance here. With a price history of 5 known months
# and -20 % a year, the price in month m is 0.8^(max(m - 6, 0) / 12) of the offer's.
BACKTEST = {"gpu_price_change_per_year": -0.2, "has_gpu_price_history": 1.0, "gpu_price_known_months": 5.0,
            "gpus_per_instance": 1.0, "horizon_months": 24.0}


def test_a_reserved_term_signed_in_the_known_months_is_renewed_at_the_price_changed_since_the_offers_date():
    # 12 GPUs reserved for 12-month terms, nothing upfront: 12 x 730 h x $2.50 = $21,900 a month (BILLING.md 1.8: a
    # term is owed whole, spread over its months). First term signed in month 1 (known: factor 1); renewed in month
    # 13 at 0.8^((13 - 1 - 5) / 12) = 0.8^(7/12) = 0.877949: 21,900 x 0.877949 = 19,227.08 a month in months 13-24
    # (before: a full year's change, 21,900 x 0.8 = 17,520).
    reserved = {**RENTED, **BACKTEST, "spot_interruption_overhead": 0.0, "is_reserved": 1.0, "term_months": 12.0,
                "upfront_share": 0.0}
    r = evaluate(("reserved", "self-hosted", reserved))
    assert month_value(r, "reserved", "reserved_usd", 1) == pytest.approx(21_900)
    assert month_value(r, "reserved", "reserved_usd", 12) == pytest.approx(21_900)
    assert 21_900 * 0.8 ** (7 / 12) == pytest.approx(19_227.08, abs=0.01)
    assert month_value(r, "reserved", "reserved_usd", 13) == pytest.approx(21_900 * 0.8 ** (7 / 12))
    assert month_value(r, "reserved", "reserved_usd", 24) == pytest.approx(21_900 * 0.8 ** (7 / 12))
    assert month_value(r, "reserved", "reserved_signed_usd", 13) == pytest.approx(21_900 * 12 * 0.8 ** (7 / 12))


def test_a_gpu_bought_in_the_known_months_is_replaced_at_the_price_changed_since_the_offers_date():
    # 12 GPUs bought in month 1 at $30,000 = $360,000 (known month: factor 1), depreciated over 12 months to 20 %
    # (IAS 16: straight line to the residual value), sold at $72,000 and replaced in month 13 at
    # 0.8^((13 - 1 - 5) / 12) = 0.8^(7/12): 360,000 x 0.877949 = 316,061.5 (before: 360,000 x 0.8 = 288,000).
    # Depreciation from month 13: 316,061.5 x 0.8 / 12 = 21,070.77 a month.
    purchased = {**RENTED, **BACKTEST, "spot_interruption_overhead": 0.0, "gpu_usd_per_hour": 0.0, "is_purchased": 1.0,
                 "purchase_usd_per_gpu": 30_000.0, "depreciation_years": 1.0, "residual_value_share": 0.2}
    r = evaluate(("bought", "self-hosted", purchased))
    assert month_value(r, "bought", "gpu_capex_usd", 1) == pytest.approx(360_000)
    assert month_value(r, "bought", "gpu_capex_usd", 13) == pytest.approx(360_000 * 0.8 ** (7 / 12))
    assert month_value(r, "bought", "gpu_resale_usd", 13) == pytest.approx(72_000)
    assert month_value(r, "bought", "depreciation_usd", 13) == pytest.approx(360_000 * 0.8 ** (7 / 12) * 0.8 / 12)
    assert 360_000 * 0.8 ** (7 / 12) * 0.8 / 12 == pytest.approx(21_070.77, abs=0.01)


def test_a_mixed_fleets_base_and_bursts_each_count_the_change_from_their_own_offers_date():
    # test_mixed_fleet's MIXED: a base of 2 replicas, $1,460 a month (1-month terms, renewed every month), bursts of
    # 1,460 GPU-hours at $1.50 = $2,190 a month. The base's committed offer is known for 3 months, the bursts' offer
    # for 1. With -20 % a year, month 5 pays: base 1,460 x 0.8^((5 - 1 - 3) / 12) = 1,460 x 0.8^(1/12) = 1,433.10,
    # bursts 2,190 x 0.8^((5 - 1 - 1) / 12) = 2,190 x 0.8^(3/12) = 2,071.17 (before: both 0.8^(4/12)).
    mixed = {**MIXED, "base_replicas": 2.0, "horizon_months": 5.0, "gpu_price_change_per_year": -0.2,
             "has_gpu_price_history": 1.0, "gpu_price_known_months": 3.0, "burst_gpu_price_known_months": 1.0}
    r = evaluate(("mixed", "self-hosted", mixed))
    assert [month_value(r, "mixed", "reserved_usd", m) for m in (1, 4, 5)] == pytest.approx([1_460, 1_460, 1_460 * 0.8 ** (1 / 12)])
    assert [month_value(r, "mixed", "burst_usd", m) for m in (1, 2, 5)] == pytest.approx([2_190, 2_190, 2_190 * 0.8 ** (3 / 12)])
    assert (1_460 * 0.8 ** (1 / 12), 2_190 * 0.8 ** (3 / 12)) == pytest.approx((1_433.10, 2_071.17), abs=0.01)


MIXED_FROM_OFFERS = """\
schema_version: 1
scenarios:
  - id: gpu
    workload:
      requests_per_day: 86400
      input_tokens: 100
      output_tokens: 100
      hourly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    finance: {{horizon_months: 12, start_date: {start}, gpu_price_change_per_year: -0.15}}
    options:
      - kind: self-hosted
        id: mixed
        model: llama-3.3-70b
        gpu: a100-40gb
        gpus_per_replica: 1
        replica_output_tokens_per_s: 100
        payment:
          mode: mixed
          base: {{offer: "gcp:a2-highgpu-1g:us-central1:1y", replicas: 1}}
          burst: {{offer: "gcp:a2-highgpu-1g"}}
      - kind: self-hosted
        id: typed
        model: llama-3.3-70b
        gpu: a100-40gb
        gpus_per_replica: 1
        replica_output_tokens_per_s: 100
        payment: {{mode: on-demand, offer: "gcp:a2-highgpu-1g", gpu_usd_per_hour: 2.0}}
      - kind: self-hosted
        id: bought
        model: llama-3.3-70b
        gpu: a100-40gb
        gpus_per_replica: 1
        replica_output_tokens_per_s: 100
        payment: {{mode: purchased, offer: "gcp:a2-highgpu-1g", purchase_usd_per_gpu: 15000}}
"""


@pytest.mark.parametrize("start, base_known, burst_known", [("2026-01-01", 7, 1), ("2026-12-01", 0, 0)])
def test_each_gpu_price_takes_its_own_offers_date_and_a_typed_price_has_none(tmp_path, start, base_known, burst_known):
    # The base's committed offer gcp:a2-highgpu-1g:us-central1:1y is dated 2026-07-30: from 2026-01-01, January..July
    # start on or before it (7 months). The bursts' on-demand offer gcp:a2-highgpu-1g is dated `2026`, read as its
    # first day 2026-01-01 (as a price sheet's date): January only. A price typed in the scenario (gpu_usd_per_hour,
    # and a purchase price, always typed) has no date: 0, as is every price of a scenario starting after the dates.
    from tco.engine.rows import build_rows
    from tco.load.catalog import load_catalog
    from tco.load.scenarios import load_scenario_files

    path = tmp_path / "mixed.yaml"
    path.write_text(MIXED_FROM_OFFERS.format(start=start), encoding="utf-8")
    loaded = load_scenario_files([path])
    rows, problems = build_rows(loaded.scenarios, load_catalog(), dt.date(2026, 12, 7))
    assert not problems
    by_id = {r.option_id: r for r in rows}
    mixed = by_id["mixed"]
    assert (mixed.values["gpu_price_known_months"], mixed.values["burst_gpu_price_known_months"]) == (base_known, burst_known)
    assert mixed.values["has_gpu_price_history"] == (1.0 if base_known else 0.0)
    for other in ("typed", "bought"):
        assert by_id[other].values["gpu_price_known_months"] == 0 and by_id[other].values["has_gpu_price_history"] == 0
    notes = " | ".join(mixed.notes)
    if base_known:
        assert mixed.provenance["gpu_price_known_months"].as_of == "2026-07-30"
        assert mixed.provenance["burst_gpu_price_known_months"].as_of == "2026"
        assert "months 1-7 start on or before the offer's as_of (2026-07-30)" in notes
        assert "month 1 starts on or before the burst offer's as_of (2026)" in notes
    else:
        assert "GPU price history" not in notes
