"""How far the throughput model is from published measurements (model only, no lookup).

Why model only: the lookup returns a measurement for its own configuration, so its error on the
calibration set is zero by construction. The interpolation is judged separately, leave-one-out.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from tco.engine.throughput import FITTED, FittedConstants, ServingConfig, predict_model
from tco.engine.throughput.lookup import interpolate
from tco.model.catalog import Catalog
from tco.model.hardware import ThroughputMeasurement


@dataclass(frozen=True)
class Case:
    measurement: ThroughputMeasurement
    predicted_tokens_per_s: float | None
    """None when the model says the configuration cannot run."""

    @property
    def error(self) -> float:
        """Absolute percentage error; a configuration the model refuses counts as 100 %."""
        if not self.predicted_tokens_per_s:
            return 100.0
        return abs(self.predicted_tokens_per_s / self.measurement.output_tokens_per_s - 1.0) * 100.0


def config_of(m: ThroughputMeasurement) -> ServingConfig:
    return ServingConfig(
        gpus=m.num_gpus, tp=m.tp, pp=m.pp, ep=m.ep, precision=m.precision, kv_precision=m.kv_cache_precision,
        engine=m.engine, input_tokens=m.input_tokens, output_tokens=m.output_tokens, concurrency=m.concurrency,
        ttft_ms=None, tpot_ms=None, runtime=m.runtime)


def usable(catalog: Catalog) -> list[ThroughputMeasurement]:
    """Measurements whose model and GPU are in the catalog (every one, in a consistent catalog)."""
    return [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus]


def model_cases(catalog: Catalog, measurements: Iterable[ThroughputMeasurement] | None = None,
                constants: FittedConstants = FITTED) -> list[Case]:
    """The model alone (with `constants`) on each measurement (default: every usable one)."""
    out = []
    for m in measurements if measurements is not None else usable(catalog):
        r = predict_model(catalog.models[m.model], catalog.gpus[m.gpu], config_of(m), constants)
        out.append(Case(m, r.output_tokens_per_s if r.runnable else None))
    return out


def leave_one_out_cases(catalog: Catalog) -> list[Case]:
    """Interpolation judged on each measurement with that measurement removed (only where neighbours exist)."""
    pool = usable(catalog)
    out = []
    for i, m in enumerate(pool):
        others = pool[:i] + pool[i + 1:]
        value = interpolate(catalog.models[m.model], catalog.gpus[m.gpu], config_of(m), others, predict_model)
        if value is not None:
            out.append(Case(m, value[0]))
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(cases: Sequence[Case], group: str = "all", key: str = "overall") -> dict:
    errors = [c.error for c in cases]
    return {
        "group": group, "key": key, "rows": len(errors),
        "median_abs_pct_error": round(statistics.median(errors), 2) if errors else math.nan,
        "p90_abs_pct_error": round(percentile(errors, 90), 2) if errors else math.nan,
    }


def by(cases: Sequence[Case], group: str, key_of: Callable[[ThroughputMeasurement], str]) -> list[dict]:
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(key_of(c.measurement), []).append(c)
    return [summary(v, group, k) for k, v in sorted(groups.items())]


def family(model_id: str) -> str:
    """Model family for hold-out tests: the id up to its size (llama-3.1-8b -> llama-3)."""
    if model_id.startswith("llama-4"):
        return "llama-4"
    if model_id.startswith(("llama-3", "llama-2")):
        return "llama-3"
    return model_id.split("-")[0].rstrip("0123456789.") or model_id


def accuracy_rows(catalog: Catalog, holdouts: Sequence[dict] = ()) -> list[dict]:
    """Every figure `tco bench accuracy` prints: overall, per GPU, model, precision, plus the
    leave-one-out interpolation and the hold-out figures recorded by the fitting script."""
    cases = model_cases(catalog)
    rows = [summary(cases, "model (all rows)", "overall")]
    rows += by(cases, "per gpu", lambda m: m.gpu)
    rows += by(cases, "per model", lambda m: m.model)
    rows += by(cases, "per precision", lambda m: m.precision)
    loo = leave_one_out_cases(catalog)
    if loo:
        rows.append(summary(loo, "interpolation (leave one out)", "overall"))
    rows += list(holdouts)
    return rows


def run_benchmark(args) -> int:
    """`tco bench accuracy`: the figures docs/throughput.md quotes."""
    from pathlib import Path

    from tco.bench.holdout_figures import HOLDOUT_ROWS
    from tco.load.hardware import load_hardware
    from tco.report.table import print_rows

    rows = accuracy_rows(load_hardware(extra_dirs=[Path(d) for d in args.hardware_dir]), HOLDOUT_ROWS)
    print_rows(rows, args.format, ("group", "key", "rows", "median_abs_pct_error", "p90_abs_pct_error"))
    return 0
