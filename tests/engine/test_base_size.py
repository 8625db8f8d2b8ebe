"""Issue 21 item 5: `replicas: auto` is a decision made again at every volume (break-even) and draw (Monte Carlo).

Worked by hand on the two-level day of test_mixed_fleet.py: 12 hours at half the average, 12 at 1.5 x;
one replica of 1 GPU serves 1 completion/s; a reserved replica costs 1 $/h x 730 h = 730 $ a month, a
burst replica 1.5 $/h for each hour it runs (365 h a month for the 12 day hours: 547.5 $; all day: 1,095 $).
A replica needed all day is cheaper reserved, one needed only by day cheaper as a burst: `auto` reserves
the night's fleet. At an average of a completions/s the night needs ceil(a/2) replicas, the day ceil(1.5 a).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import TODAY, row, values  # noqa: E402
from test_mixed_fleet import MIXED  # noqa: E402

from tco.engine.base_size import best_base, best_base_totals_at_volumes  # noqa: E402
from tco.engine.breakeven import solve_breakeven  # noqa: E402
from tco.engine.compare import evaluate_rows  # noqa: E402
from tco.engine.evaluate import totals_at_volumes  # noqa: E402

PER_DAY = 86_400.0
API = values(usd_per_thousand_requests=1000 / 2628)
"""1,000 $ a month per completion/s of average traffic: a x 86,400 x 365/12 = 2,628,000 a requests x 1000/2628 $ per 1,000."""


def test_auto_reserves_the_nights_fleet_at_each_volume():
    # a = 4/s: night 2, day 6 -> base 2 (3,650 $: 2 x 730 + 4 x 547.5). a = 1.2775/s: night 1, day 2 -> base 1
    # (1 x 730 + 1 x 547.5 = 1,277.5 $). a = 8/s: night 4, day 12 -> base 4 (4 x 730 + 8 x 547.5 = 7,300 $).
    at = best_base_totals_at_volumes([(values(**MIXED), [4 * PER_DAY, 1.2775 * PER_DAY, 8 * PER_DAY])])[0]
    assert [b for b, _ in at] == [2, 1, 4]
    assert [t for _, t in at] == pytest.approx([3_650, 1_277.5, 7_300])


def test_break_even_chooses_the_base_again_at_each_volume():
    # API: 1,000 a $ a month. Self-hosted, auto: below a = 2/3 one replica all day (730 $ > 666.7 $); for
    # 2/3 < a <= 4/3 base 1 + one day burst = 1,277.5 $, met by the API at a = 1.2775 (110,376 requests/day).
    # The base fixed at the scenario's choice (2, at a = 4) would cost 1,460 $ there, and meet the API only at
    # 2 < a <= 8/3 (night 2, day 4: 1,460 + 2 x 547.5 = 2,555 $): a = 2.555, 220,752 requests/day.
    own = values(**{**MIXED, "base_replicas": 2.0})
    auto = solve_breakeven(own, API, auto_base=True)
    assert auto.requests_per_day == pytest.approx(1.2775 * PER_DAY, rel=1e-6)
    assert auto.base_replicas == 1 and not auto.at_step
    assert auto.self_hosted_total_usd == pytest.approx(1_277.5)
    fixed = solve_breakeven(own, API)
    assert fixed.requests_per_day == pytest.approx(2.555 * PER_DAY, rel=1e-6)
    assert fixed.base_replicas is None


def test_the_results_break_even_of_an_auto_base_says_the_base_it_used():
    sh = row(0, "mixed", "self-hosted", {**MIXED, "base_replicas": 2.0})
    sh.base_auto = True
    r = evaluate_rows([sh, row(1, "api", "api", API)], [], TODAY, with_breakeven=True)
    rec = r.options.filter(r.options["option"] == "mixed").row(0, named=True)
    assert rec["breakeven_requests_per_day"] == pytest.approx(1.2775 * PER_DAY, rel=1e-6)
    assert "1 replicas at 110,376 requests/day" in rec["notes"]


@pytest.mark.parametrize("volume_per_s", [0.3, 3.0, 7.7, 20.0])
def test_trying_only_bases_that_fill_their_instances_finds_the_cheapest_of_every_size(volume_per_s):
    # 2-GPU replicas on 8-GPU base and burst instances, a profile of many levels, growth: every base size
    # from 0 to the peak evaluated one by one against the candidates' best.
    profile = {f"profile_h{h:02d}": 0.3 + (h % 7) * 0.25 for h in range(24)}
    mean = sum(profile.values()) / 24
    profile = {k: v / mean for k, v in profile.items()}
    v = values(**{**MIXED, **profile, "requests_per_day": volume_per_s * PER_DAY, "gpus_per_replica": 2.0,
                  "gpus_per_instance": 8.0, "burst_gpus_per_instance": 8.0, "monthly_growth": 0.03, "horizon_months": 6.0,
                  "term_months": 3.0, "peak_to_average": max(profile.values()), "burst_gpu_usd_per_hour": 1.9})
    base, total = best_base(v)
    every = [totals_at_volumes([({**v, "base_replicas": float(b)}, [v["requests_per_day"]])])[0][0] for b in range(0, 60)]
    assert total == pytest.approx(min(every), rel=1e-12)
    assert every[base] == pytest.approx(min(every), rel=1e-12)


def _twice_the_volume(auto: bool):
    """The two-level rows at a = 4 (base 2 chosen there), and the API; the own option's base `auto` or fixed."""
    own = row(0, "mixed", "self-hosted", {**MIXED, "base_replicas": 2.0})
    own.base_auto = auto
    return evaluate_rows([own, row(1, "api", "api", API)], [], TODAY, with_breakeven=False)


@pytest.mark.parametrize("auto, expected_usd", [(True, 7_300), (False, 8_030)])
def test_monte_carlo_chooses_an_auto_base_again_in_each_draw(auto, expected_usd):
    # Every draw doubles the volume (a = 8: night 4, day 12). Auto: base 4, 4 x 730 + 8 x 547.5 = 7,300 $.
    # Base fixed at 2: 2 x 730 + 2 night replicas bursting all day 2 x 1,095 + 8 day bursts x 547.5 = 8,030 $.
    from tco.engine.uncertainty import Spread, monte_carlo

    doubled = (Spread("volume", "requests per day", ("requests_per_day",), "scale", 2.0, 2.0, 2.0),)
    mc = monte_carlo(_twice_the_volume(auto), "s", draws=3, spreads=doubled)
    mixed = next(o for o in mc.options if o.option_id == "mixed")
    assert (mixed.p10_usd, mixed.p50_usd, mixed.p90_usd) == pytest.approx((expected_usd,) * 3)


@pytest.mark.parametrize("auto, expected_usd", [(True, 7_300), (False, 8_030)])
def test_the_tornado_chooses_an_auto_base_again_at_each_end_but_not_when_it_moves_the_base(auto, expected_usd):
    from tco.engine.sensitivity import Range, tornado

    ranges = (Range("volume", "requests per day", ("requests_per_day",), "scale", 2.0, 2.0),
              Range("base_size", "reserved base", ("base_replicas",), "shift", 1.0, 1.0))
    drivers = {d.name: d for d in tornado(_twice_the_volume(auto), "s", "mixed", ranges)}
    assert drivers["volume"].total_high_usd == pytest.approx(expected_usd)
    # base 3 at a = 4 (night 2, day 6): 3 x 730 + 3 x 547.5 = 3,832.5 $, chosen or not (the base is what moves)
    assert drivers["base_size"].total_high_usd == pytest.approx(3_832.5)


def test_the_tornado_tries_the_other_published_term_of_a_committed_offer_at_its_own_price():
    # The bundled example's base is AWS's 1-year no-upfront reservation; the same offer exists for 3 years.
    # The tornado's longer term must cost what the scenario costs with the 3-year offer named in the file.
    import datetime as dt

    from tco.engine.sensitivity import tornado
    from tco.run import run_scenarios

    example = Path(__file__).parents[2] / "tco" / "examples" / "commitments.yaml"
    today = dt.date(2026, 12, 1)
    results = run_scenarios([example], today=today, with_breakeven=False).results
    three_years = "aws:p5.48xlarge:us-east-1:3y:convertible:no-upfront"
    r = results.row("commitments", "reserved-base-bursts")
    assert r.term_choices[0] == {"term_months": 12.0, "gpu_usd_per_hour": r.values["gpu_usd_per_hour"]}
    assert r.term_choices[1] == {"term_months": 36.0,
                                 "gpu_usd_per_hour": results.catalog.committed_offers[three_years].committed_usd_per_gpu_hour}
    named = run_scenarios([example], today=today, with_breakeven=False,
                          overrides=[f"options.reserved-base-bursts.payment.base.offer={three_years}"]).results
    term = next(d for d in tornado(results, "commitments", "reserved-base-bursts") if d.name == "term")
    # both choose the auto base again for the 3-year price
    expected = named.options.filter(named.options["option"] == "reserved-base-bursts")["total_cost_usd"][0]
    assert term.total_high_usd == pytest.approx(expected, rel=1e-9)
    assert term.total_high_usd > term.base_total_usd  # 3 years owed on a 2-year horizon
    assert term.total_low_usd == pytest.approx(term.base_total_usd)


def test_a_typed_term_is_tried_at_half_and_twice_its_length():
    from tco.engine.rows import _term_choices

    class _Finance:
        horizon_months = 24

    class _Scenario:
        finance = _Finance()

    r = row(0, "reserved", "self-hosted", {"term_months": 12.0, "gpu_usd_per_hour": 2.0})
    _term_choices(r, None, None, _Scenario())
    assert r.term_choices == ({"term_months": 6.0}, {"term_months": 24.0})
    _Finance.horizon_months = 120  # 11 terms must cover the horizon: at least 11 months
    _term_choices(r, None, None, _Scenario())
    assert r.term_choices[0] == {"term_months": 11.0}


@pytest.mark.slow
def test_tco_breakeven_names_the_scenario_of_each_auto_base_when_several_are_listed(tmp_path, capsys):
    """Three scenarios with a `reserved-base-bursts` option printed three identical lines "reserved-base-bursts: base
    `auto` ..."; with several scenarios each line now says which (slow: the break-evens of two commitments examples)."""
    from tco.cli import main

    text = (Path(__file__).parents[2] / "tco" / "examples" / "commitments.yaml").read_text(encoding="utf-8")
    body = text[text.index("  - id: commitments"):]
    path = tmp_path / "two.yaml"
    path.write_text("scenarios:\n" + body + body.replace("  - id: commitments", "  - id: commitments-eu", 1), encoding="utf-8")
    assert main(["breakeven", str(path), "--as-of", "2026-12-01"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "base `auto` is chosen again" in line]
    assert [line.split(":")[0] for line in lines] == ["commitments / reserved-base-bursts", "commitments-eu / reserved-base-bursts"]


def test_tco_breakeven_says_which_base_it_used_for_an_auto_base_only(capsys):
    import json

    from tco.cli import main

    example = Path(__file__).parents[2] / "tco" / "examples" / "commitments.yaml"
    assert main(["breakeven", str(example), "--format", "json", "--as-of", "2026-12-01"]) == 0
    records = {r["option"]: r for r in json.loads(capsys.readouterr().out)}
    base = records["reserved-base-bursts"]["base_replicas_at_breakeven"]
    assert isinstance(base, int) and base >= 0
    assert records["on-demand"]["base_replicas_at_breakeven"] is None
