"""Hold-out figures recorded by `python -m tco.bench.fit_throughput --holdout` (2026, 631 bundled
measurements; 2 coordinate-search rounds per refit, started from the full fit): the constants refitted without one GPU type or one model family, the error measured
on what was left out. Recorded, not recomputed, because the refits take minutes; rerun the script
after changing the model and paste its output here.
"""

HOLDOUT_ROWS = [
    {'group': 'hold-out family', 'key': 'llama-3', 'rows': 321, 'median_abs_pct_error': 16.19, 'p90_abs_pct_error': 48.63},
    {'group': 'hold-out family', 'key': 'llama-4', 'rows': 53, 'median_abs_pct_error': 33.66, 'p90_abs_pct_error': 61.76},
    {'group': 'hold-out family', 'key': 'mistral', 'rows': 45, 'median_abs_pct_error': 5.46, 'p90_abs_pct_error': 12.66},
    {'group': 'hold-out family', 'key': 'mixtral', 'rows': 153, 'median_abs_pct_error': 17.16, 'p90_abs_pct_error': 38.46},
    {'group': 'hold-out family', 'key': 'qwen', 'rows': 59, 'median_abs_pct_error': 54.66, 'p90_abs_pct_error': 116.1},
    {'group': 'hold-out gpu', 'key': 'a100-80gb', 'rows': 79, 'median_abs_pct_error': 11.59, 'p90_abs_pct_error': 21.73},
    {'group': 'hold-out gpu', 'key': 'b200', 'rows': 40, 'median_abs_pct_error': 27.44, 'p90_abs_pct_error': 81.3},
    {'group': 'hold-out gpu', 'key': 'gb200', 'rows': 40, 'median_abs_pct_error': 25.76, 'p90_abs_pct_error': 126.3},
    {'group': 'hold-out gpu', 'key': 'gh200', 'rows': 35, 'median_abs_pct_error': 6.9, 'p90_abs_pct_error': 21.39},
    {'group': 'hold-out gpu', 'key': 'h100-sxm', 'rows': 135, 'median_abs_pct_error': 10.2, 'p90_abs_pct_error': 23.89},
    {'group': 'hold-out gpu', 'key': 'h200', 'rows': 148, 'median_abs_pct_error': 6.13, 'p90_abs_pct_error': 17.14},
    {'group': 'hold-out gpu', 'key': 'l40s', 'rows': 54, 'median_abs_pct_error': 40.7, 'p90_abs_pct_error': 61.08},
    {'group': 'hold-out gpu', 'key': 'rtx-pro-6000', 'rows': 100, 'median_abs_pct_error': 28.38, 'p90_abs_pct_error': 66.96},
]
