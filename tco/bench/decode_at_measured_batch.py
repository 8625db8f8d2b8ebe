"""Is it the decode step or the queue? The model's TPOT at the batch a disaggregated row actually decoded.

    tco bench decode [--min-concurrency 65] [--format table|csv|json]

Why: at many requests in flight the model over-predicts the disaggregated rows' throughput. Two different
errors give that: a decode step that is too fast, or requests that the measured system kept out of decoding
(a queue the model does not see). Little's law on the decode side separates them. A row decodes
`output tokens/s x TPOT` sequences at once (each sequence yields one token per TPOT). The model's decode side is
evaluated at that measured batch and its TPOT compared with the measured one:
- near 1: the step is right, and what is left is the queue (`measured decoding / C` below 1);
- well below 1: the model's step is too fast at that batch.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

from tco.bench.accuracy import config_of, mean_latencies_ms, usable
from tco.engine.throughput import predict_model
from tco.engine.throughput.predict import decode_side_config
from tco.model.catalog import Catalog


def decode_rows(catalog: Catalog, min_concurrency: int = 65) -> list[dict]:
    """One record per disaggregated InferenceX row at `min_concurrency` requests or more."""
    out = []
    for m in usable(catalog, "inferencex"):
        if not m.disaggregated or (m.concurrency or 0) < min_concurrency:
            continue
        config = config_of(m)
        model, gpu = catalog.models[m.model], catalog.gpus[m.gpu]
        measured_tpot_s = mean_latencies_ms(m)[1] / 1e3  # Little's law: the mean step
        decoding = m.output_tokens_per_s * measured_tpot_s
        decode_gpus = config.gpus - config.prefill_gpus
        decode_side = replace(decode_side_config(config, decode_gpus), concurrency=max(1, round(decoding)))
        at_batch = predict_model(model, gpu, decode_side)
        whole = predict_model(model, gpu, config)
        if not (at_batch.runnable and whole.runnable):
            continue
        out.append({"id": m.id, "gpu": m.gpu, "engine": m.engine,
                    "decode_attention": "data-parallel" if m.decode.attention_dp else "tensor-parallel",
                    "concurrency": m.concurrency, "measured_decoding": decoding,
                    "tpot_at_measured_batch_ratio": at_batch.tpot_ms / 1e3 / measured_tpot_s,
                    "throughput_ratio": whole.output_tokens_per_s / m.output_tokens_per_s})
    return out


def summary(records: list[dict]) -> list[dict]:
    """Medians per GPU, engine and decode attention layout."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault((r["gpu"], r["engine"], r["decode_attention"]), []).append(r)
    rows = []
    for (gpu, engine, attention), members in sorted(groups.items()):
        ratios = [r["tpot_at_measured_batch_ratio"] for r in members]
        rows.append({"gpu": gpu, "engine": engine, "decode_attention": attention, "rows": len(members),
                     "model_tpot_at_measured_batch_over_measured": round(statistics.median(ratios), 2),
                     "lowest": round(min(ratios), 2), "highest": round(max(ratios), 2),
                     "measured_decoding_over_concurrency": round(statistics.median(r["measured_decoding"] / r["concurrency"] for r in members), 2),
                     "throughput_predicted_over_measured": round(statistics.median(r["throughput_ratio"] for r in members), 2)})
    return rows


def run_benchmark(args) -> int:
    """`tco bench decode`: the summary, one row per GPU, engine and decode attention layout."""
    from pathlib import Path

    from tco.load.hardware import load_hardware
    from tco.report.table import print_rows

    catalog = load_hardware(extra_dirs=[Path(d) for d in args.hardware_dir])
    print_rows(summary(decode_rows(catalog, args.min_concurrency)), args.format)
    return 0
