"""Each answer of the throughput model carries how far the model has been from published runs like it (its accuracy
regime): the recorded figures are `tco bench accuracy`'s on today's model and rows, and a run falls in the regime its
layout, load and architecture say."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from tco.bench.accuracy import leave_one_out_cases, measured_ttft_ms, percentile, regime_table, usable
from tco.cli import main
from tco.engine.throughput.regimes import (AT_A_RATE, MEASURED, MIN_REGIME_ROWS, RECORDED, RegimeError, max_throughput_regime,
                                           regime_error, regime_names)

EXAMPLES = Path(__file__).resolve().parents[2] / "tco" / "examples"


pytestmark = pytest.mark.xdist_group("regimes")  # one worker computes the module's model runs once (tests/conftest.py)


@pytest.fixture(scope="module")
def catalog(bundled_hardware):
    return bundled_hardware


@pytest.fixture(scope="module")
def cases(bundled_model_cases):
    """`model_cases(catalog)`, shared with the other tests of the group (tests/conftest.py)."""
    return bundled_model_cases


def test_the_recorded_regime_errors_are_todays(catalog, cases):
    assert regime_table(catalog, cases, leave_one_out_cases(catalog)) == RECORDED, "run: python -m tco.bench.regime_errors"


def test_the_docs_table_shows_the_recorded_figures():
    from tco.bench.regime_errors import DOC, DOC_BEGIN, DOC_END, docs_table

    text = DOC.read_text(encoding="utf-8")
    assert DOC_BEGIN + text.split(DOC_BEGIN, 1)[1].split(DOC_END, 1)[0] + DOC_END == docs_table(RECORDED), \
        "run: python -m tco.bench.regime_errors"


def _json(capsys, *argv) -> dict:
    assert main(["throughput", *argv, "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    return row


def test_a_disaggregated_mtp_answer_at_256_requests_carries_the_error_of_those_rows_worked_out_apart(capsys, cases):
    # The InferenceX rows of that regime picked by their own fields, not through regimes.regime_names.
    members = [c for c in cases if c.measurement.disaggregated and c.measurement.spec_method == "mtp"
               and (c.measurement.concurrency or 0) >= 65]
    assert len(members) >= MIN_REGIME_ROWS
    row = _json(capsys, "--model", "deepseek-r1", "--gpu", "gb200", "--gpus", "16", "--precision", "fp4", "--engine", "sglang",
                "--input-tokens", "1024", "--output-tokens", "1024", "--concurrency", "256", "--disaggregated", "true",
                "--spec-method", "mtp")
    assert row["basis"] == "model"
    assert row["accuracy_regime"] == "MoE, disaggregated + speculative decoding, 65+ requests in flight"
    assert row["accuracy_regime_rows"] == len(members)
    errors = [c.error for c in members]
    assert row["typical_throughput_error_pct"] == round(statistics.median(errors), 1)
    assert row["p90_throughput_error_pct"] == round(percentile(errors, 90), 1)
    assert row["typical_ttft_error_pct"] == round(statistics.median(c.as_metric("ttft").error for c in members), 1)
    assert row["typical_tpot_error_pct"] == round(statistics.median(c.as_metric("tpot").error for c in members), 1)
    # which way: measured / modelled, worked out from the rows' own fields
    ttft = [measured_ttft_ms(c.measurement) / c.predicted_ttft_ms for c in members]
    tpot = [(c.measurement.tpot_p50_ms or c.measurement.tpot_ms) / c.predicted_tpot_ms for c in members]
    assert row["ttft_measured_to_model_median"] == round(percentile(ttft, 50), 3)
    assert row["tpot_measured_to_model_median"] == round(percentile(tpot, 50), 3)


def test_a_maximum_throughput_question_is_judged_on_the_tables_of_its_kind(capsys, cases, catalog):
    dense = [c for c in cases if c.measurement.concurrency is None and not catalog.models[c.measurement.model].num_routed_experts]
    row = _json(capsys, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "2", "--input-tokens", "1000",
                "--output-tokens", "1000", "--model-only")
    assert (row["accuracy_regime"], row["accuracy_regime_rows"]) == ("dense, maximum throughput", len(dense))
    assert row["typical_throughput_error_pct"] == round(statistics.median(c.error for c in dense), 1)
    assert row["typical_tpot_error_pct"] is None and row["typical_ttft_error_pct"] is None  # the tables publish no latency


def test_a_dense_model_at_a_fixed_concurrency_falls_back_to_its_maximum_throughput_rows(capsys, catalog):
    # No fixed-concurrency run of a dense model is in the calibration rows: the nearest regime with runs is named.
    assert not [m for m in usable(catalog) if m.concurrency is not None and not catalog.models[m.model].num_routed_experts]
    row = _json(capsys, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--input-tokens", "1000",
                "--output-tokens", "200", "--concurrency", "16", "--model-only")
    assert row["accuracy_regime"] == "dense, maximum throughput"


def test_measured_and_offered_rate_answers_name_their_regime_without_a_model_error(capsys):
    measured = _json(capsys, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "2", "--input-tokens", "1000",
                     "--output-tokens", "1000")
    assert measured["basis"] == "measurement" and measured["accuracy_regime"] == MEASURED
    assert measured["typical_throughput_error_pct"] is None
    rated = _json(capsys, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--input-tokens", "1024",
                  "--output-tokens", "1024", "--request-rate", "5")
    assert rated["accuracy_regime"] == AT_A_RATE and rated["accuracy_regime_rows"] is None


def test_a_regime_with_too_few_rows_gives_way_to_the_wider_one():
    # the run's own regimes, then the maximum-throughput one `regime_of_result` falls back to
    names = (*regime_names(100, disaggregated=False, speculative=True, moe=True), max_throughput_regime(True))
    assert names == ("MoE, aggregated + speculative decoding, 65+ requests in flight", "MoE, aggregated, 65+ requests in flight",
                     "MoE, maximum throughput")
    few, enough = RegimeError(MIN_REGIME_ROWS - 1, 1.0, 2.0), RegimeError(MIN_REGIME_ROWS, 3.0, 4.0)
    assert regime_error(names, {names[0]: few, names[1]: enough}) == (names[1], enough)
    assert regime_error(names, {names[0]: enough, names[1]: few}) == (names[0], enough)
    assert regime_error(names, {}) == ("MoE, maximum throughput", None)
    assert regime_names(8, True, False, False)[0] == "dense, disaggregated, 1-8 requests in flight"
    assert regime_names(9, True, False, False)[0] == "dense, disaggregated, 9-64 requests in flight"


def test_a_self_hosted_option_notes_the_models_error_on_runs_like_it(capsys):
    assert main(["run", "--format", "json", "--no-breakeven"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["kind"] == "self-hosted"]
    noted = [r for r in rows if "throughput model judged on" in (r["notes"] or "")]
    assert noted, "no self-hosted option of the bundled examples runs on the model"
    dense = RECORDED["dense, maximum throughput"]
    assert any(f"judged on {dense.rows} published runs (dense, maximum throughput): typical error "
               f"{dense.throughput_median_pct:g} % (P90 {dense.throughput_p90_pct:g} %)" in r["notes"] for r in noted)


def _regime_named_in(text: str) -> str:
    (name,) = [name for name in RECORDED if f"({name})" in text]
    return name


def test_the_tornado_and_the_monte_carlo_take_an_options_throughput_range_from_its_regime(capsys):
    from tco.engine.uncertainty import NO_RECORD

    example = str(EXAMPLES / "coding-agent.yaml")
    assert main(["sensitivity", example, "--option", "qwen3-235b-h200-gcp", "--format", "json"]) == 0
    throughput = next(d for d in json.loads(capsys.readouterr().out) if d["name"] == "throughput")
    record = RECORDED[_regime_named_in(throughput["why"])]
    assert (throughput["low"], throughput["high"]) == (f"x{record.measured_to_model_p10:g}", f"x{record.measured_to_model_p90:g}")
    assert record.measured_to_model_p10 < record.measured_to_model_median < record.measured_to_model_p90
    assert main(["uncertainty", example, "--draws", "200", "--format", "json"]) == 0
    (outcome,) = json.loads(capsys.readouterr().out)
    qwen = next(o for o in outcome["options"] if o["option_id"] == "qwen3-235b-h200-gcp")
    assert (qwen["throughput_factor_low"], qwen["throughput_factor_mode"], qwen["throughput_factor_high"]) == (
        record.measured_to_model_p10, record.measured_to_model_median, record.measured_to_model_p90)
    assert qwen["throughput_factor_source"] == throughput["why"]
    # A dense model under a latency target has no published run at its load: the flat spread, said so.
    assert main(["uncertainty", str(EXAMPLES / "customer-support.yaml"), "--draws", "200", "--format", "json"]) == 0
    (outcome,) = json.loads(capsys.readouterr().out)
    llama = next(o for o in outcome["options"] if o["kind"] == "self-hosted")
    assert (llama["throughput_factor_low"], llama["throughput_factor_mode"], llama["throughput_factor_high"],
            llama["throughput_factor_source"]) == (0.7, 1.0, 1.3, NO_RECORD)


def test_tco_throughput_gives_the_signed_spread_of_its_regime(capsys, cases):
    # the regime without speculative decoding holds the runs with it too (regime_groups)
    members = [c for c in cases if c.measurement.disaggregated and (c.measurement.concurrency or 0) >= 65]
    row = _json(capsys, "--model", "deepseek-r1", "--gpu", "gb200", "--gpus", "16", "--precision", "fp4", "--engine", "sglang",
                "--input-tokens", "1024", "--output-tokens", "1024", "--concurrency", "256", "--disaggregated", "true")
    assert row["accuracy_regime"] == "MoE, disaggregated, 65+ requests in flight"
    ratios = [c.measurement.output_tokens_per_s / c.predicted_tokens_per_s for c in members]
    assert (row["measured_to_model_p10"], row["measured_to_model_median"], row["measured_to_model_p90"]) == tuple(
        round(percentile(ratios, q), 3) for q in (10, 50, 90))


def test_an_answer_says_whether_the_fit_has_seen_its_gpu_and_model_family(capsys, catalog):
    from tco.engine.throughput.regimes import CALIBRATION_FAMILIES, CALIBRATION_GPUS, family

    rows = usable(catalog)
    assert CALIBRATION_GPUS == {m.gpu for m in rows} and CALIBRATION_FAMILIES == {family(m.model) for m in rows}, \
        "run: python -m tco.bench.regime_errors"
    # H100 SXM runs and Llama-3 runs are in the calibration; MI300X runs and gpt-oss runs are not
    assert "h100-sxm" in CALIBRATION_GPUS and "mi300x" not in CALIBRATION_GPUS and "gpt" not in CALIBRATION_FAMILIES
    args = ("--gpus", "1", "--input-tokens", "1000", "--output-tokens", "200", "--model-only")
    seen = _json(capsys, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", *args)
    assert (seen["gpu_in_calibration"], seen["model_family_in_calibration"]) == (True, True)
    other_gpu = _json(capsys, "--model", "llama-3.1-8b", "--gpu", "mi300x", *args)
    assert (other_gpu["gpu_in_calibration"], other_gpu["model_family_in_calibration"]) == (False, True)
    other_family = _json(capsys, "--model", "gpt-oss-20b", "--gpu", "h100-sxm", *args)
    assert (other_family["gpu_in_calibration"], other_family["model_family_in_calibration"]) == (True, False)


def test_an_option_on_a_gpu_the_fit_has_not_seen_keeps_the_flat_spread_and_says_why(tmp_path, capsys):
    # The batch-extraction example's Llama-3.1-8B at maximum throughput on an L40S, then on an MI300X (no calibration run).
    from tco.engine.uncertainty import NO_RECORD

    text = (EXAMPLES / "batch-extraction.yaml").read_text(encoding="utf-8")
    assert "gpu: l40s" in text and 'offer: "aws:g6e.xlarge"' in text
    text = text.replace('offer: "aws:g6e.xlarge"', "gpu_usd_per_hour: 2.0")  # the offer is of L40S GPUs
    (tmp_path / "l40s.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "mi300x.yaml").write_text(text.replace("gpu: l40s", "gpu: mi300x"), encoding="utf-8")
    spreads = {}
    for path in (tmp_path / "l40s.yaml", tmp_path / "mi300x.yaml"):
        assert main(["uncertainty", str(path), "--draws", "50", "--format", "json"]) == 0
        (outcome,) = json.loads(capsys.readouterr().out)
        spreads[path.name] = next(o for o in outcome["options"] if o["kind"] == "self-hosted")
        assert main(["run", str(path), "--format", "json", "--no-breakeven"]) == 0
        spreads[path.name]["notes"] = next(r for r in json.loads(capsys.readouterr().out) if r["kind"] == "self-hosted")["notes"]
    dense = RECORDED["dense, maximum throughput"]
    assert spreads["l40s.yaml"]["throughput_factor_low"] == dense.measured_to_model_p10
    assert "has not seen" not in spreads["l40s.yaml"]["notes"]
    unseen = spreads["mi300x.yaml"]
    assert (unseen["throughput_factor_low"], unseen["throughput_factor_high"], unseen["throughput_factor_source"]) == (0.7, 1.3, NO_RECORD)
    assert "in-sample figures, and no calibration run is on mi300x" in unseen["notes"]


def test_a_run_note_says_which_way_the_ttft_of_runs_like_it_erred(tmp_path, capsys):
    # The coding-agent example's Qwen3 option as DeepSeek-R1 on 16 H200, disaggregated, under the example's TTFT target.
    text = (EXAMPLES / "coding-agent.yaml").read_text(encoding="utf-8")
    old = "        model: qwen3-235b-a22b\n        gpu: h200\n        gpus_per_replica: 8\n"
    assert old in text
    path = tmp_path / "deepseek.yaml"
    path.write_text(text.replace(old, "        model: deepseek-r1\n        gpu: h200\n        gpus_per_replica: 16\n"
                                      "        disaggregated: true\n", 1), encoding="utf-8")
    assert main(["run", str(path), "--format", "json", "--no-breakeven"]) == 0
    notes = next(r for r in json.loads(capsys.readouterr().out) if r["option"] == "qwen3-235b-h200-gcp")["notes"]
    regime = _regime_named_in(notes)
    record = RECORDED[regime]
    assert regime.startswith("MoE, disaggregated") and record.ttft_measured_to_model_median > 1.25
    assert (f"TTFT {record.ttft_median_pct:g} % (such runs measured {record.ttft_measured_to_model_median:.2g}x the model's TTFT)"
            in notes)
    # TPOT within 0.8-1.25x: no direction is added
    assert 0.8 <= record.tpot_measured_to_model_median <= 1.25 and f"TPOT {record.tpot_median_pct:g} %," in notes


def test_about_eight_in_ten_runs_fall_inside_their_regimes_p10_to_p90(catalog, cases):
    # The spread tco sensitivity and tco uncertainty draw a throughput from holds, in-sample, the runs it was taken
    # from: 80 % between the 10th and 90th percentile, give or take the regimes that fall back to a wider one.
    from tco.bench.spread_coverage import coverage

    rows, inside, flat = coverage(catalog, cases)
    assert rows == len([c for c in cases if c.predicted_tokens_per_s])
    assert 0.76 <= inside / rows <= 0.84
    assert flat > inside  # the flat 0.7-1.3 is wider than most regimes' P10-P90
