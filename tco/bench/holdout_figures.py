"""Hold-out figures recorded by `python -m tco.bench.fit_throughput --holdout --source trtllm` (2026-12-05, after the
memory the driver reports replaced the marketed figure where known; before, 2026-12-04, after the
LM head's GEMM moved to the 16-bit rate; before, 2026-12-04, after NVIDIA's all-reduce bandwidths became measured
figures, no longer fitted; before, 2026-12-03 night, after the Grace
host's slowdown joined the fitted constants, and 2026-12-02; the
631 TensorRT-LLM measurements the compute shares of FITTED were fitted on; the kept variant, `--per-generation
links`; the 2026-11-28 run, before issue 16's model changes, is quoted in docs/throughput.md): each refit starts
from the same round values as the full fit (two stages, 8 rounds, up to 2 cycles each) without one GPU type or one
model family, and the error is measured on what was left out. Recorded, not recomputed, because the refits take
minutes (about 17 on this machine with 2 workers); rerun the script after changing the model and paste its output
here.
"""

HOLDOUT_ROWS = [
    {'group': 'hold-out family', 'key': 'llama-3', 'rows': 321, 'median_abs_pct_error': 13.47, 'p90_abs_pct_error': 29.88},
    {'group': 'hold-out family', 'key': 'llama-4', 'rows': 53, 'median_abs_pct_error': 27.39, 'p90_abs_pct_error': 52.5},
    {'group': 'hold-out family', 'key': 'mistral', 'rows': 45, 'median_abs_pct_error': 4.1, 'p90_abs_pct_error': 11.41},
    {'group': 'hold-out family', 'key': 'mixtral', 'rows': 153, 'median_abs_pct_error': 6.0, 'p90_abs_pct_error': 12.08},
    {'group': 'hold-out family', 'key': 'qwen', 'rows': 59, 'median_abs_pct_error': 13.24, 'p90_abs_pct_error': 34.01},
    {'group': 'hold-out gpu', 'key': 'a100-80gb', 'rows': 79, 'median_abs_pct_error': 6.03, 'p90_abs_pct_error': 15.05},
    {'group': 'hold-out gpu', 'key': 'b200', 'rows': 40, 'median_abs_pct_error': 15.89, 'p90_abs_pct_error': 44.04},
    {'group': 'hold-out gpu', 'key': 'gb200', 'rows': 40, 'median_abs_pct_error': 14.86, 'p90_abs_pct_error': 50.64},
    {'group': 'hold-out gpu', 'key': 'gh200', 'rows': 35, 'median_abs_pct_error': 3.44, 'p90_abs_pct_error': 7.04},
    {'group': 'hold-out gpu', 'key': 'h100-sxm', 'rows': 135, 'median_abs_pct_error': 7.46, 'p90_abs_pct_error': 20.56},
    {'group': 'hold-out gpu', 'key': 'h200', 'rows': 148, 'median_abs_pct_error': 6.62, 'p90_abs_pct_error': 16.94},
    {'group': 'hold-out gpu', 'key': 'l40s', 'rows': 54, 'median_abs_pct_error': 15.63, 'p90_abs_pct_error': 24.38},
    {'group': 'hold-out gpu', 'key': 'rtx-pro-6000', 'rows': 100, 'median_abs_pct_error': 11.6, 'p90_abs_pct_error': 25.87},
]

SERVING_HOLDOUT_ROWS = [
    {'group': 'hold-out gpu (serving refit)', 'key': 'mi355x', 'rows': 176, 'median_abs_pct_error': 14.39, 'p90_abs_pct_error': 64.16},
    {'group': 'hold-out gpu (serving refit), tpot', 'key': 'mi355x', 'rows': 176, 'median_abs_pct_error': 10.96, 'p90_abs_pct_error': 43.21},
    {'group': 'hold-out gpu (serving refit), ttft', 'key': 'mi355x', 'rows': 176, 'median_abs_pct_error': 21.36, 'p90_abs_pct_error': 85.78},
    {'group': 'hold-out gpu (serving refit)', 'key': 'gb300', 'rows': 50, 'median_abs_pct_error': 6.71, 'p90_abs_pct_error': 21.31},
    {'group': 'hold-out gpu (serving refit), tpot', 'key': 'gb300', 'rows': 50, 'median_abs_pct_error': 8.91, 'p90_abs_pct_error': 23.44},
    {'group': 'hold-out gpu (serving refit), ttft', 'key': 'gb300', 'rows': 50, 'median_abs_pct_error': 65.21, 'p90_abs_pct_error': 95.03},
    {'group': 'hold-out gpu (serving refit)', 'key': 'gb200', 'rows': 122, 'median_abs_pct_error': 13.25, 'p90_abs_pct_error': 58.92},
    {'group': 'hold-out gpu (serving refit), tpot', 'key': 'gb200', 'rows': 82, 'median_abs_pct_error': 8.65, 'p90_abs_pct_error': 37.27},
    {'group': 'hold-out gpu (serving refit), ttft', 'key': 'gb200', 'rows': 82, 'median_abs_pct_error': 69.38, 'p90_abs_pct_error': 98.29},
    {'group': 'hold-out gpu (serving refit)', 'key': 'h100-sxm', 'rows': 160, 'median_abs_pct_error': 8.56, 'p90_abs_pct_error': 24.46},
    {'group': 'hold-out gpu (serving refit), tpot', 'key': 'h100-sxm', 'rows': 25, 'median_abs_pct_error': 25.91, 'p90_abs_pct_error': 57.59},
    {'group': 'hold-out gpu (serving refit), ttft', 'key': 'h100-sxm', 'rows': 25, 'median_abs_pct_error': 44.61, 'p90_abs_pct_error': 96.3},
    {'group': 'hold-out family (serving refit)', 'key': 'deepseek', 'rows': 333, 'median_abs_pct_error': 15.45, 'p90_abs_pct_error': 75.34},
    {'group': 'hold-out family (serving refit), tpot', 'key': 'deepseek', 'rows': 333, 'median_abs_pct_error': 12.12, 'p90_abs_pct_error': 40.61},
    {'group': 'hold-out family (serving refit), ttft', 'key': 'deepseek', 'rows': 333, 'median_abs_pct_error': 47.88, 'p90_abs_pct_error': 96.73},
]
"""Recorded by `python -m tco.bench.fit_throughput --serving --holdout --rounds 3 --ttft-max-concurrency 8` (2026-12-02,
964 measurements; rerun the same day after the chunked-prefill, saturated-prefill, request-conservation, exchange-latency,
scale-out-latency, KV-handoff and hierarchical all-reduce changes, and again after the MLA prompt attention, the GEMM
shape from the ridge point and the busiest GPU's expert reads of the same evening, and after SGLang's fused all-reduce
(its saving is a serving parameter: refitted without each group too), and on 2026-12-03 after the `0 workers` rows were
read as layouts not published (`accuracy.config_of`), and again after the disaggregated closed loop's decode-slot queue
and TTFT percentiles, after the aggregated closed loop and after TensorRT-LLM's fused all-reduce, and after the
engines' own defaults by GPU and the chunked prefill (2026-12-03 evening), and after the Grace host's slowdown and
the AMD compute share (2026-12-03 night), and after that share became the measured matmul ceilings' (2026-12-04,
`gpu.vendor_compute_share`: no longer fitted, so kept when the MI355X or DeepSeek is held out; 5 minutes on this
machine), and after NVIDIA's all-reduce bandwidths became measured and the constants fitted with them were refitted
(2026-12-04), and after the LM head's GEMM moved to the 16-bit rate (2026-12-04, 5 minutes), and after the memory the driver reports
(2026-12-05, 4 minutes), and after a closed loop bounded the prefill queue (2026-12-05, 7 minutes), and after a prompt's
step gave one token under speculative decoding (2026-12-06, 9 minutes), and after InferenceX's rows were scored as the
closed-loop runs of 10 x C requests they were, drain included (2026-12-06, 8 minutes; `accuracy.closed_loop_requests`),
and after those runs' start became a burst (2026-12-06, 8 minutes; `predict.first_wave_ttft_s`), and after attention was
split by whole heads (2026-12-06, 9 minutes; `parallel.attention_tp_problem`); TTFT scored at 1-8
requests in flight only, as the shipped handoff was fitted):
SERVING_PARAMETERS refitted from the shipped FITTED without each GPU of the InferenceX source and without the
DeepSeek family, scored on what was left out (throughput; TPOT and TTFT where published). Partial hold-outs: the
compute shares stay as fitted on the TensorRT-LLM rows (which include GB200 and H100 SXM rows), and without the
DeepSeek family no TTFT row is left to fit the request and handoff latencies. Since 2026-12-03 night a serving
constant that no kept row depends on starts each refit from its round START value, not the shipped one
(`fit_throughput.without_what_only_they_inform`): the latencies, the scale-out network and the fused all-reduce
saving without DeepSeek (before, those kept values fitted on the group; so did the AMD compute share without the
MI355X until 2026-12-04, when it stopped being fitted)."""
