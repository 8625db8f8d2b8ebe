"""Emissions of the own fleet, worked by hand (issue 20 item 4).

Convention: location-based scope 2 (GHG Protocol Scope 2 Guidance, 2015): electricity drawn x the
grid's average intensity. The facility's energy is the GPUs' server power x their draw x PUE, the
same figure `energy_kwh` reports (issue 15 item 10). API providers publish no per-token figure.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tco.report.results import result_records
from tco.run import run_scenarios

SCENARIO = """
schema_version: 1
scenarios:
  - id: carbon
    workload: {requests_per_day: 86400, input_tokens: 100, output_tokens: 100}
    finance: {horizon_months: 12, start_date: 2026-12-01}
    options:
      - kind: self-hosted
        id: rented
        model: llama-3.3-70b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: on-demand, gpu_usd_per_hour: 2.0}
        operations: {server_power_per_gpu_kw: 1.0, idle_power_share: 0.3, pue: 1.5, grid_gco2e_per_kwh: 400}
      - kind: self-hosted
        id: bought
        model: llama-3.3-70b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: purchased, purchase_usd_per_gpu: 25000}
        operations: {server_power_per_gpu_kw: 1.0, idle_power_share: 0.3, pue: 1.5, usd_per_kwh: 0.1,
                     grid_carbon_figure: grid-carbon-france-ember}
      - kind: self-hosted
        id: default-draw
        model: llama-3.3-70b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: on-demand, gpu_usd_per_hour: 2.0}
        operations: {server_power_per_gpu_kw: 1.0, grid_gco2e_per_kwh: 400}
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

# By hand: 86,400 requests a day = 1 completion/s; a replica serves 1000 / 100 = 10 completions/s, so
# one 1-GPU replica, busy 1/10 of the time. A month is 8,760 / 12 = 730 hours.
KWH_PER_MONTH = 730 * 1 * (0.3 + (1 - 0.3) * 0.1) * 1.0 * 1.5        # = 405.15 kWh
REQUESTS_PER_MONTH = 86_400 * 365 / 12                                 # = 2,628,000
TOKENS_PER_MONTH = REQUESTS_PER_MONTH * 200


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    path = tmp_path_factory.mktemp("carbon") / "carbon.yaml"
    path.write_text(SCENARIO)
    run = run_scenarios([path], today=dt.date(2026, 12, 1))
    return {r["option"]: r for r in result_records(run.results)}


def test_a_rented_fleet_emits_its_energy_times_the_grid_intensity_it_was_given(records):
    kg_per_month = KWH_PER_MONTH * 400 / 1000                          # = 162.06 kgCO2e
    r = records["rented"]
    assert r["energy_kwh"] == pytest.approx(12 * KWH_PER_MONTH)
    assert r["carbon_kg_co2e"] == pytest.approx(12 * kg_per_month)     # = 1,944.72
    assert r["carbon_kg_co2e_per_request"] == pytest.approx(kg_per_month / REQUESTS_PER_MONTH)
    assert r["carbon_kg_co2e_per_million_tokens"] == pytest.approx(kg_per_month / TOKENS_PER_MONTH * 1e6)  # = 0.3083


def test_a_bought_fleet_takes_a_sourced_grid_figure_from_the_catalog(records):
    # hardware/cost_figures.yaml grid-carbon-france-ember: 56 gCO2e/kWh (Ember 2023 via Our World in Data)
    r = records["bought"]
    assert r["carbon_kg_co2e"] == pytest.approx(12 * KWH_PER_MONTH * 56 / 1000)  # = 272.26
    assert "location-based" in r["carbon_note"]


def test_without_a_grid_intensity_emissions_are_not_shown_as_zero(records):
    r = records["unknown-grid"]
    # no operations block: 0 idle draw, PUE 1, server power from the DGX H100 ratio (10.2 kW / 8 GPUs)
    assert r["energy_kwh"] == pytest.approx(12 * 730 * 0.1 * 10.2 / 8)
    assert r["carbon_kg_co2e"] is None and "no grid intensity" in r["carbon_note"]


def test_an_api_option_says_its_emissions_are_not_published(records):
    r = records["api"]
    assert r["carbon_kg_co2e"] is None and "not published" in r["carbon_note"]


def test_a_misspelt_grid_figure_is_a_located_error_with_a_suggestion(tmp_path):
    from tco.errors import TcoUserError

    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.replace("grid-carbon-france-ember", "grid-carbon-frnace-ember"))
    with pytest.raises(TcoUserError) as e:
        run_scenarios([path], today=dt.date(2026, 12, 1))
    [problem] = e.value.problems
    assert problem.field.endswith("operations.grid_carbon_figure") and problem.line is not None
    assert "grid-carbon-france-ember" in problem.hint


def test_emissions_on_the_default_pue_and_idle_draw_say_they_are_a_lower_bound(records):
    # PUE 1 (no facility overhead) and idle 0 are the fields' defaults, not figures: published PUEs are
    # above 1 (AWS 1.15 in 2023/2024, Google ~1.1, Uptime survey average 1.54-1.58; BILLING.md 3).
    # 1 completion/s on a 10/s replica: 730 h x 1 kW x (0 + 1 x 0.1) x 1 = 73 kWh a month.
    r = records["default-draw"]
    assert r["energy_kwh"] == pytest.approx(12 * 73)
    assert "lower bound" in r["carbon_note"] and "pue 1" in r["carbon_note"] and "idle_power_share 0" in r["carbon_note"]
    assert "lower bound" not in records["rented"]["carbon_note"]
    # the average it quotes is the newest Uptime survey in the shared data (capex_and_opex_sources.csv: 1.54, 2025
    # survey, article 2026-01-19), not the 2023 one (1.58)
    assert "1.54 on average, Uptime 2025" in r["carbon_note"]


def test_a_grid_intensity_not_given_is_called_a_default_not_the_users_figure(tmp_path):
    """The 0 that keeps the formulas running where no grid intensity is given is not the user's: `tco explain` and the
    workbook's Inputs sheet (both read the row's provenance) said "scenario file" for it, as if someone had typed 0."""
    from tco.api import explanation

    path = tmp_path / "carbon.yaml"
    path.write_text(SCENARIO)
    run = run_scenarios([path], today=dt.date(2026, 12, 1))
    sources = {i["name"]: i for i in explanation(run.results, "carbon", "unknown-grid", "carbon_kg_co2e_in_month", 1)
               .as_dict()["inputs"]}
    grid = sources["grid_gco2e_per_kwh"]
    assert (grid["value"], grid["source"]) == (0.0, "default")
    assert "not known" in grid["note"]
    given = {i["name"]: i for i in explanation(run.results, "carbon", "rented", "carbon_kg_co2e_in_month", 1)
             .as_dict()["inputs"]}["grid_gco2e_per_kwh"]
    assert (given["value"], given["source"]) == (400.0, "scenario file")
