"""Fit the throughput model's efficiency constants on the bundled calibration measurements.

Run: `python -m tco.bench.fit_throughput` (about a minute; `--help` for the options). It prints
the fitted `FittedConstants`, in the form of `FITTED` in `tco/engine/throughput/fitted.py` (to be
pasted there), and with `--holdout` the hold-out figures (refit from the same start without one GPU
or one model family, evaluate on it) that `tco bench accuracy` reports and docs/throughput.md quotes.
`--per-generation links|none` fits the variants with fewer per-generation values, to compare.

Why values and not module globals: every candidate is a new frozen `FittedConstants` passed to
the model (`tco.bench.accuracy.predict_run`), so the model module is never rewritten while it runs,
and the result is a value the caller can print, compare or evaluate.

Why a coordinate search in log space and not scipy: few parameters, no extra dependency, and
the objective (median + P90 of absolute log error) is not smooth anyway.
"""

from __future__ import annotations

import math
import statistics
import sys
from dataclasses import fields, replace
from typing import Callable, Sequence

from tco.engine.throughput import FITTED, GENERATIONS, FittedConstants, PerGeneration, efficiency_generation
from tco.engine.throughput.fitted import GENERATION_FALLBACK
from tco.model.catalog import Catalog
from tco.model.hardware import ThroughputMeasurement

PER_GENERATION = tuple(f.name for f in fields(FittedConstants) if isinstance(getattr(FITTED, f.name), PerGeneration))
"""The constants that can have a value per GPU generation (plus the `shared` one)."""
PARAMETERS = (
    *(f"memory_bandwidth_efficiency.{g}" for g in GENERATIONS),
    # Blackwell: no BF16/FP8 GEMM in the calibration set (every Blackwell row is FP4)
    *(f"matmul_efficiency.{g}" for g in ("ampere", "ada", "hopper")),
    "fp4_matmul_efficiency", "expert_gemm_half_efficiency_tokens", "activation_passes_per_layer", "layer_overhead_s",
    "allreduce_latency_s", "link_efficiency",
    # NVIDIA's NVLink all-reduce bandwidths are measured (gpu.link_bytes_per_s): only the other vendors' shared one
    "nvlink_allreduce_bytes_per_s.*",
    "host_s_per_sequence", "cpp_host_s_per_sequence", "host_exposed_share", "roofline_sharpness",
    "gemm_activation_bytes", "scale_out_bytes_per_s", "scale_out_latency_s", "request_latency_s", "kv_handoff_s",
    "fused_allreduce_saving_s", "arm_host_slowdown",
)
"""Fields of FittedConstants; `name.generation` is one generation's value of a per-generation
constant (`--per-generation all`), `name.*` all of them at once."""
START = {
    "memory_bandwidth_efficiency.*": 0.8, "matmul_efficiency.*": 0.6,
    "fp4_matmul_efficiency": 0.45, "expert_gemm_half_efficiency_tokens": 32.0, "activation_passes_per_layer": 20.0,
    "layer_overhead_s": 80e-6, "allreduce_latency_s": 30e-6, "link_efficiency": 0.75,
    "nvlink_allreduce_bytes_per_s.*": 2e11, "host_s_per_sequence": 2e-5,
    "cpp_host_s_per_sequence": 2e-5, "host_exposed_share": 0.3,
    "roofline_sharpness": 4.0,
    "gemm_activation_bytes": 1.0, "scale_out_bytes_per_s": 40e9, "scale_out_latency_s": 20e-6,
    "request_latency_s": 0.02, "kv_handoff_s": 0.05, "fused_allreduce_saving_s": 0.0,
    "arm_host_slowdown": 1.0,
}
"""Where every fit starts (round figures, the same for every generation), so that a refit without a
GPU or a family owes nothing to the rows it leaves out."""
BOUNDS = {
    "memory_bandwidth_efficiency": (0.3, 0.95), "matmul_efficiency": (0.2, 0.95), "fp4_matmul_efficiency": (0.2, 1.0),
    "link_efficiency": (0.1, 1.0),
    # Two fused add + RMSNorm kernels per layer each read and write the hidden vector and the residual:
    # fewer than 8 passes would be below what every engine does.
    "activation_passes_per_layer": (8.0, 64.0),
    "roofline_sharpness": (1.0, 64.0),
    # a share of the shorter of GPU and host time: from (almost) all hidden to none
    "host_exposed_share": (0.01, 1.0),
    # A grouped GEMM pads each expert's rows to a tile (16 to 128 rows on current kernels): the
    # half-efficiency point is a tile-sized physical quantity, not a free knob.
    "expert_gemm_half_efficiency_tokens": (16.0, 64.0),
    # per-GPU scale-out: at most two 400 Gb/s NICs per GPU on current clusters
    "scale_out_bytes_per_s": (5e9, 100e9),
    # from an FP4 input (0.5625 bytes) to a 32-bit value read and written (8 bytes)
    "gemm_activation_bytes": (0.5, 8.0),
    # an inter-node hop: from a few microseconds (RDMA one-sided) to a millisecond
    "scale_out_latency_s": (1e-6, 1e-3),
    # a fused kernel cannot save more than the all-reduce it replaces costs (the shipped latency, about 38 us)
    "fused_allreduce_saving_s": (0.0, 38e-6),
    # a host CPU from as fast as x86 to three times slower on the scheduler's Python loop
    "arm_host_slowdown": (1.0, 3.0),
}
SERVING_PARAMETERS = ("gemm_activation_bytes", "scale_out_bytes_per_s", "scale_out_latency_s", "request_latency_s",
                      "kv_handoff_s", "allreduce_latency_s", "layer_overhead_s", "fused_allreduce_saving_s",
                      "arm_host_slowdown")
"""`--serving`: what the second calibration source (InferenceX, online points with TTFT and TPOT) moves,
from the shipped FITTED: the GEMM shape, the scale-out network, the fixed latencies of a request (TTFT)
and of small-batch steps (all-reduce, per layer). The compute shares stay as fitted on the TensorRT-LLM
rows: let free (2026-12-02), the FP4 share fell from 0.49 to 0.24 to slow the InferenceX prefill, which
made the TensorRT-LLM v1.0 rows worse (median 11.1 % -> 17.5 %): a compensation, not physics."""
LATENCY_WEIGHT = 1.0
"""Weight of the TPOT and of the TTFT errors (rows that have them) against the throughput error."""


LINK_ONLY_PARAMETERS = tuple(name for name in PARAMETERS
                             if "." not in name or name.startswith("nvlink_allreduce_bytes_per_s."))
"""The default `--per-generation links` second stage: the untied constants and the other vendors' shared link
bandwidth. It fitted the NVLink all-reduce bandwidth per generation (the variant with the best hold-out figures,
docs/throughput.md) until those were measured (`gpu.link_bytes_per_s`, 2026-12-04)."""
TIED_PARAMETERS = tuple(dict.fromkeys(name.partition(".")[0] + (".*" if "." in name else "") for name in PARAMETERS))
"""The first stage of every fit, and the `--per-generation none` baseline: one value shared by every
generation (`name.*`)."""
PARAMETER_CHOICES = tuple(dict.fromkeys(PARAMETERS + TIED_PARAMETERS))
"""What `--serving --parameters` accepts: any fitted constant, a per-generation one also as `name.*` (all its values at
once, as the first stage of every fit moves it: `matmul_efficiency.*`)."""
P90_WEIGHT = 0.5
"""Default weight of the P90 in the objective (`--p90-weight`)."""


def get_constant(constants: FittedConstants, name: str) -> float:
    """One value: `field`, `field.generation` (that generation's, else the shared one) or `field.*` (the shared one)."""
    base, _, key = name.partition(".")
    value = getattr(constants, base)
    if key == "*":
        return value.shared
    return value.get(key) if key else value


def with_constant(constants: FittedConstants, name: str, value: float) -> FittedConstants:
    """A copy of `constants` with one value changed; `field.*` sets the shared value and every
    generation's own value together."""
    base, _, key = name.partition(".")
    if not key:
        return replace(constants, **{base: value})
    per_generation: PerGeneration = getattr(constants, base)
    if key == "*":
        moved = {g: value for g, v in per_generation.entries().items()}
    else:
        moved = {key: value}
    return replace(constants, **{base: replace(per_generation, **moved)})


def starting_constants() -> FittedConstants:
    """START values; the per-generation constants have only their shared value."""
    values = {}
    for f in fields(FittedConstants):
        if f.name in PER_GENERATION:
            values[f.name] = PerGeneration(shared=START[f"{f.name}.*"])
        else:
            values[f.name] = START[f.name]
    return FittedConstants(**values)


def _errors(catalog: Catalog, rows: Sequence[ThroughputMeasurement], constants: FittedConstants) -> list[float]:
    return _all_errors(catalog, rows, constants)[0]


def _all_errors(catalog: Catalog, rows: Sequence[ThroughputMeasurement], constants: FittedConstants,
                ttft_max_concurrency: int | None = None) -> tuple[list[float], list[float], list[float]]:
    """Absolute log errors of throughput (every row), TPOT and TTFT (rows that publish them; medians first;
    TTFT only up to `ttft_max_concurrency` requests in flight when given)."""
    from tco.bench.accuracy import measured_tpot_ms, measured_ttft_ms, predict_run

    out, tpot, ttft = [], [], []
    for m in rows:
        r = predict_run(catalog, m, constants)
        out.append(abs(math.log(r.output_tokens_per_s / m.output_tokens_per_s)) if r.runnable else 1.0)
        ttft_counted = ttft_max_concurrency is None or (m.concurrency is not None and m.concurrency <= ttft_max_concurrency)
        for measured, predicted, errors in ((measured_tpot_ms(m), r.tpot_ms, tpot),
                                            (measured_ttft_ms(m) if ttft_counted else None, r.ttft_ms, ttft)):
            if measured:
                errors.append(abs(math.log(predicted / measured)) if r.runnable and math.isfinite(predicted) and predicted > 0 else 1.0)
    return out, tpot, ttft


def _band_mean(ordered: Sequence[float], lo_pct: float, hi_pct: float) -> float:
    lo, hi = int(len(ordered) * lo_pct / 100), max(int(len(ordered) * hi_pct / 100), int(len(ordered) * lo_pct / 100) + 1)
    return statistics.fmean(ordered[lo:hi])


def objective(catalog: Catalog, rows: Sequence[ThroughputMeasurement], constants: FittedConstants,
              p90_weight: float = P90_WEIGHT, ttft_max_concurrency: int | None = None) -> float:
    """Median + p90_weight x P90 of the absolute log error, each taken as the mean of a band around it
    (40-60 %, 85-95 %): the same target, but a surface the coordinate search can descend, where a
    single order statistic is flat almost everywhere. `ttft_max_concurrency`: see `--ttft-max-concurrency`."""
    total = 0.0
    for weight, errors in zip((1.0, LATENCY_WEIGHT, LATENCY_WEIGHT), _all_errors(catalog, rows, constants, ttft_max_concurrency)):
        if errors:
            errors = sorted(errors)
            total += weight * (_band_mean(errors, 40, 60) + p90_weight * _band_mean(errors, 85, 95))
    return total


def fit(catalog: Catalog, rows: Sequence[ThroughputMeasurement], constants: FittedConstants,
        names: Sequence[str] = PARAMETERS, rounds: int = 6, cycles: int = 4, log: Callable[[str], None] = lambda s: None,
        p90_weight: float = P90_WEIGHT, ttft_max_concurrency: int | None = None) -> FittedConstants:
    """Coordinate search from `constants`: each parameter in turn is multiplied by shrinking factors
    while it helps; returns the best constants found.

    A cycle shrinks the factor from 1.5 over `rounds` rounds; cycles repeat (up to `cycles`) while
    one still improves the objective, because a coarse step can unlock a parameter a fine one
    left stuck.
    """
    best = objective(catalog, rows, constants, p90_weight, ttft_max_concurrency)
    for _ in range(cycles):
        cycle_start = best
        step = 1.5
        for _ in range(rounds):
            for name in names:
                for factor in (step, 1 / step):
                    while True:
                        new = get_constant(constants, name) * factor
                        lo, hi = BOUNDS.get(name.partition(".")[0], (0.0, math.inf))
                        if not lo <= new <= hi:
                            break
                        candidate = with_constant(constants, name, new)
                        value = objective(catalog, rows, candidate, p90_weight, ttft_max_concurrency)
                        if value < best - 1e-9:
                            best, constants = value, candidate
                        else:
                            break
            log(f"step {step:.3f}: objective {best:.4f}")
            step = math.sqrt(step)
        if best > cycle_start - 1e-4:
            break
    return constants


def fit_staged(catalog: Catalog, rows: Sequence[ThroughputMeasurement], per_generation: str = "links", rounds: int = 8,
               cycles: int = 4, log: Callable[[str], None] = lambda s: None, p90_weight: float = P90_WEIGHT) -> FittedConstants:
    """From START, fit one value for every generation (which also becomes the `shared` entry), then,
    per_generation "all" or "links", let each generation's values (all of them, or only the NVLink
    bandwidths) move from it; "none" stops at the shared values. Why in two stages: the per-generation
    fit then can only improve on the shared one, and a generation with few rows stays near it."""
    constants = fit(catalog, rows, starting_constants(), TIED_PARAMETERS, rounds=rounds, cycles=cycles, log=log,
                    p90_weight=p90_weight)
    if per_generation != "none":
        names = PARAMETERS if per_generation == "all" else LINK_ONLY_PARAMETERS
        for name in names:  # each generation starts from the shared value
            base, _, key = name.partition(".")
            if key:
                constants = with_constant(constants, name, getattr(constants, base).shared)
        constants = fit(catalog, rows, constants, names, rounds=rounds, cycles=cycles, log=log, p90_weight=p90_weight)
    return constants


def constants_source(constants: FittedConstants) -> str:
    """`constants` as the Python of `FITTED = FittedConstants(...)` in tco/engine/throughput/fitted.py
    (4 significant figures, as shipped)."""
    lines = ["FITTED = FittedConstants("]
    for f in fields(FittedConstants):
        value = getattr(constants, f.name)
        if isinstance(value, PerGeneration):
            entries = ", ".join(f"{g}={v:.4g}" for g, v in value.entries().items())
            lines.append(f"    {f.name}=PerGeneration({entries}),")
        else:
            lines.append(f"    {f.name}={value:.4g},")
    lines.append(")")
    return "\n".join(lines)


def _holdout_one(job: tuple[str, str, int, str, float, str | None]) -> dict:
    """Refit without one group, from START, and report the error on the group (only the rows of the
    calibration sources whose name starts with `source`, when given).

    A GPU held out that is the only one of its generation in the calibration set (A100 for Ampere,
    L40S for Ada) leaves its generation's efficiencies unfitted: they are then set to the shared
    ones (GENERATION_FALLBACK), as for a generation the calibration set has never seen.
    """
    from tco.bench.accuracy import family, model_cases, summary, usable
    from tco.load.hardware import load_hardware

    kind, key, rounds, per_generation, p90_weight, source = job
    catalog = load_hardware()
    rows = usable(catalog, source)
    select = (lambda m: m.gpu == key) if kind == "gpu" else (lambda m: family(m.model) == key)
    kept = [m for m in rows if not select(m)]
    constants = fit_staged(catalog, kept, per_generation, rounds=rounds, cycles=2, p90_weight=p90_weight)
    if kind == "gpu":
        generation = efficiency_generation(catalog.gpus[key])
        if generation != GENERATION_FALLBACK and not any(
                efficiency_generation(catalog.gpus[m.gpu]) == generation for m in kept):
            for name in PARAMETERS:
                base, _, g = name.partition(".")
                if g == generation:
                    constants = with_constant(constants, name, getattr(constants, base).shared)
    return summary(model_cases(catalog, [m for m in rows if select(m)], constants), f"hold-out {kind}", key)


def holdout_groups(catalog: Catalog, source: str | None = None) -> list[tuple[str, str]]:
    """The groups `--holdout` leaves out in turn: every GPU type and every model family of the rows (of the
    calibration sources whose name starts with `source`, when given)."""
    from tco.bench.accuracy import family, usable

    rows = usable(catalog, source)
    return sorted({("gpu", m.gpu) for m in rows} | {("family", family(m.model)) for m in rows})


def holdout_rows(catalog: Catalog, rounds: int = 8, workers: int = 2, per_generation: str = "links",
                 p90_weight: float = P90_WEIGHT, source: str | None = None) -> list[dict]:
    """Refit without one GPU / one model family, and report the error on what was held out
    (one process per group, `workers` at a time: the refits are independent). `source`: only the rows
    of the calibration sources whose name starts with it (`trtllm`: the TensorRT-LLM tables the compute
    shares of FITTED were fitted on)."""
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(kind, key, rounds, per_generation, p90_weight, source) for kind, key in holdout_groups(catalog, source)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_holdout_one, jobs))


SERVING_HOLDOUTS = (("gpu", "mi355x"), ("gpu", "gb300"), ("gpu", "gb200"), ("gpu", "h100-sxm"), ("family", "deepseek"))
"""The groups the second source touches: its GPUs (GB200 and H100 SXM also have TensorRT-LLM rows) and its family."""


def without_what_only_they_inform(catalog: Catalog, kept: Sequence[ThroughputMeasurement], constants: FittedConstants,
                                  ttft_max_concurrency: int | None = None) -> FittedConstants:
    """`constants` with every serving parameter that no kept row depends on back at its START value. Why: a refit
    without a group moves a parameter only where the kept rows score it, so one that only the group's rows inform
    (the request and handoff latencies when the DeepSeek family, the only rows with a TTFT, is held out; the AMD compute
    share without the MI355X until it was measured instead, 2026-12-04) would keep its shipped value, fitted on the
    group itself."""
    base = objective(catalog, kept, constants, P90_WEIGHT, ttft_max_concurrency)
    for name in SERVING_PARAMETERS:
        reset = with_constant(constants, name, START[name])
        if objective(catalog, kept, reset, P90_WEIGHT, ttft_max_concurrency) == base:
            constants = reset
    return constants


def serving_start() -> FittedConstants:
    """Where a serving refit starts: the shipped constants, with the GEMM shape effect switched on at its round start
    value if the shipped constants have it off (0: a search from 0 would never leave the flat bound)."""
    return FITTED if FITTED.gemm_activation_bytes else replace(FITTED, gemm_activation_bytes=START["gemm_activation_bytes"])


def serving_refit_without(catalog: Catalog, kind: str, key: str, rounds: int = 3,
                          ttft_max_concurrency: int | None = None) -> tuple[FittedConstants, list]:
    """SERVING_PARAMETERS refitted from the shipped FITTED without one GPU (`kind` "gpu") or model family ("family"),
    and the rows left out."""
    from tco.bench.accuracy import family, usable

    rows = usable(catalog)
    select = (lambda m: m.gpu == key) if kind == "gpu" else (lambda m: family(m.model) == key)
    kept = [m for m in rows if not select(m)]
    start = without_what_only_they_inform(catalog, kept, serving_start(), ttft_max_concurrency)
    constants = fit(catalog, kept, start, SERVING_PARAMETERS, rounds=rounds, cycles=1, ttft_max_concurrency=ttft_max_concurrency)
    return constants, [m for m in rows if select(m)]


def serving_holdout_rows(catalog: Catalog, rounds: int = 3, ttft_max_concurrency: int | None = None) -> list[dict]:
    """`--serving --holdout`: refit SERVING_PARAMETERS from the shipped FITTED without one group, and score the group
    (throughput; TPOT and TTFT where it has them). The compute shares stay as shipped (fitted on TensorRT-LLM rows,
    which for GB200 and H100 SXM include the group: a partial hold-out, said so in docs/throughput.md)."""
    from tco.bench.accuracy import model_cases, summary

    out = []
    for kind, key in SERVING_HOLDOUTS:
        constants, held = serving_refit_without(catalog, kind, key, rounds, ttft_max_concurrency)
        cases = model_cases(catalog, held, constants)
        out.append(summary(cases, f"hold-out {kind} (serving refit)", key))
        for metric in ("tpot", "ttft"):
            with_metric = [c.as_metric(metric) for c in cases if c.has(metric)]
            if with_metric:
                out.append(summary(with_metric, f"hold-out {kind} (serving refit), {metric}", key))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    from tco.load.hardware import load_hardware

    parser = argparse.ArgumentParser(
        prog="python -m tco.bench.fit_throughput",
        description="Fit the throughput model's efficiency constants on the bundled calibration measurements "
                    "(model only) and print them as FITTED of tco/engine/throughput/fitted.py.")
    parser.add_argument("--holdout", action="store_true",
                        help="also refit without each GPU type and each model family and print the error on what was "
                             "held out (the rows of tco/bench/holdout_figures.py; several minutes)")
    parser.add_argument("--per-generation", choices=("all", "links", "none"), default="links",
                        help="which constants get their own value per GPU generation: all (memory and matmul "
                             "shares), links (default, the variant shipped as FITTED: the NVLink bandwidths had "
                             "their own until they were measured, 2026-12-04; now none has, and the second stage "
                             "refits the untied constants), or none (one value for every generation)")
    parser.add_argument("--p90-weight", type=float, default=P90_WEIGHT,
                        help=f"weight of the P90 against the median in the objective (default {P90_WEIGHT})")
    parser.add_argument("--workers", type=int, default=2, help="processes for the hold-out refits (default 2)")
    parser.add_argument("--source", metavar="PREFIX",
                        help="fit (and hold out) only the rows of the calibration sources whose name starts with PREFIX "
                             "(`trtllm`: the TensorRT-LLM tables the compute shares of FITTED were fitted on; default: "
                             "every row; not with --serving)")
    parser.add_argument("--serving", action="store_true",
                        help="from the shipped FITTED, move only SERVING_PARAMETERS on both sources (throughput, TPOT, TTFT)")
    parser.add_argument("--rounds", type=int, default=8, help="rounds of shrinking steps per cycle (default 8)")
    parser.add_argument("--parameters", nargs="+", metavar="NAME",
                        help="with --serving: move only these fitted constants (default SERVING_PARAMETERS; any of "
                             "PARAMETERS may be named, and a per-generation one as `name.*` for all its values at "
                             "once; the others stay as shipped)")
    parser.add_argument("--ttft-max-concurrency", type=int, metavar="C",
                        help="with --serving: score TTFT only on rows with at most C requests in flight (where the fixed "
                             "latencies show; above, a closed loop's TTFT is mostly queueing)")
    args = parser.parse_args(argv)
    if args.serving and args.source:
        print("--source: not with --serving (which fits on both sources)", file=sys.stderr)
        return 2
    names = tuple(args.parameters) if args.parameters else SERVING_PARAMETERS
    unknown = [n for n in names if n not in PARAMETER_CHOICES]  # SERVING_PARAMETERS are among them
    if args.serving and unknown:
        print(f"--parameters: not fitted constants: {', '.join(unknown)} (choose from {', '.join(PARAMETER_CHOICES)})",
              file=sys.stderr)
        return 2
    from tco.bench.accuracy import usable

    catalog = load_hardware()
    rows = usable(catalog, args.source)
    if args.serving and args.holdout:
        for row in serving_holdout_rows(catalog, rounds=args.rounds, ttft_max_concurrency=args.ttft_max_concurrency):
            print(row, flush=True)
        return 0
    if args.serving:
        start = serving_start()
        fitted = fit(catalog, rows, start, names, rounds=args.rounds, cycles=1,
                     log=lambda s: print(s, file=sys.stderr, flush=True), p90_weight=args.p90_weight,
                     ttft_max_concurrency=args.ttft_max_concurrency)
        print(constants_source(fitted))
        return 0
    fitted = fit_staged(catalog, rows, args.per_generation, log=lambda s: print(s, file=sys.stderr), p90_weight=args.p90_weight)
    print(constants_source(fitted))
    print("# same as the shipped FITTED" if constants_source(fitted) == constants_source(FITTED)
          else "# differs from the shipped FITTED", file=sys.stderr)
    if args.holdout:
        for row in holdout_rows(catalog, workers=args.workers, per_generation=args.per_generation, p90_weight=args.p90_weight,
                                source=args.source):
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
