"""The break-even volume on a staircase of whole replicas: the first volume where self-hosting costs no more, and the
volume from which it stays no costlier, both worked out by hand."""

from __future__ import annotations

import json

import pytest

from tco.cli import main

AS_OF = ["--as-of", "2026-11-27"]
# One GPU a replica, its throughput stated (no model), one spare, a fixed price per GPU-hour; the API's price is stated
# too. Over 12 months (365 days):
#   API: 1,000 input tokens x $2/M + (100 output + 200 reasoning) x $10/M = $0.005 a request, $1.825 a year per request/day.
#   A replica serves 0.8 x 1,000 tokens/s / 300 tokens = 8/3 requests/s in the busiest hour (twice the average), so
#   86,400 x 8/3 / 2 = 115,200 requests/day; it costs $21.6 x 8,760 h = $189,216 a year.
#   Needing k replicas (volume in ((k-1) x 115,200, k x 115,200]) the option costs (k + 1) x $189,216 with the spare:
#   no costlier than the API from (k + 1) x 189,216 / 1.825 = (k + 1) x 103,680 requests/day, where that lies in the
#   interval: k >= 10 (k = 9 only at the interval's top point), so the first crossing is 11 x 103,680 = 1,140,480.
#   Just above (k-1) x 115,200 it costs more again while (k + 1) x 189,216 > 1.825 x (k-1) x 115,200, i.e. k < 19:
#   the last tooth is k = 18, which ends at 19 x 103,680 = 1,969,920; from there on it stays no costlier.
SCENARIO = """\
schema_version: 1
scenarios:
  - id: teeth
    workload: {requests_per_day: 100000, input_tokens: 1000, output_tokens: 100, reasoning_tokens: 200, peak_to_average: 2}
    finance: {horizon_months: 12, start_date: 2027-01-01}
    options:
      - {kind: api, id: api, provider: openai, model: gpt-4.1, input_usd_per_million_tokens: 2, output_usd_per_million_tokens: 10}
      - kind: self-hosted
        id: own
        model: llama-3.1-8b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        max_utilization: 0.8
        spare_replicas: 1
        payment: {mode: on-demand, gpu_usd_per_hour: 21.6}
"""
FIRST = 11 * 103_680
STAYS = 19 * 103_680


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main([*argv, *AS_OF]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture()
def scenario(tmp_path):
    path = tmp_path / "teeth.yaml"
    path.write_text(SCENARIO)
    return path


def totals(capsys, scenario, volume: float) -> dict[str, float]:
    rows = run_json(capsys, "run", str(scenario), "--format", "json", "--no-breakeven", "--set", f"workload.requests_per_day={volume!r}")
    return {r["option"]: r["total_cost_usd"] for r in rows}


def test_the_first_crossing_and_the_volume_it_stays_no_costlier_from_are_the_hand_figures(capsys, scenario):
    own = {r["option"]: r for r in run_json(capsys, "run", str(scenario), "--format", "json")}["own"]
    assert own["breakeven_requests_per_day"] == pytest.approx(FIRST, rel=1e-6)
    assert own["breakeven_stays_requests_per_day"] == pytest.approx(STAYS, rel=1e-6)
    (record,) = run_json(capsys, "breakeven", str(scenario), "--format", "json")
    assert record["stays_requests_per_day"] == pytest.approx(STAYS, rel=1e-6)


def test_between_the_two_the_api_is_cheaper_again_on_a_tooth_and_never_above(capsys, scenario):
    # a tooth: just past 17 x 115,200 = 1,958,400, 18 replicas + the spare: 19 x 189,216 = 3,595,104 against 1.825 x V
    at = totals(capsys, scenario, 1_960_000)
    assert at["own"] == pytest.approx(19 * 189_216) and at["api"] == pytest.approx(1.825 * 1_960_000)
    assert at["own"] > at["api"]
    for volume in (STAYS * 1.001, 2_100_000, 2_500_000, 4_000_000):
        at = totals(capsys, scenario, volume)
        assert at["own"] <= at["api"], volume


def test_without_the_spare_the_teeth_start_at_one_replica_and_end_sooner(capsys, tmp_path):
    # k replicas cost k x 189,216: no costlier from k x 103,680, inside ((k-1) x 115,200, k x 115,200] from k = 1 on, so
    # the first crossing is 103,680; costlier again just past (k-1) x 115,200 while k x 189,216 > 1.825 x (k-1) x 115,200,
    # i.e. k < 10: the last tooth is k = 9, which ends at 9 x 103,680 = 933,120
    path = tmp_path / "no-spare.yaml"
    path.write_text(SCENARIO.replace("spare_replicas: 1", "spare_replicas: 0"))
    own = {r["option"]: r for r in run_json(capsys, "run", str(path), "--format", "json")}["own"]
    assert own["breakeven_requests_per_day"] == pytest.approx(103_680, rel=1e-6)
    assert own["breakeven_stays_requests_per_day"] == pytest.approx(9 * 103_680, rel=1e-6)


def test_where_the_costs_do_not_cross_back_both_volumes_are_one(capsys):
    from tco.paths import examples_dir

    records = run_json(capsys, "breakeven", str(examples_dir() / "commitments.yaml"), "--format", "json")
    solved = [r for r in records if r["breakeven_requests_per_day"] is not None]
    assert solved and all(r["stays_requests_per_day"] == r["breakeven_requests_per_day"] for r in solved)


def test_pairs_solved_in_parts_give_what_one_batch_gives(capsys, tmp_path, monkeypatch):
    """Break-evens are solved PAIRS_AT_ONCE at a time (memory): each pair's search is its own, so one at a time the
    volumes are those of one batch (the hand figures above, and the option without its spare)."""
    from tco.engine import breakeven

    path = tmp_path / "two.yaml"
    own = "      - kind: self-hosted\n" + SCENARIO.split("      - kind: self-hosted\n")[1]
    path.write_text(SCENARIO + own.replace("id: own", "id: lean")
                    .replace("spare_replicas: 1", "spare_replicas: 0"))
    whole = run_json(capsys, "breakeven", str(path), "--format", "json")
    monkeypatch.setattr(breakeven, "PAIRS_AT_ONCE", 1)
    assert run_json(capsys, "breakeven", str(path), "--format", "json") == whole
    assert [(r["option"], r["breakeven_requests_per_day"]) for r in whole if r["option"] == "own"] == [("own", pytest.approx(FIRST, rel=1e-3))]
    assert len(whole) == 2
