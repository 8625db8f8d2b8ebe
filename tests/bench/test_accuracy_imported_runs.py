"""`tco bench accuracy --hardware-dir`: a team's own benchmark runs (imported with `tco measurements import`) are
scored at the load they were measured at. Real files: SGLang bench_serving JSONL of Llama-3.3-70B BF16, TP4 on
4 H200 (tests/data/bench-runs, MIT; README there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "bench-runs"
FLAGS = ["--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16", "--date", "2024-12-15"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from tco.bench.accuracy import model_cases, usable
    from tco.load.hardware import load_hardware

    folder = tmp_path_factory.mktemp("runs")
    for name in ("sglang-2024-12_llama-3.3-70b_4xh200_online.jsonl", "sglang-2024-12_llama-3.3-70b_4xh200_offline.jsonl"):
        assert main(["measurements", "import", str(DATA / name), "--out", str(folder), *FLAGS]) == 0
    catalog = load_hardware(extra_dirs=[folder])
    runs = [m for m in usable(catalog) if m.id.startswith("user:")]
    return folder, {c.measurement.id: c for c in model_cases(catalog, runs)}


def test_a_run_at_a_fixed_request_rate_is_scored_at_that_rate(imported):
    """Line 1 of the online file: request_rate 1, 300 requests of 534 output tokens on average, 537.4 output tokens/s
    measured. The model, offered 1 request/s (far below the replica's capacity), serves 1 x 534 = 534 tokens/s at its
    steady state; the run (the file covers it whole, `whole_run`) is 299 s of arrivals and then the last request's life,
    519 tokens/s: 3.4 % off (the run measured more than was offered: its intervals summed short). Scored as the
    replica's capacity instead, as before 2026-12-03, it was about 5,400 (10x)."""
    from tco.bench.accuracy import config_of
    from tco.engine.throughput import predict_at_rate, predict_rate_run
    from tco.load.hardware import load_hardware

    _, cases = imported
    [case] = [c for c in cases.values() if c.measurement.request_rate_per_s == 1.0]
    m = case.measurement
    assert m.output_tokens == 534 and m.output_tokens_per_s == pytest.approx(537.4142851849319)
    assert (m.whole_run, m.successful_requests) == (True, 300)
    catalog = load_hardware()
    model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
    assert predict_at_rate(model, gpu, config_of(m), 1.0).output_tokens_per_s == pytest.approx(1.0 * 534, rel=1e-12)
    run = predict_rate_run(model, gpu, config_of(m), 1.0, 300).output_tokens_per_s
    assert case.predicted_tokens_per_s == run and 0.96 * 534 < run < 534
    assert case.error == pytest.approx(abs(run / 537.4142851849319 - 1) * 100, rel=1e-9)
    assert case.has("ttft")  # the latency of a request at that load is a serving latency: scored


def test_an_offline_run_keeps_its_throughput_score_but_not_its_ttft(imported):
    """Line 1 of the offline file: 3,000 requests sent at once, median TTFT 91.3 s: the wait of a queue of everything
    sent, set by how many were sent; the model's TTFT (a request of a running replica) is not compared with it."""
    _, cases = imported
    offline = [c for c in cases.values() if c.measurement.scenario == "offline_max_throughput"]
    assert len(offline) == 7 and all(c.measurement.ttft_p50_ms for c in offline)
    assert not any(c.has("ttft") for c in offline) and all(c.has("throughput") for c in offline)


def test_with_finite_runs_an_offline_run_is_scored_as_the_requests_it_queued(imported, capsys):
    """Line 3 of the offline file: 800 requests of 2,047 in / 1,023 out sent at once (`completed` 800), a little under
    two of the model's batches. By default it is scored against the steady state; with `--finite-runs` as that run
    (`predict_offline_run`: a full batch, then the rest as a smaller one), a little lower."""
    from tco.bench.accuracy import config_of, model_cases, summary
    from tco.engine.throughput import predict_model, predict_offline_run
    from tco.load.hardware import load_hardware

    folder, cases = imported
    catalog = load_hardware(extra_dirs=[folder])
    model, gpu = catalog.models["llama-3.3-70b"], catalog.gpus["h200"]
    [short] = [c for c in cases.values() if c.measurement.successful_requests == 800]
    config = config_of(short.measurement)
    steady = predict_model(model, gpu, config)
    assert 400 < steady.concurrency < 800  # one full batch and one partial one
    assert short.predicted_tokens_per_s == steady.output_tokens_per_s  # the default
    [as_run] = model_cases(catalog, [short.measurement], finite_runs=True)
    assert as_run.predicted_tokens_per_s == predict_offline_run(model, gpu, config, 800).output_tokens_per_s
    assert as_run.predicted_tokens_per_s < steady.output_tokens_per_s
    # the report with --finite-runs scores every offline run so, and leaves out the hold-outs (fitted the default way)
    assert main(["bench", "accuracy", "--hardware-dir", str(folder), "--source", "user", "--finite-runs", "--format", "json"]) == 0
    rows = {(r["group"], r["key"]): r for r in json.loads(capsys.readouterr().out)}
    runs = [c.as_metric("throughput") for c in model_cases(catalog, [c.measurement for c in cases.values()], finite_runs=True)]
    assert rows[("throughput per source", "user")]["median_abs_pct_error"] == summary(runs)["median_abs_pct_error"]
    assert not any(group.startswith("hold-out") for group, _ in rows)


def test_the_report_groups_the_imported_runs_by_their_source(imported, capsys):
    folder, _ = imported
    assert main(["bench", "accuracy", "--hardware-dir", str(folder), "--format", "json"]) == 0
    rows = {(r["group"], r["key"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("throughput per source", "user")]["rows"] == 14
    assert rows[("ttft per source", "user")]["rows"] == 7  # the seven runs at a request rate


def test_a_run_over_two_replicas_is_scored_with_its_load_split_between_them(tmp_path):
    """llm-d's vLLM run: Llama-3.1-8B BF16, 2 replicas x 1 H100, 3.6 requests/s of 7,999 in / 200 out, 696.6 output
    tokens/s measured. Offered 3.6 requests/s, below what two replicas serve, the model's steady state gives 3.6 x 200 =
    720 tokens/s (3.4 % over); the run (the file covers its 200 requests whole) ends with the last one's life after 55 s
    of arrivals: 701 tokens/s, 0.6 % over. The latencies are about those of one replica at 1.8 requests/s (whole
    requests in flight are spread over the two, so an odd count loads one more: 0.5 % apart here)."""
    from tco.bench.accuracy import config_of, model_cases, usable
    from tco.engine.throughput import ServingConfig, predict_at_rate, predict_rate_run
    from tco.load.hardware import load_hardware

    assert main(["measurements", "import", str(DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"), "--out", str(tmp_path),
                 "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--replicas", "2"]) == 0
    catalog = load_hardware(extra_dirs=[tmp_path])
    [m] = [m for m in usable(catalog) if m.id.startswith("user:")]
    [case] = model_cases(catalog, [m])
    [steady] = model_cases(catalog, [m], steady_state=True)
    assert steady.predicted_tokens_per_s == pytest.approx(3.6 * 200, rel=1e-12) and steady.error == pytest.approx(3.36, abs=0.01)
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    assert case.predicted_tokens_per_s == predict_rate_run(model, gpu, config_of(m), 3.6, 200).output_tokens_per_s
    assert 0.95 * 720 < case.predicted_tokens_per_s < 720 and case.error < 1.0
    one = predict_at_rate(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"],
                          ServingConfig(gpus=1, precision="bf16", engine="vllm", input_tokens=7999, output_tokens=200), 1.8)
    assert case.predicted_tpot_ms == pytest.approx(one.tpot_ms, rel=0.01)


def test_a_run_whose_engine_limit_is_given_is_scored_with_it(tmp_path):
    """inference-perf's vLLM run (Llama-3-8B BF16 on one H100, 111.92 requests/s offered, 201 in / 63 out) set
    --max-num-seqs=192 in its server manifest. Imported with --max-batch 192, the record keeps the limit and the model
    is asked with it: at 192 sequences it serves less than the rate offered (the queue grows). Imported without it, the
    model holds over 400 sequences and serves the whole rate, 111.92 x 63 tokens/s."""
    from tco.bench.accuracy import model_cases, usable
    from tco.engine.throughput import ServingConfig, predict_at_rate
    from tco.load.hardware import load_hardware

    name = "inference-perf_llama-3-8b_h100_vllm-0.11.0_stage_3_lifecycle_metrics.json"
    flags = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
             "--date", "2025-11-01"]
    cases = {}
    for label, extra in (("limited", ["--max-batch", "192"]), ("default", [])):
        folder = tmp_path / label
        folder.mkdir()
        assert main(["measurements", "import", str(DATA / name), "--out", str(folder), *flags, *extra]) == 0
        catalog = load_hardware(extra_dirs=[folder])
        [cases[label]] = model_cases(catalog, [m for m in usable(catalog) if m.id.startswith("user:")])
    limited, default = cases["limited"], cases["default"]
    assert limited.measurement.max_batch == 192 and default.measurement.max_batch is None
    at_limit = predict_at_rate(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"],
                               ServingConfig(gpus=1, precision="bf16", engine="vllm", input_tokens=201, output_tokens=63,
                                             max_batch=192), 111.92)
    assert limited.predicted_tokens_per_s == pytest.approx(at_limit.output_tokens_per_s, rel=1e-12)
    assert limited.predicted_tokens_per_s < 111.92 * 63
    assert default.predicted_tokens_per_s == pytest.approx(111.92 * 63, rel=1e-12)
    assert limited.predicted_tpot_ms < default.predicted_tpot_ms  # 192 decode at once, not over 400


def test_a_run_whose_step_budget_is_given_is_scored_with_it(tmp_path):
    """The same run's manifest also set --no-enable-chunked-prefill and --max-model-len=512, so vLLM 0.11.0 stepped at
    most max_model_len = 512 tokens (`arg_utils.py`: "if not self.enable_chunked_prefill: self.max_num_batched_tokens =
    model_config.max_model_len"). Imported with --step-tokens 512, the record keeps it and the model is asked with it."""
    from tco.bench.accuracy import model_cases, usable
    from tco.engine.throughput import ServingConfig, predict_at_rate
    from tco.load.hardware import load_hardware

    name = "inference-perf_llama-3-8b_h100_vllm-0.11.0_stage_3_lifecycle_metrics.json"
    flags = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
             "--date", "2025-11-01", "--max-batch", "192", "--step-tokens", "512"]
    assert main(["measurements", "import", str(DATA / name), "--out", str(tmp_path), *flags]) == 0
    catalog = load_hardware(extra_dirs=[tmp_path])
    [case] = model_cases(catalog, [m for m in usable(catalog) if m.id.startswith("user:")])
    assert (case.measurement.max_batch, case.measurement.step_tokens) == (192, 512)
    asked = predict_at_rate(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"],
                            ServingConfig(gpus=1, precision="bf16", engine="vllm", input_tokens=201, output_tokens=63,
                                          max_batch=192, step_tokens=512), 111.92)
    assert asked.step_tokens == 512
    assert case.predicted_tokens_per_s == pytest.approx(asked.output_tokens_per_s, rel=1e-12)
    assert case.predicted_tpot_ms == pytest.approx(asked.tpot_ms, rel=1e-12)


def test_rows_show_each_run_beside_the_model_and_the_medians_are_taken_over_them(imported, capsys):
    """`--rows`: one line per measurement. The imported rate-1 run of the online file carries its measured and model
    figures and the error each metric scores (the Case's); an offline run leaves its TTFT empty (not scored). Over every
    row, the median of each error column is the figure the summary prints: the table is what the medians are of."""
    import statistics

    folder, cases = imported
    assert main(["bench", "accuracy", "--hardware-dir", str(folder), "--source", "user", "--rows", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(cases)  # the imported runs alone
    assert main(["bench", "accuracy", "--hardware-dir", str(folder), "--source", "user", "--format", "json"]) == 0
    summary = {(r["group"], r["key"]): r for r in json.loads(capsys.readouterr().out)}
    by_id = {r["id"]: r for r in rows}
    [rate_one] = [c for c in cases.values() if c.measurement.request_rate_per_s == 1.0]
    row = by_id[rate_one.measurement.id]
    assert (row["load"], row["layout"], row["input_tokens"], row["output_tokens"]) == ("1 req/s", "TP4", rate_one.measurement.input_tokens, 534)
    assert row["measured_output_tokens_per_s"] == round(537.4142851849319, 2)
    assert row["model_output_tokens_per_s"] == round(rate_one.predicted_tokens_per_s, 2)
    assert row["throughput_abs_pct_error"] == round(rate_one.error, 2)
    assert row["ttft_abs_pct_error"] == round(rate_one.as_metric("ttft").error, 2) and row["model_ttft_ms"] is not None
    offline = [by_id[i] for i, c in cases.items() if c.measurement.scenario == "offline_max_throughput"]
    assert len(offline) == 7 and all(r["load"] == "offline" and r["ttft_abs_pct_error"] is None and r["measured_ttft_ms"] is None
                                     for r in offline)
    for metric, group in (("throughput", "model (all rows)"), ("tpot", "tpot (all rows)"), ("ttft", "ttft (all rows)")):
        errors = [r[f"{metric}_abs_pct_error"] for r in rows if r[f"{metric}_abs_pct_error"] is not None]
        assert len(errors) == summary[(group, "overall")]["rows"]
        assert errors or metric == "tpot"  # these 2024 files give ITL, not TPOT (the summary counts no TPOT row either)
        if errors:
            assert statistics.median(errors) == pytest.approx(summary[(group, "overall")]["median_abs_pct_error"], abs=0.0101)


def test_source_scores_one_source_alone_and_a_source_not_there_is_refused(imported, capsys):
    """`--source user`: a team's imported runs without the 964 calibration rows (and without the recorded hold-outs, which
    are the calibration rows'); a name that starts no source is exit 2, naming the sources there are."""
    folder, cases = imported
    assert main(["bench", "accuracy", "--hardware-dir", str(folder), "--source", "user", "--format", "json"]) == 0
    rows = {(r["group"], r["key"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("model (all rows)", "overall")]["rows"] == len(cases) == 14
    assert {key for group, key in rows if group == "throughput per source"} == {"user"}
    assert not any(group.startswith("hold-out") for group, _ in rows)
    assert main(["bench", "accuracy", "--hardware-dir", str(folder), "--source", "sglang", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "--source: sglang: no measurement of this source" in err and "inferencex, trtllm-v0.17, trtllm-v1.0, user" in err
    assert "Traceback" not in err
