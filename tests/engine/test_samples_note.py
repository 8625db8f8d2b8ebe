"""Samples that share their call's prompt are billed the prompt once: a note on each API option says what that assumes
(an API that returns several samples from one call), since the price sheets do not record which APIs can."""

from __future__ import annotations

import json

import pytest

from tco.cli import main

SCENARIO = """\
schema_version: 1
scenarios:
  - id: s
    workload: {{requests_per_day: 1000, input_tokens: 2000, output_tokens: 100, samples_per_call: {samples}, samples_share_input: {shared}}}
    finance: {{horizon_months: 12, start_date: 2027-01-01}}
    options:
      - {{kind: api, id: claude, provider: anthropic, model: claude-sonnet-4-5}}
"""


@pytest.mark.parametrize("samples, shared, noted", [(4, "true", True), (4, "false", False), (1, "true", False)])
def test_the_note_is_given_exactly_where_the_prompt_is_billed_once_for_several_samples(tmp_path, capsys, samples, shared, noted):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(samples=samples, shared=shared))
    capsys.readouterr()
    assert main(["run", str(path), "--format", "json", "--no-breakeven", "--as-of", "2026-11-27"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    said = "the prompt is billed once for the 4 samples of a call (samples_share_input)" in (row["notes"] or "")
    assert said == noted
    if noted:
        assert "set samples_share_input: false" in row["notes"]
