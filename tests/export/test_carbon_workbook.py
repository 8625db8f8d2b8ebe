"""Emissions in the workbook are what `tco run` says: a figure where a grid intensity is given, not known (an empty
cell, not 0) where none is, as `tco run --format json` reports null (tests/engine/test_carbon.py works the figures out).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import openpyxl
import pytest

from tco.export.excel import export_workbook
from tco.report.results import result_records
from tco.run import run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, calc_layout, input_cells, recalculated_by_libreoffice  # noqa: E402

SCENARIO = """
schema_version: 1
scenarios:
  - id: carbon
    workload: {requests_per_day: 86400, input_tokens: 100, output_tokens: 100}
    finance: {horizon_months: 3, start_date: 2026-12-01}
    options:
      - kind: self-hosted
        id: given-grid
        model: llama-3.3-70b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: on-demand, gpu_usd_per_hour: 2.0}
        operations: {server_power_per_gpu_kw: 1.0, idle_power_share: 0.3, pue: 1.5, grid_gco2e_per_kwh: 400}
      - kind: self-hosted
        id: unknown-grid
        model: llama-3.3-70b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: on-demand, gpu_usd_per_hour: 2.0}
      - kind: api
        id: api
        provider: openai
        model: gpt-4.1-mini
"""
TODAY = dt.date(2026, 12, 1)
SHEET = "Calc carbon"
SPREADSHEET_ERRORS = ("#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!")
EMISSIONS = ("carbon_kg_co2e", "carbon_kg_co2e_per_request", "carbon_kg_co2e_per_million_tokens")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("carbon-workbook")
    path = folder / "carbon.yaml"
    path.write_text(SCENARIO)
    run = run_scenarios([path], today=TODAY)
    records = {r["option"]: r for r in result_records(run.results)}
    return path, records, export_workbook(run, folder / "carbon.xlsx")


def emission_cells(book, layout) -> dict[tuple[str, str], object]:
    """(option, emission figure) -> the cell's value, and (option, "month N") -> the monthly emissions column."""
    calc = book[SHEET]
    out = {(option, name): calc[layout.results[(option, name)]].value for option in ("given-grid", "unknown-grid", "api")
           for name in EMISSIONS}
    for option in ("given-grid", "unknown-grid"):
        column = layout.blocks[option]["carbon_kg_co2e_in_month"]
        out.update({(option, f"month {n}"): calc[f"{column}{r}"].value for n, r in enumerate(layout.month_rows[:3], start=1)})
    return out


def assert_no_errors(book) -> None:
    errors = [(ws.title, c.coordinate, c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and (c.value in SPREADSHEET_ERRORS or c.value.startswith("Err:"))]
    assert not errors, (len(errors), errors[:5])


def assert_as_tco_run(cells: dict, records: dict, unknown: tuple[str, ...]) -> None:
    for (option, name), value in cells.items():
        if option in unknown:
            # before the fix: 0.0 here, a figure nobody knows (tco run: null)
            assert value in ("", None), (option, name, value)
        elif name in EMISSIONS:
            assert isinstance(value, float) and math.isclose(value, records[option][name], rel_tol=1e-9), (option, name, value)
        else:  # a month: a third of the horizon's emissions (the load is flat)
            assert math.isclose(value, records[option]["carbon_kg_co2e"] / 3, rel_tol=1e-9), (option, name, value)


def test_emissions_are_empty_where_tco_run_says_null_and_tco_runs_figures_where_a_grid_intensity_is_given(exported):
    _, records, path = exported
    assert records["unknown-grid"]["carbon_kg_co2e"] is None and records["api"]["carbon_kg_co2e"] is None
    # by hand: 730 h x 1 kW x (0.3 + 0.7 x 0.1 busy) x PUE 1.5 = 405.15 kWh a month, x 400 g/kWh over 3 months
    assert records["given-grid"]["carbon_kg_co2e"] == pytest.approx(3 * 405.15 * 400 / 1000)  # = 486.18 kgCO2e
    book = openpyxl.load_workbook(path, data_only=True)
    assert_as_tco_run(emission_cells(book, calc_layout(path, SHEET)), records, unknown=("unknown-grid", "api"))
    # the grid intensity nobody gave is an empty input cell, not a 0 that reads as the user's figure
    assert book["Inputs"][input_cells(path)[("carbon", "unknown-grid", "grid_gco2e_per_kwh")]].value is None


@pytest.mark.slow  # LibreOffice's start and recomputation: about 5 s
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_recomputes_them_without_errors_and_a_typed_grid_intensity_gives_tco_run_sets_figures(exported, tmp_path):
    scenario, records, path = exported
    layout = calc_layout(path, SHEET)
    recomputed = openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path / "as-exported"), data_only=True)
    assert_no_errors(recomputed)
    assert_as_tco_run(emission_cells(recomputed, layout), records, unknown=("unknown-grid", "api"))
    # a figure typed into the empty cell: the emissions follow, as `tco run --set ...grid_gco2e_per_kwh=400` gives
    changed = tmp_path / "changed.xlsx"
    book = openpyxl.load_workbook(path)
    book["Inputs"][input_cells(path)[("carbon", "unknown-grid", "grid_gco2e_per_kwh")]] = 400
    book.save(changed)
    expected = {r["option"]: r for r in result_records(run_scenarios(
        [scenario], today=TODAY, overrides=["options.unknown-grid.operations.grid_gco2e_per_kwh=400"]).results)}
    # by hand: 1 completion/s on a 10/s replica, 0 idle draw, PUE 1, 10.2 kW / 8 GPUs (DGX H100, tests/engine/test_carbon.py)
    assert expected["unknown-grid"]["carbon_kg_co2e"] == pytest.approx(3 * 730 * 0.1 * 10.2 / 8 * 400 / 1000)  # = 111.69
    recomputed = openpyxl.load_workbook(recalculated_by_libreoffice(changed, tmp_path / "changed"), data_only=True)
    assert_no_errors(recomputed)
    assert_as_tco_run(emission_cells(recomputed, layout), expected, unknown=("api",))
