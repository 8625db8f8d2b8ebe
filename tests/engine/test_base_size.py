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
