"""The field map (tco/engine/fields.py) is the one translation between scenario paths and formula inputs.

The property test is the issue's acceptance: for any field the map declares, on every option kind,
sweeping a value gives the same totals as `tco run --set` on that value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tco.commands.sweep import sweep
from tco.engine import fields as FM
from tco.engine import formulas as F
from tco.engine.evaluate import INPUT_NAMES, evaluate_totals, inputs_table
from tco.engine.rows import NEUTRAL_INPUTS, build_rows
from tco.errors import TcoUserError
from tco.load.catalog import load_catalog, providers_of
from tco.load.scenarios import load_scenario_files

ALL_KINDS = Path(__file__).parents[1] / "data" / "fields" / "all_kinds.yaml"
MIXED = Path(__file__).parents[1] / "data" / "fields" / "mixed.yaml"
"""The mixed fleet (a reserved base with bursts) needs an hourly profile: its own file."""
TODAY = dt.date(2026, 12, 1)
LOOKUP_ONLY = {"has_self_hosted", "is_overflow", "is_autoscaled", "is_purchased", "is_reserved", "is_mixed", "gpus_per_instance",
               "count_beyond_horizon", "burst_gpus_per_instance",
               # the GPU offers' dates (months a backtest pays the offer's price)
               "has_gpu_price_history", "gpu_price_known_months", "burst_gpu_price_known_months",
               *(p.name for p in F.profile),
               # API billing rules read from the price sheet (issue 15)
               "long_context_above_input_tokens", "long_context_input_ratio", "long_context_output_ratio",
               *(w.name for w in F.price_window),
               "time_of_day_input_ratio", "time_of_day_output_ratio", "time_of_day_cache_read_ratio",
               "has_api_price_history", "api_price_known_months", "usd_per_thousand_requests", "cached_call_share",
               *(f"price_change_{k}_{what}" for k in (1, 2, 3) for what in (
                   "month", "input_ratio", "output_ratio", "cache_read_ratio", "time_of_day_input_ratio",
                   "time_of_day_output_ratio", "time_of_day_cache_read_ratio", "cache_write_ratio",
                   "long_context_above_input_tokens", "long_context_input_ratio", "long_context_output_ratio"))}
"""Formula inputs no single field sets: structure flags (from `kind`, `mode`, `fleet`), the GPUs
per instance from the offer, the profile weights (the normalised `hourly_profile`), and the API billing
rules' lookups in the price sheet (tier, time-of-day window in the profile's `timezone`, recorded
price changes, request fee)."""


@pytest.fixture(scope="module")
def catalog():
    loaded = load_scenario_files([ALL_KINDS])
    return load_catalog(providers_of(loaded.scenarios), [], [])


def run_totals(catalog, overrides: list[str], file: Path = ALL_KINDS) -> dict[str, float]:
    """What `tco run --set ...` computes: load with the overrides, resolve the rows, evaluate."""
    loaded = load_scenario_files([file], overrides)
    rows, problems = build_rows(loaded.scenarios, catalog, TODAY)
    if problems:  # e.g. a call longer than the model's context window: `tco run` refuses it (exit 2)
        from tco.load.scenarios import problems_from_rows

        raise TcoUserError(problems_from_rows(loaded, problems))
    totals = evaluate_totals(inputs_table([r.values for r in rows], [r.row for r in rows]))
    out = flat([r.option_id for r in rows], totals)
    for r in rows:  # emissions without a grid intensity (and an API's) are not known: null, as tco run reports them
        if not r.carbon_known:
            out[f"{r.option_id}:carbon_kg_co2e"] = None
    return out


def sweep_totals(catalog, path: str, text: str, value, file: Path = ALL_KINDS) -> dict[str, float]:
    frame = sweep([file], [], [(path, [text], [value])], TODAY, catalog=catalog)
    return flat(frame["option"].to_list(), frame)


def flat(options: list[str], frame) -> dict[str, float]:
    """{"<option>:total_cost_usd": ..., "<option>:npv_usd": ..., "<option>:carbon_kg_co2e": ...} of every option."""
    return {f"{o}:{name}": v for name in ("total_cost_usd", "npv_usd", "carbon_kg_co2e")
            for o, v in zip(options, frame[name].to_list())}


def option_ids(scope: str) -> list[str]:
    loaded = load_scenario_files([ALL_KINDS])
    return [o.id for o in loaded.scenarios[0].options if FM.SCOPE_OF_KIND[o.kind] == scope]


OWNER_OF = {
    "gpu_usd_per_hour": "on-demand", "spot_interruption_overhead": "spot", "overflow_replicas": "overflow",
    "self_hosted_share": "share", "term_months": "reserved", "upfront_share": "reserved",
    "payment.burst.gpu_usd_per_hour": "mixed",
    **{key: "purchased" for key in ("purchase_usd_per_gpu", "depreciation_years", "residual_value_share",
                                    "cost_of_capital_per_year", "usd_per_kwh", "pue", "idle_power_share",
                                    "server_power_per_gpu_kw", "hosting_usd_per_kw_month",
                                    "maintenance_share_of_capex_per_year", "power_inflation_per_year")},
}
"""The option of tests/data/fields/all_kinds.yaml on which a field has an effect (power is paid on bought GPUs)."""

NUMERIC_FIELDS = [f for f in FM.FIELDS if f.input is not None and f.ui in ("number", "whole")]


def value_for(field: FM.Field):
    """A value inside the schema's bounds, in the range people type (not 1e300, nor 1e-300: the loader
    refuses non-zero magnitudes below tco.load.scenarios.MIN_SCENARIO_NUMBER)."""
    low, high = FM.bounds(field)
    low = 0.0 if low is None else low
    high = min(high if high is not None else low + 1e4, low + 1e4)
    if field.ui == "whole":
        return st.integers(int(math.ceil(low)) + (1 if low == 0 and field.key in ("horizon_months",) else 0), int(high))
    from tco.load.scenarios import MIN_SCENARIO_NUMBER

    return st.floats(low, high, allow_nan=False, allow_infinity=False).filter(
        lambda v: (v > low or low == 0) and (v == 0 or abs(v) >= MIN_SCENARIO_NUMBER))


@st.composite
def field_path_value(draw):
    field = draw(st.sampled_from(NUMERIC_FIELDS))
    if field.scope in FM.OPTION_SCOPES:
        path = f"options.{draw(st.sampled_from(option_ids(field.scope)))}.{'.'.join(field.path)}"
    else:
        path = field.yaml_path
    value = draw(value_for(field))
    return field, path, value


SWEEP_HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=10, deadline=None, suppress_health_check=SWEEP_HEALTH)
@given(case=field_path_value())
def test_sweeping_any_mapped_field_gives_what_run_with_set_gives(catalog, case):
    """Everyday ten random (field, value) pairs (each field once is the test below); the slow step draws 80 more."""
    check_sweep_equals_run_with_set(catalog, case)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=SWEEP_HEALTH)
@given(case=field_path_value())
def test_sweeping_many_more_mapped_fields_gives_what_run_with_set_gives(catalog, case):
    check_sweep_equals_run_with_set(catalog, case)


def check_sweep_equals_run_with_set(catalog, case):
    field, path, value = case
    text = repr(value)
    try:
        expected = run_totals(catalog, [f"{path}={text}"])
    except TcoUserError:
        with pytest.raises(TcoUserError):  # a value --set refuses, the sweep refuses too
            sweep_totals(catalog, path, text, value)
        return
    got = sweep_totals(catalog, path, text, value)
    assert got.keys() == expected.keys()
    for option, total in expected.items():
        assert got[option] == pytest.approx(total, rel=1e-9, abs=1e-6), (path, value, option)


@pytest.fixture(scope="module")
def unchanged_totals(catalog):
    """`run_totals(catalog, [], file)`, computed once per file and text for the module (the tests below only read it)."""
    cache: dict[tuple[str, str], dict[str, float]] = {}

    def totals(file: Path) -> dict[str, float]:
        key = (str(file), file.read_text())
        if key not in cache:
            cache[key] = run_totals(catalog, [], file)
        return dict(cache[key])

    return totals


@pytest.mark.parametrize("field", NUMERIC_FIELDS, ids=lambda f: f"{f.scope}:{'.'.join(f.path)}")
def test_every_mapped_field_moves_the_totals_the_way_run_with_set_does(catalog, unchanged_totals, field, tmp_path):
    """Each field of the map, once, at a value away from the file's: no field is left untried."""
    owner = (OWNER_OF.get(".".join(field.path)) or OWNER_OF.get(field.key, option_ids(field.scope)[0])
             if field.scope != "api-provisioned" else option_ids(field.scope)[0]) if field.scope in FM.OPTION_SCOPES else None
    path = f"options.{owner}.{'.'.join(field.path)}" if owner else field.yaml_path
    value = {"requests_per_month": 300_000}.get(field.key) or value_away_from_the_file(field, owner)
    file = MIXED if owner == "mixed" else ALL_KINDS
    if field.key == "requests_per_month":  # a file gives exactly one volume: one written per month
        file = tmp_path / "per_month.yaml"
        file.write_text(ALL_KINDS.read_text().replace("requests_per_day: 20000", "requests_per_month: 600000"))
    if field.key == "peak_to_average":  # read only without an hourly_profile, where overflow (hour by hour) is refused
        file = tmp_path / "peak.yaml"
        text = re.sub(r"hourly_profile: \[.*\].*", "peak_to_average: 2.0", ALL_KINDS.read_text())
        file.write_text(text.replace("mode: overflow\n        overflow_replicas: 2", "mode: share\n        self_hosted_share: 0.3")
                        .replace("        overflow_api: gpt-4.1-mini\n", ""))
    expected = run_totals(catalog, [f"{path}={value}"], file)
    got = sweep_totals(catalog, path, repr(value), value, file)
    assert expected != unchanged_totals(file), f"{path} changed nothing"
    for option, total in expected.items():
        assert got[option] == pytest.approx(total, rel=1e-9, abs=1e-6), (path, value, option)


def value_away_from_the_file(field: FM.Field, option_id: str | None):
    """A value the schema accepts and the file does not hold: halfway from the file's value to the bound."""
    scenario = load_scenario_files([MIXED if option_id == "mixed" else ALL_KINDS]).scenarios[0]
    owner = next(o for o in scenario.options if o.id == option_id) if option_id else getattr(scenario, field.scope)
    current = field.value_in(owner)
    low, high = FM.bounds(field)
    if field.ui == "whole":
        return current + 1 if current is not None and (high is None or current + 1 <= high) else (low or 0) + 1
    if current is None:
        return (low or 0) + 5.0
    if high is not None and current >= high:
        return (current + (low or 0)) / 2
    return (current + (high if high is not None else 2 * current + 1)) / 2


def test_a_field_that_feeds_a_lookup_is_rebuilt_and_still_equals_run_with_set(catalog):
    """Token counts feed the throughput model and the price tier: the sweep re-resolves the rows."""
    from tco.engine.sweep import input_targets

    loaded = load_scenario_files([ALL_KINDS])
    rows, _ = build_rows(loaded.scenarios, catalog, TODAY)
    assert input_targets("workload.input_tokens", loaded.scenarios, rows) is None
    assert sweep_totals(catalog, "workload.input_tokens", "5000", 5000) == pytest.approx(
        run_totals(catalog, ["workload.input_tokens=5000"]), rel=1e-9)


def test_every_field_names_a_schema_key_and_a_formula_input():
    for f in FM.FIELDS:
        assert f.key in f.model().model_fields, f.yaml_path
        assert f.input is None or f.input in INPUT_NAMES, f.yaml_path


def test_every_formula_input_a_user_can_change_has_a_field():
    set_by_fields = FM.inputs_set_by_fields()
    assert set(INPUT_NAMES) - set_by_fields - LOOKUP_ONLY == set()
    assert set(NEUTRAL_INPUTS) <= set(INPUT_NAMES)


def test_where_a_value_passes_through_unchanged_the_yaml_key_and_the_input_are_one_word():
    for f in FM.FIELDS:
        if f.input is not None and f.scale == 1.0 and f.offset == 0.0:
            assert f.input in (f.key, "_".join(f.path[-2:])), f"{f.yaml_path} sets {f.input}"


def test_sensitivity_and_monte_carlo_move_only_inputs_the_field_map_sets():
    from tco.engine.sensitivity import DEFAULT_RANGES
    from tco.engine.uncertainty import DEFAULT_SPREADS

    for r in (*DEFAULT_RANGES, *DEFAULT_SPREADS):
        assert set(r.inputs) <= FM.inputs_set_by_fields(), r.name


def test_bounds_come_from_the_schema():
    assert FM.bounds(FM.find("workload", ["cacheable_prefix_share"])) == (0.0, 1.0)
    assert FM.bounds(FM.find("finance", ["horizon_months"])) == (1.0, 120.0)
    assert FM.bounds(FM.find("self-hosted", ["payment", "gpu_usd_per_hour"])) == (0.0, None)


def test_an_older_key_is_read_as_its_new_name_with_a_warning_that_names_it(tmp_path):
    text = ALL_KINDS.read_text().replace("gpu_usd_per_hour: 3.0", "usd_per_gpu_hour: 3.0").replace(
        "overflow_replicas: 2", "replicas: 2")
    old = tmp_path / "old.yaml"
    old.write_text(text)
    loaded = load_scenario_files([old])
    by_id = {o.id: o for o in loaded.scenarios[0].options}
    assert by_id["on-demand"].payment.gpu_usd_per_hour == 3.0
    assert by_id["overflow"].overflow_replicas == 2
    messages = {w.field: (w.line, w.message, w.severity) for w in loaded.warnings}
    line_old_price = next(i for i, s in enumerate(text.splitlines(), 1) if "usd_per_gpu_hour: 3.0" in s)
    assert messages["scenarios[0].options[1].payment.usd_per_gpu_hour"] == (
        line_old_price, "`usd_per_gpu_hour` is now called `gpu_usd_per_hour`; read as `gpu_usd_per_hour`", "warning")
    assert "scenarios[0].options[6].replicas" in messages


def test_both_spellings_at_once_is_an_error_naming_the_older_one(tmp_path):
    both = tmp_path / "both.yaml"
    both.write_text(ALL_KINDS.read_text().replace("gpu_usd_per_hour: 3.0", "gpu_usd_per_hour: 3.0, usd_per_gpu_hour: 3.0"))
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([both])
    assert [p.field for p in e.value.problems] == ["scenarios[0].options[1].payment.usd_per_gpu_hour"]
    assert "both `gpu_usd_per_hour` and its older spelling `usd_per_gpu_hour`" in e.value.problems[0].message


def test_an_older_key_given_by_set_is_migrated_too(catalog):
    assert run_totals(catalog, ["options.on-demand.payment.usd_per_gpu_hour=5"]) == pytest.approx(
        run_totals(catalog, ["options.on-demand.payment.gpu_usd_per_hour=5"]))
    assert run_totals(catalog, ["options.overflow.replicas=3"]) == pytest.approx(
        run_totals(catalog, ["options.overflow.overflow_replicas=3"]))


def test_a_key_named_like_an_older_spelling_inside_a_nested_mapping_is_not_renamed():
    """A hybrid's older `replicas` is `overflow_replicas`; a mixed fleet's `payment.base.replicas` is its own key."""
    from tco.load.scenarios import _new_spelling

    assert _new_spelling(["options", "mixed", "payment", "base", "replicas"], None, "x=1") == [
        "options", "mixed", "payment", "base", "replicas"]
    assert _new_spelling(["options", "overflow", "replicas"], None, "x=1") == ["options", "overflow", "overflow_replicas"]


def test_the_field_reference_in_the_docs_is_current():
    from tco.report.fields_doc import fields_markdown

    doc = Path(__file__).parents[2] / "docs" / "fields.md"
    assert doc.read_text() == fields_markdown(), "run: python -m tco.report.fields_doc > docs/fields.md"


def test_sweeping_the_volume_chooses_an_auto_base_again_as_run_with_set_does():
    """`replicas: auto` is the cheapest base for the traffic (tco.engine.base_size): `--set` chooses it at
    the new volume, so the sweep must too. At 4x the commitments example's volume the base chosen at
    1.5 M requests/day is no longer the cheapest: keeping it costs more than what the sweep reports."""
    commitments = Path(__file__).parents[2] / "tco" / "examples" / "commitments.yaml"
    loaded = load_scenario_files([commitments])
    catalog = load_catalog(providers_of(loaded.scenarios), [], [])
    rows, _ = build_rows(loaded.scenarios, catalog, TODAY)
    base_today = int(next(r for r in rows if r.option_id == "reserved-base-bursts").values["base_replicas"])
    swept = sweep_totals(catalog, "workload.requests_per_day", "6000000", 6_000_000, file=commitments)
    ran = run_totals(catalog, ["workload.requests_per_day=6000000"], file=commitments)
    assert swept == pytest.approx(ran, rel=1e-9)
    kept = run_totals(catalog, ["workload.requests_per_day=6000000",
                                f"options.reserved-base-bursts.payment.base.replicas={base_today}"], file=commitments)
    assert swept["reserved-base-bursts:total_cost_usd"] < kept["reserved-base-bursts:total_cost_usd"] - 1.0
