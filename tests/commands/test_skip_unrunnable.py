"""`tco run --skip-unrunnable`: an option that cannot run is left out with a warning, and the rest is evaluated."""

from __future__ import annotations

import json
from pathlib import Path

from tco.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "tco" / "examples"
SUPPORT, REGULATED = EXAMPLES / "customer-support.yaml", EXAMPLES / "regulated.yaml"
AS_OF = ["--as-of", "2026-11-27", "--no-breakeven", "--format", "json"]
TOO_SMALL = ["--set", "options.llama-3.3-70b-h100-lambda.gpus_per_replica=1",
             "--set", "options.llama-3.3-70b-h100-lambda.precision=bf16"]  # 140 GB of weights on one 80 GB GPU


def test_without_the_flag_one_option_that_cannot_run_stops_every_file_with_exit_4(capsys):
    assert main(["run", str(SUPPORT), str(REGULATED), *AS_OF, *TOO_SMALL]) == 4
    assert "cannot run on 1 x h100-sxm at bf16" in capsys.readouterr().err


def test_with_it_the_option_is_left_out_where_it_is_written_and_every_other_is_evaluated(capsys):
    assert main(["run", str(SUPPORT), str(REGULATED), *AS_OF]) == 0
    everything = {(r["scenario"], r["option"]): r["total_cost_usd"] for r in json.loads(capsys.readouterr().out)}
    assert main(["run", str(SUPPORT), str(REGULATED), *AS_OF, *TOO_SMALL, "--skip-unrunnable"]) == 0
    out = capsys.readouterr()
    kept = {(r["scenario"], r["option"]): r["total_cost_usd"] for r in json.loads(out.out)}
    assert set(everything) - set(kept) == {("customer-support", "llama-3.3-70b-h100-lambda")}
    assert all(kept[key] == everything[key] for key in kept)  # the others as a run without the option gives them
    assert ("customer-support.yaml:42: warning: scenarios[0].options[3]: left out (--skip-unrunnable): `llama-3.3-70b` "
            "cannot run on 1 x h100-sxm at bf16") in out.err


def test_a_hybrid_built_on_a_left_out_option_goes_with_it(tmp_path, capsys):
    text = SUPPORT.read_text(encoding="utf-8")
    hybrid = ("      - kind: hybrid\n        id: mix\n        mode: share\n        self_hosted: llama-3.3-70b-h100-lambda\n"
              "        api: gpt-4.1-mini\n        self_hosted_share: 0.5\n")
    path = tmp_path / "support.yaml"
    path.write_text(text.rstrip("\n") + "\n" + hybrid, encoding="utf-8")
    assert main(["run", str(path), *AS_OF, *TOO_SMALL, "--skip-unrunnable"]) == 0
    out = capsys.readouterr()
    assert {r["option"] for r in json.loads(out.out)} == {"gpt-4.1-mini", "claude-haiku-4.5", "llama-3.3-70b-together"}
    assert "left out (--skip-unrunnable): `mix` is built on an option that cannot run" in out.err


def test_a_problem_after_a_left_out_option_names_the_later_options_line_and_place_in_the_file(capsys):
    """coding-agent.yaml: with options[3] (qwen3-235b) left out, the caution on options[4]'s GCP offer was said at
    options[4]'s line but named `options[3].payment.offer`, the option just left out (its place among those kept)."""
    example = EXAMPLES / "coding-agent.yaml"
    offer_line = 1 + [i for i, line in enumerate(example.read_text(encoding="utf-8").splitlines())
                      if "a3-ultragpu-8g" in line][1]  # options[4]'s offer (options[3] has the first)
    assert main(["run", str(example), *AS_OF, "--set", "options.qwen3-235b-h200-gcp.gpus_per_replica=1", "--skip-unrunnable"]) == 0
    err = capsys.readouterr().err
    assert ": warning: scenarios[0].options[3]: left out (--skip-unrunnable): `qwen3-235b-a22b` cannot run" in err
    assert f"coding-agent.yaml:{offer_line}: warning: scenarios[0].options[4].payment.offer: the on-demand price" in err
    assert "options[3].payment.offer" not in err


def test_when_nothing_is_left_the_problems_stay_errors_with_exit_4(tmp_path, capsys):
    path = tmp_path / "one.yaml"
    path.write_text("scenarios:\n- id: one\n  workload: {requests_per_day: 1000, input_tokens: 1000, output_tokens: 100}\n"
                    "  options:\n  - {kind: self-hosted, id: big, model: llama-3.3-70b, gpu: h100-sxm, gpus_per_replica: 1, "
                    "precision: bf16, payment: {mode: on-demand, gpu_usd_per_hour: 2.5}}\n", encoding="utf-8")
    assert main(["run", str(path), *AS_OF, "--skip-unrunnable"]) == 4
    err = capsys.readouterr().err
    assert "cannot run on 1 x h100-sxm at bf16" in err and "warning" not in err
