"""`tco sensitivity` and `tco uncertainty` print what the engine functions compute."""

from __future__ import annotations

import datetime as dt
import json

from tco.cli import main
from tco.engine.sensitivity import tornado
from tco.engine.uncertainty import monte_carlo
from tco.run import example_files, run_scenarios

GROWING = next(p for p in example_files() if p.stem == "growing-product")


def test_the_tornado_command_lists_the_engine_drivers_largest_swing_first(capsys):
    assert main(["sensitivity", str(GROWING), "--option", "llama-3.3-70b-lambda", "--format", "json", "--as-of", "2026-11-27"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = tornado(run_scenarios([GROWING], today=dt.date(2026, 11, 27)).results, "growing-product", "llama-3.3-70b-lambda")
    assert [r["name"] for r in printed] == [d.name for d in expected]
    assert [r["swing_usd"] for r in printed] == sorted((r["swing_usd"] for r in printed), reverse=True)
    assert printed[0]["total_high_usd"] == expected[0].total_high_usd


def test_the_monte_carlo_command_repeats_with_the_same_seed_and_matches_the_engine(capsys):
    argv = ["uncertainty", str(GROWING), "--draws", "500", "--seed", "7", "--format", "json", "--as-of", "2026-11-27"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first
    engine = monte_carlo(run_scenarios([GROWING], today=dt.date(2026, 11, 27)).results, "growing-product", draws=500, seed=7)
    assert first[0]["self_hosting_wins_share"] == engine.self_hosting_wins_share
    assert [o["p50_usd"] for o in first[0]["options"]] == [o.p50_usd for o in engine.options]


def test_an_unknown_option_is_a_located_flag_error_with_a_suggestion(capsys):
    assert main(["sensitivity", str(GROWING), "--option", "llama-3.3-70b-lambdaa"]) == 2
    err = capsys.readouterr().err
    assert "--option: unknown option `llama-3.3-70b-lambdaa`" in err and "did you mean `llama-3.3-70b-lambda`?" in err


def test_the_monte_carlo_table_says_which_bases_are_chosen_again_per_draw(capsys):
    commitments = next(p for p in example_files() if p.stem == "commitments")
    assert main(["uncertainty", str(commitments), "--draws", "50", "--seed", "1", "--as-of", "2026-11-27"]) == 0
    assert "reserved base chosen again in every draw (`replicas: auto`, the cheapest base for that draw): reserved-base-bursts" in capsys.readouterr().out
    assert main(["uncertainty", str(GROWING), "--draws", "50", "--seed", "1", "--as-of", "2026-11-27"]) == 0
    assert "chosen again" not in capsys.readouterr().out
