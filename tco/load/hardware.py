"""Load the hardware catalog (GPUs, open models, offers, cost figures, measurements) from YAML.

Why one loader for every hardware file: each file may hold any of the lists, users add their own
folders on top of the bundled one, and ids must be unique and cross-references valid across all
of them. Every problem in every file is collected and reported at once.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

from tco.errors import DataProblem, TcoUserError
from tco.files import note_input_folder
from tco.load.yaml_source import (YAML_SUFFIXES, did_you_mean, future_as_of_problems, implausible_numbers, load_yaml,
                                  validate_as)
from tco.model.catalog import Catalog
from tco.model.base import json_schema_text
from tco.model.hardware import HardwareFile, ThroughputMeasurement
from tco.paths import bundled_dir

KINDS = ("gpus", "models", "offers", "committed_offers", "cost_figures", "measurements")
"""The lists a hardware file may hold; ids are unique within each kind."""

MAX_SPEC_NUMBER = 1e9
"""No figure of a GPU or model record comes near it: the largest real ones are a context of ~1e7 tokens, a driver-reported
memory of ~3e5 MiB, 1.5e4 TFLOPS and 1e3 B parameters (no GPU has 1e5 GB, no model 1e6 B parameters). A figure like
1e300 is a typing mistake: bytes = GB x 2^30 overflowed to inf in the throughput model (a traceback, or an "inf GB"
error blaming the scenario)."""
MIN_SPEC_NUMBER = 1e-6
"""Nothing in a GPU or model record other than 0 is this small (the smallest bundled figure is 0.3 TB/s)."""
SPEC_KINDS = ("gpus", "models")
"""The kinds whose figures are held to MAX_SPEC_NUMBER (offer prices and GPU counts have their own caps in tco.model)."""


@dataclass(frozen=True)
class _Origin:
    file: str
    lines: dict
    index: int
    layer: int

    def line(self, kind: str, field: str | None = None) -> int | None:
        key = (kind, self.index, field) if field else (kind, self.index)
        return self.lines.get(key) or self.lines.get((kind, self.index))


def hardware_schema_text() -> str:
    """The JSON Schema every hardware file points editors at (`hardware/schema/hardware.schema.json`; `tco schema hardware`)."""
    return json_schema_text(HardwareFile, "llm-tco hardware file")


def hardware_files(directory: Path) -> list[Path]:
    """Every *.yaml and *.yml below `directory` except the schema folder, in a stable order.

    Why both: `.yml` is as common a spelling, and a file skipped without a word looks like data the run used."""
    return sorted(p for suffix in YAML_SUFFIXES for p in directory.rglob(f"*{suffix}")
                  if "schema" not in p.relative_to(directory).parts[:-1])


def unreadable_folders(directory: Path) -> list[DataProblem]:
    """A problem for `directory` or any folder below it that cannot be listed (no read or search permission).

    Why: `rglob` skips a folder it may not list without a word, so an unreadable --hardware-dir (or a subfolder of it)
    was read as empty: the run used the bundled offers while the user believed their own were in it."""
    problems: list[DataProblem] = []

    def said(error: OSError) -> None:
        problems.append(DataProblem(str(error.filename or directory), None, "", f"cannot read the folder: {error.strerror or error}",
                                    hint="give yourself read access to the folder (chmod u+rx), or leave it out"))

    for _ in os.walk(directory, onerror=said):
        pass
    return problems


def load_hardware(directory: Path | None = None, extra_dirs: Iterable[Path] = (), today: dt.date | None = None) -> Catalog:
    """The bundled catalog (or `directory`), with user folders layered on top.

    A user record with the same kind and id as a bundled one replaces it; two records with the same
    id in the same layer are an error naming both places.
    """
    today = today or dt.date.today()  # bounds the user's `as_of` dates (the bundled files are not checked against the clock)
    base = Path(directory) if directory is not None else bundled_dir("hardware")
    layers = [(base, directory is None)] + [(Path(d), False) for d in extra_dirs]
    catalog = Catalog()
    origins: dict[tuple[str, str], _Origin] = {}
    problems: list[DataProblem] = []
    unread: list[str] = []  # files whose records could not be read: a reference to them cannot be checked
    for layer, (folder, bundled) in enumerate(layers):
        if not folder.is_dir():
            problems.append(DataProblem(str(folder), None, "", "no such folder" if not folder.exists() else "is a file, not a folder"))
            continue
        if not bundled:  # an output must not land in it: it would be read as a hardware file next time
            note_input_folder(folder, YAML_SUFFIXES)
        if cannot_read := unreadable_folders(folder):
            problems.extend(cannot_read)
            unread.append(str(folder))
        for path in hardware_files(folder):
            display = str(path.relative_to(folder.parent)) if bundled else str(path)
            try:
                data, lines = load_yaml(path, display)
                if data is None:
                    # said, not refused: nothing in it is wrong (a user's notes file may sit in the folder), but a file
                    # copied empty by mistake would otherwise leave its records out of the run without a word
                    catalog.notices.append(DataProblem(
                        display, None, "", "the file is empty (or holds only comments): it adds no records",
                        hint=f"add its records ({', '.join(f'{k}:' for k in KINDS)}) or delete it", severity="warning"))
                    continue
                parsed = validate_as(HardwareFile, data, display, lines)
                if implausible := _implausible_specs(parsed, display, lines):
                    raise TcoUserError(implausible)
                if not bundled and (future := future_as_of_problems(parsed, display, lines, today)):
                    raise TcoUserError(future)
            except TcoUserError as e:
                problems.extend(e.problems)
                unread.append(display)
                continue
            _add(catalog, parsed, display, lines, layer, origins, problems)
    _check_references(catalog, origins, problems, unread)
    if problems:
        raise TcoUserError(problems)
    return catalog


def _implausible_specs(parsed: HardwareFile, display: str, lines: dict) -> list[DataProblem]:
    """Every GPU or model figure beyond MAX_SPEC_NUMBER (or below MIN_SPEC_NUMBER), located at its line."""
    return [problem for kind in SPEC_KINDS for index, record in enumerate(getattr(parsed, kind))
            for problem in implausible_numbers(record.model_dump(exclude_defaults=True), display, lines,
                                               MAX_SPEC_NUMBER, MIN_SPEC_NUMBER, prefix=(kind, index))]


def _add(catalog: Catalog, parsed: HardwareFile, display: str, lines: dict, layer: int,
         origins: dict[tuple[str, str], _Origin], problems: list[DataProblem]) -> None:
    for kind in KINDS:
        for index, record in enumerate(getattr(parsed, kind)):
            key = (kind, record.id)
            here = _Origin(display, lines, index, layer)
            before = origins.get(key)
            if before is not None and before.layer == layer:
                problems.append(DataProblem(
                    display, here.line(kind, "id"), f"{kind}[{index}].id",
                    f"duplicate id `{record.id}`: also defined in {before.file}:{before.line(kind, 'id')}"))
                continue
            if before is not None and before.layer == 0 and layer > 0:
                catalog.notices.extend(_shadow_notices(kind, record, getattr(catalog, kind) if kind != "measurements" else {},
                                                       before, here))
            origins[key] = here
            catalog.files[f"{kind}/{record.id}"] = display
            if kind == "measurements":
                if before is not None:
                    catalog.measurements = [m for m in catalog.measurements if m.id != record.id]
                catalog.measurements.append(record)
            else:
                getattr(catalog, kind)[record.id] = record


PRICE_RATIO_WARNING = 10
"""A user figure this many times above or below the bundled one for the same id is most likely a unit
slip (per instance vs per GPU, per thousand vs per million): warn, naming both figures."""


def _shadow_notices(kind: str, record: Any, bundled_records: dict, before: _Origin, here: _Origin) -> list[DataProblem]:
    """A user record replacing a bundled one is said (it changes every run that names the id), and a
    price 10x-1000x away from the bundled one is flagged naming both."""
    where = f"{kind}[{here.index}]"
    out = [DataProblem(here.file, here.line(kind, "id"), f"{where}.id",
                       f"replaces the bundled {kind[:-1].replace('_', ' ')} `{record.id}` ({before.file}:{before.line(kind, 'id')})",
                       "give your record another id to keep both", severity="warning")]
    bundled = bundled_records.get(record.id)
    for name in ("on_demand_usd_per_gpu_hour", "on_demand_usd_per_hour", "spot_usd_per_gpu_hour", "spot_usd_per_hour"):
        mine, theirs = getattr(record, name, None), getattr(bundled, name, None)
        if not mine or not theirs:
            continue
        ratio = mine / theirs
        if ratio >= PRICE_RATIO_WARNING * (1 - 1e-9) or ratio <= (1 + 1e-9) / PRICE_RATIO_WARNING:
            out.append(DataProblem(here.file, here.line(kind, name), f"{where}.{name}",
                                   f"{mine:g} is {ratio:.3g}x the bundled figure {theirs:g} for `{record.id}` ({before.file})",
                                   "check the unit: per GPU or per instance, per hour or per month", severity="warning"))
    return out


class _Reference(NamedTuple):
    """One record's reference to another record's id (an offer's GPU, a measurement's model)."""

    kind: str
    record_id: str
    field: str
    target: str
    known: dict
    what: str


def _check_references(catalog: Catalog, origins: dict[tuple[str, str], _Origin], problems: list[DataProblem],
                      unread: Sequence[str] = ()) -> None:
    """Every offer's GPU and every measurement's model and GPU must exist somewhere in the catalog.

    Why grouped when a file could not be read: its records are missing, so every reference to them fails too. A typo in
    hardware/gpus.yaml would bury its one real problem under thousands of `unknown GPU id` lines (every offer and every
    measurement of that GPU). Then each unknown id is reported once, at its first reference, with how many more there
    are and the unread files it may be defined in."""
    references = [_Reference("offers", offer.id, "gpu", offer.gpu, catalog.gpus, "GPU") for offer in catalog.offers.values()]
    for offer in catalog.committed_offers.values():
        references.append(_Reference("committed_offers", offer.id, "gpu", offer.gpu, catalog.gpus, "GPU"))
        if offer.superseded_by is not None:
            references.append(_Reference("committed_offers", offer.id, "superseded_by", offer.superseded_by,
                                         catalog.committed_offers, "committed offer"))
    for m in catalog.measurements:
        references.append(_Reference("measurements", m.id, "model", m.model, catalog.models, "model"))
        references.append(_Reference("measurements", m.id, "gpu", m.gpu, catalog.gpus, "GPU"))
        origin = origins[("measurements", m.id)]
        for field, message, hint in physical_limit_problems(m, catalog):
            problems.append(DataProblem(origin.file, origin.line("measurements", field), f"measurements[{origin.index}].{field}",
                                        message, hint=hint))
    # each unknown id with all its references, in the order first met; one group per reference when all files were read
    groups: dict[tuple, list[_Reference]] = {}
    for r in references:
        if r.target not in r.known:
            groups.setdefault((r.what, r.target) if unread else (r.kind, r.record_id, r.field), []).append(r)
    for r, *more in groups.values():
        origin = origins[(r.kind, r.record_id)]
        message = f"unknown {r.what} id `{r.target}`"
        hint = did_you_mean(r.target, r.known) or f"see `{_LISTING[r.what]}` for the ids"
        if unread:
            message += f" (and {len(more)} more reference{'s' if len(more) != 1 else ''} to it)" if more else ""
            hint = f"it may be defined in {', '.join(unread)}, which could not be read (see above)"
        problems.append(DataProblem(origin.file, origin.line(r.kind, r.field), f"{r.kind}[{origin.index}].{r.field}",
                                    message, hint=hint))


def physical_limit_problems(m: ThroughputMeasurement, catalog: Catalog) -> list[tuple[str, str, str]]:
    """(field, message, hint) for each figure of a measurement its model and GPUs cannot physically reach.

    Why here: a user record (`--hardware-dir`) and an imported benchmark run (`tco measurements import`) both pass
    through it, so a figure that no hardware could produce (a unit slip, a typo, a total taken for a rate) is refused
    where it is written, instead of answering `tco throughput` with it. Skipped where the model or GPU is unknown
    (the reference check reports that)."""
    from tco.engine.throughput.gpu import output_tokens_per_s_ceiling, request_tokens_ceiling

    model, gpu = catalog.models.get(m.model), catalog.gpus.get(m.gpu)
    if model is None or gpu is None:
        return []
    out = []
    ceiling = output_tokens_per_s_ceiling(gpu, model, m.precision, m.num_gpus)
    if ceiling is not None and m.output_tokens_per_s > ceiling.output_tokens_per_s:
        out.append(("output_tokens_per_s",
                    f"{m.output_tokens_per_s:,.6g} output tokens/s is more than {m.num_gpus} x {gpu.name} can generate for "
                    f"{model.name}: at most {ceiling.output_tokens_per_s:,.0f} = {m.num_gpus} GPU(s) x {ceiling.peak_tflops:g} "
                    f"TFLOPS ({ceiling.peak_name}) / (2 FLOPs x {model.active_params_b:g} B active parameters per token)",
                    "output_tokens_per_s is the tokens generated per second by all num_gpus together; "
                    "check the unit (per second, not per run or per batch) and the number of zeros"))
    if m.ep is not None and m.ep > 1 and model.arch_type != "moe":
        out.append(("ep", f"ep {m.ep}: expert parallelism needs a mixture-of-experts model; {model.name} is dense",
                    "leave ep out (or 1) for a dense model: the throughput model refuses this deployment, so the record "
                    "would never answer `tco throughput` and `tco bench accuracy` would score it 100 % off"))
    most_tokens = request_tokens_ceiling(gpu, model, m.num_gpus)
    if most_tokens is not None and m.input_tokens + m.output_tokens > most_tokens:
        out.append(("input_tokens",
                    f"{m.input_tokens:,} input + {m.output_tokens:,} output tokens per request do not fit in {m.num_gpus} x "
                    f"{gpu.name}: {model.name}'s KV cache (FP4, nothing else in memory) holds at most {most_tokens:,.0f} tokens",
                    "input_tokens and output_tokens are the mean lengths of one request, not totals over the run"))
    return out


_LISTING = {"GPU": "tco hardware list", "model": "tco models list", "committed offer": "tco offers list --term all"}
"""Where a user finds the ids of each kind a record may refer to."""
