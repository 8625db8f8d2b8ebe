"""How far the throughput model is from published measurements (model only, no lookup).

Why model only: the lookup returns a measurement for its own configuration, so its error on the
calibration set is zero by construction. The interpolation is judged separately, leave-one-out.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from tco.engine.throughput import (FITTED, FittedConstants, ServingConfig, ThroughputResult, predict_at_rate,
                                  predict_closed_loop_run, predict_model, predict_offline_run, predict_rate_run)
from tco.engine.throughput.gpu import peak_tflops
from tco.engine.throughput.lookup import interpolate
from tco.engine.throughput.measured_load import FIXED_CONCURRENCY, FIXED_REQUEST_RATE, OFFLINE
from tco.engine.throughput.regimes import INTERPOLATION, RegimeError, band_name, family, regime_names
from tco.errors import DataProblem, TcoUserError
from tco.model.catalog import Catalog
from tco.model.hardware import GpuType, ThroughputMeasurement


METRICS = ("throughput", "tpot", "ttft")


@dataclass(frozen=True)
class Case:
    measurement: ThroughputMeasurement
    predicted_tokens_per_s: float | None
    """None when the model says the configuration cannot run."""
    predicted_tpot_ms: float | None = None
    predicted_ttft_ms: float | None = None
    metric: str = "throughput"
    """Which figure `error` compares: throughput, tpot or ttft."""

    def _pair(self) -> tuple[float | None, float | None]:
        m = self.measurement
        if self.metric == "tpot":
            return self.predicted_tpot_ms, measured_tpot_ms(m)
        if self.metric == "ttft":
            # an offline run's TTFT is the wait of a queue of all its requests, set by how many it sent: no latency
            # of serving (the TensorRT-LLM tables publish none; imported runs may)
            return self.predicted_ttft_ms, measured_ttft_ms(m) if m.scenario != OFFLINE else None
        return self.predicted_tokens_per_s, m.output_tokens_per_s

    @property
    def error(self) -> float:
        """Absolute percentage error; a configuration the model refuses counts as 100 %."""
        predicted, measured = self._pair()
        if not predicted or not math.isfinite(predicted):
            return 100.0
        return abs(predicted / measured - 1.0) * 100.0

    @property
    def measured_to_model(self) -> float | None:
        """Measured / predicted: below 1 the model promised more (throughput) or less (latency) than the run gave.
        None for a configuration the model refuses."""
        predicted, measured = self._pair()
        return measured / predicted if predicted and math.isfinite(predicted) else None

    def as_metric(self, metric: str) -> "Case":
        return replace(self, metric=metric)

    def has(self, metric: str) -> bool:
        return self.as_metric(metric)._pair()[1] is not None


def source_of(m: ThroughputMeasurement) -> str:
    """The calibration source a measurement belongs to: the prefix of its id (trtllm-v0.17, trtllm-v1.0,
    inferencex), so the two sets (TensorRT-LLM offline tables, InferenceX online points) are judged apart."""
    return m.id.split(":", 1)[0] if ":" in m.id else "other"


def band_of(m: ThroughputMeasurement) -> str:
    """The concurrency band of a row (`regimes.BANDS`); offline rows have none."""
    return "offline" if m.concurrency is None else band_name(m.concurrency)


def regimes_of(catalog: Catalog, m: ThroughputMeasurement) -> tuple[str, ...]:
    """Every accuracy regime a row belongs to (`regimes.regime_names`: the specific one and the wider one)."""
    return regime_names(m.concurrency, m.disaggregated, m.spec_method != "none", bool(catalog.models[m.model].num_routed_experts))


def mean_length(tokens: int, min_ratio: float | None) -> int:
    """The mean request length: uniform in [int(ratio x L), L] has mean (int(ratio x L) + L) / 2 (InferenceX's
    --random-range-ratio; README-inferencex.md), rounded to a whole token."""
    if min_ratio is None:
        return tokens
    return max(1, round((int(min_ratio * tokens) + tokens) / 2))


def config_of(m: ThroughputMeasurement) -> ServingConfig:
    """The question a measurement answers. Disaggregated rows: a worker's GPUs are its pool's GPUs over its
    workers (the published TP can be smaller than that: README-inferencex.md caveat 6), run as attention
    data-parallel with experts EP where the row says dp-attn, as tensor parallel otherwise."""
    inp, out = mean_length(m.input_tokens, m.length_min_ratio), mean_length(m.output_tokens, m.length_min_ratio)
    common = dict(precision=m.precision, kv_precision=m.kv_cache_precision, engine=m.engine, input_tokens=inp,
                  output_tokens=out, concurrency=m.concurrency, ttft_ms=None, tpot_ms=None, runtime=m.runtime,
                  spec_method=m.spec_method, max_batch=m.max_batch, step_tokens=m.step_tokens,
                  request_latency_ms=m.request_latency_ms)
    if m.disaggregated and not layout_published(m):
        # Published with `0 workers` (TP20 ... TP72: not a split 128 attention heads allow): how the pools were
        # cut is not known, so the model picks the split of each side, as it does for a user who gives none; the
        # prefill pool stays one worker of all its GPUs (its published TP), as scored before 2026-12-07, when the
        # model began to choose narrower prefill workers for a user (`_best_prefill_workers`): the rows' workers
        # are unknown either way, and this keeps the scored figures those of the calibration.
        return ServingConfig(gpus=m.num_gpus, disaggregated=True, prefill_gpus=m.prefill.gpus, prefill_tp=m.prefill.gpus,
                             **common)
    if m.disaggregated:
        def worker(pool) -> int:
            return pool.gpus // pool.workers if pool.gpus % pool.workers == 0 else pool.gpus
        def ep(pool, size: int) -> int | None:
            if size == 1:
                return None
            if 1 < pool.ep and size % pool.ep == 0:
                return pool.ep
            return size if pool.attention_dp else 1

        dec_tp, pre_tp = worker(m.decode), worker(m.prefill)
        return ServingConfig(gpus=m.num_gpus, disaggregated=True, prefill_gpus=m.prefill.gpus,
                             tp=dec_tp, ep=ep(m.decode, dec_tp), attention_dp=(m.decode.attention_dp if dec_tp > 1 else None),
                             prefill_tp=pre_tp, prefill_ep=ep(m.prefill, pre_tp),
                             prefill_attention_dp=(m.prefill.attention_dp if pre_tp > 1 else None), **common)
    return ServingConfig(gpus=m.num_gpus, tp=m.tp, pp=m.pp, ep=m.ep, attention_dp=m.attention_dp if m.length_min_ratio else None,
                         **common)


def layout_published(m: ThroughputMeasurement) -> bool:
    """False for a disaggregated row whose pools list `0 workers` (README-inferencex.md caveat 6: layouts copied as
    published, some inconsistent): its workers' size is unknown."""
    return not m.disaggregated or (m.prefill.workers > 0 and m.decode.workers > 0)


LITTLE_TOLERANCE = 1.25
"""How far (as a ratio either way) a closed-loop row's throughput may sit from its own latencies before it is
reported as inconsistent (`little_law_ratio`): run-to-run spread and the lengths' spread stay well inside it."""


def measured_ttft_ms(m: ThroughputMeasurement) -> float | None:
    """The TTFT a row is scored on: its median where published, else its mean."""
    return m.ttft_p50_ms or m.ttft_ms


def measured_tpot_ms(m: ThroughputMeasurement) -> float | None:
    """The TPOT a row is scored on: its median where published, else its mean."""
    return m.tpot_p50_ms or m.tpot_ms


def mean_latencies_ms(m: ThroughputMeasurement) -> tuple[float | None, float | None]:
    """(TTFT, TPOT) for Little's law, which holds for means: the means where published, else the medians (the 108
    history-capture rows publish medians only). The accuracy figures score the medians first (`Case`)."""
    return m.ttft_ms or m.ttft_p50_ms, m.tpot_ms or m.tpot_p50_ms


def little_law_ratio(m: ThroughputMeasurement) -> float | None:
    """Published output tokens/s over what the row's own latencies imply in a closed loop of C requests: each
    request spends TTFT + (output - 1) x TPOT in the system, so C x output / that many tokens a second (Little's
    law, for any server; `mean_latencies_ms`). None where the row is not a closed loop or lacks a latency. Far
    from 1, the row contradicts itself: no model can match both its throughput and its latencies (InferenceX H0578: 25 tokens/s per GPU published at 512 requests, a 1.04 s TTFT and
    a 59 ms TPOT, which imply about 1,060)."""
    ttft, tpot = mean_latencies_ms(m)
    if m.concurrency is None or not ttft or not tpot:
        return None
    out = mean_length(m.output_tokens, m.length_min_ratio)
    seconds_per_request = ttft / 1e3 + (out - 1) * tpot / 1e3
    return m.output_tokens_per_s / (m.concurrency * out / seconds_per_request)


def consistent(m: ThroughputMeasurement) -> bool:
    ratio = little_law_ratio(m)
    return ratio is None or 1.0 / LITTLE_TOLERANCE <= ratio <= LITTLE_TOLERANCE


def at_least_as_strong(a: GpuType, b: GpuType, precision: str, gpus: int = 1) -> bool:
    """Another GPU with at least `b`'s memory, bandwidth and dense TFLOPS at `precision` (and its interconnect, for a
    row of several GPUs): any physical model serves at least as much on `a` as on `b`. False where a figure is unknown."""
    def at_least(x: float | None, y: float | None) -> bool:
        return x is not None and y is not None and x >= y

    return (a.id != b.id and at_least(a.memory_gb, b.memory_gb)
            and at_least(a.memory_bandwidth_tb_per_s, b.memory_bandwidth_tb_per_s)
            and at_least(peak_tflops(a, precision), peak_tflops(b, precision))
            and (gpus == 1 or at_least(a.interconnect_gb_per_s, b.interconnect_gb_per_s)))


def spec_order_contradicted(catalog: Catalog, measurements: Sequence[ThroughputMeasurement]) -> set[str]:
    """Ids of rows that publish a row on a GPU at least as strong (`at_least_as_strong`), with everything else the same
    (source, model, engine and the whole serving configuration), more than LITTLE_TOLERANCE times slower than on the weaker
    one. Both rows of such a pair are returned: which one is off the table cannot say, and no physical model matches
    both (TensorRT-LLM v1.0, Qwen3-30B-A3B FP4 128/128: one GB200 serves 0.61 of one B200's tokens/s, though the GB200
    has the B200's bandwidth and more memory and TFLOPS)."""
    same: dict[tuple, list[ThroughputMeasurement]] = {}
    for m in measurements:
        same.setdefault((source_of(m), m.model, m.engine, config_of(m)), []).append(m)
    out: set[str] = set()
    for rows in same.values():
        for strong in rows:
            for weak in rows:
                if (at_least_as_strong(catalog.gpus[strong.gpu], catalog.gpus[weak.gpu], strong.precision, strong.num_gpus)
                        and strong.output_tokens_per_s * LITTLE_TOLERANCE < weak.output_tokens_per_s):
                    out |= {strong.id, weak.id}
    return out


def usable(catalog: Catalog, source: str | None = None) -> list[ThroughputMeasurement]:
    """Measurements whose model and GPU are in the catalog (every one, in a consistent catalog); `source`: only
    those of the calibration sources whose name starts with it (`source_of`)."""
    return [m for m in catalog.measurements if m.model in catalog.models and m.gpu in catalog.gpus
            and (source is None or source_of(m).startswith(source))
            and (m.scenario != FIXED_REQUEST_RATE or m.request_rate_per_s)]


def of_sources(measurements: Sequence[ThroughputMeasurement], sources: Sequence[str]) -> list[ThroughputMeasurement]:
    """The measurements of the sources whose names start with one of `sources` (`--source`: a team scores its own
    imported runs, `user`, without the calibration rows); a name that matches none is a user error naming those there are."""
    present = sorted({source_of(m) for m in measurements})
    unknown = [s for s in sources if not any(name.startswith(s) for name in present)]
    if unknown:
        raise TcoUserError([DataProblem("--source", None, s, "no measurement of this source", f"the sources are {', '.join(present)}")
                            for s in unknown])
    return [m for m in measurements if any(source_of(m).startswith(s) for s in sources)]


INFERENCEX_REQUESTS_PER_CLIENT = 10
"""InferenceX's harness sends 10 x C prompts at --max-concurrency C (single-node scripts, `benchmark_lib.sh`;
README-inferencex.md, "Workload"). Its multi-node launchers set their own count, which is not published: taken as the
same, which the runs' own figures bear out (docs/throughput.md, "A closed-loop run ends in a drain")."""


def closed_loop_requests(m: ThroughputMeasurement) -> int | None:
    """The requests a closed-loop run at a fixed concurrency sent, where the harness that ran it says so; None = not
    known (scored as the steady state): InferenceX's records (10 x C) and a team's own run that states it covers the
    whole run (`whole_run`: vLLM's and SGLang's bench_serving), its successful requests. Not other tools' runs, which
    may stop at a time, not a count."""
    if m.scenario != FIXED_CONCURRENCY or not m.concurrency:
        return None
    if source_of(m) == "inferencex":
        return INFERENCEX_REQUESTS_PER_CLIENT * m.concurrency
    return m.successful_requests if m.whole_run and m.successful_requests else None


def rate_run_requests(m: ThroughputMeasurement) -> int | None:
    """The requests a run at a fixed request rate sent, where its figures cover that whole run (`whole_run`); None =
    not known (scored as the steady state at that rate)."""
    if m.scenario != FIXED_REQUEST_RATE or not m.request_rate_per_s:
        return None
    return m.successful_requests if m.whole_run and m.successful_requests else None


def predict_run(catalog: Catalog, m: ThroughputMeasurement, constants: FittedConstants = FITTED,
                finite_runs: bool = False, steady_state: bool = False) -> ThroughputResult:
    """The model alone (with `constants`) on the run a measurement describes, at the load it ran: the rate it offered
    (`usable` keeps only runs at a fixed rate that give it; to the run's last request where it covers the whole run,
    `predict_rate_run`), its clients' closed loop to the run's last request where the harness says how many it sent
    (`predict_closed_loop_run`: the burst, the steady state, the drain), its requests in flight, or the steady state of an
    offline run. Every score and every fit reads the model through here.
    `finite_runs`: an offline run that says how many requests it queued at once is scored as that run
    (`predict_offline_run`: its waves), not as the steady state; tried on 2026-12-06 and not the default
    (docs/throughput.md, "A published offline run is a run of N requests"). `steady_state`: every run at its steady
    state, the burst and the drain left out (the scoring before 2026-12-06)."""
    model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
    if m.scenario == FIXED_REQUEST_RATE:
        sent = None if steady_state else rate_run_requests(m)
        if sent:
            return predict_rate_run(model, gpu, config_of(m), m.request_rate_per_s, sent, constants)
        return predict_at_rate(model, gpu, config_of(m), m.request_rate_per_s, constants)
    if finite_runs and m.scenario == OFFLINE and m.concurrency is None and m.successful_requests:
        return predict_offline_run(model, gpu, config_of(m), m.successful_requests, constants)
    requests = None if steady_state else closed_loop_requests(m)
    if requests:
        return predict_closed_loop_run(model, gpu, config_of(m), requests, constants)
    return predict_model(model, gpu, config_of(m), constants)


def model_cases(catalog: Catalog, measurements: Iterable[ThroughputMeasurement] | None = None,
                constants: FittedConstants = FITTED, finite_runs: bool = False, steady_state: bool = False) -> list[Case]:
    """The model alone (with `constants`) on each measurement (default: every usable one); `finite_runs`,
    `steady_state`: see `predict_run`."""
    out = []
    for m in measurements if measurements is not None else usable(catalog):
        r = predict_run(catalog, m, constants, finite_runs, steady_state)
        out.append(Case(m, r.output_tokens_per_s if r.runnable else None,
                        r.tpot_ms if r.runnable else None, r.ttft_ms if r.runnable else None))
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


def accuracy_rows(catalog: Catalog, holdouts: Sequence[dict] = (), finite_runs: bool = False,
                  steady_state: bool = False) -> list[dict]:
    """Every figure `tco bench accuracy` prints: overall and per source, per concurrency band and per
    metric (throughput, TPOT, TTFT where the rows have them), per GPU, model, precision, plus the
    leave-one-out interpolation and the hold-out figures recorded by the fitting script."""
    cases = model_cases(catalog, finite_runs=finite_runs, steady_state=steady_state)
    rows = [summary(cases, "model (all rows)", "overall")]
    for metric in METRICS:
        with_metric = [c.as_metric(metric) for c in cases if c.has(metric)]
        if metric != "throughput":
            rows.append(summary(with_metric, f"{metric} (all rows)", "overall"))
        rows += by(with_metric, f"{metric} per source", lambda m: source_of(m))
        rows += by([c for c in with_metric if c.measurement.concurrency is not None], f"{metric} per concurrency band", band_of)
    rows += by(cases, "per gpu", lambda m: m.gpu)
    rows += by(cases, "per model", lambda m: m.model)
    rows += by(cases, "per precision", lambda m: m.precision)
    rows += by(cases, "per layout", lambda m: ("disaggregated" if m.disaggregated else "aggregated") + (f" + {m.spec_method}" if m.spec_method != "none" else ""))
    # Reported, not excluded: the targets stay on all rows.
    rows += by(cases, "closed-loop consistency", lambda m: "consistent" if consistent(m) else f"off >{LITTLE_TOLERANCE:g}x")
    contradicted = spec_order_contradicted(catalog, [c.measurement for c in cases])
    rows += by(cases, "gpu spec order", lambda m: f"slower >{LITTLE_TOLERANCE:g}x on the stronger gpu" if m.id in contradicted else "consistent")
    loo = leave_one_out_cases(catalog)
    if loo:
        rows.append(summary(loo, "interpolation (leave one out)", "overall"))
    rows += regime_rows(catalog, cases)
    rows += list(holdouts)
    return rows


def _load(m: ThroughputMeasurement) -> str:
    if m.concurrency is not None:
        return f"{m.concurrency} in flight"
    return f"{m.request_rate_per_s:g} req/s" if m.scenario == FIXED_REQUEST_RATE else "offline"


def _layout(m: ThroughputMeasurement) -> str:
    if m.disaggregated:
        return f"disaggregated {m.prefill.gpus} + {m.decode.gpus}"
    return f"TP{m.tp}" + (f" PP{m.pp}" if m.pp > 1 else "") + (f" EP{m.ep}" if m.ep and m.ep > 1 else "")


ROW_COLUMNS = ("id", "model", "gpu", "gpus", "engine", "precision", "layout", "spec_method", "load", "input_tokens",
               "output_tokens", "measured_output_tokens_per_s", "model_output_tokens_per_s", "throughput_abs_pct_error",
               "measured_tpot_ms", "model_tpot_ms", "tpot_abs_pct_error", "measured_ttft_ms", "model_ttft_ms",
               "ttft_abs_pct_error")
"""`tco bench accuracy --rows`: one line per scored measurement (a contract: scripts read these names)."""


def case_rows(cases: Sequence[Case]) -> list[dict]:
    """Each measurement with the model's figures beside it and the error each metric scores (`Case.error`: what the
    medians of `accuracy_rows` are taken over), so a team can see which of its runs the model misses, and by how much.
    A metric a row does not score (an offline run's TTFT, a table without latencies) is left empty; a configuration
    the model refuses has no model figure and scores 100 %."""
    def rounded(value: float | None, digits: int = 2) -> float | None:
        return round(value, digits) if value is not None and math.isfinite(value) else None

    out = []
    for c in cases:
        m = c.measurement
        row = {"id": m.id, "model": m.model, "gpu": m.gpu, "gpus": m.num_gpus, "engine": m.engine, "precision": m.precision,
               "layout": _layout(m), "spec_method": m.spec_method, "load": _load(m), "input_tokens": m.input_tokens,
               "output_tokens": m.output_tokens}
        for metric, measured, predicted, name in (
                ("throughput", m.output_tokens_per_s, c.predicted_tokens_per_s, "output_tokens_per_s"),
                ("tpot", measured_tpot_ms(m), c.predicted_tpot_ms, "tpot_ms"),
                ("ttft", measured_ttft_ms(m), c.predicted_ttft_ms, "ttft_ms")):
            scored = c.has(metric)
            row[f"measured_{name}"] = rounded(measured) if scored else None
            row[f"model_{name}"] = rounded(predicted) if scored else None
            row[f"{metric}_abs_pct_error"] = rounded(c.as_metric(metric).error) if scored else None
        out.append(row)
    return out


def regime_groups(catalog: Catalog, cases: Sequence[Case]) -> dict[str, list[Case]]:
    """The cases of each accuracy regime: a row is in its own regime and, with speculative decoding, in the one
    without."""
    groups: dict[str, list[Case]] = {}
    for c in cases:
        for name in regimes_of(catalog, c.measurement):
            groups.setdefault(name, []).append(c)
    return dict(sorted(groups.items()))


def regime_rows(catalog: Catalog, cases: Sequence[Case]) -> list[dict]:
    """`tco bench accuracy`'s figures per accuracy regime, for each metric the regime's rows publish."""
    rows = []
    for metric in METRICS:
        for name, members in regime_groups(catalog, cases).items():
            with_metric = [c.as_metric(metric) for c in members if c.has(metric)]
            if with_metric:
                rows.append(summary(with_metric, f"{metric} per accuracy regime", name))
    return rows


def regime_table(catalog: Catalog, cases: Sequence[Case] | None = None,
                 loo: Sequence[Case] | None = None) -> dict[str, RegimeError]:
    """What `tco.engine.throughput.regimes.RECORDED` holds: per regime, the rows and the model's median (and, for
    throughput, P90) absolute error; the interpolation's leave-one-out figure under its own name."""
    cases = model_cases(catalog) if cases is None else cases
    loo = leave_one_out_cases(catalog) if loo is None else loo

    def median_of(members: Sequence[Case], metric: str) -> float | None:
        errors = [c.as_metric(metric).error for c in members if c.has(metric)]
        return round(statistics.median(errors), 1) if errors else None

    def ratio_at(members: Sequence[Case], metric: str, q: float) -> float | None:
        # a refused configuration has no ratio: it counts in the absolute error (as 100 %) only
        ratios = [r for c in members if c.has(metric) and (r := c.as_metric(metric).measured_to_model) is not None]
        return round(percentile(ratios, q), 3) if ratios else None

    def error_of(members: Sequence[Case]) -> RegimeError:
        errors = [c.error for c in members]
        return RegimeError(rows=len(members), throughput_median_pct=round(statistics.median(errors), 1),
                           throughput_p90_pct=round(percentile(errors, 90), 1), tpot_median_pct=median_of(members, "tpot"),
                           ttft_median_pct=median_of(members, "ttft"), measured_to_model_p10=ratio_at(members, "throughput", 10),
                           measured_to_model_median=ratio_at(members, "throughput", 50),
                           measured_to_model_p90=ratio_at(members, "throughput", 90),
                           tpot_measured_to_model_median=ratio_at(members, "tpot", 50),
                           ttft_measured_to_model_median=ratio_at(members, "ttft", 50))

    table = {name: error_of(members) for name, members in regime_groups(catalog, cases).items()}
    if loo:
        table[INTERPOLATION] = error_of(loo)
    return table


def calibration_coverage(catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """The GPUs and the model families the calibration rows are of (`regimes.CALIBRATION_GPUS`, `_FAMILIES`)."""
    rows = usable(catalog)
    return frozenset(m.gpu for m in rows), frozenset(family(m.model) for m in rows)


def table_measurements(path, catalog: Catalog, skipped: list | None = None) -> list[ThroughputMeasurement]:
    """The rows of a published table as measurements, in memory: the InferenceX layout (a `spec_decoding` column) or the
    calibration/measurements.csv one, through the same converters as the bundled files (tco.load.inferencex_import,
    tco.load.calibration_import). A row without a measured date is dated the day it is read, as `calibration_import
    --as-of` dates the bundled rows by the day they were read (a measurement's date must be a calendar date); these
    records are scored, not stored.
    Rows of a GPU, model or engine the catalog does not know go to `skipped` (line, column, value) when it is given."""
    import csv
    import datetime as dt
    from pathlib import Path

    from tco.load import calibration_import, inferencex_import

    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            columns = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as e:
        raise TcoUserError(DataProblem(str(path), None, "", f"cannot read the table ({e})")) from None
    if "spec_decoding" in columns:
        records = inferencex_import.build_records(path, catalog, skipped)
    elif "throughput_scope" in columns or "output_tokens_per_s" in columns:
        records = calibration_import.build_records(path, catalog, path.stem, dt.date.today().isoformat(), skipped)
    else:
        raise TcoUserError(DataProblem(str(path), 1, "", "not a measurements table: expected the columns of "
                                       "calibration/measurements.csv or of an InferenceX table (output_tokens_per_s, ...)"))
    return [ThroughputMeasurement.model_validate(r) for r in records]


def run_benchmark(args) -> int:
    """`tco bench accuracy`: the figures docs/throughput.md quotes; with --table, the same report on those tables' rows
    alone (published measurements the model was not fitted on)."""
    from pathlib import Path

    from tco.bench.holdout_figures import HOLDOUT_ROWS, SERVING_HOLDOUT_ROWS
    from tco.load.hardware import load_hardware
    from tco.report.table import print_rows

    catalog = load_hardware(extra_dirs=[Path(d) for d in args.hardware_dir])
    tables = getattr(args, "table", None) or []
    if tables:
        measurements = []
        for path in tables:
            skipped: list = []
            measurements += table_measurements(path, catalog, skipped)
            if skipped:
                counts = Counter((column, value) for _, column, value in skipped)
                unknown = ", ".join(f"{column} `{value}` ({n})" for (column, value), n in counts.items())
                print(f"tco bench accuracy: {path}: {len(skipped)} rows not scored, not in the catalog: {unknown} "
                      "(see `tco models list`, `tco hardware list`)", file=sys.stderr)
        catalog = replace(catalog, measurements=measurements)
    sources = getattr(args, "source", None) or []
    if sources:
        catalog = replace(catalog, measurements=of_sources(catalog.measurements, sources))
    finite_runs, steady_state = getattr(args, "finite_runs", False), getattr(args, "steady_state", False)
    if getattr(args, "rows", False):
        print_rows(case_rows(model_cases(catalog, finite_runs=finite_runs, steady_state=steady_state)), args.format, ROW_COLUMNS,
                   priority=("id", "throughput_abs_pct_error", "tpot_abs_pct_error", "ttft_abs_pct_error", "load",
                             "measured_output_tokens_per_s", "model_output_tokens_per_s", "gpu", "model"))
        return 0
    # the recorded hold-outs are the bundled rows' under the default scoring: not shown beside other rows or scorings
    holdouts = () if tables or sources or finite_runs or steady_state else [*HOLDOUT_ROWS, *SERVING_HOLDOUT_ROWS]
    rows = accuracy_rows(catalog, holdouts, finite_runs, steady_state)
    print_rows(rows, args.format, ("group", "key", "rows", "median_abs_pct_error", "p90_abs_pct_error"))
    return 0
