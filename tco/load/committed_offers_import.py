"""Convert the shared committed-price table (gpu-offers/reserved_prices.csv) into hardware/offers/committed/*.yaml.

Run it again whenever the shared table changes; it rewrites every file from the csv alone, so the
same csv gives the same bytes (a test checks it):

    python -m tco.load.committed_offers_import /work/shared/data/gpu-offers/reserved_prices.csv

Why a converter and not hand-written YAML: 402 rows, each with a source, a date and caveats that
must travel with the price; by hand they would drift from the table.

Decisions (also in hardware/README.md):
- Every row is imported; rows the shared README doubts get a `caution` (third-party quotations of
  saved pages, Lambda's cluster prices above its own on-demand rates, Hyperstack's "from" prices,
  the late-2024 stored copy of the AWS page).
- An older capture of the same offer (same instance, region, term, payment) is kept, with
  `superseded_by` naming the newer one: a Capacity Block is charged at the rate in force when bought.
- Terms and payment options are normalised (`block`, `1y`, `3y`, `contract`; `no-upfront`, ...);
  the text the source prints is kept beside them. A value the converter does not know stops it.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from tco.errors import DataProblem, TcoUserError
from tco.files import write_atomic
from tco.model.hardware import CommittedOffer

CLOUD_OF_PROVIDER = {"AWS": "aws", "Google Cloud": "gcp", "Hyperstack (NexGen Cloud)": "hyperstack",
                     "DigitalOcean": "do", "Lambda": "lambda"}
"""Seller names in the csv -> the cloud names the on-demand offers use (hardware/offers/<cloud>.yaml)."""

GPU_FOR_UNMAPPED = {"AMD Instinct MI350X": "mi350x"}
"""Accelerators the csv leaves without an id because specs/gpus.csv had none when it was written."""

PAYMENT = {
    "No upfront": "no-upfront",
    "Partial upfront": "partial-upfront",
    "All upfront": "all-upfront",
    "All upfront (charged at purchase)": "all-upfront",
    "Monthly over the term (no upfront)": "no-upfront",
    "Not stated": "not-stated",
    "Invoiced on approval (10 days to pay); billed in weekly increments": "other",
}

PRICE_BASIS = {
    "instance (effective hourly)": "instance",
    "gpu": "gpu",
    "instance and accelerator (both printed)": "instance-and-gpu",
    "instance-month (730 h); hourly = month / 730": "instance-month",
}

HEADER = """\
# yaml-language-server: $schema=../../schema/hardware.schema.json
# Committed / reserved GPU prices on {cloud}, USD per instance-hour and per GPU-hour, converted from the shared
# table gpu-offers/reserved_prices.csv (collected 2026-12-02) by `python -m tco.load.committed_offers_import`.
# Do not edit by hand: change the csv (or the converter) and run it again. Each record names its source and
# price date; `caution` repeats the shared README's doubts. Not yet used by the engine: `tco offers list --term`.
"""


def _term(text: str) -> str:
    if text in ("1-year", "12-month"):
        return "1y"
    if text == "3-year":
        return "3y"
    if text.startswith("Capacity Block"):
        return "block"
    if text.startswith("Reservation contract") or text.startswith("2 weeks - 1 year"):
        return "contract"
    raise ValueError(f"unknown term `{text}`")


def _region(text: str) -> str | None:
    return None if text == "not stated" else text.split(" (", 1)[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def _as_of(row: dict[str, str]) -> tuple[str, str | None]:
    """(partial date, note): `2024-Q4 (before 2025-01-01)` has no day or month we can write, so `2024`."""
    date = row["price_date"]
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
        return date, None
    if date.startswith("2024-Q4"):
        return "2024", "price date printed as 2024-Q4 (before 2025-01-01); only the year is recorded"
    raise ValueError(f"unknown price date `{date}`")


def _caution(row: dict[str, str], cloud: str) -> str | None:
    """The shared README's doubts about this row (its 'Caveats' and 'Sources' sections), or None."""
    parts = []
    if row["source_quality"] == "third-party transcription, repository not identified":
        parts.append("rests on a third-party quotation of a saved page whose repository could not be identified; "
                     "not re-checked against the live page")
    if cloud == "lambda":
        parts.append("these 1-Click Cluster figures sit above Lambda's 2026 on-demand 8-GPU rates: check before use")
    if cloud == "hyperstack":
        parts.append("a \"from\" (lowest reserved) price; term and payment terms not printed")
    if row["price_date"].startswith("2024-Q4"):
        parts.append("late-2024 rate from a stored copy of the AWS page (capture day unknown; only legible rows)")
        if "instance-type cell is missing" in row["notes"]:
            parts.append("instance type inferred (the cell is missing in the stored copy)")
    return "; ".join(parts) or None


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _source(row: dict[str, str], as_of_note: str | None) -> dict[str, Any]:
    text = row["source_url"]
    if row["source_repo_path_commit"]:
        repo_path, _, commit = row["source_repo_path_commit"].partition("@")
        text += f" as read in github.com/{repo_path.strip()} @{commit.strip()}" if commit else f" as read in {repo_path}"
    note = f"price date: {row['price_date_basis']}; source quality: {row['source_quality']}"
    if as_of_note:
        note += f"; {as_of_note}"
    return {"source": text, "as_of": None, "note": note}


def _record(row: dict[str, str]) -> dict[str, Any]:
    cloud = CLOUD_OF_PROVIDER[row["provider"]]
    term = _term(row["term"])
    payment = PAYMENT.get(row["payment_option"])
    if payment is None:
        raise ValueError(f"unknown payment option `{row['payment_option']}`")
    region = _region(row["region"])
    as_of, as_of_note = _as_of(row)
    parts = [cloud, _slug(row["instance_type"]) if cloud not in ("aws", "gcp") else row["instance_type"]]
    parts += [region] if region else []
    parts.append(term)
    if "Reserved Instance" in row["offering"]:
        parts += ["convertible" if "Convertible" in row["offering"] else "standard", payment]
    if term == "block":
        parts.append(as_of.lower())
    gpu = row["gpu_id"] or GPU_FOR_UNMAPPED.get(row["accelerator_as_listed"])
    if gpu is None:
        raise ValueError(f"no GPU id for `{row['accelerator_as_listed']}`")
    notes = row["notes"]
    if not row["gpu_id"]:
        notes += f" gpu mapping: {row['accelerator_as_listed']} -> {gpu} (added to gpus.yaml after the csv was written)."
    committed = ["committed_usd_per_instance_hour", "committed_usd_per_gpu_hour"]
    on_demand_instance = _number(row["on_demand_per_instance_hour_usd"])
    on_demand_gpu = _number(row["on_demand_per_gpu_hour_usd"])
    covers = committed + (["on_demand_usd_per_instance_hour"] if on_demand_instance else []) \
        + (["on_demand_usd_per_gpu_hour"] if on_demand_gpu else [])
    source = _source(row, as_of_note)
    source["as_of"] = as_of
    record: dict[str, Any] = {
        "id": ":".join(parts),
        "cloud": cloud,
        "offering": row["offering"],
        "instance_type": row["instance_type"],
        "gpu": gpu,
        "gpu_count": int(row["gpus_per_instance"]),
        "region": region,
        "term": term,
        "term_as_published": row["term"],
        "payment_option": payment,
        "payment_as_published": row["payment_option"],
        "committed_usd_per_instance_hour": float(row["price_per_instance_hour_usd"]),
        "committed_usd_per_gpu_hour": float(row["price_per_gpu_hour_usd"]),
        "price_basis": PRICE_BASIS[row["printed_basis"]],
        "price_as_printed": row["price_as_printed"],
        "on_demand_usd_per_instance_hour": on_demand_instance,
        "on_demand_usd_per_gpu_hour": on_demand_gpu,
        "minimum_commitment": row["minimum_commitment"],
        "source_quality": row["source_quality"],
        "caution": _caution(row, cloud),
        "superseded_by": None,
        "notes": notes or None,
        "sources": [{"covers": covers, **source}],
    }
    return record


def _date_key(as_of: str) -> str:
    return as_of.ljust(10, "0")


def build_records(csv_path: Path) -> dict[str, list[dict[str, Any]]]:
    """Cloud -> its committed-offer records (validated), in the csv's order."""
    problems: list[DataProblem] = []
    records: list[dict[str, Any]] = []
    with open(csv_path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                records.append(_record(row))
            except (KeyError, ValueError) as e:
                problems.append(DataProblem(str(csv_path), line, "", str(e)))
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        if record["id"] in seen:
            problems.append(DataProblem(str(csv_path), None, "", f"two rows give the id `{record['id']}`"))
        seen[record["id"]] = index
    if problems:
        raise TcoUserError(problems)
    _mark_superseded(records)
    by_cloud: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        CommittedOffer.model_validate({k: v for k, v in record.items() if v is not None})
        by_cloud[record["cloud"]].append(record)
    return dict(sorted(by_cloud.items()))


def _mark_superseded(records: list[dict[str, Any]]) -> None:
    """Older captures of the same offer point at the newest one."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        key = (record["cloud"], record["offering"], record["instance_type"], record["region"], record["term"],
               record["payment_option"])
        groups[key].append(record)
    for group in groups.values():
        if len(group) < 2:
            continue
        newest = max(group, key=lambda r: _date_key(r["sources"][0]["as_of"]))
        for record in group:
            if record is not newest:
                record["superseded_by"] = newest["id"]


def render(cloud: str, records: list[dict[str, Any]]) -> str:
    """One YAML file: the header comment, then the records with empty fields left out."""
    body = {"schema_version": 1, "committed_offers": [{k: v for k, v in r.items() if v is not None} for r in records]}
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)
    return HEADER.format(cloud=cloud) + text


def run_import(csv_path: Path, target: Path, backup: bool = False) -> list[Path]:
    """Write target/<cloud>.yaml for every cloud in the csv; returns the files written.

    `backup`: keep a replaced file as `.bak` (a folder given with --out may hold the user's own files)."""
    written = []
    for cloud, records in build_records(csv_path).items():
        path = target / f"{cloud}.yaml"
        write_atomic(path, render(cloud, records), backup=backup, inputs=[csv_path])
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tco.load.committed_offers_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="gpu-offers/reserved_prices.csv from the shared data")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to write (default: the bundled hardware/offers/committed/)")
    args = parser.parse_args(argv)
    from tco.paths import bundled_dir

    target = args.out or bundled_dir("hardware") / "offers" / "committed"
    try:
        if not args.csv.is_file():
            raise TcoUserError(DataProblem(str(args.csv), None, "", "no such file"))
        target.mkdir(parents=True, exist_ok=True)
        written = run_import(args.csv, target, backup=args.out is not None)
    except OSError as e:
        print(f"{target}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 3
    except TcoUserError as e:
        for problem in e.problems:
            print(problem.render(), file=sys.stderr)
        return int(e.exit_code)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
