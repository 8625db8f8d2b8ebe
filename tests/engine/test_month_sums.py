"""Sums over the horizon in closed form (tco.engine.month_sums) against adding the months up."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import values  # noqa: E402

from tco.engine import formulas as F
from tco.engine import evaluate
from tco.engine.evaluate import INPUT_NAMES, evaluate_monthly, evaluate_totals, totals_from_monthly
from tco.engine.expr import Const, Input, to_python, where
from tco.engine.month_sums import geometric_sum, plan_sums, separate

month, horizon = F.month, F.horizon_months
growth, price = Input("g", "growth"), Input("p", "price")


def brute_sum(term, inputs: dict[str, float]) -> float:
    return sum(to_python(term, {**inputs, "month": float(m)}) for m in range(1, int(inputs["horizon_months"]) + 1))


def test_a_growing_volume_at_a_falling_price_is_one_geometric_series():
    # 100 x 1.1^(m-1) requests at 2 x 0.9^((m-1)/12) USD: coefficient 200, ratio 1.1 x 0.9^(1/12)
    term = 100 * (1 + growth) ** (month - 1) * (price * 0.9 ** ((month - 1) / 12))
    [part] = separate(term)
    assert part.kernels == ()
    assert to_python(part.coefficient, {"g": 0.1, "p": 2.0}) == pytest.approx(200.0)
    assert to_python(part.ratio, {"g": 0.1, "p": 2.0}) == pytest.approx(1.1 * 0.9 ** (1 / 12))
    plan = plan_sums({"total": term}, horizon)
    inputs = {"g": 0.1, "p": 2.0, "horizon_months": 36.0}
    assert to_python(plan.sums["total"], inputs) == pytest.approx(brute_sum(term, inputs), rel=1e-13)


def test_the_first_month_and_the_horizon_end_are_exact():
    setup = where(month.eq(1), 5000.0, 0.0)
    inside = where(month.le(horizon), 1.0, 0.0) * 700.0
    plan = plan_sums({"setup": setup, "inside": inside, "discounted": setup * (1 / 1.1 ** (month / 12))}, horizon)
    inputs = {"horizon_months": 7.0}
    assert to_python(plan.sums["setup"], inputs) == 5000.0
    assert to_python(plan.sums["inside"], inputs) == 4900.0
    assert to_python(plan.sums["discounted"], inputs) == pytest.approx(5000.0 / 1.1 ** (1 / 12))


def test_a_rounded_up_fleet_is_a_kernel_added_month_by_month():
    replicas = F.named("replicas", "replicas", F.ceil(3.3 * (1 + growth) ** (month - 1)))
    plan = plan_sums({"cost": replicas * 730.0 * price}, horizon)
    assert [k.name for k in plan.kernels] == ["replicas"]
    [(ratio, kernels)] = plan.accumulators
    assert isinstance(ratio, Const) and ratio.value == 1.0 and kernels[0].name == "replicas"


@pytest.mark.parametrize("ratio", [0.0, 0.5, 1 - 1e-7, 1.0, 1 + 3e-7, 1 + 1e-6, 1.02, 1.3])
@pytest.mark.parametrize("months", [1, 2, 36, 120])
def test_the_geometric_sum_is_accurate_near_one(ratio, months):
    exact = math.fsum(ratio ** k for k in range(months))
    got = to_python(geometric_sum(Const(ratio), Const(float(months))), {})
    assert got == pytest.approx(exact, rel=1e-11)


STRUCTURES = {
    "api": {},
    "self-hosted static": {"has_self_hosted": 1.0, "api_share_fixed": 0.0},
    "self-hosted autoscaled": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_autoscaled": 1.0},
    "purchased": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_purchased": 1.0},
    "purchased, replaced at a falling price": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_purchased": 1.0,
                                               "depreciation_years": 1.5, "gpu_price_change_per_year": -0.2,
                                               "maintenance_share_of_capex_per_year": 0.05},
    "reserved, owed past the horizon": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_reserved": 1.0,
                                        "term_months": 12.0, "count_beyond_horizon": 1.0, "gpu_price_change_per_year": -0.1},
    "reserved, within the horizon": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_reserved": 1.0,
                                     "term_months": 7.0, "count_beyond_horizon": 0.0},
    "hybrid share": {"has_self_hosted": 1.0, "api_share_fixed": 0.3},
    "hybrid overflow": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_overflow": 1.0},
}

_HISTORY = {"has_gpu_price_history": 1.0, "gpu_price_known_months": 7.0, "gpu_price_change_per_year": -0.2}
BACKTESTS = {
    "rented, a backtest before the offer's date": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, **_HISTORY},
    "purchased, a backtest, replaced": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_purchased": 1.0,
                                        "depreciation_years": 1.5, **_HISTORY},
    "reserved, a backtest, renewed": {"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_reserved": 1.0, "term_months": 12.0,
                                      "count_beyond_horizon": 1.0, "upfront_share": 0.5, **_HISTORY},
    "mixed, a backtest, base and bursts of their own dates": {
        "has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_reserved": 1.0, "is_mixed": 1.0, "base_replicas": 2.0,
        "term_months": 6.0, "burst_gpu_usd_per_hour": 4.0, "burst_gpu_price_known_months": 10.0, **_HISTORY},
}
"""Scenarios starting before their GPU offers' dates (tco.engine.rows._gpu_price_history): the price holds for the
known months, then changes (a kernel month by month, no closed form)."""

def row_values(structure, growth, horizon, volume, discount, decline, profile_peak) -> dict[str, float]:
    return values(**{
        "monthly_growth": growth, "horizon_months": float(horizon), "requests_per_day": volume,
        "discount_rate_per_year": discount, "api_price_decline_per_year": decline,
        "output_tokens": 400.0, "input_usd_per_million_tokens": 1.0, "output_usd_per_million_tokens": 4.0,
        "replica_generations_per_s": 2.0, "max_utilization": 0.8, "gpus_per_replica": 2.0, "spare_replicas": 1.0,
        "min_replicas": 1.0, "overflow_replicas": 3.0, "gpu_usd_per_hour": 2.5, "peak_to_average": 1.7,
        "purchase_usd_per_gpu": 30_000.0, "depreciation_years": 4.0, "residual_value_share": 0.1,
        "cost_of_capital_per_year": 0.08, "idle_power_share": 0.3, "pue": 1.3, "usd_per_kwh": 0.12,
        "server_power_per_gpu_kw": 1.4, "hosting_usd_per_kw_month": 150.0, "staff_fte": 1.0,
        "staff_usd_per_fte_year": 200_000.0, "staff_share": 0.5, "software_usd_per_gpu_month": 50.0, "setup_usd": 20_000.0,
        **{f"profile_h{h:02d}": (profile_peak if 9 <= h < 17 else 0.5) for h in range(24)},
        **(STRUCTURES | BACKTESTS)[structure],
    })


rows = st.builds(
    row_values,
    st.sampled_from(sorted(STRUCTURES | BACKTESTS)), st.sampled_from([0.0, 0.0, 0.04, -0.03, 0.2]), st.integers(1, 60),
    st.floats(10, 2e6), st.sampled_from([0.0, 0.08]), st.sampled_from([0.0, 0.3, 1.0]), st.floats(1.0, 1.75),
)


def test_closed_forms_and_kernels_give_the_sums_of_the_monthly_figures(monkeypatch):
    """Every structure, with and without growth, over 38 months (the months loop's blocks do not divide it)."""
    assert_closed_forms_are_the_monthly_sums(
        monkeypatch, [row_values(structure, growth, 38, 30_000.0, 0.08, 0.3, 1.5) for structure in sorted(STRUCTURES) for growth in (0.0, 0.04)])


def test_closed_forms_and_kernels_give_the_sums_of_the_monthly_figures_in_a_backtest_before_the_gpu_offers_date(monkeypatch):
    """A rented backtest's GPU price, held for the known months then changing, summed both ways (0.7 s; the other
    backtests compile their own formulas, 2-3 s each: the slow test below)."""
    assert_closed_forms_are_the_monthly_sums(
        monkeypatch, [row_values("rented, a backtest before the offer's date", growth, 38, 30_000.0, 0.08, 0.3, 1.5)
                      for growth in (0.0, 0.04)])


@pytest.mark.slow
def test_closed_forms_and_kernels_give_the_sums_of_the_monthly_figures_in_every_backtest(monkeypatch):
    """Every backtest structure, with growth: the purchases and terms of a growing fleet start inside and after the
    known months, and a mixed fleet's bursts keep their own offer's date. About 8 s."""
    assert_closed_forms_are_the_monthly_sums(
        monkeypatch, [row_values(structure, 0.04, 38, 30_000.0, 0.08, 0.3, 1.5) for structure in sorted(BACKTESTS)])


@pytest.mark.slow
@settings(max_examples=9, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(rows, min_size=1, max_size=12))
def test_closed_forms_and_kernels_give_the_sums_of_the_monthly_figures_on_random_rows(monkeypatch, batch):
    """The same on random structures, horizons, volumes and rates. Slow (about 1.5 s an example, the months loop's
    queries with its thresholds at 0): the everyday run has the fixed rows above."""
    assert_closed_forms_are_the_monthly_sums(monkeypatch, batch)


def assert_closed_forms_are_the_monthly_sums(monkeypatch, batch):
    """The closed forms and the months loop (running totals carried from block to block for purchased and
    reserved fleets) against the monthly frame's sums. A few rows would take the monthly frame themselves
    (`SMALL_ROW_MONTHS`, and `LOOPED_ROW_MONTHS` for a group the months loop would sum): both thresholds are
    lowered so that this compares two ways of summing, not one with itself."""
    monkeypatch.setattr(evaluate, "SMALL_ROW_MONTHS", 0)
    monkeypatch.setattr(evaluate, "LOOPED_ROW_MONTHS", 0)
    frame = pl.DataFrame({n: [r[n] for r in batch] for n in INPUT_NAMES}).with_columns(
        pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row"))
    frame = frame.with_columns(pl.col(n).cast(pl.Float64) for n in INPUT_NAMES)
    by_month = totals_from_monthly(evaluate_monthly(frame).collect(), frame)
    closed = evaluate_totals(frame)
    assert closed.columns == by_month.columns
    for column in closed.columns:
        assert closed[column].to_list() == pytest.approx(by_month[column].to_list(), rel=1e-9, abs=1e-6, nan_ok=True), column


def test_a_small_group_summed_from_its_months_matches_the_closed_forms_beside_larger_groups(monkeypatch):
    """A group of rows the months loop would sum, with few row-months (`LOOPED_ROW_MONTHS`), is summed from its monthly
    frame; the result, concatenated with groups summed in closed forms, is the all-closed-forms result row for row.
    With the threshold at one row's 38 months, one-row groups go through their months and two-row groups do not."""
    monkeypatch.setattr(evaluate, "SMALL_ROW_MONTHS", 0)
    batch = [row_values(structure, growth, 38, volume, 0.08, 0.3, 1.5)
             for structure in ("self-hosted static", "purchased")
             for growth, volume in ((0.0, 30_000.0), (0.04, 30_000.0), (0.04, 90_000.0))]
    frame = pl.DataFrame({n: [r[n] for r in batch] for n in INPUT_NAMES}).with_columns(
        pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row")).with_columns(pl.col(n).cast(pl.Float64) for n in INPUT_NAMES)
    monkeypatch.setattr(evaluate, "LOOPED_ROW_MONTHS", 0)
    closed = evaluate_totals(frame)
    monkeypatch.setattr(evaluate, "LOOPED_ROW_MONTHS", 38)
    summed = []
    real = evaluate.totals_from_monthly
    monkeypatch.setattr(evaluate, "totals_from_monthly", lambda monthly, inputs: summed.append(inputs.height) or real(monthly, inputs))
    mixed = evaluate_totals(frame)
    assert summed and set(summed) == {1}  # some groups went through their months, only one-row ones
    assert mixed.columns == closed.columns and mixed["row"].to_list() == list(range(len(batch)))
    for column in closed.columns:
        assert mixed[column].to_list() == pytest.approx(closed[column].to_list(), rel=1e-9, abs=1e-6, nan_ok=True), column


def test_within_horizon_keeps_a_shared_sub_tree_shared():
    """A sub-term used by two parents comes out as one object used by both (rewritten once), and the horizon test
    inside it folds to 1. Rewriting every path instead copied the formulas' shared sub-trees into a tree of over a
    million nodes (`tco sweep` of one example took 10.6 s)."""
    from tco.engine.expr import Cmp, Op, walk
    from tco.engine.month_sums import within_horizon

    inside = Op("*", month, Cmp("<=", month, horizon))
    shared = Op("+", inside, Const(2.0))
    out = within_horizon(Op("*", Op("+", shared, Const(1.0)), Op("-", shared, Const(3.0))))
    assert out.left.left is out.right.left  # one rewritten copy, used by both parents
    assert not any(isinstance(t, Cmp) for t in walk(out))
    assert to_python(out, {"month": 5.0, "horizon_months": 3.0}) == (5.0 + 2.0 + 1.0) * (5.0 + 2.0 - 3.0)
    # 20 doublings: a million paths through 21 distinct nodes, rewritten as 21
    chain = month
    for _ in range(20):
        chain = Op("+", chain, chain)
    out = within_horizon(chain)
    assert out.left is out.right and to_python(out, {"month": 1.0}) == 2.0 ** 20
