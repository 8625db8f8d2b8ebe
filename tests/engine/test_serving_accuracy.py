"""Issue 16 acceptance: the model alone on both calibration sources, re-scored with the shipped constants.

docs/throughput.md quotes the figures in a generated table (`python -m tco.bench.serving_accuracy_doc
docs/throughput.md`); this test recomputes them, so the doc cannot drift from the model. The issue's targets
are checked separately: the two met are asserted, the two not yet met are marked so (strict xfail: the test fails
the day its target is met, so the mark must then be removed).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import replace
from pathlib import Path

import pytest

from tco.bench.accuracy import (accuracy_rows, at_least_as_strong, config_of, consistent, layout_published, little_law_ratio,
                                spec_order_contradicted, usable)
from tco.load.hardware import load_hardware

pytestmark = pytest.mark.xdist_group("serving-accuracy")
"""One worker runs this module, so the scored calibration rows (`rows`), a module fixture, is computed once, not on each worker."""
DOC = Path(__file__).resolve().parents[2] / "docs" / "throughput.md"


@pytest.fixture(scope="module")
def rows():
    return accuracy_rows(load_hardware())


def _documented() -> dict[tuple[str, str], tuple[int, float, float]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- BEGIN serving accuracy", 1)[1].split("<!-- END serving accuracy", 1)[0]
    out = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"\d+", cells[2]):
            out[(cells[0], cells[1])] = (int(cells[2]), float(cells[3]), float(cells[4]))
    return out


def test_the_documented_figures_are_what_the_model_gives(rows):
    documented = _documented()
    assert len(documented) >= 20
    computed = {(r["group"], r["key"]): (r["rows"], r["median_abs_pct_error"], r["p90_abs_pct_error"]) for r in rows}
    for key, (n, median, p90) in documented.items():
        assert computed[key][0] == n, key
        assert computed[key][1] == pytest.approx(median, abs=0.006), key
        assert computed[key][2] == pytest.approx(p90, abs=0.006), key


def _figure(rows, group, key="overall"):
    return next(r for r in rows if r["group"] == group and r["key"] == key)


def test_issue_16_targets_met_on_all_calibration_rows(rows):
    """The throughput median (since the first version) and the TPOT median (since NVIDIA's all-reduce bandwidths were
    measured, 2026-12-04: 9.86 %) are under the issue's 10 %."""
    throughput, tpot = (_figure(rows, g) for g in ("model (all rows)", "tpot (all rows)"))
    assert throughput["median_abs_pct_error"] <= 10
    assert tpot["median_abs_pct_error"] <= 10


@pytest.mark.xfail(strict=True, reason="issue 16 target not met yet: see docs/throughput.md, 'Where it stands'")
def test_issue_16_throughput_p90_target(rows):
    assert _figure(rows, "model (all rows)")["p90_abs_pct_error"] <= 25


@pytest.mark.xfail(strict=True, reason="issue 16 target not met yet: see docs/throughput.md, 'Where it stands'")
def test_issue_16_ttft_target(rows):
    assert _figure(rows, "ttft (all rows)")["median_abs_pct_error"] <= 25


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


def test_a_closed_loop_row_that_contradicts_its_own_latencies_is_reported_by_hand(catalog):
    """InferenceX H0578 (MI355X, AMD ATOM, FP8 + MTP, 1k/1k, 512 requests in flight; README-inferencex.md): mean TTFT
    1,038.26 ms and mean TPOT 59.182 ms (the means where published: Little's law holds for means), output lengths
    uniform in [819, 1024], mean 921.5 -> 922 tokens. Each request is in the system 1.03826 + 921 x 0.059182 = 55.55 s
    (the row's published mean end-to-end latency: 55.596 s), so 512 requests give 512 x 922 / 55.55 = 8,499 output
    tokens/s (Little's law). Published: 25.2798 per GPU x TP8 = 202.24 tokens/s, 0.024 of that."""
    h0578 = next(m for m in catalog.measurements if m.id == "inferencex:H0578")
    expected = 202.2384 / (512 * 922 / (1.03826 + 921 * 0.059182))
    assert little_law_ratio(h0578) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(0.0238, abs=1e-4)
    assert not consistent(h0578)
    # A row that agrees with itself: H0577, the same recipe at 256 requests (471.1668 per GPU; medians only: TTFT
    # 189.0 ms, TPOT 66.593 ms).
    h0577 = next(m for m in catalog.measurements if m.id == "inferencex:H0577")
    assert little_law_ratio(h0577) == pytest.approx(471.1668 * 8 / (256 * 922 / (0.189 + 921 * 0.066593)), rel=1e-9)
    assert consistent(h0577)
    # Offline rows are not closed loops: nothing to check.
    assert little_law_ratio(next(m for m in catalog.measurements if m.concurrency is None)) is None


def test_the_accuracy_report_counts_the_inconsistent_rows_without_dropping_them(rows, catalog):
    inconsistent = sorted(m.id for m in catalog.measurements if not consistent(m))
    assert inconsistent == ["inferencex:H0369", "inferencex:H0370", "inferencex:H0399", "inferencex:H0578", "inferencex:H0616"]
    split = {r["key"]: r["rows"] for r in rows if r["group"] == "closed-loop consistency"}
    assert split == {"consistent": len(catalog.measurements) - 5, "off >1.25x": 5}
    assert _figure(rows, "model (all rows)")["rows"] == len(catalog.measurements)


def test_a_gpu_is_at_least_as_strong_only_with_every_figure_known_and_at_least_as_high(catalog):
    """gpus.csv: GB200 8 TB/s, 186 GB, 10,000 FP4 TFLOPS; B200 8 TB/s, 180 GB, 9,000; H200 4.8 TB/s, 141 GB against
    H100 SXM 3.35 TB/s, 80 GB, the same 1,979 FP8 TFLOPS; MI350X has MI355X's memory and bandwidth and its TFLOPS
    x 2200 / 2400 (derived in the catalog); A10G publishes no TFLOPS."""
    g = catalog.gpus
    assert at_least_as_strong(g["gb200"], g["b200"], "fp4") and not at_least_as_strong(g["b200"], g["gb200"], "fp4")
    assert at_least_as_strong(g["h200"], g["h100-sxm"], "fp8") and not at_least_as_strong(g["h100-sxm"], g["h200"], "fp8")
    assert at_least_as_strong(g["mi355x"], g["mi350x"], "fp8") and not at_least_as_strong(g["mi350x"], g["mi355x"], "fp8")
    assert not at_least_as_strong(g["a10"], g["a10g"], "bf16") and not at_least_as_strong(g["a10g"], g["a10"], "bf16")
    assert not at_least_as_strong(g["b200"], g["b200"], "fp4")  # a GPU is not "another GPU"
    # several GPUs: the interconnect counts too (the L40S has no NVLink figure to compare)
    assert at_least_as_strong(g["h100-sxm"], g["l40s"], "fp8") and not at_least_as_strong(g["h100-sxm"], g["l40s"], "fp8", gpus=2)


def test_the_report_names_the_rows_slower_on_a_stronger_gpu_without_dropping_them(rows, catalog):
    """TensorRT-LLM v1.0, one GPU, FP4: Qwen3-30B-A3B 128/128 serves 24,107 tokens/s on a GB200 and 39,827 on a B200,
    24,107 x 1.25 = 30,134 < 39,827, so both rows are reported; Llama-3.3-70B 128/128 (12,189 on the GB200, 11,147 on
    the B200) agrees with the specs and is not. Only six such pairs exist, all B200 / GB200 fine-grained MoE rows."""
    contradicted = spec_order_contradicted(catalog, usable(catalog))
    by_id = {m.id: m for m in catalog.measurements}
    assert {"trtllm-v1.0:M0615", "trtllm-v1.0:M0616"} <= contradicted
    assert by_id["trtllm-v1.0:M0616"].output_tokens_per_s * 1.25 < by_id["trtllm-v1.0:M0615"].output_tokens_per_s
    assert not {"trtllm-v1.0:M0499", "trtllm-v1.0:M0500"} & contradicted
    assert len(contradicted) == 12
    assert {(by_id[i].model, by_id[i].gpu) for i in contradicted} == {
        (model, gpu) for model in ("qwen3-30b-a3b", "llama-4-scout") for gpu in ("b200", "gb200")}
    split = {r["key"]: r["rows"] for r in rows if r["group"] == "gpu spec order"}
    assert split == {"consistent": len(catalog.measurements) - 12, "slower >1.25x on the stronger gpu": 12}


def test_a_pool_published_with_0_workers_leaves_the_split_to_the_model(catalog):
    """H0399 lists "prefill 48 GPUs (TP48 EP1 dp-attn false, 0 workers), decode 48 GPUs (TP48 ...)": 48 does not
    divide DeepSeek-R1's 128 attention heads, so no worker can be TP48; the model is asked for 48 + 48 GPUs and picks
    each side's split itself, the prefill pool kept as one worker of its 48 GPUs (attention and experts split by the
    model), as scored before the model chose narrower prefill workers (2026-12-07). A consistent layout keeps its
    published workers."""
    h0399 = next(m for m in catalog.measurements if m.id == "inferencex:H0399")
    assert not layout_published(h0399)
    c = config_of(h0399)
    assert (c.gpus, c.prefill_gpus, c.disaggregated) == (96, 48, True)
    assert (c.tp, c.ep, c.attention_dp, c.prefill_ep, c.prefill_attention_dp) == (None,) * 5 and c.prefill_tp == 48
    h0338 = next(m for m in catalog.measurements if m.id == "inferencex:H0338")  # decode 32 GPUs, 1 worker
    assert layout_published(h0338) and config_of(h0338).tp == 32 and config_of(h0338).prefill_tp == 4


def test_the_decode_side_is_judged_at_the_batch_the_row_measured(catalog):
    """InferenceX H0662 (MI355X, SGLang + MoRI, FP8, 1k/8k, 1,024 requests; decode 16 GPUs in 2 workers, attention
    data-parallel): 966.4725 output tokens/s per decode GPU x 16 = 15,463.56 tokens/s at a mean TPOT of 63.365 ms, so
    15,463.56 x 0.063365 = 979.9 sequences were decoding at once (Little's law on the decode side), not 1,024. The
    model's decode side is asked for 980 sequences on its 16 GPUs, and its TPOT there is compared with 63.365 ms."""
    from tco.bench.decode_at_measured_batch import decode_rows, summary
    from tco.engine.throughput import predict_model

    records = {r["id"]: r for r in decode_rows(catalog)}
    h0662 = records["inferencex:H0662"]
    assert h0662["measured_decoding"] == pytest.approx(15463.56 * 0.063365, rel=1e-12)
    assert h0662["decode_attention"] == "data-parallel"
    m = next(m for m in catalog.measurements if m.id == "inferencex:H0662")
    c = config_of(m)
    decode_side = replace(c, gpus=16, disaggregated=False, decode_only=True, prefill_gpus=None, tp=8, concurrency=980)
    expected = predict_model(catalog.models["deepseek-r1"], catalog.gpus["mi355x"], decode_side).tpot_ms / 63.365
    assert h0662["tpot_at_measured_batch_ratio"] == pytest.approx(expected, rel=1e-12)
    # Only disaggregated rows at 65+ requests, and the summary's medians are over its group's rows.
    assert all(r["concurrency"] >= 65 for r in records.values())
    group = [r for r in records.values() if (r["gpu"], r["engine"], r["decode_attention"]) == ("mi355x", "sglang", "data-parallel")]
    row = next(s for s in summary(list(records.values())) if (s["gpu"], s["decode_attention"]) == ("mi355x", "data-parallel"))
    assert row["rows"] == len(group)
    assert row["model_tpot_at_measured_batch_over_measured"] == round(statistics.median(r["tpot_at_measured_batch_ratio"] for r in group), 2)
