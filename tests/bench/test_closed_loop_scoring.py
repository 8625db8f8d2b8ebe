"""`tco bench accuracy` scores an InferenceX row as the closed-loop run it was: C clients sending 10 x C requests
(README-inferencex.md, "Workload"): the first C sent together (the burst), the steady state, then the drain
(`predict_closed_loop_run`), not the steady state alone. The published rows bear both out: a run that held C requests in
flight throughout would satisfy Little's law exactly (C = completions a second x a request's time, the time from the
row's own mean TTFT and TPOT); the rows hold a few per cent fewer, as much as the drain the model works out for them;
and their p99 TTFTs are the last of the burst's prompts, not a steady request's."""

from __future__ import annotations

import statistics
from dataclasses import replace

import pytest

from tco.bench.accuracy import (INFERENCEX_REQUESTS_PER_CLIENT, closed_loop_requests, config_of, model_cases, predict_run,
                                usable)
from tco.engine.throughput import predict_closed_loop_run, predict_model
from tco.engine.throughput.predict import first_wave_ttft_s


pytestmark = pytest.mark.xdist_group("regimes")
"""One worker runs this module (with tests/engine/test_regimes.py, which reads the same `bundled_model_cases`), so its
model runs (`scored`, `steady_top`) are computed once, not on each worker."""


@pytest.fixture(scope="module")
def catalog(bundled_hardware):
    return bundled_hardware


@pytest.fixture(scope="module")
def steady_top(catalog):
    """A row's steady state (`predict_model` on its config) and the burst's TTFT (`first_wave_ttft_s`) in seconds, by
    row id, computed once for the tests that read both."""
    cache = {}

    def top_and_first_wave(m):
        if m.id not in cache:
            model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
            config = config_of(m)
            top = predict_model(model, gpu, config)
            cache[m.id] = top, first_wave_ttft_s(model, gpu, config, top, m.concurrency)
        return cache[m.id]

    return top_and_first_wave


@pytest.fixture(scope="module")
def scored(catalog, bundled_model_cases):
    """Each InferenceX row scored as its run and at its steady state. As its run: `model_cases(catalog, rows)`, which
    scores each row on its own, so the InferenceX rows' cases of `model_cases(catalog)` (tests/conftest.py), in order."""
    rows = [m for m in usable(catalog) if m.id.startswith("inferencex:")]
    run = [c for c in bundled_model_cases if c.measurement.id.startswith("inferencex:")]
    assert [c.measurement.id for c in run] == [m.id for m in rows]
    return run, model_cases(catalog, rows, steady_state=True)


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


def _model_little_ratio(steady_top, m, run, steady):
    """The model's own Little's ratio for a run: completions a second x the mean time a request spent in it / C, the mean
    time a steady life but for the first C, whose TTFT is the burst's (`first_wave_ttft_s`)."""
    config = config_of(m)
    clients, requests, out = m.concurrency, closed_loop_requests(m), config.output_tokens
    top, first_s = steady_top(m)
    life_s = clients * out / steady
    burst_s = min(1.0, (requests - clients) / clients) * (first_s - top.ttft_ms / 1e3)
    return run / out * (life_s + clients / requests * burst_s) / clients


def test_the_drain_the_model_works_out_is_the_one_the_rows_measured(steady_top, scored):
    """Per row with a mean TTFT and TPOT and at least 2 clients: measured, Little's ratio (completions a second x
    (TTFT + (output - 1) x TPOT) / C); modelled, the same from the model's run (the first C lives with the burst's TTFT).
    The burst keeps all C in the replica, so the ratio is the drain's alone. Medians: single-node rows (whose count,
    10 x C, the harness states) 0.975 measured, 0.977 modelled; disaggregated rows (count not published, taken the
    same) 0.960 and 0.969. Scored as the steady state, every row would be taken at 1."""
    run, steady = scored
    ratio = {r.measurement.id: _model_little_ratio(steady_top, r.measurement, r.predicted_tokens_per_s, s.predicted_tokens_per_s)
             for r, s in zip(run, steady) if r.predicted_tokens_per_s and s.predicted_tokens_per_s and r.measurement.concurrency >= 2}
    rows = [c.measurement for c in run if c.measurement.id in ratio]

    def little(m):
        out = config_of(m).output_tokens
        return m.output_tokens_per_s / out * (m.ttft_ms + (out - 1) * m.tpot_ms) / 1e3 / m.concurrency

    for disaggregated, tolerance in ((False, 0.01), (True, 0.02)):
        group = [m for m in rows if m.disaggregated == disaggregated and m.ttft_ms and m.tpot_ms]
        assert len(group) > 50
        measured = statistics.median(little(m) for m in group)
        modelled = statistics.median(ratio[m.id] for m in group)
        assert measured < 0.98 and modelled < 0.98
        assert modelled == pytest.approx(measured, abs=tolerance)
    one_client = [r.predicted_tokens_per_s / s.predicted_tokens_per_s for r, s in zip(run, steady)
                  if r.measurement.concurrency == 1 and r.predicted_tokens_per_s]
    assert one_client and all(r == pytest.approx(1.0, abs=0.005) for r in one_client)  # no drain, no burst: one at a time


def test_the_first_wave_is_the_burst_the_rows_measured_at_their_p99(catalog, steady_top):
    """The first C requests go out together: the last of them waits for all the others' prompts. With 10 x C requests
    the slowest 1 % are the last tenth of that wave, about t1 + 0.9 (C - 1) p (t1 a lone request's TTFT, p a prompt at the
    full prefill rate). On the rows where that is longer than the model's steady TTFT, the published p99 TTFTs are
    1.6-1.8x it (medians per layout; the prefill of a burst is slower than full chunks), against 9-13x the steady p99:
    the run's start is a burst, at least as long as the model has it."""
    ratios = {False: ([], []), True: ([], [])}
    for m in usable(catalog):
        if not (closed_loop_requests(m) and m.ttft_p99_ms and m.concurrency >= 2):
            continue
        model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
        config = config_of(m)
        top, first_s = steady_top(m)
        alone_s = predict_model(model, gpu, replace(config, concurrency=1)).ttft_ms / 1e3
        point_s = alone_s + 0.9 * 2 * (first_s - alone_s)  # (C - 1) p is twice the mean wait
        if point_s > top.ttft_ms / 1e3:
            ratios[m.disaggregated][0].append(m.ttft_p99_ms / 1e3 / point_s)
            ratios[m.disaggregated][1].append(m.ttft_p99_ms / top.ttft_p99_ms)
    for burst, steady in ratios.values():
        assert len(burst) > 50
        assert 1.0 < statistics.median(burst) < 2.5
        assert statistics.median(steady) > 2 * statistics.median(burst)


def test_the_runs_score_closer_than_the_steady_state(scored):
    run, steady = scored
    assert statistics.median(c.error for c in run) < statistics.median(c.error for c in steady) - 1.0
