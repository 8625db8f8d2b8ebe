"""Turn benchmark runs read from a tool's result file into measurement records of a user hardware folder.

Why the flags: benchmark files rarely say what hardware ran them (and SGLang files not even the
model), so the deployment comes from the user and is checked against the catalog; the figures come
from the file. Each record names the file and its sha256 as its source, so a figure can always be
traced back to the bytes it was read from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from tco.errors import DataProblem, TcoUserError
from tco.load.bench_runs import FIXED_CONCURRENCY, FIXED_RATE, BenchRun
from tco.load.catalog_names import catalog_id
from tco.load.hardware import physical_limit_problems
from tco.model.catalog import ids_named
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
    """A model or GPU no single record goes by is a problem (`catalog_id`); a split must multiply out to the GPU count."""
    problems = []
    for flag, value, records, what, listing in (("--model", d.model, catalog.models, "model", "tco models list"),
                                                ("--gpu", d.gpu, catalog.gpus, "GPU", "tco hardware list")):
        if value not in records:  # the command kept as typed what no single record goes by
            problems.append(catalog_id(records, value, what, where, None, flag, listing)[1])
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


def to_measurements(runs: list[BenchRun], file_name: str, sha256: str, d: Deployment, catalog,
                    display: str | None = None) -> list[ThroughputMeasurement]:
    """One record per run; every missing piece (date, load, engine, precision) is reported at once, naming the file as
    `display` (the path as given: several inputs may share a file name)."""
    shown = display or file_name
    problems: list[DataProblem] = []
    records = []
    precision = d.precision or default_precision(catalog, d.model)
    if precision is None:
        native = getattr(catalog.models.get(d.model), "native_precision", None)
        why = (f"the model's native precision, {native}, is not one of {', '.join(get_args(Precision))}" if native
               else "the catalog does not record the model's native precision")
        problems.append(DataProblem(shown, None, "--precision", f"{why}: say which precision ran with --precision"))
    elif (held := weights_problem(catalog, d, precision, shown) or layout_problem(catalog, d, precision, shown)) is not None:
        problems.append(held)
    tp = d.tp or max(d.gpus // d.pp, 1)
    for run in runs:
        where = f"run {run.index}" if len(runs) > 1 else ""
        engine = d.engine or default_engine(run)
        if engine is None:
            problems.append(DataProblem(shown, run.line, "--engine", f"{run.tool} does not say which server ran: give --engine ({', '.join(ENGINES)})"))
        date = run.run_date or d.date
        if date is None:
            problems.append(DataProblem(shown, run.line, "--date", f"{run.tool} records no run date: give --date YYYY-MM-DD"))
        elif run.run_date and d.date and run.run_date != d.date:
            problems.append(DataProblem(shown, run.line, "--date", f"the file dates the run {run.run_date}, not {d.date}"))
        scenario, concurrency, rate = run.scenario, run.concurrency, run.request_rate_per_s
        if scenario is None:
            if d.concurrency:
                scenario, concurrency = FIXED_CONCURRENCY, d.concurrency
            elif d.request_rate_per_s:
                scenario, rate = FIXED_RATE, d.request_rate_per_s
            else:
                problems.append(DataProblem(shown, run.line, "--concurrency", f"{run.tool} records no load: give --concurrency N or --request-rate R"))
        elif d.concurrency and d.concurrency != concurrency:
            problems.append(DataProblem(shown, run.line, "--concurrency", f"the file records {scenario} (concurrency {concurrency}), not {d.concurrency}"))
        elif d.request_rate_per_s and d.request_rate_per_s != rate:
            problems.append(DataProblem(shown, run.line, "--request-rate", f"the file records {scenario} (rate {rate}), not {d.request_rate_per_s}"))
        served = ids_named(run.model_in_file, catalog.models) if run.model_in_file else []
        if len(served) == 1 and served[0] != d.model:
            # the lookup would answer for `d.model` with another model's run (gpt-oss-20b's tokens/s as Llama-3.1-8B's)
            problems.append(DataProblem(shown, run.line, "--model", f"the file's run served `{run.model_in_file}`, which is "
                                        f"`{served[0]}` in the catalog, not `{d.model}`",
                                        hint=f"give --model {served[0]}, or check that this is the file you meant"))
        if run.output_tokens_per_s <= 0 or run.input_tokens_mean < 0.5 or run.output_tokens_mean < 0.5:
            problems.append(DataProblem(shown, run.line, "output_throughput", f"{where or 'the run'}: no tokens measured"))
        for key, value in (("output_tokens_per_s", run.output_tokens_per_s), ("input_tokens", run.input_tokens_mean),
                           ("output_tokens", run.output_tokens_mean)):
            if not math.isfinite(value):
                problems.append(DataProblem(shown, run.line, key, f"{where + ': ' if where else ''}{value} is not a finite number"))
        latencies = {"ttft_ms": run.ttft_ms, "tpot_ms": run.tpot_ms, "ttft_p50_ms": run.ttft_p50_ms, "ttft_p99_ms": run.ttft_p99_ms,
                     "tpot_p50_ms": run.tpot_p50_ms, "tpot_p99_ms": run.tpot_p99_ms, "ttft_p90_ms": run.ttft_p90_ms,
                     "tpot_p90_ms": run.tpot_p90_ms}
        # a negative latency is a broken file (said, as every other bad figure is); a zero one is what some tools write
        # where they measured none (one output token has no TPOT): left out, and the record's note says so
        problems += [DataProblem(shown, run.line, key, f"{where + ': ' if where else ''}{value:g} ms: a latency cannot be negative")
                     for key, value in latencies.items() if value is not None and value < 0]
        # NaN or inf is refused as for throughput: left out, it vanished from the record without a word
        problems += [DataProblem(shown, run.line, key, f"{where + ': ' if where else ''}{value} is not a finite number")
                     for key, value in latencies.items() if value is not None and not math.isfinite(value)]
        zero = [key for key, value in latencies.items() if value == 0]
        if problems:
            continue
        notes = [f"imported from {run.tool}"]
        if zero:
            notes.append(f"{', '.join(zero)} 0 in the file: left out (not a measured latency)")
        if run.model_in_file:
            notes.append(f"model in file: {run.model_in_file}")
        notes.append(f"mean lengths {run.input_tokens_mean:.2f} in / {run.output_tokens_mean:.2f} out, rounded")
        notes += run.notes
        try:
            record = ThroughputMeasurement(
                id=f"user:{sha256[:12]}:{run.index}", model=d.model, gpu=d.gpu, num_gpus=d.gpus * d.replicas, tp=tp, pp=d.pp, ep=d.ep,
                precision=precision, kv_cache_precision=d.kv_precision, engine=engine, engine_version=d.engine_version,
                runtime=d.runtime, scenario=scenario, input_tokens=round(run.input_tokens_mean),
                output_tokens=round(run.output_tokens_mean), concurrency=concurrency,
                output_tokens_per_s=run.output_tokens_per_s, ttft_ms=_pos(run.ttft_ms), tpot_ms=_pos(run.tpot_ms),
                request_rate_per_s=rate, requests_per_s=_pos(run.requests_per_s), ttft_p50_ms=_pos(run.ttft_p50_ms),
                ttft_p99_ms=_pos(run.ttft_p99_ms), tpot_p50_ms=_pos(run.tpot_p50_ms), tpot_p99_ms=_pos(run.tpot_p99_ms),
                ttft_p90_ms=_pos(run.ttft_p90_ms), tpot_p90_ms=_pos(run.tpot_p90_ms),
                successful_requests=run.successful_requests, failed_requests=run.failed_requests, whole_run=run.whole_run,
                max_batch=d.max_batch, step_tokens=d.step_tokens, request_latency_ms=d.request_latency_ms,
                source=f"{file_name} sha256:{sha256}", as_of=date, note="; ".join(notes))
        except ValidationError as e:  # a value the record cannot hold (an infinite figure): named, never a traceback
            problems += [DataProblem(shown, run.line, ".".join(str(p) for p in error["loc"]) or "",
                                     f"{where + ': ' if where else ''}{error['msg']} (got {error.get('input')!r})")
                         for error in e.errors()]
            continue
        problems += [DataProblem(shown, run.line, field, f"{where + ': ' if where else ''}{message}", hint=hint)
                     for field, message, hint in physical_limit_problems(record, catalog)]
        records.append(record)
    if problems:
        raise TcoUserError(problems)
    return records


def layout_problem(catalog, d: Deployment, precision: str, file_name: str) -> DataProblem | None:
    """A split the throughput model refuses (`ep` on a dense model, an `ep` that does not divide the group, FP4 cache on
    Hopper...): written, the record never answers `tco throughput` and `tco bench accuracy` scores it 100 % off."""
    from tco.engine.throughput import ServingConfig
    from tco.engine.throughput.predict import config_problem

    engine = d.engine or ("trtllm" if d.runtime == "cpp" else "vllm")  # the engine only matters for the runtime check
    config = ServingConfig(gpus=d.gpus, input_tokens=1, output_tokens=1, precision=precision, kv_precision=d.kv_precision,
                           tp=d.tp, pp=d.pp, ep=d.ep, engine=engine, runtime=d.runtime)
    problem = config_problem(catalog.models[d.model], catalog.gpus[d.gpu], config)
    if problem is None:
        return None
    first = problem.split()[0].rstrip(",:")
    flag = {"ep": "--ep", "tp": "--tp", "pp": "--pp", "runtime": "--runtime"}.get(first, "--precision" if "precision" in problem
                                                                                           or "cache" in problem else "--gpus")
    return DataProblem(file_name, None, flag, f"{problem}: the throughput model cannot evaluate this deployment, so the record "
                                              "would never answer `tco throughput`")


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
                       hint=("--gpus is the GPUs of one replica, --replicas how many replicas shared the load "
                             "(weights offloaded to CPU memory are not modelled)"
                             + "; --precision is the precision that ran (without it, the model's native one)"))


def _pos(x: float | None) -> float | None:
    return x if x is not None and x > 0 else None


OUTPUT_SUFFIX = ".measurements.yaml"


@dataclass(frozen=True)
class ImportSource:
    """One input file of an import: where it is and the sha256 of its bytes (the records' ids and `source`)."""

    path: Path
    sha256: str

    @property
    def location(self) -> str:
        """The absolute path, written in the output (`source.source`) to know the file again on a later import."""
        return str(self.path.resolve())


def output_paths(out_dir: Path, sources: list[ImportSource]) -> list[Path | None]:
    """Where each input's records go: `<out>/<input name>.measurements.yaml`, or None for an input with the same bytes
    as an earlier one of the call (its records, ids included, would be the same: imported once).

    Why not always `<input name>`: tools write fixed names (AIPerf `profile_export_aiperf.json`, a script's
    `result.json`), so runs kept in sibling folders collide and, written to one name, all but one would end up in
    backups the loader never reads. So:
    - an earlier output of the same source is replaced (kept as a backup): one that holds the same bytes (same
      sha256: same record ids, which two files may not both define), else one written from the same path;
    - inputs of one call whose names collide are prefixed with their parent folders until they differ
      (`run1-result.json`, `run2-result.json`);
    - an existing output from another source is never replaced: the next name that is free (one more parent folder,
      then the first 12 hex digits of the sha256).
    Never the input itself, even when --out is its folder, and distinct for a report saved both as .json and .yaml."""
    existing = _imported_sources(out_dir)
    names = _distinct_names([s.path for s in sources])
    taken: set[str] = set()
    first_with: set[str] = set()
    out: list[Path | None] = []
    for source, depth in zip(sources, names):
        if source.sha256 in first_with:
            out.append(None)
            continue
        first_with.add(source.sha256)
        earlier = ([n for n, (shas, _) in existing.items() if source.sha256 in shas]
                   or [n for n, (_, where) in existing.items() if where == source.location])
        chosen = next((n for n in earlier if n not in taken), None)
        if chosen is None:
            for candidate in _candidate_names(source, depth):
                if candidate in taken:
                    continue
                if (out_dir / candidate).exists() or (out_dir / candidate).is_symlink():
                    shas, where = existing.get(candidate, (set(), None))
                    if source.sha256 not in shas and where != source.location:
                        continue  # another source's output (or a file of the user's): left as it is
                chosen = candidate
                break
        taken.add(chosen)
        out.append(out_dir / chosen)
    return out


def id_problems(catalog, planned: list[tuple[ImportSource, list[ThroughputMeasurement]]], targets: list[Path | None],
                out_dir: Path) -> list[DataProblem]:
    """A record id another file of the output folder already defines (an output renamed by hand, a copy): written, the
    folder would no longer load (two records with one id in one folder). Said before anything is written."""
    problems = []
    folder = out_dir.resolve()
    for (source, records), target in zip(planned, targets):
        if target is None:
            continue
        for r in records:
            where = catalog.files.get(f"measurements/{r.id}")
            if where is None or not Path(where).resolve().is_relative_to(folder) or Path(where).resolve() == target.resolve():
                continue
            problems.append(DataProblem(str(source.path), None, "", f"its record `{r.id}` is already in {where} (imported from "
                                        f"the same bytes, sha256 {source.sha256[:12]}...); it would be written to {target}",
                                        hint=f"remove {where} or move it out of {out_dir} to import the file again"))
            break
    return problems


def _folders(path: Path) -> tuple[str, ...]:
    """The names of the folders the file is in, outermost first (no root)."""
    return path.resolve().parent.parts[1:]


def _prefixed(path: Path, depth: int) -> str:
    """The file name with its `depth` nearest parent folders before it, joined by `-`."""
    return "-".join([*_folders(path)[-depth:], path.name]) if depth else path.name


def _distinct_names(paths: list[Path]) -> list[int]:
    """For each input, how many parent folders its output name needs to differ from every other input's (0 for all
    but inputs that share a file name)."""
    depths = [0] * len(paths)
    groups: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        groups.setdefault(path.name, []).append(i)
    for members in groups.values():
        distinct = {str(paths[i].resolve()) for i in members}
        if len(distinct) < 2:
            continue
        most = max(len(_folders(paths[i])) for i in members)
        depth = next((d for d in range(1, most + 1)
                      if len({_prefixed(paths[i], d) for i in members}) == len(distinct)), most)
        for i in members:
            depths[i] = depth
    return depths


def _candidate_names(source: ImportSource, depth: int):
    """Output names for `source`, first choice first: the name (with `depth` parent folders), more parent folders,
    then the name with the sha256's first 12 hex digits, then with a counter."""
    for d in range(depth, len(_folders(source.path)) + 1):
        yield _prefixed(source.path, d) + OUTPUT_SUFFIX
    stem = f"{_prefixed(source.path, depth)}.{source.sha256[:12]}"
    yield stem + OUTPUT_SUFFIX
    n = 2
    while True:
        yield f"{stem}-{n}{OUTPUT_SUFFIX}"
        n += 1


def _imported_sources(out_dir: Path) -> dict[str, tuple[set[str], str | None]]:
    """For each `*.measurements.yaml` in `out_dir`: the sha256 of the files its records were read from, and the path it
    was written from (None where it says none: written before the path was recorded, or edited away). A file that
    cannot be read is absent: it is then never taken for the same source, so never replaced."""
    import yaml

    found: dict[str, tuple[set[str], str | None]] = {}
    if not out_dir.is_dir():
        return found
    for target in sorted(out_dir.glob("*" + OUTPUT_SUFFIX)):
        try:
            data = yaml.safe_load(target.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        records = data.get("measurements") if isinstance(data.get("measurements"), list) else []
        shas = {r["source"].rsplit("sha256:", 1)[1] for r in records
                if isinstance(r, dict) and isinstance(r.get("source"), str) and "sha256:" in r["source"]}
        where = data.get("source").get("source") if isinstance(data.get("source"), dict) else None
        found[target.name] = (shas, where if isinstance(where, str) else None)
    return found


def measurements_yaml(records: list[ThroughputMeasurement], file_name: str, source: ImportSource | None = None,
                      read_on: str | None = None) -> str:
    """The output file; `source` (with the date it was read) makes it known again on a later import (`output_paths`)."""
    import yaml

    body: dict = {"schema_version": 1}
    if source is not None:
        body["source"] = {"source": source.location, "as_of": read_on,
                          "note": "the file these records were imported from (tco measurements import), as a path on "
                                  "the machine that imported it"}
    body["measurements"] = [r.model_dump(mode="json", exclude_none=True) for r in records]
    header = (f"# Imported by `tco measurements import` from {file_name} (see each record's source: file name and sha256).\n"
              "# Figures are the file's; model, GPU, split, precision and engine come from the command line.\n")
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120)
