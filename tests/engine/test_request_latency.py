"""`request_latency_ms`: the time a request spends outside the engine's steps before its first token, as measured for
the user's own stack, in place of the fitted figure (InferenceX's harness, docs/throughput.md "The request latency on
runs outside InferenceX")."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from tco.cli import main
from tco.engine.throughput import FITTED, ServingConfig, predict_model
from tco.load.hardware import load_hardware

FITTED_MS = FITTED.request_latency_s * 1e3


@pytest.mark.parametrize("disaggregated", [False, True])
def test_a_given_request_latency_replaces_the_fitted_one_in_every_ttft(disaggregated):
    """Llama-3.1-8B FP8 on 2 H100 under vLLM, 1,000 in / 200 out. With one request in flight nothing queues: the TTFT
    is the fitted latency (68.36 ms) + the prefill (+ the handoff, disaggregated), so 10 ms in its place shortens every
    percentile by exactly 58.36 ms and leaves the decode step alone. With 8 in flight the loop turns faster (each
    request waits less before it decodes): more tokens a second, the TTFT shorter by about the same."""
    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    config = ServingConfig(gpus=2, input_tokens=1000, output_tokens=200, precision="fp8", engine="vllm",
                           disaggregated=disaggregated, concurrency=1)
    fitted, given = (predict_model(model, gpu, replace(config, request_latency_ms=ms)) for ms in (None, 10.0))
    assert (fitted.request_latency_ms, given.request_latency_ms) == (pytest.approx(FITTED_MS), 10.0)
    for name in ("ttft_ms", "ttft_p90_ms", "ttft_p99_ms"):
        assert getattr(fitted, name) - getattr(given, name) == pytest.approx(FITTED_MS - 10.0, rel=1e-9), name
    assert given.tpot_ms == pytest.approx(fitted.tpot_ms, rel=1e-12)
    loaded = [predict_model(model, gpu, replace(config, concurrency=8, request_latency_ms=ms)) for ms in (None, 10.0)]
    assert loaded[1].output_tokens_per_s > loaded[0].output_tokens_per_s
    assert loaded[0].ttft_ms - loaded[1].ttft_ms == pytest.approx(FITTED_MS - 10.0, rel=0.01)


def test_the_flag_and_the_batch_column_give_the_same_row(tmp_path, capsys):
    """`--request-latency-ms 10` and a `request_latency_ms` column of 10: the same JSON row, which reports it; an empty
    cell takes the fitted figure and says so."""
    flags = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
             "--input-tokens", "1000", "--output-tokens", "200", "--concurrency", "4", "--model-only", "--format", "json"]
    assert main(["throughput", *flags, "--request-latency-ms", "10"]) == 0
    [single] = json.loads(capsys.readouterr().out)
    csv = tmp_path / "b.csv"
    row = "llama-3.1-8b,h100-sxm,1,bf16,vllm,1000,200,4,"
    csv.write_text(f"model,gpu,gpus,precision,engine,input_tokens,output_tokens,concurrency,request_latency_ms\n{row}10\n{row}\n")
    assert main(["throughput", "--batch", str(csv), "--model-only", "--format", "json"]) == 0
    given, default = json.loads(capsys.readouterr().out)
    assert given == single and single["request_latency_ms"] == 10
    assert default["request_latency_ms"] == round(FITTED_MS, 2) and default["ttft_ms"] > single["ttft_ms"]


@pytest.mark.parametrize("cell", ["-1", "abc", "90000"])
def test_a_bad_request_latency_names_the_file_line_and_column(tmp_path, capsys, cell):
    csv = tmp_path / "b.csv"
    csv.write_text(f"model,gpu,gpus,input_tokens,output_tokens,request_latency_ms\nllama-3.1-8b,h100-sxm,1,201,63,{cell}\n")
    assert main(["throughput", "--batch", str(csv)]) != 0
    err = capsys.readouterr().err
    assert f"{csv}:2: request_latency_ms: must be a number of milliseconds from 0 to 60,000 (got '{cell}')" in err
    assert "Traceback" not in err


def test_a_bad_request_latency_flag_is_refused_by_name(capsys):
    args = ["throughput", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--input-tokens", "100",
            "--output-tokens", "10", "--request-latency-ms", "-5"]
    assert main(args) != 0
    err = capsys.readouterr().err
    assert "--request-latency-ms: must be a number of milliseconds from 0 to 60,000" in err and "Traceback" not in err


def test_the_cli_the_scenario_and_a_measurement_accept_the_same_range():
    """The CLI checks the range without importing the scenario model (`tco --help` stays fast): the CLI's flags
    (`tco throughput`, `tco measurements import`), a scenario's option and a measurement record must agree."""
    from tco.commands.throughput import REQUEST_LATENCY_RANGE, parse_request_latency_ms
    from tco.model.hardware import ThroughputMeasurement
    from tco.model.scenario import SelfHostedOption

    for record in (SelfHostedOption, ThroughputMeasurement):
        metadata = record.model_fields["request_latency_ms"].metadata
        bounds = {name: getattr(m, name) for m in metadata for name in ("ge", "le") if hasattr(m, name)}
        assert bounds == {"ge": 0, "le": 60_000}, record
    assert "from 0 to 60,000" in REQUEST_LATENCY_RANGE
    assert math.copysign(1.0, parse_request_latency_ms("-0")) == 1.0  # written back to files and JSON as 0.0, not -0.0
    assert (parse_request_latency_ms("0"), parse_request_latency_ms("60000"), parse_request_latency_ms("60000.1")) == (0.0, 60_000.0, None)


def _measured(**fields):
    from tco.model.hardware import ThroughputMeasurement

    return ThroughputMeasurement(**{"id": "user:run", "model": "llama-3.1-8b", "gpu": "h100-sxm", "num_gpus": 1,
                                    "precision": "fp8", "engine": "vllm", "input_tokens": 1000, "output_tokens": 200,
                                    "source": "a team's own run", "as_of": "2026-12-06", **fields})


def test_a_run_under_load_stands_only_for_the_request_latency_it_was_taken_with():
    """At 16 requests in flight each request's TTFT is time it holds a slot without decoding, so a stack's latency
    moves the throughput (Little's law): a run measured with 12 ms outside the engine answers a query stating 12 ms,
    not one stating none or 100 ms (the model answers those). A run that queued everything at once is the engine's
    ceiling whatever the latency: the TensorRT-LLM table row answers a query stating any."""
    from tco.engine.throughput import predict

    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    run = _measured(scenario="fixed_concurrency", concurrency=16, output_tokens_per_s=1234.0, request_latency_ms=12.0)
    asked = ServingConfig(gpus=1, precision="fp8", engine="vllm", input_tokens=1000, output_tokens=200, concurrency=16)
    same = predict(model, gpu, replace(asked, request_latency_ms=12.0), [run])
    assert (same.basis, same.output_tokens_per_s, same.request_latency_ms) == ("measurement", 1234.0, 12.0)
    for other in (None, 100.0):
        assert predict(model, gpu, replace(asked, request_latency_ms=other), [run]).basis == "model"
    [row] = [m for m in catalog.measurements if m.id == "trtllm-v0.17:M0047"]
    offline = ServingConfig(gpus=1, precision="fp8", engine="trtllm", runtime="cpp", input_tokens=128, output_tokens=128)
    for given in (None, 10.0, 500.0):
        r = predict(catalog.models[row.model], catalog.gpus[row.gpu], replace(offline, request_latency_ms=given), catalog.measurements)
        assert (r.basis, r.output_tokens_per_s) == ("measurement", row.output_tokens_per_s)


def test_an_imported_run_is_scored_with_the_request_latency_given_for_its_stack(tmp_path, capsys):
    """llm-d's vLLM run (Llama-3.1-8B BF16, 2 replicas x 1 H100, 3.6 requests/s of 7,999 in / 200 out; median TTFT
    244.1 ms measured) imported with --request-latency-ms 0: the record keeps 0 and is scored as `tco throughput` asks
    with 0, the TTFT the fitted 68.36 ms shorter than scored without (docs/throughput.md, "The request latency on runs
    outside InferenceX": 309.2 -> 240.8 ms). A figure outside 0-60,000 ms is refused by flag name, nothing written."""
    from tco.bench.accuracy import config_of, model_cases, usable
    from tco.engine.throughput import predict_at_rate

    run = str(Path(__file__).resolve().parents[1] / "data" / "bench-runs" / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json")
    flags = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--replicas", "2", "--precision", "bf16"]
    scored = {}
    for name, extra in (("given", ["--request-latency-ms", "0"]), ("fitted", [])):
        folder = tmp_path / name
        folder.mkdir()
        assert main(["measurements", "import", run, "--out", str(folder), *flags, *extra]) == 0
        catalog = load_hardware(extra_dirs=[folder])
        [scored[name]] = model_cases(catalog, [m for m in usable(catalog) if m.id.startswith("user:")])
    assert (scored["given"].measurement.request_latency_ms, scored["fitted"].measurement.request_latency_ms) == (0.0, None)
    asked = predict_at_rate(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"],
                            replace(config_of(scored["fitted"].measurement), request_latency_ms=0.0), 3.6)
    assert scored["given"].predicted_ttft_ms == pytest.approx(asked.ttft_ms, rel=1e-12)
    assert scored["fitted"].predicted_ttft_ms - scored["given"].predicted_ttft_ms == pytest.approx(FITTED_MS, abs=0.5)
    assert scored["given"].as_metric("ttft").error < scored["fitted"].as_metric("ttft").error
    capsys.readouterr()
    refused = tmp_path / "refused"
    refused.mkdir()
    assert main(["measurements", "import", run, "--out", str(refused), *flags, "--request-latency-ms", "-5"]) != 0
    err = capsys.readouterr().err
    assert "--request-latency-ms: must be a number of milliseconds from 0 to 60,000 (got -5)" in err and "Traceback" not in err
    assert not any(refused.iterdir())
