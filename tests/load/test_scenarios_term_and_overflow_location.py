"""A commitment term too short for the horizon, and an `overflow_api` that names no API option, are located at the
option's own field and line: the scenario's `- id:` line sent the reader to the wrong place."""

from __future__ import annotations

import textwrap

import pytest

from tco.errors import TcoUserError
from tco.load.scenarios import load_scenario_files

SCENARIO = """\
id: s
workload: {requests_per_day: 1000, input_tokens: 100, output_tokens: 50}
finance: {horizon_months: 60}
options:
  - {kind: api, id: mini, provider: openai, model: gpt-4.1-mini}
  - kind: self-hosted
    id: reserved
    model: llama-3.1-8b
    gpu: l40s
    gpus_per_replica: 1
    payment:
      mode: reserved
      gpu_usd_per_hour: 2.0
      term_months: TERM_RESERVED
  - kind: self-hosted
    id: mixed
    model: llama-3.1-8b
    gpu: l40s
    gpus_per_replica: 1
    payment:
      mode: mixed
      base:
        gpu_usd_per_hour: 1.5
        replicas: 1
        term_months: TERM_BASE
      burst: {gpu_usd_per_hour: 3.0}
  - kind: api-provisioned
    id: ptu
    provider: azure-openai
    model: gpt-4.1
    usd_per_unit_hour: 0.3
    tokens_per_minute_per_unit: 3000
    units: 20
    term_months: TERM_PTU
    overflow_api: OVERFLOW
    source: "a quote (test)"
"""


def _problem(tmp_path, **values):
    text = SCENARIO
    for key, value in {"TERM_RESERVED": 12, "TERM_BASE": 12, "TERM_PTU": 12, "OVERFLOW": "mini", **values}.items():
        text = text.replace(key, str(value))
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([path])
    [problem] = e.value.problems
    return problem, text.splitlines()


@pytest.mark.parametrize(("key", "field"), [
    ("TERM_RESERVED", "options[1].payment.term_months"),
    ("TERM_BASE", "options[2].payment.base.term_months"),
    ("TERM_PTU", "options[3].term_months"),
])
def test_a_term_too_short_for_the_horizon_points_at_its_term_months(tmp_path, key, field):
    problem, lines = _problem(tmp_path, **{key: 2})
    assert problem.field == field
    assert lines[problem.line - 1].strip() == "term_months: 2"
    assert "a 2-month term renews more than 10 times in 60 months" in problem.message


def test_an_overflow_api_that_is_no_api_option_points_at_overflow_api(tmp_path):
    problem, lines = _problem(tmp_path, OVERFLOW="reserved")
    assert problem.field == "options[3].overflow_api"
    assert lines[problem.line - 1].strip() == "overflow_api: reserved"
    assert "is not an API option of this scenario" in problem.message
