"""Fit the throughput model's efficiency constants on the bundled calibration measurements.

Run: `python -m tco.bench.fit_throughput` (about a minute). It prints the fitted values, to be
copied into `tco/engine/throughput.py`, and the hold-out figures (fit without one GPU or one model
family, evaluate on it) that `tco bench accuracy` reports and docs/throughput.md quotes.

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

PARAMETERS = (
    "MEMORY_BANDWIDTH_EFFICIENCY", "MATMUL_EFFICIENCY", "FP4_MATMUL_EFFICIENCY",
    "EXPERT_GEMM_HALF_EFFICIENCY_TOKENS", "ACTIVATION_PASSES_PER_LAYER", "LAYER_OVERHEAD_S", "ALLREDUCE_LATENCY_S",
    "LINK_EFFICIENCY", "NVLINK_ALLREDUCE_BYTES_PER_S", "HOST_S_PER_SEQUENCE",
)
BOUNDS = {
    "MEMORY_BANDWIDTH_EFFICIENCY": (0.3, 0.95), "MATMUL_EFFICIENCY": (0.2, 0.95), "FP4_MATMUL_EFFICIENCY": (0.2, 1.0),
    "LINK_EFFICIENCY": (0.1, 1.0),
    # A grouped GEMM pads each expert's rows to a tile (16 to 128 rows on current kernels): the
    # half-efficiency point is a tile-sized physical quantity, not a free knob.
    "EXPERT_GEMM_HALF_EFFICIENCY_TOKENS": (16.0, 64.0),
}


def _errors(catalog: Catalog, rows: Sequence[ThroughputMeasurement]) -> list[float]:
    from tco.bench.accuracy import config_of

    out = []
    for m in rows:
        r = predict_model(catalog.models[m.model], catalog.gpus[m.gpu], config_of(m))
        out.append(abs(math.log(r.output_tokens_per_s / m.output_tokens_per_s)) if r.runnable else 1.0)
    return out


def objective(catalog: Catalog, rows: Sequence[ThroughputMeasurement]) -> float:
    from tco.bench.accuracy import percentile

    errors = _errors(catalog, rows)
    return statistics.median(errors) + 0.5 * percentile(errors, 90)


def fit(catalog: Catalog, rows: Sequence[ThroughputMeasurement], names: Sequence[str] = PARAMETERS,
        rounds: int = 6, log: Callable[[str], None] = lambda s: None) -> dict[str, float]:
    """Coordinate search: each parameter in turn is multiplied by shrinking factors while it helps."""
    best = objective(catalog, rows)
    step = 1.5
    for _ in range(rounds):
        for name in names:
            for factor in (step, 1 / step):
                while True:
                    old = getattr(tp, name)
                    new = old * factor
                    lo, hi = BOUNDS.get(name, (0.0, math.inf))
                    if not lo <= new <= hi:
                        break
                    setattr(tp, name, new)
                    value = objective(catalog, rows)
                    if value < best - 1e-9:
                        best = value
                    else:
                        setattr(tp, name, old)
                        break
        log(f"step {step:.3f}: objective {best:.4f}")
        step = math.sqrt(step)
    return {name: getattr(tp, name) for name in names}


def _holdout_one(job: tuple[str, str, dict[str, float], int]) -> dict:
    """Refit without one group, from the full fit's values, and report the error on the group."""
    from tco.bench.accuracy import family, model_cases, summary
    from tco.load.hardware import load_hardware

    kind, key, fitted, rounds = job
    catalog = load_hardware()
    rows = [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]
    select = (lambda m: m.gpu == key) if kind == "gpu" else (lambda m: family(m.model) == key)
    for name, value in fitted.items():
        setattr(tp, name, value)
    fit(catalog, [m for m in rows if not select(m)], rounds=rounds)
    return summary(model_cases(catalog, [m for m in rows if select(m)]), f"hold-out {kind}", key)


def holdout_rows(catalog: Catalog, fitted: dict[str, float], rounds: int = 2, workers: int = 2) -> list[dict]:
    """Refit without one GPU / one model family, and report the error on what was held out
    (one process per group, `workers` at a time: the refits are independent)."""
    from concurrent.futures import ProcessPoolExecutor

    from tco.bench.accuracy import family

    rows = [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]
    groups = sorted({("gpu", m.gpu) for m in rows} | {("family", family(m.model)) for m in rows})
    jobs = [(kind, key, dict(fitted), rounds) for kind, key in groups]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_holdout_one, jobs))


def main(argv: list[str] | None = None) -> int:
    from tco.load.hardware import load_hardware

    catalog = load_hardware()
    rows = [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]
    fitted = fit(catalog, rows, log=lambda s: print(s, file=sys.stderr))
    for name, value in fitted.items():
        print(f"{name} = {value:.4g}")
    if "--holdout" in (argv if argv is not None else sys.argv[1:]):
        for row in holdout_rows(catalog, fitted):
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
