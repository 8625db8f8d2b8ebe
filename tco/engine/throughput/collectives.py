"""Communication between the GPUs of a stage: all-reduce, all-gather, all-to-all, and how MoE
tokens reach their experts. Each returns seconds for one collective on the busiest GPU."""

from __future__ import annotations

import math

from tco.engine.throughput.deployment import Deployment
from tco.engine.throughput.memory import gemm_input_bytes


def allreduce_s(d: Deployment, ranks: int, tokens: float) -> float:
    """Ring all-reduce of `tokens` hidden vectors (16-bit) over `ranks` GPUs."""
    if ranks <= 1:
        return 0.0
    seconds = d.constants.allreduce_latency_s + scale_out_latency_s(d)
    data = tokens * d.model.hidden_size * 2.0
    g = d.node_gpus
    if d.spans_nodes and d.node_link_bytes_per_s and ranks > g and ranks % g == 0:
        # Hierarchical (NCCL's tree / NVLS + ring across nodes): reduce-scatter inside each node, all-reduce of
        # each GPU's 1/g share over the scale-out network, all-gather inside the node. Only 1/g of the data
        # crosses a GPU's NIC; the rest moves at the in-node link's pace.
        nodes = ranks // g
        return (seconds + 2.0 * (g - 1) / g * data / d.node_link_bytes_per_s
                + 2.0 * (nodes - 1) / nodes * data / g / d.link_bytes_per_s)
    if d.link_bytes_per_s:
        seconds += 2.0 * (ranks - 1) / ranks * data / d.link_bytes_per_s
    return seconds


def other_ranks_per_token(experts: int, experts_per_token: int, ranks: int) -> float:
    """Expected number of other GPUs holding at least one of a token's k experts, with the experts
    spread evenly over `ranks` GPUs. The engines' all-to-alls (DeepEP, TensorRT-LLM's, vLLM's and
    SGLang's) send a token once to each GPU it needs, however many of its experts sit there.
    Each other GPU holds none of the k with probability C(E - E/ranks, k) / C(E, k)."""
    if ranks <= 1 or experts <= 0:
        return 0.0
    per_rank = experts / ranks
    none_there = 1.0
    for i in range(min(experts_per_token, experts)):
        none_there *= max(experts - per_rank - i, 0.0) / (experts - i)
    return (ranks - 1) * (1.0 - none_there)


def alltoall_s(d: Deployment, ranks: int, tokens: float, bytes_per_value: float) -> float:
    """One all-to-all over `ranks` GPUs sending each of `tokens` hidden vectors once to every other
    GPU that holds one of its experts, `bytes_per_value` per element."""
    if ranks <= 1:
        return 0.0
    copies = other_ranks_per_token(d.split.experts, d.split.experts_per_token, ranks)
    return send_s(d, tokens * copies, bytes_per_value, ranks)


def scale_out_latency_s(d: Deployment) -> float:
    """What a collective adds when its group spans nodes: the NICs, PCIe and switch hops of the scale-out network
    (`FittedConstants.scale_out_latency_s`), 0 inside one NVLink / Infinity Fabric domain."""
    return d.constants.scale_out_latency_s if d.spans_nodes else 0.0


LATENCY_REFERENCE_RANKS = 8
"""The group size `FittedConstants.allreduce_latency_s` is the latency of (the TP8 groups of most calibration rows)."""


def exchange_latency_s(d: Deployment, ranks: int) -> float:
    """Fixed latency of an all-to-all, all-gather or reduce-scatter over `ranks` GPUs.

    Why it grows with the group: before a GPU may read what its peers sent (or reuse its buffers) every peer
    must have signalled it, a barrier across the group, and a barrier over R peers takes log2(R) rounds of
    signalling (a dissemination barrier), whatever the bytes. Scaled to the fitted latency at 8 ranks: 2/3
    of it at 4, 5/3 at 32, 1.86x at 48. Without it, the wide expert-parallel decode groups of the InferenceX
    rows (DP32/DP48 attention on GB200/GB300 NVL72) ran 2-3.5 ms per step faster than measured at a few
    sequences per GPU, while 4-8-GPU groups ran slower."""
    return d.constants.allreduce_latency_s * math.log2(max(ranks, 2)) / math.log2(LATENCY_REFERENCE_RANKS)


def send_s(d: Deployment, vectors: float, bytes_per_value: float, ranks: int = LATENCY_REFERENCE_RANKS) -> float:
    """One collective in which each GPU sends `vectors` hidden vectors over its link to the others of `ranks`
    GPUs, plus its latency (`exchange_latency_s`)."""
    seconds = exchange_latency_s(d, ranks) + scale_out_latency_s(d)
    if d.link_bytes_per_s:
        seconds += vectors * d.model.hidden_size * bytes_per_value / d.link_bytes_per_s
    return seconds


def allgather_s(d: Deployment, ranks: int, tokens: float, bytes_per_value: float) -> float:
    """Ring all-gather (or reduce-scatter, the same traffic) of `tokens` hidden vectors per GPU over
    `ranks` GPUs: each GPU receives the other ranks' tokens."""
    if ranks <= 1:
        return 0.0
    return send_s(d, (ranks - 1) * tokens, bytes_per_value, ranks)


def moe_exchange_s(d: Deployment, tokens: float) -> float:
    """Attention data parallelism: moving each group's `tokens` to the experts and their outputs
    back, one MoE layer. Dispatch travels in the expert GEMMs' input precision (quantized before it
    is sent), the combine in 16-bit. Over NVLink, with each expert whole on one GPU, the engines'
    all-to-all kernels (DeepEP, TensorRT-LLM's NVLink all-to-all) send a token only to the GPUs that
    hold its experts. Without such a fabric, or with experts split over GPUs, every token is
    all-gathered to every GPU and the outputs reduce-scattered (vLLM's and SGLang's default,
    TensorRT-LLM's fallback)."""
    dispatch = gemm_input_bytes(d.computes_in)
    if d.all_to_all and d.ep == d.attention_dp:
        return alltoall_s(d, d.ep, tokens, dispatch) + alltoall_s(d, d.ep, tokens, 2.0)
    return allgather_s(d, d.attention_dp, tokens, dispatch) + allgather_s(d, d.attention_dp, tokens, 2.0)


def load_imbalance(assignments: float, ranks: int) -> float:
    """Expected busiest-rank load over mean load when `assignments` units of work (token-to-expert
    routes, prompts) fall at random on `ranks` GPUs or groups: the busiest one sets the pace.
    Binomial loads, expected maximum about mean + sqrt(2 x variance x ln ranks)."""
    if ranks <= 1 or assignments <= 0:
        return 1.0
    mean = assignments / ranks
    return 1.0 + math.sqrt(2.0 * (1.0 - 1.0 / ranks) * math.log(ranks) / mean)


def busiest_gpu_experts(experts: int, touched: float, ranks: int) -> float:
    """Distinct experts the busiest of `ranks` expert-parallel GPUs reads in one layer, when the batch touches
    `touched` of the `experts` (spread evenly, experts / ranks on each GPU).

    Why not touched / ranks: each GPU reads only the experts of its own that the batch touches, and every MoE layer
    waits for the GPU that reads the most. At a few tokens the touched experts land unevenly (one DeepSeek-R1 token,
    8 experts over 8 GPUs: 1 on average, about 2.9 on the busiest), so low-concurrency decode on many GPUs is bound
    by the busiest GPU's expert weights, not the mean's. The same expected-maximum rule as `load_imbalance`, capped
    at the experts a GPU holds (a large batch touches them all, and every GPU reads all of its own)."""
    if ranks <= 1 or touched <= 0:
        return touched
    mean = touched / ranks
    return min(experts / ranks, mean * load_imbalance(touched, ranks))


def busiest_group_prefill_tokens(prefill_tokens: float, prompt_tokens: int, groups: int, step_tokens: int) -> float:
    """Prompt tokens of the busiest of `groups` attention data-parallel groups in one step.

    Each group prefills whole prompts (chunks of at most the step budget), which land unevenly;
    every MoE layer waits for the slowest group. Same expected-maximum rule as the experts' load."""
    if groups <= 1 or prefill_tokens <= 0:
        return prefill_tokens
    prompts = prefill_tokens / min(prompt_tokens, step_tokens)
    return prefill_tokens / groups * load_imbalance(prompts, groups)
