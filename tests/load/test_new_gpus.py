"""MI355X, MI350X, GB300 and H200 NVL (issue 16 item 6): figures as in the shared spec table, gaps left empty,
and the throughput model either predicts or says why it cannot.

Expected values were read by hand from /work/shared/data/specs/gpus.csv (rows `MI355X`, `MI350X`,
`GB300 (per Blackwell Ultra GPU)`, `H200 NVL`, all "Added 2026-12-02").
"""

from __future__ import annotations

import json

import pytest

from tco.cli import main
from tco.errors import ExitCode
from tco.load.hardware import load_hardware

NEW_GPUS = ("mi355x", "mi350x", "gb300", "h200-nvl")


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


def _figures(gpu) -> tuple:
    return (gpu.memory_gb, gpu.memory_bandwidth_tb_per_s, gpu.dense_bf16_tflops, gpu.dense_fp8_tflops,
            gpu.dense_fp4_tflops, gpu.tdp_w, gpu.measured_matmul_bf16_tflops, gpu.measured_matmul_fp8_tflops)


def test_the_new_gpus_carry_the_spec_table_figures(catalog):
    # memory GB, TB/s, dense BF16 / FP8 / FP4 TFLOPS, TDP W, MAMF BF16 / FP8 (csv columns in that order)
    assert _figures(catalog.gpus["mi355x"]) == (288, 8.0, 2500, 5000, 10100, 1400, 1565.0, None)
    assert _figures(catalog.gpus["gb300"]) == (288, 8.0, 2500, 5000, 15000, 1400, None, None)
    # NVIDIA prints only sparse 1671 / 3341 for the NVL card; the table halves them.
    assert _figures(catalog.gpus["h200-nvl"]) == (141, 4.8, 835.5, 1670.5, None, 600, None, None)


def test_figures_the_table_leaves_empty_stay_absent_for_mi350x(catalog):
    # The csv row has memory, bandwidth and TDP only: no attributable MI350X TFLOPS (not derived from the clock ratio).
    assert _figures(catalog.gpus["mi350x"]) == (288, 8.0, None, None, None, 1000, None, None)


def test_architectures_decide_native_precisions(catalog):
    assert [catalog.gpus[g].architecture for g in NEW_GPUS] == ["cdna4", "cdna4", "blackwell", "hopper"]
    # No interconnect figure is recorded for any of them (the csv has no column; see each record's notes).
    assert all(catalog.gpus[g].interconnect_gb_per_s is None for g in NEW_GPUS)


@pytest.mark.parametrize("gpu_id", NEW_GPUS)
def test_every_new_figure_names_a_dated_source(catalog, gpu_id):
    gpu = catalog.gpus[gpu_id]
    covered = {name for s in gpu.sources for name in s.covers}
    figures = {name for name in type(gpu).model_fields
               if isinstance(getattr(gpu, name), (int, float)) and not isinstance(getattr(gpu, name), bool)}
    assert figures and figures <= covered
    # the specs come from ../shared/data/specs/gpus.csv, read on the day the rows were added; a measured all-reduce
    # bandwidth and the memory nvidia-smi reports (GB300) from aiconfigurator-core's tables, dated by the package's release
    measured = {"measured_allreduce_bus_gb_per_s", "measured_allreduce_gpus", "memory_reported_mib"}
    specs = [s for s in gpu.sources if not set(s.covers) <= measured]
    assert specs and all(s.as_of == "2026-12-02" and "specs/gpus.csv" in (s.note or "") for s in specs)
    assert all(s.as_of == "2026-09" and "aiconfigurator-core 0.12.0" in s.source for s in gpu.sources if s not in specs)


def _throughput(capsys, gpu_id: str, *extra: str):
    code = main(["throughput", "--model", "deepseek-r1", "--gpu", gpu_id, "--gpus", "8", "--input-tokens", "1000",
                 "--output-tokens", "1000", "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("gpu_id,precision", [("mi355x", "fp4"), ("gb300", "fp4"), ("h200-nvl", "fp8")])
def test_the_throughput_model_predicts_for_gpus_with_published_tflops(capsys, gpu_id, precision):
    code, out, err = _throughput(capsys, gpu_id, "--precision", precision)
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["runnable"] is True and row["basis"] == "model" and row["output_tokens_per_s"] > 0


def test_fp4_weights_run_weight_only_on_the_hopper_nvl_card_and_an_fp4_cache_is_refused_with_a_reason(capsys):
    code, out, err = _throughput(capsys, "h200-nvl", "--precision", "fp4")
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["runnable"] is True and row["kv_precision"] == "bf16"
    code, _, err = _throughput(capsys, "h200-nvl", "--precision", "fp4", "--kv-precision", "fp4")
    assert code == ExitCode.CANNOT_RUN
    assert "FP4 KV cache" in err and "H200 NVL is Hopper" in err and "Traceback" not in err


def test_mi350x_without_published_tflops_gives_a_clear_reason(capsys):
    code, out, err = _throughput(capsys, "mi350x")
    assert code == ExitCode.CANNOT_RUN and out == ""
    assert "no published FP8 TFLOPS for MI350X" in err and "Traceback" not in err
