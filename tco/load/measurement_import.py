"""Turn benchmark runs read from a tool's result file into measurement records of a user hardware folder.

Why the flags: benchmark files rarely say what hardware ran them (and SGLang files not even the
model), so the deployment comes from the user and is checked against the catalog; the figures come
from the file. Each record names the file and its sha256 as its source, so a figure can always be
traced back to the bytes it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from tco.errors import DataProblem, TcoUserError
from tco.load.bench_runs import FIXED_CONCURRENCY, FIXED_RATE, BenchRun
from tco.model.hardware import Precision, ThroughputMeasurement

ENGINES = ("trtllm", "vllm", "sglang")


@dataclass(frozen=True)
class Deployment:
    """What ran the benchmark, from the command line."""

    model: str
    gpu: str
    gpus: int
    """GPUs of one replica."""
    replicas: int = 1
    """Replicas the run's load was spread over (behind one router): the record holds gpus x replicas GPUs."""
    tp: int | None = None
    pp: int = 1
    ep: int | None = None
    precision: str | None = None
    kv_precision: str | None = None
    engine: str | None = None
    engine_version: str | None = None
    runtime: str = "python"
    date: str | None = None
    concurrency: int | None = None
    request_rate_per_s: float | None = None
    max_batch: int | None = None
    """The engine's limit on sequences running at once, where the run set one (per replica)."""
    step_tokens: int | None = None
    """The engine's step budget, where the run set one (as its flag is written)."""
    request_latency_ms: float | None = None
    """The stack's time outside the engine's steps before a first token, where the user knows it."""


def check_deployment(catalog, d: Deployment, where: str) -> list[DataProblem]:
    """Unknown ids get a did-you-mean; a split must multiply out to the GPU count."""
    from tco.load.yaml_source import did_you_mean

    problems = []
    if d.model not in catalog.models:
        problems.append(DataProblem(where, None, "--model", f"unknown model `{d.model}`",
                                    hint=did_you_mean(d.model, catalog.models) or "see `tco models list`"))
    if d.gpu not in catalog.gpus:
        problems.append(DataProblem(where, None, "--gpu", f"unknown GPU `{d.gpu}`",
                                    hint=did_you_mean(d.gpu, catalog.gpus) or "see `tco hardware list`"))
    tp = d.tp or max(d.gpus // d.pp, 1)
    if tp * d.pp != d.gpus:
        problems.append(DataProblem(where, None, "--tp", f"tp {tp} x pp {d.pp} = {tp * d.pp}, not the {d.gpus} GPUs of --gpus"))
    return problems


def default_precision(catalog, model_id: str) -> str | None:
    """The model's native precision when it is one the schema knows (e.g. bf16); None otherwise (mxfp4, `fp16/bf16`)."""
    model = catalog.models.get(model_id)
    native = getattr(model, "native_precision", None)
    return native if native in get_args(Precision) else None


def default_engine(run: BenchRun) -> str | None:
    if run.tool.startswith("vllm"):
        return "vllm"
    if run.tool.startswith("sglang"):
        return "sglang"
    return None


def to_measurements(runs: list[BenchRun], file_name: str, sha256: str, d: Deployment, catalog) -> list[ThroughputMeasurement]:
    """One record per run; every missing piece (date, load, engine, precision) is reported at once."""
    problems: list[DataProblem] = []
    records = []
    precision = d.precision or default_precision(catalog, d.model)
    if precision is None:
        problems.append(DataProblem(file_name, None, "--precision", f"the model's native precision is not one of "
                                    f"{', '.join(get_args(Precision))}: say which precision ran with --precision"))
    elif (held := weights_problem(catalog, d, precision, file_name)) is not None:
        problems.append(held)
    tp = d.tp or max(d.gpus // d.pp, 1)
    for run in runs:
        where = f"run {run.index}" if len(runs) > 1 else ""
        engine = d.engine or default_engine(run)
        if engine is None:
            problems.append(DataProblem(file_name, run.line, "--engine", f"{run.tool} does not say which server ran: give --engine ({', '.join(ENGINES)})"))
        date = run.run_date or d.date
        if date is None:
            problems.append(DataProblem(file_name, run.line, "--date", f"{run.tool} records no run date: give --date YYYY-MM-DD"))
        elif run.run_date and d.date and run.run_date != d.date:
            problems.append(DataProblem(file_name, run.line, "--date", f"the file dates the run {run.run_date}, not {d.date}"))
        scenario, concurrency, rate = run.scenario, run.concurrency, run.request_rate_per_s
        if scenario is None:
            if d.concurrency:
                scenario, concurrency = FIXED_CONCURRENCY, d.concurrency
            elif d.request_rate_per_s:
                scenario, rate = FIXED_RATE, d.request_rate_per_s
            else:
                problems.append(DataProblem(file_name, run.line, "--concurrency", f"{run.tool} records no load: give --concurrency N or --request-rate R"))
        elif d.concurrency and d.concurrency != concurrency:
            problems.append(DataProblem(file_name, run.line, "--concurrency", f"the file records {scenario} (concurrency {concurrency}), not {d.concurrency}"))
        elif d.request_rate_per_s and d.request_rate_per_s != rate:
            problems.append(DataProblem(file_name, run.line, "--request-rate", f"the file records {scenario} (rate {rate}), not {d.request_rate_per_s}"))
        if run.output_tokens_per_s <= 0 or run.input_tokens_mean < 0.5 or run.output_tokens_mean < 0.5:
            problems.append(DataProblem(file_name, run.line, "output_throughput", f"{where or 'the run'}: no tokens measured"))
        if problems:
            continue
        notes = [f"imported from {run.tool}"]
        if run.model_in_file:
            notes.append(f"model in file: {run.model_in_file}")
        notes.append(f"mean lengths {run.input_tokens_mean:.2f} in / {run.output_tokens_mean:.2f} out, rounded")
        notes += run.notes
        records.append(ThroughputMeasurement(
            id=f"user:{sha256[:12]}:{run.index}", model=d.model, gpu=d.gpu, num_gpus=d.gpus * d.replicas, tp=tp, pp=d.pp, ep=d.ep,
            precision=precision, kv_cache_precision=d.kv_precision, engine=engine, engine_version=d.engine_version,
            runtime=d.runtime, scenario=scenario, input_tokens=round(run.input_tokens_mean),
            output_tokens=round(run.output_tokens_mean), concurrency=concurrency,
            output_tokens_per_s=run.output_tokens_per_s, ttft_ms=_pos(run.ttft_ms), tpot_ms=_pos(run.tpot_ms),
            request_rate_per_s=rate, requests_per_s=_pos(run.requests_per_s), ttft_p50_ms=_pos(run.ttft_p50_ms),
            ttft_p99_ms=_pos(run.ttft_p99_ms), tpot_p50_ms=_pos(run.tpot_p50_ms), tpot_p99_ms=_pos(run.tpot_p99_ms),
            successful_requests=run.successful_requests, failed_requests=run.failed_requests, whole_run=run.whole_run,
            max_batch=d.max_batch, step_tokens=d.step_tokens, request_latency_ms=d.request_latency_ms,
            source=f"{file_name} sha256:{sha256}", as_of=date, note="; ".join(notes)))
    if problems:
        raise TcoUserError(problems)
    return records


def weights_problem(catalog, d: Deployment, precision: str, file_name: str) -> DataProblem | None:
    """A replica whose GPUs cannot hold the model's weights did not serve the run as stated: most often a
    tensor-parallel replica's GPUs were counted in `--replicas` with `--gpus 1`. Caught here, while the person knows
    the run: written, the record would never answer `tco throughput` (the model calls its deployment unable to run)
    and `tco bench accuracy --hardware-dir` would score the model 100 % off on it. The bound is the memory the driver
    reports, every byte of it (no reserve, no KV cache)."""
    from tco.engine.throughput import memory_bytes_of, weight_bytes

    model, gpu = catalog.models[d.model], catalog.gpus[d.gpu]
    weights, memory = weight_bytes(model, precision), d.gpus * memory_bytes_of(gpu)
    if weights <= memory:
        return None
    return DataProblem(file_name, None, "--gpus",
                       f"{model.name} in {precision} has {weights / 1e9:,.1f} GB of weights, more than the "
                       f"{memory / 1e9:,.1f} GB of {d.gpus} x {gpu.name}: a replica of {d.gpus} GPU(s) cannot have served the run",
                       hint="--gpus is the GPUs of one replica, --replicas how many replicas shared the load "
                            "(weights offloaded to CPU memory are not modelled)")


def _pos(x: float | None) -> float | None:
    return x if x is not None and x > 0 else None


def output_path(out_dir: Path, input_path: Path) -> Path:
    """`<out>/<input name>.measurements.yaml`: never the input itself, even when --out is its folder, and
    distinct for a report saved both as .json and .yaml (or AIPerf's .json and .csv)."""
    return out_dir / f"{input_path.name}.measurements.yaml"


def measurements_yaml(records: list[ThroughputMeasurement], file_name: str) -> str:
    import yaml

    body = {"schema_version": 1,
            "measurements": [r.model_dump(mode="json", exclude_none=True) for r in records]}
    header = (f"# Imported by `tco measurements import` from {file_name} (see each record's source: file name and sha256).\n"
              "# Figures are the file's; model, GPU, split, precision and engine come from the command line.\n")
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120)
