"""`tco measurements import`: your own benchmark runs (vLLM, SGLang, GuideLLM, GenAI-Perf, AIPerf, LLMPerf,
inference-perf) as measurement records in a user hardware folder, used by `tco throughput --hardware-dir`."""

from __future__ import annotations

import argparse

from tco.commands.hardware import add_hardware_dir
from tco.commands.throughput import ENGINES, KV_PRECISIONS, PRECISIONS, RUNTIMES, canonical_choice, choice_type



def register(subparsers) -> None:
    parser = subparsers.add_parser("measurements", help="import your own serving-benchmark result files as measurements",
                                   description="Measurements of a model served on GPUs: import benchmark result files.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser(
        "import", help="read benchmark result files into measurement YAML in a user hardware folder",
        description="Read vLLM (`vllm bench serve --save-result`, benchmark_serving.py), SGLang bench_serving JSONL, "
                    "GuideLLM reports (JSON/YAML), AIPerf profile_export_aiperf.json/.csv, GenAI-Perf "
                    "profile_export_genai_perf.csv, LLMPerf *_summary.json and inference-perf stage lifecycle files. "
                    "The files rarely say what hardware ran: give it with the flags. One YAML file per input "
                    "(`<name>.measurements.yaml`) is written to --out. Inputs with the same file name (AIPerf's "
                    "profile_export_aiperf.json) get their parent folders before it (`run1-result.json...`); an "
                    "earlier output of the same file is replaced and kept as a .bak backup, another file's never.")
    p.add_argument("files", nargs="+", metavar="FILE", help="benchmark result files")
    p.add_argument("--model", required=True, help="open model that was served: id, name, alias or Hugging Face repository (see `tco models list`)")
    p.add_argument("--gpu", required=True, help="GPU id, name or alias (see `tco hardware list`)")
    p.add_argument("--gpus", type=int, required=True, help="GPUs of one replica that served the run")
    p.add_argument("--replicas", type=int, default=1,
                   help="replicas of --gpus GPUs the run's load was spread over, behind one router (default 1): the "
                        "record's GPUs are gpus x replicas, its tokens/s and load the whole deployment's")
    p.add_argument("--tp", type=int, help="tensor-parallel degree (default: gpus / pp)")
    p.add_argument("--pp", type=int, default=1, help="pipeline-parallel degree (default 1)")
    p.add_argument("--ep", type=int, help="expert-parallel degree (MoE)")
    p.add_argument("--precision", type=choice_type("precision"), choices=PRECISIONS,
                   help="weight precision (default: the model's native precision)")
    p.add_argument("--kv-precision", type=choice_type("kv_precision"), choices=KV_PRECISIONS, help="KV cache precision, if not the default")
    p.add_argument("--engine", type=choice_type("engine"), choices=ENGINES,
                   help="serving engine (default: vllm for vLLM files, sglang for SGLang files; required otherwise)")
    p.add_argument("--engine-version", help="serving engine version, e.g. 0.11.0")
    p.add_argument("--runtime", default="python", type=choice_type("runtime"), choices=RUNTIMES,
                   help="how the engine drives the GPU (default python)")
    p.add_argument("--date", help="run date YYYY-MM-DD, for files that record none (SGLang, GenAI-Perf CSV, inference-perf)")
    p.add_argument("--concurrency", type=int, help="requests in flight, for files that record no load (GenAI-Perf/AIPerf CSV)")
    p.add_argument("--request-rate", type=float, help="requests per second sent, for files that record no load")
    p.add_argument("--max-batch", type=int,
                   help="the engine's limit on sequences running at once, if the run set one (vLLM --max-num-seqs, SGLang "
                        "--max-running-requests, TensorRT-LLM max_batch_size; per replica): scored with it")
    p.add_argument("--step-tokens", type=int,
                   help="the engine's step budget, if the run set one (vLLM --max-num-batched-tokens, SGLang "
                        "--chunked-prefill-size, TensorRT-LLM max_num_tokens): scored with it")
    p.add_argument("--request-latency-ms", type=float,
                   help="what a request spent outside the engine's steps before its first token on the run's stack "
                        "(client, HTTP frontend or router, tokenizer), if you know it: scored with it in place of the "
                        "fitted figure, and the record answers only queries that state the same (under a load in flight)")
    p.add_argument("--out", metavar="DIR", help="user hardware folder to write to (default: the last --hardware-dir)")
    add_hardware_dir(p)
    p.set_defaults(func=run_import)


def native_precision(catalog, model_id: str) -> str | None:
    """The model's native precision as --precision would read it (`mxfp4` and `nvfp4` are fp4), or None where it is
    none of PRECISIONS (`fp16/bf16`) or unknown: the flag's default, then refused by `to_measurements` with the reason.

    Why: the default was taken as written, so gpt-oss (native `mxfp4`) was refused without --precision, though the
    flag itself takes `mxfp4` as fp4."""
    native = getattr(catalog.models.get(model_id), "native_precision", None)
    if native is None:
        return None
    precision = canonical_choice("precision", native)
    return precision if precision in PRECISIONS else None


def _calendar_day(text: str) -> bool:
    """YYYY-MM-DD naming a day that exists (`2025-13-40` and `2025-02-30` match the pattern but are none)."""
    import datetime as dt
    import re

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def run_import(args: argparse.Namespace) -> int:
    import datetime as dt
    import sys
    from pathlib import Path

    from tco.commands.throughput import REQUEST_LATENCY_RANGE, parse_request_latency_ms
    from tco.errors import DataProblem, TcoUserError
    from tco.files import write_atomic
    from tco.load.bench_runs import file_sha256, read_bench_file
    from tco.load.hardware import load_hardware
    from tco.load.measurement_import import (Deployment, ImportSource, check_deployment, id_problems, measurements_yaml,
                                             output_paths, to_measurements)

    where = "tco measurements import"
    out_text = args.out or (args.hardware_dir[-1] if args.hardware_dir else None)
    problems = []
    if out_text is None:
        problems.append(DataProblem(where, None, "--out", "say which user hardware folder to write to (--out DIR)"))
    for flag, value in (("--gpus", args.gpus), ("--replicas", args.replicas), ("--pp", args.pp), ("--tp", args.tp), ("--ep", args.ep),
                        ("--concurrency", args.concurrency), ("--max-batch", args.max_batch),
                        ("--step-tokens", args.step_tokens)):
        if value is not None and value < 1:
            problems.append(DataProblem(where, None, flag, f"must be at least 1 (got {value})"))
    request_latency_ms = None if args.request_latency_ms is None else parse_request_latency_ms(args.request_latency_ms)
    if args.request_latency_ms is not None and request_latency_ms is None:
        problems.append(DataProblem(where, None, "--request-latency-ms", f"{REQUEST_LATENCY_RANGE} (got {args.request_latency_ms:g})"))
    if args.request_rate is not None and not args.request_rate > 0:
        problems.append(DataProblem(where, None, "--request-rate", f"must be a positive number (got {args.request_rate})"))
    if args.date is not None and not _calendar_day(args.date):
        problems.append(DataProblem(where, None, "--date", f"must be a calendar date YYYY-MM-DD (got {args.date!r})"))
    if problems:
        raise TcoUserError(problems)
    out_dir = Path(out_text)
    extra = [Path(d) for d in args.hardware_dir]
    if out_dir.is_dir() and out_dir not in extra:
        extra.append(out_dir)  # user models/GPUs defined next to the measurements count too
    catalog = load_hardware(extra_dirs=extra)
    # a name or alias (`H100 SXM`, `meta-llama/Llama-3.1-8B-Instruct`) is recorded as the id it means; an unknown one
    # stays as typed, for check_deployment's did-you-mean
    model_id = catalog.model_id_for(args.model) or args.model
    deployment = Deployment(model=model_id, gpu=catalog.gpu_id_for(args.gpu) or args.gpu,
                            gpus=args.gpus, replicas=args.replicas, tp=args.tp, pp=args.pp, ep=args.ep,
                            precision=args.precision or native_precision(catalog, model_id), kv_precision=args.kv_precision,
                            engine=args.engine,
                            engine_version=args.engine_version, runtime=args.runtime, date=args.date,
                            concurrency=args.concurrency, request_rate_per_s=args.request_rate, max_batch=args.max_batch,
                            step_tokens=args.step_tokens, request_latency_ms=request_latency_ms)
    problems = check_deployment(catalog, deployment, where)
    if problems:
        raise TcoUserError(problems)
    planned = []
    for text in args.files:
        path = Path(text)
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "is not a regular file (a device, pipe or socket)" \
                if path.exists() else "no such file"
            problems.append(DataProblem(text, None, "", what))
            continue
        try:
            runs = read_bench_file(path, text)
            source = ImportSource(path, file_sha256(path))
            records = to_measurements(runs, path.name, source.sha256, deployment, catalog, display=text)
        except TcoUserError as e:
            problems.extend(e.problems)
            continue
        planned.append((source, records))
    if problems:  # nothing is written unless every file imports
        raise TcoUserError(problems)
    targets = output_paths(out_dir, [source for source, _ in planned])
    problems = id_problems(catalog, planned, targets, out_dir)
    if problems:
        raise TcoUserError(problems)
    read_on = dt.date.today().isoformat()
    first = {}
    for (source, records), target in zip(planned, targets):
        if target is None:
            print(f"{source.path}: the same bytes as {first[source.sha256]} (sha256 {source.sha256[:12]}...): imported once",
                  file=sys.stderr)
            continue
        first[source.sha256] = source.path
        kept = write_atomic(target, measurements_yaml(records, source.path.name, source, read_on),
                            inputs=[Path(f) for f in args.files])
        for r in records:
            load = f"concurrency {r.concurrency}" if r.concurrency else (
                f"{r.request_rate_per_s:g} req/s" if r.request_rate_per_s else "all at once")
            print(f"{r.id}\t{r.scenario} ({load})\t{r.input_tokens} in / {r.output_tokens} out\t"
                  f"{r.output_tokens_per_s:,.1f} output tokens/s\t{r.as_of}")
        print(f"wrote {len(records)} measurement(s) from {source.path} to {target}"
              + (f" (previous file kept as {kept})" if kept else ""), file=sys.stderr)
    return 0
