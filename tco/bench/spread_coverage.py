"""How often a published run's throughput falls inside the spread `tco sensitivity` and `tco uncertainty` draw an
answer like it from (its accuracy regime's P10-P90 of measured / modelled), and inside the flat 0.7-1.3.

    python -m tco.bench.spread_coverage            # in-sample: about 80 % by construction
    python -m tco.bench.spread_coverage --holdout  # each InferenceX GPU and the DeepSeek family refitted without it

Why: the spreads are in-sample. Held out, a calibrated spread would still hold about 80 % of the runs; far less
would mean the uncertainty analyses understate what is not known. The hold-outs are the serving ones of
`python -m tco.bench.fit_throughput --serving --holdout` (partial: the compute shares stay as shipped); about 3
minutes on 2 cores.
"""

from __future__ import annotations

import sys
from typing import Sequence

def coverage(catalog, cases: Sequence) -> tuple[int, int, int]:
    """(rows the model runs, rows inside their regime's P10-P90, rows inside the flat spread)."""
    from tco.engine.throughput.regimes import regime_of_run
    from tco.engine.uncertainty import DEFAULT_SPREADS

    # the flat spread of an answer with no record of its own
    throughput = next(s for s in DEFAULT_SPREADS if s.name == "throughput")
    rows = inside = flat = 0
    for c in cases:
        ratio = c.measured_to_model
        if ratio is None:
            continue
        m = c.measurement
        _, error = regime_of_run(m.concurrency, m.disaggregated, m.spec_method != "none", bool(catalog.models[m.model].num_routed_experts))
        rows += 1
        inside += error.measured_to_model_p10 <= ratio <= error.measured_to_model_p90
        flat += throughput.low <= ratio <= throughput.high
    return rows, inside, flat


def held_out(group: tuple[str, str]) -> tuple[str, tuple[int, int, int]]:
    """Refit the serving constants without one group (as `--serving --holdout` does, at its options) and count its rows."""
    from tco.bench.accuracy import model_cases
    from tco.bench.fit_throughput import serving_refit_without
    from tco.load.hardware import load_hardware

    kind, key = group
    catalog = load_hardware()
    constants, held = serving_refit_without(catalog, kind, key, rounds=3, ttft_max_concurrency=8)
    return f"hold-out {kind} {key}", coverage(catalog, model_cases(catalog, held, constants))


def main(argv: list[str] | None = None) -> int:
    import argparse
    from concurrent.futures import ProcessPoolExecutor

    from tco.bench.accuracy import model_cases
    from tco.bench.fit_throughput import SERVING_HOLDOUTS
    from tco.load.hardware import load_hardware
    from tco.report.table import print_rows

    parser = argparse.ArgumentParser(prog="python -m tco.bench.spread_coverage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--holdout", action="store_true", help="also refit without each InferenceX GPU and the DeepSeek family")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    catalog = load_hardware()
    results = [("in-sample, every row", coverage(catalog, model_cases(catalog)))]
    if args.holdout:
        with ProcessPoolExecutor(args.workers) as pool:
            results += list(pool.map(held_out, SERVING_HOLDOUTS))
    print_rows([{"rows": name, "runs": n, "inside regime P10-P90 %": round(100 * inside / n, 1),
                 "inside flat 0.7-1.3 %": round(100 * flat / n, 1)} for name, (n, inside, flat) in results], "table")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
