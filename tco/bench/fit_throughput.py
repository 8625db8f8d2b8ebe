"""Fit the throughput model's efficiency constants on the bundled calibration measurements.

Run: `python -m tco.bench.fit_throughput` (about a minute; `--help` for the options). It prints
the fitted values, to be copied into `tco/engine/throughput.py`, and with `--holdout` the hold-out
figures (refit from the same start without one GPU or one model family, evaluate on it) that
`tco bench accuracy` reports and docs/throughput.md quotes. `--per-generation links|none` fits the
variants with fewer per-generation values, to compare.

Why a coordinate search in log space and not scipy: few parameters, no extra dependency, and
the objective (median + P90 of absolute log error) is not smooth anyway.
"""

from __future__ import annotations

import math
import statistics
import sys
from typing import Callable, Sequence

from tco.engine import throughput as tp
from tco.engine.throughput import predict_model
from tco.model.catalog import Catalog
from tco.model.hardware import ThroughputMeasurement

PER_GENERATION = ("MEMORY_BANDWIDTH_EFFICIENCY", "MATMUL_EFFICIENCY", "NVLINK_ALLREDUCE_BYTES_PER_S")
"""The dicts of tco.engine.throughput keyed by GPU generation (plus the `shared` entry)."""
PARAMETERS = (
    *(f"MEMORY_BANDWIDTH_EFFICIENCY.{g}" for g in tp.GENERATIONS),
    # Blackwell: no BF16/FP8 GEMM in the calibration set (every Blackwell row is FP4)
    *(f"MATMUL_EFFICIENCY.{g}" for g in ("ampere", "ada", "hopper")),
    "FP4_MATMUL_EFFICIENCY", "EXPERT_GEMM_HALF_EFFICIENCY_TOKENS", "ACTIVATION_PASSES_PER_LAYER", "LAYER_OVERHEAD_S",
    "ALLREDUCE_LATENCY_S", "LINK_EFFICIENCY",
    # Ada: no NVLink
    *(f"NVLINK_ALLREDUCE_BYTES_PER_S.{g}" for g in ("ampere", "hopper", "blackwell")),
    "HOST_S_PER_SEQUENCE", "CPP_HOST_S_PER_SEQUENCE", "HOST_EXPOSED_SHARE", "ROOFLINE_SHARPNESS",
)
"""Module constants of tco.engine.throughput; `NAME.key` is one entry of a per-generation dict
(`--per-generation all`)."""
START = {
    "MEMORY_BANDWIDTH_EFFICIENCY.*": 0.8, "MATMUL_EFFICIENCY.*": 0.6,
    "FP4_MATMUL_EFFICIENCY": 0.45, "EXPERT_GEMM_HALF_EFFICIENCY_TOKENS": 32.0, "ACTIVATION_PASSES_PER_LAYER": 20.0,
    "LAYER_OVERHEAD_S": 80e-6, "ALLREDUCE_LATENCY_S": 30e-6, "LINK_EFFICIENCY": 0.75,
    "NVLINK_ALLREDUCE_BYTES_PER_S.*": 2e11, "HOST_S_PER_SEQUENCE": 2e-5,
    "CPP_HOST_S_PER_SEQUENCE": 2e-5, "HOST_EXPOSED_SHARE": 0.3,
    "ROOFLINE_SHARPNESS": 4.0,
}
"""Where every fit starts (round figures, the same for every generation), so that a refit without a
GPU or a family owes nothing to the rows it leaves out."""
BOUNDS = {
    "MEMORY_BANDWIDTH_EFFICIENCY": (0.3, 0.95), "MATMUL_EFFICIENCY": (0.2, 0.95), "FP4_MATMUL_EFFICIENCY": (0.2, 1.0),
    "LINK_EFFICIENCY": (0.1, 1.0),
    # Two fused add + RMSNorm kernels per layer each read and write the hidden vector and the residual:
    # fewer than 8 passes would be below what every engine does.
    "ACTIVATION_PASSES_PER_LAYER": (8.0, 64.0),
    "ROOFLINE_SHARPNESS": (1.0, 64.0),
    # a share of the shorter of GPU and host time: from (almost) all hidden to none
    "HOST_EXPOSED_SHARE": (0.01, 1.0),
    # A grouped GEMM pads each expert's rows to a tile (16 to 128 rows on current kernels): the
    # half-efficiency point is a tile-sized physical quantity, not a free knob.
    "EXPERT_GEMM_HALF_EFFICIENCY_TOKENS": (16.0, 64.0),
}


LINK_ONLY_PARAMETERS = tuple(name for name in PARAMETERS
                             if "." not in name or name.startswith("NVLINK_ALLREDUCE_BYTES_PER_S."))
"""The default `--per-generation links` fits: only the NVLink all-reduce bandwidth per generation
(the variant with the best hold-out figures, docs/throughput.md)."""
TIED_PARAMETERS = tuple(dict.fromkeys(name.partition(".")[0] + (".*" if "." in name else "") for name in PARAMETERS))
"""The first stage of every fit, and the `--per-generation none` baseline: one value shared by every
generation (`NAME.*`)."""


def get_constant(name: str) -> float:
    base, _, key = name.partition(".")
    value = getattr(tp, base)
    if key == "*":  # every entry moves together: read the shared one
        return value[tp.GENERATION_FALLBACK]
    return value[key] if key else value


def set_constant(name: str, value: float) -> None:
    base, _, key = name.partition(".")
    if key == "*":
        for k in getattr(tp, base):
            getattr(tp, base)[k] = value
    elif key:
        getattr(tp, base)[key] = value
    else:
        setattr(tp, base, value)


def _errors(catalog: Catalog, rows: Sequence[ThroughputMeasurement]) -> list[float]:
    from tco.bench.accuracy import config_of

    out = []
    for m in rows:
        r = predict_model(catalog.models[m.model], catalog.gpus[m.gpu], config_of(m))
        out.append(abs(math.log(r.output_tokens_per_s / m.output_tokens_per_s)) if r.runnable else 1.0)
    return out


def _band_mean(ordered: Sequence[float], lo_pct: float, hi_pct: float) -> float:
    lo, hi = int(len(ordered) * lo_pct / 100), max(int(len(ordered) * hi_pct / 100), int(len(ordered) * lo_pct / 100) + 1)
    return statistics.fmean(ordered[lo:hi])


P90_WEIGHT = 0.5
"""Weight of the P90 in the objective (`--p90-weight`)."""


def _set_p90_weight(value: float) -> None:
    global P90_WEIGHT
    P90_WEIGHT = value


def objective(catalog: Catalog, rows: Sequence[ThroughputMeasurement]) -> float:
    """Median + P90_WEIGHT x P90 of the absolute log error, each taken as the mean of a band around it
    (40-60 %, 85-95 %): the same target, but a surface the coordinate search can descend, where a
    single order statistic is flat almost everywhere."""
    errors = sorted(_errors(catalog, rows))
    return _band_mean(errors, 40, 60) + P90_WEIGHT * _band_mean(errors, 85, 95)


def fit(catalog: Catalog, rows: Sequence[ThroughputMeasurement], names: Sequence[str] = PARAMETERS,
        rounds: int = 6, cycles: int = 4, log: Callable[[str], None] = lambda s: None) -> dict[str, float]:
    """Coordinate search: each parameter in turn is multiplied by shrinking factors while it helps.

    A cycle shrinks the factor from 1.5 over `rounds` rounds; cycles repeat (up to `cycles`) while
    one still improves the objective, because a coarse step can unlock a parameter a fine one
    left stuck.
    """
    best = objective(catalog, rows)
    for _ in range(cycles):
        cycle_start = best
        step = 1.5
        for _ in range(rounds):
            for name in names:
                for factor in (step, 1 / step):
                    while True:
                        old = get_constant(name)
                        new = old * factor
                        lo, hi = BOUNDS.get(name.partition(".")[0], (0.0, math.inf))
                        if not lo <= new <= hi:
                            break
                        set_constant(name, new)
                        value = objective(catalog, rows)
                        if value < best - 1e-9:
                            best = value
                        else:
                            set_constant(name, old)
                            break
            log(f"step {step:.3f}: objective {best:.4f}")
            step = math.sqrt(step)
        if best > cycle_start - 1e-4:
            break
    return {name: get_constant(name) for name in names}


def start() -> None:
    """START values; the per-generation dicts keep only their shared entry."""
    for name in PER_GENERATION:
        getattr(tp, name).clear()
        getattr(tp, name)[tp.GENERATION_FALLBACK] = START[f"{name}.*"]
    for name, value in START.items():
        set_constant(name, value)


def fit_staged(catalog: Catalog, rows: Sequence[ThroughputMeasurement], per_generation: str = "links", rounds: int = 8,
               cycles: int = 4, log: Callable[[str], None] = lambda s: None) -> dict[str, float]:
    """From START, fit one value for every generation (which also becomes the `shared` entry), then,
    per_generation "all" or "links", let each generation's values (all of them, or only the NVLink
    bandwidths) move from it; "none" stops at the shared values. Why in two stages: the per-generation
    fit then can only improve on the shared one, and a generation with few rows stays near it."""
    start()
    fitted = fit(catalog, rows, TIED_PARAMETERS, rounds=rounds, cycles=cycles, log=log)
    if per_generation != "none":
        names = PARAMETERS if per_generation == "all" else LINK_ONLY_PARAMETERS
        for name in names:  # each generation starts from the shared value
            base, _, key = name.partition(".")
            if key:
                set_constant(name, getattr(tp, base)[tp.GENERATION_FALLBACK])
        fitted = fit(catalog, rows, names, rounds=rounds, cycles=cycles, log=log)
        fitted.update({f"{name.partition('.')[0]}.{tp.GENERATION_FALLBACK}": get_constant(name)
                       for name in TIED_PARAMETERS if name.endswith(".*")})
    return fitted


def _holdout_one(job: tuple[str, str, int, str, float]) -> dict:
    """Refit without one group, from START, and report the error on the group.

    A GPU held out that is the only one of its generation in the calibration set (A100 for Ampere,
    L40S for Ada) leaves its generation's efficiencies unfitted: they are then set to the shared
    ones (GENERATION_FALLBACK), as for a generation the calibration set has never seen.
    """
    from tco.bench.accuracy import family, model_cases, summary
    from tco.load.hardware import load_hardware

    kind, key, rounds, per_generation, p90_weight = job
    _set_p90_weight(p90_weight)
    catalog = load_hardware()
    rows = [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]
    select = (lambda m: m.gpu == key) if kind == "gpu" else (lambda m: family(m.model) == key)
    kept = [m for m in rows if not select(m)]
    fit_staged(catalog, kept, per_generation, rounds=rounds, cycles=2)
    if kind == "gpu":
        generation = tp.efficiency_generation(catalog.gpus[key])
        if generation != tp.GENERATION_FALLBACK and not any(
                tp.efficiency_generation(catalog.gpus[m.gpu]) == generation for m in kept):
            for name in PARAMETERS:
                base, _, g = name.partition(".")
                if g == generation:
                    set_constant(name, get_constant(f"{base}.{tp.GENERATION_FALLBACK}"))
    return summary(model_cases(catalog, [m for m in rows if select(m)]), f"hold-out {kind}", key)


def holdout_rows(catalog: Catalog, rounds: int = 8, workers: int = 2, per_generation: str = "links") -> list[dict]:
    """Refit without one GPU / one model family, and report the error on what was held out
    (one process per group, `workers` at a time: the refits are independent)."""
    from concurrent.futures import ProcessPoolExecutor

    from tco.bench.accuracy import family

    rows = [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]
    groups = sorted({("gpu", m.gpu) for m in rows} | {("family", family(m.model)) for m in rows})
    jobs = [(kind, key, rounds, per_generation, P90_WEIGHT) for kind, key in groups]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_holdout_one, jobs))


def main(argv: list[str] | None = None) -> int:
    import argparse

    from tco.load.hardware import load_hardware

    parser = argparse.ArgumentParser(
        prog="python -m tco.bench.fit_throughput",
        description="Fit the throughput model's efficiency constants on the bundled calibration measurements "
                    "(model only) and print them, to be copied into tco/engine/throughput.py.")
    parser.add_argument("--holdout", action="store_true",
                        help="also refit without each GPU type and each model family and print the error on what was "
                             "held out (the rows of tco/bench/holdout_figures.py; several minutes)")
    parser.add_argument("--per-generation", choices=("all", "links", "none"), default="links",
                        help="which constants get their own value per GPU generation: all (memory and matmul "
                             "shares and NVLink bandwidths), links (only the NVLink bandwidths; default, the "
                             "variant in tco/engine/throughput.py), or none (one value for every generation)")
    parser.add_argument("--p90-weight", type=float, default=P90_WEIGHT,
                        help=f"weight of the P90 against the median in the objective (default {P90_WEIGHT})")
    parser.add_argument("--workers", type=int, default=2, help="processes for the hold-out refits (default 2)")
    args = parser.parse_args(argv)
    _set_p90_weight(args.p90_weight)
    catalog = load_hardware()
    rows = [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]
    fitted = fit_staged(catalog, rows, args.per_generation, log=lambda s: print(s, file=sys.stderr))
    for name, value in fitted.items():
        print(f"{name} = {value:.4g}")
    if args.holdout:
        for row in holdout_rows(catalog, workers=args.workers, per_generation=args.per_generation):
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
