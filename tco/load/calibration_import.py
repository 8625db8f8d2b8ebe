"""Convert a table in the layout of the shared calibration/measurements.csv (published serving throughput, one row per
model, precision, GPU, GPU count and request lengths) into measurement YAML for a hardware folder.

    python -m tco.load.calibration_import TABLE.csv --target DIR/measurements/NAME.yaml [--prefix NAME]
    tco bench accuracy --hardware-dir DIR

Why: the throughput model is judged on published measurements it was not fitted on. A new table in the same
layout (a later TensorRT-LLM perf overview, other vendors' tables) becomes records the accuracy report scores
beside the bundled ones, with every figure traced to its row.

Decisions:
- `output_tokens_per_s` is the whole deployment's: `throughput_scope` `system` is taken as it is, `per_gpu` is
  multiplied by `num_gpus`; any other scope stops with the row's line.
- GPU and model cells resolve through the catalog's ids, names and aliases; an engine label through the engine
  it names (`tco.load.catalog_names`). TensorRT-LLM rows whose engine version says "TensorRT engine" or is
  below 1.0 ran the C++ runtime (`runtime: cpp`), others the Python one.
- Lengths must be `fixed` (the layout's only kind so far); means are kept as published (`mean_ttft_ms` ...).
- Rows without an output figure are left out (a total would have to be split: our estimate, not a measurement).
- `num_requests` becomes `successful_requests` (`tco bench accuracy --finite-runs` scores the run as that many requests
  queued at once).
- Ids are `PREFIX:row id`; `tco bench accuracy` reports each prefix as a source of its own.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tco.errors import DataProblem, TcoUserError
from tco.files import write_atomic
from tco.load.catalog_names import name_maps, resolve_ids
from tco.load.yaml_source import problems_from_validation
from tco.model.hardware import ThroughputMeasurement

HEADER = """# yaml-language-server: $schema=../schema/hardware.schema.json
# Published serving measurements converted by `python -m tco.load.calibration_import` from {csv}
# (the layout of the shared calibration/measurements.csv). output_tokens_per_s = generated tokens per second of the
# whole deployment (system scope as published, per-GPU figures x num_gpus). Nothing here is estimated; rows without
# an output figure are left out.
"""
SCOPES = ("system", "per_gpu")
"""throughput_scope: the whole deployment's figure, or one GPU's (multiplied by num_gpus)."""


def _number(row: dict[str, str], column: str) -> float | None:
    text = (row.get(column) or "").strip()
    return float(text) if text else None


def runtime_of(engine: str, version: str) -> str:
    """`cpp` for TensorRT-LLM's TensorRT engine flow (its default before 1.0), `python` otherwise."""
    if engine != "trtllm":
        return "python"
    number = re.match(r"\s*v?(\d+)\.(\d+)", version)
    return "cpp" if "tensorrt engine" in version.lower() or (number is not None and int(number.group(1)) < 1) else "python"


def _record(row: dict[str, str], line: int, file_name: str, names: dict, prefix: str, as_of: str | None,
            skipped: list | None = None) -> dict[str, Any] | None:
    def stop(column: str, message: str) -> TcoUserError:
        return TcoUserError(DataProblem(file_name, line, column, message))

    try:
        published = _number(row, "output_tokens_per_s")
        numbers = {c: _number(row, c) for c in ("mean_ttft_ms", "mean_tpot_ms", "p99_ttft_ms", "p99_tpot_ms", "concurrency",
                                                "num_requests")}
    except ValueError as e:
        raise stop("output_tokens_per_s", f"not a number ({e})") from None
    if published is None:
        return None
    ids = resolve_ids(row, names, (file_name, line), skipped=skipped)
    if ids is None:
        return None
    for column in ("input_len_kind", "output_len_kind"):
        if (row.get(column) or "fixed") != "fixed":
            raise stop(column, f"only fixed lengths are read (got `{row[column]}`)")
    scope = row.get("throughput_scope") or "system"
    if scope not in SCOPES:
        raise stop("throughput_scope", f"must be one of {', '.join(SCOPES)} (got `{scope}`)")
    try:
        num_gpus = int(row["num_gpus"])
        pp = int(row.get("pp") or 1)
        tp = int(row.get("tp") or max(num_gpus // pp, 1))
        ep = int(row["ep"]) if row.get("ep") else None
        lengths = int(row["input_len"]), int(row["output_len"])
    except (KeyError, ValueError) as e:
        raise stop("num_gpus / tp / pp / ep / input_len / output_len", f"must be whole numbers ({e})") from None
    version = row.get("engine_version") or ""
    record: dict[str, Any] = {"id": f"{prefix}:{row['id']}", "model": ids["model"], "gpu": ids["gpu"], "num_gpus": num_gpus,
                              "tp": tp, "pp": pp}
    if ep is not None:
        record["ep"] = ep
    record.update(precision=row.get("precision"), engine=ids["engine"])
    if row.get("kv_cache_precision"):
        record["kv_cache_precision"] = row["kv_cache_precision"]
    if version:
        record["engine_version"] = version
    record.update(runtime=runtime_of(ids["engine"], version), scenario=row.get("scenario") or "offline_max_throughput",
                  input_tokens=lengths[0], output_tokens=lengths[1])
    if numbers["concurrency"] is not None:
        record["concurrency"] = int(numbers["concurrency"])
    record["output_tokens_per_s"] = published * (num_gpus if scope == "per_gpu" else 1)
    if numbers["num_requests"] is not None:
        record["successful_requests"] = int(numbers["num_requests"])
    for field, column in (("ttft_ms", "mean_ttft_ms"), ("tpot_ms", "mean_tpot_ms"), ("ttft_p99_ms", "p99_ttft_ms"),
                          ("tpot_p99_ms", "p99_tpot_ms")):
        if numbers[column] is not None and numbers[column] > 0:
            record[field] = numbers[column]
    date = row.get("measured_date") or as_of
    if not date:
        raise stop("measured_date", "no date: give --as-of YYYY or YYYY-MM-DD (when the figures were read)")
    record.update(source=f"{row.get('source') or file_name}; {row.get('source_version') or ''}".rstrip("; "), as_of=date,
                  note=f"`{row.get('model')}` on `{row.get('gpu')}`, `{row.get('engine')}` as published. {row.get('notes') or ''}".strip())
    try:
        ThroughputMeasurement.model_validate(record)  # fail here, with the table's line, rather than at load time
    except ValidationError as e:
        raise TcoUserError(problems_from_validation(file_name, e, {(): line}, ThroughputMeasurement)) from None
    return record


def build_records(csv_path: Path, catalog, prefix: str, as_of: str | None = None, skipped: list | None = None) -> list[dict[str, Any]]:
    """The table's rows as measurement records, ids `prefix:row id`. With a `skipped` list, a row whose GPU, model or
    engine is unknown is left out and noted there as (line, column, value) instead of stopping the conversion."""
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = name_maps(catalog)
    out = []
    for line, row in enumerate(rows, start=2):
        record = _record(row, line, csv_path.name, names, prefix, as_of, skipped)
        if record is not None:
            out.append(record)
    return out


def render(records: list[dict[str, Any]], csv_name: str) -> str:
    body = {"schema_version": 1, "measurements": records}
    return HEADER.format(csv=csv_name) + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("csv", type=Path)
    parser.add_argument("--target", type=Path, required=True, help="YAML file to write, in DIR/measurements/ of a hardware folder")
    parser.add_argument("--prefix", help="id prefix, reported as the source by tco bench accuracy (default: the table's file name)")
    parser.add_argument("--as-of", help="date the figures were read, for rows without a measured_date")
    args = parser.parse_args(argv)
    from tco.load.catalog import load_catalog

    try:
        records = build_records(args.csv, load_catalog(), args.prefix or args.csv.stem, args.as_of)
    except (TcoUserError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    backup = write_atomic(args.target, render(records, args.csv.name), make_parents=True, inputs=[args.csv])
    print(f"{len(records)} measurements -> {args.target}" + (f" (the previous file kept as {backup})" if backup else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
