"""`tco measurements import`: which tool wrote a file, and results that measured nothing or a NaN latency.

The inputs are the real sample files of tests/data/bench-runs/ (byte copies of /work/shared/data/bench-runs/),
copied and changed in tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tco.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "bench-runs"
VLLM = "vllm-main-2025-05_llama-3.1-8b_h100_rate3.6.json"
SGLANG = "sglang-2024-12_llama-3.3-70b_4xh200_offline.jsonl"
GENAI_PERF = "genai-perf_llama-3.1-405b-fp8_dynamo_profile_genai_perf.csv"
VLLM_FLAGS = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1"]
CSV_FLAGS = ["--model", "llama-3.1-405b", "--gpu", "h200", "--gpus", "8", "--precision", "fp8", "--engine", "vllm",
             "--concurrency", "8", "--date", "2025-06-01"]


def _import(capsys, tmp_path: Path, name: str, text: str, flags: list[str]) -> tuple[int, str, Path]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    code = main(["measurements", "import", str(source), "--out", str(out), *flags])
    return code, capsys.readouterr().err, out


def _vllm_without(*keys: str) -> str:
    data = json.loads((DATA / VLLM).read_text(encoding="utf-8"))
    for key in keys:
        del data[key]
    return json.dumps(data)


def test_a_vllm_result_without_model_id_is_still_read_as_vllm(capsys, tmp_path):
    """It was taken for SGLang (it has `backend`), asked for a --date it holds, and written with `engine: sglang`."""
    code, err, out = _import(capsys, tmp_path, "vllm.json", _vllm_without("model_id"), VLLM_FLAGS)
    assert code == 0, err
    [record] = yaml.safe_load(next(out.glob("*.measurements.yaml")).read_text())["measurements"]
    assert record["engine"] == "vllm" and record["as_of"] == "2025-05-13"
    assert "imported from vllm bench serve" in record["note"]


def test_a_result_neither_tool_can_be_told_from_is_refused_not_guessed(capsys, tmp_path):
    code, err, out = _import(capsys, tmp_path, "vllm.json",
                             _vllm_without("model_id", "tokenizer_id", "request_goodput:"), VLLM_FLAGS)
    assert code == 2
    assert "vllm.json: cannot tell whether vLLM's bench serve or SGLang's bench_serving wrote this result" in err
    assert "Traceback" not in err and not any(out.iterdir())


def test_the_sglang_sample_is_still_read_as_sglang(capsys, tmp_path):
    code, err, out = _import(capsys, tmp_path, "sglang.jsonl", (DATA / SGLANG).read_text(encoding="utf-8"),
                             ["--model", "llama-3.3-70b", "--gpu", "h200", "--gpus", "4", "--precision", "bf16",
                              "--date", "2024-12-20"])
    assert code == 0, err
    records = yaml.safe_load(next(out.glob("*.measurements.yaml")).read_text())["measurements"]
    assert records and {r["engine"] for r in records} == {"sglang"}


def test_a_perf_csv_with_request_count_0_is_refused_as_vllms_completed_0_is(capsys, tmp_path):
    text = (DATA / GENAI_PERF).read_text(encoding="utf-8").replace("Request Count (count),40.00", "Request Count (count),0")
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, 1) if row.startswith("Request Count"))
    code, err, out = _import(capsys, tmp_path, "genai.csv", text, CSV_FLAGS)
    assert code == 2
    assert f"genai.csv:{line}: Request Count: no request completed: nothing was measured" in err
    assert not any(out.iterdir())


def test_a_nan_latency_is_refused_like_a_nan_throughput(capsys, tmp_path):
    """A NaN TTFT was left out of the record without a word, while a NaN throughput was refused."""
    data = json.loads((DATA / VLLM).read_text(encoding="utf-8"))
    data["mean_ttft_ms"] = float("nan")
    code, err, out = _import(capsys, tmp_path, "vllm.json", json.dumps(data), VLLM_FLAGS)
    assert code == 2 and "vllm.json: ttft_ms: nan is not a finite number" in err
    assert not any(out.iterdir())


def test_a_nan_latency_in_a_perf_csv_is_refused_too(capsys, tmp_path):
    text = (DATA / GENAI_PERF).read_text(encoding="utf-8").replace('Time To First Token (ms),"1,146.31"',
                                                                     "Time To First Token (ms),nan")
    code, err, _ = _import(capsys, tmp_path, "genai.csv", text, CSV_FLAGS)
    assert code == 2 and "genai.csv: ttft_ms: nan is not a finite number" in err
