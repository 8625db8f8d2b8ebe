"""`tco bench NAME`: benchmarks of the calculator itself (accuracy of the throughput model, speed).

To add one: write `def run_NAME(args) -> int` in a module of `tco/bench/` and add a line to
BENCHMARKS; options every benchmark gets are added here.
"""

from __future__ import annotations

import argparse

from tco.commands._common import add_format
from tco.commands.hardware import add_hardware_dir

BENCHMARKS: dict[str, tuple[str, str]] = {
    "accuracy": ("median and P90 error of the throughput model against published measurements",
                 "tco.bench.accuracy:run_benchmark"),
    "engine": ("engine speed: 1M-row sweep, 10,000 Monte Carlo draws, tco run, tco --help", "tco.bench.engine:run_benchmark"),
    "throughput": ("seconds of `tco throughput --batch` on 1,000 configurations (every model and GPU id)",
                   "tco.bench.throughput_speed:run_benchmark"),
}
"""Benchmark name -> (help text, `module:function` taking the parsed args and returning an exit code)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks: throughput-model accuracy, engine speed",
                                   description="Benchmarks of llm-tco itself; results go to stdout.")
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    for name, (help_text, target) in BENCHMARKS.items():
        one = sub.add_parser(name, help=help_text, description=help_text)
        add_format(one, ("table", "csv", "json"))
        add_hardware_dir(one)
        for flags, options in EXTRA_ARGUMENTS.get(name, ()):
            one.add_argument(*flags, **options)
        one.set_defaults(func=run, bench_target=target)


def run(args: argparse.Namespace) -> int:
    import importlib

    module_name, function = args.bench_target.split(":")
    return int(getattr(importlib.import_module(module_name), function)(args) or 0)

BENCHMARKS["export"] = ("finance workbook: seconds to export 100 scenarios (copies of the bundled examples; --scenarios 30 for issue 17's budget of 10 s)", "tco.bench.workbook:run_benchmark")
BENCHMARKS["decode"] = ("the model's decode step at the batch each disaggregated InferenceX row really decoded: a step too fast, or a queue",
                        "tco.bench.decode_at_measured_batch:run_benchmark")
BENCHMARKS["sweep"] = ("seconds of a sweep of 8,000 volumes on one bundled file divided by one `tco run` of it (target <= 3)",
                       "tco.bench.sweep_speed:run_benchmark")

EXTRA_ARGUMENTS: dict[str, tuple[tuple[tuple[str, ...], dict], ...]] = {
    "accuracy": ((("--table",), {"action": "append", "metavar": "CSV",
                                 "help": "score the model on this published table's rows alone (the layout of calibration/measurements.csv "
                                         "or of an InferenceX table; repeatable), not on the bundled ones"}),
                 (("--rows",), {"action": "store_true",
                                "help": "one line per measurement instead of the medians: measured and model throughput, "
                                        "TPOT and TTFT side by side, with the error each scores"}),
                 (("--finite-runs",), {"action": "store_true",
                                       "help": "score an offline run that states its request count as that many requests "
                                               "queued at once (the waves of a finite run), not as the steady state; not the "
                                               "default (docs/throughput.md)"}),
                 (("--source",), {"action": "append", "metavar": "NAME",
                                  "help": "score only the rows of this source (the start of its name: trtllm, trtllm-v1.0, "
                                          "inferencex, user for imported runs; repeatable)"}),
                 (("--steady-state",), {"action": "store_true",
                                        "help": "score every run at its steady state: a closed-loop run's burst and drain (InferenceX's "
                                                "10 x C requests; a team's whole runs) and a rate run's end left out, as "
                                                "scored before 2026-12-06"})),
    "export": ((("--scenarios",), {"type": int, "metavar": "N", "help": "how many scenarios the workbook holds (default 100)"}),),
    "decode": ((("--min-concurrency",), {"type": int, "default": 65, "metavar": "C",
                                          "help": "only rows with at least C requests in flight (default 65)"}),
               (("--rows",), {"action": "store_true",
                              "help": "one line per row (requests and measured decoding per decode attention group) instead of the medians"}),
               (("--ttft-by-rate",), {"action": "store_true",
                                      "help": "measured against modelled TTFT of the rows whose prefill side is under 30 %% busy, per "
                                              "engine and band of completions per second, rows whose TTFT is a queue counted apart "
                                              "(with --min-concurrency 1 for every row)"})),
    "sweep": ((("--file",), {"metavar": "FILE", "help": "scenario file to sweep (default: the bundled customer-support.yaml)"}),
              (("--volumes",), {"type": int, "metavar": "N", "help": "how many volumes the sweep varies (default 8,000)"}),
              (("--repeats",), {"type": int, "metavar": "N", "help": "runs of each command; the median is used (default 3)"})),
}
"""Benchmark name -> its own options, as (flags, argparse keyword arguments)."""
