"""Read the result files of serving-benchmark tools into one shape (`BenchRun`).

Why one reader per tool: the tools name the same quantity differently and the same name means
different things (GuideLLM's TPOT and LLMPerf's "inter token latency" include the first token;
vLLM/SGLang `itl` pools chunk gaps). Each reader maps its tool's keys to defined quantities:
- `tpot_*_ms`: per request (E2E - TTFT) / (output tokens - 1) — vLLM/SGLang `tpot`, GuideLLM
  `inter_token_latency_ms`, GenAI-Perf/AIPerf `inter_token_latency`, inference-perf
  `time_per_output_token`; LLMPerf publishes none, so it stays empty;
- `output_tokens_per_s`: tokens of successful requests divided by the whole run;
- lengths: measured means (totals / completed requests, or the `.successful` distribution), never
  the requested settings.
Key-by-key provenance: /work/shared/data/bench-runs/README.md (copied in tests/data/bench-runs/).
Nothing is recomputed from per-request lists (they are often trimmed).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tco.errors import DataProblem, TcoUserError

OFFLINE = "offline_max_throughput"
FIXED_CONCURRENCY = "fixed_concurrency"
FIXED_RATE = "fixed_request_rate"


@dataclass
class BenchRun:
    """One benchmark run (one load level) as read from a file; units in the names."""

    tool: str
    index: int
    """Position of the run in the file (0 for a single run): a JSONL line, a GuideLLM benchmark."""
    line: int | None = None
    run_date: str | None = None
    """YYYY-MM-DD (UTC) when the file records it; else None and the user must give --date."""
    model_in_file: str | None = None
    scenario: str | None = None
    concurrency: int | None = None
    request_rate_per_s: float | None = None
    input_tokens_mean: float = 0.0
    output_tokens_mean: float = 0.0
    output_tokens_per_s: float = 0.0
    requests_per_s: float | None = None
    ttft_ms: float | None = None
    ttft_p50_ms: float | None = None
    ttft_p99_ms: float | None = None
    ttft_p90_ms: float | None = None
    tpot_ms: float | None = None
    tpot_p50_ms: float | None = None
    tpot_p99_ms: float | None = None
    tpot_p90_ms: float | None = None
    successful_requests: int | None = None
    failed_requests: int | None = None
    whole_run: bool | None = None
    """True: the throughput is the run's output over its whole duration, first request sent to last completed."""
    notes: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Keys:
    """Reads keys of one JSON object; a missing or non-numeric key is a problem naming the file and key."""

    def __init__(self, data: Any, file: str, line: int | None = None, prefix: str = ""):
        self.data, self.file, self.line, self.prefix = data, file, line, prefix

    def _get(self, path: str, required: bool):
        node = self.data
        for part in path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                if required:
                    raise TcoUserError(DataProblem(self.file, self.line, self.prefix + path, "missing key (is the file complete, and written by the tool this importer reads?)"))
                return None
        return node

    def raw(self, path: str, required: bool = False):
        return self._get(path, required)

    def number(self, path: str, required: bool = False, scale: float = 1.0) -> float | None:
        value = self._get(path, required)
        if value is None:
            if required:
                raise TcoUserError(DataProblem(self.file, self.line, self.prefix + path, "is null; a number is needed"))
            return None
        number = _read_as_number(value)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise TcoUserError(DataProblem(self.file, self.line, self.prefix + path, f"must be a number (got {value!r})"))
        return float(number) * scale

    def count(self, path: str, required: bool = False, minimum: int = 0) -> int | None:
        """A count of requests (or of requests in flight): a whole number, not NaN, infinite or fractional."""
        value = self.number(path, required)
        return None if value is None else _whole_count(value, self.file, self.line, self.prefix + path, minimum)

    def unit(self, path: str, expected: tuple[str, ...]) -> None:
        """The file states its unit: refuse anything else instead of guessing a conversion."""
        value = self._get(path, True)
        if value not in expected:
            raise TcoUserError(DataProblem(self.file, self.line, self.prefix + path,
                                           f"unit {value!r} where {' or '.join(repr(e) for e in expected)} is expected"))


def _read_as_number(value: Any) -> Any:
    """A number written as text (`"1,234.5"`, as some tools export) as that number; anything else as it is."""
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return value
    return value


def _whole_count(value: Any, file: str, line: int | None, key: str, minimum: int = 0) -> int:
    """`value` as a whole number of at least `minimum` (`4`, `4.0` or `"4"`), else a problem naming the key.

    Why: `int()` of a file's value turned `4.5` requests in flight into 4 in silence, and crashed (a traceback) on
    `"abc"`, a list, NaN or infinity."""
    number = _read_as_number(value)
    if (isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number)
            or number != int(number) or number < minimum):
        raise TcoUserError(DataProblem(file, line, key, f"must be a whole number of at least {minimum} (got {value!r})"))
    return int(number)


def _epoch_date(seconds: float | None, name: str = "", key: str = "") -> str | None:
    """The UTC day of a Unix time in seconds; None when the file records none. A time beyond the calendar (year 10000
    and later) is a problem naming the key, not a traceback."""
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date().isoformat()
    except (OverflowError, OSError, ValueError):
        raise TcoUserError(DataProblem(name, None, key, f"cannot read the run date: {seconds:g} seconds since 1970 is no "
                                                        "day of the calendar")) from None


def _calendar_date(text: str, name: str, line: int | None, key: str, value: Any, form: str) -> str:
    """`text` (YYYY-MM-DD, cut from the file's date) when it is a day of the calendar; else an error showing the value.

    Why refuse: a date that cannot be read was either taken for "no date" (the user was asked for one the file has)
    or written as is (`2025-13-40`), and the record then claimed a day that never was."""
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise TcoUserError(DataProblem(name, line, key, f"cannot read the run date {value!r} ({form})")) from None


def _positive(x: float | None) -> float | None:
    return x if x is not None and x > 0 else None


# --------------------------------------------------------------------------------------- parsing files


def read_bench_file(path: Path, display: str | None = None) -> list[BenchRun]:
    """Every run in one result file; the format is recognised from the content, not the name."""
    name = display or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a byte-order mark (Windows editors, PowerShell) is no content
    except (OSError, UnicodeDecodeError) as e:
        raise TcoUserError(DataProblem(name, None, "", f"cannot read: {getattr(e, 'strerror', None) or e}"))
    if not text.strip():
        raise TcoUserError(DataProblem(name, None, "", "empty file"))
    if path.suffix.lower() == ".csv":
        return [_perf_csv(text, name)]
    if path.suffix.lower() in (".yaml", ".yml"):
        from tco.load.yaml_source import parse_yaml

        # the scenario files' reader: duplicate keys, deep nesting, alias bombs and unreadable numbers are located problems
        data, _ = parse_yaml(text, name)
        return _dispatch(data, name, None, 0)
    objects = _json_objects(text, name)
    runs: list[BenchRun] = []
    for index, (line, data) in enumerate(objects):
        runs.extend(_dispatch(data, name, line if len(objects) > 1 else None, index))
    for i, run in enumerate(runs):
        run.index = i
    return runs


def _json_objects(text: str, name: str) -> list[tuple[int, Any]]:
    """One JSON document, or several (JSON Lines; vLLM --append-result; SGLang appends a line per run).

    Python's json accepts SGLang's bare `Infinity`.
    """
    try:
        return [(1, _json_loads(text, name, 1))]
    except json.JSONDecodeError as whole:
        if whole.msg != "Extra data":
            raise TcoUserError(DataProblem(name, whole.lineno, "", f"not valid JSON: {whole.msg} (column {whole.colno}); is the file truncated?"))
    objects = []
    decoder = json.JSONDecoder(object_pairs_hook=_refuse_duplicate_keys)
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = _json_guarded(lambda: decoder.raw_decode(text, pos), name, line)
        except json.JSONDecodeError as e:
            raise TcoUserError(DataProblem(name, e.lineno, "", f"not valid JSON: {e.msg} (column {e.colno}); is the file truncated?"))
        objects.append((line, value))
    return objects


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    """A JSON object as a dict, refusing a key written twice (Python's json would silently keep the last value)."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_loads(text: str, name: str, line: int) -> Any:
    return _json_guarded(lambda: json.loads(text, object_pairs_hook=_refuse_duplicate_keys), name, line)


def _json_guarded(parse, name: str, line: int):
    """Run a JSON parse; what Python's json lets through or crashes on becomes a located problem.

    Why: a key written twice kept only its last value (a wrong figure in the record, silently); a document nested
    thousands of levels deep raised RecursionError, and an integer of more than 4,300 digits a ValueError."""
    try:
        return parse()
    except json.JSONDecodeError:
        raise
    except _DuplicateKey as e:
        raise TcoUserError(DataProblem(name, line, e.key, "key written twice in the same object; which value counts is not clear",
                                       hint="keep one of the two")) from None
    except RecursionError:
        raise TcoUserError(DataProblem(name, line, "", "not a benchmark result: JSON nested too deeply")) from None
    except ValueError:  # json's only other ValueError: Python's limit on the digits of an integer
        raise TcoUserError(DataProblem(name, line, "", "not valid JSON: a number is too long to be a real figure "
                                                       "(more than 4,300 digits)")) from None


def _dispatch(data: Any, name: str, line: int | None, index: int) -> list[BenchRun]:
    if isinstance(data, list):
        if data and isinstance(data[0], dict) and "ttft_s" in data[0]:
            raise TcoUserError(DataProblem(name, None, "", "LLMPerf per-request list: import the matching *_summary.json"))
        raise TcoUserError(DataProblem(name, None, "", "a list, not a benchmark result object"))
    if not isinstance(data, dict):
        raise TcoUserError(DataProblem(name, line, "", "not a benchmark result object"))
    if "benchmarks" in data:
        return _guidellm(data, name)
    if "records" in data and "input_config" in data:
        return [_aiperf_json(data, name)]
    if "load_summary" in data and "successes" in data:
        return [_inference_perf(data, name)]
    if "results_mean_output_throughput_token_per_s" in data or "num_concurrent_requests" in data:
        return [_llmperf(data, name)]
    if "completed" in data or "output_throughput" in data:
        if "backend" in data or any(key in data for key in _VLLM_KEYS):
            return [_bench_serving(data, name, line, index)]
    if "metadata" in data and "metrics" in data and "x_request_id" in (data.get("metadata") or {}):
        raise TcoUserError(DataProblem(name, line, "", "AIPerf per-request records: import profile_export_aiperf.json (or .csv)"))
    raise TcoUserError(DataProblem(
        name, line, "", "not a result file this importer knows",
        hint="vLLM/SGLang bench JSON(L), GuideLLM report, AIPerf profile_export_aiperf.json/.csv, "
             "GenAI-Perf profile_export_genai_perf.csv, LLMPerf *_summary.json, inference-perf stage_N_lifecycle_metrics.json"))


_VLLM_KEYS = ("model_id", "tokenizer_id", "request_goodput", "request_goodput:")
"""Keys only vLLM's bench serve writes (its result dict), never SGLang's bench_serving."""
_SGLANG_KEYS = ("dataset_name", "total_output_tokens_retokenized", "random_input_len", "sharegpt_output_len")
"""Keys only SGLang's bench_serving writes (its result dict), never vLLM's."""


def _bench_serving(data: dict, name: str, line: int | None, index: int) -> BenchRun:
    """vLLM's or SGLang's result, told apart by keys only one of the two writes.

    Why not by `model_id` alone: a vLLM file without it (removed, or an older wrapper) fell through to SGLang and was
    recorded with `engine: sglang`, which decides the queries a measurement answers. A file with neither tool's keys,
    or with both, is refused rather than guessed."""
    vllm = [key for key in _VLLM_KEYS if key in data]
    sglang = [key for key in _SGLANG_KEYS if key in data]
    if vllm and not sglang:
        return _vllm(data, name, line, index)
    if sglang and not vllm:
        return _sglang(data, name, line, index)
    found = f"it has both {', '.join(f'`{k}`' for k in vllm)} (vLLM) and {', '.join(f'`{k}`' for k in sglang)} (SGLang)" \
        if vllm else "it has none of the keys that tell them apart"
    raise TcoUserError(DataProblem(
        name, line, "", f"cannot tell whether vLLM's bench serve or SGLang's bench_serving wrote this result: {found}",
        hint=f"vLLM writes {', '.join(f'`{k}`' for k in _VLLM_KEYS[:2])}; SGLang writes "
             f"{', '.join(f'`{k}`' for k in _SGLANG_KEYS[:2])}: restore the key the tool wrote"))


def _rate_load(run: BenchRun, rate: Any, max_concurrency: Any, name: str) -> None:
    """vLLM / SGLang load: a concurrency cap wins; an infinite rate with no cap is offline maximum throughput.

    A rate that is neither `inf` nor a positive number is refused, naming it: read as "no load recorded", it sent the
    user looking for a flag the file does not need."""
    infinite = rate in ("inf", "Infinity") or (isinstance(rate, float) and math.isinf(rate) and rate > 0)
    if not infinite and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0):
        raise TcoUserError(DataProblem(name, run.line, "request_rate", f"must be a positive number or inf (got {rate!r})"))
    if max_concurrency not in (None, 0):
        run.scenario, run.concurrency = FIXED_CONCURRENCY, _whole_count(max_concurrency, name, run.line, "max_concurrency", 1)
        if not infinite and isinstance(rate, (int, float)):
            run.notes.append(f"request rate also capped at {rate}/s")
    elif infinite:
        run.scenario = OFFLINE
    elif isinstance(rate, (int, float)) and rate > 0:
        run.scenario, run.request_rate_per_s = FIXED_RATE, float(rate)


def _vllm(data: dict, name: str, line: int | None, index: int) -> BenchRun:
    k = _Keys(data, name, line)
    completed = k.count("completed", True)
    if not completed:
        raise TcoUserError(DataProblem(name, line, "completed", "no request completed: nothing was measured"))
    run = BenchRun("vllm bench serve", index, line, model_in_file=data.get("model_id"))
    run.whole_run = True  # duration = first request sent to last completed (the tool's benchmark loop)
    date = data.get("date")
    if date not in (None, ""):
        run.run_date = _calendar_date(f"{str(date)[:4]}-{str(date)[4:6]}-{str(date)[6:8]}", name, line, "date", date,
                                      "vLLM writes YYYYMMDD-HHMMSS")
    _rate_load(run, k.raw("request_rate", True), data.get("max_concurrency"), name)
    run.input_tokens_mean = k.number("total_input_tokens", True) / completed
    run.output_tokens_mean = k.number("total_output_tokens", True) / completed
    run.output_tokens_per_s = k.number("output_throughput", True)
    run.requests_per_s = k.number("request_throughput")
    run.ttft_ms, run.ttft_p50_ms, run.ttft_p99_ms = k.number("mean_ttft_ms"), k.number("median_ttft_ms"), k.number("p99_ttft_ms")
    run.tpot_ms, run.tpot_p50_ms, run.tpot_p99_ms = k.number("mean_tpot_ms"), k.number("median_tpot_ms"), k.number("p99_tpot_ms")
    run.ttft_p90_ms, run.tpot_p90_ms = k.number("p90_ttft_ms"), k.number("p90_tpot_ms")  # with --metric-percentiles 90
    run.successful_requests = completed
    if data.get("failed") is not None:
        run.failed_requests = k.count("failed")
    elif data.get("num_prompts") is not None:
        run.failed_requests = max(k.count("num_prompts") - completed, 0)
    run.notes.append("vLLM: TPOT = (E2E - TTFT) / (output - 1) per request (ms); lengths = totals / completed")
    return run


def _sglang(data: dict, name: str, line: int | None, index: int) -> BenchRun:
    k = _Keys(data, name, line)
    completed = k.count("completed", True)
    if not completed:
        raise TcoUserError(DataProblem(name, line, "completed", "no request completed: nothing was measured"))
    run = BenchRun("sglang bench_serving", index, line)
    run.whole_run = True  # duration = first request sent to last completed (the tool's benchmark loop)
    _rate_load(run, k.raw("request_rate", True), data.get("max_concurrency"), name)
    run.input_tokens_mean = k.number("total_input_tokens", True) / completed
    run.output_tokens_mean = k.number("total_output_tokens", True) / completed
    run.output_tokens_per_s = k.number("output_throughput", True)
    run.requests_per_s = k.number("request_throughput")
    run.ttft_ms, run.ttft_p50_ms, run.ttft_p99_ms = k.number("mean_ttft_ms"), k.number("median_ttft_ms"), k.number("p99_ttft_ms")
    run.tpot_ms, run.tpot_p50_ms, run.tpot_p99_ms = k.number("mean_tpot_ms"), k.number("median_tpot_ms"), k.number("p99_tpot_ms")
    run.ttft_p90_ms, run.tpot_p90_ms = k.number("p90_ttft_ms"), k.number("p90_tpot_ms")  # with --metric-percentiles 90
    run.successful_requests = completed
    dataset = data.get("dataset_name")
    run.notes.append(f"SGLang: dataset {dataset}; lengths = totals / completed (server token counts); ITL (chunk gaps) not used as TPOT")
    return run


def _guidellm(data: dict, name: str) -> list[BenchRun]:
    benchmarks = data.get("benchmarks")
    if not isinstance(benchmarks, list) or not benchmarks:
        raise TcoUserError(DataProblem(name, None, "benchmarks", "no benchmark in the report"))
    layout_v2 = isinstance(data.get("config"), dict) and "spec" in data["config"]
    version = (data.get("metadata") or {}).get("guidellm_version")
    runs = []
    for i, bench in enumerate(benchmarks):
        k = _Keys(bench, name, None, f"benchmarks[{i}].")
        strategy = k.raw("config.strategy") if "config" in bench else k.raw("args.strategy", True)
        if not isinstance(strategy, dict):
            raise TcoUserError(DataProblem(name, None, f"benchmarks[{i}].config.strategy", "missing key"))
        kind = strategy.get("type_")
        model = (k.raw("worker.backend_model") or k.raw("config.backend.model")
                 or ((data.get("config") or {}).get("spec") or {}).get("backend", {}).get("model")
                 or (data.get("args") or {}).get("model"))
        run = BenchRun(f"GuideLLM {version or ('report v2' if layout_v2 else '0.2-0.3 layout')}", i, model_in_file=model)
        if kind == "synchronous":
            run.scenario, run.concurrency = FIXED_CONCURRENCY, 1
        elif kind == "concurrent":
            run.scenario, run.concurrency = FIXED_CONCURRENCY, _whole_count(strategy.get("streams") or 0, name, None, f"benchmarks[{i}].config.strategy.streams") or None
        elif kind == "throughput":
            run.scenario = OFFLINE
        elif kind in ("constant", "poisson"):
            rate = _Keys(strategy, name, None, f"benchmarks[{i}].strategy.").number("rate")
            run.scenario, run.request_rate_per_s = FIXED_RATE, _positive(rate)
            run.notes.append(f"GuideLLM {kind} arrivals")
        else:
            raise TcoUserError(DataProblem(name, None, f"benchmarks[{i}].strategy.type_", f"unknown strategy {kind!r}"))
        m = "metrics."
        for metric in ("output_tokens_per_second", "prompt_token_count", "output_token_count", "time_to_first_token_ms"):
            k.raw(m + metric + ".successful", True)
        run.output_tokens_per_s = k.number(m + "output_tokens_per_second.successful.mean", True)
        run.requests_per_s = k.number(m + "requests_per_second.successful.mean")
        run.input_tokens_mean = k.number(m + "prompt_token_count.successful.mean", True)
        run.output_tokens_mean = k.number(m + "output_token_count.successful.mean", True)
        ttft = m + "time_to_first_token_ms.successful."
        run.ttft_ms, run.ttft_p50_ms, run.ttft_p99_ms = k.number(ttft + "mean"), k.number(ttft + "median"), k.number(ttft + "percentiles.p99")
        run.ttft_p90_ms = k.number(ttft + "percentiles.p90")
        itl = m + "inter_token_latency_ms.successful."
        run.tpot_ms, run.tpot_p50_ms, run.tpot_p99_ms = k.number(itl + "mean"), k.number(itl + "median"), k.number(itl + "percentiles.p99")
        run.tpot_p90_ms = k.number(itl + "percentiles.p90")
        totals = k.raw("request_totals") or k.raw(m + "request_totals") or {}
        run.successful_requests = totals.get("successful")
        failed = (totals.get("errored") or 0) + (totals.get("incomplete") or 0) if totals else None
        run.failed_requests = failed
        run.run_date = _epoch_date(k.number("start_time") or k.number("run_stats.start_time") or k.number("scheduler_metrics.start_time"),
                                   name, f"benchmarks[{i}].start_time")
        run.notes.append("GuideLLM: TPOT taken from inter_token_latency_ms (its time_per_output_token_ms includes the first token); "
                         "successful requests only")
        if not run.successful_requests:
            raise TcoUserError(DataProblem(name, None, f"benchmarks[{i}].request_totals.successful", "no successful request"))
        runs.append(run)
    return runs


_AIPERF_UNITS = {"ttft": ("ms",), "inter_token_latency": ("ms",), "output_token_throughput": ("tokens/sec",),
                 "input_sequence_length": ("tokens",), "output_sequence_length": ("tokens",),
                 "request_throughput": ("requests/sec",)}


def _aiperf_json(data: dict, name: str) -> BenchRun:
    k = _Keys(data, name)
    records = k.raw("records", True)
    for tag, units in _AIPERF_UNITS.items():
        if tag in records or tag in ("ttft", "output_token_throughput", "input_sequence_length", "output_sequence_length"):
            k.unit(f"records.{tag}.unit", units)
    run = BenchRun("AIPerf (profile_export_aiperf.json)", 0)
    models = k.raw("input_config.endpoint.model_names") or []
    run.model_in_file = models[0] if models else None
    loadgen = k.raw("input_config.loadgen") or {}
    if loadgen.get("concurrency"):
        run.scenario, run.concurrency = FIXED_CONCURRENCY, k.count("input_config.loadgen.concurrency", minimum=1)
    elif loadgen.get("request_rate"):
        run.scenario, run.request_rate_per_s = FIXED_RATE, k.number("input_config.loadgen.request_rate")
    start = data.get("start_time")
    if isinstance(start, str) and start:  # another type is not AIPerf's: --date is asked for, as before
        run.run_date = _calendar_date(start[:10], name, None, "start_time", start, "AIPerf writes an ISO date and time")
    run.output_tokens_per_s = k.number("records.output_token_throughput.avg", True)
    run.requests_per_s = k.number("records.request_throughput.avg")
    run.input_tokens_mean = k.number("records.input_sequence_length.avg", True)
    run.output_tokens_mean = k.number("records.output_sequence_length.avg", True)
    run.ttft_ms, run.ttft_p50_ms, run.ttft_p99_ms = (k.number("records.ttft.avg", True), k.number("records.ttft.p50"),
                                                     k.number("records.ttft.p99"))
    run.tpot_ms, run.tpot_p50_ms, run.tpot_p99_ms = (k.number("records.inter_token_latency.avg"), k.number("records.inter_token_latency.p50"),
                                                     k.number("records.inter_token_latency.p99"))
    run.ttft_p90_ms, run.tpot_p90_ms = k.number("records.ttft.p90"), k.number("records.inter_token_latency.p90")
    run.successful_requests, run.failed_requests = k.count("records.request_count.avg"), k.count("records.error_request_count.avg")
    run.notes.append("AIPerf: output length and throughput include reasoning tokens; TPOT = inter_token_latency "
                     "(E2E - TTFT) / (OSL - 1); valid requests only")
    return run


def _perf_csv(text: str, name: str) -> BenchRun:
    """GenAI-Perf `profile_export_genai_perf.csv` or AIPerf `profile_export_aiperf.csv`: a stats table, a blank line, `Metric,Value`."""
    stats: dict[str, tuple[str, dict[str, str], int]] = {}
    values: dict[str, tuple[str, str, int]] = {}
    header: list[str] | None = None
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(c.strip() for c in row):
            header = None
            continue
        if row[0] == "Metric":
            header = row
            continue
        if header is None:
            raise TcoUserError(DataProblem(name, number, "", "a row before any `Metric,...` header: not a GenAI-Perf/AIPerf CSV"))
        metric, unit = _metric_name(row[0])
        earlier = stats.get(metric) or values.get(metric)
        if earlier is not None:  # a dict would keep the last row in silence: a wrong figure in the record
            raise TcoUserError(DataProblem(name, number, _title(metric), f"row written twice (first on line {earlier[2]}); "
                                                                         "which values count is not clear",
                                           hint="keep one of the two rows"))
        if len(header) == 2:
            values[metric] = (unit, row[1] if len(row) > 1 else "", number)
        else:
            stats[metric] = (unit, dict(zip(header[1:], row[1:])), number)
    if not stats and not values:
        raise TcoUserError(DataProblem(name, None, "", "no `Metric,...` table: not a GenAI-Perf/AIPerf CSV"))
    aiperf = "inter chunk latency" in stats or "benchmark duration" in values

    def stat(metric: str, column: str, units: tuple[str, ...], required: bool = False) -> float | None:
        if metric not in stats:
            if required:
                raise TcoUserError(DataProblem(name, None, _title(metric), "missing row"))
            return None
        unit, cells, line = stats[metric]
        if unit not in units:
            raise TcoUserError(DataProblem(name, line, _title(metric), f"unit {unit!r} where {' or '.join(units)} is expected"))
        return _csv_number(cells.get(column), name, line, f"{_title(metric)}.{column}", required)

    def value(metric: str, units: tuple[str, ...], required: bool = False) -> float | None:
        if metric not in values:
            if required:
                raise TcoUserError(DataProblem(name, None, _title(metric), "missing row"))
            return None
        unit, cell, line = values[metric]
        if unit not in units:
            raise TcoUserError(DataProblem(name, line, _title(metric), f"unit {unit!r} where {' or '.join(units)} is expected"))
        return _csv_number(cell, name, line, _title(metric), required)

    run = BenchRun("AIPerf (profile_export_aiperf.csv)" if aiperf else "GenAI-Perf (profile_export_genai_perf.csv)", 0)
    run.ttft_ms = stat("time to first token", "avg", ("ms",), True)
    run.ttft_p50_ms, run.ttft_p99_ms = stat("time to first token", "p50", ("ms",)), stat("time to first token", "p99", ("ms",))
    run.tpot_ms = stat("inter token latency", "avg", ("ms",))
    run.tpot_p50_ms, run.tpot_p99_ms = stat("inter token latency", "p50", ("ms",)), stat("inter token latency", "p99", ("ms",))
    run.ttft_p90_ms, run.tpot_p90_ms = stat("time to first token", "p90", ("ms",)), stat("inter token latency", "p90", ("ms",))
    run.input_tokens_mean = stat("input sequence length", "avg", ("tokens",), True)
    run.output_tokens_mean = stat("output sequence length", "avg", ("tokens",), True)
    run.output_tokens_per_s = value("output token throughput", ("per sec", "tokens/sec"), True)
    run.requests_per_s = value("request throughput", ("per sec", "requests/sec"))
    count = value("request count", ("count", ""))
    run.successful_requests = None if count is None else _whole_count(count, name, values["request count"][2], "Request Count")
    if run.successful_requests == 0:  # its figures then describe no request (refused as vLLM's `completed: 0` is)
        raise TcoUserError(DataProblem(name, values["request count"][2], "Request Count", "no request completed: nothing was measured"))
    errors = value("error request count", ("",))
    run.failed_requests = None if errors is None else _whole_count(errors, name, values["error request count"][2], "Error Request Count")
    run.notes.append("TPOT = inter token latency, (E2E - TTFT) / (output - 1); the CSV states no model, load or date")
    return run


def _metric_name(cell: str) -> tuple[str, str]:
    """`Time To First Token (ms)` -> ("time to first token", "ms"); a name without a unit -> (name, "")."""
    cell = cell.strip()
    if cell.endswith(")") and "(" in cell:
        base, unit = cell[:-1].rsplit("(", 1)
        return base.strip().lower(), unit.strip()
    return cell.lower(), ""


def _title(metric: str) -> str:
    return metric.title()


def _csv_number(cell: str | None, name: str, line: int, key: str, required: bool) -> float | None:
    if cell is None or cell.strip() == "":
        if required:
            raise TcoUserError(DataProblem(name, line, key, "empty cell; a number is needed"))
        return None
    text = cell.strip()
    if "," in text:
        if not _THOUSANDS.match(text):
            # `26,12` is 26.12 written with a decimal comma (a spreadsheet in a European locale), not 2612
            raise TcoUserError(DataProblem(name, line, key, f"must be a number (got {cell!r}): a comma is read only between "
                                                            "groups of three digits (1,234.5)",
                                           hint="write the decimal point as `.`; re-export the CSV from the tool, not from a spreadsheet"))
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        raise TcoUserError(DataProblem(name, line, key, f"must be a number (got {cell!r})"))


_THOUSANDS = re.compile(r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
"""A number whose commas separate thousands (`1,234` or `12,345.67`): the only comma a CSV cell may hold."""


def _llmperf(data: dict, name: str) -> BenchRun:
    k = _Keys(data, name)
    run = BenchRun(f"LLMPerf token_benchmark_ray (results version {data.get('version')})", 0, model_in_file=data.get("model"))
    run.scenario, run.concurrency = FIXED_CONCURRENCY, k.count("num_concurrent_requests", True, minimum=1)
    run.run_date = _epoch_date(k.number("timestamp"), name, "timestamp")
    run.output_tokens_per_s = k.number("results_mean_output_throughput_token_per_s", True)
    per_min = k.number("results_num_completed_requests_per_min")
    run.requests_per_s = per_min / 60 if per_min is not None else None
    run.input_tokens_mean = k.number("results_number_input_tokens_mean", True)
    run.output_tokens_mean = k.number("results_number_output_tokens_mean", True)
    run.ttft_ms = k.number("results_ttft_s_mean", True, scale=1000)
    run.ttft_p50_ms = k.number("results_ttft_s_quantiles_p50", scale=1000)
    run.ttft_p99_ms = k.number("results_ttft_s_quantiles_p99", scale=1000)
    run.ttft_p90_ms = k.number("results_ttft_s_quantiles_p90", scale=1000)
    run.successful_requests, run.failed_requests = k.count("results_num_completed_requests"), k.count("results_number_errors")
    run.notes.append("LLMPerf: no TPOT recorded (its inter_token_latency includes the TTFT); tokens counted with a Llama "
                     "tokenizer whatever the model; throughput = output tokens of successful requests / wall time")
    return run


def _inference_perf(data: dict, name: str) -> BenchRun:
    k = _Keys(data, name)
    load = k.raw("load_summary", True)
    if not isinstance(load, dict) or "requested_rate" not in load:
        if isinstance(load, dict) and not load:
            raise TcoUserError(DataProblem(name, None, "load_summary", "a Prometheus (server-side) metrics file: import the "
                                                                       "stage_N_lifecycle_metrics.json of the same stage"))
        raise TcoUserError(DataProblem(name, None, "load_summary.requested_rate",
                                       "missing key: a summary over all stages mixes request rates; import a stage_N_lifecycle_metrics.json"))
    run = BenchRun("inference-perf (lifecycle metrics)", 0)
    run.scenario = FIXED_RATE
    run.request_rate_per_s = _positive(k.number("load_summary.requested_rate", True))
    achieved = k.number("load_summary.achieved_rate")
    if achieved is not None:
        run.notes.append(f"achieved rate {achieved:.4g}/s")
    run.output_tokens_per_s = k.number("successes.throughput.output_tokens_per_sec", True)
    run.requests_per_s = k.number("successes.throughput.requests_per_sec")
    run.input_tokens_mean = k.number("successes.prompt_len.mean", True)
    run.output_tokens_mean = k.number("successes.output_len.mean", True)
    base = "successes.latency."
    run.ttft_ms = k.number(base + "time_to_first_token.mean", True, scale=1000)
    run.ttft_p50_ms = k.number(base + "time_to_first_token.median", scale=1000)
    run.ttft_p99_ms = k.number(base + "time_to_first_token.p99", scale=1000)
    run.ttft_p90_ms = k.number(base + "time_to_first_token.p90", scale=1000)
    run.tpot_ms = k.number(base + "time_per_output_token.mean", scale=1000)
    run.tpot_p50_ms = k.number(base + "time_per_output_token.median", scale=1000)
    run.tpot_p99_ms = k.number(base + "time_per_output_token.p99", scale=1000)
    run.tpot_p90_ms = k.number(base + "time_per_output_token.p90", scale=1000)
    run.successful_requests, run.failed_requests = k.count("successes.count"), k.count("failures.count")
    run.notes.append("inference-perf: seconds converted to ms; TPOT = (last - first token time) / (chunks - 1)")
    return run
