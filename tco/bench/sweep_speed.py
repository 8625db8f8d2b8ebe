"""`tco bench sweep`: a sweep of 8,000 volumes costs at most about three times one `tco run` of the same file.

Why a ratio and not seconds: the machine (and how busy it is) sets the seconds; the ratio says
whether the sweep parses and validates the file once and evaluates the grid with the vectorized
engine (a ratio near 1) or redoes the whole run per value (a ratio in the thousands). Both commands
run as subprocesses, so start-up, loading and writing the output count, as a user waits for them.
Each command runs `--repeats` times (default 3) and the median is used: one slow run on a shared
machine should not decide the figure.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

VOLUMES = 8_000
TARGET_RATIO = 3.0
DEFAULT_FILE = "customer-support.yaml"
"""The bundled example swept: API and self-hosted options, a growing volume."""
DEFAULT_REPEATS = 3


def volumes(count: int = VOLUMES) -> list[int]:
    """`count` request volumes per day, 100 apart from 100 up: every one a valid `workload.requests_per_day`."""
    return [100 * (i + 1) for i in range(count)]


def measure(file: Path, count: int = VOLUMES, repeats: int = DEFAULT_REPEATS) -> list[dict]:
    from tco.bench.engine import command_seconds

    vary = "workload.requests_per_day=" + ",".join(str(v) for v in volumes(count))
    run_s, sweep_s = [], []
    rows = None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sweep.csv"
        for _ in range(repeats):
            elapsed, done = command_seconds(["run", str(file), "--format", "json", "--no-breakeven"])
            if done.returncode != 0:
                return [_failed("tco run", done)]
            run_s.append(elapsed)
            elapsed, done = command_seconds(["sweep", str(file), "--vary", vary, "--format", "csv", "--output", str(out),
                                             "--progress", "never"])
            if done.returncode != 0:
                return [_failed("tco sweep", done)]
            sweep_s.append(elapsed)
            rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
    run_median, sweep_median = statistics.median(run_s), statistics.median(sweep_s)
    ratio = sweep_median / run_median
    return [
        {"measure": f"tco run {file.name} (subprocess, median of {repeats})", "seconds": run_median, "rows": None,
         "target": "", "met": None},
        {"measure": f"tco sweep {file.name}, {count:,} volumes (subprocess, median of {repeats})", "seconds": sweep_median,
         "rows": rows, "target": "", "met": None},
        {"measure": "sweep seconds / run seconds", "seconds": None, "rows": None, "ratio": ratio,
         "target": f"<= {TARGET_RATIO:g}", "met": ratio <= TARGET_RATIO},
    ]


def _failed(what: str, done) -> dict:
    return {"measure": what, "seconds": None, "rows": None, "ratio": None,
            "target": f"exit {done.returncode}: {done.stderr.strip()[:200]}", "met": False}


def run_benchmark(args) -> int:
    from tco.report.table import print_rows
    from tco.run import example_files

    file = Path(getattr(args, "file", None) or next(f for f in example_files() if f.name == DEFAULT_FILE))
    rows = measure(file, int(getattr(args, "volumes", None) or VOLUMES), int(getattr(args, "repeats", None) or DEFAULT_REPEATS))
    shown = [{"measure": r["measure"], "seconds": None if r["seconds"] is None else round(r["seconds"], 3),
              "rows": r["rows"], "ratio": None if r.get("ratio") is None else round(r["ratio"], 2),
              "target": r["target"], "met": r["met"]} for r in rows]
    print_rows(shown, getattr(args, "format", "table"), ("measure", "seconds", "rows", "ratio", "target", "met"))
    return 0
