"""The expression walk and the one explanation builder both front ends render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tco.engine.expr import Input, children, direct_parts, inputs_of, named, named_parts, walk

SMALL = Path(__file__).resolve().parents[1] / "export" / "data" / "small.yaml"
TODAY = dt.date(2026, 11, 27)


def test_children_are_the_direct_sub_terms_left_to_right():
    a, b, c = Input("a", "A"), Input("b", "B"), Input("c", "C")
    total = a + b * c
    assert children(total) == (total.left, total.right) and total.left is a
    assert children(a) == ()
    part = named("bc", "b times c", b * c)
    assert children(part) == (part.term,)


def test_a_shared_named_part_is_walked_once_and_innermost_first():
    a, b = Input("a", "A"), Input("b", "B")
    inner = named("inner", "a plus b", a + b)
    outer = named("outer", "twice inner", inner + inner)
    nodes = list(walk(outer))
    assert sum(1 for t in nodes if t is inner) == 1
    assert [p.name for p in named_parts(outer)] == ["inner", "outer"]
    assert [i.name for i in inputs_of(outer * a)] == ["a", "b"]
    # stopping at named parts: the formula's own parts, not theirs
    top = named("top", "outer plus b", outer + b)
    assert [p.name for p in direct_parts(top.term)] == ["outer"]
    assert Input not in {type(t) for t in walk(top.term, enter_named=False) if t is not b}


@pytest.fixture(scope="module")
def results():
    from tco.run import run_scenarios

    return run_scenarios([SMALL], today=TODAY, with_breakeven=False).results


def test_an_api_cost_is_explained_by_its_price_and_tokens_with_the_price_source(results):
    from tco.engine.explanation import explain_quantity

    row = next(r for r in results.rows if r.kind == "api")
    e = explain_quantity(results, row.scenario_id, row.option_id, "api_output_usd", month=2)
    assert e.month == 2 and e.unit == "USD"
    inputs = {i.name: i for i in e.inputs}
    price = inputs["output_usd_per_million_tokens"]
    assert price.value == row.values["output_usd_per_million_tokens"]
    assert price.source == row.provenance["output_usd_per_million_tokens"].source and price.source
    assert inputs["month"].value == 2.0 and inputs["month"].from_engine
    assert not any(name.startswith("gpu_") for name in inputs)  # no self-hosted branch in an API option
    parts = {p.name: p.value for p in e.parts}
    # the formula's own product, multiplied here (not read from the engine's output)
    assert e.value == pytest.approx(parts["api_million_output_tokens"] * parts["blended_output_usd_per_million_tokens"]
                                    * parts["api_price_factor"], rel=1e-12)
    assert e.as_dict()["inputs"][0].keys() == {"name", "label", "unit", "value", "source", "as_of", "note"}


def test_the_ui_text_lists_the_inputs_the_builder_found(results):
    from tco.engine.explanation import describe_inputs, row_values
    from tco.tui.explain_text import COLUMN_FORMULAS, explain_cell

    row = next(r for r in results.rows if r.kind == "api")
    text = explain_cell(results, row.option_id, "cost_per_million_tokens_usd")
    used = describe_inputs(row, [COLUMN_FORMULAS["cost_per_million_tokens_usd"]], row_values(results, row))
    for i in used:
        if not i.from_engine:
            assert f"  {i.name} = " in text, i.name


def test_inputs_left_at_their_default_are_labelled_defaults_not_the_scenario_file():
    # The bundled regulated example's on-demand option writes no operations block: its PUE (1) and idle share (0)
    # are the fields' defaults, not figures the scenario chose; the option's gpus_per_replica (2) it does write.
    from tco.engine.explanation import explain_quantity
    from tco.run import example_files, run_scenarios

    regulated = next(p for p in example_files() if p.stem == "regulated")
    results = run_scenarios([regulated], today=TODAY, with_breakeven=False).results
    e = explain_quantity(results, "regulated", "llama-3.3-70b-aws-on-demand", "energy_kwh_in_month", 1)
    inputs = {i.name: i for i in e.inputs}
    for name in ("pue", "idle_power_share"):
        assert inputs[name].source == "default", name
        assert f"operations.{name} not in the scenario" in inputs[name].note
    assert inputs["gpus_per_replica"].source == "scenario file"
    # a value given with --set is the scenario's again
    changed = run_scenarios([regulated], today=TODAY, with_breakeven=False,
                            overrides=["options.llama-3.3-70b-aws-on-demand.operations.pue=1.15"]).results
    e = explain_quantity(changed, "regulated", "llama-3.3-70b-aws-on-demand", "energy_kwh_in_month", 1)
    assert {i.name: i.source for i in e.inputs}["pue"] == "scenario file"


def test_the_gpu_price_history_flags_are_worked_out_by_llm_tco_not_written_in_the_scenario_file():
    """Workbook hunt: `has_gpu_price_history` and `gpu_price_known_months` of an option with a typed price said source
    "scenario file", though no key of the file sets them."""
    from tco.run import run_scenarios

    support = Path(__file__).resolve().parents[1] / "tui" / "data" / "support.yaml"  # a typed $3.00 per GPU-hour
    results = run_scenarios([support], today=TODAY, with_breakeven=False).results
    typed = [r for r in results.rows if r.kind == "self-hosted" and r.values["has_gpu_price_history"] == 0.0]
    assert typed
    for row in typed:
        assert row.provenance["has_gpu_price_history"].source == "llm-tco"
        assert row.provenance["gpu_price_known_months"].source == "llm-tco"
        assert "changes from month 1" in row.provenance["gpu_price_known_months"].note
