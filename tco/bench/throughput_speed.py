"""`tco bench throughput`: how long `tco throughput --batch` takes on 1,000 configurations.

Why a subprocess: the figure users feel is the whole command (start-up, catalog, CSV, model, JSON),
not the model's inner loop. The rows cycle through every model and GPU id of the catalog, so the
figure also shows that every pair answers (a result, or a row that says why it cannot run).
"""

from __future__ import annotations

import csv
import itertools
import json
import tempfile
from pathlib import Path

BATCH_ROWS = 1_000
TARGET_S = 2.0
SHAPES = ((1000, 1000), (128, 2048), (2048, 128), (500, 2000), (5000, 500))
"""Request lengths (input, output tokens) the rows cycle through."""
GPU_COUNTS = (1, 2, 4, 8)


def batch_rows(model_ids, gpu_ids, rows: int = BATCH_ROWS) -> list[dict]:
    """`rows` configurations cycling through every (model, GPU) pair, GPU counts and request shapes."""
    pairs = itertools.cycle(itertools.product(sorted(model_ids), sorted(gpu_ids)))
    out = []
    for i in range(rows):
        model, gpu = next(pairs)
        input_tokens, output_tokens = SHAPES[i % len(SHAPES)]
        out.append({"model": model, "gpu": gpu, "gpus": GPU_COUNTS[i % len(GPU_COUNTS)], "precision": "fp8",
                    "input_tokens": input_tokens, "output_tokens": output_tokens})
    return out


def measure(args, rows: int = BATCH_ROWS) -> list[dict]:
    from tco.bench.engine import command_seconds
    from tco.load.hardware import load_hardware

    catalog = load_hardware(extra_dirs=[Path(d) for d in args.hardware_dir])
    configs = batch_rows(catalog.models, catalog.gpus, rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "configs.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(configs[0]))
            writer.writeheader()
            writer.writerows(configs)
        extra = [a for d in getattr(args, "hardware_dir", []) for a in ("--hardware-dir", d)]
        elapsed, done = command_seconds(["throughput", "--batch", str(path), "--format", "json", *extra])
    if done.returncode != 0:
        return [{"measure": f"tco throughput --batch, {rows:,} rows (subprocess)", "seconds": elapsed,
                 "rate": f"exit {done.returncode}: {done.stderr.strip()[:200]}", "target": f"< {TARGET_S:g} s", "met": False}]
    results = json.loads(done.stdout)
    runnable = sum(1 for r in results if r["runnable"])
    pairs = len(catalog.models) * len(catalog.gpus)
    return [{"measure": f"tco throughput --batch, {len(results):,} rows (subprocess): {runnable:,} run, "
                        f"{len(results) - runnable:,} say why not; {pairs} model x GPU pairs",
             "seconds": elapsed, "rate": f"{len(results) / elapsed:,.0f} rows/s", "target": f"< {TARGET_S:g} s",
             "met": elapsed < TARGET_S and len(results) == rows}]


def run_benchmark(args) -> int:
    from tco.report.table import print_rows

    rows = measure(args)
    shown = [{**r, "seconds": round(r["seconds"], 3)} for r in rows]
    print_rows(shown, getattr(args, "format", "table"), ("measure", "seconds", "rate", "target", "met"))
    return 0
