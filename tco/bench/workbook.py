"""`tco bench export`: how long the finance workbook takes for a batch of scenarios.

Why a batch of copies of the bundled examples: real scenarios, every option kind, and a size
(100 scenarios by default) that shows whether a portfolio review fits in one workbook quickly.
CPU seconds are shown next to wall-clock ones: on a busy machine the two differ.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from pathlib import Path

DEFAULT_SCENARIOS = 100
FORMULA_TAG = re.compile(rb"<f[ >/]")
"""A formula cell's <f>: its own text, or one of a shared formula's cells (`<f t="shared" .../>`)."""


def batch_of_scenarios(count: int):
    """`count` scenarios: the bundled examples repeated, each copy with its own id."""
    from tco.load.scenarios import load_scenario_files
    from tco.run import example_files

    base = load_scenario_files(example_files()).scenarios
    return [base[i % len(base)].model_copy(update={"id": f"{base[i % len(base)].id}-{i + 1:03d}"}) for i in range(count)]


def run_benchmark(args) -> int:
    from tco.report.table import print_rows
    from tco.export.excel import export_workbook
    from tco.run import run_scenarios

    count = int(getattr(args, "scenarios", None) or DEFAULT_SCENARIOS)
    scenarios = batch_of_scenarios(count)
    started = time.perf_counter()
    run = run_scenarios(scenarios, today=dt.date.today())
    results = run.results
    engine_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started, cpu = time.perf_counter(), time.process_time()
        export_workbook(run, path)
        export_s, export_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        size = path.stat().st_size
        import zipfile

        with zipfile.ZipFile(path) as z:
            formulas = sum(len(FORMULA_TAG.findall(z.read(n))) for n in z.namelist() if n.startswith("xl/worksheets/"))
    print_rows([{
        "scenarios": count, "options": results.options.height, "formula_cells": formulas,
        "engine_s": round(engine_s, 2), "export_s": round(export_s, 2), "export_cpu_s": round(export_cpu_s, 2), "workbook_mb": round(size / 1e6, 2),
    }], getattr(args, "format", "table"))
    return 0
