"""How far the model alone has been from published runs like the one asked: its accuracy regime.

Why each figure carries one: the model's error is not one number. At maximum throughput on a dense model it is
about 6 % (median over the TensorRT-LLM rows); the TTFT of a disaggregated replica at 65+ requests in flight is
about 70 % off. A reader comparing a self-hosted cost with an API price should see which of the two a figure is.
The figures are `tco bench accuracy`'s, on the calibration rows of the same regime, recorded here
(`python -m tco.bench.regime_errors` rewrites them; a test recomputes them) so that a prediction carries them
without loading the 964 rows. They are in-sample: the hold-outs of docs/throughput.md say how much larger the
error is on a GPU or a model family the fit has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass

BANDS = ((1, 8, "1-8"), (9, 64, "9-64"), (65, None, "65+"))
"""Concurrency bands (requests in flight), as `tco bench accuracy` reports them."""

MIN_REGIME_ROWS = 10
"""A regime with fewer calibration rows than this gives way to the wider one (speculative decoding merged in)."""

MEASURED = "published measurement"
INTERPOLATION = "interpolation between published runs (leave one out)"
CALIBRATED = "model calibrated to this deployment's published runs"
AT_A_RATE = "offered request rate (no calibration run is at a rate)"


@dataclass(frozen=True)
class RegimeError:
    """The model's absolute percentage error on the calibration rows of one regime (median, and P90 for throughput);
    None where those rows publish no such latency (the maximum-throughput tables publish none)."""

    rows: int
    throughput_median_pct: float
    throughput_p90_pct: float
    tpot_median_pct: float | None = None
    ttft_median_pct: float | None = None
    measured_to_model_p10: float | None = None
    """Throughput measured / modelled on those rows (P10, median, P90). Why signed as well: the absolute error hides
    which way the model errs; `tco uncertainty` and `tco sensitivity` draw an answer's throughput error from these."""
    measured_to_model_median: float | None = None
    measured_to_model_p90: float | None = None
    tpot_measured_to_model_median: float | None = None
    """TPOT and TTFT measured / modelled on those rows (median): above 1 the runs were slower than the model said."""
    ttft_measured_to_model_median: float | None = None


def band_name(concurrency: int) -> str:
    for low, high, name in BANDS:
        if concurrency >= low and (high is None or concurrency <= high):
            return name
    return BANDS[0][2]


def max_throughput_regime(moe: bool) -> str:
    """The maximum-throughput regime of a kind of model: where every request is queued at once (the TensorRT-LLM
    tables), and where a run at a load no published run was taken at is judged instead."""
    return f"{'MoE' if moe else 'dense'}, maximum throughput"


def regime_names(concurrency: int | None, disaggregated: bool, speculative: bool, moe: bool) -> tuple[str, ...]:
    """The regimes a run belongs to, the most specific first (with speculative decoding, then without). `concurrency`
    None: maximum throughput."""
    if concurrency is None:
        return (max_throughput_regime(moe),)
    kind = "MoE" if moe else "dense"
    layout = "disaggregated" if disaggregated else "aggregated"
    band = f"{band_name(concurrency)} requests in flight"
    wide = f"{kind}, {layout}, {band}"
    return (f"{kind}, {layout} + speculative decoding, {band}", wide) if speculative else (wide,)


def regime_error(names: tuple[str, ...], recorded: dict[str, RegimeError] | None = None) -> tuple[str, RegimeError | None]:
    """The first of `names` with at least MIN_REGIME_ROWS recorded rows (else the last, with what it has)."""
    table = RECORDED if recorded is None else recorded
    for name in names:
        found = table.get(name)
        if found is not None and found.rows >= MIN_REGIME_ROWS:
            return name, found
    return names[-1], table.get(names[-1])


def regime_of_result(result, config, model) -> tuple[str, RegimeError | None]:
    """The regime of one answer of `predict` (a ThroughputResult) to `config` (its ServingConfig) about `model` (an
    OpenModel). A maximum-throughput question (no concurrency, no latency target) is judged by the maximum-throughput
    tables; any other by the band of the concurrency the answer runs at."""
    if result.basis == "measurement":
        return MEASURED, None
    if result.basis == "interpolation":
        return INTERPOLATION, RECORDED.get(INTERPOLATION)
    if result.basis == "calibrated":
        return CALIBRATED, None
    return regime_of_run(None if _at_max(config) else max(result.concurrency, 1), result.disaggregated,
                         result.spec_method != "none", bool(model.num_routed_experts))


def regime_of_run(concurrency: int | None, disaggregated: bool, speculative: bool, moe: bool) -> tuple[str, RegimeError | None]:
    """The regime a run is judged by: its own with enough rows, else (no published run at this load: every
    fixed-concurrency question about a dense model) the maximum-throughput rows of its kind."""
    own = regime_names(concurrency, disaggregated, speculative, moe)
    return regime_error(tuple(dict.fromkeys((*own, max_throughput_regime(moe)))))


def family(model_id: str) -> str:
    """Model family, as the hold-outs leave them out: the id up to its size (llama-3.1-8b -> llama-3)."""
    if model_id.startswith("llama-4"):
        return "llama-4"
    if model_id.startswith(("llama-3", "llama-2")):
        return "llama-3"
    return model_id.split("-")[0].rstrip("0123456789.") or model_id


def seen_by_the_fit(gpu_id: str, model_id: str) -> tuple[bool, bool]:
    """Whether the calibration rows hold a run on this GPU, and one of this model's family.

    Why it matters: the recorded figures are in-sample. On a GPU or a model family the fit had no run of, the
    hold-outs are the guide, and they err more (docs/throughput.md, "Where it stands").
    """
    return gpu_id in CALIBRATION_GPUS, family(model_id) in CALIBRATION_FAMILIES


def unseen_by_the_fit(gpu_id: str, model_id: str) -> str | None:
    """What the calibration rows have not seen of this GPU and model, in words, or None."""
    gpu_seen, family_seen = seen_by_the_fit(gpu_id, model_id)
    missing = ([] if gpu_seen else [f"no calibration run is on {gpu_id}"]) + \
        ([] if family_seen else [f"no calibration run is of the {family(model_id)} family"])
    return " and ".join(missing) or None


def spread_of_result(result, config, model, gpu) -> tuple[str, RegimeError] | None:
    """The regime whose measured / modelled spread an answer's throughput may be drawn from, or None.

    None where the answer has no record of its own: a measurement or a calibrated model; an answer judged on the
    maximum-throughput rows only because no published run is at its load (a dense model under a latency target);
    and a GPU or model family no calibration run is of. Those rows' spread is in-sample and narrow, and would
    overstate what is known of an unmeasured load, GPU or family.
    """
    name, error = regime_of_result(result, config, model)
    if error is None or error.measured_to_model_p10 is None:
        return None
    if name == max_throughput_regime(bool(model.num_routed_experts)) and not _at_max(config):
        return None
    if result.basis == "model" and unseen_by_the_fit(gpu.id, model.id):
        return None
    return name, error


def _at_max(config) -> bool:
    """A maximum-throughput question: no concurrency and no latency target."""
    return config.concurrency is None and config.ttft_ms is None and config.tpot_ms is None


# BEGIN recorded: generated by `python -m tco.bench.regime_errors`
CALIBRATION_GPUS = frozenset(['a100-80gb', 'b200', 'gb200', 'gb300', 'gh200', 'h100-sxm', 'h200', 'l40s', 'mi355x', 'rtx-pro-6000'])
CALIBRATION_FAMILIES = frozenset(['deepseek', 'llama-3', 'llama-4', 'mistral', 'mixtral', 'qwen'])
RECORDED: dict[str, RegimeError] = {
    'MoE, aggregated + speculative decoding, 1-8 requests in flight': RegimeError(rows=15, throughput_median_pct=6.7, throughput_p90_pct=17.6,
        tpot_median_pct=3.7, ttft_median_pct=10.5,
        measured_to_model_p10=0.851, measured_to_model_median=1.013, measured_to_model_p90=1.066,
        tpot_measured_to_model_median=0.999, ttft_measured_to_model_median=0.968),
    'MoE, aggregated + speculative decoding, 65+ requests in flight': RegimeError(rows=7, throughput_median_pct=21.9, throughput_p90_pct=2589.7,
        tpot_median_pct=22.4, ttft_median_pct=27.0,
        measured_to_model_p10=0.243, measured_to_model_median=0.82, measured_to_model_p90=0.874,
        tpot_measured_to_model_median=1.288, ttft_measured_to_model_median=1.37),
    'MoE, aggregated + speculative decoding, 9-64 requests in flight': RegimeError(rows=22, throughput_median_pct=9.4, throughput_p90_pct=18.8,
        tpot_median_pct=7.4, ttft_median_pct=13.0,
        measured_to_model_p10=0.842, measured_to_model_median=0.959, measured_to_model_p90=1.115,
        tpot_measured_to_model_median=1.052, ttft_measured_to_model_median=1.044),
    'MoE, aggregated, 1-8 requests in flight': RegimeError(rows=33, throughput_median_pct=6.5, throughput_p90_pct=19.0,
        tpot_median_pct=4.2, ttft_median_pct=10.5,
        measured_to_model_p10=0.84, measured_to_model_median=0.967, measured_to_model_p90=1.065,
        tpot_measured_to_model_median=1.011, ttft_measured_to_model_median=0.936),
    'MoE, aggregated, 65+ requests in flight': RegimeError(rows=13, throughput_median_pct=16.0, throughput_p90_pct=129.4,
        tpot_median_pct=15.3, ttft_median_pct=27.0,
        measured_to_model_p10=0.467, measured_to_model_median=0.862, measured_to_model_p90=1.126,
        tpot_measured_to_model_median=1.151, ttft_measured_to_model_median=1.029),
    'MoE, aggregated, 9-64 requests in flight': RegimeError(rows=49, throughput_median_pct=9.4, throughput_p90_pct=18.4,
        tpot_median_pct=7.6, ttft_median_pct=12.0,
        measured_to_model_p10=0.845, measured_to_model_median=0.985, measured_to_model_p90=1.123,
        tpot_measured_to_model_median=0.999, ttft_measured_to_model_median=1.011),
    'MoE, disaggregated + speculative decoding, 1-8 requests in flight': RegimeError(rows=26, throughput_median_pct=12.7, throughput_p90_pct=33.8,
        tpot_median_pct=13.6, ttft_median_pct=22.3,
        measured_to_model_p10=0.747, measured_to_model_median=0.924, measured_to_model_p90=1.128,
        tpot_measured_to_model_median=1.039, ttft_measured_to_model_median=0.945),
    'MoE, disaggregated + speculative decoding, 65+ requests in flight': RegimeError(rows=30, throughput_median_pct=18.0, throughput_p90_pct=69.6,
        tpot_median_pct=16.5, ttft_median_pct=74.0,
        measured_to_model_p10=0.59, measured_to_model_median=0.855, measured_to_model_p90=1.064,
        tpot_measured_to_model_median=1.049, ttft_measured_to_model_median=2.32),
    'MoE, disaggregated + speculative decoding, 9-64 requests in flight': RegimeError(rows=24, throughput_median_pct=14.7, throughput_p90_pct=42.1,
        tpot_median_pct=15.3, ttft_median_pct=46.4,
        measured_to_model_p10=0.706, measured_to_model_median=0.926, measured_to_model_p90=1.207,
        tpot_measured_to_model_median=0.957, ttft_measured_to_model_median=1.473),
    'MoE, disaggregated, 1-8 requests in flight': RegimeError(rows=58, throughput_median_pct=9.5, throughput_p90_pct=36.4,
        tpot_median_pct=9.3, ttft_median_pct=23.7,
        measured_to_model_p10=0.733, measured_to_model_median=0.962, measured_to_model_p90=1.111,
        tpot_measured_to_model_median=1.013, ttft_measured_to_model_median=0.945),
    'MoE, disaggregated, 65+ requests in flight': RegimeError(rows=129, throughput_median_pct=15.6, throughput_p90_pct=74.8,
        tpot_median_pct=12.0, ttft_median_pct=71.1,
        measured_to_model_p10=0.572, measured_to_model_median=0.907, measured_to_model_p90=1.131,
        tpot_measured_to_model_median=0.994, ttft_measured_to_model_median=2.731),
    'MoE, disaggregated, 9-64 requests in flight': RegimeError(rows=51, throughput_median_pct=10.9, throughput_p90_pct=27.6,
        tpot_median_pct=12.1, ttft_median_pct=46.5,
        measured_to_model_p10=0.786, measured_to_model_median=0.971, measured_to_model_p90=1.167,
        tpot_measured_to_model_median=0.942, ttft_measured_to_model_median=1.747),
    'MoE, maximum throughput': RegimeError(rows=265, throughput_median_pct=6.8, throughput_p90_pct=25.8,
        tpot_median_pct=None, ttft_median_pct=None,
        measured_to_model_p10=0.812, measured_to_model_median=0.995, measured_to_model_p90=1.126,
        tpot_measured_to_model_median=None, ttft_measured_to_model_median=None),
    'dense, maximum throughput': RegimeError(rows=366, throughput_median_pct=5.9, throughput_p90_pct=16.7,
        tpot_median_pct=None, ttft_median_pct=None,
        measured_to_model_p10=0.957, measured_to_model_median=1.047, measured_to_model_p90=1.19,
        tpot_measured_to_model_median=None, ttft_measured_to_model_median=None),
    'interpolation between published runs (leave one out)': RegimeError(rows=631, throughput_median_pct=4.2, throughput_p90_pct=12.2,
        tpot_median_pct=None, ttft_median_pct=None,
        measured_to_model_p10=0.917, measured_to_model_median=1.005, measured_to_model_p90=1.093,
        tpot_measured_to_model_median=None, ttft_measured_to_model_median=None),
}
# END recorded
