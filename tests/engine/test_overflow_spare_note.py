"""An overflow hybrid runs exactly its overflow replicas: the self-hosted part's spare replicas are not added, and a note
says so (a share hybrid keeps them: its fleet is sized like the self-hosted option's)."""

from __future__ import annotations

import json

from tco.cli import main

SCENARIO = """\
schema_version: 1
scenarios:
  - id: s
    workload:
      requests_per_day: 400000
      input_tokens: 1000
      output_tokens: 100
      hourly_profile: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    finance: {horizon_months: 12, start_date: 2027-01-01}
    options:
      - {kind: api, id: api, provider: openai, model: gpt-4.1}
      - kind: self-hosted
        id: own
        model: llama-3.1-8b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        spare_replicas: SPARE
        payment: {mode: on-demand, gpu_usd_per_hour: 2}
      - {kind: hybrid, id: overflow, self_hosted: own, api: api, mode: overflow, overflow_replicas: 2}
"""


def rows(tmp_path, capsys, spare: int) -> dict:
    path = tmp_path / f"spare{spare}.yaml"
    path.write_text(SCENARIO.replace("SPARE", str(spare)))
    capsys.readouterr()
    assert main(["run", str(path), "--format", "json", "--no-breakeven", "--as-of", "2026-11-27"]) == 0
    return {r["option"]: r for r in json.loads(capsys.readouterr().out)}


def test_the_overflow_fleet_is_its_replicas_alone_and_the_note_says_where_the_spare_went(tmp_path, capsys):
    with_spare, without = rows(tmp_path, capsys, 1), rows(tmp_path, capsys, 0)
    assert with_spare["overflow"]["gpus_peak"] == without["overflow"]["gpus_peak"] == 2
    assert with_spare["overflow"]["total_cost_usd"] == without["overflow"]["total_cost_usd"]
    assert "the 1 spare replica(s) of own are not added" in with_spare["overflow"]["notes"]
    assert "spare" not in (without["overflow"]["notes"] or "")
