"""GPU offer prices have a ceiling, as price sheets do: 8e307 USD an hour passed `tco validate` and crashed `tco run`."""

from __future__ import annotations

import pytest

from tco.errors import TcoUserError
from tco.load.yaml_source import parse_yaml, validate_as
from tco.model.hardware import MAX_USD_PER_GPU_HOUR, MAX_USD_PER_INSTANCE_HOUR, HardwareFile

OFFER = """schema_version: 1
offers:
- id: myco:8xh100
  cloud: myco
  instance_type: 8xh100
  gpu: h100-sxm
  gpu_count: 8
  {field}: {value}
  sources:
  - covers: [{field}]
    source: https://myco.example/prices
    as_of: '2026-11-01'
"""

COMMITTED = """schema_version: 1
committed_offers:
- id: myco:8xh100:r:1y
  cloud: myco
  offering: reserved
  instance_type: 8xh100
  gpu: h100-sxm
  gpu_count: 8
  term: 1y
  term_as_published: 1 year
  payment_option: no-upfront
  payment_as_published: none
  committed_usd_per_instance_hour: {instance}
  committed_usd_per_gpu_hour: {gpu}
  price_basis: instance
  price_as_printed: "{instance}"
  minimum_commitment: one instance
  source_quality: primary page
  sources:
  - covers: [committed_usd_per_instance_hour, committed_usd_per_gpu_hour]
    source: https://myco.example/prices
    as_of: '2026-11-01'
"""


def _problems(text: str) -> list:
    data, lines = parse_yaml(text, "my.yaml")
    with pytest.raises(TcoUserError) as caught:
        validate_as(HardwareFile, data, "my.yaml", lines)
    return caught.value.problems


@pytest.mark.parametrize("field, value, limit", [
    ("on_demand_usd_per_hour", "8.0e+307", MAX_USD_PER_INSTANCE_HOUR),
    ("spot_usd_per_hour", "100001.0", MAX_USD_PER_INSTANCE_HOUR),
    ("median_on_demand_usd_per_hour", "1.0e+300", MAX_USD_PER_INSTANCE_HOUR),
    ("on_demand_usd_per_gpu_hour", "1001.0", MAX_USD_PER_GPU_HOUR),
    ("spot_usd_per_gpu_hour", "1.0e+307", MAX_USD_PER_GPU_HOUR),
])
def test_an_offer_price_above_the_ceiling_is_refused_at_its_line(field, value, limit):
    [problem] = _problems(OFFER.format(field=field, value=value))
    assert (problem.line, problem.field) == (8, f"offers[0].{field}")
    assert problem.message.startswith(f"must be at most {limit}")


def test_the_ceiling_itself_is_a_price():
    data, lines = parse_yaml(OFFER.format(field="on_demand_usd_per_gpu_hour", value=MAX_USD_PER_GPU_HOUR), "my.yaml")
    assert validate_as(HardwareFile, data, "my.yaml", lines).offers[0].on_demand_usd_per_gpu_hour == MAX_USD_PER_GPU_HOUR


def test_a_committed_price_above_the_ceiling_is_refused():
    problems = _problems(COMMITTED.format(instance="8.0e+307", gpu="1.0e+307"))
    assert {p.field for p in problems} == {"committed_offers[0].committed_usd_per_instance_hour",
                                          "committed_offers[0].committed_usd_per_gpu_hour"}
