"""Hold-out figures recorded by `python -m tco.bench.fit_throughput --holdout` (2026-11-28, 631 bundled
measurements; the kept variant, `--per-generation links`): each refit starts from the same round
values as the full fit (two stages, 8 rounds, up to 2 cycles each) without one GPU type or one model
family, and the error is measured on what was left out. Recorded, not recomputed, because the
refits take minutes; rerun the script after changing the model and paste its output here.
"""

HOLDOUT_ROWS = [
    {'group': 'hold-out family', 'key': 'llama-3', 'rows': 321, 'median_abs_pct_error': 12.08, 'p90_abs_pct_error': 27.46},
    {'group': 'hold-out family', 'key': 'llama-4', 'rows': 53, 'median_abs_pct_error': 25.55, 'p90_abs_pct_error': 51.12},
    {'group': 'hold-out family', 'key': 'mistral', 'rows': 45, 'median_abs_pct_error': 6.46, 'p90_abs_pct_error': 15.39},
    {'group': 'hold-out family', 'key': 'mixtral', 'rows': 153, 'median_abs_pct_error': 9.42, 'p90_abs_pct_error': 19.8},
    {'group': 'hold-out family', 'key': 'qwen', 'rows': 59, 'median_abs_pct_error': 29.19, 'p90_abs_pct_error': 62.58},
    {'group': 'hold-out gpu', 'key': 'a100-80gb', 'rows': 79, 'median_abs_pct_error': 10.46, 'p90_abs_pct_error': 16.72},
    {'group': 'hold-out gpu', 'key': 'b200', 'rows': 40, 'median_abs_pct_error': 14.84, 'p90_abs_pct_error': 44.48},
    {'group': 'hold-out gpu', 'key': 'gb200', 'rows': 40, 'median_abs_pct_error': 17.13, 'p90_abs_pct_error': 73.95},
    {'group': 'hold-out gpu', 'key': 'gh200', 'rows': 35, 'median_abs_pct_error': 3.85, 'p90_abs_pct_error': 10.43},
    {'group': 'hold-out gpu', 'key': 'h100-sxm', 'rows': 135, 'median_abs_pct_error': 9.11, 'p90_abs_pct_error': 18.92},
    {'group': 'hold-out gpu', 'key': 'h200', 'rows': 148, 'median_abs_pct_error': 6.16, 'p90_abs_pct_error': 14.45},
    {'group': 'hold-out gpu', 'key': 'l40s', 'rows': 54, 'median_abs_pct_error': 33.56, 'p90_abs_pct_error': 69.14},
    {'group': 'hold-out gpu', 'key': 'rtx-pro-6000', 'rows': 100, 'median_abs_pct_error': 24.28, 'p90_abs_pct_error': 49.83},
]
