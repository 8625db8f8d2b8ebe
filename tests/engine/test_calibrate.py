"""`--calibrate`: the physical model scaled to a team's own measurements (issue 20 item 2).

The round trip: import a real AIPerf run (gpt-oss-20b, 1 x H100, vLLM, concurrency 100, 550 in / 243
out, 2,320.7 output tokens/s; tests/data/bench-runs/README.md), then ask for a neighbouring operating
point. With one measurement the scale is simply measured / model at the measured point, and the
answer is the model's figure at the new point times that scale: derived here from `--model-only`
queries, not from the calibration code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "bench-runs"
AIPERF = "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json"
MEASURED_TOKENS_PER_S = 2320.7  # output_token_throughput avg in the file (rounded to 0.1 as the command prints)
QUERY = ["--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm"]


def run(capsys, argv) -> dict:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)[0] if out.strip().startswith("[") else {}


@pytest.fixture()
def imported(capsys, tmp_path):
    run(capsys, ["measurements", "import", str(DATA / AIPERF), "--out", str(tmp_path), *QUERY])
    return tmp_path


def throughput(capsys, hardware_dir, *flags) -> dict:
    return run(capsys, ["throughput", "--hardware-dir", str(hardware_dir), "--format", "json", *QUERY, *flags])


def test_calibrate_scales_a_neighbouring_operating_point_by_measured_over_model(capsys, imported):
    lengths = ["--input-tokens", "550", "--output-tokens", "243"]
    model_at_measurement = throughput(capsys, imported, *lengths, "--concurrency", "100", "--model-only")["output_tokens_per_s"]
    model_at_query = throughput(capsys, imported, *lengths, "--concurrency", "50", "--model-only")["output_tokens_per_s"]
    scale = MEASURED_TOKENS_PER_S / model_at_measurement
    row = throughput(capsys, imported, *lengths, "--concurrency", "50", "--calibrate")
    assert row["basis"] == "calibrated" and row["measurement_ids"]
    assert row["calibration_scale"] == pytest.approx(scale, rel=1e-3)  # the command rounds to 0.1 tokens/s
    assert row["output_tokens_per_s"] == pytest.approx(model_at_query * scale, rel=1e-3)
    assert row["model_output_tokens_per_s"] == pytest.approx(model_at_query, abs=0.1)
    # without --calibrate the same query is the model's (a fixed-concurrency run answers only its own concurrency)
    assert throughput(capsys, imported, *lengths, "--concurrency", "50")["basis"] == "model"


def test_at_the_measured_point_the_measurement_is_used_as_is_with_the_model_beside_it(capsys, imported):
    lengths = ["--input-tokens", "550", "--output-tokens", "243", "--concurrency", "100"]
    model = throughput(capsys, imported, *lengths, "--model-only")["output_tokens_per_s"]
    row = throughput(capsys, imported, *lengths, "--calibrate")
    assert row["basis"] == "measurement"
    assert row["output_tokens_per_s"] == pytest.approx(MEASURED_TOKENS_PER_S, abs=0.05)
    assert row["model_output_tokens_per_s"] == pytest.approx(model, abs=0.1)
    assert row["model_error_pct"] == pytest.approx(100 * (model / MEASURED_TOKENS_PER_S - 1), abs=0.1)


def test_other_lengths_are_scaled_too(capsys, imported):
    other = ["--input-tokens", "2000", "--output-tokens", "500", "--concurrency", "100"]
    model = throughput(capsys, imported, *other, "--model-only")["output_tokens_per_s"]
    row = throughput(capsys, imported, *other, "--calibrate")
    assert row["basis"] == "calibrated"
    assert row["output_tokens_per_s"] == pytest.approx(model * row["calibration_scale"], rel=1e-3)


def test_a_scenario_option_with_calibrate_says_its_throughput_was_calibrated(capsys, imported, tmp_path_factory):
    import datetime as dt

    from tco.run import run_scenarios

    scenario = tmp_path_factory.mktemp("scenario") / "calibrated.yaml"  # not in the hardware folder
    scenario.write_text("""
schema_version: 1
scenarios:
  - id: own-runs
    workload: {requests_per_day: 50000, input_tokens: 550, output_tokens: 243}
    finance: {horizon_months: 12, start_date: 2026-12-01}
    options:
      - {kind: self-hosted, id: calibrated, model: gpt-oss-20b, gpu: h100-sxm, gpus_per_replica: 1, precision: bf16,
         engine: vllm, calibrate: true, payment: {mode: on-demand, gpu_usd_per_hour: 2.5}}
      - {kind: self-hosted, id: model, model: gpt-oss-20b, gpu: h100-sxm, gpus_per_replica: 1, precision: bf16,
         engine: vllm, payment: {mode: on-demand, gpu_usd_per_hour: 2.5}}
""")
    run = run_scenarios([scenario], today=dt.date(2026, 12, 1), hardware_dirs=[imported])
    calibrated, model = run.results.row("own-runs", "calibrated"), run.results.row("own-runs", "model")
    assert calibrated.throughput.basis == "calibrated" and model.throughput.basis == "model"
    assert any("calibrated to measurements" in n for n in calibrated.notes)
    assert calibrated.throughput.output_tokens_per_s == pytest.approx(
        model.throughput.output_tokens_per_s * calibrated.throughput.calibration_scale)


def test_the_scale_is_taken_at_the_limit_the_run_was_measured_with(capsys, tmp_path):
    """The same run imported as measured under an engine limit of 64 sequences (--max-batch 64): the scale is measured /
    model at 100 requests in flight with at most 64 running, whatever limit the query asks; and the run stands as the
    answer ("measurement") only for a query with its limit."""
    run(capsys, ["measurements", "import", str(DATA / AIPERF), "--out", str(tmp_path), *QUERY, "--max-batch", "64"])
    at = ["--input-tokens", "550", "--output-tokens", "243", "--concurrency", "100"]
    model_at_measurement = throughput(capsys, tmp_path, *at, "--max-batch", "64", "--model-only")["output_tokens_per_s"]
    scale = MEASURED_TOKENS_PER_S / model_at_measurement
    model_at_query = throughput(capsys, tmp_path, *at, "--model-only")["output_tokens_per_s"]  # vLLM's own limit, 1,024
    assert model_at_query > model_at_measurement
    row = throughput(capsys, tmp_path, *at, "--calibrate")
    assert row["basis"] == "calibrated" and row["calibration_scale"] == pytest.approx(scale, rel=1e-3)
    assert row["output_tokens_per_s"] == pytest.approx(model_at_query * scale, rel=1e-3)
    assert throughput(capsys, tmp_path, *at, "--max-batch", "64", "--calibrate")["basis"] == "measurement"


def test_calibration_takes_only_measurements_of_the_same_layout_and_drafting():
    """InferenceX publishes DeepSeek-R1 FP8 on 8 MI355X under SGLang (TP8, aggregated) with and without MTP: a replica
    without speculative decoding is scaled by the MTP-free rows only, an MTP replica by the MTP rows only (a drafting
    step is another step than the one measured), and a disaggregated question by none of the aggregated rows."""
    from dataclasses import replace

    from tco.engine.throughput import ServingConfig, predict
    from tco.load.catalog import load_catalog

    catalog = load_catalog()
    model, gpu = catalog.models["deepseek-r1"], catalog.gpus["mi355x"]
    by_id = {m.id: m for m in catalog.measurements}
    base = ServingConfig(gpus=8, tp=8, precision="fp8", engine="sglang", input_tokens=1000, output_tokens=1000, concurrency=64)
    for spec in ("none", "mtp"):
        r = predict(model, gpu, replace(base, spec_method=spec), catalog.measurements, calibrate=True)
        assert r.basis == "calibrated" and r.measurement_ids
        assert {by_id[i].spec_method for i in r.measurement_ids} == {spec}
        assert not any(by_id[i].disaggregated for i in r.measurement_ids)
    apart = predict(model, gpu, replace(base, tp=None, disaggregated=True, prefill_gpus=4), catalog.measurements, calibrate=True)
    assert apart.basis == "model"
