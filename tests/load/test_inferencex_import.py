"""The InferenceX converter: figures scaled back to the whole deployment, layouts read, reruns byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest

from tco.errors import TcoUserError
from tco.load.inferencex_import import TARGET, build_records, main, render

SHARED_CSV = Path("/work/shared/data/calibration/inferencex-deepseek-r1.csv")
pytestmark = pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared calibration table not on this machine")


@pytest.fixture(scope="module")
def records():
    return {r["id"]: r for r in build_records(SHARED_CSV)}


def test_rerun_gives_the_bundled_file(records):
    assert TARGET.read_text() == render(list(records.values()))


def test_rows_without_an_output_figure_are_left_out(records):
    # README-inferencex.md: H0689, H0690, H0692 have only total_tokens_per_s; 336 - 3 = 333.
    assert len(records) == 333
    assert not {"inferencex:H0689", "inferencex:H0690", "inferencex:H0692"} & set(records)


def test_disaggregated_output_is_per_decode_gpu_times_decode_gpus(records):
    # Row H0333 (csv): GB200, prefill 4 GPUs (TP1, 1 worker) + decode 8 GPUs (TP1, 2 workers), 62.5608 output
    # tokens/s per decode GPU -> 62.5608 x 8 = 500.4864 for the deployment.
    r = records["inferencex:H0333"]
    assert (r["gpu"], r["num_gpus"], r["disaggregated"], r["spec_method"]) == ("gb200", 12, True, "none")
    assert r["prefill"] == {"gpus": 4, "workers": 1, "tp": 1, "ep": 1, "attention_dp": True}
    assert r["decode"] == {"gpus": 8, "workers": 2, "tp": 1, "ep": 1, "attention_dp": True}
    assert r["output_tokens_per_s"] == pytest.approx(500.4864)
    assert (r["ttft_ms"], r["tpot_p50_ms"], r["concurrency"]) == (225.76, 7.498, 4)


def test_aggregated_output_is_per_gpu_times_tp(records):
    # Row H0551 (csv): MI355X TP4, AMD ATOM with MTP, 131.6082 tokens/s per GPU -> x 4 = 526.4328; history
    # capture, so medians only (mean TPOT empty, median 7.065 ms).
    r = records["inferencex:H0551"]
    assert (r["tp"], r["engine"], r["engine_label"], r["spec_method"]) == (4, "vllm", "AMD ATOM", "mtp")
    assert r["output_tokens_per_s"] == pytest.approx(526.4328)
    assert "tpot_ms" not in r and r["tpot_p50_ms"] == 7.065


def test_unknown_gpu_stops_with_file_and_line(tmp_path, capsys):
    text = SHARED_CSV.read_text().splitlines()
    header, first = text[0], text[1].replace(",GB200,", ",GB999,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\n" + first + "\n")
    assert main([str(bad), "--target", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and ":2" in err and "gpu" in err and "GB999" in err


def test_other_models_gpus_and_engine_labels_convert_through_the_catalog(tmp_path):
    """A table of other InferenceX runs (here the first row relabelled: gpt-oss-120b on an H200 under vLLM, Llama 3.3
    70B on an MI300X under `llm-d + vLLM`): GPU and model cells resolve through the catalog's names and aliases, an
    engine label through the engine it names; an unknown one still stops with file, line and column."""
    from tco.load.catalog import load_catalog

    catalog = load_catalog()
    text = SHARED_CSV.read_text().splitlines()
    header, first = text[0], text[1]
    rows = [first.replace(",DeepSeek-R1-0528,", ",gpt-oss-120b,", 1).replace(",GB200,", ",H200,", 1)
            .replace("NVIDIA Dynamo + SGLang (disaggregated)", "vLLM", 1),
            first.replace(",DeepSeek-R1-0528,", ",Llama-3.3-70B,", 1).replace(",GB200,", ",mi300x,", 1)
            .replace("NVIDIA Dynamo + SGLang (disaggregated)", "llm-d + vLLM (disaggregated)", 1)]
    table = tmp_path / "other.csv"
    table.write_text("\n".join([header, *rows]) + "\n")
    oss, llama = build_records(table, catalog)
    assert (oss["model"], oss["gpu"], oss["engine"], oss["engine_label"]) == ("gpt-oss-120b", "h200", "vllm", "vLLM")
    assert (llama["model"], llama["gpu"], llama["engine"]) == ("llama-3.3-70b", "mi300x", "vllm")
    out = tmp_path / "other.yaml"
    assert main([str(table), "--target", str(out)]) == 0
    assert "other.csv" in out.read_text() and "DeepSeek-R1-0528 online" not in out.read_text()
    table.write_text("\n".join([header, rows[0].replace(",vLLM,", ",TGI,", 1)]) + "\n")
    with pytest.raises(TcoUserError) as stop:
        build_records(table, catalog)
    assert "other.csv" in str(stop.value) and ":2" in str(stop.value) and "engine" in str(stop.value) and "TGI" in str(stop.value)


def test_a_users_target_is_kept_as_a_backup_and_the_table_is_never_written_over(tmp_path, capsys):
    """hardware/README.md tells users to convert their own tables with --target DIR/measurements/NAME.yaml: an existing
    file there was replaced with no backup, and `--target` naming the table itself destroyed the table."""
    table = tmp_path / "mine.csv"
    table.write_bytes(SHARED_CSV.read_bytes())
    target = tmp_path / "mine.yaml"
    target.write_text("# my hand-made measurements\nschema_version: 1\n")
    assert main([str(table), "--target", str(target)]) == 0
    assert (tmp_path / "mine.yaml.bak").read_text() == "# my hand-made measurements\nschema_version: 1\n"
    assert "measurements:" in target.read_text()
    capsys.readouterr()
    assert main([str(table), "--target", str(table)]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert table.read_bytes() == SHARED_CSV.read_bytes()


def test_a_missing_table_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main([str(tmp_path / "nope.csv"), "--target", str(tmp_path / "out.yaml")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    assert not (tmp_path / "out.yaml").exists()
