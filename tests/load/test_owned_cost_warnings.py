"""Purchased GPUs with no price for power or colocation: a warning at the field, the run unchanged (exit 0)."""

from __future__ import annotations

import pytest

from tco.cli import main

SCENARIO = """\
schema_version: 1
scenarios:
  - id: buy
    workload: {requests_per_day: 100000, input_tokens: 1000, output_tokens: 100}
    finance: {horizon_months: 36, start_date: 2027-01-01}
    options:
      - {kind: api, id: api, provider: openai, model: gpt-4.1}
      - kind: self-hosted
        id: owned
        model: llama-3.1-8b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        payment: {mode: purchased, purchase_usd_per_gpu: 30000, gpus_per_server: 1}
        operations:
          setup_usd: 20000
OPERATIONS"""


@pytest.mark.parametrize("operations, warned", [
    ("", "operations.usd_per_kwh and operations.hosting_usd_per_kw_month are 0"),
    ("          usd_per_kwh: 0.0806\n", "operations.hosting_usd_per_kw_month is 0"),
    ("          usd_per_kwh: 0.0806\n          hosting_usd_per_kw_month: 184.06\n", None),
])
def test_a_purchase_with_no_power_or_colocation_price_is_warned_about_at_the_field(tmp_path, capsys, operations, warned):
    path = tmp_path / "buy.yaml"
    path.write_text(SCENARIO.replace("OPERATIONS", operations))
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    if warned is None:
        assert "warning" not in err
        return
    field = "usd_per_kwh" if operations == "" else "hosting_usd_per_kw_month"  # the first field left at 0
    assert f"{path}:" in err and f"warning: scenarios[0].options[1].operations.{field}: purchased GPUs draw power" in err
    assert warned in err


def test_a_rented_fleet_is_not_warned_about_its_power(tmp_path, capsys):
    path = tmp_path / "rent.yaml"
    path.write_text(SCENARIO.replace("OPERATIONS", "").replace(
        "{mode: purchased, purchase_usd_per_gpu: 30000, gpus_per_server: 1}", "{mode: on-demand, gpu_usd_per_hour: 2.5}"))
    assert main(["validate", str(path)]) == 0
    assert "draw power" not in capsys.readouterr().err
