"""The Inputs, Sources and About sheets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.workbook.defined_name import DefinedName

from tco.engine import fields
from tco.engine import formulas as F
from tco.engine.fields import PROVISIONED_KIND, PROVISIONED_LABELS, label_for_kind
from tco.engine.rows import DEFAULT_SOURCE, Provenance
from tco.export.breakeven_search import ASCENT_POINTS, LOOK_BACK_POINTS, SEARCH_POINTS
from tco.export.constants import ConstantTable
from tco.export.grid import DATE, SCIENTIFIC, WHOLE, Grid, format_for_value, number_format_for, showing_digits
from tco.export.names import quote_sheet, urls_in
from tco.export.plan import INPUT_BY_NAME, ScenarioPlan
from tco.model.scenario import SelfHostedOption


@dataclass
class InputRow:
    """One input cell, for the Checks sheet: where it is and what the scenario schema allows."""

    scenario_id: str
    option_id: str
    name: str
    cell: str
    """e.g. 'Inputs'!$F$12"""
    value: float
    low: float | None
    high: float | None
    whole: bool = False
    number_format: str | None = None
    """The input cell's number format, for the Checks sheet's copy of its value."""
    kind_label: str = ""
    """What the input means for this option's kind when its name says otherwise (min_replicas: "minimum units")."""


@lru_cache(maxsize=None)
def input_bounds(name: str) -> tuple[float | None, float | None, bool]:
    """(lowest, highest, whole number?) of a formula input, from the scenario schema's bounds of the
    field that sets it (`tco.engine.fields.bounds`), carried through the field's `offset + scale x value`.
    (None, None) when no field sets it with a fixed scale."""
    low, high, whole, _ = _input_bounds(name)
    return low, high, whole


@lru_cache(maxsize=None)
def input_low_excluded(name: str) -> bool:
    """Whether the lowest bound itself is refused (requests_per_day > 0): the Checks sheet and the cell's validation
    then test `>`, not `>=`, as the scenario schema does."""
    return _input_bounds(name)[3]


def _input_bounds(name: str) -> tuple[float | None, float | None, bool, bool]:
    for f in fields.FIELDS:
        if f.input != name or callable(f.scale):
            continue
        low, high = fields.bounds(f)
        ends = [None if v is None else f.offset + f.scale * v for v in (low, high)]
        opens = list(fields.open_ends(f))
        if f.scale < 0:
            ends.reverse()
            opens.reverse()
        return ends[0], ends[1], f.ui == "whole" or name in WHOLE_INPUTS, opens[0] and ends[0] is not None
    return None, None, False, False


WHOLE_INPUTS = frozenset({"horizon_months", "spare_replicas", "min_replicas", "gpus_per_replica", "overflow_replicas"})

HUGE = 1e12
"""An input this large stands for "no limit" (e.g. no long-context tier): shown as 1.00E+300, not as ###."""
INPUTS_SHEET = "Inputs"
NAMING_RULE = (
    "Every input cell has a defined name: `<field>__<scenario>` for workload and finance figures (shared by all "
    "options of the scenario), `<field>__<scenario>__<option>` for an option's own figures. Ids are lower-cased, "
    "characters other than a-z and 0-9 become `_`, cut to 40 characters, numbered _2, _3 on a clash.")
COLOURS = "Blue on light yellow: inputs you may change. Black: formulas. Green: a link to another cell."
CONSTANTS_SCENARIO = "(constants)"
START_DATE_NOTE = ("first day of month 1: dates the month rows. The API prices were resolved for the exported start "
                   "date; changing this cell moves the dates only (export again to re-price)")


RE_RESOLVED_NOTE = ("llm-tco looks figures up again when this changes (the throughput at the latency target, the prices "
                    "in force): the sheet recomputes from this cell but keeps those figures (e.g. replica_generations_per_s) "
                    "at their exported values, so self-hosted figures can differ from `tco run --set`; export again with the "
                    "new value (`tco export --set`) for llm-tco's figures")
RE_RESOLVED_INPUTS = frozenset(f.input for f in fields.FIELDS if f.rebuild and f.input)
"""Formula inputs set by a field that re-resolves the option (`Field.rebuild`): a workbook edit cannot redo the lookup."""


PEAK_FROM_PROFILE_NOTE = ("the largest of the hourly weights below (a formula): the fleet sized for the busiest hour follows "
                          "an edited profile")
PROFILE_HOUR_NOTE = ("this hour's traffic / the average hour's: keep the 24 weights' mean at 1 (the day's volume is "
                     "requests_per_day); " + RE_RESOLVED_NOTE)
FISCAL_YEAR_NOTE = ("labels the month rows of the Calculations sheet with their fiscal year, named by the calendar year "
                    "it ends in: with 4 (April), April 2027 to March 2028 is FY2028; with 1, the calendar year. Costs do not change")
FISCAL_MONTHS = fields.bounds(next(f for f in fields.FIELDS if f.key == "fiscal_year_start_month"))
"""(1, 12), from the scenario schema."""


def constant_format(constant) -> str:
    """A named constant's number format: its unit's (a share in percent), else one from its value; enough decimals
    to show it (1/12 reads 0.0833, not 0.08)."""
    by_unit = number_format_for(constant.unit) if constant.unit else None
    if by_unit is None or (by_unit == WHOLE and not float(constant.value).is_integer()):
        by_unit = format_for_value(constant.value)
    return showing_digits(by_unit, constant.value)


def horizon_note(month_rows: int) -> str:
    return (f"any whole number of months from 1 to {month_rows} (the month rows of the Calculations sheet); every sum, "
            "average and per-unit figure counts only the months inside the horizon. The Checks sheet flags a longer one")


def build_inputs(plans: list[ScenarioPlan], wb, constants: ConstantTable | None = None,
                 month_rows: dict[str, int] | None = None) -> tuple[Grid, list[InputRow]]:
    """The Inputs grid (named constants first, then every input), and the input cells for the Checks sheet.

    Every changeable number carries data validation with the scenario schema's bounds.
    """
    g = Grid()
    g.text(1, 1, "Inputs", "title")
    g.text(2, 1, COLOURS + " Column G holds each input's defined name (the naming rule is on the About sheet).", "note")
    headers = ("scenario", "option", "input", "description", "unit", "value", "defined name", "source", "as of", "note")
    g.header_row(3, headers, (18, 18, 34, 44, 20, 16, 52, 50, 12, 60))
    g.align_top = True
    r = 4
    sheet = quote_sheet(INPUTS_SHEET)
    rows: list[InputRow] = []
    month_rows = month_rows or {}
    provisioned = {(p.scenario.id, o.option_id) for p in plans for o in p.options if o.row.kind == PROVISIONED_KIND}

    for k in (constants.all() if constants else []):
        g.text(r, 1, CONSTANTS_SCENARIO); g.text(r, 2, "(all)"); g.text(r, 3, k.name); g.text(r, 4, k.label); g.text(r, 5, k.unit)
        g.put(r, 6, k.value, "", constant_format(k)); g.text(r, 7, k.name); g.text(r, 8, "convention"); g.text(r, 10, k.why, wrap=True)
        wb.defined_names[k.name] = DefinedName(k.name, attr_text=f"{sheet}!$F${r}")
        r += 1
    if constants:
        r += 1

    def validate(row: int, low: float | None, high: float | None, whole: bool, title: str) -> None:
        if low is None and high is None:
            return
        kind = "whole" if whole else "decimal"
        if low is not None and input_low_excluded(title):
            cell = f"F{row}"
            above = f"{cell}>{low!r}" if high is None else f"AND({cell}>{low!r},{cell}<={high!r})"
            dv = DataValidation(type="custom", formula1=above)
            what = f"more than {low:g}" + ("" if high is None else f", at most {high:g}")
        elif low is not None and high is not None:
            dv = DataValidation(type=kind, operator="between", formula1=repr(low), formula2=repr(high))
            what = f"from {low:g} to {high:g}"
        elif low is not None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=repr(low))
            what = f"at least {low:g}"
        else:
            dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=repr(high))
            what = f"at most {high:g}"
        dv.error = f"{title}: the scenario schema allows {what}{' (whole number)' if whole else ''}."
        dv.errorTitle = "Out of bounds"
        dv.showErrorMessage = True
        dv.add(f"F{row}")
        g.validations.append(dv)

    def line(plan: ScenarioPlan, option_id: str, name: str, value: float | None, prov: Provenance | None, defined: str | None,
             link: str | None = None, note: str = "") -> None:
        nonlocal r
        inp = INPUT_BY_NAME.get(name)
        kind = PROVISIONED_KIND if (plan.scenario.id, option_id) in provisioned else None
        label, unit = label_for_kind(kind, name, inp.label, inp.unit) if inp else ("", "")
        g.text(r, 1, plan.scenario.id); g.text(r, 2, option_id); g.text(r, 3, name)
        g.text(r, 4, label); g.text(r, 5, unit)
        shown = showing_digits(number_format_for(unit), value)
        if link and value is None:  # the other option's cell is empty (not given): so is this one
            g.formula(r, 6, f'IF(ISNUMBER({link}),{link},"")', "link", shown, cached="")
        elif link:
            g.formula(r, 6, link, "link", shown, cached=float(value))
        else:
            g.put(r, 6, None if value is None else float(value), "input",
                  shown if value is None or abs(value) < HUGE else SCIENTIFIC)
            low, high, whole = input_bounds(name)
            capacity = float(month_rows.get(plan.scenario.id, 0)) if name == "horizon_months" else 0.0
            validate(r, low, capacity or high, whole, name)
            # the Checks sheet shows the schema's bounds; the month rows a horizon may fill are checked on a line of their own
            rows.append(InputRow(plan.scenario.id, option_id, name, f"{sheet}!$F${r}", float(value or 0), low, high, whole,
                                 shown, label if kind and name in PROVISIONED_LABELS else ""))
        if defined:
            g.text(r, 7, defined)
            wb.defined_names[defined] = DefinedName(defined, attr_text=f"{sheet}!$F${r}")
        if name in RE_RESOLVED_INPUTS and not link:
            note = "; ".join(x for x in (note, RE_RESOLVED_NOTE) if x)
        if prov is not None:
            g.link(r, 8, prov.source); g.text(r, 9, prov.as_of)
            note = "; ".join(x for x in (prov.note, note) if x)
        g.text(r, 10, note, wrap=True)
        r += 1

    for plan in plans:
        first = plan.options[0].row
        g.text(r, 1, plan.scenario.id); g.text(r, 2, "(all options)"); g.text(r, 3, "start_date")
        g.text(r, 4, "first day of month 1"); g.text(r, 5, "date")
        g.put(r, 6, float((plan.start_date - dt.date(1899, 12, 30)).days), "input", DATE)
        g.text(r, 7, plan.start_date_name); g.text(r, 8, "scenario file" if plan.scenario.finance.start_date else "export date")
        g.text(r, 10, START_DATE_NOTE, wrap=True)
        wb.defined_names[plan.start_date_name] = DefinedName(plan.start_date_name, attr_text=f"{sheet}!$F${r}")
        r += 1
        if plan.fiscal_year_start_month is not None:
            g.text(r, 1, plan.scenario.id); g.text(r, 2, "(all options)"); g.text(r, 3, "fiscal_year_start_month")
            g.text(r, 4, "first calendar month of the fiscal year"); g.text(r, 5, "month")
            g.put(r, 6, plan.fiscal_year_start_month, "input", WHOLE)
            g.text(r, 7, plan.fiscal_year_name); g.text(r, 8, "scenario file"); g.text(r, 10, FISCAL_YEAR_NOTE, wrap=True)
            wb.defined_names[plan.fiscal_year_name] = DefinedName(plan.fiscal_year_name, attr_text=f"{sheet}!$F${r}")
            validate(r, FISCAL_MONTHS[0], FISCAL_MONTHS[1], True, "fiscal_year_start_month")
            rows.append(InputRow(plan.scenario.id, "(all options)", "fiscal_year_start_month", f"{sheet}!$F${r}",
                                 float(plan.fiscal_year_start_month), *FISCAL_MONTHS, True, WHOLE))
            r += 1
        hours = [(None, f"profile_h{h:02d}") for h in range(F.PROFILE_HOURS)]
        profiled = plan.scenario.workload.hourly_profile is not None and all(k in plan.names for k in hours)
        for name in plan.scenario_inputs:
            if profiled and name == "peak_to_average":
                # given a profile, the ratio IS its largest hour (tco.engine.rows._workload_values): a formula over the
                # hours' cells, so a fleet sized for the busiest hour follows an edited profile as the hourly formulas do
                line(plan, "(all options)", name, plan.scenario_values[name], first.provenance.get(name), plan.names[(None, name)],
                     link=f"MAX({','.join(plan.names[k] for k in hours)})", note=PEAK_FROM_PROFILE_NOTE)
                continue
            line(plan, "(all options)", name, plan.scenario_values[name], first.provenance.get(name), plan.names[(None, name)],
                 note=horizon_note(month_rows.get(plan.scenario.id, plan.horizon_months)) if name == "horizon_months"
                 else PROFILE_HOUR_NOTE if (None, name) in hours and profiled else "")
        for o in plan.options:
            for name in o.input_names:
                line(plan, o.option_id, name, o.input_value(name), o.row.provenance.get(name), plan.names[(o.option_id, name)])
            for name, target in o.linked.items():
                line(plan, o.option_id, name, o.input_value(name), None, None, link=target, note=f"the cell {target} of the option this hybrid uses")
    return g, rows


def build_sources(plans: list[ScenarioPlan], catalog) -> Grid:
    """Every price, spec and measurement the workbook uses, with its source and date."""
    g = Grid()
    g.text(1, 1, "Sources", "title")
    g.text(2, 1, "Where every figure comes from. `scenario file` figures are the user's own assumptions.", "note")
    headers = ("kind", "record", "figures", "source", "as of", "note", "used by")
    g.header_row(3, headers, (16, 34, 50, 60, 12, 50, 60))
    g.align_top = True
    entries: dict[tuple, list[str]] = {}

    def add(kind: str, record: str, figures: str, source: str, as_of: str, note: str, used_by: str) -> None:
        entries.setdefault((kind, record, figures, source, as_of, note), [])
        if used_by not in entries[(kind, record, figures, source, as_of, note)]:
            entries[(kind, record, figures, source, as_of, note)].append(used_by)

    for plan in plans:
        for o in plan.options:
            row = o.row
            who = f"{plan.scenario.id} / {o.option_id}"
            if row.api_price is not None:
                p = row.api_price
                prices = ", ".join(f"{label} {value:g}" for label, value in (
                    ("input", p.input_usd_per_million_tokens), ("output", p.output_usd_per_million_tokens),
                    ("cache read", p.cache_read_usd_per_million_tokens), ("cache write", p.cache_write_usd_per_million_tokens),
                    ("batch input", p.batch_input_usd_per_million_tokens), ("batch output", p.batch_output_usd_per_million_tokens),
                ) if value is not None) + " USD per million tokens"
                note = "; ".join(x for x in (f"in force from {p.effective_from}" if p.effective_from else "", p.tier_note or "") if x)
                add("API price", f"{p.provider} / {p.model}", prices, p.source, p.as_of, note, who)
            spec = next((s for s in plan.scenario.options if s.id == o.option_id), None)
            if isinstance(spec, SelfHostedOption) and catalog is not None:
                for kind, record in (("GPU", catalog.gpus.get(spec.gpu)), ("open model", catalog.models.get(spec.model)),
                                     ("GPU offer", catalog.offers.get(spec.payment.offer) if spec.payment.offer else None)):
                    for s in getattr(record, "sources", None) or []:
                        add(kind, record.id, ", ".join(s.covers), s.source, s.as_of, s.note or "", who)
            names = [*(plan.scenario_inputs if o is plan.options[0] else ()), *o.input_names]
            for name in names:
                prov = row.provenance.get(name)
                if prov is None:
                    continue
                kind = {"scenario file": "assumption", DEFAULT_SOURCE: "default"}.get(prov.source, "input figure")
                used = f"{plan.scenario.id}" if name in plan.scenario_inputs else who
                add(kind, name, name, prov.source, prov.as_of, prov.note, used)
    r = 4
    for (kind, record, figures, source, as_of, note), users in entries.items():
        for c, v in enumerate((kind, record, figures, source, as_of, note, ", ".join(users)), start=1):
            if c == 4:
                g.link(r, c, v)
            else:
                g.text(r, c, v, wrap=c in WRAPPED_SOURCE_COLUMNS)
        for url in urls_in(source)[1:]:  # the source cell links to the first address it names; the others below it
            r += 1
            g.text(r, 3, "further link of the source above", "note"); g.link(r, 4, url)
        r += 1
    return g


WRAPPED_SOURCE_COLUMNS = (3, 6, 7)
"""figures, note, used by: long lists, wrapped so the sheet prints at a readable width."""


WORKBOOK_FUNCTIONS = ("IF", "AND", "OR", "NOT", "IFERROR", "ISNUMBER", "SUM", "SUMPRODUCT", "COUNT", "COUNTIF", "MIN", "MAX", "ABS",
                      "ROUND", "ROUNDUP", "ROUNDDOWN", "INDEX", "MATCH", "ROW", "EDATE", "YEAR", "MONTH", "TEXT")
"""Every spreadsheet function the exported formulas call, as the About sheet lists them (tests/test_docs.py checks
the list against the formulas of exported workbooks)."""


def build_about(run, version: str, generated: dt.datetime, notes: list[str]) -> Grid:
    """Tool version, date, conventions, and the sha256 of every scenario file the `tco.run.Run` read."""
    g = Grid()
    g.text(1, 1, "About this workbook", "title")
    g.width(1, 28); g.width(2, 100); g.width(3, 70)
    g.freeze = "A2"
    g.print_title_rows = "1:1"
    g.align_top = True
    rows = [
        ("tool", f"llm-tco {version}"),
        ("generated", generated.isoformat(timespec="seconds")),
        ("run date (--as-of)", f"{run.today.isoformat()}: the start of a scenario without finance.start_date; each month pays "
                               "the API prices in force on its first day"),
        ("input names", NAMING_RULE),
        ("colours", COLOURS),
        ("break-even volume", f"Found live on each Calculations sheet, one block of columns per search point (the API "
                              "reference's total is proportional to volume, so only the self-hosted months are recomputed): "
                              f"{len(SEARCH_POINTS)} points from the volume llm-tco exported (that volume, a Newton step, then "
                              "bracketing steps: regula falsi once a costlier and a cheaper volume are known, a secant step "
                              f"before), a look-back of {len(LOOK_BACK_POINTS)} points below the last step and "
                              f"{len(ASCENT_POINTS)} safe steps up (a staircase that crosses the API line more than once), "
                              "certified by two more blocks 0.5 % below and above. Within 1 % of `tco breakeven` when the "
                              "crossing is unique. When no crossing is certified: 'never' where llm-tco found none either (as "
                              "`tco run` says), else 'not found' and a red line on the Checks sheet. The exported exact value "
                              "stays beside it."),
        ("functions", f"Only functions both Excel and LibreOffice evaluate: {', '.join(WORKBOOK_FUNCTIONS)}; and Excel data "
                      "tables (What-If Analysis) for the cost-by-volume curves."),
        *[("note", n) for n in notes],
    ]
    r = 3
    for key, value in rows:
        g.text(r, 1, key, "bold"); g.text(r, 2, value, wrap=True)
        r += 1
    r += 1
    g.text(r, 1, "scenario file", "header"); g.text(r, 2, "sha256", "header")
    r += 1
    hashes = run.loaded.hashes
    if not hashes:
        g.text(r, 1, "(scenarios given in memory, not from files)")
    for name, digest in hashes.items():
        g.text(r, 1, name); g.text(r, 2, digest)
        r += 1
    return g
