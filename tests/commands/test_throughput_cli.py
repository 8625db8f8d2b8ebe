"""`tco throughput`, `tco bench accuracy` and `tco bench throughput` from the command line: outputs, exit codes, messages."""

from __future__ import annotations

import json
import math

import pytest

from tco.cli import main

BASE = ["throughput", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "2",
        "--input-tokens", "1000", "--output-tokens", "1000"]


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_one_configuration_as_json(capsys):
    code, out, err = run(capsys, BASE + ["--format", "json"])
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["model"] == "llama-3.1-70b" and row["tp"] == 2 and row["runnable"] is True
    assert row["basis"] == "measurement"  # TensorRT-LLM v0.17 published this exact configuration
    [measurement_id] = row["measurement_ids"].split()
    assert measurement_id.startswith("trtllm-v0.17:")
    assert row["output_tokens_per_s_per_gpu"] == pytest.approx(row["output_tokens_per_s"] / 2, rel=1e-3)
    assert row["requests_per_s"] == pytest.approx(row["output_tokens_per_s"] / 1000, rel=1e-3)
    for key in ("ttft_ms", "tpot_ms", "concurrency", "max_concurrency_fits", "limited_by"):
        assert row[key] is not None


def test_table_lists_every_field(capsys):
    code, out, _ = run(capsys, BASE + ["--model-only"])
    assert code == 0
    fields = dict(line.split(None, 1) for line in out.strip().splitlines())
    assert fields["basis"] == "model"
    assert float(fields["output_tokens_per_s"].replace(",", "")) > 0


def test_latency_target_is_met(capsys):
    code, out, _ = run(capsys, BASE + ["--tpot-ms", "40", "--format", "json"])
    (row,) = json.loads(out)
    assert code == 0 and row["tpot_ms"] <= 40 and row["limited_by"] == "latency target (tpot)"


def test_configuration_that_cannot_run_exits_4_with_the_reason(capsys):
    code, out, err = run(capsys, ["throughput", "--model", "llama-3.1-405b", "--gpu", "h100-sxm", "--gpus", "1",
                                  "--input-tokens", "100", "--output-tokens", "100"])
    assert code == 4 and out == ""
    assert "cannot run: weights need" in err


def test_fp4_cache_on_hopper_exits_4_and_fp4_weights_run_weight_only(capsys):
    code, _, err = run(capsys, BASE + ["--precision", "fp4", "--kv-precision", "fp4"])
    assert code == 4 and "FP4 KV cache needs a Blackwell or CDNA4 GPU" in err
    code, out, _ = run(capsys, BASE + ["--precision", "fp4", "--format", "json"])
    (row,) = json.loads(out)
    assert code == 0 and row["runnable"] and row["precision"] == "fp4" and row["kv_precision"] == "bf16"


def test_unknown_ids_exit_2_with_did_you_mean(capsys):
    code, out, err = run(capsys, ["throughput", "--model", "lama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "1",
                                  "--input-tokens", "1", "--output-tokens", "1"])
    assert code == 2 and out == ""
    assert "model: unknown model `lama-3.1-70b`" in err and "did you mean `llama-3.1-70b`?" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("typed, hint", [
    ("h100", "did you mean `h100-sxm`, `h100-pcie` or `h100-nvl`?"),  # a prefix: every id it starts (difflib said h800)
    ("h100-sxmm", "did you mean `h100-sxm`?"),  # a typo: the nearest spelling
])
def test_an_unknown_gpu_is_matched_by_prefix_before_spelling(capsys, typed, hint):
    code, _, err = run(capsys, ["throughput", "--model", "llama-3.1-8b", "--gpu", typed, "--gpus", "1",
                                "--input-tokens", "1", "--output-tokens", "1"])
    assert code == 2 and f"gpu: unknown GPU `{typed}`" in err and hint in err


@pytest.mark.parametrize("model, gpu, model_id, gpu_id", [
    ("DeepSeek-R1-0528", "GB200", "deepseek-r1", "gb200"),  # as InferenceX's tables write them
    ("deepseek-ai/DeepSeek-R1-0528", "GB200 (per Blackwell GPU)", "deepseek-r1", "gb200"),  # repository; the card's name
    ("meta-llama/Llama-3.1-8B-Instruct", "H100 SXM", "llama-3.1-8b", "h100-sxm"),  # an instruct checkpoint
    ("Llama-3.1-8B", "h100_sxm", "llama-3.1-8b", "h100-sxm"),  # other case, other separators
    ("google/gemma-3-27b-it", "MI300X", "gemma-3-27b", "mi300x"),
])
def test_names_and_aliases_answer_as_the_ids_they_mean(capsys, model, gpu, model_id, gpu_id):
    """A name pasted from a benchmark table or a Hugging Face repository is the catalog record it names: the row is the
    id's row, under the id (scripts key on `model` and `gpu`)."""
    flags = ["--gpus", "8", "--precision", "fp8", "--input-tokens", "1000", "--output-tokens", "500", "--concurrency", "16",
             "--format", "json"]
    code, out, err = run(capsys, ["throughput", "--model", model, "--gpu", gpu, *flags])
    assert code == 0, err
    code, by_id, err = run(capsys, ["throughput", "--model", model_id, "--gpu", gpu_id, *flags])
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["model"], row["gpu"]) == (model_id, gpu_id)
    assert out == by_id


@pytest.mark.parametrize("flags, same_as", [
    (["--precision", "FP8", "--engine", "vLLM"], ["--precision", "fp8", "--engine", "vllm"]),
    (["--precision", "bfloat16", "--kv-precision", "float16"], ["--precision", "bf16", "--kv-precision", "fp16"]),
    (["--precision", "nvfp4", "--kv-precision", "fp8_e4m3", "--engine", "TensorRT-LLM"],  # NVIDIA's FP4; vLLM's cache dtype
     ["--precision", "fp4", "--kv-precision", "fp8", "--engine", "trtllm"]),
    (["--spec-method", "EAGLE", "--acceptance-length", "2", "--percentile", "P90"],
     ["--spec-method", "eagle", "--acceptance-length", "2", "--percentile", "p90"]),
])
def test_values_spelt_as_engines_and_model_cards_spell_them_are_the_values_they_mean(capsys, flags, same_as):
    code, out, err = run(capsys, BASE + ["--format", "json", *flags])
    assert code == 0, err
    code, expected, err = run(capsys, BASE + ["--format", "json", *same_as])
    assert code == 0 and out == expected, err


def batch_pair(tmp_path, capsys, header: str, spelt: str, canonical: str) -> tuple[dict, dict]:
    """The results of a --batch file of two rows: one spelt as a user would, one as the catalog does."""
    csv_file = tmp_path / "pair.csv"
    csv_file.write_text(f"{header}\n{spelt}\n{canonical}\n")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--format", "json"])
    assert code == 0, err
    first, second = json.loads(out)
    return first, second


def test_a_batch_cell_may_spell_a_value_another_way_and_a_wrong_one_is_still_refused(tmp_path, capsys):
    spelt, canonical = batch_pair(tmp_path, capsys, "model,gpu,gpus,precision,engine,input_tokens,output_tokens",
                                  "llama-3.1-8b,h100-sxm,1,BFloat16,SGLang,1000,100", "llama-3.1-8b,h100-sxm,1,bf16,sglang,1000,100")
    assert spelt == canonical and (spelt["precision"], spelt["engine"]) == ("bf16", "sglang")
    csv_file = tmp_path / "wrong.csv"
    csv_file.write_text("model,gpu,gpus,precision,input_tokens,output_tokens\nllama-3.1-8b,h100-sxm,1,fp6,1000,100\n")
    code, _, err = run(capsys, ["throughput", "--batch", str(csv_file)])
    assert code == 2 and f"{csv_file}:2: precision: must be one of bf16, fp16, fp8, fp4, int4, int8 (got 'fp6')" in err


def test_a_batch_row_may_name_the_model_and_gpu(tmp_path, capsys):
    named, by_id = batch_pair(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens",
                              "Llama-3.3-70B,H200 SXM,4,1000,1000", "llama-3.3-70b,h200,4,1000,1000")
    assert named == by_id and named["gpu"] == "h200"


def test_bad_concurrency_exits_2(capsys):
    code, _, err = run(capsys, BASE + ["--concurrency", "lots"])
    assert code == 2 and "--concurrency: must be a whole number or `max`" in err


def test_batch_returns_one_result_per_row_in_order(tmp_path, capsys):
    csv_file = tmp_path / "configs.csv"
    csv_file.write_text(
        "model,gpu,gpus,precision,input_tokens,output_tokens,concurrency,ttft_ms,tpot_ms,tp,pp,ep,engine\n"
        "llama-3.1-8b,h200,1,fp8,1000,1000,,,,,,,\n"
        "llama-3.1-405b,a100-80gb,1,fp8,1000,1000,,,,,,,\n"
        "mixtral-8x7b,h200,2,,500,200,64,,,,,,vllm\n", encoding="utf-8")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--format", "json"])
    assert code == 0, err
    rows = json.loads(out)
    assert [r["gpu"] for r in rows] == ["h200", "a100-80gb", "h200"]
    assert rows[0]["runnable"] and rows[0]["basis"] == "measurement"
    assert rows[1]["runnable"] is False and "weights need" in rows[1]["reason"] and "use more GPUs" in rows[1]["reason"]
    assert rows[2]["engine"] == "vllm" and rows[2]["concurrency"] == 64 and rows[2]["precision"] == "fp8"
    assert {r["runtime"] for r in rows} == {"python"}


def test_runtime_column_and_flag(tmp_path, capsys):
    # gpt-oss-20b at 128/128 on a B200 is limited by the scheduler's CPU time: the C++ runtime is faster.
    args = ["throughput", "--model", "gpt-oss-20b", "--gpu", "b200", "--gpus", "1", "--precision", "fp4",
            "--input-tokens", "128", "--output-tokens", "128", "--format", "json", "--model-only"]
    code, out, _ = run(capsys, args)
    python = json.loads(out)[0]
    code_cpp, out_cpp, _ = run(capsys, args + ["--runtime", "cpp"])
    cpp = json.loads(out_cpp)[0]
    assert code == code_cpp == 0
    assert (python["runtime"], cpp["runtime"]) == ("python", "cpp")
    assert cpp["output_tokens_per_s"] > python["output_tokens_per_s"]
    csv_file = tmp_path / "runtimes.csv"
    csv_file.write_text("model,gpu,gpus,precision,input_tokens,output_tokens,runtime\n"
                        "gpt-oss-20b,b200,1,fp4,128,128,cpp\n"
                        "gpt-oss-20b,b200,1,fp4,128,128,rust\n", encoding="utf-8")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--model-only"])
    assert code == 2 and f"{csv_file}:3: runtime: must be one of python, cpp (got 'rust')" in err


def test_malformed_batch_rows_are_located(tmp_path, capsys):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "model,gpu,gpus,input_tokens,output_tokens,precision\n"
        "llama-3.1-8b,h200,two,1000,1000,fp8\n"
        "llama-3.1-8b,h200,1,1000,1000,fp9\n"
        "llama-3.1-8x,h200,1,1000,1000,fp8\n", encoding="utf-8")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file)])
    assert code == 2 and out == ""
    assert f"{csv_file}:2: gpus: must be a whole number of at least 1 (got 'two')" in err
    assert f"{csv_file}:3: precision: must be one of" in err
    assert f"{csv_file}:4: model: unknown model `llama-3.1-8x`" in err


def test_rows_of_empty_cells_are_skipped_and_column_names_take_any_case(tmp_path, capsys):
    """Bug hunt: a spreadsheet's trailing `,,,,` rows and a spaces-only line gave ten "required value is empty"
    errors (`tco match --scores` skips them), and a header written `Model,GPU` was an unknown column."""
    csv_file = tmp_path / "sheet.csv"
    csv_file.write_text("Model,GPU,gpus,Input_Tokens,output_tokens\n,,,,\n   \nllama-3.1-8b,h100-sxm,1,128,128\n,,,,\n",
                        encoding="utf-8")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--format", "json", "--model-only"])
    assert code == 0, err
    [row] = json.loads(out)
    assert (row["model"], row["gpu"], row["input_tokens"]) == ("llama-3.1-8b", "h100-sxm", 128)


def test_unknown_batch_column_is_named(tmp_path, capsys):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("model,gpu,gpus,input_tokens,output_tokens,concurency\n", encoding="utf-8")
    code, _, err = run(capsys, ["throughput", "--batch", str(csv_file)])
    assert code == 2 and f"{csv_file}:1: concurency: unknown column" in err and "did you mean `concurrency`?" in err


def test_bench_accuracy_prints_overall_and_slices(capsys):
    code, out, _ = run(capsys, ["bench", "accuracy", "--format", "json"])
    assert code == 0
    rows = json.loads(out)
    groups = {r["group"] for r in rows}
    assert {"model (all rows)", "per gpu", "per model", "per precision", "interpolation (leave one out)",
            "hold-out gpu", "hold-out family"} <= groups
    overall = next(r for r in rows if r["group"] == "model (all rows)")
    # 631 TensorRT-LLM rows + 333 InferenceX rows (tests/test_bundled_hardware.py)
    assert overall["rows"] == 964 and 0 < overall["median_abs_pct_error"] < overall["p90_abs_pct_error"]
    # issue 16 item 8: per source, per concurrency band, per metric
    assert {(r["group"], r["key"]) for r in rows} >= {
        ("throughput per source", "inferencex"), ("throughput per source", "trtllm-v1.0"), ("tpot per source", "inferencex"),
        ("ttft per source", "inferencex"), ("throughput per concurrency band", "1-8"), ("tpot per concurrency band", "9-64"),
        ("ttft per concurrency band", "65+")}
    tpot = next(r for r in rows if r["group"] == "tpot (all rows)")
    assert tpot["rows"] == 333  # only the InferenceX rows publish TPOT


def test_bench_throughput_runs_a_1000_row_batch_over_every_model_and_gpu(capsys, bundled_hardware):
    from tco.bench.throughput_speed import batch_rows

    catalog = bundled_hardware
    rows = batch_rows(catalog.models, catalog.gpus)
    assert len(rows) == 1000
    pairs = {(r["model"], r["gpu"]) for r in rows}
    every = {(m, g) for m in catalog.models for g in catalog.gpus}
    assert pairs == every if len(every) <= 1000 else len(pairs) == 1000
    code, out, _ = run(capsys, ["bench", "throughput", "--format", "json"])
    assert code == 0
    [figure] = json.loads(out)
    assert "1,000 rows" in figure["measure"] and figure["seconds"] > 0 and figure["target"] == "< 2 s"
    assert "say why not" in figure["measure"]  # every row answered: a result or the reason


def test_attention_dp_flags_choose_the_moe_split(capsys):
    # Qwen3-30B-A3B on 8 RTX PRO 6000 (PCIe): `--tp 8` alone may run attention data-parallel (faster
    # here); `--tp 8 --ep 1 --no-attention-dp` forces plain TP8; `--ep 8 --attention-dp` forces DP + EP.
    args = ["throughput", "--model", "qwen3-30b-a3b", "--gpu", "rtx-pro-6000", "--gpus", "8", "--precision", "fp4",
            "--input-tokens", "300", "--output-tokens", "300", "--format", "json", "--model-only"]
    rows = {}
    for name, extra in (("header", ["--tp", "8"]), ("tp", ["--tp", "8", "--ep", "1", "--no-attention-dp"]),
                        ("dp", ["--ep", "8", "--attention-dp"])):
        code, out, err = run(capsys, args + extra)
        assert code == 0, err
        rows[name] = json.loads(out)[0]
    assert rows["tp"]["parallelism"] == "TP8"
    assert rows["dp"]["parallelism"] == rows["header"]["parallelism"] == "DP8 attention, experts EP8"
    assert rows["header"]["output_tokens_per_s"] == rows["dp"]["output_tokens_per_s"] > rows["tp"]["output_tokens_per_s"]


def test_ep_1_is_no_expert_parallelism_and_a_dense_model_accepts_it(tmp_path, capsys):
    # A batch with an `ep` column of 1 for every row mixes dense and MoE models: ep 1 on a dense model is what it runs
    # anyway (the same answer as no ep), a larger ep is still refused with the reason.
    with_ep, without = _batch_json(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,ep\n"
                                                     "llama-3.1-8b,h100-sxm,2,1000,200,1\n"
                                                     "llama-3.1-8b,h100-sxm,2,1000,200,\n")
    assert with_ep["runnable"] and with_ep["output_tokens_per_s"] == without["output_tokens_per_s"]
    assert with_ep["parallelism"] == without["parallelism"] == "2 x TP1"  # two replicas serve more than one TP2
    code, _, err = run(capsys, ["throughput", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "2",
                                "--input-tokens", "1000", "--output-tokens", "200", "--ep", "2"])
    assert code == 4 and "ep (expert parallelism) needs a mixture-of-experts model; llama-3.1-8b is dense" in err


def test_prefill_and_decode_gpus_imply_a_disaggregated_replica_and_must_add_up(tmp_path, capsys):
    # Given a side's GPUs and no `disaggregated`, the replica is disaggregated (the counts describe nothing else); a
    # stated false beside them, a side with all the GPUs, or two sides that do not add up to the replica are refused
    # where they are written, never silently ignored.
    implied, stated = _batch_json(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,precision,disaggregated,decode_gpus\n"
                                                    "deepseek-r1,gb200,12,1000,500,fp4,,8\n"
                                                    "deepseek-r1,gb200,12,1000,500,fp4,true,8\n")
    assert (implied["disaggregated"], implied["prefill_gpus"], implied["decode_gpus"]) == (True, 4, 8)
    assert implied["output_tokens_per_s"] == stated["output_tokens_per_s"]
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,precision,disaggregated,prefill_gpus,decode_gpus\n"
                                                    "deepseek-r1,gb200,8,1000,500,fp4,false,2,\n"
                                                    "deepseek-r1,gb200,8,1000,500,fp4,,2,4\n"
                                                    "deepseek-r1,gb200,8,1000,500,fp4,,,8\n")
    assert f"{csv_file}:2: prefill_gpus: prefill and decode GPUs describe a disaggregated replica: set disaggregated to true or auto (got false)" in err
    assert f"{csv_file}:3: decode_gpus: prefill_gpus + decode_gpus = 2 + 4 = 6, not the replica's 8 GPUs" in err
    assert f"{csv_file}:4: decode_gpus: must be fewer than the replica's 8 GPUs (the other side needs at least one; got 8)" in err
    flags = ["throughput", "--model", "deepseek-r1", "--gpu", "gb200", "--gpus", "12", "--precision", "fp4", "--input-tokens", "1000",
             "--output-tokens", "500", "--model-only", "--format", "json"]
    code, out, err = run(capsys, flags + ["--decode-gpus", "8"])
    assert code == 0, err
    assert json.loads(out)[0]["output_tokens_per_s"] == implied["output_tokens_per_s"]
    code, out, err = run(capsys, flags + ["--decode-gpus", "12"])
    assert code == 2 and "--decode-gpus: must be fewer than the replica's 12 GPUs" in err and not out
    code, out, _ = run(capsys, flags)
    assert code == 0 and json.loads(out)[0]["disaggregated"] is False  # nothing given: aggregated, as before


def test_the_cli_choices_are_the_models_allowed_values():
    # The CLI keeps its own tuples (no pydantic on the `tco --help` path); they must be the Literals.
    from typing import get_args

    from tco.commands import throughput as cli
    from tco.model.hardware import Engine, Precision, Runtime

    assert cli.PRECISIONS == get_args(Precision)
    assert cli.ENGINES == get_args(Engine)
    assert cli.RUNTIMES == get_args(Runtime)
    assert set(cli.KV_PRECISIONS) == set(get_args(Precision)) - {"int4", "int8"}  # weight-only precisions: no such cache


def test_an_unknown_engine_in_a_batch_names_the_allowed_ones(tmp_path, capsys):
    path = tmp_path / "configs.csv"
    path.write_text("model,gpu,gpus,input_tokens,output_tokens,engine\nllama-3.1-8b,h100-sxm,1,1000,1000,tgi\n")
    code, _, err = run(capsys, ["throughput", "--batch", str(path)])
    assert code == 2
    assert f"{path}:2: engine: must be one of trtllm, vllm, sglang (got 'tgi')" in err


def _batch_json(tmp_path, capsys, text: str) -> list[dict]:
    """`tco throughput --batch` of a CSV's text, model only, as its JSON rows (exit code 0 asserted)."""
    csv_file = tmp_path / "batch.csv"
    csv_file.write_text(text)
    code, out, _ = run(capsys, ["throughput", "--batch", str(csv_file), "--format", "json", "--model-only"])
    assert code == 0
    return json.loads(out)


def _batch_errors(tmp_path, capsys, text: str, *flags: str) -> tuple[str, str]:
    """`tco throughput --batch` of a CSV's text (and `flags`) that must be refused: (the file's path, stderr); exit
    code 2 asserted."""
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(text)
    code, _, err = run(capsys, ["throughput", "--batch", str(csv_file), *flags])
    assert code == 2
    return str(csv_file), err


def test_a_configuration_flag_beside_batch_is_refused_not_dropped(tmp_path, capsys):
    """Each row of a --batch file is a whole configuration. `--engine vllm --ttft-ms 100` beside it were dropped without
    a word: the rows answered as TensorRT-LLM, their TTFT over the 100 ms, exit 0."""
    text = "model,gpu,gpus,input_tokens,output_tokens\nllama-3.1-8b,h100-sxm,1,1000,200\n"
    csv_file, err = _batch_errors(tmp_path, capsys, text, "--engine", "vllm", "--ttft-ms", "100", "--no-attention-dp")
    assert "Traceback" not in err
    assert sorted(line for line in err.splitlines() if not line.startswith(" ")) == sorted(
        f"tco throughput: {flag}: is not read with --batch: each row of the file is a whole configuration"
        for flag in ("--ttft-ms", "--engine", "--no-attention-dp"))
    assert f"give it as the `engine` column of {csv_file}" in err
    # the flags that are not a row's configuration still apply
    code, out, _ = run(capsys, ["throughput", "--batch", csv_file, "--model-only", "--format", "json"])
    assert code == 0 and json.loads(out)[0]["basis"] == "model"


def test_batch_serving_columns_and_the_new_json_fields(tmp_path, capsys):
    # issue 16: attention_dp, spec_method, acceptance_length, disaggregated, prefill_gpus, decode_gpus, percentile;
    # missing columns (and empty cells) take the defaults.
    first, second, third = _batch_json(
        tmp_path, capsys,
        "model,gpu,gpus,input_tokens,output_tokens,precision,attention_dp,spec_method,acceptance_length,disaggregated,prefill_gpus,decode_gpus,percentile\n"
        "deepseek-r1,b200,8,1000,500,fp4,auto,mtp,1.7,false,,,p90\n"
        "deepseek-r1,gb200,16,2000,500,fp4,true,none,,true,,12,p50\n"
        "llama-3.1-8b,h100-sxm,1,1000,200,fp8,,,,,,,\n")
    for row in (first, second, third):
        assert {"ttft_p90_ms", "ttft_p99_ms", "tpot_p90_ms", "prefix_hit_rate", "spec_method", "disaggregated",
                "output_tokens_per_s", "ttft_ms", "tpot_ms", "limited_by", "basis"} <= set(row)
        assert row["ttft_ms"] <= row["ttft_p90_ms"] <= row["ttft_p99_ms"] and row["tpot_ms"] <= row["tpot_p90_ms"]
    assert (first["spec_method"], first["acceptance_length"], first["percentile"], first["disaggregated"]) == ("mtp", 1.7, "p90", False)
    assert (second["disaggregated"], second["prefill_gpus"], second["decode_gpus"]) == (True, 4, 12)  # 16 - 12 decode
    assert (third["spec_method"], third["disaggregated"], third["percentile"], third["prefix_hit_rate"]) == ("none", False, "p50", 0)


def test_batch_serving_column_errors_name_file_line_and_column(tmp_path, capsys):
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,disaggregated,spec_method\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200,maybe,none\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200,auto,medusa\n")
    assert f"{csv_file}:2: disaggregated: must be true, false or auto" in err
    assert f"{csv_file}:3: spec_method: must be one of none, mtp, eagle, draft-model" in err


def test_batch_draft_tokens_column_and_its_errors(tmp_path, capsys):
    """An acceptance above 2 drafts what it needs (3 for 3.5) unless draft_tokens is given; a bad cell names its place."""
    inferred, given, too_few = _batch_json(tmp_path, capsys,
                                           "model,gpu,gpus,input_tokens,output_tokens,spec_method,acceptance_length,draft_tokens\n"
                                           "llama-3.1-8b,h100-sxm,1,1000,200,eagle,3.5,\n"
                                           "llama-3.1-8b,h100-sxm,1,1000,200,eagle,3.5,5\n"
                                           "llama-3.1-8b,h100-sxm,1,1000,200,eagle,3.5,2\n")
    assert (inferred["draft_tokens"], given["draft_tokens"]) == (3, 5) and inferred["runnable"] and given["runnable"]
    assert not too_few["runnable"] and "acceptance_length must be between 1 and 3" in too_few["reason"]
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,spec_method,acceptance_length,draft_tokens\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200,eagle,3.5,three\n")
    assert f"{csv_file}:2: draft_tokens: must be a whole number of at least 1 (got 'three')" in err


def test_request_rate_flag_and_batch_column(tmp_path, capsys):
    """An offered rate: output = rate x output tokens, the load Little's law gives (5 requests/s x (TTFT + 1,023 TPOTs)
    in flight), the model alone; `request_rate_per_s` in the JSON, empty where no rate was asked. A bad value or a
    concurrency beside it names its place and exits 2."""
    code, out, err = run(capsys, ["throughput", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--engine", "vllm",
                                  "--input-tokens", "1024", "--output-tokens", "1024", "--request-rate", "5", "--format", "json"])
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["output_tokens_per_s"] == 5 * 1024 and row["requests_per_s"] == 5 and row["request_rate_per_s"] == 5
    assert (row["limited_by"], row["basis"]) == ("offered load", "model")
    in_flight = 5 * (row["ttft_ms"] + 1023 * row["tpot_ms"]) / 1e3
    assert abs(in_flight - row["concurrency"]) <= 1
    rated, plain = _batch_json(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,engine,request_rate\n"
                                                 "llama-3.1-8b,h100-sxm,1,1024,1024,vllm,5\n"
                                                 "llama-3.1-8b,h100-sxm,1,1024,1024,vllm,\n")
    assert rated["output_tokens_per_s"] == row["output_tokens_per_s"] and rated["tpot_ms"] == row["tpot_ms"]
    assert plain["request_rate_per_s"] is None and plain["limited_by"] != "offered load"
    code, _, err = run(capsys, BASE + ["--request-rate", "5", "--concurrency", "8"])
    assert code == 2 and "--request-rate: an offered request rate sets the load" in err
    code, _, err = run(capsys, BASE + ["--request-rate", "5", "--calibrate"])
    assert code == 2 and "--request-rate: an offered request rate is answered by the physical model alone" in err
    batch, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,request_rate\n"
                                                 "llama-3.1-8b,h100-sxm,1,1024,1024,5\n", "--calibrate")
    assert f"{batch}: request_rate: an offered request rate is answered by the physical model alone" in err
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,request_rate,ttft_ms\n"
                                                    "llama-3.1-8b,h100-sxm,1,1024,1024,fast,\n"
                                                    "llama-3.1-8b,h100-sxm,1,1024,1024,0,\n"
                                                    "llama-3.1-8b,h100-sxm,1,1024,1024,5,200\n")
    assert f"{csv_file}:2: request_rate: must be a positive number of requests per second (got 'fast')" in err
    assert f"{csv_file}:3: request_rate: must be a positive number of requests per second (got 0.0)" in err
    assert f"{csv_file}:4: request_rate: an offered request rate sets the load" in err


def test_a_batch_column_given_twice_is_refused_naming_line_1_and_the_column(tmp_path, capsys):
    """csv.DictReader let the last `gpus` win: the row ran on 4 GPUs where the first cell said 2."""
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,gpus,input_tokens,output_tokens\n"
                                                    "llama-3.3-70b,h100-sxm,2,4,1000,100\n")
    assert err.splitlines()[0] == f"{csv_file}:1: gpus: column appears 2 times (columns 3, 4)"


def test_an_unclosed_quote_names_the_line_it_opens_on_and_swallows_no_row(tmp_path, capsys):
    """Without strict reading the open quote ate the rest of the file, reported as empty cells of line 2."""
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200\n"
                                                    "\"llama-3.3-70b,h100-sxm,2,1000,100\n"
                                                    "llama-3.3-70b,h100-sxm,4,1000,100\n")
    assert err.splitlines()[0] == f"{csv_file}:3: a quoted value starts on this line and its quote is not closed"
    assert "required value is empty" not in err


def test_a_quote_closed_lines_later_is_refused_and_blank_lines_keep_the_line_numbers(tmp_path, capsys):
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens\n"
                                                    "\"llama-3.1-8b,h100-sxm,1,1000,200\n"
                                                    "llama-3.1-8b\",h100-sxm,1,1000,200\n")
    assert err.splitlines()[0].startswith(f"{csv_file}:2: a quoted value runs from this line to line 3")
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200\n\n\n"
                                                    "llama-3.1-8b,h100-sxm,two,1000,200\n")
    assert err.splitlines()[0] == f"{csv_file}:5: gpus: must be a whole number of at least 1 (got 'two')"


@pytest.mark.parametrize("spec_cell", ["", "none"])
def test_an_acceptance_length_without_a_spec_method_is_refused_in_a_batch(tmp_path, capsys, spec_cell):
    """It was dropped without a word: the row answered as if no acceptance length had been given."""
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,spec_method,acceptance_length\n"
                                                    f"llama-3.1-8b,h100-sxm,1,1000,200,{spec_cell},2.5\n")
    assert err.splitlines()[0] == (f"{csv_file}:2: acceptance_length: needs a speculative decoding method: give spec_method "
                                   "mtp, eagle or draft-model (got none), or leave the acceptance length out")


def test_an_acceptance_length_flag_without_a_spec_method_is_refused(capsys):
    code, out, err = run(capsys, [*BASE, "--acceptance-length", "2"])
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[0] == ("tco throughput: --acceptance-length: needs a speculative decoding method: give --spec-method "
                                   "mtp, eagle or draft-model (got none), or leave the acceptance length out")


def test_draft_tokens_without_a_spec_method_are_refused_as_a_flag_and_as_a_cell(tmp_path, capsys):
    """`--spec-method none --draft-tokens 3` answered rc 0 as if no draft count had been given; a scenario's option
    refuses the same (`SelfHostedOption._drafting_needs_a_method`)."""
    code, out, err = run(capsys, [*BASE, "--draft-tokens", "3"])
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[0] == ("tco throughput: --draft-tokens: needs a speculative decoding method: give --spec-method "
                                   "mtp, eagle or draft-model (got none), or leave the draft tokens out")
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,spec_method,draft_tokens\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200,none,3\n")
    assert err.splitlines()[0] == (f"{csv_file}:2: draft_tokens: needs a speculative decoding method: give spec_method "
                                   "mtp, eagle or draft-model (got none), or leave the draft tokens out")


@pytest.mark.parametrize("engine", ["vllm", "sglang"])
def test_the_cpp_runtime_is_refused_for_an_engine_without_it_as_a_flag_and_as_a_cell(tmp_path, capsys, engine):
    """`cpp` is TensorRT-LLM's C++ executor: with vLLM or SGLang it was taken (rc 0, `runtime: cpp`) and its shorter host
    time made the answer 4 % faster (hunt-1 #4). TensorRT-LLM keeps it, and an empty engine cell is TensorRT-LLM."""
    message = (f"cpp is TensorRT-LLM's C++ executor (its TensorRT engine flow), which {engine} does not have: give python, "
               "or the engine trtllm")
    code, out, err = run(capsys, [*BASE, "--engine", engine, "--runtime", "cpp", "--model-only"])
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines() == [f"tco throughput: --runtime: {message}"]
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,engine,runtime\n"
                                                    f"llama-3.1-8b,h100-sxm,1,1000,200,{engine},cpp\n"
                                                    "llama-3.1-8b,h100-sxm,1,1000,200,,cpp\n"
                                                    f"llama-3.1-8b,h100-sxm,1,1000,200,{engine},python\n")
    assert err.splitlines() == [f"{csv_file}:2: runtime: {message}"]
    code, out, err = run(capsys, [*BASE, "--runtime", "cpp", "--model-only", "--format", "json"])
    assert code == 0 and json.loads(out)[0]["runtime"] == "cpp"


def test_model_only_with_calibrate_is_refused_not_a_calibration_dropped(tmp_path, capsys):
    """--calibrate scales the model to the deployment's measurements and --model-only ignores them: together the
    answer was the bare model (basis `model`, calibration_scale null) at rc 0 (hunt-1 #8)."""
    message = ("tco throughput: --calibrate: scales the model to published measurements, which --model-only ignores: "
               "give one or the other, not both")
    code, out, err = run(capsys, [*BASE, "--model-only", "--calibrate", "--format", "json"])
    assert code == 2 and out == "" and err.splitlines() == [message]
    _, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens\nllama-3.1-8b,h100-sxm,1,1000,200\n",
                           "--model-only", "--calibrate")
    assert err.splitlines() == [message]
    for flag in ("--model-only", "--calibrate"):
        code, _, err = run(capsys, [*BASE, flag, "--format", "json"])
        assert code == 0, err


# --- A single call's flags are checked as a --batch row's cells are -------------------------------------------------

SMALL = ["throughput", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "2", "--input-tokens", "1024",
         "--output-tokens", "256"]


@pytest.mark.parametrize("flags, column, message", [
    (["--tp", "0"], "tp", "must be a whole number of at least 1 (got '0')"),  # was a ZeroDivisionError
    (["--pp", "0"], "pp", "must be a whole number of at least 1 (got '0')"),  # was taken as unset
    (["--decode-gpus", "0"], "decode_gpus", "must be a whole number of at least 1 (got '0')"),
    (["--prefill-gpus", "0"], "prefill_gpus", "must be a whole number of at least 1 (got '0')"),
    (["--tpot-ms", "inf"], "tpot_ms", "must be a positive number of milliseconds (got 'inf')"),  # was accepted
    (["--spec-method", "eagle", "--acceptance-length", "nan"], "acceptance_length",
     "must be a number of tokens per step between 1 and 16 (got 'nan')"),  # was a ValueError in draft_tokens_of
    (["--spec-method", "eagle", "--acceptance-length", "inf"], "acceptance_length",
     "must be a number of tokens per step between 1 and 16 (got 'inf')"),  # was an OverflowError
    (["--spec-method", "eagle", "--acceptance-length", "40"], "acceptance_length",
     "must be a number of tokens per step between 1 and 16 (got '40.0')"),  # ran, drafting 39 tokens
    (["--concurrency", str(10**400)], "concurrency",
     "must be between 1 and 10,000,000 requests in flight, or `max` (got 1000000000...0000000000 (401 characters))"),
    # the scenario schema's bounds (SelfHostedOption.max_batch, step_tokens): 10^30 was echoed as the row's max_batch
    # and ran as if unset; a step of 10^30 tokens was said to be weights that do not fit
    (["--max-batch", str(10**30)], "max_batch",
     "must be a whole number from 1 to 1,000,000, as in a scenario (got 1000000000...0000000000 (31 characters))"),
    (["--max-batch", "1000001"], "max_batch", "must be a whole number from 1 to 1,000,000, as in a scenario (got 1000001)"),
    (["--step-tokens", str(10**30)], "step_tokens",
     "must be a whole number from 1 to 10,000,000, as in a scenario (got 1000000000...0000000000 (31 characters))"),
])
def test_a_flag_is_refused_as_its_batch_column_is(tmp_path, capsys, flags, column, message):
    code, out, err = run(capsys, SMALL + flags)
    assert code == 2 and not out and "Traceback" not in err
    assert f"tco throughput: --{column.replace('_', '-')}: {message}" in err
    # the same value in a --batch cell: the same rule, named by its column at its line
    cells = dict(zip(flags[::2], flags[1::2]))
    header = ",".join(["model,gpu,gpus,input_tokens,output_tokens"] + [f.removeprefix("--").replace("-", "_") for f in cells])
    row = ",".join(["llama-3.1-8b,h100-sxm,2,1024,256"] + list(cells.values()))
    csv_file, err = _batch_errors(tmp_path, capsys, f"{header}\n{row}\n")
    assert f"{csv_file}:2: {column}: {message.replace('40.0', '40')}" in err and "Traceback" not in err


def test_the_engine_refuses_a_tensor_parallel_group_of_0_and_a_non_finite_acceptance_length(bundled_hardware):
    # Through the API too (not only behind the command's checks): a clear reason, not an exception
    from tco.engine.throughput import ServingConfig, predict_model

    model, gpu = bundled_hardware.models["llama-3.1-8b"], bundled_hardware.gpus["h100-sxm"]
    base = ServingConfig(gpus=2, input_tokens=1024, output_tokens=256)
    assert predict_model(model, gpu, ServingConfig(gpus=2, input_tokens=1024, output_tokens=256, tp=0)).reason == "tp must be at least 1 (got 0)"
    from dataclasses import replace
    assert "tp must be at least 1" in predict_model(model, gpu, replace(base, tp=0, disaggregated=True)).reason
    for bad in (math.nan, math.inf, 40.0):
        r = predict_model(model, gpu, replace(base, spec_method="eagle", acceptance_length=bad))
        assert not r.runnable and "acceptance_length must be between 1 and 16" in r.reason
    r = predict_model(model, gpu, replace(base, concurrency=10**400))
    assert not r.runnable and "concurrency must be between 1 and 10,000,000" in r.reason


def test_kv_precision_is_a_batch_column_as_the_flag(tmp_path, capsys):
    csv_file = tmp_path / "kv.csv"
    csv_file.write_text("model,gpu,gpus,input_tokens,output_tokens,kv_precision\nllama-3.1-8b,h100-sxm,2,1024,256,bf16\n")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--model-only", "--format", "json"])
    assert code == 0, err
    (from_batch,) = json.loads(out)
    code, out, _ = run(capsys, SMALL + ["--kv-precision", "bf16", "--model-only", "--format", "json"])
    (from_flag,) = json.loads(out)
    assert from_batch["kv_precision"] == "bf16" and from_batch == from_flag
    csv_file, err = _batch_errors(tmp_path, capsys, "model,gpu,gpus,input_tokens,output_tokens,kv_precision\n"
                                                   "llama-3.1-8b,h100-sxm,2,1024,256,int4\n")
    assert f"{csv_file}:2: kv_precision: must be one of bf16, fp16, fp8, fp4 (got 'int4')" in err


def test_a_tiny_rate_keeps_its_significant_digits(capsys):
    # 0.0001 requests a second of 16 output tokens each: 16 x 0.0001 = 0.0016 output tokens/s (was printed 0.0); a rate
    # of 1.234567e-5 requests/s keeps three digits, 1.23e-5, and 16 x that = 1.975e-4 tokens/s, 0.000198
    code, out, err = run(capsys, ["throughput", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
                                  "--input-tokens", "1024", "--output-tokens", "16", "--request-rate", "0.0001", "--format", "json"])
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["output_tokens_per_s"] == 0.0016 and row["output_tokens_per_s_per_gpu"] == 0.0016
    code, out, _ = run(capsys, ["throughput", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
                                "--input-tokens", "1024", "--output-tokens", "16", "--request-rate", "1.234567e-5"])
    fields = dict(line.split(None, 1) for line in out.strip().splitlines())
    assert fields["output_tokens_per_s"] == "0.000198" and fields["requests_per_s"] == "1.23e-05"


@pytest.mark.parametrize("text, line, message", [
    ("", None, "no configuration: the file is empty"),
    ("\n\n", None, "no configuration: the file is empty"),
    ("model,gpu,gpus,input_tokens,output_tokens\n", 1, "no row under the header"),
], ids=["empty", "blank lines", "header only"])
def test_a_batch_with_no_row_is_refused_not_an_empty_answer(tmp_path, capsys, text, line, message):
    """A header with no row exited 0 with an empty table (a script then read "no results" as success); an empty file
    was reported as five missing columns."""
    csv_file = tmp_path / "batch.csv"
    csv_file.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file)])
    assert code == 2 and out == ""
    where = f"{csv_file}:{line}" if line else f"{csv_file}"
    assert err.splitlines()[0] == f"{where}: {message}"


@pytest.mark.parametrize("separator, name", [("\t", "tabs"), (";", "semicolons")])
def test_a_batch_separated_by_tabs_or_semicolons_says_so(tmp_path, capsys, separator, name):
    csv_file = tmp_path / "batch.csv"
    csv_file.write_text(separator.join(["model", "gpu", "gpus", "input_tokens", "output_tokens"]) + "\n"
                        + separator.join(["llama-3.1-8b", "h200", "1", "1000", "1000"]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, ["throughput", "--batch", str(csv_file)])
    assert code == 2 and f"hint: columns are separated by commas; this header uses {name}" in err


def test_a_binary_batch_file_is_called_not_csv(tmp_path, capsys):
    csv_file = tmp_path / "batch.csv"
    csv_file.write_bytes(bytes(range(256)))
    code, _, err = run(capsys, ["throughput", "--batch", str(csv_file)])
    assert code == 2 and err.splitlines()[0] == f"{csv_file}: looks like a binary file, not CSV text"


def test_per_user_and_per_decode_gpu_figures_are_the_ones_inferencex_plots(capsys):
    """InferenceX's interactivity is 1000 / TPOT, and a disaggregated row's output per GPU is divided by the decode GPUs
    (README-inferencex.md, `tokens_per_s_per_user`, `output_tokens_per_s`); an aggregated replica decodes on all."""
    code, out, err = run(capsys, ["throughput", "--model", "deepseek-r1", "--gpu", "gb200", "--gpus", "12", "--precision", "fp4",
                                  "--engine", "sglang", "--disaggregated", "true", "--prefill-gpus", "4", "--decode-gpus", "8",
                                  "--input-tokens", "1024", "--output-tokens", "1024", "--concurrency", "4", "--model-only",
                                  "--format", "json"])
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["output_tokens_per_s_per_decode_gpu"] == pytest.approx(row["output_tokens_per_s"] / 8, abs=0.05)
    assert row["output_tokens_per_s_per_gpu"] == pytest.approx(row["output_tokens_per_s"] / 12, abs=0.05)
    assert row["output_tokens_per_s_per_user"] == pytest.approx(1000 / row["tpot_ms"], rel=2e-3)  # tpot printed to 0.01 ms
    code, out, err = run(capsys, BASE + ["--format", "json"])
    (row,) = json.loads(out)
    assert row["output_tokens_per_s_per_decode_gpu"] == row["output_tokens_per_s_per_gpu"]


L40S_DISAGGREGATED = ["throughput", "--model", "llama-3.1-70b", "--precision", "fp8", "--input-tokens", "4000",
                      "--output-tokens", "300", "--gpu", "l40s", "--gpus", "12", "--prefill-gpus", "8", "--model-only",
                      "--format", "json"]


def test_the_prefill_workers_can_be_given_as_a_published_deployment_ran_them(capsys, tmp_path):
    """Left open, the model picks the worker size that serves the most (4 x TP2 here); `--prefill-tp` (a
    `prefill_tp` column) runs the size a deployment used, each the same replica as the model's choice at that size."""
    rows = {}
    for size in (None, 2, 4, 8):
        code, out, err = run(capsys, L40S_DISAGGREGATED + ([] if size is None else ["--prefill-tp", str(size)]))
        assert code == 0, err
        (rows[size],) = json.loads(out)
    assert rows[None] == rows[2] and "prefill 8 GPUs (4 x TP2)" in rows[2]["parallelism"]
    assert "prefill 8 GPUs (2 x TP4)" in rows[4]["parallelism"] and "prefill 8 GPUs (TP8)" in rows[8]["parallelism"]
    # on PCIe a wider prefill worker spends its time in all-reduces: each halving of the workers serves less
    assert rows[2]["output_tokens_per_s"] > rows[4]["output_tokens_per_s"] > rows[8]["output_tokens_per_s"]
    csv_file = tmp_path / "prefill.csv"
    csv_file.write_text("model,gpu,gpus,precision,input_tokens,output_tokens,prefill_gpus,prefill_tp\n"
                        "llama-3.1-70b,l40s,12,fp8,4000,300,8,8\n")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--model-only", "--format", "json"])
    assert code == 0, err
    assert json.loads(out) == [rows[8]]


@pytest.mark.parametrize("flags, message", [
    (["--prefill-gpus", "8", "--prefill-tp", "3"], "--prefill-tp: must divide the prefill side's 8 GPUs into workers (got 3)"),
    (["--decode-gpus", "4", "--prefill-tp", "3"], "--prefill-tp: must divide the prefill side's 8 GPUs into workers (got 3)"),
    (["--prefill-tp", "12"], "--prefill-tp: must be fewer than the replica's 12 GPUs (the decode side needs at least one; got 12)"),
    (["--prefill-tp", "2", "--disaggregated", "false"],
     "--prefill-tp: describes the prefill workers of a disaggregated replica: set disaggregated to true or auto (got false)"),
])
def test_prefill_workers_that_cannot_be_are_refused_by_their_flag(capsys, flags, message):
    without_sides = [a for a in L40S_DISAGGREGATED if a not in ("--prefill-gpus", "8")]
    code, out, err = run(capsys, without_sides + flags)
    assert code == 2 and out == "" and message in err


def test_a_name_two_gpus_go_by_is_refused_naming_both(capsys, tmp_path):
    """A user's card recorded with the bundled H100's name as an alias: `H100 SXM` could mean either, so neither is
    guessed; each id still answers."""
    (tmp_path / "gpus.yaml").write_text(
        "schema_version: 1\n"
        "gpus:\n"
        "- id: my-h100\n"
        "  name: My H100\n"
        "  aliases: [H100 SXM]\n"
        "  vendor: NVIDIA\n"
        "  architecture: hopper\n"
        "  memory_gb: 80\n"
        "  memory_bandwidth_tb_per_s: 3.0\n"
        "  sources:\n"
        "  - covers: [memory_gb, memory_bandwidth_tb_per_s]\n"
        "    source: my own measurement, bench log 17\n"
        "    as_of: 2026-03\n")
    flags = ["--model", "llama-3.1-8b", "--gpus", "1", "--input-tokens", "100", "--output-tokens", "10",
             "--hardware-dir", str(tmp_path)]
    code, out, err = run(capsys, ["throughput", "--gpu", "H100 SXM", *flags])
    assert code == 2 and out == "" and "gpu: `H100 SXM` names 2 GPUs: `h100-sxm`, `my-h100`" in err, err
    code, _, err = run(capsys, ["throughput", "--gpu", "h100-sxm", *flags])
    assert code == 0, err


def test_more_requests_than_fit_with_a_ttft_target_answer_the_most_that_meet_it(capsys, tmp_path):
    """Qwen2.5-72B in BF16 on one H200 holds one 5,000-token sequence: 512 asked with a 1 s TTFT target is answered
    at the one it holds, whose TTFT meets the target. It crashed (TypeError) and stopped a whole --batch file."""
    flags = ["--model", "qwen2.5-72b", "--gpu", "h200", "--gpus", "1", "--input-tokens", "1000", "--output-tokens", "4000",
             "--precision", "bf16", "--engine", "vllm", "--ttft-ms", "1000", "--format", "json"]
    code, out, err = run(capsys, ["throughput", *flags, "--concurrency", "512"])
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["concurrency"], row["max_concurrency_fits"]) == (1, 1)
    assert row["ttft_ms"] <= 1000 and row["limited_by"] == "latency target (ttft)"
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("model,gpu,gpus,precision,engine,input_tokens,output_tokens,concurrency,ttft_ms\n"
                        "qwen2.5-72b,h200,1,bf16,vllm,1000,4000,512,1000\n"
                        "llama-3.1-8b,h200,1,bf16,vllm,1000,4000,8,1000\n")
    code, out, err = run(capsys, ["throughput", "--batch", str(csv_file), "--format", "json"])
    assert code == 0, err
    assert [r["concurrency"] for r in json.loads(out)] == [1, 8]


def test_a_disaggregated_loop_whose_ttft_misses_the_target_is_answered_at_the_largest_that_meets_it(capsys):
    """256 requests of 8,000-token prompts on 8 H200 split prefill / decode: their TTFT is over 30 s. With a 1 s
    target the answer is the largest loop up to 256 that meets it, as an aggregated replica answers; it was the
    256-request loop, its TTFT over the target, and `auto` chose that layout over an aggregated one that met it."""
    flags = ["--model", "llama-3.1-70b", "--gpu", "h200", "--gpus", "8", "--input-tokens", "8000", "--output-tokens", "1000",
             "--format", "json"]
    code, out, err = run(capsys, ["throughput", *flags, "--concurrency", "256", "--ttft-ms", "1000", "--disaggregated", "true"])
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["disaggregated"] and row["ttft_ms"] <= 1000 and row["limited_by"] == "latency target (ttft)"
    assert 1 <= row["concurrency"] < 256
    split = ["--prefill-gpus", str(row["prefill_gpus"]), "--disaggregated", "true"]
    code, out, err = run(capsys, ["throughput", *flags, *split, "--concurrency", str(row["concurrency"] + 1)])
    assert code == 0, err
    assert json.loads(out)[0]["ttft_ms"] > 1000  # one request more misses it: the largest
    code, out, err = run(capsys, ["throughput", *flags, "--concurrency", "256", "--ttft-ms", "1000", "--disaggregated", "auto"])
    (chosen,) = json.loads(out)
    assert chosen["ttft_ms"] <= 1000 and chosen["output_tokens_per_s"] >= row["output_tokens_per_s"]
