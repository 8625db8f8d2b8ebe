"""The analysis commands end to end on a bundled example: sweep, breakeven, diff, explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main
from tco.paths import examples_dir

AS_OF = ["--as-of", "2026-11-27"]


@pytest.fixture(scope="module")
def example() -> Path:
    return examples_dir() / "growing-product.yaml"


def run_json(capsys, *argv) -> list | dict:
    capsys.readouterr()
    assert main([*argv, *AS_OF]) == 0
    return json.loads(capsys.readouterr().out)


def totals_of(capsys, example, *sets) -> dict[str, float]:
    args = ["run", str(example), "--format", "json", "--no-breakeven"]
    for s in sets:
        args += ["--set", s]
    return {r["option"]: r["total_cost_usd"] for r in run_json(capsys, *args)}


def test_sweep_matches_run_with_set_at_every_grid_point(capsys, example):
    rows = run_json(capsys, "sweep", str(example), "--vary", "workload.requests_per_day=2000,40000",
                    "--vary", "options.1.payment.gpu_usd_per_hour=2.5,4", "--format", "json")
    assert len(rows) == 2 * 2 * 3
    for volume in (2000, 40000):
        for price in (2.5, 4):
            want = totals_of(capsys, example, f"workload.requests_per_day={volume}", f"options.1.payment.gpu_usd_per_hour={price}")
            got = {r["option"]: r["total_cost_usd"] for r in rows
                   if r["workload.requests_per_day"] == volume and r["options.1.payment.gpu_usd_per_hour"] == price}
            assert got == pytest.approx(want)


def test_sweep_rebuilds_rows_for_a_path_that_is_not_an_input(capsys, example):
    rows = run_json(capsys, "sweep", str(example), "--vary", "workload.output_tokens=200,400", "--format", "json")
    assert [r["workload.output_tokens"] for r in rows] == [200.0] * 3 + [400.0] * 3
    for tokens in (200, 400):
        want = totals_of(capsys, example, f"workload.output_tokens={tokens}")
        got = {r["option"]: r["total_cost_usd"] for r in rows if r["workload.output_tokens"] == tokens}
        assert got == pytest.approx(want)


def test_sweep_refuses_a_bad_value_naming_the_vary(capsys, example):
    assert main(["sweep", str(example), "--vary", "workload.requests_per_day=100,-5", *AS_OF]) == 2
    err = capsys.readouterr().err
    assert "requests_per_day" in err and "--vary workload.requests_per_day=-5" in err
    assert "Traceback" not in err


def test_sweep_writes_parquet_and_csv(tmp_path, capsys, example):
    import polars as pl

    out = tmp_path / "grid.parquet"
    assert main(["sweep", str(example), "--vary", "finance.horizon_months=12,24,36", "--format", "parquet", "-o", str(out), *AS_OF]) == 0
    frame = pl.read_parquet(out)
    assert frame.height == 9 and frame["finance.horizon_months"].unique().sort().to_list() == [12.0, 24.0, 36.0]
    assert main(["sweep", str(example), "--vary", "finance.horizon_months=12", "--format", "csv", *AS_OF]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("point,finance.horizon_months,scenario,option")


def test_breakeven_reports_equal_costs_at_the_break_even(capsys, example):
    records = run_json(capsys, "breakeven", str(example), "--format", "json")
    assert {r["kind"] for r in records} <= {"self-hosted", "hybrid"} and records
    for r in records:
        if r["breakeven_requests_per_day"] is not None and not r["at_step"]:
            assert r["self_hosted_total_usd_at_breakeven"] == pytest.approx(r["api_total_usd_at_breakeven"], rel=1e-3)
    r = records[0]
    if r["breakeven_requests_per_day"] is not None:
        at = totals_of(capsys, example, f"workload.requests_per_day={r['breakeven_requests_per_day']!r}")
        assert at[r["option"]] == pytest.approx(r["self_hosted_total_usd_at_breakeven"], rel=1e-9)


def test_diff_shows_only_changed_lines_with_their_deltas(tmp_path, capsys, example):
    new = tmp_path / "new.yaml"
    new.write_text(example.read_text().replace("spare_replicas: 1", "spare_replicas: 2"))
    records = run_json(capsys, "diff", str(example), str(new), "--format", "json")
    options = {o["option"]: o for o in records[0]["options"]}
    api = [o for o in options.values() if o["kind"] == "api"][0]
    assert api["status"] == "unchanged" and api["lines"] == {}
    own = [o for o in options.values() if o["kind"] == "self-hosted"][0]
    assert own["status"] == "changed" and set(own["lines"]) <= {"gpu_rental_usd", "software_usd", "power_usd", "hosting_usd",
                                                                "depreciation_usd", "cost_of_capital_usd"}
    assert own["total_delta_usd"] == pytest.approx(sum(l["delta_usd"] for l in own["lines"].values()))
    assert own["total_delta_usd"] > 0
    before = totals_of(capsys, example)
    assert own["total_old_usd"] == pytest.approx(before[own["option"]])
    assert main(["diff", str(example), str(new), *AS_OF]) == 0
    text = capsys.readouterr().out
    assert f"~ {own['option']}" in text and "GPUs: rental" in text and api["option"] + " (api)" not in text


def test_explain_gives_formula_inputs_sources_and_the_engine_value(capsys, example):
    e = run_json(capsys, "explain", str(example), "--option", "gpt-4.1", "--quantity", "api_output_usd", "--month", "2", "--format", "json")
    assert e["formula"].startswith("((((million output tokens from the API × output price after the batch share)")
    names = {i["name"]: i for i in e["inputs"]}
    assert names["output_usd_per_million_tokens"]["source"].startswith("http") and names["output_usd_per_million_tokens"]["as_of"]
    assert "gpu_usd_per_hour" not in names  # an API option's explanation shows no GPU inputs
    parts = {p["name"]: p["value"] for p in e["parts"]}
    # no long-context tier, no time-of-day window, no recorded change: those factors are 1 (issue 15 billing rules)
    assert (parts["long_context_output_factor_in_month"], parts["time_of_day_output_factor"]) == (1.0, 1.0)
    assert "price_history_output_ratio" not in parts  # folded away: the horizon meets no recorded change
    assert e["value"] == pytest.approx(parts["api_million_output_tokens"] * parts["blended_output_usd_per_million_tokens"]
                                       * parts["api_price_factor"])
    run = run_json(capsys, "run", str(example), "--format", "json", "--no-breakeven")
    monthly = [r for r in run if r["option"] == "gpt-4.1"][0]
    assert sum(monthly["breakdown_usd"].values()) == pytest.approx(monthly["total_cost_usd"])
    total = run_json(capsys, "explain", str(example), "--option", "gpt-4.1", "--quantity", "total_cost_usd", "--format", "json")
    assert total["value"] == pytest.approx(monthly["total_cost_usd"])


def test_explain_suggests_a_name_for_an_unknown_quantity(capsys, example):
    assert main(["explain", str(example), "--option", "gpt-4.1", "--quantity", "gpu_rentl", *AS_OF]) == 2
    err = capsys.readouterr().err
    assert "did you mean `gpu_rental_usd`?" in err and "known quantities:" in err and "replicas_static" in err


def test_explain_of_committed_api_capacity_speaks_of_units_and_a_self_hosted_one_of_gpus(capsys):
    # Committed API capacity (Azure PTUs, `kind: api-provisioned`) is costed by the reserved-fleet formulas with one
    # unit per replica. `tco explain` headed it "GPUs: reserved terms" and listed `gpus_per_instance ... GPUs` and
    # `gpu_usd_per_hour ... USD per GPU-hour`, although the option runs no GPUs (the UI and the workbook said units).
    from tco.engine.explanation import all_inputs, quantities

    commitments = str(examples_dir() / "commitments.yaml")
    asked = ["explain", commitments, "--quantity", "reserved_usd", "--month", "3"]
    capsys.readouterr()
    assert main([*asked, "--option", "gpt-4.1-ptu", *AS_OF]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0] == "reserved_usd: provisioned units: reserved terms (spread over each term) (USD)"
    units = {line.split()[0]: line.split()[2:] for line in table.split("\ninputs\n")[1].split("\n\n")[0].splitlines()[2:]}
    assert units["gpus_per_instance"] == ["units"] and units["gpus_per_replica"] == ["units"]
    assert units["gpu_usd_per_hour"] == ["USD", "per", "unit-hour"] and units["min_replicas"] == ["units"]
    assert "GPU" not in table  # names such as gpu_usd_per_hour stay (they are what --quantity takes); no word says GPU

    e = run_json(capsys, *asked, "--option", "gpt-4.1-ptu", "--format", "json")
    hosted = run_json(capsys, *asked, "--option", "reserved-base-bursts", "--format", "json")
    assert list(e) == list(hosted)  # the same fields as for any other kind; only labels, units and formula words differ
    assert all(list(i) == list(hosted["inputs"][0]) for i in e["inputs"])
    assert e["label"] == "provisioned units: reserved terms (spread over each term)" and e["unit"] == "USD"
    assert "GPU" not in json.dumps(e)
    inputs = {i["name"]: i for i in e["inputs"]}
    assert (inputs["gpu_usd_per_hour"]["label"], inputs["gpu_usd_per_hour"]["unit"]) == ("price per unit-hour", "USD per unit-hour")
    parts = {p["name"]: p["value"] for p in e["parts"]}
    # the figure is untouched: reserved_usd spreads the value of the terms running evenly over a term's months; the
    # example reserves PTUs for 1 year (BILLING.md 1.8: 1-month or 1-year reservations, billed whether used or not)
    assert inputs["term_months"]["value"] == 12
    assert e["value"] == pytest.approx(parts["reserved_in_term_usd"] / 12)

    # a self-hosted reserved base reads as before: every label and unit is the formula's own
    assert hosted["label"] == quantities()["reserved_usd"].label and hosted["label"].startswith("GPUs: ")
    assert all(p["label"] == quantities()[p["name"]].label for p in hosted["parts"])
    assert all((i["label"], i["unit"]) == (all_inputs()[i["name"]].label, all_inputs()[i["name"]].unit) for i in hosted["inputs"])
    assert {i["name"]: i["unit"] for i in hosted["inputs"]}["gpu_usd_per_hour"] == "USD per GPU-hour"


PTU_ONLY = """
schema_version: 1
scenarios:
  - id: ptu
    workload: {requests_per_day: 1500000, input_tokens: 2000, output_tokens: 300}
    finance: {horizon_months: 12, start_date: 2026-12-01}
    options:
      - kind: api
        id: gpt-4.1
        provider: openai
        model: gpt-4.1
      - kind: api-provisioned
        id: gpt-4.1-ptu
        provider: azure-openai
        model: gpt-4.1
        usd_per_unit_hour: 0.05            # ASSUMPTION (test input): cheap enough to beat the per-token price
        tokens_per_minute_per_unit: 3000   # Azure gpt-4.1 input TPM per PTU (BILLING.md 1.8)
        output_token_weight: 4
        minimum_units: 15
        term_months: 12
        source: ASSUMPTION (test input)
"""


def test_committed_api_capacity_is_not_called_self_hosting(tmp_path, capsys, monkeypatch):
    # Committed API capacity (Azure PTU) is bought from the provider: when it wins, the sentence does not say
    # "self-hosting pays", the break-even table names the option's total, not a self-hosted one, and the
    # Monte Carlo has no "self-hosting wins" share when no option runs GPUs of its own.
    monkeypatch.setenv("COLUMNS", "400")
    path = tmp_path / "ptu.yaml"
    path.write_text(PTU_ONLY)
    capsys.readouterr()
    assert main(["run", str(path), *AS_OF]) == 0
    out = capsys.readouterr().out
    assert "gpt-4.1-ptu (api-provisioned) is cheapest" in out
    assert "; committed API capacity pays from " in out and "self-hosting" not in out
    assert main(["breakeven", str(path), *AS_OF]) == 0
    out = capsys.readouterr().out
    assert "option $ there" in out and "self-hosted" not in out
    assert main(["uncertainty", str(path), "--draws", "20", *AS_OF]) == 0
    assert "self-hosting is cheaper" not in capsys.readouterr().out


def test_uncertainty_json_is_strict_json_an_unbounded_spread_reads_null(capsys, example):
    """RFC 8259 has no Infinity or NaN: jq and JavaScript's JSON.parse refuse a document holding them. A spread
    without a floor (the API price scale) is written `null`, one with a floor keeps it (utilization cap 0.05)."""
    assert main(["uncertainty", str(example), "--draws", "20", "--format", "json"]) == 0
    text = capsys.readouterr().out
    assert "Infinity" not in text and "NaN" not in text
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    spreads = {s["name"]: s for s in data[0]["spreads"]}
    assert spreads["api_prices"]["floor"] is None and spreads["api_prices"]["ceiling"] is None
    assert spreads["utilization_cap"]["floor"] == 0.05 and spreads["utilization_cap"]["ceiling"] == 1.0


def table_cells(text: str) -> list[dict[str, str]]:
    """A --wide table's rows as {header: cell text}, cut at the columns its dashed line marks."""
    lines = text.splitlines()
    dashes = next(i for i, line in enumerate(lines) if line.startswith("--"))
    spans, start = [], 0
    for part in lines[dashes].split("  "):
        if part:
            spans.append((start, start + len(part)))
        start += len(part) + 2
    def cut(line: str) -> list[str]:
        return [line[a:b if k + 1 < len(spans) else None].strip() for k, (a, b) in enumerate(spans)]
    headers = cut(lines[dashes - 1])
    rows = []
    for line in lines[dashes + 1:]:
        if not line.strip() or line.startswith(("(", "A tie", "columns:")) or line[0] == " ":
            break
        rows.append(dict(zip(headers, cut(line))))
    return rows


def test_sweep_shows_its_figures_as_tco_run_does(capsys, monkeypatch):
    """Before: 54610.5, 0.0525332, 0.00694103 (six significant digits), ranks 1 and 2 for a tie, and a narrow table that
    left out the total. Now each figure reads as in `tco run`'s table (one formatter, tco.report.run_table.CELL_TEXTS)."""
    batch = examples_dir() / "batch-extraction.yaml"
    capsys.readouterr()
    assert main(["run", str(batch), "--wide", *AS_OF]) == 0
    run_rows = {r["option"]: r for r in table_cells(capsys.readouterr().out.split("\n", 1)[1])}
    assert main(["sweep", str(batch), "--vary", "workload.requests_per_day=300000", "--wide", *AS_OF]) == 0
    sweep_rows = {r["option"]: r for r in table_cells(capsys.readouterr().out)}
    assert sweep_rows.keys() == run_rows.keys()
    shared = [c for c in next(iter(sweep_rows.values())) if c in next(iter(run_rows.values()))]
    assert {"rank", "total_cost_usd", "cost_per_million_tokens_usd", "utilization_average", "energy_kwh"} <= set(shared)
    for option, row in sweep_rows.items():
        assert {c: row[c] for c in shared} == {c: run_rows[option][c] for c in shared}, option
    assert sweep_rows["gpt-4.1-nano-batch"]["rank"] == "=1" and sweep_rows["llama-3.1-8b-l40s-spot"]["total_cost_usd"] == "63,831"
    assert sweep_rows["llama-3.1-8b-l40s-spot"]["workload.requests_per_day"] == "300,000"
    # a narrow terminal keeps the total and leaves out the scenario and kind first
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["sweep", str(batch), "--vary", "workload.requests_per_day=300000", *AS_OF]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "total_cost_usd" in header and "kind" not in header


def test_sweep_reports_emissions_as_not_known_where_run_does(capsys):
    """No grid intensity in the example: `tco run` says null; the sweep said 0 kgCO2e (JSON, CSV, table)."""
    batch = examples_dir() / "batch-extraction.yaml"
    run = {r["option"]: r["carbon_kg_co2e"] for r in run_json(capsys, "run", str(batch), "--format", "json")}
    rows = run_json(capsys, "sweep", str(batch), "--vary", "workload.requests_per_day=1000,300000", "--format", "json")
    assert set(run.values()) == {None}
    assert [r["carbon_kg_co2e"] for r in rows] == [None] * 6


def test_diff_aligns_the_cost_lines_of_every_option_and_says_a_tie_for_cheapest(tmp_path, capsys):
    """Before: each option's cost lines were padded to its own longest label (the API's deltas at column 32, the GPUs'
    at 25), and "cheapest: gpt-4.1-nano-batch" named one of two options that cost the same to the cent (tco run: a tie)."""
    batch = examples_dir() / "batch-extraction.yaml"
    new = tmp_path / "new.yaml"
    new.write_text(batch.read_text().replace("requests_per_day: 300000", "requests_per_day: 200000"))
    capsys.readouterr()
    assert main(["diff", str(batch), str(new), *AS_OF]) == 0
    text = capsys.readouterr().out
    lines = [line for line in text.splitlines() if line.startswith("    ")]
    assert {"API: output", "GPUs: rental"} <= {line.strip().split("  ")[0] for line in lines}
    assert len({line.index(" ($") for line in lines}) == 1, lines  # the old -> new amounts start in one column
    assert len({line.index("$") for line in lines}) == 1, lines  # so do the changes
    assert "  cheapest: gpt-4.1-nano-batch, gemini-2.5-flash-lite (a tie), $37,390 -> $24,927 (-$12,463)" in text
    records = run_json(capsys, "diff", str(batch), str(new), "--format", "json")
    assert records[0]["cheapest_new"]["tied_with"] == ["gemini-2.5-flash-lite"]


def test_diff_says_committed_api_capacity_in_units_not_gpus(tmp_path, capsys):
    """The PTU's reserved lines read "GPUs: reserved terms": committed API capacity pays for units, not GPUs (README,
    BILLING.md 1.8), as `tco explain`, the UI and the workbook already said (`label_for_kind`)."""
    commitments = examples_dir() / "commitments.yaml"
    text = commitments.read_text()
    volume = next(line for line in text.splitlines() if "requests_per_day:" in line)
    new = tmp_path / "new.yaml"
    new.write_text(text.replace(volume, volume.split(":")[0] + ": 80000", 1))
    capsys.readouterr()
    assert main(["diff", str(commitments), str(new), *AS_OF]) == 0
    out = capsys.readouterr().out
    ptu = out.split("~ gpt-4.1-ptu (api-provisioned)")[1].split("\n~ ")[0].split("  cheapest")[0]
    assert "provisioned units: reserved terms" in ptu and "GPUs" not in ptu
    assert "GPUs: rental" in out  # the self-hosted options keep their GPU lines
