"""Issue 21 item 3: a reserved base with on-demand bursts, worked by hand on a two-level daily profile.

Billing: the base is a committed term, paid whether used or not (BILLING.md 1.8 / 2); bursts are
on-demand instances billed by the hour they run (EC2 per second, BILLING.md 2; taken per hour of the
24-hour profile). A month is 730 hours: each hour of the profile stands for 730 / 24 = 30.4167 hours.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import evaluate, row  # noqa: E402

from tco.engine.rows import _auto_base  # noqa: E402

# Two levels: 12 hours at half the average, 12 at 1.5 x. 4 completions/s on average: 2/s at night
# (2 replicas of 1 GPU, each serving 1/s) and 6/s by day (6 replicas).
TWO_LEVELS = {**{f"profile_h{h:02d}": 0.5 for h in range(12)}, **{f"profile_h{h:02d}": 1.5 for h in range(12, 24)}}
MIXED = {
    "requests_per_day": 4 * 86_400.0, "api_share_fixed": 0.0, "has_self_hosted": 1.0, **TWO_LEVELS, "peak_to_average": 1.5,
    "replica_generations_per_s": 1.0, "max_utilization": 1.0, "gpus_per_replica": 1.0,
    "is_reserved": 1.0, "is_mixed": 1.0, "term_months": 1.0, "upfront_share": 0.0, "horizon_months": 1.0,
    "gpu_usd_per_hour": 1.0,            # the base, reserved
    "burst_gpu_usd_per_hour": 1.5,      # the bursts, on demand
}


def month_value(results, option: str, name: str) -> float:
    r = results.options.filter(pl.col("option") == option)["row"][0]
    return results.monthly.filter(pl.col("row") == r)[name][0]


def test_bursts_serve_the_hours_above_the_base():
    # Base 2 replicas: 2 GPUs x 730 h x 1 $ = 1,460 $. Bursts: 4 replicas for the 12 day hours =
    # 4 x 365 h = 1,460 GPU-hours x 1.5 $ = 2,190 $. Base busy all day (2/s on 2 replicas): utilization 1;
    # bursts busy whenever they run: 1.
    r = evaluate(("two", "self-hosted", {**MIXED, "base_replicas": 2.0}))
    assert month_value(r, "two", "reserved_usd") == pytest.approx(1_460)
    assert month_value(r, "two", "base_gpu_hours") == pytest.approx(1_460)
    assert month_value(r, "two", "burst_gpu_hours") == pytest.approx(1_460)
    assert month_value(r, "two", "burst_usd") == pytest.approx(2_190)
    assert month_value(r, "two", "gpu_rental_usd") == 0
    assert month_value(r, "two", "base_utilization") == pytest.approx(1)
    assert month_value(r, "two", "burst_utilization") == pytest.approx(1)


def test_a_base_sized_for_the_peak_idles_at_night():
    # Base 6: 6 x 730 = 4,380 $, no bursts; busy 2/6 of the night and all day: (12 x 2 + 12 x 6) / (6 x 24) = 2/3.
    r = evaluate(("six", "self-hosted", {**MIXED, "base_replicas": 6.0}))
    assert month_value(r, "six", "reserved_usd") == pytest.approx(4_380)
    assert month_value(r, "six", "burst_usd") == 0
    assert month_value(r, "six", "base_utilization") == pytest.approx(2 / 3)


def test_auto_reserves_the_replicas_busy_more_often_than_the_price_ratio():
    # A reserved replica costs 730 $ a month; a burst replica 1.5 $ for each hour it runs. The first 2
    # replicas run 24 h a day (730 h -> 1,095 $ as bursts): reserve them. Replicas 3-6 run 12 h a day
    # (365 h -> 547.5 $ as bursts, < 730 $): burst them. Totals by hand:
    # B=0: 8 x 365 x 1.5 = 4,380; B=2: 1,460 + 4 x 365 x 1.5 = 3,650; B=3: 2,190 + 1,642.5 = 3,832.5; B=6: 4,380.
    r = row(0, "auto", "self-hosted", {**MIXED, "base_replicas": 0.0})
    _auto_base(r)
    assert r.values["base_replicas"] == 2
    cheaper = row(0, "auto", "self-hosted", {**MIXED, "base_replicas": 0.0, "burst_gpu_usd_per_hour": 2.5})
    # at 2.5 $ an hour, a replica running 365 h costs 912.5 $ as bursts > 730 $: reserve all 6
    _auto_base(cheaper)
    assert cheaper.values["base_replicas"] == 6


def test_the_results_summary_carries_the_base_and_burst_figures_of_a_mixed_fleet_only():
    # Base 3 on the two-level day (2/s at night, 6/s by day, 1 completion/s per replica), one month:
    # base 3 GPUs x 730 h = 2,190 GPU-hours, busy 12 x 2 + 12 x 3 = 60 of 3 x 24 = 72 replica-hours: 5/6.
    # Bursts: 3 replicas for the 12 day hours = 3 x 365 = 1,095 GPU-hours, busy all the time they run: 1.
    from tco.report.results import result_records

    r = evaluate(("three", "self-hosted", {**MIXED, "base_replicas": 3.0}), ("api", "api", {}))
    by_option = {rec["option"]: rec for rec in result_records(r)}
    mixed = by_option["three"]
    assert mixed["base_replicas"] == 3
    assert mixed["base_gpu_hours"] == pytest.approx(2_190)
    assert mixed["burst_gpu_hours"] == pytest.approx(1_095)
    assert mixed["base_utilization"] == pytest.approx(5 / 6)
    assert mixed["burst_utilization"] == pytest.approx(1)
    assert [by_option["api"][k] for k in ("base_replicas", "base_gpu_hours", "burst_gpu_hours", "base_utilization",
                                          "burst_utilization")] == [None] * 5


def test_the_gpus_paid_for_are_the_base_and_the_bursts_not_the_peak_fleet():
    # Base 3 on the two-level day: 3 GPUs all month (2,190 GPU-hours) and 3 burst GPUs for the 12 day hours
    # (3 x 365 = 1,095 GPU-hours): 3,285 GPU-hours paid = 4.5 GPUs on average, not the 6 of the busiest hour the
    # static fleet would hold. Every GPU paid holds a replica (the base's 3 all day, the bursts while rented: 3 x 24
    # + 3 x 12 = 108 replica-hours a day x 730 / 24 = 3,285), so none is idle; the base's third replica, idle at
    # night, shows in the utilization: 4/s x 730 h x 1 GPU / (3,285 GPU-hours x 1/s) = 0.8889.
    r = evaluate(("three", "self-hosted", {**MIXED, "base_replicas": 3.0}))
    assert month_value(r, "three", "gpus_in_month") == pytest.approx(3_285 / 730)
    assert month_value(r, "three", "idle_gpus_in_month") == pytest.approx(0)
    assert month_value(r, "three", "utilization") == pytest.approx(4 * 730 / 3_285)
    assert month_value(r, "three", "gpus_busiest_hour") == pytest.approx(6)
