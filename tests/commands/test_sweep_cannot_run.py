"""`tco sweep`: a --vary value that makes a configuration that cannot run exits 4, as the same value given with
--set does (README: exit 4). The sweep rebuilt the problem to name the --vary and dropped its `cannot_run`."""

from __future__ import annotations

from tco.cli import main

SCENARIO = """\
id: s
workload: {requests_per_day: 1000, input_tokens: 100, output_tokens: 50}
finance: {start_date: 2026-12-01}
options:
  - {kind: api, id: mini, provider: openai, model: gpt-4.1-mini}
  - kind: self-hosted
    id: llama
    model: llama-3.3-70b
    gpu: h100-sxm
    gpus_per_replica: 2
    precision: fp16
    payment: {mode: on-demand, gpu_usd_per_hour: 2.5}
"""


def test_a_varied_value_that_cannot_run_exits_4_like_set(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    assert main(["run", str(path), "--no-breakeven", "--set", "options.llama.gpus_per_replica=1"]) == 4
    capsys.readouterr()
    assert main(["sweep", str(path), "--vary", "options.llama.gpus_per_replica=2,1"]) == 4
    err = capsys.readouterr().err
    assert "cannot run on 1 x h100-sxm at fp16" in err
    assert "(with --vary options.llama.gpus_per_replica=1)" in err


def test_two_axes_on_one_field_of_a_scenario_are_refused(tmp_path, capsys):
    """`--vary s.workload.requests_per_day=1000 --vary workload.requests_per_day=2000` was taken: the grid showed
    scenario s at 1,000 requests a day and computed it at 2,000."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    code = main(["sweep", str(path), "--vary", "s.workload.requests_per_day=1000", "--vary", "workload.requests_per_day=2000"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith("--vary: workload.requests_per_day: varies `workload.requests_per_day` of scenario `s`, which --vary "
                          "s.workload.requests_per_day varies too")


def test_the_volume_per_day_and_per_month_are_one_axis(tmp_path, capsys):
    """Bug hunt: `--vary workload.requests_per_month=30000 --vary workload.requests_per_day=1000` swept 1,000 a day
    under a column that said 30,000 a month too."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    code = main(["sweep", str(path), "--vary", "workload.requests_per_month=30000", "--vary", "workload.requests_per_day=1000"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("--vary: workload.requests_per_day: varies `workload.requests_per_day` of scenario `s`, "
                                        "which --vary workload.requests_per_month varies too"), err


def test_a_bad_varied_value_is_said_to_come_from_vary_not_set(tmp_path, capsys):
    """Bug hunt: `--vary workload.nope=1,2` said `--set: workload.nope: unknown field`, naming a flag not given."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    code = main(["sweep", str(path), "--vary", "workload.nope=1,2"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("--vary: workload.nope: unknown field (with --vary workload.nope=1)"), err
