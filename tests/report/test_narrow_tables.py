"""Width-aware tables, options ranked with ties said as ties, `never` the same everywhere (issue 18 item 5)."""

from __future__ import annotations

import io
import json

import pytest

from tco.cli import main
from tco.report.results import NEVER, mark_ties, rank_text
from tco.report.table import print_rows
from tco.run import example_files

AS_OF = "2026-11-27"


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("argv", [["run"], ["models", "list"], ["hardware", "list"], ["offers", "list"], ["pricing", "list"]])
def test_tables_fit_100_columns_by_default_and_wide_shows_more(capsys, monkeypatch, argv):
    monkeypatch.setenv("COLUMNS", "100")
    # `run`: one example (every bundled one takes 2 s a call; the table's columns are the same)
    extra = [str(next(f for f in example_files() if f.stem == "customer-support")), "--as-of", AS_OF] if argv == ["run"] else []
    assert main([*argv, *extra]) == 0
    narrow = capsys.readouterr().out
    assert _widest(narrow) <= 100
    assert main([*argv, *extra, "--wide"]) == 0
    wide = capsys.readouterr().out
    assert _widest(wide) > 100  # the bundled data has more than fits: --wide shows every column in full


def test_a_narrow_table_names_the_columns_it_leaves_out_and_keeps_the_most_important():
    rows = [{"id": "a-long-identifier", "price_usd": 1.5, "note": "x" * 60, "extra_column": 3}]
    out = io.StringIO()
    print_rows(rows, "table", priority=("id", "price_usd", "extra_column", "note"), out=out, width=40, wide=False, cut_first=False)
    text = out.getvalue()
    assert _widest(text) <= 40
    assert "a-long-identifier" in text and "1.5" in text
    assert "not shown" in text and "--wide" in text


def test_equal_totals_are_a_tie_shown_as_a_shared_rank():
    records = [{"scenario": "s", "rank": 1, "total_cost_usd": 100.004}, {"scenario": "s", "rank": 2, "total_cost_usd": 100.001},
               {"scenario": "s", "rank": 3, "total_cost_usd": 100.02}, {"scenario": "t", "rank": 1, "total_cost_usd": 100.0}]
    mark_ties(records)
    # 100.004 and 100.001 both round to 10,000 cents; 100.02 is two cents more; scenario t is another table
    assert [r["rank_tied"] for r in records] == [True, True, False, False]
    assert [rank_text(records, r) for r in records] == ["=1", "=1", "3", "1"]


def test_run_says_a_tie_and_never_in_the_table_and_json(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    batch = next(str(f) for f in example_files() if f.name == "batch-extraction.yaml")
    assert main(["run", batch, "--as-of", AS_OF, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    tied = [r for r in records if r["rank_tied"]]
    # the two batch APIs of the example cost the same to the cent (checked from the totals themselves)
    assert len(tied) == 2 and round(tied[0]["total_cost_usd"], 2) == round(tied[1]["total_cost_usd"], 2)
    never = [r for r in records if r["breakeven_month_status"] == NEVER]
    assert never and all(r["breakeven_month"] is None for r in never)
    assert main(["run", batch, "--as-of", AS_OF]) == 0
    table = capsys.readouterr().out
    assert "A tie:" in table and table.count("=1 ") == 2
    assert NEVER in table


def test_no_breakeven_is_not_said_as_never(capsys):
    batch = next(str(f) for f in example_files() if f.name == "batch-extraction.yaml")
    assert main(["run", batch, "--as-of", AS_OF, "--format", "json", "--no-breakeven"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert all(r["breakeven_status"] is None for r in records)


def test_uncertainty_ranks_the_options_by_median_with_ties(capsys):
    batch = next(str(f) for f in example_files() if f.name == "batch-extraction.yaml")
    assert main(["uncertainty", batch, "--draws", "200", "--format", "json", "--as-of", AS_OF]) == 0
    options = json.loads(capsys.readouterr().out)[0]["options"]
    allowed = sorted((o for o in options if not o["excluded"]), key=lambda o: o["rank_p50"])
    assert [o["rank_p50"] for o in allowed] == list(range(1, len(allowed) + 1))
    assert [o["p50_usd"] for o in allowed] == sorted(o["p50_usd"] for o in allowed)


def test_committed_api_capacity_is_counted_in_units_not_gpus_in_the_table_and_the_ui():
    from tco.report.run_table import cells
    from tco.tui.widgets.cost_table import format_cell

    base = {"scenario": "s", "rank": 1, "rank_tied": False, "option": "x", "total_cost_usd": 1.0, "npv_usd": 1.0,
            "cost_per_million_tokens_usd": 1.0, "cost_per_request_usd": 1.0, "cost_per_llm_call_usd": 1.0,
            "gpus_peak": 15.0, "gpus_average": 12.5, "utilization_average": 0.5, "energy_kwh": 0.0,
            "breakeven_reference_option": None, "breakeven_requests_per_day": None, "breakeven_month": None,
            "breakeven_status": None, "breakeven_month_status": None}
    units = {**base, "kind": "api-provisioned"}
    gpus = {**base, "kind": "self-hosted"}
    assert (cells([units], units)["gpus_peak"], cells([units], units)["gpus_average"]) == ("15 units", "12.50 units")
    assert (cells([gpus], gpus)["gpus_peak"], cells([gpus], gpus)["gpus_average"]) == ("15", "12.50")
    assert format_cell("gpus_peak", units) == "15 units"
    assert format_cell("gpus_peak", gpus) == "15"


def test_a_tie_says_from_which_volume_self_hosting_would_pay_as_a_single_winner_does(capsys, monkeypatch):
    """The tie's sentence is the engine's recommendation, with the same break-even clause and excluded-options tail."""
    from tco.engine.ranking import recommendation_text

    monkeypatch.setenv("COLUMNS", "400")
    batch = next(str(f) for f in example_files() if f.name == "batch-extraction.yaml")
    assert main(["run", batch, "--as-of", AS_OF]) == 0
    table = capsys.readouterr().out
    sentence = next(line for line in table.splitlines() if line.startswith("A tie:"))
    # its staircase crosses the API line again above the first crossing (tests/engine/test_breakeven_volume.py)
    assert sentence.endswith("; llama-3.1-8b-l40s-spot would pay from 586,130 requests/day (first at 549,139).")
    api = {"scenario": "s", "kind": "api", "breakeven_requests_per_day": None, "excluded_reason": None}
    records = [{**api, "option": "a", "rank": 1, "total_cost_usd": 10.001}, {**api, "option": "b", "rank": 2, "total_cost_usd": 10.0},
               {**api, "option": "own", "kind": "self-hosted", "rank": 3, "total_cost_usd": 30.0, "breakeven_requests_per_day": 5000.0},
               {**api, "option": "c", "rank": None, "total_cost_usd": 1.0, "excluded_reason": "not allowed"}]
    assert recommendation_text(records) == ("A tie: a (api), b (api) cost the same, $10 over the horizon, $20 less than own; "
                                            "own would pay from 5,000 requests/day (1 option(s) excluded: not allowed).")


def test_a_column_of_numbers_aligns_right_whether_a_rank_a_share_or_a_multiplier():
    """Tables right-align numbers cell by cell: a tie's rank (=1), a share (69%) and a multiplier (x0.7) were text and
    sat at the left of their column, beside 3, -0.02 at its right (tco sweep's rank, tco sensitivity's low / high)."""
    from tco.report.table import write_table

    out = io.StringIO()
    write_table(out, ["option", "rank", "util", "low"], [["a", "=1", "69%", "x0.7"], ["b", "3", "1%", "-0.02"]], wide=True)
    header, dashes, *rows = out.getvalue().splitlines()
    ends = [i + 1 for i, ch in enumerate(dashes) if ch == "-" and (i + 1 == len(dashes) or dashes[i + 1] == " ")]
    for end in ends[1:]:  # the rank, util and low columns: every cell ends at the column's right edge
        assert all(len(row) >= end and row[end - 1] != " " and (end == len(row) or row[end] == " ") for row in rows), (end, rows)


def test_the_table_and_its_sentence_round_a_half_dollar_alike():
    """Output hunt: a total of $912.50 read 912 in the table (half to even) and $913 in the sentence under it."""
    from tco.engine.ranking import dollars, whole_dollars
    from tco.report.run_table import _money
    from tco.tui.widgets.cost_table import format_cell

    for amount in (912.5, 875_817.4999999999, 2.5, 1_234_567.0):
        assert _money(amount) == whole_dollars(amount) == dollars(amount)[1:]
        assert format_cell("total_cost_usd", {"total_cost_usd": amount}) == _money(amount)
    assert _money(912.5) == "913"
