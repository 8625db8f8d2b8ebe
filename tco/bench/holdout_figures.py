"""Hold-out figures recorded by `python -m tco.bench.fit_throughput --holdout` (2026-11, 631 bundled
measurements; the kept variant, `--per-generation links`): each refit starts from the same round
values as the full fit (two stages, 8 rounds, up to 2 cycles each) without one GPU type or one model
family, and the error is measured on what was left out. Recorded, not recomputed, because the
refits take minutes; rerun the script after changing the model and paste its output here.
"""

HOLDOUT_ROWS = [
    {'group': 'hold-out family', 'key': 'llama-3', 'rows': 321, 'median_abs_pct_error': 16.14, 'p90_abs_pct_error': 36.92},
    {'group': 'hold-out family', 'key': 'llama-4', 'rows': 53, 'median_abs_pct_error': 25.11, 'p90_abs_pct_error': 58.13},
    {'group': 'hold-out family', 'key': 'mistral', 'rows': 45, 'median_abs_pct_error': 6.18, 'p90_abs_pct_error': 16.16},
    {'group': 'hold-out family', 'key': 'mixtral', 'rows': 153, 'median_abs_pct_error': 13.88, 'p90_abs_pct_error': 30.72},
    {'group': 'hold-out family', 'key': 'qwen', 'rows': 59, 'median_abs_pct_error': 41.17, 'p90_abs_pct_error': 121.42},
    {'group': 'hold-out gpu', 'key': 'a100-80gb', 'rows': 79, 'median_abs_pct_error': 10.47, 'p90_abs_pct_error': 17.22},
    {'group': 'hold-out gpu', 'key': 'b200', 'rows': 40, 'median_abs_pct_error': 26.1, 'p90_abs_pct_error': 91.12},
    {'group': 'hold-out gpu', 'key': 'gb200', 'rows': 40, 'median_abs_pct_error': 16.78, 'p90_abs_pct_error': 118.24},
    {'group': 'hold-out gpu', 'key': 'gh200', 'rows': 35, 'median_abs_pct_error': 5.39, 'p90_abs_pct_error': 12.03},
    {'group': 'hold-out gpu', 'key': 'h100-sxm', 'rows': 135, 'median_abs_pct_error': 9.16, 'p90_abs_pct_error': 21.35},
    {'group': 'hold-out gpu', 'key': 'h200', 'rows': 148, 'median_abs_pct_error': 6.41, 'p90_abs_pct_error': 16.42},
    {'group': 'hold-out gpu', 'key': 'l40s', 'rows': 54, 'median_abs_pct_error': 32.5, 'p90_abs_pct_error': 68.88},
    {'group': 'hold-out gpu', 'key': 'rtx-pro-6000', 'rows': 100, 'median_abs_pct_error': 21.8, 'p90_abs_pct_error': 46.32},
]
