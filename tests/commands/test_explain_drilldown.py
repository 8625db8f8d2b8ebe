"""`tco explain` drills down to any name it shows, down to the inputs and their sources (issue 18 item 3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tco.cli import main

SMALL = Path(__file__).resolve().parents[1] / "export" / "data" / "small.yaml"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def results():
    from tco.run import run_scenarios

    return run_scenarios([SMALL], today=TODAY, with_breakeven=False).results


def test_every_name_an_explanation_shows_can_be_explained_in_turn_down_to_inputs(results):
    """Walk from total_cost_usd through every part and input offered, for every option of the file."""
    for row in results.rows:
        explained = dict(explanations_offered(results, row, ["total_cost_usd"], month=1))
        reached_inputs = sum(1 for name, e in explained.items() if not e.parts and e.inputs and e.inputs[0].name == name)
        assert "sum_monthly_cost_usd" in explained and "monthly_cost_usd" in explained
        assert reached_inputs >= 5, row.option_id


def explanations_offered(results, row, starts: list[str], month: int):
    """(name, explanation) of each name reachable from `starts` through the parts and inputs each explanation offers."""
    from tco.engine.explanation import explain_quantity

    seen, todo = set(), list(starts)
    while todo:
        name = todo.pop()
        if name in seen or name == "month":
            continue
        seen.add(name)
        e = explain_quantity(results, row.scenario_id, row.option_id, name, month=month)
        todo += [p.name for p in e.parts] + [i.name for i in e.inputs]
        yield name, e


@pytest.mark.slow  # walks all 190 names (about 4.5 s); everyday, tests/commands/test_analysis_cli.py checks the PTU's lines in units
def test_every_name_a_committed_capacity_explanation_offers_speaks_of_units_not_gpus():
    """Committed API capacity runs no GPUs: walking its explanations from every result column, no label, unit or
    formula word says GPU (a part or input added to the reserved formulas with a GPU label fails here until
    tco/engine/fields.py gives it unit wording)."""
    from tco.paths import examples_dir
    from tco.run import run_scenarios

    results = run_scenarios([examples_dir() / "commitments.yaml"], today=TODAY, with_breakeven=False).results
    row = next(r for r in results.rows if r.kind == "api-provisioned")
    starts = ["total_cost_usd", "npv_usd", "cost_per_request_usd", "monthly_cost_usd", "gpus_in_month", "utilization",
              "cash_cost_usd"]
    seen = set()
    for name, e in explanations_offered(results, row, starts, month=13):
        said = [e.label, e.unit, e.formula] + [w for p in e.parts for w in (p.label, p.unit, p.formula)] \
            + [w for i in e.inputs for w in (i.label, i.unit)]
        assert not [w for w in said if "GPU" in w], name
        seen.add(name)
    assert {"reserved_usd", "reserved_signed_usd", "gpus_committed", "gpu_usd_per_hour"} <= seen


def test_a_sum_over_months_is_explained_as_the_sum_of_its_monthly_quantity(results):
    from tco.engine.explanation import explain_quantity

    row = results.rows[0]
    e = explain_quantity(results, row.scenario_id, row.option_id, "sum_monthly_cost_usd")
    monthly = [explain_quantity(results, row.scenario_id, row.option_id, "monthly_cost_usd", month=m).value
               for m in range(1, e.horizon_months + 1)]
    assert [p.name for p in e.parts] == ["monthly_cost_usd"]
    assert e.value == pytest.approx(sum(monthly), rel=1e-9)  # added up here, month by month
    total = explain_quantity(results, row.scenario_id, row.option_id, "total_cost_usd")
    assert total.value == pytest.approx(e.value, rel=1e-12)


def test_an_input_is_explained_by_its_value_source_and_the_key_that_sets_it(results):
    from tco.engine.explanation import explain_quantity

    api = next(r for r in results.rows if r.kind == "api")
    e = explain_quantity(results, api.scenario_id, api.option_id, "output_usd_per_million_tokens")
    assert e.value == api.values["output_usd_per_million_tokens"]
    assert e.inputs[0].source == api.provenance["output_usd_per_million_tokens"].source and e.inputs[0].source
    e = explain_quantity(results, api.scenario_id, api.option_id, "requests_per_day")
    assert "workload.requests_per_day" in e.formula and e.value == api.values["requests_per_day"]


def test_the_cli_accepts_total_cost_usd_and_the_name_it_offers_next(capsys):
    from tco.run import run_scenarios

    option = run_scenarios([SMALL], today=TODAY, with_breakeven=False).results.rows[0].option_id
    base = [str(SMALL), "--option", option, "--as-of", "2026-11-27", "--format", "json"]
    assert main(["explain", *base, "--quantity", "total_cost_usd"]) == 0
    offered = [i["name"] for i in json.loads(capsys.readouterr().out)["inputs"]]
    assert offered == ["sum_monthly_cost_usd"]
    assert main(["explain", *base, "--quantity", offered[0]]) == 0
    deeper = json.loads(capsys.readouterr().out)
    assert deeper["quantity"] == "sum_monthly_cost_usd" and deeper["parts"][0]["name"] == "monthly_cost_usd"
    assert main(["explain", *base, "--quantity", "no_such_thing"]) == 2
    assert "not a named quantity or input" in capsys.readouterr().err


@pytest.mark.parametrize("quantity", ["monthly_cost_usd", "total_cost_usd"])
@pytest.mark.parametrize("month", ["0", "-3", "999"])
def test_a_month_outside_the_horizon_is_refused_month_0_too(capsys, month, quantity):
    """`--month 0` was read as no month and showed month 1 with exit 0, while -3 and 999 were refused; for a figure
    over the horizon (total_cost_usd) any month was ignored with exit 0."""
    from tco.run import run_scenarios

    option = run_scenarios([SMALL], today=TODAY, with_breakeven=False).results.rows[0].option_id
    code = main(["explain", str(SMALL), "--option", option, "--as-of", "2026-11-27", "--quantity", quantity,
                 "--month", month])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[0].startswith(f"--month: {month}: must be between 1 and the horizon")


def test_a_model_with_no_long_context_tier_shows_none_not_its_stand_in_threshold(tmp_path, capsys):
    """gpt-4.1 has no long-context tier: the formulas hold a threshold no call reaches (1e15 tokens,
    tco.engine.rows.NO_LONG_CONTEXT_TIER); the table says "none" instead of 1,000,000,000,000,000.00."""
    path = tmp_path / "s.yaml"
    path.write_text("""schema_version: 1
scenarios:
  - id: s
    workload: {requests_per_day: 1000, input_tokens: 1000, output_tokens: 100, cache_write_share: 0.1}
    finance: {horizon_months: 12, start_date: 2026-12-01}
    options:
      - {kind: api, id: gpt41, provider: openai, model: gpt-4.1}
""")
    assert main(["explain", str(path), "--option", "gpt41", "--quantity", "api_cache_write_usd"]) == 0
    out = capsys.readouterr().out
    [line] = [x for x in out.splitlines() if x.startswith("long_context_above_input_tokens ")]
    assert line.split()[1] == "none" and "1,000,000,000" not in out
    assert main(["explain", str(path), "--option", "gpt41", "--quantity", "long_context_above_input_tokens"]) == 0
    assert "value: none\n" in capsys.readouterr().out


def test_a_cost_line_is_explained_in_a_month_and_as_its_horizon_total_under_sum_of_its_name(results, capsys):
    """Bug hunt: `tco run` reports `gpu_rental_usd` as the horizon total, `tco explain --quantity gpu_rental_usd`
    explains month 1 (its header says so), and the horizon total of one line could not be explained at all."""
    from tco.engine.explanation import COST_LINE_TOTALS, explain_quantity, explainable

    assert set(COST_LINE_TOTALS) <= set(explainable())
    record = {r["option"]: r for r in results.options.iter_rows(named=True)}
    for row in results.rows:
        for total_name, line in COST_LINE_TOTALS.items():
            total = explain_quantity(results, row.scenario_id, row.option_id, total_name)
            monthly = explain_quantity(results, row.scenario_id, row.option_id, line, month=1)
            assert total.value == monthly.horizon_total == pytest.approx(record[row.option_id][line], abs=1e-9)
            assert total.month is None and [p.name for p in total.parts] == [line]
    option = results.rows[0].option_id
    assert main(["explain", str(SMALL), "--as-of", TODAY.isoformat(), "--option", option, "--quantity", "staff_usd"]) == 0
    assert "the figure `tco run` reports as staff_usd (--quantity sum_staff_usd explains it)" in capsys.readouterr().out


def test_an_unknown_scenario_is_named_as_the_problem_not_the_option(capsys):
    """Bug hunt: `--scenario nope` said the (valid) option was not in scenario `nope`, with an empty list of options."""
    from tco.run import run_scenarios

    option = run_scenarios([SMALL], today=TODAY, with_breakeven=False).results.rows[0].option_id
    code = main(["explain", str(SMALL), "--as-of", TODAY.isoformat(), "--option", option, "--quantity", "total_cost_usd",
                 "--scenario", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("--scenario: unknown scenario `nope`") and "hint: scenarios: " in err, err


def test_a_rounding_residue_reads_zero_not_a_tiny_negative_cost():
    """Bug hunt: a hybrid's month that sends nothing to the API read `value: -2.12746e-13 USD`."""
    from tco.commands.explain import _number

    assert (_number(-2.127464870937956e-13), _number(0.0), _number(1e-9), _number(-0.5)) == ("0", "0", "1e-09", "-0.5")
