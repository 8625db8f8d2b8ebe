"""MI355X, MI350X, GB300 and H200 NVL (issue 16 item 6): figures as in the shared spec table, gaps left empty,
and the throughput model either predicts or says why it cannot.

Expected values were read by hand from /work/shared/data/specs/gpus.csv (rows `MI355X`, `MI350X`,
`GB300 (per Blackwell Ultra GPU)`, `H200 NVL`, all "Added 2026-12-02"). The TFLOPS the csv leaves empty for MI350X,
H800 and H100 NVL are derived in the catalog by rules the csv's rows quote; those tests check the rule, not a copy.
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


def test_mi350x_tflops_are_mi355x_scaled_by_the_clock_ratio(catalog):
    # The csv row has memory, bandwidth and TDP only (its TFLOPS cells are empty). Its notes quote stas00's note 22:
    # MI350X runs at 2200 MHz "with everything scaled by the clock ratio" (FP32 144.2 vs 157.3 TFLOPS); MI355X's peak
    # clock is 2400 MHz (stas00 clock table, MI355X row). So the catalog derives MI355X's dense figures x 2200 / 2400,
    # rounded to 0.1 TFLOPS, and names the rule in a source of its own; its BF16 matmul ceiling by the same rule (the same
    # silicon reaches the same share of peak), so the throughput model gives it MI355X's AMD kernel efficiency.
    mi350x, mi355x = catalog.gpus["mi350x"], catalog.gpus["mi355x"]
    assert _figures(mi350x) == (288, 8.0, 2291.7, 4583.3, 9258.3, 1000, 1434.6, None)
    assert round(144.2 / 157.3, 4) == round(2200 / 2400, 4)  # the note's FP32 figures are the clock ratio
    for name in ("dense_bf16_tflops", "dense_fp8_tflops", "dense_fp4_tflops", "measured_matmul_bf16_tflops"):
        assert getattr(mi350x, name) == round(getattr(mi355x, name) * 2200 / 2400, 1), name
    (ceiling,) = [s for s in mi350x.sources if "measured_matmul_bf16_tflops" in s.covers]
    assert ceiling.source.startswith("derived:") and "not a measurement of an MI350X" in ceiling.note
    from tco.engine.throughput.gpu import vendor_compute_share

    assert vendor_compute_share(mi350x) == pytest.approx(vendor_compute_share(mi355x), rel=1e-4)
    (derived,) = [s for s in mi350x.sources if "dense_bf16_tflops" in s.covers]
    assert set(derived.covers) == {"dense_bf16_tflops", "dense_fp8_tflops", "dense_fp4_tflops"}
    assert derived.source.startswith("derived:") and "2200 / 2400" in derived.source and "note 22" in derived.source
    assert "derived value" in derived.note and "not read" in derived.note
    assert "DERIVED" in mi350x.notes and "was not read" in mi350x.notes


def test_hopper_tflops_derived_from_sparse_figures_and_the_fp8_ratio(catalog):
    """H800: the csv row's notes say its source's FLOPS column is NVIDIA's sparse 1979 BF16 / 3958 FP8; halved per the
    Hopper footnote ("one-half lower without sparsity", quoted in the H200 NVL row), as H200 NVL's 1671 / 3341 are.
    H100 NVL: torchtitan @b5bcd76 uses 835 dense BF16 (the H200 NVL row's source cell); FP8 = 2 x BF16, the ratio of
    every Hopper row (to NVIDIA's rounding of 1 TFLOPS)."""
    g = catalog.gpus
    assert (g["h800"].dense_bf16_tflops, g["h800"].dense_fp8_tflops) == (1979 / 2, 3958 / 2)
    assert (g["h100-nvl"].dense_bf16_tflops, g["h100-nvl"].dense_fp8_tflops) == (835, 2 * 835)
    for gpu in g.values():
        if gpu.architecture == "hopper" and gpu.dense_bf16_tflops:
            assert abs(gpu.dense_fp8_tflops - 2 * gpu.dense_bf16_tflops) <= 1, gpu.id
            assert gpu.dense_fp4_tflops is None, gpu.id
    # the same silicon and clocks as H100 SXM: the same FP8 peak, BF16 within NVIDIA's rounding
    assert g["h800"].dense_fp8_tflops == g["h100-sxm"].dense_fp8_tflops
    assert abs(g["h800"].dense_bf16_tflops - g["h100-sxm"].dense_bf16_tflops) <= 0.5
    for gpu_id in ("h800", "h100-nvl"):
        srcs = [s for s in g[gpu_id].sources if {"dense_bf16_tflops", "dense_fp8_tflops"} & set(s.covers)]
        assert {n for s in srcs for n in s.covers} == {"dense_bf16_tflops", "dense_fp8_tflops"}
        assert all("torchtitan" in s.source or "derived" in s.source for s in srcs), gpu_id
        assert all("specs/gpus.csv" in s.note and "2026-12-07" in s.note for s in srcs if "derived" in s.note), gpu_id
    # A10G: sources conflict and none is a vendor's; its compute stays unknown, not zero.
    assert (g["a10g"].dense_bf16_tflops, g["a10g"].dense_fp8_tflops) == (None, None)


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


@pytest.mark.parametrize("gpu_id,precision", [("mi355x", "fp4"), ("gb300", "fp4"), ("h200-nvl", "fp8"), ("mi350x", "fp4"),
                                              ("mi350x", "fp8"), ("h100-nvl", "fp8"), ("h800", "fp4")])
def test_the_throughput_model_predicts_for_gpus_with_published_or_derived_tflops(capsys, gpu_id, precision):
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


def test_a_gpu_without_published_tflops_gives_a_clear_reason(capsys):
    code = main(["throughput", "--model", "llama-3.1-8b", "--gpu", "a10g", "--gpus", "1", "--input-tokens", "1000",
                 "--output-tokens", "1000", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == ExitCode.CANNOT_RUN and out == ""
    assert "no published BF16 TFLOPS for A10G" in err and "Traceback" not in err
