"""`tco bench accuracy` scores an InferenceX row as the closed-loop run it was: C clients sending 10 x C requests
(README-inferencex.md, "Workload"), the steady state and then the drain (`predict_closed_loop_run`), not the steady
state alone. The published rows bear it out: a run that held C requests in flight throughout would satisfy Little's law
exactly (C = completions a second x a request's time, the time from the row's own mean TTFT and TPOT); the rows hold
a few per cent fewer, as much as the drain the model works out for them."""

from __future__ import annotations

import statistics

import pytest

from tco.bench.accuracy import (INFERENCEX_REQUESTS_PER_CLIENT, closed_loop_requests, config_of, model_cases, predict_run,
                                usable)
from tco.engine.throughput import predict_closed_loop_run, predict_model
from tco.load.hardware import load_hardware


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


@pytest.fixture(scope="module")
def scored(catalog):
    """Each InferenceX row scored as its run and at its steady state."""
    rows = [m for m in usable(catalog) if m.id.startswith("inferencex:")]
    return model_cases(catalog, rows), model_cases(catalog, rows, steady_state=True)


def test_an_inferencex_row_is_scored_as_ten_requests_a_client_and_a_steady_state_on_request(catalog):
    """H0350: Dynamo + SGLang on 20 GB200 (prefill 4, decode 16), 1k / 1k, 128 clients: 1,280 requests."""
    m = next(m for m in usable(catalog) if m.id == "inferencex:H0350")
    model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
    assert m.concurrency == 128 and closed_loop_requests(m) == INFERENCEX_REQUESTS_PER_CLIENT * 128 == 1280
    run, steady = predict_run(catalog, m), predict_run(catalog, m, steady_state=True)
    assert run == predict_closed_loop_run(model, gpu, config_of(m), 1280)
    assert steady == predict_model(model, gpu, config_of(m))
    assert 0.95 * steady.output_tokens_per_s < run.output_tokens_per_s < 0.99 * steady.output_tokens_per_s
    assert (run.ttft_ms, run.tpot_ms) == (steady.ttft_ms, steady.tpot_ms)  # the latencies stay the steady state's


def test_only_a_harness_that_says_how_many_requests_it_sent_is_scored_as_a_run(catalog):
    """TensorRT-LLM's offline rows (no clients) are the steady state either way; so is a team's own run at a fixed
    concurrency (`tco measurements import`, ids `user:`), whose tool may have stopped at a time, not a count, unless
    its record says it covers the whole run (`whole_run`, tests/bench/test_rate_run_scoring.py)."""
    offline = next(m for m in usable(catalog) if m.id.startswith("trtllm"))
    assert closed_loop_requests(offline) is None
    assert predict_run(catalog, offline) == predict_run(catalog, offline, steady_state=True)
    own = next(m for m in usable(catalog) if m.id == "inferencex:H0350").model_copy(update={"id": "user:H0350"})
    assert closed_loop_requests(own) is None
    assert predict_run(catalog, own) == predict_run(catalog, own, steady_state=True)


def test_the_drain_the_model_works_out_is_the_one_the_rows_measured(scored):
    """Per row with a mean TTFT and TPOT and at least 2 clients: measured, Little's ratio (completions a second x
    (TTFT + (output - 1) x TPOT) / C); modelled, the run over the steady state. Medians: single-node rows (whose count,
    10 x C, the harness states) 0.975 measured, 0.977 modelled; disaggregated rows (count not published, taken the
    same) 0.960 and 0.969. Scored as the steady state, every row would be taken at 1."""
    run, steady = scored
    ratio = {r.measurement.id: r.predicted_tokens_per_s / s.predicted_tokens_per_s
             for r, s in zip(run, steady) if r.predicted_tokens_per_s and s.predicted_tokens_per_s}
    rows = [c.measurement for c in run if c.measurement.id in ratio]

    def little(m):
        out = config_of(m).output_tokens
        return m.output_tokens_per_s / out * (m.ttft_ms + (out - 1) * m.tpot_ms) / 1e3 / m.concurrency

    for disaggregated, tolerance in ((False, 0.01), (True, 0.02)):
        group = [m for m in rows if m.disaggregated == disaggregated and m.concurrency >= 2 and m.ttft_ms and m.tpot_ms]
        assert len(group) > 50
        measured = statistics.median(little(m) for m in group)
        modelled = statistics.median(ratio[m.id] for m in group)
        assert measured < 0.98 and modelled < 0.98
        assert modelled == pytest.approx(measured, abs=tolerance)
    one_client = [ratio[m.id] for m in rows if m.concurrency == 1]
    assert one_client and all(r == pytest.approx(1.0, abs=0.005) for r in one_client)  # no drain: one at a time


def test_the_runs_score_closer_than_the_steady_state(scored):
    run, steady = scored
    assert statistics.median(c.error for c in run) < statistics.median(c.error for c in steady) - 1.0
