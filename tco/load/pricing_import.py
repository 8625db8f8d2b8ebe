"""Build the bundled price sheets from the INSTALLED genai-prices package (offline; its updater is never started).

Kept: input, output, cache read/write prices, long-context tiers, batch and service-tier variants,
dated price changes, time-of-day prices (as `utc-HHMM-HHMM` variants), fees per 1,000 requests
(`requests_kcount`). Not kept: prices per image, audio second, page or search (named in each entry's note). genai-prices records no
"checked on" date per price, so a sheet's `as_of` is the import date and its `source` names the
provider's pricing pages and the package version.

Safety: the converted data is validated before anything is written; a price that moves more than
10x against the existing sheet stops the import unless forced; the old sheets are copied to
`.backup/<timestamp>/` and each file is replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tco.engine.api_price import price_in_force
from tco.errors import DataProblem, TcoUserError
from tco.files import write_atomic
from tco.load.api_retirements import retirement_of
from tco.load.sheet_additions import StaleAddition, add_curated
from tco.load.time_of_day_history import HISTORY_NOTE, window_history
from tco.load.open_weight import open_weight_model_for
from tco.model.pricing import PRICE_FIELDS, ApiModel, ApiProvider, DatedPrice, provider_schema_text

SCHEMA_HEADER = "# yaml-language-server: $schema=schema/provider.schema.json\n"
MAX_PRICE_RATIO = 10.0
"""A price moving by more than this factor against the existing sheet is listed and stops the import."""

_KEY_TO_FIELD = {
    "input_mtok": "input_usd_per_million_tokens",
    "output_mtok": "output_usd_per_million_tokens",
    "cache_read_mtok": "cache_read_usd_per_million_tokens",
    "cache_write_mtok": "cache_write_usd_per_million_tokens",
    "cache_write_1h_mtok": "cache_write_1h_usd_per_million_tokens",
    "requests_kcount": "usd_per_thousand_requests",
}



def genai_prices_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-prices")
    except PackageNotFoundError:
        raise TcoUserError("genai-prices is not installed: pip install 'llm-tco[pricing-import]'") from None


def variant_name(when: dict[str, str]) -> str:
    """`{'processing': 'batch'}` -> `batch`; `{'service_tier': 'flex'}` -> `flex`; others `key:value`."""
    parts = []
    for key, value in sorted(when.items()):
        if (key, value) == ("processing", "batch"):
            parts.append("batch")
        elif key == "service_tier":
            parts.append(value)
        else:
            parts.append(f"{key}:{value}")
    return "+".join(parts)


def build_providers(as_of: dt.date) -> list[ApiProvider]:
    """Every genai-prices provider as a validated sheet; malformed data is refused with the reasons."""
    from genai_prices.data import providers

    version = genai_prices_version()
    out, problems = [], []
    for gp in sorted(providers, key=lambda p: p.id):
        try:
            out.append(ApiProvider.model_validate(_provider_data(gp, version, as_of)))
        except (ValueError, TypeError) as e:  # pydantic's ValidationError is a ValueError
            problems.append(DataProblem(f"genai-prices {version}", None, gp.id, f"refused: {str(e)[:600]}"))
    if problems:
        raise TcoUserError(problems)
    return out


def _provider_data(gp: Any, version: str, as_of: dt.date) -> dict[str, Any]:
    urls = list(gp.pricing_urls or [])
    where = " ".join(urls) if urls else "no pricing URL listed"
    models = []
    for gm in gp.models:
        model = _model_data(gp.id, gm)
        if model is not None:
            models.append(model)
    models.sort(key=lambda m: m["id"].lower())
    return {
        "schema_version": 1, "id": gp.id, "name": gp.name, "pricing_urls": urls,
        "source": f"{where} (via genai-prices {version})", "as_of": as_of.isoformat(),
        "note": gp.price_comments, "models": models,
    }


def _model_data(provider_id: str, gm: Any) -> dict[str, Any] | None:
    """One model, or None when it has no per-token price at all (audio-, image- or request-priced only)."""
    from genai_prices.types import ConditionalPrice, StartDateConstraint, TimeOfDateConstraint

    where = f"{provider_id}/{gm.id}"
    conditional = gm.prices if isinstance(gm.prices, list) else [ConditionalPrice(constraint=None, prices=gm.prices)]
    chain = [c for c in conditional if not isinstance(c.constraint, TimeOfDateConstraint)]
    windows = [c for c in conditional if isinstance(c.constraint, TimeOfDateConstraint)]
    if windows and conditional[-len(windows):] != windows:
        raise TcoUserError(f"genai-prices {where}: time-of-day prices before dated prices are not understood")
    for c in chain:
        if c.constraint is not None and not isinstance(c.constraint, StartDateConstraint):
            raise TcoUserError(f"genai-prices {where}: unknown price constraint {type(c.constraint).__name__}")
    prices = [_entry(c.prices, c.constraint.start_date if c.constraint else None) for c in chain]
    if not any(any(p.get(f) is not None for f in PRICE_FIELDS) for p in prices):
        return None

    variants: dict[str, list[dict[str, Any]]] = {}
    dates_seen: dict[str, list[Any]] = {}
    for v in gm.price_variants or ():
        if v.constraint is not None and not isinstance(v.constraint, StartDateConstraint):
            raise TcoUserError(f"genai-prices {where}: variant with a {type(v.constraint).__name__} is not understood")
        name = variant_name(v.when)
        start = v.constraint.start_date if v.constraint else None
        seen = dates_seen.setdefault(name, [])
        if seen and (seen[-1] is None or (start is not None and start >= seen[-1])):
            # genai-prices uses the FIRST active variant; only newest-first lists mean "dated history".
            raise TcoUserError(f"genai-prices {where}: variant `{name}` entries are not newest first")
        seen.append(start)
        variants.setdefault(name, []).append(_entry(v.prices, start))
    for name in variants:
        variants[name].sort(key=lambda e: (e.get("effective_from") is not None, e.get("effective_from") or dt.date.min))

    note = gm.price_comments
    if windows:
        prices, variants, note = _time_of_day(where, chain, windows, prices, variants, note)
    try:
        note = add_curated(provider_id, gm.id, prices, variants, note)
    except StaleAddition as e:
        raise TcoUserError(f"genai-prices {where}: {e}") from None

    data: dict[str, Any] = {"id": gm.id, "name": gm.name, "aliases": _aliases(gm.match, gm.id),
                            "context_window_tokens": gm.context_window, "deprecated": bool(gm.deprecated),
                            "open_weight_model": open_weight_model_for(provider_id, gm.id),
                            **retirement_of(provider_id, gm.id),
                            "prices": prices, "variants": variants, "note": note}
    return data


def _time_of_day(where, chain, windows, prices, variants, note):
    """Time-of-day prices become `utc-HHMM-HHMM` variants; the price for most of the day is the standard."""
    groups: dict[str, list[Any]] = {}
    for w in windows:
        groups.setdefault(repr(w.prices), []).append(w)
    covered = sum(_window_minutes(w.constraint) for w in windows)
    if covered > 12 * 60:
        if len(groups) != 1 or len(chain) != 1:
            raise TcoUserError(f"genai-prices {where}: time-of-day prices covering most of the day on top of dated prices are not understood")
        window_name = _window_name([w.constraint for w in windows])
        off_name = "utc-" + "+".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in _complement([w.constraint for w in windows]))
        standard = [_entry(windows[0].prices, None)]
        variants[off_name] = [_entry(chain[0].prices, None)]
        text = f"Prices differ by time of day: the standard entry is for UTC {window_name[4:]} (most of the day); variant `{off_name}` is the rest."
        return standard, variants, f"{note} {text}".strip() if note else text
    names = []
    provider_id, model_id = where.split("/", 1)
    for group in groups.values():
        name = _window_name([w.constraint for w in group])
        current = _entry(group[0].prices, None)
        try:
            history = window_history(provider_id, model_id, name, current)
        except ValueError as e:
            raise TcoUserError(f"genai-prices {where}: {e}") from None
        variants[name] = history or [current]
        names.append(f"`{name}`")
        if history:
            note = f"{note} {HISTORY_NOTE}".strip() if note else HISTORY_NOTE
    text = f"Prices differ by time of day (UTC): see variant(s) {', '.join(names)}."
    return prices, variants, f"{note} {text}".strip() if note else text


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}{minutes % 60:02d}"


def _window_minutes(c: Any) -> int:
    return (_minutes(c.end_time) - _minutes(c.start_time)) % (24 * 60)


def _window_name(constraints: list[Any]) -> str:
    spans = sorted((_minutes(c.start_time), _minutes(c.end_time)) for c in constraints)
    return "utc-" + "+".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans)


def _complement(constraints: list[Any]) -> list[tuple[int, int]]:
    spans = sorted((_minutes(c.start_time), _minutes(c.end_time)) for c in constraints)
    gaps = [(spans[i][1], spans[(i + 1) % len(spans)][0]) for i in range(len(spans))]
    return [(a, b) for a, b in gaps if a != b]


def _entry(model_price: Any, start: dt.date | None) -> dict[str, Any]:
    """One genai-prices ModelPrice as a DatedPrice dict: per-key tiers merged into whole-request tiers."""
    from genai_prices.types import TieredPrices

    entry: dict[str, Any] = {"effective_from": start}
    tiered: dict[str, Any] = {}
    other_units = []
    for key, value in sorted(model_price.__dict__.items()):
        if value is None or key.startswith("_"):
            continue
        target = _KEY_TO_FIELD.get(key)
        if target is None:
            other_units.append(key)
            continue
        if isinstance(value, TieredPrices):
            entry[target] = value.base
            tiered[target] = value
        else:
            entry[target] = value
    starts = sorted({t.start for tp in tiered.values() for t in tp.tiers})
    tiers = []
    for start_tokens in starts:
        tier: dict[str, Any] = {"above_input_tokens": start_tokens}
        for target, tp in tiered.items():
            price = tp.base
            for t in sorted(tp.tiers, key=lambda t: t.start):
                if t.start <= start_tokens:
                    price = t.price
            tier[target] = price
        tiers.append(tier)
    entry["tiers"] = tiers
    if other_units:
        entry["note"] = "genai-prices also prices " + ", ".join(other_units) + " (not imported)"
    return entry


def _aliases(match: Any, model_id: str) -> list[str]:
    """Exact ids from the model's `equals` match clauses (not `starts_with`/`contains`, which are fuzzy)."""
    from genai_prices.types import ClauseEquals, ClauseOr

    found: set[str] = set()

    def walk(clause: Any) -> None:
        if isinstance(clause, ClauseEquals):
            found.add(clause.equals)
        elif isinstance(clause, ClauseOr):
            for c in clause.or_:
                walk(c)

    walk(match)
    return sorted(a for a in found if a.lower() != model_id.lower() and re.fullmatch(r"\S+", a))


# --- writing -----------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON escaping is valid YAML; line separators escaped too)."""
    out = json.dumps(text, ensure_ascii=False)
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085").replace("\ufeff", "\\ufeff")


def _key(name: str) -> str:
    return name if _PLAIN_KEY.fullmatch(name) and name.lower() not in _YAML11_WORDS else _q(name)


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def render_sheet(provider: ApiProvider, version: str) -> str:
    """The sheet as YAML text: deterministic (sorted, fixed number format), so a re-import gives no diff."""
    lines = [SCHEMA_HEADER.rstrip("\n"),
             f"# Generated by `tco pricing import` from genai-prices {version}; a re-import rewrites it (the old file goes to "
             ".backup/). Your own prices: a sheet of your own, --pricing-dir; see pricing/README.md.",
             "schema_version: 1", f"id: {_q(provider.id)}", f"name: {_q(provider.name)}"]
    if provider.pricing_urls:
        lines.append("pricing_urls:")
        lines += [f"  - {_q(u)}" for u in provider.pricing_urls]
    lines += [f"source: {_q(provider.source)}", f"as_of: {_q(str(provider.as_of))}"]
    if provider.note:
        lines.append(f"note: {_q(provider.note)}")
    lines.append("models:" if provider.models else "models: []")
    for m in provider.models:
        lines.append(f"  - id: {_q(m.id)}")
        if m.name:
            lines.append(f"    name: {_q(m.name)}")
        if m.aliases:
            lines.append(f"    aliases: [{', '.join(_q(a) for a in m.aliases)}]")
        if m.context_window_tokens:
            lines.append(f"    context_window_tokens: {m.context_window_tokens}")
        if m.deprecated:
            lines.append("    deprecated: true")
        if m.open_weight_model:
            lines.append(f"    open_weight_model: {_q(m.open_weight_model)}")
        if m.retired_on:
            lines.append(f"    retired_on: {_q(m.retired_on.isoformat())}")
            lines.append(f"    retirement_source: {_q(m.retirement_source)}")
        if m.note:
            lines.append(f"    note: {_q(m.note)}")
        lines.append("    prices:")
        lines += _entries(m.prices, "      ")
        if m.variants:
            lines.append("    variants:")
            for name in sorted(m.variants):
                lines.append(f"      {_key(name)}:")
                lines += _entries(m.variants[name], "        ")
    return "\n".join(lines) + "\n"


def _entries(entries: list[DatedPrice], indent: str) -> list[str]:
    out = []
    for e in entries:
        body = []
        if e.effective_from is not None:
            body.append(f"effective_from: {e.effective_from.isoformat()}")
        body += [f"{f}: {_num(getattr(e, f))}" for f in PRICE_FIELDS if getattr(e, f) is not None]
        if e.usd_per_thousand_requests is not None:
            body.append(f"usd_per_thousand_requests: {_num(e.usd_per_thousand_requests)}")
        if e.source:
            body.append(f"source: {_q(e.source)}")
        if e.as_of:
            body.append(f"as_of: {_q(str(e.as_of))}")
        if e.note:
            body.append(f"note: {_q(e.note)}")
        if e.weekdays_only:
            body.append("weekdays_only: true")
        if e.tiers:
            body.append("tiers:")
            for t in e.tiers:
                tier = [f"above_input_tokens: {t.above_input_tokens}"]
                tier += [f"{f}: {_num(getattr(t, f))}" for f in PRICE_FIELDS if getattr(t, f) is not None]
                body.append(f"  - {tier[0]}")
                body += [f"    {x}" for x in tier[1:]]
        if not body:
            body = ["{}"]
        out.append(f"{indent}- {body[0]}")
        out += [f"{indent}  {x}" for x in body[1:]]
    return out


# --- safety ------------------------------------------------------------------------------------

def price_jumps(old: ApiProvider, new: ApiProvider, today: dt.date) -> list[str]:
    """Prices (in force today, or with the same start date) that moved by more than MAX_PRICE_RATIO."""
    def figures(provider: ApiProvider) -> dict[tuple, Decimal]:
        out = {}
        for m in provider.models:
            for variant, entries in [("standard", m.prices), *m.variants.items()]:
                current = price_in_force(entries, today)
                for e in entries:
                    labels = [str(e.effective_from or "first")] + (["today"] if e is current else [])
                    for f in PRICE_FIELDS:
                        value = getattr(e, f)
                        if value is not None:
                            for label in labels:
                                out[(m.id.lower(), variant, label, f)] = value
        return out

    before, after = figures(old), figures(new)
    jumps: dict[tuple, str] = {}
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a == b:
            continue
        ratio = float(max(a, b) / min(a, b)) if min(a, b) > 0 else float("inf")
        model, variant, label, f = key
        if ratio > MAX_PRICE_RATIO and (model, variant, f, a, b) not in jumps:
            jumps[(model, variant, f, a, b)] = f"{new.id}/{model} [{variant}, {label}] {f}: {a} -> {b} ({ratio:.1f}x)"
    return list(jumps.values())


@dataclass
class ImportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backup_dir: Path | None = None
    models: int = 0
    skipped_models: int = 0
    leftover: list[str] = field(default_factory=list)
    """Sheets in the folder that genai-prices does not have (left untouched)."""


def run_import(target: Path, force: bool, as_of: dt.date, today: dt.date | None = None) -> ImportReport:
    """Convert, check against the existing sheets, back them up, and write atomically."""
    from tco.load.pricing import read_sheet
    from tco.load.yaml_source import read_text

    today = today or as_of
    version = genai_prices_version()
    providers = build_providers(as_of)
    from genai_prices.data import providers as source_providers

    report = ImportReport(models=sum(len(p.models) for p in providers))
    report.skipped_models = sum(len(p.models) for p in source_providers) - report.models
    texts: dict[str, str] = {}
    jumps: list[str] = []
    for provider in providers:
        path = target / f"{provider.id}.yaml"
        text = render_sheet(provider, version)
        if path.is_file():
            old_text = None
            try:
                # read_text, not Path.read_text: a sheet saved as Latin-1 or UTF-16 is a located problem (exit 2, or
                # replaced under --force after its backup), never a UnicodeDecodeError traceback
                old_text = read_text(path)
                old = read_sheet(path)
            except TcoUserError as e:
                if not force:
                    raise TcoUserError([*e.problems, DataProblem(str(path), None, "", "the existing sheet is unreadable; fix it or pass --force to replace it")]) from None
                old = None
            if old is not None:
                same_day = render_sheet(provider.model_copy(update={"as_of": old.as_of}), version)
                if same_day == old_text:
                    report.unchanged.append(provider.id)
                    continue
                jumps += price_jumps(old, provider, today)
        texts[provider.id] = text
    if jumps and not force:
        raise TcoUserError([DataProblem("pricing import", None, "", f"price changed more than {MAX_PRICE_RATIO:g}x: {j}") for j in jumps]
                           + [DataProblem("pricing import", None, "", "nothing was written; check these against the providers' pages, then re-run with --force")])

    schema_path = target / "schema" / "provider.schema.json"
    schema_text = provider_schema_text()
    schema_changed = not schema_path.is_file() or _text_or_none(schema_path) != schema_text
    existing = [target / f"{pid}.yaml" for pid in texts if (target / f"{pid}.yaml").is_file()]
    if schema_changed and schema_path.is_file():
        existing.append(schema_path)
    if existing:
        report.backup_dir = _backup(target, existing)
    for pid in sorted(texts):
        write_atomic(target / f"{pid}.yaml", texts[pid], backup=False, make_parents=True)
        report.written.append(pid)
    if schema_changed:
        write_atomic(schema_path, schema_text, backup=False, make_parents=True)
    known = {p.id for p in providers}
    report.leftover = sorted(p.stem for p in target.glob("*.yaml") if p.stem not in known)
    return report


def _text_or_none(path: Path) -> str | None:
    """The file's UTF-8 text, or None when it is not UTF-8 (then it differs from any text we would write)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def _backup(target: Path, files: list[Path]) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = target / ".backup" / stamp
    n = 1
    while folder.exists():
        folder = target / ".backup" / f"{stamp}-{n}"
        n += 1
    try:
        for f in files:
            dest = folder / f.relative_to(target)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
    except OSError as e:
        from tco.errors import ExitCode

        raise TcoUserError(DataProblem(str(folder), None, "", f"cannot back up the old sheets: {e.strerror or e}; nothing was written"),
                           exit_code=ExitCode.WRITE_FAILED) from None
    return folder
