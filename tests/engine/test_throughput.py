"""The throughput model: memory and roofline arithmetic by hand, precision rules, properties,
and the accuracy figure quoted in docs/throughput.md."""

from __future__ import annotations

import functools
import math
import re
import statistics
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from tco.engine.throughput import (ServingConfig, efficiency_generation, expected_experts_touched, load_imbalance,
                                   kv_cache_bytes_per_token, memory_bytes_of, moe_dispatch_bytes_per_routed_copy, predict,
                                   predict_model, weight_bytes)
from tco.engine.throughput.collectives import (allgather_s, allreduce_s, alltoall_s, busiest_group_prefill_tokens, moe_exchange_s,
                                               other_ranks_per_token)
from tco.engine.throughput.config import MAX_TOKENS_PER_STEP
from tco.engine.throughput.deployment import build_deployment, dequantizing_tile_rows
from tco.engine.throughput.fitted import FITTED, PerGeneration
from tco.engine.throughput.gpu import link_bytes_per_s
from tco.engine.throughput.memory import gemm_input_bytes
from tco.engine.throughput.parallel import Split
from tco.engine.throughput.step import add_kernel, gemm_half_efficiency_width, shape_efficiency, step_seconds

DOC = Path(__file__).resolve().parents[2] / "docs" / "throughput.md"


@pytest.fixture(scope="module")
def catalog(bundled_hardware):
    return bundled_hardware


# --- Memory, by hand --------------------------------------------------------------------------

def test_dense_llama_8b_weights_keep_embedding_and_head_in_16_bit(catalog):
    m = catalog.models["llama-3.1-8b"]  # 8 B params, vocab 128,256, hidden 4,096
    embedding = 128_256 * 4_096  # 525,336,576 params, and the same again for the LM head
    assert weight_bytes(m, "bf16") == pytest.approx(8e9 * 2)
    assert weight_bytes(m, "fp8") == pytest.approx((8e9 - 2 * embedding) * 1 + 2 * embedding * 2)  # 9.05 GB
    assert weight_bytes(m, "fp4") == pytest.approx((8e9 - 2 * embedding) * 0.5625 + 2 * embedding * 2)


def test_gqa_kv_cache_per_token_is_2_x_layers_x_kv_heads_x_head_dim_x_bytes(catalog):
    assert kv_cache_bytes_per_token(catalog.models["llama-3.1-8b"], "bf16") == 2 * 32 * 8 * 128 * 2  # 131,072
    assert kv_cache_bytes_per_token(catalog.models["llama-3.1-70b"], "fp8") == 2 * 80 * 8 * 128 * 1  # 163,840


def test_mla_kv_cache_is_one_latent_per_layer_without_factor_2(catalog):
    m = catalog.models["deepseek-v3"]  # 61 layers, kv_lora_rank 512 + qk_rope_head_dim 64
    assert kv_cache_bytes_per_token(m, "fp8") == 61 * (512 + 64) * 1  # 35,136 bytes
    assert kv_cache_bytes_per_token(m, "bf16") == 61 * 576 * 2
    # the nominal 128 KV heads x 128 dims of the config would be 2 x 61 x 128 x 128 = 2.0 MB: 57 x more
    assert 2 * 61 * 128 * 128 / kv_cache_bytes_per_token(m, "fp8") > 50


def test_moe_keeps_every_expert_in_memory(catalog):
    m = catalog.models["mixtral-8x7b"]  # 46.7 B total, 32 layers x 8 experts x 3 x 4096 x 14336
    routed = 32 * 8 * 3 * 4096 * 14336  # 45.10 B
    vocab = 32_000 * 4096
    dense = 46.7e9 - routed - 2 * vocab
    assert weight_bytes(m, "fp8") == pytest.approx((dense + routed) * 1 + 2 * vocab * 2)  # about 46.96 GB
    assert weight_bytes(m, "fp8") > 46e9  # not the 12.9 B active parameters


def test_sliding_window_layers_only_cache_the_window(catalog):
    m = catalog.models["gemma-3-27b"]  # 62 layers, 52 of them local with a 1,024-token window
    full = kv_cache_bytes_per_token(m, "bf16", 8192, exploit_sliding_window=False)
    windowed = kv_cache_bytes_per_token(m, "bf16", 8192, exploit_sliding_window=True)
    per_layer = 2 * 16 * 128 * 2
    assert full == per_layer * 62
    assert windowed == pytest.approx(per_layer * (10 + 52 * 1024 / 8192))


def test_expected_experts_touched():
    assert expected_experts_touched(8, 2, 1) == pytest.approx(2.0)
    assert expected_experts_touched(8, 2, 4) == pytest.approx(8 * (1 - 0.75 ** 4))  # 5.47
    assert expected_experts_touched(256, 8, 10_000) == pytest.approx(256.0)


def test_max_concurrency_follows_the_memory_left_for_the_cache(catalog):
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h200"]
    r = predict_model(m, g, ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp8"))
    weights = weight_bytes(m, "fp8")  # 72.1 GB
    activations = 8192 * (4 * 8192 + 2 * 28672) * 2
    budget = (141 * 2**30 - weights - 2e9 - activations) * 0.9  # HBM: 141 GiB; 2 GB runtime reserve
    assert r.weights_gb_per_gpu == pytest.approx(weights / 1e9)
    assert r.max_concurrency_fits == int(budget // (163_840 * 2000))


def test_hbm_capacity_is_binary_and_gddr_decimal(catalog):
    assert memory_bytes_of(catalog.gpus["h100-sxm"]) == 80 * 2**30  # 85.9 x 10^9 bytes
    assert memory_bytes_of(catalog.gpus["l40s"]) == 48e9  # GDDR6


def test_memory_the_driver_reports_replaces_the_marketed_figure(catalog):
    # nvidia-smi's totals (aiconfigurator-core 0.12.0 systems/*.yaml, hardware/gpus.yaml `memory_reported_mib`): an
    # RTX PRO 6000 "96 GB" (GDDR7) reports 97,887 MiB, more than 96 x 10^9 bytes; a B300 "288 GB" (HBM3e) 275,040 MiB,
    # 268.6 GiB, not 288 GiB
    assert memory_bytes_of(catalog.gpus["rtx-pro-6000"]) == 97_887 * 2**20 == 102_641_958_912
    assert memory_bytes_of(catalog.gpus["b300"]) == 275_040 * 2**20 == 288_400_343_040
    # so a B300 holds 9 % fewer sequences than "288 GiB" promised: Llama-3.1-70B FP8 on one, as on the H200 above
    m = catalog.models["llama-3.1-70b"]
    r = predict_model(m, catalog.gpus["b300"], ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp8"))
    weights = weight_bytes(m, "fp8")
    activations = 8192 * (4 * 8192 + 2 * 28672) * 2

    def fits(memory_bytes: float) -> int:
        return int((memory_bytes - weights - 2e9 - activations) * 0.9 // (163_840 * 2000))

    assert r.max_concurrency_fits == fits(288_400_343_040) == 584
    assert fits(288 * 2**30) == 641


# --- Roofline, by hand ------------------------------------------------------------------------

def _soft_roofline(mem_s: float, compute_s: float) -> float:
    p = FITTED.roofline_sharpness
    return (mem_s ** p + compute_s ** p) ** (1 / p)


def _llama_8b_single_sequence_step_s(pp: int, prompt_tokens: float = 1.0) -> float:
    """One engine step of Llama-3.1-8B BF16 on H100 SXM GPUs, one sequence with a 1-token prompt and
    1 output token (so the step carries 1 decode token and, on average, 1 prompt token), pipeline of pp
    stages, by hand. `prompt_tokens`: the prompt tokens this step carries (whole replica)."""
    vocab_rows = 128_256 * 4096
    dense = 8e9 - 2 * vocab_rows  # linear layers outside embedding and LM head
    bandwidth = 3.35e12 * FITTED.memory_bandwidth_efficiency.shared
    matmul = 989e12 * FITTED.matmul_efficiency.shared  # BF16 peak; the cache is BF16 too
    # GEMM shape (issue 16): the dense GEMMs' narrower side is the hidden size, 4,096 (MLP 14,336 is wider); half
    # efficiency at a x ridge / 2 columns, the ridge the BF16 rate over the bandwidth
    shaped = matmul * 4096 / (4096 + FITTED.gemm_activation_bytes * matmul / bandwidth / 2)
    stage_tokens = (1 + prompt_tokens) / pp
    # the LM head (16-bit) sits whole on the last stage, which sets the pace
    linear = _soft_roofline((dense * 2 / pp + vocab_rows * 2) / bandwidth,
                            (2 * dense * stage_tokens + 2 * vocab_rows * 1) / pp / shaped)
    pair_flops = 32 * 4 * 128 * 32  # heads x 4 x head_dim, per layer, 32 layers
    attention = _soft_roofline(1 / pp * 1.5 * 131_072 / pp / bandwidth,  # context 1 + 1/2 tokens, KV over pp stages
                               (1 * 1.5 * pair_flops + prompt_tokens * 0.5 * pair_flops) / (pp * pp) / matmul)
    activations = FITTED.activation_passes_per_layer * stage_tokens * 4096 * 2 * 32 / pp / bandwidth
    gpu = linear + attention + activations + 32 / pp * FITTED.layer_overhead_s
    host = FITTED.host_s_per_sequence * 1 / pp  # the scheduler's time for one sequence, one microbatch
    return gpu + FITTED.host_exposed_share * host  # the host's time is the shorter: only its exposed share adds


def test_single_sequence_decode_is_bound_by_reading_the_weights(catalog):
    """One sequence, 1-token prompt: the step reads every linear weight once; FLOPs are negligible. One request in a
    closed loop, one output token: each request waits half a step for the step in progress, rides one step (its
    prompt token and its only output token) and pays the client's request latency, so the loop completes
    1 / (1.5 steps + request latency) a second (Little's law), not one per step."""
    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    r = predict_model(m, g, ServingConfig(gpus=1, input_tokens=1, output_tokens=1, precision="bf16", concurrency=1))
    step_s = _llama_8b_single_sequence_step_s(1)
    assert 1 / r.output_tokens_per_s == pytest.approx(1.5 * step_s + FITTED.request_latency_s, rel=1e-9)
    assert r.limited_by == "memory bandwidth"
    weight_read_s = (8e9 - 128_256 * 4096) * 2 / (3.35e12 * FITTED.memory_bandwidth_efficiency.shared)
    # the decode step alone (TPOT: no prompt in it): the per-layer fixed time, and well under a millisecond of
    # cache, activations, FLOPs and host
    assert r.tpot_ms / 1e3 == pytest.approx(_llama_8b_single_sequence_step_s(1, 0.0), rel=1e-9)
    assert weight_read_s + 32 * FITTED.layer_overhead_s < r.tpot_ms / 1e3 < weight_read_s + 32 * FITTED.layer_overhead_s + 1e-3


def test_pipeline_stages_split_the_layers_but_the_last_one_holds_the_whole_lm_head(catalog):
    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    r = predict_model(m, g, ServingConfig(gpus=2, pp=2, input_tokens=1, output_tokens=1, precision="bf16", concurrency=1))
    # half a sequence per stage step (pp microbatches), each stage step paced by the last stage. The
    # 1-token prompt (one a step on average) enters one of the two microbatches whole (chunked prefill,
    # step.mean_step_seconds): half the stage steps carry it (2 tokens in whole-replica terms), half none.
    step_s = (_llama_8b_single_sequence_step_s(2, 0.0) + _llama_8b_single_sequence_step_s(2, 2.0)) / 2
    # The engine alone would complete 0.5 / step_s; the closed loop of one request adds what it waits before its
    # step (half a step of each of the 2 stages, and the request latency): 1 / X = 2 steps + 1 step + latency.
    assert 1 / r.output_tokens_per_s == pytest.approx(2 * step_s + 0.5 * step_s * 2 + FITTED.request_latency_s, rel=1e-9)


def test_the_lm_head_computes_at_the_16_bit_rate_whatever_the_weights_format(catalog):
    """The quantized checkpoints keep the LM head in 16 bits (NVIDIA ModelOpt's FP8 / NVFP4 checkpoints list `lm_head`
    under `exclude_modules`; the weights' bytes already counted it so), so its GEMM runs at the 16-bit rate, not the FP8
    one. By hand, Llama-3.1-8B FP8 on one H100 SXM, a decode step of 512 sequences (compute-bound: 2 x 7.0e9 x 512
    FLOPs of the other dense layers take 6.4 ms, their 8 GB 2.9 ms): the head's 2 x 128,256 x 4,096 x 512 = 5.38e11
    FLOPs at 989e12 x 0.6096 (BF16), at the shape efficiency of a 4,096-wide GEMM at the BF16 ridge, 4,096 / (4,096 +
    1.498 x 217.2 / 2), against the FP8 rate 1,979e12 x 0.6096 at the FP8 ridge's 4,096 / (4,096 + 1.498 x 434.7 / 2):
    the step's compute time grows by the difference, 0.45 ms. A BF16 model's head already ran at that rate."""
    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp8")
    d = build_deployment(m, g, cfg, 1, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
    assert d.lm_head_flops_per_s == pytest.approx(989e12 * 0.6096, rel=1e-3)
    assert d.matmul_flops_per_s == pytest.approx(1979e12 * 0.6096, rel=1e-3)
    head_flops = 2 * 128_256 * 4096 * 512
    ridge_bf16, ridge_fp8 = 989e12 * 0.6096 / (3.35e12 * 0.8284), 1979e12 * 0.6096 / (3.35e12 * 0.8284)
    at_bf16 = head_flops / (989e12 * 0.6096 * 4096 / (4096 + 1.498 * ridge_bf16 / 2))
    at_fp8 = head_flops / (1979e12 * 0.6096 * 4096 / (4096 + 1.498 * ridge_fp8 / 2))
    as_before = replace(d, lm_head_flops_per_s=d.matmul_flops_per_s)
    grown = step_seconds(d, 512.0, 0.0)[2] - step_seconds(as_before, 512.0, 0.0)[2]
    assert grown == pytest.approx(at_bf16 - at_fp8, rel=1e-3)
    assert grown == pytest.approx(0.446e-3, rel=0.01)
    bf16 = build_deployment(m, g, replace(cfg, precision="bf16"), 1, 1, 1, Split(1, 1), "bf16", "bf16", FITTED)
    assert bf16.lm_head_flops_per_s == bf16.matmul_flops_per_s


def test_a_kernel_near_its_ridge_point_takes_longer_than_either_side(catalog):
    assert 1.0 < FITTED.roofline_sharpness < 64.0
    both = [0.0, 0.0, 0.0]
    add_kernel(both, 1.0, 1.0, FITTED.roofline_sharpness)
    assert both[0] == pytest.approx(2 ** (1 / FITTED.roofline_sharpness))  # 1.51 s for 1 s of loads and 1 s of math
    lopsided = [0.0, 0.0, 0.0]
    add_kernel(lopsided, 1.0, 0.01, FITTED.roofline_sharpness)
    assert lopsided[0] == pytest.approx((1 + 0.01 ** FITTED.roofline_sharpness) ** (1 / FITTED.roofline_sharpness))
    assert 1.0 < lopsided[0] < 1.002  # far from the ridge: the roofline


def test_mla_prompt_attention_runs_in_16_bits_on_an_fp8_cache(catalog):
    """DeepSeek-R1 (MLA) with an FP8 cache on 8 MI355X, attention TP8: decode attention reads the FP8 latent at the
    FP8 rate, but a prompt attends over per-head keys and values up-projected from the latent by a 16-bit GEMM, so
    its attention runs at the BF16 rate. By hand, one 8,192-token prompt alone in a step (no decode: no cache read,
    the attention kernel is all compute): 8,192 tokens x 4,096 cached tokens on average (causal: half the prompt) x
    128 heads x (2 x (128 + 64) + 2 x 128) FLOPs x 61 layers / 8 GPUs = 2.096e13 FLOPs per GPU, and the step is
    longer than at the FP8 rate by exactly that over 1 / BF16 rate - 1 / FP8 rate. A GQA model keeps its cache's rate."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["mi355x"]
    cfg = ServingConfig(gpus=8, tp=8, input_tokens=8192, output_tokens=1024, precision="fp8")
    d = build_deployment(m, g, cfg, 8, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
    share = FITTED.matmul_efficiency.for_gpu(g) * (1565 / 2500 / 0.8033)  # an AMD GPU: its kernels' measured share too
    assert d.attention_flops_per_s == pytest.approx(5000e12 * share)
    assert d.prefill_attention_flops_per_s == pytest.approx(2500e12 * share)
    flops = 8192 * 4096 * 128 * (2 * (128 + 64) + 2 * 128) * 61 / 8
    assert flops == pytest.approx(2.096e13, rel=1e-3)
    at_fp8 = replace(d, prefill_attention_flops_per_s=d.attention_flops_per_s)
    extra = step_seconds(d, 0.0, 8192.0)[0] - step_seconds(at_fp8, 0.0, 8192.0)[0]
    assert extra == pytest.approx(flops / (2500e12 * share) - flops / (5000e12 * share), rel=1e-9)
    llama = build_deployment(catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"],
                             ServingConfig(gpus=4, tp=4, input_tokens=8192, output_tokens=1024, precision="fp8"),
                             4, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
    assert llama.prefill_attention_flops_per_s == llama.attention_flops_per_s


def test_an_fp4_cache_attends_at_the_fp8_rate_and_reads_its_own_bytes(catalog):
    """An NVFP4 cache (TensorRT-LLM on Blackwell) is dequantized to FP8 for attention, so its math runs at the FP8 rate,
    not the BF16 one it was priced at (hunt-1 #3: FP4 KV ran slower than FP8 KV). Llama-3.1-8B FP8 on one B200: both
    caches attend at 4,500e12 x the matmul share; the FP4 cache holds 2 x 32 layers x 8 KV heads x 128 x 0.5625 bytes
    = 36,864 bytes a token against FP8's 65,536. A prompt alone in a step (8,192 tokens; no cache read, its attention
    all compute: 8,192 x 4,096 x 32 heads x 4 x 128 x 32 layers = 1.759e13 FLOPs) takes the same time with either
    cache; before, the FP4 one took that over 1 / BF16 rate - 1 / FP8 rate longer. A decode step over a long context
    reads fewer bytes, and at the same load the FP4 cache is never slower."""
    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["b200"]
    cfg = ServingConfig(gpus=1, input_tokens=8192, output_tokens=512, precision="fp8")
    fp8, fp4 = (build_deployment(m, g, replace(cfg, kv_precision=kv), 1, 1, 1, Split(1, 1), "fp8", kv, FITTED)
                for kv in ("fp8", "fp4"))
    share = FITTED.matmul_efficiency.for_gpu(g)
    assert fp4.attention_flops_per_s == fp8.attention_flops_per_s == pytest.approx(4500e12 * share)
    assert fp4.prefill_attention_flops_per_s == fp8.prefill_attention_flops_per_s
    assert fp8.kv_bytes_per_token_per_gpu == pytest.approx(2 * 32 * 8 * 128 * 1.0)
    assert fp4.kv_bytes_per_token_per_gpu == pytest.approx(2 * 32 * 8 * 128 * 0.5625)
    assert 8192 * 4096 * 32 * 4 * 128 * 32 == pytest.approx(1.759e13, rel=1e-3)
    assert step_seconds(fp4, 0.0, 8192.0)[0] == pytest.approx(step_seconds(fp8, 0.0, 8192.0)[0], rel=1e-12)
    assert step_seconds(fp4, 64.0, 0.0)[1] < step_seconds(fp8, 64.0, 0.0)[1]  # fewer cache bytes read
    for concurrency in (1, 64):
        at = replace(cfg, input_tokens=30_000, output_tokens=500, concurrency=concurrency)
        r8, r4 = (predict_model(m, g, replace(at, kv_precision=kv)) for kv in ("fp8", "fp4"))
        assert r4.output_tokens_per_s >= r8.output_tokens_per_s
        assert r4.ttft_ms <= r8.ttft_ms and r4.tpot_ms <= r8.tpot_ms


def test_a_gemm_must_be_wider_to_hide_its_activations_the_faster_its_math(catalog):
    """Each activation value a GEMM moves serves 2 n FLOPs (n its narrower weight dimension), so it runs at
    n / (n + a R / 2) of its rate, R the rate over the bandwidth. By hand with the shipped shares (matmul 0.6096, FP4
    0.4917, memory 0.8284) and a = 1.498: H100 SXM FP8, R = 1,979e12 x 0.6096 / (3.35e12 x 0.8284) = 434.7 FLOPs per
    byte, half efficiency at 325.6 columns; B200 FP4, R = 9,000e12 x 0.4917 / (8e12 x 0.8284) = 667.8, at 500.2:
    Qwen3-30B-A3B's 768-wide experts reach 0.70 of the FP8 share on an H100 but 0.61 of the FP4 share on a B200."""
    qwen = catalog.models["qwen3-30b-a3b"]
    cfg = ServingConfig(gpus=1, tp=1, input_tokens=1000, output_tokens=1000)

    def deployment(gpu: str, precision: str):
        return build_deployment(qwen, catalog.gpus[gpu], replace(cfg, precision=precision), 1, 1, 1, Split(1, 1), precision, "fp8", FITTED)

    assert FITTED.gemm_activation_bytes == pytest.approx(1.498)
    h100, b200 = deployment("h100-sxm", "fp8"), deployment("b200", "fp4")
    ridge_h100 = 1979e12 * 0.6096 / (3.35e12 * 0.8284)
    ridge_b200 = 9000e12 * 0.4917 / (8e12 * 0.8284)
    assert ridge_h100 == pytest.approx(434.7, rel=1e-3) and ridge_b200 == pytest.approx(667.8, rel=1e-3)
    assert gemm_half_efficiency_width(h100) == pytest.approx(1.498 * ridge_h100 / 2, rel=1e-3)
    assert gemm_half_efficiency_width(h100) == pytest.approx(325.6, rel=1e-3)
    assert gemm_half_efficiency_width(b200) == pytest.approx(500.2, rel=1e-3)
    assert shape_efficiency(768, gemm_half_efficiency_width(h100)) == pytest.approx(768 / 1093.6, rel=1e-3)  # 0.70
    assert shape_efficiency(768, gemm_half_efficiency_width(b200)) == pytest.approx(768 / 1268.2, rel=1e-3)  # 0.61


def test_large_batch_prefill_heavy_work_is_compute_bound(catalog):
    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    r = predict_model(m, g, ServingConfig(gpus=1, input_tokens=5000, output_tokens=100, precision="fp8"))
    assert r.limited_by in ("compute", "kv cache capacity")
    # upper bound: prompt + output tokens at the achievable FP8 peak cannot be beaten
    flops_per_request = 2 * (8e9 - 2 * 128_256 * 4096) * 5100
    assert r.requests_per_s < 1979e12 * FITTED.matmul_efficiency.shared / flops_per_request


def test_moe_decode_reads_only_the_experts_touched(catalog):
    """Mixtral at one sequence reads 2 of 8 experts per layer, so it decodes far faster than 46.7 B dense."""
    m, g = catalog.models["mixtral-8x7b"], catalog.gpus["h200"]
    r = predict_model(m, g, ServingConfig(gpus=1, input_tokens=1, output_tokens=1, precision="fp8", concurrency=1))
    routed_expert = 3 * 4096 * 14336
    touched = expected_experts_touched(8, 2, 1)  # the decode step (TPOT) carries one token: 2 experts
    dense = 46.7e9 - 32 * 8 * routed_expert - 2 * 32_000 * 4096
    read = dense + touched * routed_expert * 32 + 32_000 * 4096 * 2
    bandwidth = 4.8e12 * FITTED.memory_bandwidth_efficiency.shared
    assert r.tpot_ms / 1e3 > read / bandwidth  # at least the weight read
    assert r.tpot_ms / 1e3 < 46.96e9 / bandwidth  # well under reading every expert


def test_tensor_parallel_splits_weights_and_adds_communication(catalog):
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    one = ServingConfig(gpus=2, input_tokens=1000, output_tokens=1000, precision="fp8")
    r2 = predict_model(m, g, one)
    assert r2.weights_gb_per_gpu == pytest.approx(weight_bytes(m, "fp8") / 2 / 1e9)
    r8 = predict_model(m, g, replace(one, gpus=8, tp=8))
    assert r8.output_tokens_per_s > r2.output_tokens_per_s
    assert r8.output_tokens_per_s_per_gpu < r2.output_tokens_per_s_per_gpu  # all-reduces cost something


@pytest.mark.parametrize("model_id, gpu_id, gpus", [("llama-3.1-70b", "h100-sxm", 2), ("llama-3.1-8b", "h100-sxm", 1),
                                                     ("deepseek-v3", "h200", 8), ("mixtral-8x7b", "b200", 2)])
def test_left_open_more_gpus_never_serve_less_than_replicas_of_fewer(catalog, model_id, gpu_id, gpus):
    """n GPUs can always run as two replicas of n / 2 (tensor_parallel_options offers every narrower group that
    divides the GPUs and the heads), so doubling the GPUs at least doubles what they serve at maximum load; before,
    a 16-GPU group ran as one TP16 across two nodes and served less than 8 GPUs did (DeepSeek-V3 on H200: 10,200
    against 22,256 tokens/s)."""
    m, g = catalog.models[model_id], catalog.gpus[gpu_id]
    base = ServingConfig(gpus=gpus, input_tokens=1024, output_tokens=1024, precision="fp8")
    fewer = predict_model(m, g, base)
    more = predict_model(m, g, replace(base, gpus=2 * gpus))
    assert fewer.runnable and more.runnable
    assert more.output_tokens_per_s >= 2 * fewer.output_tokens_per_s * (1 - 1e-9)
    if more.data_parallel_replicas > 1:  # the replicas are said
        assert more.parallelism.startswith(f"{more.data_parallel_replicas} x ")


# --- GPU generations -------------------------------------------------------------------------

def test_a_generation_uses_its_own_entry_or_else_the_shared_one(catalog):
    assert efficiency_generation(catalog.gpus["b200"]) == "blackwell"
    assert efficiency_generation(catalog.gpus["mi300x"]) == "shared"  # CDNA3: no calibration row
    assert efficiency_generation(catalog.gpus["gaudi3"]) == "shared"
    table = PerGeneration(shared=0.8, hopper=0.9)
    assert table.for_gpu(catalog.gpus["h200"]) == 0.9
    assert table.for_gpu(catalog.gpus["b200"]) == 0.8  # no Blackwell entry
    assert table.for_gpu(catalog.gpus["mi300x"]) == 0.8
    m = catalog.models["llama-3.1-8b"]
    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=100, precision="fp8", kv_precision="fp8")

    def deployment(gpu):
        return build_deployment(m, gpu, cfg, 1, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)

    mi300x, b200 = deployment(catalog.gpus["mi300x"]), deployment(catalog.gpus["b200"])
    assert mi300x.bandwidth_bytes_per_s == pytest.approx(5.3e12 * FITTED.memory_bandwidth_efficiency.for_gpu(catalog.gpus["mi300x"]))
    assert mi300x.matmul_flops_per_s == pytest.approx(2610e12 * FITTED.matmul_efficiency.for_gpu(catalog.gpus["mi300x"])
                                                      * (668.4 / 1300 / 0.8033))  # its measured matmul ceiling
    assert b200.matmul_flops_per_s == pytest.approx(4500e12 * FITTED.matmul_efficiency.for_gpu(catalog.gpus["b200"]))
    # The all-reduce bandwidth is the measured one: B200's NVLink 5 reaches more than H100's NVLink 4
    assert b200.link_bytes_per_s == 361.4e9 > link_bytes_per_s(catalog.gpus["h100-sxm"], FITTED) == 234.2e9


def test_pcie_cards_use_their_pcie_generation_for_all_reduce(catalog):
    # L40S: PCIe 4.0 x16, 31.5 GB/s per direction; RTX PRO 6000 Blackwell: PCIe 5.0 x16, 63 GB/s
    assert link_bytes_per_s(catalog.gpus["l40s"], FITTED) == pytest.approx(31.5e9 * FITTED.link_efficiency)
    assert link_bytes_per_s(catalog.gpus["rtx-pro-6000"], FITTED) == pytest.approx(63.0e9 * FITTED.link_efficiency)
    # NVLink GPUs: their measured all-reduce bus bandwidth, not a fraction of the datasheet link
    assert link_bytes_per_s(catalog.gpus["b200"], FITTED) == 361.4e9
    assert link_bytes_per_s(catalog.gpus["h200"], FITTED) == 234.8e9


def test_fp4_gemms_run_at_their_own_share_of_the_fp4_peak(catalog):
    # Llama-3.3-70B, 4,000-token prompts, 10 output tokens, many sequences: compute-bound on the linear layers
    m, g = catalog.models["llama-3.3-70b"], catalog.gpus["b200"]
    r = predict_model(m, g, ServingConfig(gpus=1, input_tokens=4000, output_tokens=10, precision="fp4", concurrency=64))
    linear_flops_per_request = 2 * (70e9 - 2 * 128_256 * 8192) * 4010
    assert r.limited_by == "compute"
    compute_bound = 9000e12 * FITTED.fp4_matmul_efficiency / linear_flops_per_request  # 7.1 requests/s
    assert 0.8 * compute_bound < r.requests_per_s < compute_bound


def test_a_step_carries_at_most_the_engines_token_budget(catalog):
    # Qwen3-30B-A3B FP4 on one B200, 2,048-token prompts and 128 output tokens: the cache holds over
    # 1,400 sequences, but each step would carry 16 prompt tokens per decoding sequence, so at most
    # 8,192 / (1 + 2048/128) = 481 sequences decode at once.
    r = predict_model(catalog.models["qwen3-30b-a3b"], catalog.gpus["b200"],
                      ServingConfig(gpus=1, input_tokens=2048, output_tokens=128, precision="fp4"))
    assert r.max_concurrency_fits > 1400
    assert r.concurrency == 8192 * 128 // (128 + 2048) == 481
    # decode-heavy requests are not affected: there the cache is the limit
    long_out = predict_model(catalog.models["qwen3-30b-a3b"], catalog.gpus["b200"],
                             ServingConfig(gpus=1, input_tokens=128, output_tokens=2048, precision="fp4"))
    assert long_out.concurrency == long_out.max_concurrency_fits


def test_tied_fit_parameters_move_every_generation_together():
    from tco.bench.fit_throughput import TIED_PARAMETERS, get_constant, with_constant

    assert "memory_bandwidth_efficiency.*" in TIED_PARAMETERS and "fp4_matmul_efficiency" in TIED_PARAMETERS
    assert not any(name.startswith("memory_bandwidth_efficiency.h") for name in TIED_PARAMETERS)
    # `.*` moves every generation's own value and the shared one together
    tied = with_constant(replace(FITTED, matmul_efficiency=PerGeneration(shared=0.6, hopper=0.7)), "matmul_efficiency.*", 0.5)
    assert tied.matmul_efficiency.entries() == {"shared": 0.5, "hopper": 0.5}
    assert get_constant(tied, "matmul_efficiency.*") == 0.5
    one = with_constant(tied, "memory_bandwidth_efficiency.ada", 0.25)
    assert one.memory_bandwidth_efficiency.ada == 0.25
    assert one.memory_bandwidth_efficiency.shared == FITTED.memory_bandwidth_efficiency.shared
    assert get_constant(one, "memory_bandwidth_efficiency.hopper") == FITTED.memory_bandwidth_efficiency.shared  # no own value
    # values, not globals: the shipped constants are untouched
    assert FITTED.matmul_efficiency.hopper is None and FITTED.memory_bandwidth_efficiency.ada is None


def test_a_serving_refit_names_any_fitted_constant_and_a_per_generation_one_whole(capsys):
    """`fit_throughput --serving --parameters` takes any fitted constant, and a per-generation one as `name.*` (all its
    values at once, as the first stage of every fit moves it); anything else exits 2 naming the choices, before fitting."""
    from tco.bench.fit_throughput import PARAMETER_CHOICES, main as fit_main

    assert {"matmul_efficiency.*", "memory_bandwidth_efficiency.*", "layer_overhead_s", "kv_handoff_s"} <= set(PARAMETER_CHOICES)
    assert "matmul_efficiency.hopper" in PARAMETER_CHOICES and "matmul_efficiency" not in PARAMETER_CHOICES
    assert fit_main(["--serving", "--parameters", "layer_overhead_s", "matmul_efficiency", "--rounds", "1"]) == 2
    err = capsys.readouterr().err
    assert "not fitted constants: matmul_efficiency (choose from" in err and "matmul_efficiency.*" in err


# --- Precision rules --------------------------------------------------------------------------

@pytest.mark.parametrize("gpu, precision, kv, ok", [
    ("a100-80gb", "fp8", "bf16", True), ("a100-80gb", "bf16", "bf16", True), ("a100-80gb", "int4", "bf16", True),
    ("a100-80gb", "fp4", "bf16", True), ("h100-sxm", "fp8", "fp8", True), ("h100-sxm", "fp4", "bf16", True),
    ("l40s", "fp8", "fp8", True), ("mi300x", "fp8", "fp8", True), ("b200", "fp4", "fp8", True), ("mi300x", "fp4", "bf16", True),
    ("a100-80gb", "fp8", "fp8", False), ("h100-sxm", "fp8", "fp4", False), ("mi300x", "bf16", "fp4", False),
])
def test_any_weight_format_runs_and_a_cache_needs_its_math(catalog, gpu, precision, kv, ok):
    """Weights without native math run weight-only (16-bit GEMMs); the default cache follows (16-bit where the weights
    run weight-only); a cache the GPU cannot do attention on is refused, naming the generation it needs."""
    cfg = ServingConfig(gpus=1, input_tokens=500, output_tokens=500, precision=precision)
    if ok:  # the default cache is the one named
        assert predict_model(catalog.models["llama-3.1-8b"], catalog.gpus[gpu], cfg).kv_precision == kv
    r = predict_model(catalog.models["llama-3.1-8b"], catalog.gpus[gpu], replace(cfg, kv_precision=kv))
    assert r.runnable is ok
    if not ok:
        assert ("Blackwell" if kv == "fp4" else "Hopper") in r.reason and "KV cache" in r.reason


@pytest.mark.parametrize("gpu, kv, needs", [("a100-80gb", "fp8", "FP8 KV cache needs an Ada, Hopper"),
                                            ("h100-sxm", "fp4", "FP4 KV cache needs a Blackwell or CDNA4 GPU")])
def test_a_cache_refused_for_its_math_says_what_it_needs_in_a_sentence(catalog, gpu, kv, needs):
    """"FP4 KV cache need a Blackwell": the verb agrees with the one cache."""
    r = predict_model(catalog.models["llama-3.1-8b"], catalog.gpus[gpu],
                      ServingConfig(gpus=1, input_tokens=500, output_tokens=500, precision="fp8", kv_precision=kv))
    assert not r.runnable and needs in r.reason


def test_weights_that_do_not_fit_are_refused_with_the_sizes(catalog):
    r = predict_model(catalog.models["llama-3.1-405b"], catalog.gpus["h100-sxm"],
                      ServingConfig(gpus=1, input_tokens=500, output_tokens=500, precision="fp8"))
    assert not r.runnable and "409.2 GB per GPU" in r.reason and "80 GB" in r.reason


def test_int4_halves_the_weights_and_speeds_up_memory_bound_decode(catalog):
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["a100-80gb"]
    cfg = ServingConfig(gpus=2, input_tokens=100, output_tokens=100, concurrency=1)
    bf16 = predict_model(m, g, replace(cfg, precision="bf16"))
    int4 = predict_model(m, g, replace(cfg, precision="int4"))
    assert int4.weights_gb_per_gpu < bf16.weights_gb_per_gpu / 3
    assert int4.tpot_ms < bf16.tpot_ms


# --- Measurements -----------------------------------------------------------------------------

def test_a_matching_measurement_overrides_the_model(catalog):
    m = next(x for x in catalog.measurements if x.model == "llama-3.1-8b" and x.gpu == "h200" and x.input_tokens == 1000)
    cfg = ServingConfig(gpus=m.num_gpus, tp=m.tp, pp=m.pp, precision=m.precision, input_tokens=m.input_tokens,
                        output_tokens=m.output_tokens)
    same = [x for x in catalog.measurements if (x.model, x.gpu, x.precision, x.num_gpus, x.input_tokens, x.output_tokens)
            == (m.model, m.gpu, m.precision, m.num_gpus, m.input_tokens, m.output_tokens)]
    r = predict(catalog.models[m.model], catalog.gpus[m.gpu], cfg, catalog.measurements)
    assert r.basis == "measurement"
    assert r.output_tokens_per_s == pytest.approx(sum(x.output_tokens_per_s for x in same) / len(same))


def test_neighbours_at_other_lengths_are_interpolated(catalog):
    r = predict(catalog.models["llama-3.1-8b"], catalog.gpus["h200"],
                ServingConfig(gpus=1, tp=1, precision="fp8", input_tokens=700, output_tokens=700), catalog.measurements)
    assert r.basis == "interpolation"
    lo = [x.output_tokens_per_s for x in catalog.measurements if x.model == "llama-3.1-8b" and x.gpu == "h200"
          and (x.input_tokens, x.output_tokens) in ((1000, 1000), (500, 2000), (128, 128))]
    assert min(lo) * 0.7 < r.output_tokens_per_s < max(lo) * 1.3


def test_a_latency_target_takes_the_model_at_the_target_scaled_to_the_offline_measurement(catalog):
    """The measurement is at maximum throughput: under a target the model finds the point, the measurement its level
    (basis `calibrated`; before 2026-12-07 the model alone, `test_a_latency_target_never_raises_a_measured_deployments_throughput`).
    The scaled TPOT still meets the target."""
    cfg = ServingConfig(gpus=1, tp=1, precision="fp8", input_tokens=1000, output_tokens=1000, tpot_ms=20)
    r = predict(catalog.models["llama-3.1-8b"], catalog.gpus["h200"], cfg, catalog.measurements)
    assert r.basis == "calibrated" and r.tpot_ms <= 20


# --- MoE, expert parallelism, host overhead ---------------------------------------------------

def test_expert_parallel_load_imbalance_by_hand():
    # 800 token-to-expert routes on 8 GPUs: mean 100, binomial variance 100 x 7/8, max about mean + sqrt(2 var ln 8)
    assert load_imbalance(800, 8) == pytest.approx(1 + (2 * 7 / 8 * math.log(8) / 100) ** 0.5)  # 1.1908
    assert load_imbalance(800, 1) == 1.0  # one GPU holds every expert: nothing to wait for
    assert load_imbalance(80, 8) > load_imbalance(8000, 8)  # small batches are lumpier


def test_the_busiest_expert_parallel_gpu_reads_the_most_touched_experts(catalog, monkeypatch):
    """One DeepSeek-R1 token routes to 8 of 256 experts; over 8 GPUs (32 experts each) that is 1 touched expert per
    GPU on average, but the busiest GPU reads 1 + sqrt(2 x 7/8 x ln 8 / 1) = 2.908 of them, and every MoE layer
    waits for it. A large batch touches all 256: every GPU reads its 32, whatever the spread. By hand, DP8 attention
    + EP8 on 8 H200 in FP8, one decoding sequence: the expert kernel is memory-bound, so the step's memory time is
    longer than with the mean's read by (2.908 - 1) x 3 x 7,168 x 2,048 parameters x 58 MoE layers x 1 byte over
    the bandwidth (4.8 TB/s x 0.8284)."""
    from tco.engine.throughput import step as step_module
    from tco.engine.throughput.collectives import busiest_gpu_experts

    busiest = 1 + (2 * 7 / 8 * math.log(8) / 1) ** 0.5
    assert busiest == pytest.approx(2.908, rel=1e-3)
    assert busiest_gpu_experts(256, 8.0, 8) == pytest.approx(busiest)
    assert busiest_gpu_experts(256, 256.0, 8) == 32.0  # all touched: capped at the experts a GPU holds
    assert busiest_gpu_experts(256, 8.0, 1) == 8.0  # one GPU holds every expert
    m, g = catalog.models["deepseek-r1"], catalog.gpus["h200"]
    cfg = ServingConfig(gpus=8, tp=8, input_tokens=1000, output_tokens=1000, precision="fp8", decode_only=True)
    d = build_deployment(m, g, cfg, 8, 1, 1, Split(8, 8), "fp8", "fp8", FITTED)
    memory_s = step_seconds(d, 1.0, 0.0)[1]
    monkeypatch.setattr(step_module, "busiest_gpu_experts", lambda experts, touched, ranks: touched / ranks)
    mean_memory_s = step_seconds(d, 1.0, 0.0)[1]
    touched = 256 * (1 - (1 - 8 / 256) ** 1)  # 8.0
    extra_bytes = (busiest_gpu_experts(256, touched, 8) - touched / 8) * 3 * 7168 * 2048 * 58 * 1.0
    assert memory_s - mean_memory_s == pytest.approx(extra_bytes / (4.8e12 * FITTED.memory_bandwidth_efficiency.shared), rel=1e-6)


def test_moe_dispatch_traffic_counts_the_activation_precision():
    # Qwen3-30B-A3B expert: hidden 2048, intermediate 768. FP8: 2 x 2048 + 2 x 768 bytes of FP8 copies + 4 x 2048 of 16-bit output.
    assert moe_dispatch_bytes_per_routed_copy(2048, 768, "fp8") == 2 * 2048 + 2 * 768 + 4 * 2048  # 13,824
    assert moe_dispatch_bytes_per_routed_copy(2048, 768, "bf16") == 2 * 2048 * 2 + 2 * 768 * 2 + 4 * 2048  # 19,456
    assert moe_dispatch_bytes_per_routed_copy(2048, 768, "int4") == moe_dispatch_bytes_per_routed_copy(2048, 768, "bf16")


@pytest.mark.parametrize("gpu, runnable", [("h200", True), ("h100-sxm", False), ("b200", True)])
def test_deepseek_v3_fp8_needs_8_gpus_with_more_than_84_gb(catalog, gpu, runnable):
    r = predict_model(catalog.models["deepseek-v3"], catalog.gpus[gpu],
                      ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, precision="fp8"))
    assert r.runnable is runnable
    if not runnable:
        assert "84.1 GB per GPU" in r.reason  # 671 B parameters at 1 byte, embedding and head 16-bit, over 8 GPUs


def test_a_checkpoint_that_quantizes_only_its_experts_keeps_the_rest_in_16_bits(catalog):
    """gpt-oss ships MXFP4 MoE weights and BF16 for the rest (README: "post-trained with MXFP4 quantization of the MoE
    weights"; `experts_only_precision: fp4` in hardware/models.yaml). By hand for gpt-oss-120b: the routed experts are
    128 x 36 layers x 3 x 2,880 x 2,880 = 114.66 B parameters, the embedding and head 2 x 201,088 x 2,880 = 1.16 B,
    the dense rest (attention) 117 B - both = 1.18 B. In FP4 the experts take 0.5625 bytes a parameter, the dense rest
    2 (not 0.5625) and 16-bit math: on a B200 2,250e12 x 0.6096 FLOP/s, where the experts run at 9,000e12 x 0.4917.
    Served at FP8 (a requantized checkpoint) every linear layer is FP8; a model that quantizes everything keeps its
    dense layers in the format asked for."""
    from tco.engine.throughput.memory import dense_precision

    m, b200 = catalog.models["gpt-oss-120b"], catalog.gpus["b200"]
    routed = 128 * 36 * 3 * 2880 * 2880
    head_and_embedding = 2 * 201_088 * 2880
    dense = 117e9 - routed - head_and_embedding
    assert routed == pytest.approx(114.66e9, rel=1e-4) and dense == pytest.approx(1.18e9, rel=0.01)
    assert weight_bytes(m, "fp4") == pytest.approx(routed * 0.5625 + dense * 2 + head_and_embedding * 2)
    assert weight_bytes(m, "fp8") == pytest.approx((routed + dense) * 1 + head_and_embedding * 2)
    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp4")
    d = build_deployment(m, b200, cfg, 1, 1, 1, Split(1, 1), "fp4", "bf16", FITTED)
    assert d.weight_bytes_per_param == 0.5625 and d.dense_weight_bytes_per_param == 2.0
    assert d.matmul_flops_per_s == pytest.approx(9000e12 * 0.4917, rel=1e-3)
    assert d.dense_matmul_flops_per_s == pytest.approx(2250e12 * 0.6096, rel=1e-3)
    at_fp8 = build_deployment(m, b200, replace(cfg, precision="fp8"), 1, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
    assert at_fp8.dense_weight_bytes_per_param == 1.0 and at_fp8.dense_matmul_flops_per_s == at_fp8.matmul_flops_per_s
    qwen = catalog.models["qwen3-30b-a3b"]
    assert qwen.experts_only_precision is None and dense_precision(qwen, "fp4") == "fp4"
    # the 16-bit dense layers read 1.18 B x (2 - 0.5625) = 1.7 GB more a decode step: one sequence decodes slower
    one = predict_model(m, b200, replace(cfg, concurrency=1))
    as_if_all_fp4 = predict_model(m.model_copy(update={"experts_only_precision": None}), b200, replace(cfg, concurrency=1))
    assert one.tpot_ms > as_if_all_fp4.tpot_ms * 1.05


def test_fp4_weights_off_blackwell_run_weight_only_at_the_16_bit_rate(catalog):
    """gpt-oss's MXFP4 checkpoint on one H100, as vLLM serves it there (W4A16 dequantizing MoE kernels): the weights
    keep FP4's bytes, the GEMMs compute at the dense BF16 peak with the BF16/FP8 share, 989e12 x 0.6096 = 602.9e12
    FLOP/s (where FP4 on a B200 runs at 9,000e12 x 0.4917), activations are 16-bit, the cache defaults to 16 bits.
    Beside int4 (the same 16-bit math, 0.53125 bytes per weight against 0.5625) nothing differs but the weight bytes,
    so a memory-bound step takes longer by no more than their ratio. An FP4 cache is still refused there."""
    model, h100 = catalog.models["gpt-oss-120b"], catalog.gpus["h100-sxm"]
    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp4", concurrency=1)
    fp4 = build_deployment(model, h100, cfg, 1, 1, 1, Split(1, 1), "fp4", "bf16", FITTED)
    native = build_deployment(model, catalog.gpus["b200"], cfg, 1, 1, 1, Split(1, 1), "fp4", "fp8", FITTED)
    assert fp4.weight_bytes_per_param == 0.5625 and fp4.computes_in == "bf16" and native.computes_in == "fp4"
    assert fp4.matmul_flops_per_s == pytest.approx(989e12 * 0.6096, rel=1e-3)
    assert native.matmul_flops_per_s == pytest.approx(9000e12 * 0.4917, rel=1e-3)
    assert moe_dispatch_bytes_per_routed_copy(2880, 2880, fp4.computes_in) == moe_dispatch_bytes_per_routed_copy(2880, 2880, "bf16")
    result = predict_model(model, h100, replace(cfg, concurrency=None))
    assert result.runnable and result.kv_precision == "bf16" and result.weights_gb_per_gpu > 60
    # against int4 with every linear layer quantized alike (gpt-oss's own checkpoint keeps its dense layers 16-bit:
    # test_a_checkpoint_that_quantizes_only_its_experts_keeps_the_rest_in_16_bits)
    every_layer = model.model_copy(update={"experts_only_precision": None})
    as_int4 = predict_model(every_layer, h100, replace(cfg, precision="int4"))
    as_fp4 = predict_model(every_layer, h100, cfg)
    assert as_int4.tpot_ms < as_fp4.tpot_ms <= as_int4.tpot_ms * 0.5625 / 0.53125
    refused = predict_model(model, h100, replace(cfg, kv_precision="fp4"))
    assert not refused.runnable and "FP4 KV cache needs a Blackwell or CDNA4 GPU" in refused.reason


def test_dequantizing_moe_kernels_pad_a_touched_expert_to_their_own_tile_not_the_fitted_one(catalog):
    """vLLM 0.33.0 serves gpt-oss's MXFP4 experts on Hopper with OpenAI's Triton MoE kernels, whose tile follows the
    tokens per expert: block_m = max(16, min(next_power_of_2(tokens per expert), 128)) on NVIDIA, max(32, ...) on AMD
    CDNA3 (`third_party/triton_kernels/matmul_ogs_details/opt_flags.py`; config.DEQUANTIZING_MOE_TILE_ROWS). The
    fitted 59.73 rows describe the native FP8 / FP4 kernels of the calibration rows. By hand, gpt-oss-120b on one H100
    decoding 4 sequences: 128 x (1 - (1 - 4/128)^4) = 15.27 experts touched per layer, each 3 x 2,880 x 2,880 =
    24.88 M parameters, read in 24.88 M x 0.5625 B / (3.35e12 x 0.8284 B/s) = 5.04 us; its math with 16 rows a tile,
    2 x 24.88 M x 16 / (989e12 x 0.6096 x 2,880 / (2,880 + 1.498 x 602.9e12 / 2.775e12 / 2)) = 1.39 us (memory-bound);
    with the fitted 59.73 rows 5.20 us, more than the read (compute-bound)."""
    h100, mi300x = catalog.gpus["h100-sxm"], catalog.gpus["mi300x"]
    assert dequantizing_tile_rows(h100, "fp4", "bf16") == 16 and dequantizing_tile_rows(h100, "int4", "int4") == 16
    assert dequantizing_tile_rows(catalog.gpus["a100-80gb"], "fp8", "bf16") == 16  # W8A16 (Marlin) on Ampere
    assert dequantizing_tile_rows(mi300x, "fp4", "bf16") == 32
    assert dequantizing_tile_rows(catalog.gpus["b200"], "fp4", "fp4") is None  # native NVFP4
    assert dequantizing_tile_rows(h100, "fp8", "fp8") is None and dequantizing_tile_rows(h100, "bf16", "bf16") is None
    assert dequantizing_tile_rows(catalog.gpus["gaudi3"], "fp4", "bf16") is None  # kernels not read: the fitted figure

    model = catalog.models["gpt-oss-120b"]
    touched = expected_experts_touched(128, 4, 4)
    params = 3 * 2880 * 2880
    read_s = params * 0.5625 / (3.35e12 * FITTED.memory_bandwidth_efficiency.shared)
    rate = 989e12 * FITTED.matmul_efficiency.shared
    efficiency = 2880 / (2880 + FITTED.gemm_activation_bytes * rate / (3.35e12 * FITTED.memory_bandwidth_efficiency.shared) / 2)
    tile_math_s, fitted_math_s = (2 * params * rows / (rate * efficiency) for rows in (16, FITTED.expert_gemm_half_efficiency_tokens))
    assert touched == pytest.approx(15.27, abs=0.01) and read_s == pytest.approx(5.04e-6, rel=0.01)
    assert tile_math_s == pytest.approx(1.39e-6, rel=0.01) and fitted_math_s == pytest.approx(5.20e-6, rel=0.01)
    assert tile_math_s < read_s < fitted_math_s

    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp4", concurrency=4)
    d = build_deployment(model, h100, cfg, 1, 1, 1, Split(1, 1), "fp4", "bf16", FITTED)
    assert d.expert_tile_rows == 16 and replace(d, expert_tile_rows=None).expert_padding_rows == FITTED.expert_gemm_half_efficiency_tokens
    # the same decode step with the fitted padding is slower, and compute-bound where the kernel's own tile is not
    step, step_as_fitted = step_seconds(d, 4, 0.0), step_seconds(replace(d, expert_tile_rows=None), 4, 0.0)
    assert step[0] < step_as_fitted[0] and step[1] > step[2] and step_as_fitted[2] > step[2]
    assert predict_model(model, h100, cfg).limited_by == "memory bandwidth"


def test_moe_split_is_chosen_when_left_open_and_kept_when_given(catalog):
    m, g = catalog.models["qwen3-235b-a22b"], catalog.gpus["h100-sxm"]
    cfg = ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, precision="fp8")
    auto = predict_model(m, g, cfg)
    tp_only = predict_model(m, g, replace(cfg, tp=8, ep=1, attention_dp=False))
    dep = predict_model(m, g, replace(cfg, ep=8, attention_dp=True))
    tp_ep = predict_model(m, g, replace(cfg, ep=8, attention_dp=False))
    assert tp_only.parallelism == "TP8" and dep.parallelism == "DP8 attention, experts EP8"
    # left open, also two replicas of TP4 (tensor_parallel_options): at least the best of the 8-GPU groups
    halves = predict_model(m, g, replace(cfg, tp=4))
    assert halves.parallelism.startswith("2 x ")
    assert auto.output_tokens_per_s == pytest.approx(max(tp_only.output_tokens_per_s, dep.output_tokens_per_s,
                                                         tp_ep.output_tokens_per_s, halves.output_tokens_per_s))
    # a `TP8` benchmark header (tp given, ep not): TP or DP attention + EP over the same 8 GPUs,
    # whichever is faster, since TensorRT-LLM counts enable_attention_dp's ranks in its tp size ...
    header = predict_model(m, g, replace(cfg, tp=8))
    assert header.output_tokens_per_s == pytest.approx(max(tp_only.output_tokens_per_s, dep.output_tokens_per_s))
    # ... but TensorRT-LLM's TensorRT engine flow (runtime cpp) has no attention data parallelism
    assert predict_model(m, g, replace(cfg, tp=8, runtime="cpp")).parallelism == "TP8"
    assert "DP" not in predict_model(m, g, replace(cfg, runtime="cpp")).parallelism
    # attention data parallelism keeps a full copy of the attention weights on every GPU
    assert dep.weights_gb_per_gpu > tp_only.weights_gb_per_gpu


def test_expert_parallel_needs_ep_to_divide_the_tp_group(catalog):
    r = predict_model(catalog.models["qwen3-235b-a22b"], catalog.gpus["h200"],
                      ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, precision="fp8", ep=3))
    assert not r.runnable and "ep 3" in r.reason
    dense = predict_model(catalog.models["llama-3.1-70b"], catalog.gpus["h200"],
                          ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, attention_dp=True))
    assert not dense.runnable and "mixture-of-experts" in dense.reason


def test_host_overhead_caps_a_small_moe_at_huge_batch(catalog):
    # One scheduler per replica spends host_s_per_sequence per running sequence per step, overlapped with
    # the GPU but for host_exposed_share of the shorter of the two: a step of B sequences takes
    # B x host + share x GPU, so no replica emits more than 1 / host_s_per_sequence tokens per second.
    cfg = ServingConfig(gpus=1, input_tokens=128, output_tokens=128, precision="fp4")
    r = predict_model(catalog.models["gpt-oss-20b"], catalog.gpus["b200"], cfg)
    assert r.limited_by == "host overhead"
    host_s = FITTED.host_s_per_sequence * r.concurrency
    gpu_s = r.concurrency / r.output_tokens_per_s - host_s  # what the step adds to the host time ...
    assert 0 < gpu_s / FITTED.host_exposed_share < host_s  # ... is the exposed share of a GPU time shorter than the host's
    assert r.output_tokens_per_s < 1 / FITTED.host_s_per_sequence
    # the C++ executor spends less CPU per sequence: same GPU, faster steps
    cpp = predict_model(catalog.models["gpt-oss-20b"], catalog.gpus["b200"], replace(cfg, runtime="cpp"))
    assert cpp.runtime == "cpp" and r.runtime == "python"
    assert cpp.output_tokens_per_s > r.output_tokens_per_s
    assert not predict_model(catalog.models["gpt-oss-20b"], catalog.gpus["b200"], replace(cfg, runtime="java")).runnable


def test_sglang_waits_for_all_of_its_host_time_under_speculative_decoding(catalog):
    """SGLang turns its overlap scheduler off for MTP / EAGLE (sglang 0.5.5.post2 server_args.py): the step waits for
    the scheduler's whole CPU time instead of host_exposed_share (0.4346) of it. By hand, DeepSeek-R1 with MTP on 8
    MI355X (TP8), 64 sequences: host time 64 x 31.26 us = 2.0 ms, shorter than the GPU's step, so SGLang's step is
    longer than TensorRT-LLM's (which overlaps) by exactly (1 - 0.4346) x 2.0 ms; without speculation they are equal."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["mi355x"]
    cfg = ServingConfig(gpus=8, tp=8, input_tokens=1000, output_tokens=1000, precision="fp8", spec_method="mtp")

    def step(engine: str, spec: str) -> tuple[float, float, float, float]:
        d = build_deployment(m, g, replace(cfg, engine=engine, spec_method=spec), 8, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
        return step_seconds(d, 64.0, 0.0)

    sglang, trtllm = step("sglang", "mtp"), step("trtllm", "mtp")
    host = 64 * FITTED.host_s_per_sequence
    assert sglang[3] == trtllm[3] == pytest.approx(host) and host < sglang[1] + sglang[2]
    draft = 1 / 61 * (1 - FITTED.host_exposed_share) * host  # the MTP head's pass (one layer of 61) pays it too
    assert sglang[0] - trtllm[0] == pytest.approx((1 - FITTED.host_exposed_share) * host + draft, rel=1e-9)
    assert step("sglang", "none")[0] == pytest.approx(step("trtllm", "none")[0])


def test_runtime_only_changes_the_host_time(catalog):
    # A dense 70 B model on one H200 is GPU-bound: the runtime moves only the exposed share of the host time.
    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp8")
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h200"]
    python, cpp = (build_deployment(m, g, replace(cfg, runtime=rt), 1, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
                   for rt in ("python", "cpp"))
    step_python, step_cpp = step_seconds(python, 64, 0.0)[0], step_seconds(cpp, 64, 0.0)[0]
    expected = FITTED.host_exposed_share * 64 * (FITTED.host_s_per_sequence - FITTED.cpp_host_s_per_sequence)
    assert step_python - step_cpp == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("engine", ["vllm", "sglang"])
def test_an_engine_without_the_cpp_runtime_cannot_run_it(catalog, engine):
    """The C++ executor is TensorRT-LLM's: a library call asking it of vLLM or SGLang is not runnable, with the reason,
    where it ran with TensorRT-LLM's shorter host time."""
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    cfg = ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, engine=engine, runtime="cpp")
    r = predict_model(m, g, cfg)
    assert not r.runnable
    assert r.reason == (f"runtime cpp is TensorRT-LLM's C++ executor (its TensorRT engine flow), which {engine} does not "
                        "have: give python, or the engine trtllm")
    assert predict_model(m, g, replace(cfg, runtime="python")).runnable
    assert predict_model(m, g, replace(cfg, engine="trtllm")).runnable


def test_a_grace_host_slows_the_python_loop_of_a_small_moe_below_the_x86_hosted_b200(catalog):
    """TensorRT-LLM v1.0's tables (calibration rows M0615 / M0616): Qwen3-30B-A3B FP4 on one GPU, 128 in / 128 out,
    GB200 serves 24,107 tokens/s against B200's 39,827 (0.61x), though its datasheet peaks are 1.11x B200's; dense
    Llama-3.3-70B on the same pair runs 1.09x. At 2,048 sequences the small MoE's step is the host's per-sequence work,
    and the GB200's host is a Grace (Arm) CPU: the Python loop's time per sequence is arm_host_slowdown (1.5) x the
    x86 one there, the C++ executor's unchanged."""
    qwen, gb200, b200 = catalog.models["qwen3-30b-a3b"], catalog.gpus["gb200"], catalog.gpus["b200"]
    cfg = ServingConfig(gpus=1, input_tokens=128, output_tokens=128, precision="fp4", engine="trtllm")

    def host_s(gpu, runtime: str) -> float:
        return build_deployment(qwen, gpu, replace(cfg, runtime=runtime), 1, 1, 1, Split(1, 1), "fp4", "fp8",
                                FITTED).host_s_per_sequence

    assert host_s(gb200, "python") == pytest.approx(1.5 * host_s(b200, "python")) == pytest.approx(1.5 * 31.26e-6)
    assert host_s(gb200, "cpp") == host_s(b200, "cpp") == FITTED.cpp_host_s_per_sequence
    on_b200, on_gb200 = predict_model(qwen, b200, cfg), predict_model(qwen, gb200, cfg)
    assert on_b200.limited_by == on_gb200.limited_by == "host overhead"
    # both run 2,048 sequences, and a step is (host + exposed share x GPU): GB200's step is longer by about the
    # extra host time, 0.5 x 2,048 x 31.26 us = 32 ms on top of B200's ~74 ms
    assert on_b200.concurrency == on_gb200.concurrency == 2048
    assert on_gb200.output_tokens_per_s / on_b200.output_tokens_per_s < 0.75
    x86_hosted = predict_model(qwen, gb200, cfg, replace(FITTED, arm_host_slowdown=1.0))
    assert x86_hosted.output_tokens_per_s >= on_b200.output_tokens_per_s  # the stronger GPU, were its host as fast


def test_an_amd_gpu_reaches_less_of_its_peak_than_an_nvidia_one_with_the_same_datasheet(catalog):
    """MI355X and GB200 publish the same dense FP8 peak (5,000 TFLOPS) and bandwidth (8 TB/s). The compute shares are
    fitted on NVIDIA rows; AMD's kernels reach the share their measured BF16 matmul ceilings give against NVIDIA's
    (`vendor_compute_share`): MI355X 1,565 of 2,500 TFLOPS = 0.626, over 0.8033 (the median of the seven NVIDIA
    GPUs with a measured ceiling, H100 SXM's 794.5 of 989) = 0.7793. So an 8,192-token prompt of Llama-3.1-70B FP8 on
    one GPU, a compute-bound step, takes longer on the MI355X: by less than 1 / 0.7793 = 1.28x, as its weights (read
    at the same bandwidth) and the GEMM shape do not slow."""
    m = catalog.models["llama-3.1-70b"]
    cfg = ServingConfig(gpus=1, input_tokens=8192, output_tokens=1, precision="fp8", engine="sglang")

    def deployment(gpu_id: str):
        return build_deployment(m, catalog.gpus[gpu_id], cfg, 1, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)

    mi355x, gb200 = deployment("mi355x"), deployment("gb200")
    assert gb200.matmul_flops_per_s == pytest.approx(5000e12 * FITTED.matmul_efficiency.shared)
    share = 1565 / 2500 / 0.8033
    assert share == pytest.approx(0.7793, abs=5e-5)
    assert mi355x.matmul_flops_per_s == pytest.approx(5000e12 * FITTED.matmul_efficiency.shared * share)
    assert mi355x.attention_flops_per_s == pytest.approx(gb200.attention_flops_per_s * share)
    assert mi355x.bandwidth_bytes_per_s == gb200.bandwidth_bytes_per_s
    slower = step_seconds(mi355x, 0.0, 8192.0)[0] / step_seconds(gb200, 0.0, 8192.0)[0]
    assert 1.2 < slower < 1 / share


def test_the_nvidia_reference_share_is_the_median_of_the_catalogs_measured_nvidia_ceilings(catalog):
    """NVIDIA_MATMUL_SHARE_OF_PEAK is not a free number: recomputed from the catalog's NVIDIA GPUs that carry a measured
    BF16 matmul ceiling (seven of them), the median of measured / peak is the H100 SXM's 794.5 / 989 = 0.8033. Every
    NVIDIA GPU keeps share 1; Intel's Gaudi 3 gets 1,243 / 1,835 / 0.8033 = 0.843; a GPU without a ceiling gets 1."""
    from tco.engine.throughput.gpu import NVIDIA_MATMUL_SHARE_OF_PEAK, vendor_compute_share

    shares = sorted(g.measured_matmul_bf16_tflops / g.dense_bf16_tflops for g in catalog.gpus.values()
                    if g.vendor == "NVIDIA" and g.measured_matmul_bf16_tflops and g.dense_bf16_tflops)
    assert len(shares) == 7
    assert NVIDIA_MATMUL_SHARE_OF_PEAK == round(statistics.median(shares), 4) == round(794.5 / 989, 4)
    assert all(vendor_compute_share(g) == 1.0 for g in catalog.gpus.values() if g.vendor == "NVIDIA")
    assert vendor_compute_share(catalog.gpus["gaudi3"]) == pytest.approx(1243 / 1835 / 0.8033)
    # its ceiling derived from MI355X's by the clock ratio, as its peaks are: the same share of peak on the same silicon
    assert vendor_compute_share(catalog.gpus["mi350x"]) == pytest.approx(vendor_compute_share(catalog.gpus["mi355x"]), rel=1e-4)


def test_nvlink_all_reduce_bandwidth_is_the_median_of_the_engines_measured_tables(catalog):
    """H100 SXM's `measured_allreduce_bus_gb_per_s`, worked from aiconfigurator-core 0.12.0's ten
    `h100_sxm/comm/<engine>/<version>/custom_allreduce_perf.parquet` tables (SGLang, TensorRT-LLM, vLLM; CUDA graphs,
    bfloat16): the all-reduce of a 512 MiB message over 8 GPUs took these milliseconds. Bus bandwidth (the nccl-tests
    convention) = bytes / time x 2 (n - 1) / n; the median over the tables is 234.2 GB/s (vLLM 0.14.0's slow table
    does not move it). GB200's tables stop at one 4-GPU compute tray: x 2 x 3 / 4 there, 314.2 GB/s."""
    from tco.engine.throughput.gpu import NVLINK_GENERATION_ALLREDUCE_GB_PER_S

    def bus_gb_per_s(latency_ms: float, gpus: int) -> float:
        return 2**29 / (latency_ms / 1e3) * 2 * (gpus - 1) / gpus / 1e9

    h100_ms = [4.011536, 4.013994, 4.011725, 4.007294, 4.011725, 4.011171, 4.007814, 5.194133, 4.014258, 4.009240]
    gb200_ms = [2.534406, 2.547974, 2.906772, 2.510114, 2.571172, 2.555708, 2.882234, 2.852025]
    h100, gb200 = catalog.gpus["h100-sxm"], catalog.gpus["gb200"]
    assert h100.measured_allreduce_bus_gb_per_s == round(statistics.median(bus_gb_per_s(t, 8) for t in h100_ms), 1) == 234.2
    assert (h100.measured_allreduce_gpus, gb200.measured_allreduce_gpus) == (8, 4)
    assert gb200.measured_allreduce_bus_gb_per_s == round(statistics.median(bus_gb_per_s(t, 4) for t in gb200_ms), 1)
    # the model uses them as they are: no efficiency applied, no fitted NVLink figure
    assert link_bytes_per_s(h100, FITTED) == 234.2e9 and link_bytes_per_s(gb200, FITTED) == 314.2e9
    # an NVLink GPU without its own measurement gets its generation's HGX part's figure (the catalog's, not a copy)
    references = {"ampere": "a100-80gb", "hopper": "h100-sxm", "blackwell": "b200"}
    assert NVLINK_GENERATION_ALLREDUCE_GB_PER_S == {
        generation: catalog.gpus[gpu].measured_allreduce_bus_gb_per_s for generation, gpu in references.items()}
    assert link_bytes_per_s(catalog.gpus["a100-40gb"], FITTED) == 113.8e9
    assert link_bytes_per_s(catalog.gpus["gh200"], FITTED) == 234.2e9
    # other vendors' fabrics have no measurement: the fitted shared figure
    assert link_bytes_per_s(catalog.gpus["mi355x"], FITTED) == FITTED.nvlink_allreduce_bytes_per_s.shared


def test_a_token_goes_once_to_each_gpu_holding_one_of_its_experts():
    # Mixtral: 8 experts, top-2, one expert per GPU at EP8. Another GPU holds neither of a token's two
    # experts with probability C(7,2)/C(8,2) = 21/28, so 7 x 7/28 = 1.75 other GPUs receive it.
    assert other_ranks_per_token(8, 2, 8) == pytest.approx(1.75)
    # DeepSeek-V3: 256 experts, top-8, 32 per GPU at EP8: none of the 8 on a given other GPU with
    # probability (224 x 223 x ... x 217) / (256 x 255 x ... x 249).
    none_there = math.prod((224 - i) / (256 - i) for i in range(8))
    assert other_ranks_per_token(256, 8, 8) == pytest.approx(7 * (1 - none_there))  # 4.62, not 8 x 7/8
    assert other_ranks_per_token(4, 4, 2) == pytest.approx(1.0)  # every expert chosen: the other GPU always
    assert other_ranks_per_token(256, 8, 1) == 0.0


def test_attention_dp_all_to_all_sends_fp8_dispatch_and_16_bit_combine(catalog):
    m, g = catalog.models["qwen3-235b-a22b"], catalog.gpus["h200"]
    cfg = ServingConfig(gpus=8, tp=8, input_tokens=1000, output_tokens=1000, precision="fp8")
    d = build_deployment(m, g, cfg, 8, 1, 1, Split(8, 8), "fp8", "fp8", FITTED)
    tokens = 100.0
    copies = other_ranks_per_token(128, 8, 8)
    fp8 = alltoall_s(d, 8, tokens, gemm_input_bytes("fp8"))
    bf16 = alltoall_s(d, 8, tokens, 2.0)
    assert fp8 == pytest.approx(FITTED.allreduce_latency_s + tokens * copies * m.hidden_size * 1.0 / d.link_bytes_per_s)
    assert bf16 - FITTED.allreduce_latency_s == pytest.approx(2 * (fp8 - FITTED.allreduce_latency_s))


def test_an_all_to_all_waits_for_a_barrier_of_log2_ranks_rounds(catalog):
    """The fixed part of an all-to-all is the fitted latency at 8 GPUs times log2(ranks) / 3 (a dissemination
    barrier takes log2(R) rounds): 5/3 of it over 32 GPUs, 2/3 over 4; with no tokens only the latency is left."""
    from tco.engine.throughput.collectives import exchange_latency_s

    m, g = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    cfg = ServingConfig(gpus=32, tp=32, input_tokens=1000, output_tokens=1000, precision="fp4")
    d = build_deployment(m, g, cfg, 32, 1, 1, Split(32, 32), "fp4", "fp8", FITTED)
    assert exchange_latency_s(d, 32) == pytest.approx(FITTED.allreduce_latency_s * 5 / 3)
    assert exchange_latency_s(d, 4) == pytest.approx(FITTED.allreduce_latency_s * 2 / 3)
    assert alltoall_s(d, 32, 0.0, 1.0) == pytest.approx(FITTED.allreduce_latency_s * 5 / 3)
    assert allreduce_s(d, 32, 0.0) == pytest.approx(FITTED.allreduce_latency_s)  # all-reduces keep one latency


def test_without_nvlink_attention_dp_all_gathers_tokens_and_reduce_scatters_outputs(catalog):
    # RTX PRO 6000 cards talk over PCIe: no all-to-all kernel, so every GPU receives the other seven
    # GPUs' tokens (NVFP4 dispatch, 0.5625 bytes per value) and the outputs come back reduce-scattered
    # in 16-bit: 7 x tokens x hidden x (0.5625 + 2) bytes over the link, plus two latencies.
    m, rtx, h200 = catalog.models["qwen3-30b-a3b"], catalog.gpus["rtx-pro-6000"], catalog.gpus["h200"]
    cfg = ServingConfig(gpus=8, tp=8, input_tokens=1000, output_tokens=1000, precision="fp4")
    d = build_deployment(m, rtx, cfg, 8, 1, 1, Split(8, 8), "fp4", "fp8", FITTED)
    assert not d.all_to_all
    tokens = 100.0
    expected = 2 * FITTED.allreduce_latency_s + 7 * tokens * m.hidden_size * (0.5625 + 2.0) / d.link_bytes_per_s
    assert moe_exchange_s(d, tokens) == pytest.approx(expected)
    # over NVLink the all-to-all sends a token only to the GPUs holding its experts
    nvlink = build_deployment(m, h200, replace(cfg, precision="fp8"), 8, 1, 1, Split(8, 8), "fp8", "fp8", FITTED)
    assert nvlink.all_to_all
    assert moe_exchange_s(nvlink, tokens) == pytest.approx(
        alltoall_s(nvlink, 8, tokens, 1.0) + alltoall_s(nvlink, 8, tokens, 2.0))
    # experts split over GPUs (ep 1) need every token on every GPU, NVLink or not
    split_experts = build_deployment(m, h200, replace(cfg, precision="fp8"), 8, 1, 1, Split(8, 1), "fp8", "fp8", FITTED)
    assert moe_exchange_s(split_experts, tokens) == pytest.approx(
        allgather_s(split_experts, 8, tokens, 1.0) + allgather_s(split_experts, 8, tokens, 2.0))
    assert allgather_s(split_experts, 8, tokens, 1.0) > alltoall_s(nvlink, 8, tokens, 1.0)


def test_busiest_attention_group_sets_the_prefill_pace():
    # 16 prompts of 1,000 tokens over 8 groups: 2 on average, the busiest about
    # 2 x (1 + sqrt(2 x 7/8 x ln 8 / 2)) = 4.7 of them.
    busiest = busiest_group_prefill_tokens(16_000, 1_000, 8, MAX_TOKENS_PER_STEP)
    assert busiest == pytest.approx(2_000 * (1 + (2 * 7 / 8 * math.log(8) / 2) ** 0.5))
    assert busiest_group_prefill_tokens(16_000, 1_000, 1, MAX_TOKENS_PER_STEP) == 16_000  # one group: all of it
    # the same tokens in many short prompts spread more evenly than in a few long ones
    assert busiest_group_prefill_tokens(16_000, 100, 8, MAX_TOKENS_PER_STEP) < busiest
    # a prompt longer than the step budget is prefilled in budget-sized chunks
    assert busiest_group_prefill_tokens(16_384, 100_000, 8, MAX_TOKENS_PER_STEP) == busiest_group_prefill_tokens(16_384, MAX_TOKENS_PER_STEP, 8, MAX_TOKENS_PER_STEP)
    assert busiest_group_prefill_tokens(0.0, 1_000, 8, MAX_TOKENS_PER_STEP) == 0.0


def test_attention_dp_over_pcie_scales_a_small_moe_past_tp(catalog):
    # Qwen3-30B-A3B on 8 RTX PRO 6000 over PCIe: TP all-reduces every token twice per layer and
    # loses to one GPU; attention data parallelism gathers each token once and each GPU schedules
    # its own sequences, so the published `TP8` run (39,490 tokens/s at 128/128, 28,011 on one GPU)
    # is evaluated as DP8 attention + EP8.
    m, g = catalog.models["qwen3-30b-a3b"], catalog.gpus["rtx-pro-6000"]
    cfg = ServingConfig(gpus=8, input_tokens=128, output_tokens=128, precision="fp4")
    one = predict_model(m, g, replace(cfg, gpus=1))
    header = predict_model(m, g, replace(cfg, tp=8))
    plain_tp = predict_model(m, g, replace(cfg, tp=8, ep=1, attention_dp=False))
    assert header.parallelism == "DP8 attention, experts EP8"
    assert plain_tp.output_tokens_per_s < one.output_tokens_per_s < header.output_tokens_per_s


# --- Properties -------------------------------------------------------------------------------

MODELS = ["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "deepseek-v3", "qwen3-30b-a3b", "gemma-3-27b",
          "qwen3-235b-a22b", "gpt-oss-120b"]
GPUS = ["h100-sxm", "h200", "b200", "mi300x", "l40s"]


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(GPUS), gpus=st.sampled_from([1, 2, 4]),
       input_tokens=st.integers(1, 20_000), output_tokens=st.integers(1, 4_000))
def test_more_gpus_never_lower_the_memory_that_fits(catalog, model, gpu, gpus, input_tokens, output_tokens):
    cfg = ServingConfig(gpus=gpus, input_tokens=input_tokens, output_tokens=output_tokens, precision="fp8")
    small = predict_model(catalog.models[model], catalog.gpus[gpu], cfg)
    large = predict_model(catalog.models[model], catalog.gpus[gpu], replace(cfg, gpus=gpus * 2))
    if small.runnable:
        assert large.runnable
        assert large.max_concurrency_fits >= small.max_concurrency_fits
        assert large.kv_cache_gb_per_gpu >= small.kv_cache_gb_per_gpu


@settings(max_examples=80, deadline=None)
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(["h100-sxm", "h200", "b200"]),
       input_tokens=st.integers(16, 8_000), output_tokens=st.integers(16, 2_000),
       target=st.floats(5, 5_000), tighter=st.floats(0.1, 1.0), which=st.sampled_from(["ttft_ms", "tpot_ms"]))
def test_a_tighter_latency_target_never_raises_throughput(catalog, model, gpu, input_tokens, output_tokens, target, tighter, which):
    cfg = ServingConfig(gpus=8, input_tokens=input_tokens, output_tokens=output_tokens, precision="fp8")
    loose = predict_model(catalog.models[model], catalog.gpus[gpu], replace(cfg, **{which: target}))
    tight = predict_model(catalog.models[model], catalog.gpus[gpu], replace(cfg, **{which: target * tighter}))
    loose_tps = loose.output_tokens_per_s if loose.runnable else 0.0
    tight_tps = tight.output_tokens_per_s if tight.runnable else 0.0
    assert tight_tps <= loose_tps * (1 + 1e-12)
    if tight.runnable:
        assert getattr(tight, which) <= target * tighter * (1 + 1e-9)


CHUNK_RIPPLE = 1e-3


@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from(MODELS), b=st.integers(1, 1000))
@example(model="llama-3.1-8b", b=900)  # a 0.004 % ripple (22,322.73 -> 22,321.74 tokens/s)
@example(model="deepseek-v3", b=40)  # TP8 -> TP8 attention + EP8: TTFT 156 -> 143 ms, end to end 10.53 -> 10.65 s
def test_throughput_never_falls_and_latency_never_improves_with_more_concurrency(catalog, model, b):
    cfg = ServingConfig(gpus=8, input_tokens=1000, output_tokens=300, precision="fp8")
    g = catalog.gpus["h200"]
    one = predict_model(catalog.models[model], g, replace(cfg, concurrency=b))
    two = predict_model(catalog.models[model], g, replace(cfg, concurrency=b + 1))
    # Prompts are prefilled in whole chunks: the mean step blends the steps with floor(m) and floor(m) + 1
    # chunks, linear between whole chunk counts, while a compute-bound step is convex in its prompt tokens.
    # That leaves a ripple of at most ~0.05 % (llama-3.1-8b near 600 requests on 8 x H200, scanned every
    # third concurrency up to 1,000); anything beyond 0.1 % is a real fall.
    # A request's time end to end never falls either, even where the extra request switches the split (deepseek-v3
    # at 40 -> 41): its TTFT alone may then fall (docs/throughput.md, "MoE across GPUs").
    if one.runnable and two.concurrency > one.concurrency:
        assert two.output_tokens_per_s >= one.output_tokens_per_s * (1 - CHUNK_RIPPLE)
        assert two.tpot_ms >= one.tpot_ms * (1 - CHUNK_RIPPLE)
        end_to_end_ms = [r.ttft_ms + (cfg.output_tokens - 1) * r.tpot_ms for r in (one, two)]
        assert end_to_end_ms[1] >= end_to_end_ms[0] * (1 - CHUNK_RIPPLE)


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(["h100-sxm", "h200", "b200", "gb200", "mi355x"]),
       gpus=st.sampled_from([2, 4, 8, 16]), disaggregated=st.sampled_from([True, False]),
       input_tokens=st.integers(64, 16_000), output_tokens=st.integers(16, 2_000), concurrency=st.integers(1, 512))
@example(model="llama-3.1-70b", gpu="h100-sxm", gpus=2, disaggregated=True, input_tokens=4730, output_tokens=16, concurrency=2)
@example(model="llama-3.1-70b", gpu="h100-sxm", gpus=2, disaggregated=True, input_tokens=9746, output_tokens=16, concurrency=1)
def test_a_closed_loop_accounts_for_every_request_and_its_percentiles_are_ordered(catalog, model, gpu, gpus, disaggregated,
                                                                                  input_tokens, output_tokens, concurrency):
    """Whatever the constants: every one of the C requests of a closed loop is decoding or waiting for its first token,
    C = completions/s x (TTFT + (output - 1) x TPOT) (Little's law, which holds for the means), and TTFT p50 <= p90 <=
    p99. A sweep found both broken on disaggregated replicas (requests beyond the decode side's memory counted as
    decoding; the mean prefill wait in the p50, its 0.9-quantile in the p90). The model reports percentiles: where the
    TTFT is tight (p99 within 1.5 x p50) the law is read on the p50, with a margin; where a prefill queue spreads it, the
    mean TTFT lies between the p50 and the p99, and so does C's reading (Hypothesis found Llama-3.1-70B disaggregated
    on 2 H100, 4,730 in / 16 out, 2 requests: 1.40 requests by the p50, 4.15 by the p99)."""
    cfg = ServingConfig(gpus=gpus, input_tokens=input_tokens, output_tokens=output_tokens, precision="fp8",
                        disaggregated=disaggregated, concurrency=concurrency)
    r = predict_model(catalog.models[model], catalog.gpus[gpu], cfg)
    if not r.runnable:
        return
    assert r.ttft_ms <= r.ttft_p90_ms * (1 + 1e-9) and r.ttft_p90_ms <= r.ttft_p99_ms * (1 + 1e-9)
    assert r.tpot_ms <= r.tpot_p90_ms * (1 + 1e-9)
    by_p50, by_p99 = (r.requests_per_s * (ttft + (output_tokens - 1) * r.tpot_ms) / 1e3 for ttft in (r.ttft_ms, r.ttft_p99_ms))
    if r.ttft_p99_ms <= 1.5 * r.ttft_ms:
        assert by_p50 == pytest.approx(concurrency, rel=0.3)
    else:
        assert 0.7 * by_p50 <= concurrency <= 1.3 * by_p99


@functools.cache
def _bundled_catalog():
    from tco.load.hardware import load_hardware

    return load_hardware()


VALUE_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5, "int4": 0.5}
"""A weight's bytes without its block scales: the least any format stores (a floor, independent of the model's own
`BYTES_PER_WEIGHT`)."""


@settings(max_examples=150, deadline=None)
@given(data=st.data(), gpus=st.sampled_from([1, 2, 4, 8]), precision=st.sampled_from(["bf16", "fp8", "fp4"]),
       engine=st.sampled_from(["vllm", "sglang", "trtllm"]), disaggregated=st.sampled_from([False, False, True]),
       spec_method=st.sampled_from(["none", "none", "mtp", "eagle", "draft-model"]),
       acceptance_length=st.floats(1.2, 3.5), prefix_hit_rate=st.sampled_from([0.0, 0.0, 0.5, 0.9]),
       input_tokens=st.integers(16, 60_000), output_tokens=st.integers(1, 4_000),
       concurrency=st.one_of(st.none(), st.integers(1, 16), st.integers(1, 2_000)))
def test_no_prediction_beats_the_datasheet_roofline(data, gpus, precision, engine, disaggregated, spec_method,
                                                     acceptance_length, prefix_hit_rate, input_tokens, output_tokens,
                                                     concurrency):
    """Whatever the fitted constants, the split or the load, a replica cannot do better than its datasheet: a step that
    emits a token per sequence reads each active weight at least once at the full memory bandwidth of all its GPUs, and
    every token of output or of an uncached prompt costs 2 FLOPs per active weight (the input embedding is a lookup; the
    LM head runs on a prompt's last token only) at the highest dense peak the GPU has. So TPOT >= active weight bytes /
    (GPUs x bandwidth) / tokens per step, TTFT >= one prompt's FLOPs / (GPUs x peak), and output tokens/s <= GPUs x peak x
    output / FLOPs per request. Every catalog model on every catalog GPU; bounds taken loosely (the least bytes any of
    the model's formats stores, the nominal prefix hit, 5 % under the card's active parameters for its rounding), so a
    failure is a prediction faster than physics, not a tight guess. (The catalog is not an argument: Hypothesis would
    print all of it with a falsifying example.)"""
    catalog = _bundled_catalog()
    model = catalog.models[data.draw(st.sampled_from(sorted(catalog.models)), label="model")]
    gpu = catalog.gpus[data.draw(st.sampled_from(sorted(catalog.gpus)), label="gpu")]
    assume(gpus >= 2 or not disaggregated)
    cfg = ServingConfig(gpus=gpus, precision=precision, engine=engine, disaggregated=disaggregated, spec_method=spec_method,
                        acceptance_length=None if spec_method in ("none", "mtp") else acceptance_length,
                        prefix_hit_rate=prefix_hit_rate, input_tokens=input_tokens, output_tokens=output_tokens,
                        concurrency=concurrency)
    r = predict_model(model, gpu, cfg)
    assume(r.runnable)
    embedding = model.vocab_size * model.hidden_size
    active = 0.95 * model.active_params_b * 1e9
    formats = [precision, model.native_precision, model.experts_only_precision]
    least_bytes = min(VALUE_BYTES[f] for f in formats if f in VALUE_BYTES)
    bandwidth = gpus * gpu.memory_bandwidth_tb_per_s * 1e12
    peak_flops = gpus * max(p for p in (gpu.dense_bf16_tflops, gpu.dense_fp8_tflops, gpu.dense_fp4_tflops) if p) * 1e12
    tokens_per_step = max(r.acceptance_length or 1.0, 1.0)
    uncached_prompt = input_tokens * (1 - prefix_hit_rate)
    prompt_flops = 2 * (active - 2 * embedding) * uncached_prompt
    request_flops = prompt_flops + 2 * (active - embedding) * output_tokens

    tpot_floor_ms = (active - embedding) * least_bytes / bandwidth / tokens_per_step * 1e3
    assert r.tpot_ms >= tpot_floor_ms, (r.tpot_ms, tpot_floor_ms, r.parallelism)
    assert r.ttft_ms >= prompt_flops / peak_flops * 1e3, (r.ttft_ms, r.parallelism)
    assert r.output_tokens_per_s <= peak_flops * output_tokens / request_flops, (r.output_tokens_per_s, r.parallelism)


# --- The documented accuracy ------------------------------------------------------------------

@pytest.mark.xdist_group("regimes")  # with tests/engine/test_regimes.py: one worker scores the rows (bundled_model_cases)
def test_accuracy_benchmark_reproduces_the_figures_in_the_doc(bundled_model_cases):
    """`model_cases(catalog)` on the bundled catalog: the session fixture (tests/conftest.py)."""
    from tco.bench.accuracy import summary

    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"Model-only median absolute percentage error: \*\*([\d.]+) %\*\*, P90: \*\*([\d.]+) %\*\*", text)
    assert found, "docs/throughput.md must quote the model-only median and P90"
    figures = summary(bundled_model_cases)
    assert figures["median_abs_pct_error"] == pytest.approx(float(found.group(1)), rel=1e-3)
    assert figures["p90_abs_pct_error"] == pytest.approx(float(found.group(2)), rel=1e-3)


@pytest.mark.xdist_group("regimes")  # with tests/engine/test_regimes.py: one worker scores the rows (bundled_model_cases)
def test_accuracy_benchmark_evaluates_the_model_not_the_lookup(bundled_model_cases):
    assert any(c.error > 1.0 for c in bundled_model_cases)  # a lookup would be exact everywhere


def test_expert_parallel_padding_does_not_grow_with_the_imbalance(catalog):
    # Mixtral on 8 x H200 picks DP8 attention + EP8. From 4 to 5 sequences the busiest GPU's share
    # grows less than the mean (the imbalance falls from 1.92 to 1.82); had the tile padding of every
    # expert been scaled by the imbalance too, the expert GEMM time, and so the TPOT, would fall.
    # The split is forced: the fastest at 4 or 5 sequences is now chosen at that operating point (issue 16).
    cfg = ServingConfig(gpus=8, input_tokens=1000, output_tokens=300, precision="fp8", ep=8, attention_dp=True)
    m, g = catalog.models["mixtral-8x7b"], catalog.gpus["h200"]
    four, five = (predict_model(m, g, replace(cfg, concurrency=b)) for b in (4, 5))
    assert four.parallelism == five.parallelism == "DP8 attention, experts EP8"
    assert five.tpot_ms >= four.tpot_ms


def test_a_group_wider_than_a_node_pays_the_scale_out_latency_on_every_collective(catalog):
    """H100 SXM baseboards join 8 GPUs: a TP16 group's all-reduce crosses the scale-out network and waits
    scale_out_latency_s more than the same all-reduce inside a node (no bytes: only the latencies left)."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["h100-sxm"]
    wide = build_deployment(m, g, ServingConfig(gpus=16, tp=16, input_tokens=1000, output_tokens=1000), 16, 1, 1,
                            Split(1, 1), "fp8", "fp8", FITTED)
    node = build_deployment(m, g, ServingConfig(gpus=8, tp=8, input_tokens=1000, output_tokens=1000), 8, 1, 1,
                            Split(1, 1), "fp8", "fp8", FITTED)
    assert wide.spans_nodes and not node.spans_nodes
    assert allreduce_s(wide, 16, 0.0) == pytest.approx(FITTED.allreduce_latency_s + FITTED.scale_out_latency_s)
    assert allreduce_s(node, 8, 0.0) == pytest.approx(FITTED.allreduce_latency_s)


def test_an_all_reduce_across_nodes_sends_only_a_gpus_share_of_the_data_over_its_nic(catalog):
    """TP16 over two 8-GPU H100 SXM nodes, 8,192 tokens of DeepSeek-R1's 7,168-wide hidden vector in 16 bits
    (117 MB): reduce-scatter and all-gather inside the node move 2 x 7/8 of it over NVLink, and only each GPU's
    1/8 share is all-reduced between the two nodes (2 x 1/2 of it over the scale-out network), as NCCL's
    hierarchical algorithms do; a flat ring would push 2 x 15/16 of it through every NIC."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["h100-sxm"]
    wide = build_deployment(m, g, ServingConfig(gpus=16, tp=16, input_tokens=1000, output_tokens=1000), 16, 1, 1,
                            Split(1, 1), "fp8", "fp8", FITTED)
    data = 8192 * 7168 * 2.0
    nvlink = 234.2e9  # H100 SXM's measured all-reduce bus bandwidth
    assert wide.node_gpus == 8 and wide.node_link_bytes_per_s == pytest.approx(nvlink)
    expected = (FITTED.allreduce_latency_s + FITTED.scale_out_latency_s + 2 * 7 / 8 * data / nvlink
                + 2 * 1 / 2 * data / 8 / FITTED.scale_out_bytes_per_s)
    assert allreduce_s(wide, 16, 8192) == pytest.approx(expected)
    flat = FITTED.allreduce_latency_s + FITTED.scale_out_latency_s + 2 * 15 / 16 * data / FITTED.scale_out_bytes_per_s
    assert allreduce_s(wide, 16, 8192) < flat / 5


def test_sglang_fuses_the_all_reduce_with_the_next_norm_on_one_blackwell_host(catalog):
    """SGLang 0.5.5.post2 fuses each tensor-parallel all-reduce of a DeepSeek-V3-architecture model with the residual
    add and RMSNorm after it on compute-capability-10 Blackwell, without attention data parallelism, on one host, at
    up to 2,048 tokens a step: every layer's two all-reduces but the last layer's second. By hand, DeepSeek-R1 on 4
    GB200 (one compute tray) in TP4, 4 sequences decoding: 2 x 61 - 1 = 121 fused all-reduces, each 11.64 us shorter
    (`fused_allreduce_saving_s`), so the step is 121 x 11.64 us = 1.408 ms shorter than unfused. TP8 spans two
    4-GPU trays (SGLang's nnodes 2): no fusion; nor with attention data parallelism, on vLLM, on MI355X, or in a step
    of more than 2,048 tokens. TensorRT-LLM's fused kernels reach over the NVLink fabric (its multi-node NVLink
    all-reduce, `config.ENGINE_FUSION_REACH`): across the trays of an NVL72 rack, not beyond its 72 GPUs."""
    from tco.engine.throughput.deployment import fuses_allreduce_norm
    from tco.engine.throughput.gpu import host_gpus

    r1, gb200 = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    cfg = ServingConfig(gpus=4, tp=4, input_tokens=1024, output_tokens=1024, precision="fp4", engine="sglang")
    d = build_deployment(r1, gb200, cfg, 4, 1, 1, Split(1, 1), "fp4", "fp8", FITTED)
    assert d.fuses_allreduce_norm and FITTED.fused_allreduce_saving_s == pytest.approx(11.64e-6)
    unfused = replace(d, fuses_allreduce_norm=False)
    saved = step_seconds(unfused, 4.0, 0.0)[0] - step_seconds(d, 4.0, 0.0)[0]
    assert saved == pytest.approx(121 * 11.64e-6, rel=1e-9)  # 1.408 ms
    assert step_seconds(unfused, 4.0, 4096.0)[0] == step_seconds(d, 4.0, 4096.0)[0]  # 4,100 tokens: above 2,048
    assert host_gpus(gb200) == 4 and host_gpus(catalog.gpus["b200"]) == 8 and host_gpus(catalog.gpus["h100-sxm"]) == 8
    assert not fuses_allreduce_norm(r1, gb200, "sglang", 8, 1)  # two trays
    assert fuses_allreduce_norm(r1, catalog.gpus["b200"], "sglang", 8, 1)  # an 8-GPU HGX host
    assert not fuses_allreduce_norm(r1, gb200, "sglang", 4, 4)  # attention data-parallel
    assert not fuses_allreduce_norm(r1, gb200, "vllm", 4, 1)
    assert fuses_allreduce_norm(r1, gb200, "trtllm", 8, 1) and fuses_allreduce_norm(r1, gb200, "trtllm", 72, 1)
    assert not fuses_allreduce_norm(r1, gb200, "trtllm", 144, 1)  # two racks
    assert not fuses_allreduce_norm(r1, catalog.gpus["b200"], "trtllm", 16, 1)  # two 8-GPU HGX hosts
    assert not fuses_allreduce_norm(r1, catalog.gpus["mi355x"], "sglang", 8, 1)
    assert not fuses_allreduce_norm(r1, catalog.gpus["rtx-pro-6000"], "sglang", 4, 1)  # compute capability 12.0
    assert not fuses_allreduce_norm(catalog.models["qwen3-235b-a22b"], gb200, "sglang", 4, 1)  # not MLA
    # SGLang fuses gpt-oss's layers too (GptOssForCausalLM on Blackwell); TensorRT-LLM's is assumed for DeepSeek-V3 only
    oss = catalog.models["gpt-oss-120b"]
    assert fuses_allreduce_norm(oss, catalog.gpus["b200"], "sglang", 4, 1) and fuses_allreduce_norm(catalog.models["kimi-k2"], gb200, "sglang", 4, 1)
    assert not fuses_allreduce_norm(oss, catalog.gpus["b200"], "trtllm", 4, 1) and not fuses_allreduce_norm(oss, catalog.gpus["h100-sxm"], "sglang", 4, 1)


@pytest.mark.parametrize("output_tokens", [1, 2, 5, 100])
def test_a_prompts_step_gives_one_token_under_speculative_decoding_too(catalog, output_tokens):
    """gpt-oss-120b FP8 with an EAGLE head (1.85 tokens a step) on 8 A100, 247 in, 247 requests in flight: a request's prompt step
    gives its first token and each later step 1.85 on average, so it is in the batch for 1 + (output - 1) / 1.85 steps
    and the loop obeys Little's law, 247 = X x (TTFT + (output - 1) x TPOT). Counted as output / 1.85 steps, a one-token
    request finished in 0.54 of a step and the law read 342 requests for 247."""
    from tco.engine.throughput.deployment import Deployment

    config = ServingConfig(gpus=8, tp=8, precision="fp8", engine="trtllm", input_tokens=247, output_tokens=output_tokens,
                           concurrency=247, spec_method="eagle", acceptance_length=1.85)
    r = predict_model(catalog.models["gpt-oss-120b"], catalog.gpus["a100-80gb"], config)
    assert r.runnable and r.acceptance_length == pytest.approx(1.85)
    assert r.requests_per_s * (r.ttft_ms + (output_tokens - 1) * r.tpot_ms) / 1e3 == pytest.approx(247, rel=1e-5)
    steps = Deployment.steps_per_request.fget
    assert steps(_step_fields(output_tokens, 1.85, True)) == pytest.approx(1 + (output_tokens - 1) / 1.85)
    assert steps(_step_fields(output_tokens, 1.0, True)) == steps(_step_fields(output_tokens, 1.0, False)) == output_tokens


def _step_fields(output_tokens: int, acceptance_length: float, first_token_here: bool):
    """The three fields `Deployment.steps_per_request` reads."""
    from types import SimpleNamespace

    return SimpleNamespace(output_tokens=output_tokens, acceptance_length=acceptance_length, first_token_here=first_token_here)


def test_limited_by_names_the_target_that_stops_the_search_not_the_first_one_checked(catalog):
    """Bug hunt: with a TTFT and a TPOT target the answer blamed the TTFT target (checked first at the top
    concurrency, where both miss), although the TPOT target alone gave the same answer, far under the TTFT target."""
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    base = ServingConfig(gpus=2, input_tokens=1000, output_tokens=200, precision="bf16", percentile="p99")
    tpot_only = predict_model(m, g, replace(base, tpot_ms=60))
    ttft_only = predict_model(m, g, replace(base, ttft_ms=500))
    both = predict_model(m, g, replace(base, ttft_ms=500, tpot_ms=60))
    assert tpot_only.concurrency < ttft_only.concurrency  # the TPOT target binds first
    assert both.concurrency == tpot_only.concurrency and both.ttft_p99_ms < 500
    assert (both.limited_by, tpot_only.limited_by, ttft_only.limited_by) == (
        "latency target (tpot)", "latency target (tpot)", "latency target (ttft)")
