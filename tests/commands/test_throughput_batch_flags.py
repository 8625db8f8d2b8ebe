"""`tco throughput --batch` beside configuration flags: every flag typed is refused, named as typed.

Why a file of its own: the refusal used to compare each flag with its default, so a flag typed at its default value
(`--engine trtllm` on a row that says vllm) was dropped without a word, which the refusal exists to prevent."""

from __future__ import annotations

import pytest

from tco.cli import main

ROW = "model,gpu,gpus,input_tokens,output_tokens,engine,precision\nllama-3.1-8b,h100-sxm,1,1000,200,vllm,bf16\n"
AT_THEIR_DEFAULT = [("--engine", "trtllm", "engine"), ("--precision", "fp8", "precision"), ("--runtime", "python", "runtime"),
                    ("--concurrency", "max", "concurrency"), ("--percentile", "p50", "percentile"),
                    ("--spec-method", "none", "spec_method"), ("--pp", "1", "pp"), ("--prefix-hit-rate", "0", "prefix_hit_rate")]
"""Each configuration flag with a default, typed at that default, and the column to give it as instead."""


def refused(tmp_path, capsys, *flags: str) -> str:
    """stderr of `tco throughput --batch` of ROW with `flags`, which must be refused (exit 2) without a traceback."""
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text(ROW)
    code = main(["throughput", "--batch", str(csv_file), "--format", "csv", *flags])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    return err


@pytest.mark.parametrize("flag, value, column", AT_THEIR_DEFAULT)
def test_a_flag_typed_at_its_default_beside_batch_is_refused_naming_the_column(tmp_path, capsys, flag, value, column):
    err = refused(tmp_path, capsys, flag, value)
    assert f"tco throughput: {flag}: is not read with --batch: each row of the file is a whole configuration" in err
    assert f"give it as the `{column}` column of" in err


def test_the_reviewers_repro_names_every_flag_typed(tmp_path, capsys):
    """engine trtllm and precision fp8 beside a vllm / bf16 row answered vllm / bf16 with exit 0."""
    flags = [part for flag, value, _ in AT_THEIR_DEFAULT for part in (flag, value)]
    err = refused(tmp_path, capsys, *flags)
    named = {line.split(": ")[1] for line in err.splitlines() if line.startswith("tco throughput: ")}
    assert named == {flag for flag, _, _ in AT_THEIR_DEFAULT}


@pytest.mark.parametrize("flag", ["--no-prefill-attention-dp", "--no-attention-dp", "--attention-dp"])
def test_an_on_off_flag_beside_batch_is_named_as_typed(tmp_path, capsys, flag):
    err = refused(tmp_path, capsys, flag)
    (line,) = [line for line in err.splitlines() if line.startswith("tco throughput: ")]
    assert line.startswith(f"tco throughput: {flag}: is not read with --batch")
