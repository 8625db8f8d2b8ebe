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
from tco.engine.throughput.config import engine_max_batch, engine_step_tokens
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
    """vLLM runs at most 1,024 sequences on an H100 by default (max_num_seqs), TensorRT-LLM 2,048 (max_batch_size):
    4,096 requests in flight decode 1,024 on vLLM, while 1,746 fit in memory. SGLang's request pool holds at most
    4,096 per scheduler (its ceiling: the catalog states no context length for Llama-3.1-8B): memory binds first."""
    vllm = llama(concurrency=4096)
    assert (vllm.concurrency, vllm.limited_by, vllm.max_batch) == (1024, "max batch", 1024)
    sglang = llama(concurrency=4096, engine="sglang")
    assert (sglang.concurrency, sglang.limited_by, sglang.max_batch) == (1746, "kv cache capacity", 4096)
    assert sglang.max_concurrency_fits == 1746
    trtllm = llama(concurrency=4096, engine="trtllm")
    assert (trtllm.concurrency, trtllm.limited_by, trtllm.max_batch) == (1746, "kv cache capacity", 2048)  # memory is tighter


GIB = 2**30


@pytest.mark.parametrize("gpu_name, memory_bytes, seqs, step", [
    ("H100 SXM", 80 * GIB, 1024, 8192),
    ("RTX PRO 6000 Blackwell", 96 * GIB, 1024, 8192),
    ("A100 80GB SXM", 80 * GIB, 256, 2048),  # excluded by name: "Setting large max_num_batched_tokens for A100 reduces throughput"
    ("L40S", 48e9, 256, 2048),  # under 70 GiB
    ("H100 NVL 94GB", 70 * GIB, 1024, 8192),  # at the bound: ">= 70 * GiB_bytes"
    ("H200", 141 * GIB, 1024, 8192),
    ("B200", 179 * GIB, 1024, 16384),  # "for GPUs like B200/B300 with >= 160GB memory, use the largest defaults"
    ("MI300X", 192 * GIB, 1024, 16384),
    ("any", 160 * GIB, 1024, 16384),  # at the bound: ">= 160 * GiB_bytes"
])
def test_vllm_sizes_its_defaults_by_the_gpu(gpu_name, memory_bytes, seqs, step):
    """vLLM 0.33.0 `EngineArgs.get_batch_defaults` (arg_utils.py): the OpenAI API server gets max_num_seqs 1024 and
    max_num_batched_tokens 16384 on a GPU of at least 160 GiB, 1024 and 8192 on one of at least 70 GiB that is not an
    A100, else 256 and 2048; per engine instance, so two attention data-parallel ranks run twice as many."""
    assert engine_max_batch("vllm", gpu_name, memory_bytes, 1) == seqs
    assert engine_max_batch("vllm", gpu_name, memory_bytes, 2) == 2 * seqs
    assert engine_step_tokens("vllm", gpu_name, memory_bytes, 1) == step
    # "self.max_num_seqs = min(default_max_num_seqs[usage_context], self.max_num_batched_tokens ...)"
    assert engine_max_batch("vllm", gpu_name, memory_bytes, 1, step_tokens=128) == 128


@pytest.mark.parametrize("memory_bytes, chunk", [(16 * GIB, 2048), (24 * GIB, 4096), (48e9, 4096), (80 * GIB, 8192),
                                                 (141 * GIB, 8192), (192 * GIB, 16384), (288 * GIB, 16384)])
def test_sglang_sizes_its_prefill_chunk_by_the_gpu_memory_and_shares_it_over_dp_ranks(memory_bytes, chunk):
    """sglang 0.5.23 `_handle_gpu_memory_settings` (srt/arg_groups/memory_hook.py): chunked_prefill_size 2k below
    20 GiB, 4k below 60 GiB (0.5.12: 2k up to 35), 8k below 160 GiB, 16k above; `_handle_data_parallelism` divides it
    by the DP size with DP attention."""
    assert engine_step_tokens("sglang", "any", memory_bytes, 1) == chunk
    assert engine_step_tokens("sglang", "any", memory_bytes, 8) == chunk // 8
    assert engine_step_tokens("trtllm", "any", memory_bytes, 8) == 8192  # TensorRT-LLM max_num_tokens, per rank


@pytest.mark.parametrize("kv_tokens, context, pool", [
    (1_000_000, 131_072, 3906),  # int(1e6 / 131072 x 512) = 3906, between the floor and the ceiling
    (300_000, 131_072, 2048),  # 1,171: raised to the floor
    (20_000_000, 131_072, 4096),  # 78,125: cut to the ceiling
    (3_000, 131_072, 1500),  # the floor, but at most KV tokens // 2
    (1_000_000, None, 4096),  # no context length known: the ceiling
])
def test_sglang_runs_what_its_request_pool_holds(kv_tokens, context, pool):
    """sglang 0.5.5.post2 `model_runner.init_memory_pool`: max_num_reqs = min(max(int(KV tokens / context_len x 512),
    2048), 4096); `tp_worker`: max_running_requests = min(KV tokens // 2, max_num_reqs), per scheduler."""
    assert engine_max_batch("sglang", "any", 80 * GIB, 1, kv_tokens, context) == pool
    assert engine_max_batch("sglang", "any", 80 * GIB, 4, kv_tokens, context) == 4 * pool


def test_a100_under_vllm_runs_256_sequences_and_prefills_in_2048_token_steps():
    """Llama-3.1-8B BF16 on one A100 80GB under vLLM: the best-throughput search stops at 256 sequences (the engine's
    default there), where TensorRT-LLM, whose limit is 2,048, goes on to what memory holds."""
    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["a100-80gb"]
    shape = dict(gpus=1, precision="bf16", input_tokens=1000, output_tokens=200)
    vllm = predict_model(model, gpu, ServingConfig(engine="vllm", **shape))
    trtllm = predict_model(model, gpu, ServingConfig(engine="trtllm", **shape))
    assert vllm.max_batch == 256 and vllm.concurrency == 256
    assert trtllm.max_batch == 2048 and trtllm.concurrency > 256
    assert vllm.tpot_ms < trtllm.tpot_ms  # fewer sequences in each step


def test_the_best_throughput_search_stops_at_the_limit(llama):
    capped, free = llama(max_batch=100), llama()
    assert capped.concurrency == 100 and free.concurrency > 100
    assert capped.output_tokens_per_s < free.output_tokens_per_s and capped.tpot_ms < free.tpot_ms


def test_an_offered_rate_above_what_the_limit_serves_is_reported_as_such():
    """inference-perf's vLLM run (tests/data/bench-runs) set --max-num-seqs=192 and offered 111.9 requests/s: the model
    serves its capacity at 192 sequences and says the queue grows; without the limit it fits the rate in a larger
    batch (264 sequences with the 2026-12-04 constants, over 400 before): the limit is what binds."""
    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    capped = predict_at_rate(model, gpu, ServingConfig(**LLAMA, max_batch=192), 111.9)
    assert capped.concurrency == 192 and capped.limited_by.startswith("offered load above capacity")
    assert capped.requests_per_s < 111.9
    free = predict_at_rate(model, gpu, ServingConfig(**LLAMA), 111.9)
    assert free.limited_by == "offered load" and free.concurrency > 192
    assert free.requests_per_s == pytest.approx(111.9)


def test_a_disaggregated_limit_holds_each_decode_worker():
    """DeepSeek-R1 FP4 on 12 GB200, 4 prefill + 8 decode GPUs (one decode worker, DP8 attention): with max_batch 64 the
    worker decodes 64 of the 1,024 requests and the other 960 queue, 960 / X seconds each on average (Little's law)."""
    catalog = load_hardware()
    model, gpu = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=12, tp=8, disaggregated=True, prefill_gpus=4, precision="fp4", engine="sglang", input_tokens=1024,
                           output_tokens=1024, concurrency=1024)
    free = predict_model(model, gpu, config)
    capped = predict_model(model, gpu, ServingConfig(**{**config.__dict__, "max_batch": 64}))
    assert capped.limited_by == "max batch" and capped.max_batch == 64
    assert capped.requests_per_s < free.requests_per_s / 4 and capped.tpot_ms < free.tpot_ms
    assert capped.ttft_ms / 1e3 > (1024 - 64) / capped.requests_per_s * 0.99


def test_a_limit_below_one_is_refused(llama):
    r = llama(max_batch=0)
    assert not r.runnable and r.reason == "max_batch must be at least 1 sequence (got 0)"


def flag_and_column(capsys, tmp_path, gpu: str, prompt: int, output: int, concurrency: int, name: str, value: int):
    """Llama-3.1-8B BF16 on one GPU under vLLM, asked three ways: with the flag --NAME VALUE, then in a --batch CSV with
    the column NAME = VALUE and with it empty. (flag row, column row, default row) of the JSON."""
    flags = ["--model", "llama-3.1-8b", "--gpu", gpu, "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
             "--input-tokens", str(prompt), "--output-tokens", str(output), "--concurrency", str(concurrency),
             "--model-only", "--format", "json"]
    assert main(["throughput", *flags, "--" + name.replace("_", "-"), str(value)]) == 0
    [single] = json.loads(capsys.readouterr().out)
    csv = tmp_path / "b.csv"
    row = f"llama-3.1-8b,{gpu},1,bf16,vllm,{prompt},{output},{concurrency},"
    csv.write_text(f"model,gpu,gpus,precision,engine,input_tokens,output_tokens,concurrency,{name}\n{row}{value}\n{row}\n")
    assert main(["throughput", "--batch", str(csv), "--model-only", "--format", "json"]) == 0
    given, default = json.loads(capsys.readouterr().out)
    return single, given, default


def test_the_flag_and_the_batch_column_give_the_same_row(tmp_path, capsys):
    single, capped, default = flag_and_column(capsys, tmp_path, "h100-sxm", 201, 63, 256, "max_batch", 64)
    assert capped == single and single["max_batch"] == 64 and single["concurrency"] == 64
    assert default["max_batch"] == 1024 and default["concurrency"] == 256  # vLLM's own limit, above the load


@pytest.mark.parametrize("column, cell", [("max_batch", "0"), ("step_tokens", "-5")])
def test_a_bad_batch_cell_names_the_file_line_and_column(tmp_path, capsys, column, cell):
    csv = tmp_path / "b.csv"
    csv.write_text(f"model,gpu,gpus,input_tokens,output_tokens,{column}\nllama-3.1-8b,h100-sxm,1,201,63,{cell}\n")
    assert main(["throughput", "--batch", str(csv)]) != 0
    err = capsys.readouterr().err
    assert f"{csv}:2: {column}: must be a whole number of at least 1 (got '{cell}')" in err and "Traceback" not in err


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


def test_a_prompt_longer_than_the_step_budget_is_prefilled_in_chunks_each_with_the_running_batch():
    """vLLM on an A100 steps at most 2,048 tokens: a 6,000-token prompt takes 3 steps of 2,000, each also reading the
    weights and decoding the running batch; TensorRT-LLM's 8,192-token step takes it in one. Its time to first token is
    that longer by the difference; a 1,500-token prompt, one step under both budgets, waits the same."""
    from tco.engine.throughput import FITTED
    from tco.engine.throughput.deployment import build_deployment
    from tco.engine.throughput.parallel import Split
    from tco.engine.throughput.step import prefill_seconds, prompt_chunks, step_seconds
    catalog = load_hardware()
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["a100-80gb"]

    def deployment(engine, prompt):
        config = ServingConfig(gpus=1, precision="bf16", kv_precision="bf16", engine=engine, input_tokens=prompt, output_tokens=100)
        return build_deployment(model, gpu, config, 1, 1, 1, Split(attention_dp=1, ep=1), "bf16", "bf16", FITTED)

    vllm, trtllm = deployment("vllm", 6000), deployment("trtllm", 6000)
    assert (vllm.step_tokens, trtllm.step_tokens) == (2048, 8192)
    assert (prompt_chunks(vllm), prompt_chunks(trtllm)) == (3, 1)
    assert prefill_seconds(vllm, 4, 6000) == pytest.approx(3 * step_seconds(vllm, 4, 2000)[0], rel=1e-12)
    assert prefill_seconds(trtllm, 4, 6000) == step_seconds(trtllm, 4, 6000)[0]
    assert prefill_seconds(vllm, 4, 6000) > prefill_seconds(trtllm, 4, 6000)  # the weights are read three times

    def ttft_ms(engine, prompt):
        return predict_model(model, gpu, ServingConfig(gpus=1, precision="bf16", engine=engine, input_tokens=prompt,
                                                       output_tokens=100, concurrency=1)).ttft_ms

    # end to end, one request at a time: longer by the chunks' extra time, give or take the step in progress that a
    # request waits for (its mean differs a little: the steps carry chunks of 2,000 against 6,000 tokens)
    assert ttft_ms("vllm", 6000) - ttft_ms("trtllm", 6000) == pytest.approx(
        (prefill_seconds(vllm, 1, 6000) - prefill_seconds(trtllm, 1, 6000)) * 1e3, rel=0.02)
    assert ttft_ms("vllm", 1500) == pytest.approx(ttft_ms("trtllm", 1500), rel=1e-12)


def test_the_step_budget_flag_and_batch_column_give_the_same_row_and_shorten_the_ttft_of_long_prompts(tmp_path, capsys):
    """`--step-tokens` (vLLM --max-num-batched-tokens) and the `step_tokens` batch column: the same row; JSON `step_tokens`
    is what the engine ran with, the default for the GPU where none is given (2,048: vLLM on an A100). 8,192 takes a
    6,000-token prompt in one step, so its TTFT is shorter than in 2,048-token chunks."""
    single, given, default = flag_and_column(capsys, tmp_path, "a100-80gb", 6000, 100, 4, "step_tokens", 8192)
    assert given == single and single["step_tokens"] == 8192 and default["step_tokens"] == 2048
    assert single["ttft_ms"] < default["ttft_ms"]


def test_a_given_step_budget_is_the_engines_flag_sglang_shares_it_over_dp_ranks():
    """SGLang --chunked-prefill-size is server-wide and divided by the DP size with DP attention; vLLM's and
    TensorRT-LLM's budgets hold per engine instance (rank)."""
    assert engine_step_tokens("sglang", "B200", 192 * GIB, 8, given=32768) == 4096
    assert engine_step_tokens("vllm", "A100", 80 * GIB, 2, given=4096) == 4096
    assert engine_step_tokens("trtllm", "B200", 192 * GIB, 4, given=16384) == 16384


def test_a_measurement_stands_only_for_the_step_budget_it_was_measured_with():
    """The TensorRT-LLM table row answers a query with the engine's own step budget, not one with step_tokens 2048."""
    catalog = load_hardware()
    [row] = [m for m in catalog.measurements if m.id == "trtllm-v0.17:M0047"]
    config = ServingConfig(gpus=1, precision="fp8", engine="trtllm", runtime="cpp", input_tokens=128, output_tokens=128)
    model, gpu = catalog.models[row.model], catalog.gpus[row.gpu]
    assert predict(model, gpu, config, catalog.measurements).basis == "measurement"
    other = predict(model, gpu, ServingConfig(**{**config.__dict__, "step_tokens": 2048}), catalog.measurements)
    assert other.basis == "model" and other.step_tokens == 2048

