"""Hold-out figures recorded by `python -m tco.bench.fit_throughput --holdout` (2026, 631 bundled
measurements): the constants refitted without one GPU type or one model family, the error measured
on what was left out. Recorded, not recomputed, because the refits take minutes; rerun the script
after changing the model and paste its output here.
"""

HOLDOUT_ROWS = [
    {'group': 'hold-out family', 'key': 'llama-3', 'rows': 321, 'median_abs_pct_error': 11.19, 'p90_abs_pct_error': 37.79},
    {'group': 'hold-out family', 'key': 'llama-4', 'rows': 53, 'median_abs_pct_error': 29.29, 'p90_abs_pct_error': 57.62},
    {'group': 'hold-out family', 'key': 'mistral', 'rows': 45, 'median_abs_pct_error': 4.46, 'p90_abs_pct_error': 11.24},
    {'group': 'hold-out family', 'key': 'mixtral', 'rows': 153, 'median_abs_pct_error': 14.03, 'p90_abs_pct_error': 30.87},
    {'group': 'hold-out family', 'key': 'qwen', 'rows': 59, 'median_abs_pct_error': 49.59, 'p90_abs_pct_error': 74.67},
    {'group': 'hold-out gpu', 'key': 'a100-80gb', 'rows': 79, 'median_abs_pct_error': 10.51, 'p90_abs_pct_error': 34.05},
    {'group': 'hold-out gpu', 'key': 'b200', 'rows': 40, 'median_abs_pct_error': 24.54, 'p90_abs_pct_error': 35.91},
    {'group': 'hold-out gpu', 'key': 'gb200', 'rows': 40, 'median_abs_pct_error': 21.47, 'p90_abs_pct_error': 86.75},
    {'group': 'hold-out gpu', 'key': 'gh200', 'rows': 35, 'median_abs_pct_error': 5.27, 'p90_abs_pct_error': 21.08},
    {'group': 'hold-out gpu', 'key': 'h100-sxm', 'rows': 135, 'median_abs_pct_error': 8.29, 'p90_abs_pct_error': 23.36},
    {'group': 'hold-out gpu', 'key': 'h200', 'rows': 148, 'median_abs_pct_error': 4.93, 'p90_abs_pct_error': 14.69},
    {'group': 'hold-out gpu', 'key': 'l40s', 'rows': 54, 'median_abs_pct_error': 39.29, 'p90_abs_pct_error': 68.15},
    {'group': 'hold-out gpu', 'key': 'rtx-pro-6000', 'rows': 100, 'median_abs_pct_error': 36.03, 'p90_abs_pct_error': 72.62},
]
