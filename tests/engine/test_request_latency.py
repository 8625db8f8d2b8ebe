"""`request_latency_ms`: the time a request spends outside the engine's steps before its first token, as measured for
the user's own stack, in place of the fitted figure (InferenceX's harness, docs/throughput.md "The request latency on
runs outside InferenceX")."""

from __future__ import annotations

import json
from dataclasses import replace

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


def test_the_cli_and_the_scenario_accept_the_same_range():
    """The CLI checks the range without importing the scenario model (`tco --help` stays fast): the two must agree."""
    from tco.commands.throughput import REQUEST_LATENCY_RANGE, _request_latency
    from tco.model.scenario import SelfHostedOption

    metadata = SelfHostedOption.model_fields["request_latency_ms"].metadata
    bounds = {name: getattr(m, name) for m in metadata for name in ("ge", "le") if hasattr(m, name)}
    assert bounds == {"ge": 0, "le": 60_000} and "from 0 to 60,000" in REQUEST_LATENCY_RANGE
    assert (_request_latency("0"), _request_latency("60000"), _request_latency("60000.1")) == (0.0, 60_000.0, None)
