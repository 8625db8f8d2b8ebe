"""The engine's limit on sequences running at once (vLLM --max-num-seqs, SGLang --max-running-requests, TensorRT-LLM
max_batch_size): `ServingConfig.max_batch`, `tco throughput --max-batch` and the `max_batch` batch column, the
scenario field, and the engines' default limits.

Why it matters: a closed loop of more requests than the engine runs does not decode them all (a longer TPOT); the
rest wait for a slot before their prefill (a longer TTFT). By Little's law each request more in the loop waits one
completion interval more: 1 / (requests per second) of the replica at its limit.
"""

from __future__ import annotations

import json

import pytest

from tco.cli import main
from tco.engine.throughput import ServingConfig, predict, predict_at_rate, predict_model
from tco.load.hardware import load_hardware

LLAMA = dict(gpus=1, precision="bf16", engine="vllm", input_tokens=201, output_tokens=63)
"""Llama-3.1-8B BF16 on one H100, short chat requests: 1,746 sequences fit in its KV cache (more than any limit below)."""


@pytest.fixture(scope="module")
def llama():
    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    return lambda **kw: predict_model(model, gpu, ServingConfig(**{**LLAMA, **kw}))


def test_beyond_its_limit_a_replica_serves_what_its_full_batch_serves_and_the_rest_wait(llama):
    """max_batch 64: at 128 and at 256 requests in flight the replica decodes 64, so output and TPOT are those of its
    full batch (the best-throughput point at the limit); the TTFTs differ by (256 - 128) / X, X its completions per
    second (Little's law: 128 more requests queue, each for one completion interval per request ahead)."""
    full = llama(max_batch=64)
    at128, at256 = llama(max_batch=64, concurrency=128), llama(max_batch=64, concurrency=256)
    assert full.concurrency == 64 and full.limited_by == "max batch" and full.max_batch == 64
    for r in (at128, at256):
        assert r.concurrency == 64 and r.limited_by == "max batch" and r.max_batch == 64
        assert r.output_tokens_per_s == pytest.approx(full.output_tokens_per_s, rel=1e-12)
        assert r.tpot_ms == pytest.approx(full.tpot_ms, rel=1e-12)
    completions_per_s = full.requests_per_s
    assert at256.ttft_ms - at128.ttft_ms == pytest.approx((256 - 128) / completions_per_s * 1e3, rel=1e-9)
    # without the limit, 256 requests decode together: more output, a longer TPOT, a shorter wait
    free = llama(concurrency=256)
    assert free.concurrency == 256 and free.output_tokens_per_s > at256.output_tokens_per_s
    assert free.tpot_ms > at256.tpot_ms and free.ttft_ms < at256.ttft_ms


def test_a_limit_above_the_load_changes_nothing(llama):
    below, free = llama(concurrency=32, max_batch=64), llama(concurrency=32)
    assert (below.output_tokens_per_s, below.ttft_ms, below.tpot_ms) == (free.output_tokens_per_s, free.ttft_ms, free.tpot_ms)


def test_the_engines_default_limits(llama):
    """vLLM runs at most 1,024 sequences by default (max_num_seqs), TensorRT-LLM 2,048 (max_batch_size): 4,096 requests
    in flight decode 1,024 on vLLM, while 1,746 fit in memory. SGLang's running limit follows its memory pool: all
    1,746 that fit decode, and the report names no engine limit."""
    vllm = llama(concurrency=4096)
    assert (vllm.concurrency, vllm.limited_by, vllm.max_batch) == (1024, "max batch", 1024)
    sglang = llama(concurrency=4096, engine="sglang")
    assert (sglang.concurrency, sglang.limited_by, sglang.max_batch) == (1746, "kv cache capacity", None)
    assert sglang.max_concurrency_fits == 1746
    trtllm = llama(concurrency=4096, engine="trtllm")
    assert (trtllm.concurrency, trtllm.limited_by, trtllm.max_batch) == (1746, "kv cache capacity", 2048)  # memory is tighter


def test_the_best_throughput_search_stops_at_the_limit(llama):
    capped, free = llama(max_batch=100), llama()
    assert capped.concurrency == 100 and free.concurrency > 100
    assert capped.output_tokens_per_s < free.output_tokens_per_s and capped.tpot_ms < free.tpot_ms


def test_an_offered_rate_above_what_the_limit_serves_is_reported_as_such():
    """inference-perf's vLLM run (tests/data/bench-runs) set --max-num-seqs=192 and offered 111.9 requests/s: the model
    serves its capacity at 192 sequences and says the queue grows; without the limit it fits the rate in a batch of
    over 400 sequences."""
    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    capped = predict_at_rate(model, gpu, ServingConfig(**LLAMA, max_batch=192), 111.9)
    assert capped.concurrency == 192 and capped.limited_by.startswith("offered load above capacity")
    assert capped.requests_per_s < 111.9
    free = predict_at_rate(model, gpu, ServingConfig(**LLAMA), 111.9)
    assert free.limited_by == "offered load" and free.concurrency > 400


def test_a_disaggregated_limit_holds_each_decode_worker():
    """DeepSeek-R1 FP4 on 12 GB200, 4 prefill + 8 decode GPUs (one decode worker, DP8 attention): with max_batch 64 the
    worker decodes 64 of the 1,024 requests and the other 960 queue, 960 / X seconds each on average (Little's law)."""
    catalog = load_hardware()
    model, gpu = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=12, disaggregated=True, prefill_gpus=4, precision="fp4", engine="sglang", input_tokens=1024,
                           output_tokens=1024, concurrency=1024)
    free = predict_model(model, gpu, config)
    capped = predict_model(model, gpu, ServingConfig(**{**config.__dict__, "max_batch": 64}))
    assert capped.limited_by == "max batch" and capped.max_batch == 64
    assert capped.requests_per_s < free.requests_per_s / 4 and capped.tpot_ms < free.tpot_ms
    assert capped.ttft_ms / 1e3 > (1024 - 64) / capped.requests_per_s * 0.99


def test_a_limit_below_one_is_refused(llama):
    r = llama(max_batch=0)
    assert not r.runnable and r.reason == "max_batch must be at least 1 sequence (got 0)"


def test_the_flag_and_the_batch_column_give_the_same_row(tmp_path, capsys):
    flags = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
             "--input-tokens", "201", "--output-tokens", "63", "--concurrency", "256", "--model-only", "--format", "json"]
    assert main(["throughput", *flags, "--max-batch", "64"]) == 0
    [single] = json.loads(capsys.readouterr().out)
    csv = tmp_path / "b.csv"
    csv.write_text("model,gpu,gpus,precision,engine,input_tokens,output_tokens,concurrency,max_batch\n"
                   "llama-3.1-8b,h100-sxm,1,bf16,vllm,201,63,256,64\nllama-3.1-8b,h100-sxm,1,bf16,vllm,201,63,256,\n")
    assert main(["throughput", "--batch", str(csv), "--model-only", "--format", "json"]) == 0
    capped, default = json.loads(capsys.readouterr().out)
    assert capped == single and single["max_batch"] == 64 and single["concurrency"] == 64
    assert default["max_batch"] == 1024 and default["concurrency"] == 256  # vLLM's own limit, above the load


def test_a_bad_batch_cell_names_the_file_line_and_column(tmp_path, capsys):
    csv = tmp_path / "b.csv"
    csv.write_text("model,gpu,gpus,input_tokens,output_tokens,max_batch\nllama-3.1-8b,h100-sxm,1,201,63,0\n")
    assert main(["throughput", "--batch", str(csv)]) != 0
    err = capsys.readouterr().err
    assert f"{csv}:2: max_batch: must be a whole number of at least 1 (got '0')" in err and "Traceback" not in err


def test_a_measurement_stands_only_for_the_limit_it_was_measured_with():
    """TensorRT-LLM's table row for Llama-3.1-70B FP8 on one H100, 128 / 128 tokens, was measured with the engine's own
    limit: it answers the same question (basis `measurement`), not one with max_batch 64, which the model answers."""
    catalog = load_hardware()
    [row] = [m for m in catalog.measurements if m.id == "trtllm-v0.17:M0047"]
    config = ServingConfig(gpus=1, precision="fp8", engine="trtllm", runtime="cpp", input_tokens=128, output_tokens=128)
    model, gpu = catalog.models[row.model], catalog.gpus[row.gpu]
    measured = predict(model, gpu, config, catalog.measurements)
    assert (measured.basis, measured.measurement_ids, measured.output_tokens_per_s) == ("measurement", (row.id,), row.output_tokens_per_s)
    limited = predict(model, gpu, ServingConfig(**{**config.__dict__, "max_batch": 64}), catalog.measurements)
    assert limited.basis == "model" and limited.measurement_ids == () and limited.concurrency == 64
    assert limited.output_tokens_per_s == predict_model(model, gpu, ServingConfig(**{**config.__dict__, "max_batch": 64})).output_tokens_per_s
