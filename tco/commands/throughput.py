"""`tco throughput`: tokens per second, latency and limits of one replica of an open model on a GPU type."""

from __future__ import annotations

import argparse
import math
from functools import lru_cache

from tco.commands._common import add_format
from tco.commands.hardware import add_hardware_dir

RESULT_COLUMNS = (
    "model", "gpu", "gpus", "tp", "pp", "precision", "kv_precision", "engine", "runtime", "input_tokens", "output_tokens",
    "runnable", "output_tokens_per_s", "output_tokens_per_s_per_gpu", "requests_per_s", "ttft_ms", "tpot_ms",
    "concurrency", "max_concurrency_fits", "limited_by", "basis", "measurement_ids", "parallelism", "data_parallel_replicas", "weights_gb_per_gpu", "kv_cache_bytes_per_token",
    "reason", "ttft_p90_ms", "ttft_p99_ms", "tpot_p90_ms", "percentile", "prefix_hit_rate", "spec_method", "acceptance_length",
    "disaggregated", "prefill_gpus", "decode_gpus", "model_output_tokens_per_s", "model_error_pct", "calibration_scale",
    "draft_tokens", "request_rate_per_s", "max_batch", "step_tokens", "request_latency_ms",
    "accuracy_regime", "accuracy_regime_rows", "typical_throughput_error_pct", "p90_throughput_error_pct",
    "typical_tpot_error_pct", "typical_ttft_error_pct", "measured_to_model_p10", "measured_to_model_median", "measured_to_model_p90",
    "gpu_in_calibration", "model_family_in_calibration", "tpot_measured_to_model_median", "ttft_measured_to_model_median",
    "output_tokens_per_s_per_user", "output_tokens_per_s_per_decode_gpu",
)
BATCH_COLUMNS = ("model", "gpu", "gpus", "precision", "input_tokens", "output_tokens", "concurrency",
                 "ttft_ms", "tpot_ms", "tp", "pp", "ep", "engine", "runtime", "attention_dp", "spec_method", "acceptance_length",
                 "disaggregated", "prefill_gpus", "decode_gpus", "percentile", "prefix_hit_rate", "draft_tokens",
                 "request_rate", "max_batch", "step_tokens", "request_latency_ms", "kv_precision",
                 "prefill_tp", "prefill_ep", "prefill_attention_dp")
"""Columns a --batch CSV may have (model, gpu, gpus, input_tokens and output_tokens are required)."""
REQUIRED_BATCH_COLUMNS = ("model", "gpu", "gpus", "input_tokens", "output_tokens")
# The allowed values, copied here so that building the parser imports neither pydantic nor the engine
# (`tco --help` stays fast); tests/test_throughput_cli.py checks each equals tco.model.hardware's Literal.
PRECISIONS = ("bf16", "fp16", "fp8", "fp4", "int4", "int8")
"""tco.model.hardware.Precision."""
KV_PRECISIONS = ("bf16", "fp16", "fp8", "fp4")
"""The KV cache precisions --kv-precision offers: tco.model.hardware.Precision without the weight-only int4/int8."""
ENGINES = ("trtllm", "vllm", "sglang")
"""tco.model.hardware.Engine."""
RUNTIMES = ("python", "cpp")
"""tco.model.hardware.Runtime."""
SPEC_METHODS = ("none", "mtp", "eagle", "draft-model")
"""tco.model.hardware.SpecMethod."""
_PRECISION_SPELLINGS = {"bfloat16": "bf16", "float16": "fp16", "half": "fp16", "float8": "fp8", "fp8_e4m3": "fp8",
                        "fp8-e4m3": "fp8", "nvfp4": "fp4", "mxfp4": "fp4"}
OTHER_SPELLINGS = {"precision": _PRECISION_SPELLINGS, "kv_precision": _PRECISION_SPELLINGS,
                   "engine": {"tensorrt-llm": "trtllm", "tensorrt_llm": "trtllm", "trt-llm": "trtllm", "trt_llm": "trtllm"},
                   "spec_method": {"draft_model": "draft-model", "draft": "draft-model"}}
"""Other spellings of the allowed values, as engines' own flags and model cards write them (vLLM `--dtype bfloat16`,
`--kv-cache-dtype fp8_e4m3`; NVFP4 / MXFP4 are the FP4 of each vendor; `TensorRT-LLM`): the value they mean. Any
value is also taken in any case."""


def canonical_choice(column: str, text: str) -> str:
    """The allowed value a cell or flag means (`FP8`, `bfloat16`, `TensorRT-LLM`); anything else as given, for the
    check to refuse with the list."""
    lowered = text.strip().lower()
    return OTHER_SPELLINGS.get(column, {}).get(lowered, lowered)


def choice_type(column: str):
    """argparse `type=` for a choice flag: the spelling made canonical before `choices` checks it."""
    return lambda text: canonical_choice(column, text)
PERCENTILES = ("p50", "p90", "p99")
"""tco.engine.throughput.config.PERCENTILES."""
TRI_STATE = {"true": True, "false": False, "auto": None}
"""true / false / auto cells and flags (auto: the model chooses)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "throughput", help="tokens per second of a model on a GPU type (physical model + published measurements)",
        description="Throughput, TTFT and TPOT of one replica (the --gpus GPUs) serving a model; "
                    "see docs/throughput.md for the method and its accuracy.")
    parser.add_argument("--model", help="open model id, name, alias or Hugging Face repository (see `tco models list`)")
    parser.add_argument("--gpu", help="GPU id, name or alias (`H100 SXM`; see `tco hardware list`)")
    parser.add_argument("--gpus", type=int, help="GPUs in the replica")
    parser.add_argument("--tp", type=int, help="tensor-parallel degree of one group (default: the fastest of gpus / pp and the narrower "
                                                 "groups that divide it, run as data-parallel replicas)")
    parser.add_argument("--pp", type=int, help="pipeline-parallel degree (default 1)")
    parser.add_argument("--ep", type=int, help="expert-parallel degree (MoE models; default: the fastest split)")
    parser.add_argument("--attention-dp", action="store_true", default=None,
                        help="MoE: attention data-parallel over the tp GPUs, experts expert-parallel (SGLang --enable-dp-attention)")
    parser.add_argument("--no-attention-dp", dest="attention_dp", action="store_false", default=None,
                        help="MoE: attention tensor-parallel (with --ep 1: plain TP, experts split too)")
    parser.add_argument("--precision", type=choice_type("precision"), choices=PRECISIONS,
                        help="weight precision (default fp8)")
    parser.add_argument("--kv-precision", type=choice_type("kv_precision"), choices=KV_PRECISIONS,
                        help="KV cache precision (default: fp8 for fp8/fp4 weights, else 16-bit; 16-bit for fp4 weights on a GPU without FP4 math, which run weight-only)")
    parser.add_argument("--engine", type=choice_type("engine"), choices=ENGINES, help="serving engine (default trtllm)")
    parser.add_argument("--runtime", type=choice_type("runtime"), choices=RUNTIMES,
                        help="how the engine drives the GPU: python (TensorRT-LLM 1.0+ PyTorch backend, vLLM, SGLang; "
                             "default) or cpp (TensorRT-LLM's older TensorRT engine flow)")
    parser.add_argument("--input-tokens", type=int, help="prompt tokens per request")
    parser.add_argument("--output-tokens", type=int, help="generated tokens per request")
    parser.add_argument("--concurrency", help="requests in flight, or `max` (default): the most that fit and meet the targets")
    parser.add_argument("--request-rate", type=float, metavar="REQUESTS_PER_S",
                        help="requests a second offered to the replica whatever it does (an open loop, as a benchmark run at a "
                             "fixed request rate): the latencies at that load, the physical model alone; not with --concurrency "
                             "or latency targets")
    parser.add_argument("--ttft-ms", type=float, help="time-to-first-token target (ms)")
    parser.add_argument("--tpot-ms", type=float, help="time-per-output-token target (ms)")
    parser.add_argument("--percentile", type=choice_type("percentile"), choices=PERCENTILES,
                        help="percentile of the requests the TTFT / TPOT targets hold for (default p50, the median)")
    parser.add_argument("--prefix-hit-rate", type=float,
                        help="share of each prompt found in the prefix cache, not computed again (default 0: no prefix caching)")
    parser.add_argument("--spec-method", type=choice_type("spec_method"), choices=SPEC_METHODS,
                        help="speculative decoding: none (default), mtp (DeepSeek multi-token prediction), eagle, draft-model")
    parser.add_argument("--acceptance-length", type=float,
                        help="mean tokens a sequence gains per verification step (default: mtp 1.85, DeepSeek-V3 report; "
                             "eagle and draft-model need it)")
    parser.add_argument("--draft-tokens", type=int,
                        help="speculative decoding: tokens drafted per step, all verified in one pass (default: 1, or the "
                             "fewest the acceptance length needs, e.g. 3 for 3.5)")
    parser.add_argument("--max-batch", type=int,
                        help="sequences one replica runs at once, the rest wait for a slot (vLLM --max-num-seqs, SGLang "
                             "--max-running-requests, TensorRT-LLM max_batch_size; disaggregated: per decode worker; "
                             "default: the engine's own, vLLM 1024 on GPUs of 70 GiB or more but A100s, else 256; TensorRT-LLM 2048; "
                             "SGLang its request pool, 2048-4096 per scheduler; per attention-DP rank; SGLang with "
                             "speculative decoding defaults to 48, which tuned recipes raise: give 48 for an untuned one)")
    parser.add_argument("--step-tokens", type=int,
                        help="tokens one engine step carries at most, as the engine's flag is written (vLLM "
                             "--max-num-batched-tokens, SGLang --chunked-prefill-size, shared over DP-attention ranks, "
                             "TensorRT-LLM max_num_tokens); a longer prompt is prefilled in chunks of it (default: the "
                             "engine's own for the GPU, vLLM 16384 on GPUs of 160 GiB or more, 8192 on GPUs of 70 GiB or more but A100s, else 2048; "
                             "SGLang 2048-16384 by GPU memory; TensorRT-LLM 8192)")
    parser.add_argument("--request-latency-ms", type=float,
                        help="what a request spends outside the engine's steps before its first token (client, HTTP "
                             "frontend or router, tokenizer, streaming), as measured for your stack (default: fitted on "
                             "InferenceX's harness, 68 ms; a plain vLLM server measured 0-35 ms)")
    parser.add_argument("--disaggregated", type=choice_type("disaggregated"), choices=tuple(TRI_STATE),
                        help="separate prefill and decode GPUs: false (default; true when --prefill-gpus or --decode-gpus "
                             "is given), true, or auto (whichever serves more)")
    parser.add_argument("--prefill-gpus", type=int, help="disaggregated: GPUs of the prefill side (default: chosen)")
    parser.add_argument("--decode-gpus", type=int, help="disaggregated: GPUs of the decode side (default: gpus - prefill GPUs)")
    parser.add_argument("--prefill-tp", type=int,
                        help="disaggregated: GPUs of one prefill worker (tensor-parallel size; default: the size that serves "
                             "the most; --tp, --ep and --attention-dp describe the decode workers)")
    parser.add_argument("--prefill-ep", type=int, help="disaggregated: expert-parallel degree of a prefill worker (MoE)")
    parser.add_argument("--prefill-attention-dp", action="store_true", default=None,
                        help="disaggregated MoE: the prefill workers run attention data-parallel")
    parser.add_argument("--no-prefill-attention-dp", dest="prefill_attention_dp", action="store_false", default=None,
                        help="disaggregated MoE: the prefill workers run attention tensor-parallel")
    parser.add_argument("--model-only", action="store_true", help="ignore published measurements (the physical model alone)")
    parser.add_argument("--calibrate", action="store_true",
                        help="scale the model to every measurement of this deployment (any lengths and concurrency; "
                             "e.g. your imported benchmark runs): basis `calibrated`; not with --model-only")
    parser.add_argument("--batch", metavar="FILE.csv",
                        help=f"one configuration per CSV row, columns {', '.join(BATCH_COLUMNS)}; empty cells take defaults "
                             "(the flags of those columns are refused beside it; --model-only, --calibrate are read)")
    add_format(parser, ("table", "csv", "json"))
    add_hardware_dir(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from dataclasses import replace

    from tco.report.table import print_rows
    from tco.commands.hardware import load_catalog
    from tco.errors import DataProblem, ExitCode, TcoUserError

    if args.model_only and args.calibrate:
        # Why refuse: --model-only drops the measurements that --calibrate scales to, so the calibration was dropped
        # without a word (basis `model`, no calibration_scale)
        raise TcoUserError(DataProblem("tco throughput", None, "--calibrate", CALIBRATE_MODEL_ONLY))
    if args.batch:
        # every configuration flag defaults to None (`SINGLE_CALL_DEFAULTS`), so one typed at its default is refused too
        ignored = [column for column in BATCH_COLUMNS if getattr(args, column) is not None]
        if ignored:
            # Why refuse: each row is a whole configuration, so a flag beside --batch was dropped without a word
            # (`--batch F.csv --engine vllm --ttft-ms 100` answered TensorRT-LLM rows, their TTFT over the 100 ms)
            raise TcoUserError([DataProblem("tco throughput", None, _flag_of(column, getattr(args, column)),
                                            "is not read with --batch: each row of the file is a whole configuration",
                                            hint=f"give it as the `{column}` column of {args.batch}")
                                for column in ignored])
        catalog = load_catalog(args)
        items = read_batch(args.batch, catalog)
        if args.calibrate and any(item.get("request_rate") for item in items):
            raise TcoUserError(DataProblem(args.batch, None, "request_rate", CALIBRATE_AT_A_RATE))
        measurements = _indexed_measurements(catalog)
        rows = [result_row(catalog, item, args.model_only, args.calibrate, measurements) for item in items]
        print_rows(rows, args.format, RESULT_COLUMNS)
        return 0
    missing = [flag for flag, value in (("--model", args.model), ("--gpu", args.gpu), ("--gpus", args.gpus),
                                        ("--input-tokens", args.input_tokens), ("--output-tokens", args.output_tokens)) if value is None]
    if missing:
        raise TcoUserError(DataProblem("tco throughput", None, "", f"missing {', '.join(missing)} (or give --batch FILE.csv)"))
    # The flags are checked as a --batch row's cells are, by the same rules (`_parse_row`), each problem named by its flag
    item, problems = _parse_row(_flag_cells(args), "tco throughput", None, method_field="--spec-method")
    if item.get("request_rate") is not None and args.calibrate and not problems:
        problems.append(DataProblem("tco throughput", None, "request_rate", CALIBRATE_AT_A_RATE))
    if problems:
        raise TcoUserError([replace(problem, field="--" + problem.field.replace("_", "-")) for problem in problems])
    catalog = load_catalog(args)
    _resolve_ids(catalog, item, "tco throughput", None)
    row = result_row(catalog, item, args.model_only, args.calibrate)
    if not row["runnable"]:
        print(f"tco throughput: cannot run: {row['reason']}", file=sys.stderr)
        return ExitCode.CANNOT_RUN
    if args.format == "table":
        width = max(len(c) for c in RESULT_COLUMNS)
        for column in RESULT_COLUMNS:
            if column != "reason":
                print(f"{column.ljust(width)}  {_show(row[column])}")
    else:
        print_rows([row], args.format, RESULT_COLUMNS)
    return 0


def _flag_of(column: str, value=None) -> str:
    """The flag that gives a --batch column in a single call: for an on / off pair, the one that gives `value` (False:
    `--no-attention-dp`), so that a message names the flag the user typed."""
    flag = "--" + column.replace("_", "-")
    return f"--no-{flag[2:]}" if value is False else flag


SINGLE_CALL_DEFAULTS = {"pp": 1, "precision": "fp8", "engine": "trtllm", "runtime": "python", "concurrency": "max",
                        "percentile": "p50", "prefix_hit_rate": 0.0, "spec_method": "none"}
"""What a single call takes for a configuration flag not given (the defaults its --help states). Why not argparse
defaults: beside --batch a flag typed at its default value must be refused like any other, which needs "not given"
(None) to differ from "given"."""


def _flag_cells(args: argparse.Namespace) -> dict[str, str]:
    """The flags of a single call as the cells of a --batch row (a flag not given: an empty cell), so that one set of
    rules checks both (`_parse_row`). Flags with a default (`SINGLE_CALL_DEFAULTS`) give it, as an empty cell would
    take it."""
    cells = {}
    for column in BATCH_COLUMNS:
        value = getattr(args, column)
        if value is None:
            value = SINGLE_CALL_DEFAULTS.get(column)
        if value is None:
            cells[column] = ""
        elif isinstance(value, bool):  # --attention-dp / --no-attention-dp
            cells[column] = "true" if value else "false"
        else:
            cells[column] = str(value)
    return cells


def _indexed_measurements(catalog):
    """The catalog's measurements grouped once by model and GPU, for the rows of a --batch to share (each row
    otherwise finds its own among all of them)."""
    from tco.engine.throughput.lookup import MeasurementIndex

    return MeasurementIndex(catalog.measurements)


def result_row(catalog, item: dict, model_only: bool = False, calibrate: bool = False, measurements=None) -> dict:
    """One configuration in, one flat result row out (the same for a single run and for --batch). `measurements`:
    the catalog's, already indexed (`_indexed_measurements`), or None to take them from the catalog."""
    from tco.engine.throughput import ServingConfig, predict, predict_at_rate

    config = ServingConfig(
        gpus=item["gpus"], input_tokens=item["input_tokens"], output_tokens=item["output_tokens"], tp=item.get("tp"),
        pp=item.get("pp") or 1, ep=item.get("ep"), attention_dp=item.get("attention_dp"), precision=item.get("precision") or "fp8",
        kv_precision=item.get("kv_precision"), engine=item.get("engine") or "trtllm", concurrency=item.get("concurrency"),
        ttft_ms=item.get("ttft_ms"), tpot_ms=item.get("tpot_ms"), runtime=item.get("runtime") or "python",
        percentile=item.get("percentile") or "p50", prefix_hit_rate=item.get("prefix_hit_rate") or 0.0,
        spec_method=item.get("spec_method") or "none", acceptance_length=item.get("acceptance_length"),
        draft_tokens=item.get("draft_tokens"), max_batch=item.get("max_batch"), step_tokens=item.get("step_tokens"),
        request_latency_ms=item.get("request_latency_ms"), disaggregated=item.get("disaggregated", False), prefill_gpus=_prefill_gpus(item),
        prefill_tp=item.get("prefill_tp"), prefill_ep=item.get("prefill_ep"), prefill_attention_dp=item.get("prefill_attention_dp"))
    if model_only:
        measurements = ()
    elif measurements is None:
        measurements = catalog.measurements
    model, gpu = catalog.models[item["model"]], catalog.gpus[item["gpu"]]
    if item.get("request_rate"):
        # published rows are at most throughput or at a fixed concurrency: none describes an offered rate
        # (`measured_load`), so the model answers alone
        r = predict_at_rate(model, gpu, config, item["request_rate"])
    else:
        r = predict(model, gpu, config, measurements, calibrate=calibrate)
    row = {"model": item["model"], "gpu": item["gpu"], "gpus": config.gpus, "tp": r.tp or config.tp, "pp": config.pp,
           "precision": config.precision, "kv_precision": r.kv_precision or config.kv_precision, "engine": config.engine,
           "runtime": config.runtime, "input_tokens": config.input_tokens, "output_tokens": config.output_tokens, "runnable": r.runnable}
    if r.runnable:
        row.update(output_tokens_per_s=_rounded(r.output_tokens_per_s, 1),
                   output_tokens_per_s_per_gpu=_rounded(r.output_tokens_per_s_per_gpu, 1),
                   requests_per_s=_rounded(r.requests_per_s, 4), ttft_ms=round(r.ttft_ms, 1), tpot_ms=round(r.tpot_ms, 2),
                   concurrency=r.concurrency, max_concurrency_fits=r.max_concurrency_fits, limited_by=r.limited_by,
                   basis=r.basis, measurement_ids=" ".join(r.measurement_ids) or None, parallelism=r.parallelism,
                   data_parallel_replicas=r.data_parallel_replicas,
                   ttft_p90_ms=round(r.ttft_p90_ms, 1), ttft_p99_ms=round(r.ttft_p99_ms, 1), tpot_p90_ms=round(r.tpot_p90_ms, 2),
                   acceptance_length=round(r.acceptance_length, 3), draft_tokens=r.draft_tokens, prefill_gpus=r.prefill_gpus or None,
                   decode_gpus=r.decode_gpus or None,
                   # the two axes InferenceX's dashboards plot: a user's decode speed, and output per GPU that decodes
                   # (a disaggregated replica's decode side; every GPU of an aggregated one)
                   output_tokens_per_s_per_user=_rounded(1000 / r.tpot_ms, 1) if r.tpot_ms > 0 else None,
                   output_tokens_per_s_per_decode_gpu=_rounded(r.output_tokens_per_s / (r.decode_gpus or config.gpus), 1))
    else:
        row.update(output_tokens_per_s=None, output_tokens_per_s_per_gpu=None, requests_per_s=None, ttft_ms=None,
                   tpot_ms=None, concurrency=None, max_concurrency_fits=None, limited_by=None, basis=None, measurement_ids=None,
                   parallelism=None, data_parallel_replicas=None, ttft_p90_ms=None, ttft_p99_ms=None, tpot_p90_ms=None, acceptance_length=None, draft_tokens=None,
                   prefill_gpus=None, decode_gpus=None, output_tokens_per_s_per_user=None, output_tokens_per_s_per_decode_gpu=None)
    row.update(percentile=config.percentile, prefix_hit_rate=r.prefix_hit_rate if r.runnable else config.prefix_hit_rate,
               spec_method=config.spec_method, disaggregated=r.disaggregated if r.runnable else config.disaggregated)
    row.update(weights_gb_per_gpu=round(r.weights_gb_per_gpu, 2) if r.weights_gb_per_gpu else None,
               kv_cache_bytes_per_token=round(r.kv_cache_bytes_per_token) if r.kv_cache_bytes_per_token else None,
               reason=r.reason)
    measured = r.runnable and r.model_output_tokens_per_s is not None
    row.update(model_output_tokens_per_s=_rounded(r.model_output_tokens_per_s, 1) if measured else None,
               model_error_pct=round(100 * (r.model_output_tokens_per_s / r.output_tokens_per_s - 1), 1)
               if measured and r.basis == "measurement" else None,
               calibration_scale=round(r.calibration_scale, 4) if r.calibration_scale is not None else None,
               request_rate_per_s=item.get("request_rate"), max_batch=r.max_batch if r.runnable else config.max_batch,
               step_tokens=r.step_tokens if r.runnable else config.step_tokens,
               request_latency_ms=round(r.request_latency_ms, 2) if r.runnable else config.request_latency_ms)
    row.update(_accuracy_regime(r, config, model, item.get("request_rate")))
    row.update(_calibration_coverage(item["gpu"], model))
    return row


SIGNIFICANT_DIGITS = 3
"""A rate below 1 keeps at least this many significant digits (`_rounded`)."""


def _rounded(value: float, decimals: int) -> float:
    """`value` to `decimals` places, or to SIGNIFICANT_DIGITS significant digits where it is below 1 and those places
    would drop them (0.0016 output tokens/s at a slow request rate printed as 0.0)."""
    if value == 0 or not math.isfinite(value) or abs(value) >= 1:
        return round(value, decimals)
    return round(value, max(decimals, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value)))))


def _accuracy_regime(r, config, model, request_rate) -> dict:
    """How far the model has been from published runs like this one (`tco.engine.throughput.regimes`)."""
    from tco.engine.throughput.regimes import AT_A_RATE, regime_of_result

    if not r.runnable:
        name, error = None, None
    elif request_rate:
        name, error = AT_A_RATE, None
    else:
        name, error = regime_of_result(r, config, model)
    return {"accuracy_regime": name, "accuracy_regime_rows": error.rows if error else None,
            "typical_throughput_error_pct": error.throughput_median_pct if error else None,
            "p90_throughput_error_pct": error.throughput_p90_pct if error else None,
            "typical_tpot_error_pct": error.tpot_median_pct if error else None,
            "typical_ttft_error_pct": error.ttft_median_pct if error else None,
            **{field: getattr(error, field) if error else None
               for field in ("measured_to_model_p10", "measured_to_model_median", "measured_to_model_p90",
                             "tpot_measured_to_model_median", "ttft_measured_to_model_median")}}


def _calibration_coverage(gpu_id: str, model) -> dict:
    """Whether the calibration rows hold a run on this GPU, and of this model's family: where not, the recorded
    figures are in-sample and the hold-outs are the guide (docs/throughput.md)."""
    from tco.engine.throughput.regimes import seen_by_the_fit

    gpu_seen, family_seen = seen_by_the_fit(gpu_id, model.id)
    return {"gpu_in_calibration": gpu_seen, "model_family_in_calibration": family_seen}


CALIBRATE_AT_A_RATE = ("an offered request rate is answered by the physical model alone (no published row is at a rate): "
                       "not with --calibrate")


CALIBRATE_MODEL_ONLY = ("scales the model to published measurements, which --model-only ignores: give one or the other, "
                        "not both")


REQUEST_LATENCY_RANGE = "must be a number of milliseconds from 0 to 60,000"


def parse_request_latency_ms(given: str | float) -> float | None:
    """A request latency in ms (a CSV cell or the flag's number), or None where it is not one in REQUEST_LATENCY_RANGE
    (a -0 is 0: it is written back to files and JSON)."""
    try:
        value = float(given)
    except ValueError:
        return None
    return (0.0 if value == 0.0 else value) if 0.0 <= value <= 60_000.0 else None


def _request_rate_problem(rate: float, concurrency, ttft_ms, tpot_ms) -> str | None:
    """Why a request rate cannot be asked as given, or None: an offered rate sets the load itself."""
    if not rate > 0 or rate == float("inf"):
        return f"must be a positive number of requests per second (got {rate!r})"
    if concurrency is not None or ttft_ms is not None or tpot_ms is not None:
        return "an offered request rate sets the load: give it without a concurrency or latency targets"
    return None


PREFILL_SIDE = ("prefill_tp", "prefill_ep", "prefill_attention_dp")
"""Columns that describe the prefill workers of a disaggregated replica."""


def _implied_disaggregated(item: dict) -> bool:
    """`disaggregated` where it was not given: true when a side's GPUs or the prefill workers are given (they describe
    nothing else)."""
    return bool(item.get("prefill_gpus") or item.get("decode_gpus")) or any(item.get(c) is not None for c in PREFILL_SIDE)


def _pool_problem(item: dict) -> tuple[str, str] | None:
    """(field, message) when the prefill / decode GPU counts cannot describe the replica, or None."""
    prefill, decode, gpus = item.get("prefill_gpus"), item.get("decode_gpus"), item["gpus"]
    workers = next((c for c in PREFILL_SIDE if item.get(c) is not None), None)
    if workers and item["disaggregated"] is False:
        return workers, "describes the prefill workers of a disaggregated replica: set disaggregated to true or auto (got false)"
    if item.get("prefill_tp") and item["prefill_tp"] >= gpus:
        return "prefill_tp", f"must be fewer than the replica's {gpus} GPUs (the decode side needs at least one; got {item['prefill_tp']})"
    prefill_side = prefill or (gpus - decode if decode and decode < gpus else None)
    if item.get("prefill_tp") and prefill_side and prefill_side % item["prefill_tp"]:
        return "prefill_tp", f"must divide the prefill side's {prefill_side} GPUs into workers (got {item['prefill_tp']})"
    if not (prefill or decode):
        return None
    if item["disaggregated"] is False:
        field = "prefill_gpus" if prefill else "decode_gpus"
        return field, "prefill and decode GPUs describe a disaggregated replica: set disaggregated to true or auto (got false)"
    for field, value in (("prefill_gpus", prefill), ("decode_gpus", decode)):
        if value and value >= gpus:
            return field, f"must be fewer than the replica's {gpus} GPUs (the other side needs at least one; got {value})"
    if prefill and decode and prefill + decode != gpus:
        return "decode_gpus", f"prefill_gpus + decode_gpus = {prefill} + {decode} = {prefill + decode}, not the replica's {gpus} GPUs"
    return None


def _speculation_problem(item: dict, method_field: str = "spec_method") -> tuple[str, str] | None:
    """(field, message) when an acceptance length or a draft count is given without a speculative decoding method, or
    None (a scenario's option refuses both alike).

    Why refuse: with spec_method none nothing is drafted, so the figure was dropped without a word and the result
    answered another question than the one asked."""
    if (item.get("spec_method") or "none") != "none":
        return None
    for field, what in (("acceptance_length", "the acceptance length"), ("draft_tokens", "the draft tokens")):
        if item.get(field) is not None:
            return field, (f"needs a speculative decoding method: give {method_field} mtp, eagle or draft-model "
                           f"(got {item.get('spec_method') or 'none'}), or leave {what} out")
    return None


def _prefill_gpus(item: dict) -> int | None:
    """The prefill side's GPUs from prefill_gpus, or from decode_gpus (gpus - decode)."""
    if item.get("prefill_gpus"):
        return item["prefill_gpus"]
    if item.get("decode_gpus"):
        return item["gpus"] - item["decode_gpus"]
    return None


def read_batch(path_text: str, catalog) -> list[dict]:
    """Rows of a --batch CSV as configuration dicts; every bad cell is reported as `file:line: column: message`."""
    from pathlib import Path

    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean, read_text

    path = Path(path_text)
    text = read_text(path, path_text, kind="CSV")
    records, problems = _csv_records(text, path_text)
    if problems:
        raise TcoUserError(problems)
    layout = f"a header line ({','.join(REQUIRED_BATCH_COLUMNS)}, ...) then one row per configuration"
    if not records:
        raise TcoUserError(DataProblem(path_text, None, "", "no configuration: the file is empty", hint=layout))
    header_line, header = records[0]
    header = [h.strip().lower() for h in header]  # `Model,GPU` as a spreadsheet capitalizes them (cells take any case too)
    for column in header:
        if column == "":
            problems.append(DataProblem(path_text, header_line, "", "a column without a name",
                                        hint="a comma at the end of the header, or two in a row: remove it"))
        elif column not in BATCH_COLUMNS:
            separator = next((name for sep, name in (("\t", "tabs"), (";", "semicolons")) if sep in column), None)
            hint = f"columns are separated by commas; this header uses {separator}" if separator else did_you_mean(column, BATCH_COLUMNS)
            problems.append(DataProblem(path_text, header_line, column, "unknown column", hint=hint))
    for column in dict.fromkeys(c for c in header if header.count(c) > 1):
        places = [str(i + 1) for i, c in enumerate(header) if c == column]
        problems.append(DataProblem(path_text, header_line, column, f"column appears {len(places)} times (columns {', '.join(places)})",
                                    hint="keep one: which of the values would count is not clear"))
    for column in REQUIRED_BATCH_COLUMNS:
        if column not in header:
            problems.append(DataProblem(path_text, header_line, column, "required column is missing"))
    if problems:
        raise TcoUserError(problems)
    if len(records) == 1:  # nothing to compute is a mistake, not an empty answer (exit 0 read as success by a script)
        raise TcoUserError(DataProblem(path_text, header_line, "", "no row under the header", hint=layout))
    items = []
    for line, cells in records[1:]:
        if len(cells) > len(header):
            problems.append(DataProblem(path_text, line, "", f"more cells than the {len(header)} columns of the header"))
            continue
        item, row_problems = _parse_row({k: v.strip() for k, v in zip(header, cells)}, path_text, line)
        problems += row_problems
        if not row_problems:
            problems += _resolve_ids(catalog, item, path_text, line, raise_now=False)
        items.append(item)
    if problems:
        raise TcoUserError(problems)
    return items


def _csv_records(text: str, name: str) -> tuple[list[tuple[int, list[str]]], list]:
    """The records of a CSV text that hold a value, each with the line it starts on; or the problem that stops the reading.

    Why not csv.DictReader as it comes: it lets a duplicate column overwrite the other, and without `strict` a quote
    left open swallows every later line into one cell, reported as empty cells of the wrong line. A record may not
    run over several lines either: no batch value holds a line break, so that is a quote closed too late.
    """
    import csv

    from tco.errors import DataProblem

    reader = csv.reader(text.splitlines(), strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return records, []
        except csv.Error as e:
            if reader.line_num > start or str(e) == "unexpected end of data":
                return records, [DataProblem(name, start, "", "a quoted value starts on this line and its quote is not closed",
                                             hint='close the quote, or write a quote inside a quoted value as ""')]
            return records, [DataProblem(name, start, "", f"is not valid CSV: {e}")]
        if reader.line_num > start:
            return records, [DataProblem(name, start, "", f"a quoted value runs from this line to line {reader.line_num}: "
                                                          "a quote is not closed where it should be",
                                         hint="no batch value holds a line break")]
        if any(cell.strip() for cell in cells):  # a blank line, or a row of empty cells (`,,,,` a spreadsheet writes)
            records.append((start, cells))


_INTEGER = ("gpus", "input_tokens", "output_tokens", "tp", "pp", "ep", "prefill_gpus", "decode_gpus", "draft_tokens", "max_batch", "step_tokens",
            "prefill_tp", "prefill_ep")
_NUMBER = ("ttft_ms", "tpot_ms")
_CHOICES = {"precision": PRECISIONS, "kv_precision": KV_PRECISIONS, "engine": ENGINES, "runtime": RUNTIMES, "spec_method": SPEC_METHODS,
            "percentile": PERCENTILES}
_TRI_STATE = ("attention_dp", "disaggregated", "prefill_attention_dp")
_DEFAULTS = {"disaggregated": False}
"""Empty cells that do not mean None (auto): a missing `disaggregated` is false, as without the column (true where
prefill_gpus or decode_gpus is given: `_implied_disaggregated`)."""


@lru_cache(maxsize=1)
def _scenario_upper_bounds() -> dict[str, int]:
    """The largest max_batch and step_tokens a scenario's self-hosted option allows: one bound whether the figure comes
    from a scenario, a flag or a --batch cell. Why: 10^30 sequences ran as if no limit were given, echoed as max_batch."""
    from annotated_types import Le

    from tco.model.scenario import SelfHostedOption

    bounds = {}
    for column in ("max_batch", "step_tokens"):  # the others' limits are the engine's, said as a row it cannot run
        field = SelfHostedOption.model_fields.get(column)
        for rule in field.metadata if field is not None else ():
            if isinstance(rule, Le):
                bounds[column] = int(rule.le)
    return bounds


def _parse_row(raw: dict, name: str, line: int | None, method_field: str = "spec_method") -> tuple[dict, list]:
    """A --batch row's cells (or a single call's flags as cells: `_flag_cells`) as a configuration dict, and every
    problem with them, each named by its column. `method_field`: how the speculative decoding method is named to the
    user."""
    from tco.engine.throughput.config import MAX_ACCEPTANCE_LENGTH, runtime_problem
    from tco.errors import DataProblem

    item: dict = {}
    problems = []
    for column in BATCH_COLUMNS:
        text = raw.get(column, "")
        if text == "":
            if column in REQUIRED_BATCH_COLUMNS:
                problems.append(DataProblem(name, line, column, "required value is empty"))
            item[column] = _DEFAULTS.get(column)
            continue
        if column in _TRI_STATE:
            if text.lower() not in TRI_STATE:
                problems.append(DataProblem(name, line, column, f"must be true, false or auto (got {text!r})"))
            else:
                item[column] = TRI_STATE[text.lower()]
            continue
        if column == "acceptance_length":
            try:
                value = float(text)
                if not 1.0 <= value <= MAX_ACCEPTANCE_LENGTH:
                    raise ValueError
                item[column] = value
            except ValueError:
                problems.append(DataProblem(name, line, column, f"must be a number of tokens per step between 1 and "
                                                                f"{MAX_ACCEPTANCE_LENGTH:g} (got {text!r})"))
            continue
        if column == "request_rate":
            try:
                item[column] = float(text)
            except ValueError:
                problems.append(DataProblem(name, line, column, f"must be a positive number of requests per second (got {text!r})"))
            continue
        if column == "request_latency_ms":
            value = parse_request_latency_ms(text)
            if value is None:
                problems.append(DataProblem(name, line, column, f"{REQUEST_LATENCY_RANGE} (got {text!r})"))
            else:
                item[column] = value
            continue
        if column == "prefix_hit_rate":
            try:
                value = float(text)
                if not 0.0 <= value < 1.0:
                    raise ValueError
                item[column] = value
            except ValueError:
                problems.append(DataProblem(name, line, column, f"must be a share at least 0 and below 1 (got {text!r})"))
            continue
        if column in _INTEGER:
            try:
                value = int(text)
                if value < 1:
                    raise ValueError
            except ValueError:
                problems.append(DataProblem(name, line, column, f"must be a whole number of at least 1 (got {text!r})"))
                continue
            upper = _scenario_upper_bounds().get(column)
            if upper is not None and value > upper:
                problems.append(DataProblem(name, line, column,
                                            f"must be a whole number from 1 to {upper:,}, as in a scenario (got {_short(text)})"))
            else:
                item[column] = value
        elif column in _NUMBER:
            try:
                value = float(text)
                if not value > 0 or value == float("inf"):
                    raise ValueError
                item[column] = value
            except ValueError:
                problems.append(DataProblem(name, line, column, f"must be a positive number of milliseconds (got {text!r})"))
        elif column == "concurrency":
            value = _concurrency(text)
            if isinstance(value, str):
                problems.append(DataProblem(name, line, column, value))
            else:
                item[column] = value
        elif column in _CHOICES:
            text = canonical_choice(column, text)
            if text not in _CHOICES[column]:
                problems.append(DataProblem(name, line, column, f"must be one of {', '.join(_CHOICES[column])} (got {text!r})"))
            item[column] = text
        else:
            item[column] = text
    if not problems:
        if raw.get("disaggregated", "") == "":
            item["disaggregated"] = _implied_disaggregated(item)
        pools = _pool_problem(item) or _speculation_problem(item, method_field)
        if pools:
            problems.append(DataProblem(name, line, *pools))
        runtime = runtime_problem(item.get("engine") or "trtllm", item.get("runtime") or "python")
        if runtime:
            problems.append(DataProblem(name, line, "runtime", runtime))
    if item.get("request_rate") is not None:
        problem = _request_rate_problem(item["request_rate"], item.get("concurrency"), item.get("ttft_ms"), item.get("tpot_ms"))
        if problem:
            problems.append(DataProblem(name, line, "request_rate", problem))
    return item, problems


def _concurrency(text) -> int | None | str:
    """An int, None for `max`/empty, or the error message."""
    from tco.engine.throughput.config import MAX_CONCURRENCY

    if text is None or str(text).strip().lower() in ("", "max"):
        return None
    try:
        value = int(str(text))
    except ValueError:
        return f"must be a whole number or `max` (got {_short(text)!r})"
    return value if 1 <= value <= MAX_CONCURRENCY else f"must be between 1 and {MAX_CONCURRENCY:,} requests in flight, or `max` (got {_short(text)})"


def _short(text) -> str:
    """A cell as a message quotes it: the first and last digits of a very long one."""
    text = str(text)
    return text if len(text) <= 24 else f"{text[:10]}...{text[-10:]} ({len(text):,} characters)"


def _resolve_ids(catalog, item: dict, name: str, line, raise_now: bool = True) -> list:
    """The row's model and GPU as catalog ids (`catalog_names.catalog_id`: an id, a name or an alias such as `H100 SXM`,
    `DeepSeek-R1-0528`, `meta-llama/Llama-3.1-70B-Instruct`), or the problems with them."""
    from tco.errors import TcoUserError
    from tco.load.catalog_names import catalog_id

    problems = []
    for field, records, what, listing in (("model", catalog.models, "model", "tco models list"),
                                          ("gpu", catalog.gpus, "GPU", "tco hardware list")):
        found, problem = catalog_id(records, item[field], what, name, line, field, listing)
        if problem:
            problems.append(problem)
        else:
            item[field] = found
    if problems and raise_now:
        raise TcoUserError(problems)
    return problems


def _show(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
