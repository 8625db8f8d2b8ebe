"""How the tp GPUs of a pipeline stage share the work, and which way to choose.

Why the choice takes the evaluation as an argument: judging a split means running the whole
model on it (`predict.predict_split`), which sits above this module; passing it in keeps the
package free of import cycles.
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from typing import Callable, Sequence

from tco.engine.throughput.config import ServingConfig
from tco.engine.throughput.memory import param_split
from tco.model.hardware import OpenModel


@dataclass(frozen=True)
class Split:
    """How the tp GPUs of one pipeline stage share the work (MoE models may split attention and
    experts differently)."""

    attention_dp: int
    """Attention data-parallel groups within the stage (1 = attention tensor-parallel over all tp GPUs)."""
    ep: int
    """Expert-parallel degree: routed experts spread over ep GPUs, each expert split moe_tp = tp / ep ways."""

    def describe(self, tp: int) -> str:
        if self.ep == 1 and self.attention_dp == 1:
            return f"TP{tp}"
        attention = f"DP{self.attention_dp}" if self.attention_dp > 1 else f"TP{tp}"
        experts = f"EP{self.ep}" + (f" x TP{tp // self.ep}" if tp // self.ep > 1 else "") if self.ep > 1 else f"TP{tp}"
        return f"{attention} attention, experts {experts}"


def attention_tp_problem(model: OpenModel, attention_tp: int) -> str | None:
    """Why attention cannot be split `attention_tp` ways, or None. The engines split attention by whole heads: each GPU
    of the group takes heads / attention_tp query heads, and the KV heads are split the same way or, where there are
    fewer of them than GPUs, replicated so that each GPU holds whole ones (SGLang 0.5.5.post2 `srt/models/llama.py`,
    `LlamaAttention.__init__`: `assert self.total_num_heads % tp_size == 0`, then `total_num_kv_heads % tp_size == 0`
    or `tp_size % total_num_kv_heads == 0`; vLLM and TensorRT-LLM refuse the same splits). MLA caches one latent per
    token, not per-head keys and values, so only its query heads are split."""
    if attention_tp <= 1:
        return None
    if model.num_attention_heads % attention_tp:
        return (f"attention split {attention_tp} ways does not divide {model.id}'s {model.num_attention_heads} attention "
                f"heads (the engines split attention by whole heads)")
    kv_heads = model.num_kv_heads if model.attention != "mla" else None
    if kv_heads and (kv_heads % attention_tp if kv_heads >= attention_tp else attention_tp % kv_heads):
        return (f"attention split {attention_tp} ways neither divides {model.id}'s {kv_heads} KV heads nor is a multiple "
                f"of them (the engines split or replicate whole KV heads)")
    return None


def candidate_splits(model: OpenModel, config: ServingConfig, tp: int) -> list[Split]:
    """The splits the engines offer (`offered_splits`) whose attention group divides the model's heads; all of them if
    none does (`config_problem` refuses that configuration before a split is evaluated)."""
    offered = offered_splits(model, config, tp)
    allowed = [s for s in offered if attention_tp_problem(model, tp // s.attention_dp) is None]
    return allowed or offered


def tensor_parallel_options(model: OpenModel, config: ServingConfig, gpus_per_stage: int) -> list[tuple[int, Split]]:
    """(tp, split) pairs to evaluate for a stage of `gpus_per_stage` GPUs. With tp given, its splits. Left open, the
    whole stage as one group, and every narrower group that divides the stage and the model's heads, run as
    data-parallel replicas over it (16 GPUs: TP16, 2 x TP8, 4 x TP4, ...; 20 GPUs for 128 heads: 5 x TP4, ...), as an
    operator would. Why all of them: n GPUs can always serve as two replicas of n / 2, so more GPUs must never serve
    less; the whole stage alone would put a 16-GPU group's every all-reduce across the nodes' network."""
    if config.tp is not None:
        return [(config.tp, split) for split in candidate_splits(model, config, config.tp)]
    return [(tp, split) for tp in divisors(gpus_per_stage)
            if config.ep is None or tp % config.ep == 0  # an `ep` given spans the group
            for split in offered_splits(model, config, tp) if attention_tp_problem(model, tp // split.attention_dp) is None]


def divisors(n: int) -> list[int]:
    """n's divisors, largest first (trial division up to its square root)."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted({*small, *(n // d for d in small)}, reverse=True)


def offered_splits(model: OpenModel, config: ServingConfig, tp: int) -> list[Split]:
    """The ways to share a stage's tp GPUs that the engines offer, for the configuration asked.

    Dense models, or tp = 1: tensor parallel. MoE with an explicit tp and no ep (what a `TPn`
    benchmark header says): TP, or attention data-parallel with experts EP over the same n GPUs,
    which TensorRT-LLM counts in its tp size (`enable_attention_dp`); attention data-parallel for
    MLA, whose latent cannot be split by head. Otherwise the fastest of the choices left open is
    taken, as a throughput benchmark (or an operator) would. Attention data parallelism is a
    feature of the Python runtimes only (not of TensorRT-LLM's TensorRT engine flow).
    """
    if model.arch_type != "moe" or tp == 1 or not param_split(model).moe_layers:
        return [Split(1, 1)]
    mla = model.attention == "mla"
    if config.ep is None and config.attention_dp is None:
        if config.tp is not None and mla:
            return [Split(tp, tp)]
        data_parallel = [Split(tp, tp)] if config.runtime == "python" else []
        if config.tp is not None:
            return [Split(1, 1)] + data_parallel
        return [Split(1, 1), Split(1, tp)] + data_parallel
    eps = [config.ep] if config.ep is not None else [tp]
    adps = [tp if config.attention_dp else 1] if config.attention_dp is not None else [1, tp]
    return [Split(a, e) for a in adps for e in eps]


def fastest_split(splits: Sequence[Split], offline_tokens_per_s: Callable[[Split], float | None]) -> Split:
    """The split with the best offline throughput (`None`: it cannot run); the first on a tie.

    Used where one split must be chosen for a whole curve (offline). `predict` itself now takes the
    fastest split at the operating point (issue 16 item 5): the best of monotone curves is monotone.
    """
    best, best_tps = splits[0], -1.0
    for split in splits:
        tps = offline_tokens_per_s(split)
        if tps is not None and tps > best_tps * (1 + 1e-12):
            best, best_tps = split, tps
    return best
