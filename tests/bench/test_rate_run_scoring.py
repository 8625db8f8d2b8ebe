"""`tco bench accuracy --hardware-dir` scores a team's own benchmark run as the whole run it was where the tool's
figures cover one (`whole_run`: vLLM's and SGLang's bench_serving report output tokens over the time from the first
request sent to the last completed): at a request rate, the arrivals' span and then the last request's life
(`predict_rate_run`); at a concurrency, the clients' closed loop and its drain (`predict_closed_loop_run`). Without it
the model's steady state is scored, as before. Run: SGLang's bench_serving JSONL of Llama-3.3-70B BF16 on 4 H200
(tests/data/bench-runs, MIT, provenance in its README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tco.bench.accuracy import (closed_loop_requests, config_of, model_cases, predict_run, rate_run_requests, usable)
from tco.engine.throughput import predict_at_rate, predict_closed_loop_run, predict_rate_run
from tco.load.bench_runs import file_sha256, read_bench_file
from tco.load.hardware import load_hardware
from tco.load.measurement_import import Deployment, to_measurements

DATA = Path(__file__).resolve().parents[1] / "data" / "bench-runs"
ONLINE = DATA / "sglang-2024-12_llama-3.3-70b_4xh200_online.jsonl"


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


@pytest.fixture(scope="module")
def online(catalog):
    """The seven runs at 1-16 requests a second, imported as `tco measurements import` does."""
    runs = read_bench_file(ONLINE)
    d = Deployment(model="llama-3.3-70b", gpu="h200", gpus=4, precision="bf16", date="2024-12-20")
    return to_measurements(runs, ONLINE.name, file_sha256(ONLINE), d, catalog)


def test_a_run_at_a_request_rate_is_scored_as_its_requests_then_the_last_ones_life(catalog, online):
    """The 8 requests/s run: 2,400 requests (its `completed`), 510 in / 508 out. Measured 3,515 output tokens/s, under the
    4,064 offered (2,400 x 508 tokens over 346.8 s: the last requests finish 47 s after the last is sent at about
    300 s). The steady state says 4,064 (15.6 % over); the run, 2,399 / 8 s of arrivals and then the last request's
    life, 3,898 (10.9 %): the tail the model works out is 13 s, at the mean output (the file's outputs run to 1,024)."""
    m = next(r for r in online if r.request_rate_per_s == 8.0)
    assert (m.whole_run, m.successful_requests, m.input_tokens, m.output_tokens) == (True, 2400, 510, 508)
    assert rate_run_requests(m) == 2400 and closed_loop_requests(m) is None
    model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
    run, steady = predict_run(catalog, m), predict_run(catalog, m, steady_state=True)
    assert steady == predict_at_rate(model, gpu, config_of(m), 8.0) and steady.output_tokens_per_s == 8.0 * 508
    assert run == predict_rate_run(model, gpu, config_of(m), 8.0, 2400)
    tail_s = 2400 * 508 / run.output_tokens_per_s - 2399 / 8.0
    assert 5 < tail_s < 47
    [scored] = model_cases(catalog, [m])
    [as_steady] = model_cases(catalog, [m], steady_state=True)
    assert as_steady.error == pytest.approx(15.6, abs=0.1)
    assert scored.error < as_steady.error - 3


def test_above_capacity_and_without_the_whole_run_the_rate_is_scored_as_before(catalog, online):
    """16 requests/s is above what the model says the replica serves (10.4): its capacity either way. A record that
    does not say it covers the whole run (GuideLLM's, inference-perf's windows) keeps the steady state at its rate."""
    flooded = next(r for r in online if r.request_rate_per_s == 16.0)
    assert predict_run(catalog, flooded) == predict_run(catalog, flooded, steady_state=True)
    unstated = next(r for r in online if r.request_rate_per_s == 8.0).model_copy(update={"whole_run": None})
    assert rate_run_requests(unstated) is None
    assert predict_run(catalog, unstated) == predict_run(catalog, unstated, steady_state=True)


def test_a_teams_closed_loop_run_over_its_whole_run_is_scored_with_its_drain(catalog):
    """A record at a fixed concurrency that covers its whole run (vLLM's bench_serving at --max-concurrency) is the
    closed loop of its successful requests: H0350's layout and figures (Dynamo + SGLang, 4 + 16 GB200, 128 clients)
    as a team's own run of 1,000 requests."""
    row = next(m for m in usable(catalog) if m.id == "inferencex:H0350")
    own = row.model_copy(update={"id": "user:own-run", "whole_run": True, "successful_requests": 1000})
    assert closed_loop_requests(own) == 1000 and rate_run_requests(own) is None
    model, gpu = catalog.models[own.model], catalog.gpus[own.gpu]
    run = predict_run(catalog, own)
    assert run == predict_closed_loop_run(model, gpu, config_of(own), 1000)
    assert run.output_tokens_per_s < predict_run(catalog, own, steady_state=True).output_tokens_per_s
