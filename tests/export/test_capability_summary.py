"""Capability sits next to cost on the workbook's Summary, as the engine assessed it."""

from __future__ import annotations

import datetime as dt

import openpyxl

from tco.export.excel import export_workbook
from tco.run import example_files, run_scenarios


def test_every_option_of_a_scenario_with_a_capability_bar_shows_its_verdict(tmp_path):
    path = next(p for p in example_files() if p.stem == "coding-agent")
    run = run_scenarios([path], today=dt.date(2026, 11, 27))
    results = run.results
    out = export_workbook(run, tmp_path / "agent.xlsx")
    sheet = openpyxl.load_workbook(out)["Summary"]
    rows = {r[1]: r for r in sheet.iter_rows(values_only=True) if r[1] in set(results.options["option"])}
    header = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "rank")
    verdict_col = header.index("meets the bar?")
    for rec in results.options.iter_rows(named=True):
        assert rows[rec["option"]][verdict_col] == rec["capability_verdict"]
    assert {rec["capability_verdict"] for rec in results.options.iter_rows(named=True)} >= {"qualifies", "unknown"}
