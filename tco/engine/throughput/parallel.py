"""How the tp GPUs of a pipeline stage share the work, and which way to choose.

Why the choice takes the evaluation as an argument: judging a split means running the whole
model on it (`predict.predict_split`), which sits above this module; passing it in keeps the
package free of import cycles.
"""

from __future__ import annotations

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


def candidate_splits(model: OpenModel, config: ServingConfig, tp: int) -> list[Split]:
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
