"""Issue 15, items 7, 8, 10, 11, 12: self-hosted costs as the cloud invoices them and finance books them.

Each expectation is worked by hand here (not by calling the engine's formulas), with the billing
page or accounting convention it follows (/work/shared/BILLING.md). A month is 730 hours.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import PURCHASED, RENTED, evaluate  # noqa: E402

HOURS = 730.0
DAYS = 365 / 12


def month_value(results, option: str, name: str, month: int = 1) -> float:
    row = results.options.filter(pl.col("option") == option)["row"][0]
    m = results.monthly.filter((pl.col("row") == row) & (pl.col("month") == month))
    return m[name][0]


def total(results, option: str, column: str) -> float:
    return results.options.filter(pl.col("option") == option)[column][0]


# RENTED (rows_by_hand): peak 15 completions/s, a replica may serve 4 x 0.75 = 3/s -> 5 replicas + 1 spare
# = 6 replicas x 2 GPUs = 12 GPUs serving.


def test_a_fleet_rents_whole_instances_and_pays_the_idle_gpus():
    # Clouds bill instances (AWS EC2: a p5.48xlarge is 8 H100s, billed per instance-second; BILLING.md 2).
    # 12 GPUs on 8-GPU instances: ceil(12 / 8) = 2 instances = 16 GPUs paid, 4 idle.
    # Rental: 16 GPUs x 730 h x (1 + 0.1 spot overhead) x 2.5 $/GPU-h = 32,120 $.
    r = evaluate(("whole", "self-hosted", {**RENTED, "gpus_per_instance": 8.0}),
                 ("per_gpu", "self-hosted", {**RENTED, "gpus_per_instance": 1.0}))
    assert month_value(r, "whole", "instances_in_month") == pytest.approx(2)
    assert month_value(r, "whole", "gpus_in_month") == pytest.approx(16)
    assert month_value(r, "whole", "idle_gpus_in_month") == pytest.approx(4)
    assert month_value(r, "whole", "gpu_rental_usd") == pytest.approx(32_120)
    # billed per GPU: 12 GPUs x 730 x 1.1 x 2.5 = 24,090 $, none idle
    assert month_value(r, "per_gpu", "gpu_rental_usd") == pytest.approx(24_090)
    assert month_value(r, "per_gpu", "idle_gpus_in_month") == pytest.approx(0)


def test_rental_prices_follow_the_yearly_gpu_price_change():
    # Symmetric with the API decline: price x (1 + change)^((month - 1) / 12). With -20 % a year,
    # month 13 pays 0.8 x, month 7 pays 0.8^0.5 = 0.894427 x month 1's 24,090 $.
    r = evaluate(("falling", "self-hosted", {**RENTED, "horizon_months": 13.0, "gpu_price_change_per_year": -0.2}))
    assert month_value(r, "falling", "gpu_rental_usd", 1) == pytest.approx(24_090)
    assert month_value(r, "falling", "gpu_rental_usd", 7) == pytest.approx(24_090 * 0.894427191)
    assert month_value(r, "falling", "gpu_rental_usd", 13) == pytest.approx(24_090 * 0.8)


def test_energy_is_shown_for_a_rented_fleet_but_not_charged():
    # Power per GPU from the server (1.2 kW incl. host share, the same figure that sizes colocation),
    # busy replicas draw idle + (1 - idle) x utilization, idle GPUs draw idle; x PUE.
    # 16 GPUs paid on 8-GPU instances, 12 serving at utilization 10/s / (6 x 4/s) = 5/12:
    # serving: 12 x 730 x 1.2 x (0.3 + 0.7 x 5/12) = 6,219.6 kWh; idle: 4 x 730 x 1.2 x 0.3 = 1,051.2 kWh;
    # x PUE 1.25 = 9,088.5 kWh. Cloud prices include power (power_usd 0 on a rented fleet).
    rented = {**RENTED, "gpus_per_instance": 8.0, "server_power_per_gpu_kw": 1.2, "idle_power_share": 0.3,
              "pue": 1.25, "usd_per_kwh": 0.1}
    r = evaluate(("rented", "self-hosted", rented))
    serving = 12 * HOURS * 1.2 * (0.3 + 0.7 * 5 / 12)
    idle = 4 * HOURS * 1.2 * 0.3
    assert (serving + idle) * 1.25 == pytest.approx(9_088.5)
    assert month_value(r, "rented", "energy_kwh_in_month") == pytest.approx((serving + idle) * 1.25)
    assert month_value(r, "rented", "power_usd") == 0
    # per million tokens: 864,000 requests/day x 30.4167 days x (1,000 in + 100 out) tokens = 28,908 M tokens a month
    tokens_m = 864_000 * DAYS * 1_100 / 1e6
    assert tokens_m == pytest.approx(28_908)
    assert total(r, "rented", "energy_kwh_per_million_tokens") == pytest.approx((serving + idle) * 1.25 / tokens_m)


def test_power_of_owned_gpus_comes_from_the_server_and_rises_with_power_inflation():
    # PURCHASED: 12 GPUs, 1.2 kW per GPU server power, idle 0.3, PUE 1.2, 0.1 $/kWh, utilization 5/12.
    # month 1: 12 x 730 x 1.2 x (0.3 + 0.7 x 5/12) x 1.2 x 0.1 = 746.352 $; +10 %/year -> month 13 x 1.1.
    r = evaluate(("bought", "self-hosted", {**PURCHASED, "horizon_months": 13.0, "power_inflation_per_year": 0.1}))
    month1 = 12 * HOURS * 1.2 * (0.3 + 0.7 * 5 / 12) * 1.2 * 0.1
    assert month1 == pytest.approx(746.352)
    assert month_value(r, "bought", "power_usd", 1) == pytest.approx(month1)
    assert month_value(r, "bought", "power_usd", 13) == pytest.approx(month1 * 1.1)


def test_an_autoscaled_fleet_reports_its_busiest_hour_apart_from_its_average():
    # 12 hours at 0.5 x and 12 hours at 1.5 x the average of 10/s (weights are already normalised).
    # Quiet hour: 5/s / 3 = 2 replicas (ceil 1.67) + 1 spare = 3 x 2 = 6 GPUs; busy: 15/3 = 5 + 1 = 6 x 2 = 12 GPUs.
    # Peak (busiest hour) 12 GPUs; average (6 + 12) / 2 = 9 GPUs.
    profile = {f"profile_h{h:02d}": (0.5 if h < 12 else 1.5) for h in range(24)}
    r = evaluate(("auto", "self-hosted", {**RENTED, **profile, "is_autoscaled": 1.0}))
    assert total(r, "auto", "gpus_peak") == pytest.approx(12)
    assert total(r, "auto", "gpus_average") == pytest.approx(9)


def test_finance_lines_storage_egress_maintenance_and_staff_inflation():
    # storage: 500 GB x 0.08 $/GB-month = 40 $ a month (GB-month x price, as block storage bills)
    # egress: 864,000 x 30.4167 requests x 0.0001 GB x 0.09 $/GB = 236.52 $
    # maintenance (purchased): 12 GPUs x 30,000 $ x 8 %/year / 12 = 2,400 $ a month
    # staff: 0.5 FTE x 240,000 $ / 12 x 0.5 = 5,000 $ in month 1, x 1.05 in month 13 at +5 %/year
    lines = {"storage_gb": 500.0, "storage_usd_per_gb_month": 0.08, "egress_gb_per_request": 0.0001,
             "egress_usd_per_gb": 0.09, "maintenance_share_of_capex_per_year": 0.08, "staff_inflation_per_year": 0.05,
             "horizon_months": 13.0}
    r = evaluate(("bought", "self-hosted", {**PURCHASED, **lines}), ("rented", "self-hosted", {**RENTED, **lines}))
    assert month_value(r, "bought", "storage_usd") == pytest.approx(40)
    assert month_value(r, "bought", "egress_usd") == pytest.approx(864_000 * DAYS * 0.0001 * 0.09)
    assert 864_000 * DAYS * 0.0001 * 0.09 == pytest.approx(236.52)
    assert month_value(r, "bought", "maintenance_usd") == pytest.approx(2_400)
    assert month_value(r, "rented", "maintenance_usd") == 0  # no capex, no maintenance share
    assert month_value(r, "bought", "staff_usd", 1) == pytest.approx(5_000)
    assert month_value(r, "bought", "staff_usd", 13) == pytest.approx(5_250)


def test_finance_lines_are_zero_by_default():
    r = evaluate(("bought", "self-hosted", PURCHASED))
    for line in ("storage_usd", "egress_usd", "maintenance_usd"):
        assert month_value(r, "bought", line) == 0


@pytest.mark.parametrize("gpus_per_replica, note", [
    (16, "whole instances of 8 GPUs are rented"),  # two whole instances a replica: nothing left over by the packing
    (4, "whole instances of 8 GPUs are rented"),  # two replicas an instance
])
def test_a_replica_of_whole_instances_is_not_said_to_fill_them_unevenly(tmp_path, capsys, gpus_per_replica, note):
    # The coding-agent example's Qwen3 option rents 8-GPU instances (gcp:a3-ultragpu-8g); GPUs are packed as
    # ceil(replicas x GPUs per replica / 8) instances, so 16 or 4 GPUs a replica leave no GPU of a full fleet idle.
    import json

    from tco.cli import main

    text = (Path(__file__).resolve().parents[2] / "tco" / "examples" / "coding-agent.yaml").read_text(encoding="utf-8")
    old = "        gpu: h200\n        gpus_per_replica: 8\n"
    assert old in text
    path = tmp_path / "scenario.yaml"
    path.write_text(text.replace(old, f"        gpu: h200\n        gpus_per_replica: {gpus_per_replica}\n", 1), encoding="utf-8")
    assert main(["run", str(path), "--format", "json", "--no-breakeven"]) == 0
    qwen = next(r for r in json.loads(capsys.readouterr().out) if r["option"] == "qwen3-235b-h200-gcp")
    assert note in qwen["notes"] and "does not fill" not in qwen["notes"]


BOUGHT_IN_SERVERS = """
scenarios:
- id: bought
  workload: {{requests_per_day: 1000, input_tokens: 1000, output_tokens: 200}}
  finance: {{horizon_months: 12, start_date: 2026-12-01}}
  options:
  - kind: self-hosted
    id: {id}
    model: llama-3.3-70b
    gpu: h100-sxm
    gpus_per_replica: 2
    min_replicas: 3
    payment: {{mode: purchased, purchase_usd_per_gpu: 24875, depreciation_years: 4, residual_value_share: 0.1{server}}}
"""


@pytest.mark.parametrize("server, gpus", [("", 6), (", gpus_per_server: 8", 8)])
def test_a_purchased_fleet_is_bought_in_whole_servers(tmp_path, capsys, server, gpus):
    """Finance books the server bought, not a share of it: 3 replicas of 2 H100s need 6 GPUs, and with DGX H100
    servers of 8 (payment.gpus_per_server) the fleet owns ceil(6 / 8) = 1 server = 8 GPUs, 2 of them idle but
    depreciated. Straight-line depreciation to a 10 % residual over 48 months, which goes on while a GPU idles
    (BILLING.md 4: (cost - residual) / life, IAS 16.55): 8 x 24,875 x 0.9 / 48 = 3,731.25 $ a month,
    44,775 $ over 12 months; bought one GPU at a time, 6 x 24,875 x 0.9 / 48 x 12 = 33,581.25 $."""
    import json

    from tco.cli import main

    path = tmp_path / "bought.yaml"
    path.write_text(BOUGHT_IN_SERVERS.format(id="bought", server=server), encoding="utf-8")
    assert main(["run", str(path), "--format", "json", "--no-breakeven"]) == 0
    [option] = [r for r in json.loads(capsys.readouterr().out) if r["option"] == "bought"]
    assert option["gpus_peak"] == gpus
    assert option["breakdown_usd"]["depreciation_usd"] == pytest.approx(gpus * 24_875 * 0.9 / 48 * 12)
    assert ("whole servers of 8 GPUs are bought" in option["notes"]) == bool(server)


def test_gpus_per_server_belongs_to_a_purchased_fleet(tmp_path, capsys):
    from tco.cli import main

    path = tmp_path / "rented.yaml"
    path.write_text(BOUGHT_IN_SERVERS.format(id="rented", server=", gpus_per_server: 8").replace(
        "mode: purchased, purchase_usd_per_gpu: 24875", "mode: on-demand, offer: aws:p5.48xlarge"), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert f"{path}:13: scenarios[0].options[0].payment.gpus_per_server: belongs to mode `purchased`" in capsys.readouterr().err


GPU_ONLY_OFFER = """
scenarios:
- id: gcp
  workload: {requests_per_day: 1000, input_tokens: 1000, output_tokens: 100}
  finance: {horizon_months: 1, start_date: 2026-12-01}
  options:
  - kind: self-hosted
    id: gpu-only
    model: llama-3.3-70b
    gpu: h100-sxm
    gpus_per_replica: 2
    replica_output_tokens_per_s: 1000
    min_replicas: 1
    payment: {mode: on-demand, offer: "gcp:a3-megagpu-8g:gpu-only"}
"""


def test_a_gpu_only_price_rents_the_whole_machine_and_warns_that_its_host_is_not_counted(tmp_path, capsys):
    """GCP bills a machine type whole (BILLING.md 2: "Instances are rented whole; 8-GPU instances cannot be split";
    GCP H200/B200 and the A3 Mega come as 8 GPUs only). The `:gpu-only` offer prices the accelerator SKUs of
    a3-megagpu-8g, $4.4239 a GPU-hour (hardware/offers/gcp.yaml): one replica of 2 GPUs still rents the 8-GPU machine,
    8 x 4.4239 x 730 h = $25,835.58 in a 30.4-day month; it was billed as 2 GPUs, $6,458.89. The machine's vCPUs and
    memory are on the same invoice and not in that price: a warning says so and names the offer that prices both."""
    import json

    from tco.cli import main

    path = tmp_path / "gcp.yaml"
    path.write_text(GPU_ONLY_OFFER, encoding="utf-8")
    assert main(["run", str(path), "--format", "json", "--no-breakeven"]) == 0
    captured = capsys.readouterr()
    [option] = json.loads(captured.out)
    assert option["monthly_cost_usd"][0] == pytest.approx(8 * 4.4239 * 365 * 24 / 12, rel=1e-4)
    assert "`gcp:a3-megagpu-8g:gpu-only` prices the GPUs alone" in captured.err
    assert "use `gcp:a3-megagpu-8g:host-plus-gpu`, which prices both" in captured.err
