"""`tco measurements import` without --precision: the model's native precision, read as the flag reads a value.

Why: gpt-oss's native `mxfp4` was taken as written and refused ("is not one of bf16, ..."), though `--precision mxfp4`
is taken as fp4: the AIPerf example of docs/throughput.md needed a flag its help says defaults."""

from __future__ import annotations

from pathlib import Path

import yaml

from tco.cli import main

BENCH_RUNS = Path(__file__).resolve().parents[1] / "data" / "bench-runs"
AIPERF_GPT_OSS = BENCH_RUNS / "aiperf-0.1.1_gpt-oss-20b_c100_profile_export_aiperf.json"
FLAGS = ["--model", "gpt-oss-20b", "--gpu", "h100-sxm", "--gpus", "1", "--engine", "vllm"]


def imported_records(capsys, out: Path, *flags: str) -> list[dict]:
    """The records `tco measurements import` of the gpt-oss AIPerf file writes into the new folder `out`."""
    out.mkdir()
    code = main(["measurements", "import", str(AIPERF_GPT_OSS), *FLAGS, "--out", str(out), *flags])
    _, err = capsys.readouterr()
    assert code == 0, err
    (written,) = out.glob("*.measurements.yaml")
    return yaml.safe_load(written.read_text())["measurements"]


def test_an_mxfp4_model_imports_without_precision_as_with_precision_mxfp4(tmp_path, capsys, monkeypatch, bundled_hardware):
    monkeypatch.setattr("tco.load.hardware.load_hardware", lambda extra_dirs=(): bundled_hardware)  # the folders are empty
    default = imported_records(capsys, tmp_path / "default")
    assert [r["precision"] for r in default] == ["fp4"]
    assert default == imported_records(capsys, tmp_path / "flag", "--precision", "mxfp4")


def test_the_native_precision_is_read_as_the_flag_reads_a_value(bundled_hardware):
    from tco.commands.measurements import native_precision

    assert native_precision(bundled_hardware, "gpt-oss-120b") == "fp4"
    assert native_precision(bundled_hardware, "llama-2-70b") is None  # `fp16/bf16`: which of them ran is the user's to say
    assert native_precision(bundled_hardware, "no-such-model") is None
