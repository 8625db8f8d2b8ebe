"""Convert an InferenceX table in the shared layout (calibration/inferencex-deepseek-r1.csv) into
measurement YAML (by default hardware/measurements/inferencex-deepseek-r1.yaml).

Run it again whenever the shared table changes; it rewrites the file from the csv alone, so the
same csv gives the same bytes (a test checks it):

    python -m tco.load.inferencex_import /work/shared/data/calibration/inferencex-deepseek-r1.csv

Why a converter: 336 rows, each with a run URL, a date and a parallel layout that must travel with
the figures; by hand they would drift from the table.

Decisions (also in hardware/README.md):
- `output_tokens_per_s` is the whole deployment's: the csv gives output tokens/s per GPU, divided by
  TP x PP for aggregated rows and by the decode GPUs for disaggregated ones (README-inferencex.md), so
  it is multiplied back by the same count.
- The three rows with only `total_tokens_per_s` (H0689, H0690, H0692) are left out: splitting a total
  into output and input would be our estimate, not a measurement.
- `ttft_ms` / `tpot_ms` are the published means; the 108 history-capture rows have none, so the
  medians are kept in `ttft_p50_ms` / `tpot_p50_ms` and the means left empty.
- Engines: `engine` is the closest engine the model knows (Dynamo + TensorRT-LLM -> trtllm; SGLang,
  Dynamo + SGLang, SGLang + MoRI -> sglang; AMD ATOM -> vllm, whose defaults the model shares with
  SGLang); the published label stays in `engine_label`. A label not listed is read by the engine it names
  (TensorRT-LLM / TRT-LLM, SGLang, vLLM, ATOM), so other InferenceX tables convert too.
- GPUs and models: the names of this table first, then any catalog GPU or model whose id, name or alias
  is the cell (case and spaces aside): a table of other models or GPUs of the catalog converts as it is.
- Lengths: every request's lengths are uniform in [int(0.8 L), L] (`length_min_ratio` 0.8).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from tco.errors import DataProblem, TcoUserError
from tco.files import write_atomic
from tco.load.catalog_names import name_maps, resolve_ids
from tco.model.hardware import ThroughputMeasurement

GPU_IDS = {"MI355X": "mi355x", "GB300": "gb300", "GB200": "gb200", "H100 SXM": "h100-sxm"}
MODEL_IDS = {"DeepSeek-R1-0528": "deepseek-r1"}
ENGINES = {
    "NVIDIA Dynamo + TensorRT-LLM (disaggregated)": "trtllm",
    "NVIDIA Dynamo + SGLang (disaggregated)": "sglang",
    "SGLang + MoRI (disaggregated)": "sglang",
    "SGLang": "sglang",
    "AMD ATOM": "vllm",
}
LAYOUT = re.compile(r"disaggregated: prefill (\d+) GPUs \(TP(\d+) EP(\d+) dp-attn (true|false), (\d+) workers\), "
                    r"decode (\d+) GPUs \(TP(\d+) EP(\d+) dp-attn (true|false), (\d+) workers\)")
LENGTH_KIND = "uniform in [0.8*ISL, ISL] (random-range-ratio 0.8)"
TARGET = Path(__file__).resolve().parents[2] / "hardware" / "measurements" / "inferencex-deepseek-r1.yaml"
HEADER = """# yaml-language-server: $schema=../schema/hardware.schema.json
# Data from InferenceX (SemiAnalysis), https://github.com/SemiAnalysisAI/InferenceX (attribution required; see
# /work/shared/data/calibration/README-inferencex.md): DeepSeek-R1-0528 online serving points at a fixed number of
# requests in flight, converted by `python -m tco.load.inferencex_import` from the shared
# calibration/inferencex-deepseek-r1.csv. output_tokens_per_s = the whole deployment's generated tokens/s
# (per-GPU figure x TP for aggregated rows, x decode GPUs for disaggregated ones); TTFT/TPOT as published
# (client-side, closed loop, TTFT includes queueing). Nothing here is estimated; rows H0689, H0690, H0692 (total
# tokens/s only) are left out.
"""
OTHER_HEADER = """# yaml-language-server: $schema=../schema/hardware.schema.json
# Data from InferenceX (SemiAnalysis), https://github.com/SemiAnalysisAI/InferenceX (attribution required): online
# serving points at a fixed number of requests in flight, converted by `python -m tco.load.inferencex_import` from
# {csv}. output_tokens_per_s = the whole deployment's generated tokens/s (per-GPU figure x TP for aggregated rows,
# x decode GPUs for disaggregated ones); TTFT/TPOT as published (client-side, closed loop, TTFT includes queueing).
# Nothing here is estimated; rows with only a total tokens/s figure are left out.
"""


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _pool(gpus: str, tp: str, ep: str, adp: str, workers: str) -> dict[str, Any]:
    return {"gpus": int(gpus), "workers": int(workers), "tp": int(tp), "ep": int(ep), "attention_dp": adp == "true"}


def _record(row: dict[str, str], line: int, file_name: str, names: dict[str, dict[str, str]],
            skipped: list | None = None) -> dict[str, Any] | None:
    output_per_gpu = _number(row["output_tokens_per_s"])
    if output_per_gpu is None:
        return None
    ids = resolve_ids(row, names, (file_name, line), ENGINES, skipped)
    if ids is None:
        return None
    if row["input_len_kind"] != LENGTH_KIND:
        raise TcoUserError(DataProblem(file_name, line, "input_len_kind", f"unexpected length distribution `{row['input_len_kind']}`"))
    disaggregated = row["disaggregated"] == "true"
    record: dict[str, Any] = {"id": f"inferencex:{row['id']}", "model": ids["model"], "gpu": ids["gpu"],
                              "num_gpus": int(row["num_gpus"])}
    if disaggregated:
        match = LAYOUT.fullmatch(row["parallelism"])
        if not match:
            raise TcoUserError(DataProblem(file_name, line, "parallelism", f"cannot read the disaggregated layout `{row['parallelism']}`"))
        g = match.groups()
        prefill, decode = _pool(*g[:5]), _pool(*g[5:])
        deployment_output = output_per_gpu * decode["gpus"]
    else:
        record.update(tp=int(row["tp"]), pp=int(row["pp"] or 1), ep=int(row["ep"]) if row["ep"] else None)
        if record["ep"] is None:
            del record["ep"]
        deployment_output = output_per_gpu * record["tp"] * record["pp"]
    record.update(precision=row["precision"], engine=ids["engine"])
    if row["engine_version"]:
        record["engine_version"] = row["engine_version"]
    record.update(runtime="python", scenario="fixed_concurrency", input_tokens=int(row["input_len"]),
                  output_tokens=int(row["output_len"]), concurrency=int(row["concurrency"]),
                  output_tokens_per_s=round(deployment_output, 4))
    for key, column in (("ttft_ms", "mean_ttft_ms"), ("tpot_ms", "mean_tpot_ms"), ("ttft_p50_ms", "median_ttft_ms"),
                        ("ttft_p99_ms", "p99_ttft_ms"), ("tpot_p50_ms", "median_tpot_ms"), ("tpot_p99_ms", "p99_tpot_ms")):
        value = _number(row[column])
        if value is not None and value > 0:
            record[key] = value
    record.update(length_min_ratio=0.8, attention_dp=row["attention_dp"] == "true", spec_method=row["spec_decoding"],
                  disaggregated=disaggregated)
    if disaggregated:
        record.update(prefill=prefill, decode=decode)
    record["engine_label"] = row["engine"]
    record.update(source=f"{row['source']}; {row['source_version']}", as_of=row["measured_date"],
                  note=(f"Published per GPU: output {row['output_tokens_per_s']} tokens/s"
                        + (" per decode GPU" if disaggregated else " per GPU (server / TP)")
                        + f"; layout as published: {row['parallelism']}. " + row["notes"]))
    ThroughputMeasurement.model_validate(record)  # fail here, with the csv line, rather than at load time
    return record


def build_records(csv_path: Path, catalog=None, skipped: list | None = None) -> list[dict[str, Any]]:
    """The table's rows as measurement records; `catalog` lets GPU and model cells name any of its records. With a
    `skipped` list, a row whose GPU, model or engine is unknown is left out and noted there as (line, column, value)
    instead of stopping the conversion."""
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = name_maps(catalog, GPU_IDS, MODEL_IDS)
    out = []
    for line, row in enumerate(rows, start=2):
        record = _record(row, line, csv_path.name, names, skipped)
        if record is not None:
            out.append(record)
    return out


def render(records: list[dict[str, Any]], header: str = HEADER) -> str:
    body = {"schema_version": 1, "measurements": records}
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("csv", type=Path)
    parser.add_argument("--target", type=Path, default=TARGET, help="file to write (default: the bundled one)")
    args = parser.parse_args(argv)
    from tco.load.catalog import load_catalog

    try:
        records = build_records(args.csv, load_catalog())
    except (TcoUserError, OSError) as e:  # OSError: the table is missing or unreadable
        print(f"error: {e}", file=sys.stderr)
        return 2
    bundled = args.target.resolve() == TARGET
    header = HEADER if bundled else OTHER_HEADER.format(csv=args.csv.name)
    # Another --target may be the user's own file: it is kept as a backup, and the table itself is never written over.
    # The bundled file is regenerated from the shared table alone (and is in git): no backup beside it.
    try:
        backup = write_atomic(args.target, render(records, header), backup=not bundled, inputs=[args.csv])
    except TcoUserError as e:
        for problem in e.problems:
            print(problem.render(), file=sys.stderr)
        return int(e.exit_code)
    print(f"{len(records)} measurements -> {args.target}" + (f" (the previous file kept as {backup})" if backup else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
