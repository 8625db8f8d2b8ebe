"""The hardware loader: located errors for bad files, user folders layered on the bundled catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import TcoUserError
from tco.load.hardware import load_hardware

DATA = Path(__file__).resolve().parent.parent / "data" / "hardware"


def _problems(case: str) -> list[str]:
    with pytest.raises(TcoUserError) as caught:
        load_hardware(extra_dirs=[DATA / "bad" / case])
    return [p.render() for p in caught.value.problems]


def test_an_unknown_field_is_named_with_its_line_and_a_did_you_mean():
    f = DATA / "bad" / "unknown_field" / "gpus.yaml"
    assert _problems("unknown_field") == [
        f"{f}:3: gpus[0].memory_gb: required field is missing",
        f"{f}:7: gpus[0].memory_gib: unknown field\n    hint: did you mean `memory_gb`?",
    ]


def test_a_figure_without_a_source_is_refused():
    f = DATA / "bad" / "missing_source" / "gpus.yaml"
    assert _problems("missing_source") == [
        f"{f}:3: gpus[0]: figures without a source: tdp_w (add them to a `covers` list)",
    ]


def test_an_offer_for_an_unknown_gpu_points_at_the_gpu_line():
    f = DATA / "bad" / "unknown_gpu" / "offers.yaml"
    assert _problems("unknown_gpu") == [
        f"{f}:6: offers[0].gpu: unknown GPU id `h100sxm`\n    hint: did you mean `h100-sxm`?",
    ]


def test_references_to_a_file_that_could_not_be_read_are_reported_once_per_id():
    """A YAML slip in a GPU file loses its records, so every offer of those GPUs fails its reference too: each unknown
    id is said once, at its first reference, with the count of the others and the unread file (a broken
    hardware/gpus.yaml gave over 3,000 lines before; 45 now)."""
    folder = DATA / "bad" / "unreadable_gpu_file"
    assert _problems("unreadable_gpu_file") == [
        f"{folder / 'gpus.yaml'}:8: YAML syntax error, column 17: mapping values are not allowed in this context",
        f"{folder / 'offers.yaml'}:6: offers[0].gpu: unknown GPU id `test-gpu` (and 2 more references to it)\n"
        f"    hint: it may be defined in {folder / 'gpus.yaml'}, which could not be read (see above)",
    ]


def test_a_duplicate_id_in_one_folder_names_both_places():
    folder = DATA / "bad" / "duplicate_id"
    assert _problems("duplicate_id") == [
        f"{folder / 'b.yaml'}:4: cost_figures[0].id: duplicate id `test-power-price`: also defined in {folder / 'a.yaml'}:3",
    ]


def test_problems_of_all_files_are_reported_together():
    with pytest.raises(TcoUserError) as caught:
        load_hardware(extra_dirs=[DATA / "bad" / "unknown_field", DATA / "bad" / "unknown_gpu"])
    files = {Path(p.file).parent.name for p in caught.value.problems}
    assert files == {"unknown_field", "unknown_gpu"}


def test_a_missing_folder_is_a_user_error():
    with pytest.raises(TcoUserError, match="no such folder"):
        load_hardware(extra_dirs=[DATA / "does-not-exist"])


def test_a_user_record_replaces_the_bundled_one_with_the_same_id(bundled_hardware):
    bundled = bundled_hardware
    layered = load_hardware(extra_dirs=[DATA / "user"])
    assert bundled.gpus["h100-sxm"].memory_bandwidth_tb_per_s == 3.35
    assert layered.gpus["h100-sxm"].memory_bandwidth_tb_per_s == 3.0
    assert layered.gpus["h100-sxm"].dense_bf16_tflops is None  # replaced whole, not merged
    assert layered.files["gpus/h100-sxm"] == str(DATA / "user" / "gpus.yaml")
    assert layered.files["gpus/h200"] == "hardware/gpus.yaml"
    assert len(layered.offers) == len(bundled.offers) + 1
    assert layered.offers["mycloud:h100x8"].gpu == "h100-sxm"


def test_catalog_files_records_where_each_bundled_record_came_from(bundled_hardware):
    catalog = bundled_hardware
    assert catalog.files["offers/aws:p5.48xlarge"] == "hardware/offers/aws.yaml"
    assert catalog.files["measurements/trtllm-v1.0:M0446"] == "hardware/measurements/trtllm-v1.0.yaml"
    assert catalog.files["models/deepseek-r1"] == "hardware/models.yaml"


def test_cli_hardware_list_json_has_the_required_gpus(capsys):
    assert main(["hardware", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in rows}
    for gpu in ("a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h100-nvl", "h200", "gh200", "b200", "gb200",
                "l40s", "l4", "a10g", "mi300x", "mi325x", "rtx-pro-6000"):
        assert gpu in by_id
    h100 = by_id["h100-sxm"]
    assert (h100["memory_gb"], h100["memory_bandwidth_tb_per_s"], h100["dense_bf16_tflops"], h100["tdp_w"]) == (80, 3.35, 989, 700)
    assert h100["source"].startswith("github.com/stas00/ml-engineering") and h100["as_of"] == "2026"
    # the memory the driver reports, where a source gives it (the throughput model uses it in place of memory_gb)
    assert h100["memory_reported_mib"] is None and by_id["b300"]["memory_reported_mib"] == 275_040


def test_cli_models_list_csv(capsys):
    assert main(["models", "list", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,name,arch_type,total_params_b,active_params_b,num_layers,attention,num_kv_heads,head_dim")
    deepseek = next(line for line in lines if line.startswith("deepseek-v3,"))
    assert ",moe,671.0,37.0,61,mla,,,,fp8," in deepseek  # raw numbers at full precision, as polars writes floats


def test_cli_offers_filter_by_gpu_and_cloud(capsys):
    assert main(["offers", "list", "--gpu", "h100-sxm", "--cloud", "aws", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == {"aws:p5.48xlarge", "aws:p5.4xlarge"}
    p5 = next(r for r in rows if r["id"] == "aws:p5.48xlarge")
    assert p5["gpu_count"] == 8 and p5["source"].endswith("@2c3d7ea7d76bf84cf80d382e946c1609571485fd")
    assert main(["offers", "list", "--gpu", "H100 SXM", "--cloud", "aws", "--format", "json"]) == 0  # the card's name
    assert json.loads(capsys.readouterr().out) == rows


def test_cli_unknown_gpu_exits_2_with_suggestions(capsys):
    assert main(["offers", "list", "--gpu", "h100"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown GPU id `h100`" in captured.err and "`h100-sxm`" in captured.err and "`h100-nvl`" in captured.err


def test_cli_bad_hardware_dir_exits_2_with_the_located_problem(capsys):
    assert main(["hardware", "list", "--hardware-dir", str(DATA / "bad" / "unknown_gpu")]) == 2
    err = capsys.readouterr().err
    assert f"{DATA / 'bad' / 'unknown_gpu' / 'offers.yaml'}:6: offers[0].gpu: unknown GPU id `h100sxm`" in err
    assert "Traceback" not in err


def test_a_yml_file_in_a_user_folder_is_read_like_a_yaml_one(tmp_path):
    """It was skipped without a word: its offer was missing and its mistakes unreported."""
    (tmp_path / "gpus.yml").write_text((DATA / "user" / "gpus.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    catalog = load_hardware(extra_dirs=[tmp_path])
    assert catalog.gpus["h100-sxm"].name == "H100 SXM (my measured card)" and "mycloud:h100x8" in catalog.offers
    (tmp_path / "gpus.yml").write_text("schema_version: 1\ngpus:\n- id: x\n", encoding="utf-8")
    with pytest.raises(TcoUserError) as caught:
        load_hardware(extra_dirs=[tmp_path])
    assert caught.value.problems[0].file == str(tmp_path / "gpus.yml")


@pytest.mark.parametrize("text", ["", "# my GPUs, to fill in\n", "---\n"])
def test_an_empty_file_in_a_hardware_folder_is_said_with_its_name(tmp_path, capsys, text):
    """It was skipped without a word: a file copied empty by mistake left its records out of the run unsaid. A warning,
    not a refusal: nothing in it is wrong, and a user's notes file may sit in the folder (test_bench_import.py)."""
    (tmp_path / "gpus.yaml").write_text(text, encoding="utf-8")
    [notice] = load_hardware(extra_dirs=[tmp_path]).notices
    assert notice.render().startswith(f"{tmp_path / 'gpus.yaml'}: warning: the file is empty (or holds only comments)")
    example = Path(__file__).resolve().parents[2] / "tco" / "examples" / "batch-extraction.yaml"
    assert main(["run", str(example), "--no-breakeven", "--hardware-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'gpus.yaml'}: warning: the file is empty" in err and "Traceback" not in err


# ------------------------------------------------------------------- measurements the hardware cannot have produced

_MEASUREMENT = """schema_version: 1
measurements:
- id: mine:1
  model: llama-3.1-8b
  gpu: h100-sxm
  num_gpus: {num_gpus}
  tp: {tp}
  precision: bf16
  engine: vllm
  scenario: offline_max_throughput
  input_tokens: {input_tokens}
  output_tokens: 100
  output_tokens_per_s: {output_tokens_per_s}
  source: my benchmark
  as_of: '{as_of}'
"""


def _measurement_problems(tmp_path, **fields) -> list[str]:
    """The problems of one user measurement of Llama-3.1-8B on H100 SXM in BF16 (defaults: a possible one)."""
    values = dict(num_gpus=1, tp=1, input_tokens=1000, output_tokens_per_s=5000.0, as_of="2025-06-10") | fields
    (tmp_path / "mine.yaml").write_text(_MEASUREMENT.format(**values))
    try:
        load_hardware(extra_dirs=[tmp_path])
    except TcoUserError as e:
        return [p.render() for p in e.problems]
    return []


def test_output_above_the_tensor_peak_is_refused_with_the_ceiling_and_its_arithmetic(tmp_path):
    """1 H100 SXM (dense_bf16_tflops 989) and Llama-3.1-8B (active_params_b 8): each generated token takes at least
    2 x 8e9 FLOPs, so 989e12 / 16e9 = 61,812.5 tokens/s is the most the GPU can generate. 61,800 passes, 61,900 and the
    audit's 1e12 do not; on 2 GPUs (two replicas) the ceiling doubles to 123,625."""
    f = tmp_path / "mine.yaml"
    assert _measurement_problems(tmp_path, output_tokens_per_s=61_800.0) == []
    assert _measurement_problems(tmp_path, output_tokens_per_s=61_900.0) == [
        f"{f}:13: measurements[0].output_tokens_per_s: 61,900 output tokens/s is more than 1 x H100 SXM can generate for "
        "Llama-3.1-8B: at most 61,812 = 1 GPU(s) x 989 TFLOPS (dense_bf16_tflops) / (2 FLOPs x 8 B active parameters per "
        "token)\n    hint: output_tokens_per_s is the tokens generated per second by all num_gpus together; check the unit "
        "(per second, not per run or per batch) and the number of zeros"]
    assert "1e+12 output tokens/s is more than" in _measurement_problems(tmp_path, output_tokens_per_s=1e12)[0]
    assert _measurement_problems(tmp_path, output_tokens_per_s=123_000.0, num_gpus=2) == []


def test_a_request_longer_than_its_kv_cache_could_be_is_refused(tmp_path):
    """Llama-3.1-8B caches 2 x 8 KV heads x 128 x 32 layers = 65,536 elements per token; in FP4 (0.5625 bytes, the
    smallest cache format) 36,864 bytes, so an H100's 80 GiB holds at most 85,899,345,920 / 36,864 = 2,330,169 tokens of
    one request. The audit's 5e12 input tokens per request (a total over the run, divided wrong) cannot have run."""
    f = tmp_path / "mine.yaml"
    assert _measurement_problems(tmp_path, input_tokens=2_330_000) == []
    assert _measurement_problems(tmp_path, input_tokens=5_000_000_000_000) == [
        f"{f}:11: measurements[0].input_tokens: 5,000,000,000,000 input + 100 output tokens per request do not fit in 1 x "
        "H100 SXM: Llama-3.1-8B's KV cache (FP4, nothing else in memory) holds at most 2,330,169 tokens\n"
        "    hint: input_tokens and output_tokens are the mean lengths of one request, not totals over the run"]


def test_tp_times_pp_must_divide_the_gpus_of_a_measurement(tmp_path):
    """A record may hold several replicas (num_gpus = replicas x tp x pp, as `tco measurements import --replicas`
    writes): tp 1 on 2 GPUs is two replicas, tp 4 on 2 GPUs no deployment at all."""
    f = tmp_path / "mine.yaml"
    assert _measurement_problems(tmp_path, num_gpus=2, tp=1) == []
    assert _measurement_problems(tmp_path, num_gpus=2, tp=4) == [
        f"{f}:7: measurements[0].tp: tp 4 x pp 1 = 4 GPUs per replica does not divide the 2 GPUs of num_gpus\n"
        "    hint: num_gpus is all replicas' GPUs together: a whole number of replicas of tp x pp GPUs each"]


@pytest.mark.parametrize("as_of", ["2025-13-40", "2025-02-30", "yesterday", "2025-6-1"])
def test_a_measurement_date_must_be_a_calendar_date(tmp_path, as_of):
    [problem] = _measurement_problems(tmp_path, as_of=as_of)
    assert problem.startswith(f"{tmp_path / 'mine.yaml'}:15: measurements[0].as_of: "), problem


def test_a_name_means_the_one_record_that_goes_by_it_and_two_are_not_guessed_between():
    """`id_for_name`: the id as it is; a name or alias whatever its case and separators; a repository's name without
    its organisation and checkpoint suffixes; nothing when two records share the spelling."""
    from types import SimpleNamespace

    from tco.model.catalog import id_for_name

    records = {"h100-sxm": SimpleNamespace(name="H100 SXM", aliases=["H100 SXM5"]),
               "gb200": SimpleNamespace(name="GB200 (per Blackwell GPU)", aliases=["GB200"]),
               "big-a": SimpleNamespace(name="Big", aliases=[]),
               "big-b": SimpleNamespace(name="Big", aliases=[]),
               "llama-3.1-8b": SimpleNamespace(name="Llama-3.1-8B", aliases=["meta-llama/Llama-3.1-8B"])}
    assert id_for_name("h100-sxm", records) == "h100-sxm"
    assert id_for_name("h100_SXM5", records) == "h100-sxm"
    assert id_for_name("gb200 (per blackwell gpu)", records) == "gb200"
    assert id_for_name("meta-llama/Llama-3.1-8B-Instruct-FP8", records) == "llama-3.1-8b"
    assert id_for_name("someone/llama-3.1-8b", records) == "llama-3.1-8b"
    assert id_for_name("big", records) is None  # two records go by it
    assert id_for_name("h100", records) is None and id_for_name("", records) is None
