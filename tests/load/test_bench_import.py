"""`tco measurements import`: each tool's real result file imports, with figures read by hand from the file.

Expected values were read from the files in tests/data/bench-runs/ (provenance in its README) with a
text editor; lengths are totals / completed requests or the file's mean, rounded to whole tokens;
seconds are converted to milliseconds by x 1000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tco.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "bench-runs"


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def imported(capsys, tmp_path, file_name, *flags):
    """Import one sample file into tmp_path and return its records (as written in the YAML)."""
    code, out, err = run(capsys, ["measurements", "import", str(DATA / file_name), "--out", str(tmp_path), *flags])
    assert code == 0, err
    written = tmp_path / f"{file_name}.measurements.yaml"
    data = yaml.safe_load(written.read_text())
    assert data["schema_version"] == 1
    return data["measurements"]


def test_vllm_bench_serve_json(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json",
                   "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1")
    # total_input_tokens 1599800 / completed 200 = 7999; total_output_tokens 40000 / 200 = 200
    assert (m["input_tokens"], m["output_tokens"]) == (7999, 200)
    assert m["output_tokens_per_s"] == pytest.approx(696.6005267659943)
    assert m["scenario"] == "fixed_request_rate" and m["request_rate_per_s"] == 3.6 and "concurrency" not in m
    assert m["tpot_ms"] == pytest.approx(16.170790800581987)  # mean_tpot_ms, not mean_itl_ms (16.174...)
    assert m["tpot_p50_ms"] == pytest.approx(15.191016650738794)  # median_tpot_ms; median_itl_ms is 9.95
    assert m["ttft_p99_ms"] == pytest.approx(261.66544687526766)
    assert m["as_of"] == "2025-05-13"  # "date": "20250513-045648"
    assert m["engine"] == "vllm" and m["precision"] == "bf16"  # vLLM file; llama-3.1-8b's native precision
    assert m["successful_requests"] == 200 and m["failed_requests"] == 0
    assert m["whole_run"] is True  # output_throughput = output tokens / duration, first request sent to last completed


def test_a_run_spread_over_replicas_records_all_their_gpus(capsys, tmp_path):
    """llm-d's run (README: "2 vLLM replicas x 1 GPU" behind a router, rate 3.6): --gpus 1 --replicas 2 is one record of
    2 GPUs at TP1, its tokens/s and rate the whole deployment's; the model then splits the load over two replicas."""
    [m] = imported(capsys, tmp_path, "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json",
                   "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--replicas", "2")
    assert (m["num_gpus"], m["tp"], m["request_rate_per_s"]) == (2, 1, 3.6)
    assert m["output_tokens_per_s"] == pytest.approx(696.6005267659943)
    code, _, err = run(capsys, ["measurements", "import", str(DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"),
                                "--out", str(tmp_path / "other"), "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
                                "--replicas", "0"])
    assert code == 2 and "--replicas: must be at least 1 (got 0)" in err


def test_source_is_the_file_name_and_its_sha256(capsys, tmp_path):
    import hashlib

    name = "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"
    [m] = imported(capsys, tmp_path, name, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1")
    digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
    assert m["source"] == f"{name} sha256:{digest}"
    assert m["id"] == f"user:{digest[:12]}:0"


def test_sglang_jsonl_every_line_is_a_run(capsys, tmp_path):
    records = imported(capsys, tmp_path, "sglang-2024-12_llama-3.3-70b_4xh200_offline.jsonl",
                       "--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16", "--date", "2024-12-20")
    assert len(records) == 7
    first = records[0]
    # line 1: request_rate Infinity, max_concurrency null: everything queued at once
    assert first["scenario"] == "offline_max_throughput" and "concurrency" not in first
    # 1525074 / 3000 = 508.36 -> 508; 1544818 / 3000 = 514.94 -> 515 (random_input_len 1024 was only the setting)
    assert (first["input_tokens"], first["output_tokens"]) == (508, 515)
    assert first["output_tokens_per_s"] == pytest.approx(4520.698730654741)
    assert first["ttft_p50_ms"] == pytest.approx(91282.20983641222)
    assert "tpot_ms" not in first  # the Dec 2024 file has only median_itl_ms, which is not TPOT
    assert first["engine"] == "sglang" and first["as_of"] == "2024-12-20" and first["tp"] == 4


def test_sglang_online_runs_are_at_a_request_rate(capsys, tmp_path):
    records = imported(capsys, tmp_path, "sglang-2024-12_llama-3.3-70b_4xh200_online.jsonl",
                       "--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16", "--date", "2024-12-20")
    assert [r["request_rate_per_s"] for r in records[:5]] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert records[0]["output_tokens_per_s"] == pytest.approx(537.4142851849319)
    assert all(r["whole_run"] is True and r["successful_requests"] for r in records)  # completed: 300, 600, ...


def test_guidellm_report_reads_successful_distributions(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "guidellm-0.2-0.3_benchmarks_stripped.json",
                   "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--engine", "vllm")
    assert m["scenario"] == "fixed_concurrency" and m["concurrency"] == 1  # strategy synchronous
    assert m["output_tokens_per_s"] == pytest.approx(198.13346751788123)  # output_tokens_per_second.successful.mean
    assert (m["input_tokens"], m["output_tokens"]) == (257, 128)  # 257.1087, 127.99999999999999
    assert m["ttft_ms"] == pytest.approx(16.792535781860348)
    assert m["ttft_p99_ms"] == pytest.approx(21.281957626342773)  # percentiles.p99 (p01 is the 1st percentile)
    assert (m["ttft_p90_ms"], m["tpot_p90_ms"]) == pytest.approx((18.505334854125977, 4.973544849185493))  # percentiles.p90
    assert m["tpot_ms"] == pytest.approx(4.941609043733832)  # inter_token_latency_ms, not time_per_output_token_ms
    assert (m["successful_requests"], m["failed_requests"]) == (46, 1)  # 1 incomplete
    assert "whole_run" not in m  # GuideLLM may stop at a time: its window is not stated as one whole run
    assert m["as_of"] == "2025-06-05"  # start_time 1749157168 s = 2025-06-05 UTC


def test_aiperf_json(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json",
                   "--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm")
    assert m["scenario"] == "fixed_concurrency" and m["concurrency"] == 100  # input_config.loadgen.concurrency
    assert m["output_tokens_per_s"] == pytest.approx(2320.7222350404572)
    assert (m["input_tokens"], m["output_tokens"]) == (550, 243)  # output_sequence_length.avg 242.97 (with reasoning)
    assert m["ttft_ms"] == pytest.approx(2343.219436988764)
    assert m["tpot_ms"] == pytest.approx(27.763065454471807)  # inter_token_latency, not inter_chunk_latency (27.755)
    assert (m["successful_requests"], m["failed_requests"]) == (89, 11)
    assert m["as_of"] == "2025-10-03"


def test_aiperf_csv_needs_the_load_and_date_from_flags(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.csv",
                   "--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
                   "--concurrency", "100", "--date", "2025-10-03")
    assert m["output_tokens_per_s"] == 2320.72 and m["ttft_ms"] == 2343.22 and m["tpot_ms"] == 27.76
    assert (m["ttft_p90_ms"], m["tpot_p90_ms"]) == (3796.93, 32.87)  # the p90 column
    assert m["failed_requests"] == 11


def test_genai_perf_csv_with_thousands_separators(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "genai-perf_llama-3.1-405b-fp8_dynamo_profile_genai_perf.csv",
                   "--model", "llama-3.1-405b", "--gpu", "h200", "--gpus", "8", "--precision", "fp8", "--engine", "vllm",
                   "--concurrency", "8", "--date", "2025-06-01")
    assert m["ttft_ms"] == 1146.31  # "1,146.31"
    assert m["ttft_p99_ms"] == 3457.97
    assert (m["ttft_p90_ms"], m["tpot_p90_ms"]) == (3215.06, 32.53)  # "3,215.06": p90 after p99 and p95 in this file
    assert (m["input_tokens"], m["output_tokens"]) == (3000, 174)  # "3,000.05", 174.45
    assert m["output_tokens_per_s"] == 261.25 and m["requests_per_s"] == 1.5 and m["successful_requests"] == 40


def test_llmperf_summary_in_seconds(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "llmperf-2023-08-31_together-llama-2-70b-chat_550_150_summary.json",
                   "--model", "llama-2-70b", "--gpu", "h100-sxm", "--gpus", "8", "--precision", "bf16", "--engine", "vllm")
    assert m["concurrency"] == 5 and m["output_tokens_per_s"] == pytest.approx(216.45553311958628)
    assert m["ttft_ms"] == pytest.approx(622.329721273333)  # results_ttft_s_mean 0.6223 s
    assert m["ttft_p90_ms"] == pytest.approx(733.6474150000185)  # results_ttft_s_quantiles_p90 0.7336 s
    assert (m["input_tokens"], m["output_tokens"]) == (550, 159)  # results_number_output_tokens_mean 158.59
    assert m["requests_per_s"] == pytest.approx(81.89078137274691 / 60)
    assert "tpot_ms" not in m  # LLMPerf's inter_token_latency includes the TTFT
    assert m["as_of"] == "2023-12-19"  # timestamp 1702985493


def test_inference_perf_stage_in_seconds(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "inference-perf_llama-3-8b_h100_vllm-0.11.0_stage_3_lifecycle_metrics.json",
                   "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--engine", "vllm", "--date", "2025-11-01")
    assert m["scenario"] == "fixed_request_rate" and m["request_rate_per_s"] == 111.92
    assert m["output_tokens_per_s"] == pytest.approx(6955.730744537778)
    assert (m["input_tokens"], m["output_tokens"]) == (201, 63)  # prompt_len.mean 200.93, output_len.mean 62.80
    assert m["ttft_ms"] == pytest.approx(146.23385537668857)
    assert m["tpot_ms"] == pytest.approx(12.019587185668208)  # time_per_output_token, s -> ms
    assert (m["ttft_p90_ms"], m["tpot_p90_ms"]) == pytest.approx((300.14646060299127, 12.909350550711848))  # p90, s -> ms
    assert "whole_run" not in m  # a stage of a set duration


def test_importing_the_same_file_again_keeps_the_earlier_output_as_a_backup(capsys, tmp_path):
    """Re-importing a file replaces its own earlier output (same bytes: same record ids, which one folder may hold only
    once), and the earlier output, edits and all, is kept as a backup."""
    name = "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"
    flags = ("--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1")
    imported(capsys, tmp_path, name, *flags)
    target = tmp_path / f"{name}.measurements.yaml"
    edited = target.read_text() + "# my edits\n"
    target.write_text(edited)
    imported(capsys, tmp_path, name, *flags)
    assert (tmp_path / f"{target.name}.bak").read_text() == edited
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name, f"{target.name}.bak"]


def _aiperf_runs(tmp_path, concurrencies):
    """AIPerf's real export, once per folder as AIPerf leaves it (`run-c<N>/profile_export_aiperf.json`, every file
    with the same name), each at its own concurrency."""
    data = json.loads((DATA / "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json").read_text())
    paths = []
    for c in concurrencies:
        data["input_config"]["loadgen"]["concurrency"] = c
        path = tmp_path / "runs" / f"run-c{c}" / "profile_export_aiperf.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(data))
        paths.append(path)
    return paths


AIPERF_FLAGS = ("--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm")


def _live_records(folder):
    """The records the loader reads from `folder` (backups are not read), by concurrency."""
    from tco.load.hardware import load_hardware

    catalog = load_hardware(extra_dirs=[folder])
    return sorted(m.concurrency for m in catalog.measurements if m.id.startswith("user:"))


def test_inputs_with_the_same_file_name_each_become_a_live_record(capsys, tmp_path):
    """Eleven AIPerf runs, all named profile_export_aiperf.json: each gets its own output, named after its folder, and
    all eleven load (once one name: one live record, the others in backups, some deleted by the rotation)."""
    concurrencies = [1, 2, 4, 8, 16, 32, 64, 96, 128, 192, 256]
    paths = _aiperf_runs(tmp_path, concurrencies)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, ["measurements", "import", *map(str, paths), "--out", str(out), *AIPERF_FLAGS])
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(f"run-c{c}-profile_export_aiperf.json.measurements.yaml"
                                                           for c in concurrencies)
    assert _live_records(out) == concurrencies
    # the same command again replaces each output with its own new version: still eleven, each with one backup
    code, _, err = run(capsys, ["measurements", "import", *map(str, paths), "--out", str(out), *AIPERF_FLAGS])
    assert code == 0, err
    assert len(list(out.glob("*.yaml"))) == 11 and len(list(out.glob("*.bak"))) == 11
    assert _live_records(out) == concurrencies


def test_a_later_import_never_replaces_the_output_of_another_file_of_the_same_name(capsys, tmp_path):
    """One call per run, as a script would do it: the second run's profile_export_aiperf.json finds the first run's
    output under its name, from other bytes and another path, so it takes its folder's name; a third in a folder of the
    same name (under another parent) takes one more folder. The same bytes in another folder would be the same records
    (`test_the_same_bytes_twice_in_one_call_are_imported_once`). Re-importing the first (after it changed) replaces its own."""
    first, second = _aiperf_runs(tmp_path / "a", [8, 16])
    third, = _aiperf_runs(tmp_path / "b", [16])
    third.write_text(third.read_text().replace('"concurrency": 16', '"concurrency": 32'))  # other bytes, same folder name
    out = tmp_path / "out"
    out.mkdir()
    for path in (first, second, third):
        code, _, err = run(capsys, ["measurements", "import", str(path), "--out", str(out), *AIPERF_FLAGS])
        assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "profile_export_aiperf.json.measurements.yaml", "run-c16-profile_export_aiperf.json.measurements.yaml",
        "runs-run-c16-profile_export_aiperf.json.measurements.yaml"]
    assert _live_records(out) == [8, 16, 32]
    first.write_text(first.read_text().replace('"concurrency": 8', '"concurrency": 4'))  # the run redone at 4
    code, _, err = run(capsys, ["measurements", "import", str(first), "--out", str(out), *AIPERF_FLAGS])
    assert code == 0 and "previous file kept as" in err, err
    assert _live_records(out) == [4, 16, 32]


def test_a_file_of_the_user_with_the_output_name_is_left_alone(capsys, tmp_path):
    name = "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"
    mine = tmp_path / f"{name}.measurements.yaml"
    mine.write_text("# my notes\n")
    code, _, err = run(capsys, ["measurements", "import", str(DATA / name), "--out", str(tmp_path),
                                "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1"])
    assert code == 0, err
    assert mine.read_text() == "# my notes\n" and not list(tmp_path.glob("*.bak"))
    assert f"to {tmp_path / ('bench-runs-' + name)}.measurements.yaml" in err


def test_the_same_bytes_twice_in_one_call_are_imported_once(capsys, tmp_path):
    """Two copies of one file would write two records with the same id (ids are the bytes' sha256), which one folder
    may not hold: the copy is said and skipped."""
    name = "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"
    copy = tmp_path / "copy" / "result.json"
    copy.parent.mkdir()
    copy.write_bytes((DATA / name).read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, ["measurements", "import", str(DATA / name), str(copy), "--out", str(out),
                                "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1"])
    assert code == 0, err
    assert f"{copy}: the same bytes as {DATA / name}" in err and "imported once" in err
    assert [p.name for p in out.iterdir()] == [f"{name}.measurements.yaml"]


# ---------------------------------------------------------------------------------------- bad input


def bad(capsys, tmp_path, name, text, *flags):
    path = tmp_path / name
    path.write_text(text)
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, ["measurements", "import", str(path), "--out", str(out_dir),
                                  "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--engine", "vllm",
                                  "--date", "2025-01-01", *flags])
    assert code == 2, err
    assert "Traceback" not in err and str(path) in err
    assert not out_dir.exists() or not any(out_dir.iterdir())  # nothing written
    return err


def test_truncated_json_names_the_file_and_line(capsys, tmp_path):
    text = (DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_text()
    err = bad(capsys, tmp_path, "cut.json", text[: len(text) // 2])
    assert "cut.json:1: not valid JSON" in err and "truncated" in err


def test_missing_key_is_named(capsys, tmp_path):
    data = json.loads((DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_text())
    del data["output_throughput"]
    err = bad(capsys, tmp_path, "vllm.json", json.dumps(data))
    assert "vllm.json: output_throughput: missing key" in err


def test_missing_key_in_a_nested_distribution_is_named(capsys, tmp_path):
    data = json.loads((DATA / "guidellm-0.2-0.3_benchmarks_stripped.json").read_text())
    del data["benchmarks"][0]["metrics"]["output_tokens_per_second"]
    err = bad(capsys, tmp_path, "guide.json", json.dumps(data))
    assert "benchmarks[0].metrics.output_tokens_per_second.successful: missing key" in err


def test_wrong_unit_in_aiperf_json_is_refused(capsys, tmp_path):
    data = json.loads((DATA / "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json").read_text())
    data["records"]["ttft"]["unit"] = "s"
    err = bad(capsys, tmp_path, "aiperf.json", json.dumps(data))
    assert "records.ttft.unit: unit 's' where 'ms' is expected" in err


def test_wrong_unit_in_a_perf_csv_is_refused(capsys, tmp_path):
    text = (DATA / "genai-perf_llama-3.1-405b-fp8_dynamo_profile_genai_perf.csv").read_text()
    err = bad(capsys, tmp_path, "genai.csv", text.replace("Time To First Token (ms)", "Time To First Token (s)"),
              "--concurrency", "8")
    assert "genai.csv:2: Time To First Token: unit 's' where ms is expected" in err


def import_vllm(capsys, tmp_path, **changes):
    """The real vLLM file with some keys changed, imported as it ran (1 x H100 SXM, Llama-3.1-8B, BF16): the exit
    code, stderr and the output folder."""
    data = json.loads((DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_text()) | changes
    path = tmp_path / "vllm.json"
    path.write_text(json.dumps(data))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = run(capsys, ["measurements", "import", str(path), "--out", str(out_dir),
                                "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1"])
    return code, err, out_dir


def bad_vllm(capsys, tmp_path, **changes):
    """import_vllm of a file it must refuse: the errors."""
    code, err, out_dir = import_vllm(capsys, tmp_path, **changes)
    assert code == 2, err
    assert "Traceback" not in err and not any(out_dir.iterdir())
    return err


def test_an_output_rate_above_the_gpus_tensor_peak_is_refused(capsys, tmp_path):
    """989 dense BF16 TFLOPS / (2 x 8e9 FLOPs per token) = 61,812 tokens/s at most on one H100 SXM: 1e300 is refused
    with the ceiling and how it was found; on `--gpus 1 --replicas 2` the record holds 2 GPUs and the ceiling doubles."""
    err = bad_vllm(capsys, tmp_path, output_throughput=1e300)
    assert (f"{tmp_path / 'vllm.json'}: output_tokens_per_s: 1e+300 output tokens/s is more than 1 x H100 SXM can generate "
            "for Llama-3.1-8B: at most 61,812 = 1 GPU(s) x 989 TFLOPS (dense_bf16_tflops) / (2 FLOPs x 8 B active "
            "parameters per token)") in err


def test_totals_read_as_one_request_are_refused(capsys, tmp_path):
    """total_input_tokens 1e15 over 200 completed requests is 5e12 tokens per request: no H100 holds its KV cache
    (at most 2,330,169 tokens of Llama-3.1-8B, see tests/load/test_hardware.py)."""
    err = bad_vllm(capsys, tmp_path, total_input_tokens=1e15)
    assert "input_tokens: 5,000,000,000,000 input + 200 output tokens per request do not fit in 1 x H100 SXM" in err


@pytest.mark.parametrize("date", ["20251340-000000", "yesterday", "20250230-120000"])
def test_a_run_date_that_is_no_calendar_day_is_refused_showing_it(capsys, tmp_path, date):
    """Once `2025-13-40` was written as the record's date, and `yesterday` taken for no date ("give --date")."""
    err = bad_vllm(capsys, tmp_path, date=date)
    assert f"vllm.json: date: cannot read the run date {date!r} (vLLM writes YYYYMMDD-HHMMSS)" in err


@pytest.mark.parametrize("date", ["2025-13-40", "2025-02-30"])
def test_a_date_flag_that_is_no_calendar_day_is_refused(capsys, tmp_path, date):
    code, _, err = run(capsys, ["measurements", "import", str(DATA / "sglang-2024-12_llama-3.3-70b_4xh200_offline.jsonl"),
                                "--out", str(tmp_path), "--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4",
                                "--precision", "bf16", "--date", date])
    assert code == 2 and f"--date: must be a calendar date YYYY-MM-DD (got {date!r})" in err
    assert not any(tmp_path.iterdir())


def test_a_throughput_that_is_no_number_shows_the_value(capsys, tmp_path):
    err = bad_vllm(capsys, tmp_path, output_throughput="fast")
    assert "vllm.json: output_throughput: must be a number (got 'fast')" in err


@pytest.mark.parametrize("rate", [-1, "fast", 0])
def test_an_invalid_request_rate_is_named_not_taken_for_no_load(capsys, tmp_path, rate):
    err = bad_vllm(capsys, tmp_path, request_rate=rate)
    assert f"vllm.json: request_rate: must be a positive number or inf (got {rate!r})" in err
    assert "--concurrency" not in err


def test_a_file_without_a_date_needs_date(capsys, tmp_path):
    path = DATA / "sglang-2024-12_llama-3.3-70b_4xh200_offline.jsonl"
    code, _, err = run(capsys, ["measurements", "import", str(path), "--out", str(tmp_path),
                                "--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16"])
    assert code == 2 and "--date: sglang bench_serving records no run date" in err
    assert not any(tmp_path.iterdir())


def test_a_replica_that_cannot_hold_the_weights_is_refused(capsys, tmp_path):
    """vLLM 0.8.3's run of Llama-3.3-70B BF16 ran TP8 on one Azure ND96asr v4, 8 x A100 40GB (its README row). Given as
    8 replicas of one GPU (`--gpus 1 --replicas 8`, the two flags mixed up), one replica would keep 70.0 billion
    parameters x 2 bytes = 140.0 GB of weights (`weight_bytes`) in one A100 40GB's 40 GiB = 42.9 GB (what the driver
    reports): it cannot have served the run, so nothing is written and `--gpus` is named. As run, 8 x 42.9 = 343.6 GB
    hold them: imported. Written, such a record would never answer `tco throughput` (the model says its deployment
    cannot run) and `tco bench accuracy --hardware-dir` would score the model 100 % off on it."""
    name = "vllm-0.8.3_llama-3.3-70b_tp8_qps04_trimmed.json"
    flags = ["--model", "llama-3.3-70b", "--gpu", "a100-40gb", "--precision", "bf16"]
    code, _, err = run(capsys, ["measurements", "import", str(DATA / name), "--out", str(tmp_path / "slip"), *flags,
                                "--gpus", "1", "--replicas", "8"])
    assert code == 2
    assert ("--gpus: Llama-3.3-70B in bf16 has 140.0 GB of weights, more than the 42.9 GB of 1 x A100 SXM 40GB" in err
            and "--replicas" in err.split("hint:")[1]), err
    assert not (tmp_path / "slip").exists()
    [m] = imported(capsys, tmp_path, name, *flags, "--gpus", "8")
    assert (m["num_gpus"], m["tp"]) == (8, 8)


def test_expert_parallelism_on_a_dense_model_is_refused_at_import_and_by_validate(capsys, tmp_path):
    """Bug hunt: `--ep 4` on dense Llama-3.3-70B was written; `tco throughput` refuses that layout, so the record never
    answered it and `tco bench accuracy --source user` scored it 100 % off. Now the import says why and writes nothing,
    and `tco validate` names a record written so by hand."""
    name = "vllm-0.8.3_llama-3.3-70b_tp8_qps04_trimmed.json"
    flags = ["--model", "llama-3.3-70b", "--gpu", "a100-40gb", "--precision", "bf16", "--gpus", "8"]
    (tmp_path / "ep").mkdir()
    code, _, err = run(capsys, ["measurements", "import", str(DATA / name), "--out", str(tmp_path / "ep"), *flags, "--ep", "4"])
    assert code == 2 and "--ep: ep (expert parallelism) needs a mixture-of-experts model; llama-3.3-70b is dense" in err, err
    assert not any((tmp_path / "ep").iterdir())
    imported(capsys, tmp_path, name, *flags)
    [written] = tmp_path.glob("*.yaml")
    written.write_text(written.read_text().replace("  pp: 1\n", "  pp: 1\n  ep: 4\n", 1))
    code, _, err = run(capsys, ["validate", "--hardware-dir", str(tmp_path)])
    assert code == 2 and f"{written}:" in err and "measurements[0].ep: ep 4: expert parallelism needs a mixture-of-experts" in err, err


def test_the_model_and_gpu_may_be_named_as_the_run_named_them(capsys, tmp_path):
    """vLLM is started with a repository name and the card is called `H100 SXM`: the record keeps the ids they mean,
    so the lookup and `tco bench accuracy` find it as they find one imported by id."""
    [m] = imported(capsys, tmp_path, "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json",
                   "--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "H100 SXM", "--gpus", "1",
                   "--precision", "bfloat16", "--engine", "vLLM")  # as `vllm serve --dtype bfloat16` says it
    assert (m["model"], m["gpu"], m["precision"], m["engine"]) == ("llama-3.1-8b", "h100-sxm", "bf16", "vllm")


def test_a_model_the_file_contradicts_is_refused_before_anything_is_written(capsys, tmp_path):
    """AIPerf records the served model (`openai/gpt-oss-20b`); imported as Llama-3.1-8B, its tokens/s became the
    lookup's answer for Llama-3.1-8B on an H100 (basis `measurement`)."""
    code, out, err = run(capsys, ["measurements", "import", str(DATA / "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json"),
                                  "--out", str(tmp_path / "wrong"), "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
                                  "--engine", "vllm"])
    assert code == 2 and out == ""
    assert ("--model: the file's run served `openai/gpt-oss-20b`, which is `gpt-oss-20b` in the catalog, not `llama-3.1-8b`"
            in err and "give --model gpt-oss-20b" in err), err
    assert not (tmp_path / "wrong").exists()


def test_unknown_gpu_gets_a_did_you_mean(capsys, tmp_path):
    code, _, err = run(capsys, ["measurements", "import", str(DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"),
                                "--out", str(tmp_path), "--model", "llama-3.1-8b", "--gpu", "h100-sxn", "--gpus", "1"])
    assert code == 2 and "unknown GPU `h100-sxn`" in err and "did you mean `h100-sxm`?" in err


# ---------------------------------------------------------------------------------------- round trip


def throughput(capsys, hardware_dir, *flags):
    code, out, err = run(capsys, ["throughput", "--hardware-dir", str(hardware_dir), "--format", "json", *flags])
    assert code == 0, err
    return json.loads(out)[0]


def test_round_trip_offline_run_is_the_measured_figure(capsys, tmp_path):
    records = imported(capsys, tmp_path, "sglang-2024-12_llama-3.3-70b_4xh200_offline.jsonl",
                       "--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16", "--date", "2024-12-20")
    row = throughput(capsys, tmp_path, "--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16",
                     "--engine", "sglang", "--input-tokens", "508", "--output-tokens", "515")
    assert row["basis"] == "measurement" and row["measurement_ids"] == records[0]["id"]
    assert row["output_tokens_per_s"] == pytest.approx(4520.7, abs=0.05)  # output_throughput, rounded to 0.1 by the command


def test_only_runs_at_a_fixed_concurrency_lend_an_answer_their_latencies():
    """An offline run's TTFT is the queue of every request sent at once, not a latency at a load: a measured answer
    from it keeps the model's latencies, as does one from runs that published none."""
    from types import SimpleNamespace

    from tco.engine.throughput.lookup import with_measured_latencies

    modelled = object()  # returned as it is: nothing of it is replaced
    offline = SimpleNamespace(scenario="offline_max_throughput", ttft_p50_ms=90_000.0, ttft_ms=90_000.0)
    silent = SimpleNamespace(scenario="fixed_concurrency", **{f: None for f in ("ttft_p50_ms", "ttft_ms", "tpot_p50_ms", "tpot_ms")})
    assert with_measured_latencies(modelled, [offline]) is modelled
    assert with_measured_latencies(modelled, [silent]) is modelled


def test_round_trip_fixed_concurrency_answers_the_same_concurrency_only(capsys, tmp_path):
    [m] = imported(capsys, tmp_path, "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json",
                   "--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm")
    query = ["--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--engine", "vllm",
             "--input-tokens", "550", "--output-tokens", "243"]
    row = throughput(capsys, tmp_path, *query, "--concurrency", "100")
    assert row["basis"] == "measurement" and row["measurement_ids"] == m["id"]
    assert row["output_tokens_per_s"] == pytest.approx(2320.7, abs=0.05)
    assert throughput(capsys, tmp_path, *query, "--concurrency", "50")["basis"] == "model"
    assert throughput(capsys, tmp_path, *query)["basis"] == "model"  # `max` is offline, not concurrency 100


def test_a_key_written_twice_in_a_json_result_is_refused_not_silently_the_last(capsys, tmp_path):
    """Python's json keeps the last of two equal keys: the record said 5 output tokens/s where the run measured 696.6."""
    text = (DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_text().rstrip()
    assert text.endswith("}")
    err = bad(capsys, tmp_path, "twice.json", text[:-1] + ', "output_throughput": 5}')
    assert "twice.json:1: output_throughput: key written twice in the same object" in err


def test_a_key_written_twice_in_a_yaml_report_is_refused(capsys, tmp_path):
    data = json.loads((DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_text())
    text = yaml.safe_dump(data, sort_keys=False) + "output_throughput: 5\n"
    err = bad(capsys, tmp_path, "twice.yaml", text)
    assert "output_throughput: duplicate key" in err


@pytest.mark.parametrize("name, text", [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("long.json", '{"completed": ' + "9" * 5000 + "}"),
    ("deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n"),
    ("long.yaml", "a: " + "9" * 5000 + "\n"),
], ids=["json nested 100,000 deep", "json integer of 5,000 digits", "yaml nested 5,000 deep", "yaml integer of 5,000 digits"])
def test_junk_that_crashed_python_parsers_is_a_problem_not_a_traceback(capsys, tmp_path, name, text):
    err = bad(capsys, tmp_path, name, text)
    assert f"{name}:1: " in err


def test_a_json_result_saved_with_a_byte_order_mark_imports(capsys, tmp_path):
    """Windows editors and PowerShell's Out-File write a UTF-8 BOM; it was refused as "not valid JSON ... truncated?"."""
    source = tmp_path / "bom.json"
    source.write_bytes(b"\xef\xbb\xbf" + (DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_bytes())
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, err = run(capsys, ["measurements", "import", str(source), "--out", str(out_dir),
                                  "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1"])
    assert code == 0, err
    records = yaml.safe_load((out_dir / "bom.json.measurements.yaml").read_text())["measurements"]
    assert records[0]["output_tokens_per_s"] == pytest.approx(696.6005267659943)  # the file's output_throughput


@pytest.mark.parametrize("value", [4.5, "abc", [4], True, "Infinity"], ids=["4.5", "text", "list", "true", "infinity"])
def test_a_max_concurrency_that_is_no_whole_number_is_refused_naming_it(capsys, tmp_path, value):
    """`int()` of the file's value: 4.5 became a record at concurrency 4 in silence; text, a list or infinity crashed
    with a traceback; `true` became concurrency 1."""
    data = json.loads((DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json").read_text())
    data["max_concurrency"] = value
    err = bad(capsys, tmp_path, "vllm.json", json.dumps(data))
    assert f"vllm.json: max_concurrency: must be a whole number of at least 1 (got {value!r})" in err


def test_a_max_concurrency_written_as_a_whole_float_is_read(capsys, tmp_path):
    code, err, out_dir = import_vllm(capsys, tmp_path, max_concurrency=4.0)
    assert code == 0, err
    assert yaml.safe_load((out_dir / "vllm.json.measurements.yaml").read_text())["measurements"][0]["concurrency"] == 4


def test_a_folder_given_as_a_result_file_is_called_a_folder(capsys, tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    code, _, err = run(capsys, ["measurements", "import", str(folder), "--out", str(tmp_path),
                                "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1"])
    assert code == 2 and err.splitlines()[0] == f"{folder}: is a folder, not a file"


def test_a_guidellm_rate_that_is_no_number_is_named(capsys, tmp_path):
    data = json.loads((DATA / "guidellm-0.2-0.3_benchmarks_stripped.json").read_text())
    data["benchmarks"][0]["args"]["strategy"] = {"type_": "constant", "rate": "abc"}
    err = bad(capsys, tmp_path, "guidellm.json", json.dumps(data))
    assert "guidellm.json: benchmarks[0].strategy.rate: must be a number (got 'abc')" in err


def test_a_run_time_beyond_the_calendar_is_named_not_a_traceback(capsys, tmp_path):
    """1e300 seconds since 1970 made datetime raise OverflowError (a traceback)."""
    data = json.loads((DATA / "llmperf-2023-08-31_together-llama-2-70b-chat_550_150_summary.json").read_text())
    data["timestamp"] = 1e300
    err = bad(capsys, tmp_path, "llmperf_summary.json", json.dumps(data))
    assert "llmperf_summary.json: timestamp: cannot read the run date: 1e+300 seconds since 1970" in err


def test_a_metric_row_written_twice_in_a_perf_csv_is_refused_not_silently_the_last(capsys, tmp_path):
    """A second `Output Token Throughput` row replaced the first in a dict: the record said 9,999 tokens/s."""
    text = (DATA / "genai-perf_llama-3.1-405b-fp8_dynamo_profile_genai_perf.csv").read_text()
    row = next(line for line in text.splitlines() if line.startswith("Output Token Throughput"))
    err = bad(capsys, tmp_path, "profile_export_genai_perf.csv", text.replace(row, row + "\nOutput Token Throughput (per sec),9999"))
    assert "profile_export_genai_perf.csv:" in err and "Output Token Throughput: row written twice (first on line" in err


def test_a_measured_answer_shows_the_latencies_its_run_measured(capsys, tmp_path):
    """AIPerf, gpt-oss-20b on one H100 at 100 requests in flight: 2,320.7 output tokens/s, TTFT median 2,369.3 ms and
    p99 3,833.4 ms, TPOT median 27.62 ms and p99 33.73 ms (the file). The answer said basis `measurement` with the
    measured tokens/s beside the model's TTFT, 91 ms. Now the run's median TTFT and TPOT, its p90 (records.ttft.p90
    3,796.9 ms, inter_token_latency.p90 32.87 ms: they were dropped at import, and the answer gave the median as the
    p90 TTFT) and its p99."""
    [m] = imported(capsys, tmp_path, "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json",
                   "--model", "gpt-oss-20b", "--precision", "fp4", "--gpu", "h100-sxm", "--gpus", "1", "--engine", "vllm")
    row = throughput(capsys, tmp_path, "--model", "gpt-oss-20b", "--precision", "fp4", "--gpu", "h100-sxm", "--gpus", "1",
                     "--engine", "vllm", "--input-tokens", str(m["input_tokens"]), "--output-tokens", str(m["output_tokens"]),
                     "--concurrency", str(m["concurrency"]))
    assert row["basis"] == "measurement" and row["output_tokens_per_s"] == pytest.approx(m["output_tokens_per_s"], abs=0.05)
    assert (row["ttft_ms"], row["ttft_p99_ms"]) == (round(m["ttft_p50_ms"], 1), round(m["ttft_p99_ms"], 1))
    assert row["tpot_ms"] == round(m["tpot_p50_ms"], 2)
    assert (row["ttft_p90_ms"], row["tpot_p90_ms"]) == (3796.9, 32.87)


@pytest.mark.parametrize("model, why", [
    # gpt-oss-20b's native mxfp4 is read as fp4, as --precision mxfp4 is (tests/load/test_measurement_import_native_precision.py)
    ("llama-2-70b", "the model's native precision, fp16/bf16, is not one of bf16, fp16, fp8, fp4, int4, int8"),
    ("llama-3.3-70b", "the catalog does not record the model's native precision"),  # it said "is not one of" too
])
def test_a_run_whose_precision_cannot_be_assumed_asks_for_it_and_says_why(capsys, tmp_path, model, why):
    code, _, err = run(capsys, ["measurements", "import", str(DATA / "vllm-0.8.3_llama-3.3-70b_tp8_qps04_trimmed.json"),
                                "--out", str(tmp_path), "--model", model, "--gpu", "h100-sxm", "--gpus", "8"])
    assert code == 2 and f"--precision: {why}: say which precision ran with --precision" in err, err


def test_a_gpu_name_two_records_go_by_is_refused_naming_both(capsys, tmp_path):
    """A user card recorded with the bundled H100's name as an alias: the import said `unknown GPU`; it now says which
    records the name could mean, as `tco throughput` does (one resolver, `catalog_names.catalog_id`)."""
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "gpus.yaml").write_text(
        "schema_version: 1\ngpus:\n- id: my-h100\n  name: My H100\n  aliases: [H100 SXM]\n  vendor: NVIDIA\n"
        "  architecture: hopper\n  memory_gb: 80\n  memory_bandwidth_tb_per_s: 3.0\n  sources:\n"
        "  - covers: [memory_gb, memory_bandwidth_tb_per_s]\n    source: my own measurement, bench log 17\n    as_of: 2026-03\n")
    code, _, err = run(capsys, ["measurements", "import", str(DATA / "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"),
                                "--out", str(folder), "--model", "llama-3.1-8b", "--gpu", "H100 SXM", "--gpus", "1"])
    assert code == 2 and "--gpu: `H100 SXM` names 2 GPUs: `h100-sxm`, `my-h100`" in err, err


def test_a_negative_latency_is_refused_and_a_zero_one_left_out_with_a_note(capsys, tmp_path):
    """vLLM writes mean_ttft_ms and mean_tpot_ms; a negative one is a broken file (refused, named), and a zero TPOT is
    what a tool writes where it measured none: left out, and the record's note says so (before, both vanished silently)."""
    err = bad_vllm(capsys, tmp_path, mean_ttft_ms=-5.0)
    assert "ttft_ms: -5 ms: a latency cannot be negative" in err
    (tmp_path / "zero").mkdir()
    code, err, out_dir = import_vllm(capsys, tmp_path / "zero", mean_tpot_ms=0.0)
    assert code == 0, err
    [record] = yaml.safe_load(next(out_dir.iterdir()).read_text())["measurements"]
    assert "tpot_ms" not in record and "tpot_ms 0 in the file: left out" in record["note"]
