"""One output schema: JSON, CSV, parquet, the table and `tco.evaluate()` use the same names, and CSV
numbers are the JSON numbers at full precision (issue 18 item 2)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

import tco
from tco.cli import main
from tco.report.results import CSV_COLUMNS, FRAME_COLUMNS, OUTPUT_COLUMNS, RESULT_COLUMNS, polars_schema
from tco.run import example_files

pytestmark = pytest.mark.xdist_group("examples-run")
"""One worker runs this module and tests/test_examples.py, so the bundled examples' outputs (`outputs`, whose JSON is the
session fixture `bundled_examples_json`) are computed once, not on each worker."""
AS_OF = "2026-11-27"
TODAY = dt.date(2026, 11, 27)

JSON_FIELDS_BEFORE_ISSUE_18 = (
    "scenario", "option", "kind", "rank", "description", "total_cost_usd", "npv_usd", "cost_per_million_tokens_usd",
    "cost_per_request_usd", "cost_per_llm_call_usd", "gpus_average", "gpus_peak", "utilization_average",
    "energy_kwh", "energy_kwh_per_million_tokens", "breakeven_reference_option", "breakeven_requests_per_day",
    "breakeven_at_step", "breakeven_month", "excluded_reason", "notes",
    "capability_model", "capability_score", "capability_verdict", "cost_per_capability_point_usd",
    "on_capability_frontier", "capability_note", "rank_below_requirement", "monthly_cost_usd", "breakdown_usd", "excluded",
)
"""The `tco run --format json` fields as main printed them before issue 18 (copied from its output): a contract."""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, bundled_examples_json):
    """JSON and CSV of `tco run` on every bundled example, same date (the JSON run with no file names them all:
    tests/conftest.py)."""
    assert AS_OF == "2026-11-27"  # the date of `bundled_examples_json`
    folder = tmp_path_factory.mktemp("out")
    files = [str(f) for f in example_files()]
    assert main(["run", *files, "--format", "csv", "--as-of", AS_OF, "--output", str(folder / "r.csv")]) == 0
    return json.loads(bundled_examples_json), folder / "r.csv"


def test_the_json_fields_of_before_are_all_kept_in_their_order_and_new_ones_come_after(outputs):
    records, _ = outputs
    names = list(records[0])
    assert names[:len(JSON_FIELDS_BEFORE_ISSUE_18)] == list(JSON_FIELDS_BEFORE_ISSUE_18)
    assert names == [c.name for c in RESULT_COLUMNS]


def test_polars_reads_every_numeric_csv_column_as_a_number_equal_to_the_json_value(outputs):
    records, csv_path = outputs
    frame = pl.read_csv(csv_path)  # no hints: what a user gets
    assert frame.columns == list(CSV_COLUMNS)
    kinds = {c.name: c.kind for c in OUTPUT_COLUMNS}
    checked = 0
    for name in frame.columns:
        if kinds[name] not in ("number", "integer"):
            continue
        values_json = [r[name] if name in r else r["breakdown_usd"][name] for r in records]
        if all(v is None for v in values_json):
            # a column empty in every row carries no type: the documented schema reads it as numbers
            assert pl.read_csv(csv_path, schema_overrides=polars_schema())[name].dtype in (pl.Float64, pl.Int64)
            continue
        expected = pl.Float64 if kinds[name] == "number" else pl.Int64
        assert frame[name].dtype == expected, name
        assert frame[name].to_list() == values_json, name  # exact: full precision, no rounding
        checked += 1
    # total_cost_usd passes a million in the bundled examples: no thousands separators any more
    assert max(r["total_cost_usd"] for r in records) > 1_000_000
    assert checked >= 20


def test_csv_numbers_are_plain_text_without_separators_or_quotes(outputs):
    _, csv_path = outputs
    text = csv_path.read_text()
    body = text.splitlines()[1:]
    first = dict(zip(text.splitlines()[0].split(","), body[0].split(",")))
    assert '"' not in first["total_cost_usd"] and "," not in first["total_cost_usd"]
    assert first["excluded"] in ("true", "false")


def test_parquet_and_evaluate_have_the_frame_columns_and_the_json_values(outputs, tmp_path):
    records, _ = outputs
    out = tmp_path / "r.parquet"
    assert main(["run", *map(str, example_files()), "--format", "parquet", "--as-of", AS_OF, "--output", str(out)]) == 0
    parquet = pl.read_parquet(out)
    frame = tco.evaluate(example_files(), today=TODAY)
    assert parquet.columns == frame.columns == list(FRAME_COLUMNS)
    assert frame.schema == parquet.schema
    assert frame["total_cost_usd"].to_list() == parquet["total_cost_usd"].to_list() == [r["total_cost_usd"] for r in records]
    assert frame["monthly_cost_usd"].to_list() == [r["monthly_cost_usd"] for r in records]
    assert frame["gpu_rental_usd"].to_list() == [r["breakdown_usd"]["gpu_rental_usd"] for r in records]
    # the names of the old evaluate() frame that issue 18 called confusing are gone
    assert not {"monthly_cost_usd_list", "scenario_id", "sum_requests_in_month"} & set(frame.columns)


def _customer_support() -> Path:
    return next(f for f in example_files() if f.name == "customer-support.yaml")


def test_evaluate_accepts_a_path_a_dict_and_a_string_of_yaml_with_the_same_result():
    path = _customer_support()
    text = path.read_text()
    data = yaml.safe_load(text)
    by_path = tco.evaluate(path, today=TODAY)
    by_str_path = tco.evaluate(str(path), today=TODAY)
    by_text = tco.evaluate(text, today=TODAY)
    by_dict = tco.evaluate(data, today=TODAY)
    by_one_scenario = tco.evaluate(data["scenarios"][0], today=TODAY)
    for other in (by_str_path, by_text, by_dict, by_one_scenario):
        assert other.equals(by_path)
    assert data == yaml.safe_load(text)  # the caller's dict is not changed


def test_evaluate_of_a_bad_dict_names_the_field_and_the_overrides_apply():
    data = yaml.safe_load(_customer_support().read_text())
    data["scenarios"][0]["workload"]["requests_per_day"] = -5
    with pytest.raises(tco.TcoUserError) as e:
        tco.evaluate(data, today=TODAY)
    assert any(p.file == "<dict>" and "requests_per_day" in p.field for p in e.value.problems)
    data["scenarios"][0]["workload"]["requests_per_day"] = 40000
    doubled = tco.evaluate(data, today=TODAY, overrides=["workload.requests_per_day=80000"])
    base = tco.evaluate(data, today=TODAY)
    api = lambda f: f.filter(pl.col("option") == "gpt-4.1-mini")["total_cost_usd"][0]  # noqa: E731
    assert api(doubled) == pytest.approx(2 * api(base), rel=1e-12)  # API cost is per token: twice the requests, twice the cost


def test_the_public_api_is_listed_documented_and_light_to_import():
    assert set(tco.__all__) <= set(dir(tco))
    for name in tco.__all__:
        if name != "__version__":
            assert getattr(tco, name).__doc__, name
    code = ("import sys, tco; heavy = [m for m in ('polars', 'pydantic', 'yaml', 'textual', 'openpyxl') if m in sys.modules]; "
            "print(','.join(heavy))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == ""


def test_every_output_column_has_a_unit_or_is_text_and_is_documented():
    for c in OUTPUT_COLUMNS:
        assert c.description
        if c.name.endswith("_usd"):
            assert c.unit.startswith("USD"), c.name
    doc = (Path(__file__).parents[2] / "docs" / "output.md").read_text()
    from tco.report.output_doc import render

    assert doc == render()


def test_the_documented_capability_verdicts_are_the_ones_the_engine_writes(outputs):
    """docs/output.md once listed `meets`, a verdict the engine never writes (it writes `qualifies`): a consumer
    filtering on the documented word got nothing. The description names each Verdict value, and no other."""
    import re

    from tco.engine.capability import Verdict

    description = next(c.description for c in OUTPUT_COLUMNS if c.name == "capability_verdict")
    assert set(re.findall(r"`([a-z]+)`", description)) == {v.value for v in Verdict}
    records, _ = outputs
    written = {r["capability_verdict"] for r in records if r["capability_verdict"]}
    assert written and written <= {v.value for v in Verdict}  # coding-agent.yaml has a capability requirement
