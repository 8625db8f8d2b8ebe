"""Hold-out figures recorded by `python -m tco.bench.fit_throughput --holdout` (2026-11-28, 631 bundled
measurements; the kept variant, `--per-generation links`): each refit starts from the same round
values as the full fit (two stages, 8 rounds, up to 2 cycles each) without one GPU type or one model
family, and the error is measured on what was left out. Recorded, not recomputed, because the
refits take minutes; rerun the script after changing the model and paste its output here.
"""

HOLDOUT_ROWS = [
    {'group': 'hold-out family', 'key': 'llama-3', 'rows': 321, 'median_abs_pct_error': 13.96, 'p90_abs_pct_error': 31.93},
    {'group': 'hold-out family', 'key': 'llama-4', 'rows': 53, 'median_abs_pct_error': 18.88, 'p90_abs_pct_error': 44.23},
    {'group': 'hold-out family', 'key': 'mistral', 'rows': 45, 'median_abs_pct_error': 4.46, 'p90_abs_pct_error': 12.04},
    {'group': 'hold-out family', 'key': 'mixtral', 'rows': 153, 'median_abs_pct_error': 7.12, 'p90_abs_pct_error': 16.77},
    {'group': 'hold-out family', 'key': 'qwen', 'rows': 59, 'median_abs_pct_error': 14.42, 'p90_abs_pct_error': 46.16},
    {'group': 'hold-out gpu', 'key': 'a100-80gb', 'rows': 79, 'median_abs_pct_error': 10.69, 'p90_abs_pct_error': 16.92},
    {'group': 'hold-out gpu', 'key': 'b200', 'rows': 40, 'median_abs_pct_error': 15.8, 'p90_abs_pct_error': 46.43},
    {'group': 'hold-out gpu', 'key': 'gb200', 'rows': 40, 'median_abs_pct_error': 12.43, 'p90_abs_pct_error': 52.4},
    {'group': 'hold-out gpu', 'key': 'gh200', 'rows': 35, 'median_abs_pct_error': 3.56, 'p90_abs_pct_error': 8.49},
    {'group': 'hold-out gpu', 'key': 'h100-sxm', 'rows': 135, 'median_abs_pct_error': 7.12, 'p90_abs_pct_error': 20.11},
    {'group': 'hold-out gpu', 'key': 'h200', 'rows': 148, 'median_abs_pct_error': 5.6, 'p90_abs_pct_error': 15.97},
    {'group': 'hold-out gpu', 'key': 'l40s', 'rows': 54, 'median_abs_pct_error': 14.9, 'p90_abs_pct_error': 22.38},
    {'group': 'hold-out gpu', 'key': 'rtx-pro-6000', 'rows': 100, 'median_abs_pct_error': 13.79, 'p90_abs_pct_error': 32.36},
]
