"""`tco bench engine`: how fast the engine and the command line are, measured here and now.

Why a command and not a timed test: speed depends on the machine; the numbers are for people to
read and compare, not for a test to fail on a busy CI runner.
"""

from __future__ import annotations

import subprocess
import sys
import time

SWEEP_ROWS = 1_000_000
MONTE_CARLO_DRAWS = 10_000
HEAVY_MODULES = ("textual", "openpyxl", "polars")


def _seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def sweep_rate(results, rows_wanted: int = SWEEP_ROWS) -> tuple[int, float]:
    """Evaluate every option of the results over a volume grid of about `rows_wanted` rows."""
    from tco.engine.sweep import Axis, InputTarget, sweep_rows

    rows = results.rows
    points = max(1, rows_wanted // len(rows))
    volumes = tuple(100.0 + 10.0 * i for i in range(points))
    axis = Axis("requests_per_day", volumes, (InputTarget(tuple(r.row for r in rows), "requests_per_day"),))
    elapsed, frame = _seconds(lambda: sweep_rows(rows, [axis]))
    return frame.height, elapsed


def command_seconds(argv: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """Wall-clock seconds of `python -m tco ARGV` in a fresh process (what a user waits for), and its result."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tco", *argv], capture_output=True, text=True)
    return time.perf_counter() - start, done


def measure(sweep_rows_wanted: int = SWEEP_ROWS, draws: int = MONTE_CARLO_DRAWS) -> list[dict]:
    from tco.engine.uncertainty import monte_carlo
    from tco.run import example_files, run_scenarios

    results = run_scenarios(example_files(), with_breakeven=False).results
    out = []
    n, elapsed = sweep_rate(results, sweep_rows_wanted)
    out.append({"measure": f"sweep: {n:,} rows (grid point x option, vectorized)", "seconds": elapsed,
                "rate": f"{n / elapsed:,.0f} evaluations/s", "target": ">= 1,000,000/s", "met": n / elapsed >= 1_000_000})
    scenario = results.rows[0].scenario_id
    options = sum(1 for r in results.rows if r.scenario_id == scenario)
    elapsed, _ = _seconds(lambda: monte_carlo(results, scenario, draws=draws, seed=0))
    out.append({"measure": f"Monte Carlo: {draws:,} draws x {options} options of {scenario}", "seconds": elapsed,
                "rate": f"{draws * options / elapsed:,.0f} evaluations/s", "target": "< 0.2 s", "met": elapsed < 0.2})
    elapsed, done = command_seconds(["run", "--format", "json"])
    out.append({"measure": f"tco run on the {len(example_files())} bundled examples (subprocess)", "seconds": elapsed,
                "rate": "" if done.returncode == 0 else f"exit {done.returncode}", "target": "< 1 s", "met": elapsed < 1.0 and done.returncode == 0})
    elapsed, done = command_seconds(["--help"])
    out.append({"measure": "tco --help (subprocess)", "seconds": elapsed, "rate": "", "target": "< 0.3 s",
                "met": elapsed < 0.3 and done.returncode == 0})
    heavy = heavy_imports_of_help()
    out.append({"measure": "modules imported by tco --help", "seconds": None,
                "rate": ", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY_MODULES),
                "target": "none of " + ", ".join(HEAVY_MODULES), "met": not heavy})
    return out


def heavy_imports_of_help() -> list[str]:
    """Top-level heavy packages that `python -X importtime -m tco --help` imports."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tco", "--help"], capture_output=True, text=True)
    imported = set()
    for line in done.stderr.splitlines():
        if "|" in line:
            imported.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return [m for m in HEAVY_MODULES if m in imported]


def run_benchmark(args) -> int:
    from tco.report.table import print_rows

    rows = measure()
    shown = [{**r, "seconds": None if r["seconds"] is None else round(r["seconds"], 3)} for r in rows]
    print_rows(shown, getattr(args, "format", "table"), ("measure", "seconds", "rate", "target", "met"))
    return 0
