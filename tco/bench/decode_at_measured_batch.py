"""Is it the decode step or the queue? The model's TPOT at the batch a disaggregated row actually decoded.

    tco bench decode [--min-concurrency 65] [--rows | --ttft-by-rate] [--format table|csv|json]

Why: at many requests in flight the model over-predicts the disaggregated rows' throughput. Two different
errors give that: a decode step that is too fast, or requests that the measured system kept out of decoding
(a queue the model does not see). Little's law on the decode side separates them. A row decodes
`output tokens/s x TPOT` sequences at once (each sequence yields one token per TPOT). The model's decode side is
evaluated at that measured batch and its TPOT compared with the measured one:
- near 1: the step is right, and what is left is the queue (`measured decoding / C` below 1);
- well below 1: the model's step is too fast at that batch.

`--rows` prints one line per row instead of the medians, with the requests and the measured decoding per decode
attention group (a GPU under data-parallel attention, a worker otherwise): where a recipe caps each group's running
requests and runs a few more requests than the caps hold, the decoding sits just under one figure per group while
the requests per group sit above it (docs/throughput.md, "Where the queue comes from").

`--ttft-by-rate` asks where the TTFT of the rows whose prefill side is far from busy and whose TTFT is no queue goes:
measured minus modelled TTFT, per engine and band of completions per second (docs/throughput.md, "The TTFT that grows
with the request rate").
"""

from __future__ import annotations

import bisect
import math
import statistics
from dataclasses import replace

from tco.bench.accuracy import config_of, mean_latencies_ms, mean_length, measured_tpot_ms, measured_ttft_ms, usable
from tco.engine.throughput import FITTED, predict_model
from tco.engine.throughput.predict import decode_side_config, prefill_rate, prefill_side_config
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
        prefill = prefill_rate(model, gpu, prefill_side_config(config, gpu, config.prefill_gpus), FITTED)
        prompt_tokens_per_s = completions_per_s(m) * config.input_tokens * (1.0 - config.prefix_hit_rate)
        groups = decode_attention_groups(m, config, decode_gpus)
        cap = cap_read_from_requests(m.concurrency, groups)
        capped = None
        if cap is not None:
            per_worker = cap * (config.tp if m.decode.attention_dp else 1)
            capped = predict_model(model, gpu, replace(config, max_batch=per_worker))
        out.append({"id": m.id, "gpu": m.gpu, "engine": m.engine,
                    "decode_attention": "data-parallel" if m.decode.attention_dp else "tensor-parallel",
                    "concurrency": m.concurrency, "measured_decoding": decoding,
                    "decode_attention_groups": groups,
                    "concurrency_per_group": m.concurrency / groups if groups else None,
                    "measured_decoding_per_group": decoding / groups if groups else None,
                    "measured_ttft_ms": measured_ttft_ms(m),
                    "model_ttft_ms": whole.ttft_ms,
                    "measured_tpot_ms": measured_tpot_ms(m),
                    "ttft_share_of_request": ttft_share_of_request(m),
                    "completions_per_s": completions_per_s(m),
                    # the prompt tokens the row prefilled a second, over what the model's prefill side can at most
                    "prefill_busy": (prompt_tokens_per_s / prefill.rate_tokens_s
                                     if not isinstance(prefill, str) and prefill.rate_tokens_s > 0 else None),
                    "cap_per_group_read": cap,
                    "model_ttft_ms_if_capped": capped.ttft_ms if capped is not None and capped.runnable else None,
                    # Little's law on the measured completions: the requests above the caps wait this long for a slot
                    "queue_ttft_ms_if_capped": ((m.concurrency - cap * groups) / completions_per_s(m) * 1e3
                                                if cap is not None else None),
                    "tpot_at_measured_batch_ratio": at_batch.tpot_ms / 1e3 / measured_tpot_s,
                    "throughput_ratio": whole.output_tokens_per_s / m.output_tokens_per_s})
    return out


def ttft_share_of_request(m) -> float | None:
    """The share of a request's time before its first token, from the row's median TTFT and TPOT over the mean
    output: TTFT / (TTFT + (output - 1) x TPOT)."""
    ttft, tpot = measured_ttft_ms(m), measured_tpot_ms(m)
    if not ttft or not tpot:
        return None
    return ttft / (ttft + (mean_length(m.output_tokens, m.length_min_ratio) - 1) * tpot)


def completions_per_s(m) -> float:
    """Requests a row completes per second: its output tokens/s over the mean output length."""
    return m.output_tokens_per_s / mean_length(m.output_tokens, m.length_min_ratio)


def decode_attention_groups(m, config, decode_gpus: int) -> int | None:
    """The decode side's attention groups, each running its own batch: every GPU under data-parallel attention, every
    worker (`config.tp` GPUs) otherwise. None where the row publishes no layout (`0 workers`)."""
    if not config.tp:
        return None
    return decode_gpus if m.decode.attention_dp else decode_gpus // config.tp


CAP_READING = (1.04, 1.31)
"""Requests per decode attention group, over the power of two just below them, that `cap_read_from_requests` reads as
a recipe's cap plus a margin of queued requests: the 1.05, 1.1, 1.2 and 1.3 that 25 of the 40 Dynamo + TensorRT-LLM
rows with data-parallel decode at 65+ requests show (1,127 = 1.1 x 32 x 32). An exact power of two says nothing
(the cap may be above it), nor do the SGLang rows' requests (powers of two, and 4/3 or 3/2 of one)."""


def cap_read_from_requests(concurrency: int, groups: int | None) -> int | None:
    """The running-request cap per decode attention group that a row's requests suggest, or None.

    Why only a reading: the published rows do not give the recipes' caps (TensorRT-LLM max_batch_size, SGLang
    --max-running-requests). Where the requests per group sit 4-31 % above a power of two (CAP_READING), that
    power of two is read as the cap, and the excess as requests a closed loop keeps waiting for a slot. Used for
    the what-if column of `--rows`, never by `tco bench accuracy`."""
    if not groups or concurrency < groups:
        return None
    per_group = concurrency / groups
    power = 2 ** math.floor(math.log2(per_group))
    low, high = CAP_READING
    return power if low <= per_group / power <= high else None


def row_view(records: list[dict]) -> list[dict]:
    """`--rows`: one line per row, rounded for reading."""
    def rounded(value, digits: int):
        return None if value is None else round(value, digits)

    return [{"id": r["id"].split(":")[-1], "gpu": r["gpu"], "engine": r["engine"], "decode_attention": r["decode_attention"],
             "concurrency": r["concurrency"], "decode_attention_groups": r["decode_attention_groups"],
             "concurrency_per_group": rounded(r["concurrency_per_group"], 1),
             "measured_decoding_per_group": rounded(r["measured_decoding_per_group"], 1),
             "measured_ttft_ms": rounded(r["measured_ttft_ms"], 0), "model_ttft_ms": rounded(r["model_ttft_ms"], 0),
             "cap_per_group_read": r["cap_per_group_read"], "queue_ttft_ms_if_capped": rounded(r["queue_ttft_ms_if_capped"], 0),
             "model_ttft_ms_if_capped": rounded(r["model_ttft_ms_if_capped"], 0),
             "completions_per_s": rounded(r["completions_per_s"], 2), "prefill_busy": rounded(r["prefill_busy"], 3),
             "ttft_share_of_request": rounded(r["ttft_share_of_request"], 3),
             "model_tpot_at_measured_batch_over_measured": round(r["tpot_at_measured_batch_ratio"], 2),
             "throughput_predicted_over_measured": round(r["throughput_ratio"], 2)}
            for r in sorted(records, key=lambda r: (r["gpu"], r["engine"], r["decode_attention"], r["concurrency"]))]


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


COMPLETION_RATE_BANDS = (0.5, 1.0, 4.0, 20.0)
"""Edges of the bands of completions per second `ttft_by_rate` groups rows in."""
RATE_BAND_NAMES = (f"< {COMPLETION_RATE_BANDS[0]:g}",
                   *(f"{low:g}-{high:g}" for low, high in zip(COMPLETION_RATE_BANDS, COMPLETION_RATE_BANDS[1:])),
                   f"{COMPLETION_RATE_BANDS[-1]:g}+")
PREFILL_FAR_FROM_BUSY = 0.3
"""`ttft_by_rate` keeps the rows whose measured prompt tokens/s are under this share of the model's prefill capacity:
there no prefill queue of the model's or of the measured system's can explain a TTFT."""
QUEUED_TTFT_SHARE = 0.1
"""A row whose median TTFT is more than this share of a request's time is waiting in a queue (for a decode slot, or
another limit: the caps of "Where the queue comes from"), not paying a handoff: `ttft_by_rate` counts such rows apart."""


def rate_band(completions_s: float) -> int:
    """Which band of `COMPLETION_RATE_BANDS` a rate falls in (0 the lowest; `RATE_BAND_NAMES` names it)."""
    return bisect.bisect_right(COMPLETION_RATE_BANDS, completions_s)


def ttft_by_rate(records: list[dict]) -> list[dict]:
    """Medians per engine and band of completions per second, over the rows whose prefill side is far from busy
    (`PREFILL_FAR_FROM_BUSY`) and whose TTFT is no queue (`QUEUED_TTFT_SHARE`; `rows_queued` counts the others):
    measured over modelled TTFT, their difference in ms and in the row's measured TPOTs.

    Why: those rows' TTFT should be the fixed latencies, the prompt's own prefill, the KV handoff and a few decode
    steps, whatever the load. If the measured TTFT grows with the completions per second while the prefill side stays
    idle and nothing queues, something per request that the model does not have waits on the load (docs/throughput.md)."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in records:
        if r["prefill_busy"] is None or r["prefill_busy"] >= PREFILL_FAR_FROM_BUSY or not r["measured_ttft_ms"]:
            continue
        groups.setdefault((r["engine"], rate_band(r["completions_per_s"])), []).append(r)
    rows = []
    for (engine, band), members in sorted(groups.items()):
        unqueued = [r for r in members if r["ttft_share_of_request"] <= QUEUED_TTFT_SHARE]
        excess = [r["measured_ttft_ms"] - r["model_ttft_ms"] for r in unqueued]
        rows.append({"engine": engine, "completions_per_s": RATE_BAND_NAMES[band], "rows": len(members),
                     "rows_queued": len(members) - len(unqueued),
                     "median_concurrency": _median([r["concurrency"] for r in unqueued]),
                     "measured_ttft_over_model": _median([r["measured_ttft_ms"] / r["model_ttft_ms"] for r in unqueued], 2),
                     "ttft_excess_ms": _median(excess, 0),
                     "ttft_excess_tpots": _median([e / r["measured_tpot_ms"] for e, r in zip(excess, unqueued)], 1)})
    return rows


def _median(values: list[float], digits: int | None = None) -> float | None:
    """The median rounded to `digits` (0: a whole number; None: as it is), or None for no values (a band whose rows
    are all queued)."""
    if not values:
        return None
    middle = statistics.median(values)
    return middle if digits is None else round(middle) if digits == 0 else round(middle, digits)


def run_benchmark(args) -> int:
    """`tco bench decode`: the summary, one row per GPU, engine and decode attention layout (`--rows`: one per row;
    `--ttft-by-rate`: the TTFT of the rows with an idle prefill side, per engine and completion rate)."""
    from pathlib import Path

    from tco.load.hardware import load_hardware
    from tco.report.table import print_rows

    catalog = load_hardware(extra_dirs=[Path(d) for d in args.hardware_dir])
    records = decode_rows(catalog, args.min_concurrency)
    if args.rows:
        print_rows(row_view(records), args.format)
    else:
        print_rows(ttft_by_rate(records) if args.ttft_by_rate else summary(records), args.format)
    return 0
