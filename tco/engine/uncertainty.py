"""Monte Carlo: how sure is the answer, given what we do not know?

Why one shared draw per state of the world: the same throughput error, growth and price path
apply to every option of a draw (common random numbers), so "self-hosting wins in 73 % of
draws" compares options under the same future; a spread of own GPUs (`Spread.kinds`) leaves an API
option and committed API capacity at their base. Drawn with `random.Random(seed)`: the same seed
gives the same numbers, and numpy is not needed at run time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import polars as pl

from tco.engine.capability_results import comparable
from tco.engine.evaluate import evaluate_totals, option_inputs
from tco.engine.fields import API_PRICE_INPUTS
from tco.engine.rows import NO_OWN_THROUGHPUT_RANGE, OWN_GPU_KINDS


@dataclass(frozen=True)
class Spread:
    """A triangular distribution (low, most likely, high) of a factor or a shift of some inputs."""

    name: str
    label: str
    inputs: tuple[str, ...]
    how: str
    """"scale": inputs x draw; "shift": inputs + draw."""
    low: float
    mode: float
    high: float
    floor: float = float("-inf")
    ceiling: float = float("inf")
    per_option: bool = False
    """An option with its own range of this name (`Row.own_ranges`) draws from that range instead, at the same
    quantile of the draw as every other option (its error is as high or as low in that state of the world)."""
    kinds: tuple[str, ...] = ()
    """The option kinds whose inputs this spread describes (empty: every kind); an option of another kind keeps its base
    values in every draw (the GPU ranges say nothing about committed API capacity: its price and tokens per minute
    are the provider's, tco.engine.sensitivity.Range.kinds)."""

    def applies(self, row) -> bool:
        """Whether this spread moves `row`'s inputs (its kind is one the spread describes)."""
        return not self.kinds or row.kind in self.kinds

    def own(self, row):
        """`row`'s own range of this spread (a `tco.engine.rows.OwnRange`), or None."""
        return row.own_ranges.get(self.name) if self.per_option else None

    def bounds(self, row) -> tuple[float, float, float]:
        """(low, most likely, high) for `row`: its own range where it has one."""
        own = self.own(row)
        return (own.low, own.mode, own.high) if own is not None else (self.low, self.mode, self.high)


DEFAULT_SPREADS: tuple[Spread, ...] = (
    Spread("throughput", "replica throughput (model error)", ("replica_generations_per_s",), "scale", 0.7, 1.0, 1.3,
           per_option=True, kinds=OWN_GPU_KINDS),
    Spread("utilization_cap", "utilization cap", ("max_utilization",), "shift", -0.15, 0.0, 0.1, floor=0.05, ceiling=1.0,
           kinds=OWN_GPU_KINDS),
    Spread("growth", "monthly growth", ("monthly_growth",), "shift", -0.02, 0.0, 0.02, floor=-0.5, ceiling=2.0),
    Spread("api_prices", "API prices", API_PRICE_INPUTS, "scale", 0.7, 1.0, 1.3),
    Spread("api_decline", "API price decline per year", ("api_price_decline_per_year",), "shift", -0.15, 0.0, 0.15, floor=0.0, ceiling=0.95),
    Spread("gpu_price_change", "GPU price change per year", ("gpu_price_change_per_year",), "shift", -0.15, 0.0, 0.15,
           floor=-0.9, ceiling=1.0, kinds=(*OWN_GPU_KINDS, "api-provisioned")),
    Spread("gpu_price", "GPU price", ("gpu_usd_per_hour", "purchase_usd_per_gpu", "burst_gpu_usd_per_hour"), "scale", 0.7, 1.0, 1.3,
           kinds=OWN_GPU_KINDS),
)
"""Same widths and kinds as the tornado's ranges (tco.engine.sensitivity.DEFAULT_RANGES) where both exist;
the utilization cap leans down (a load test more often finds less headroom than hoped). Committed API capacity
(api-provisioned) moves with volume, growth, API prices and their decline (its overflow is paid per token) and the
GPU price change per year (the engine prices its units signed later, renewals included, by it), not with the GPU
price, the throughput model's error or the utilization cap: its unit price and tokens per minute are the provider's."""


NO_RECORD = f"the default spread: {NO_OWN_THROUGHPUT_RANGE}"

SELF_HOSTING_KINDS = OWN_GPU_KINDS
"""The kinds that run their own GPUs: the side of "self-hosting wins"."""


@dataclass(frozen=True)
class OptionSpread:
    option_id: str
    kind: str
    excluded: bool
    p10_usd: float
    p50_usd: float
    p90_usd: float
    mean_usd: float
    throughput_factor_low: float | None = None
    """The throughput spread this option was drawn from (low, most likely, high, as factors of its modelled
    throughput) and where it comes from; None for an option whose total does not rest on our throughput model (an API,
    committed API capacity sized by the provider's stated tokens per minute)."""
    throughput_factor_mode: float | None = None
    throughput_factor_high: float | None = None
    throughput_factor_source: str | None = None
    below_capability_requirement: bool = False
    """Below the scenario's capability requirement: ranked apart, and not an API that self-hosting is weighed against."""


@dataclass(frozen=True)
class MonteCarlo:
    scenario_id: str
    draws: int
    seed: int
    options: list[OptionSpread]
    self_hosting_wins_share: float | None
    """Share of draws in which the cheapest self-hosted or hybrid option costs less than the
    cheapest API option (excluded options and those below the capability requirement take no part). None when one side
    has no option."""


def draw_quantiles(spreads: tuple[Spread, ...], draws: int, seed: int) -> dict[str, list[float]]:
    """The uniform draws behind each spread, in a fixed order: the same seed gives the same lists.

    Why quantiles and not the factors: options with their own range of a spread take the same quantile of it
    (`triangular`), so a draw in which the model errs high errs high for every option.
    """
    rng = random.Random(seed)
    return {s.name: [rng.random() for _ in range(draws)] for s in spreads}


def triangular(quantile, low: float, mode: float, high: float):
    """The triangular distribution's value at a quantile: a float, or a polars expression of a column of them.

    Written as `random.triangular` computes it from its uniform draw, operation for operation, so a spread drawn here
    gives the same numbers, bit for bit, as `random.Random(seed).triangular(low, high, mode)` did.
    """
    if high == low:
        return quantile * 0.0 + low
    c = (mode - low) / (high - low)
    if isinstance(quantile, pl.Expr):
        return (pl.when(quantile > c).then(high + (low - high) * ((1.0 - quantile) * (1.0 - c)).sqrt())
                .otherwise(low + (high - low) * (quantile * c).sqrt()))
    if quantile > c:
        return high + (low - high) * math.sqrt((1.0 - quantile) * (1.0 - c))
    return low + (high - low) * math.sqrt(quantile * c)


def draw_factors(spreads: tuple[Spread, ...], draws: int, seed: int) -> dict[str, list[float]]:
    """The draws of each spread's own (low, most likely, high), spread by spread: the same seed gives the same lists."""
    quantiles = draw_quantiles(spreads, draws, seed)
    return {s.name: [triangular(u, s.low, s.mode, s.high) for u in quantiles[s.name]] for s in spreads}


def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on a sorted list."""
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _totals(frames: list[pl.DataFrame], auto_base: list[bool]) -> list[float]:
    """Totals of every draw of every option, in order; an `auto` base is chosen again in each draw.

    Why again: the base is a decision, not an uncertain input; a planner facing that draw's throughput,
    growth and prices would reserve the base that suits them (tco.engine.base_size).
    """
    from tco.engine.base_size import best_base_totals

    fixed = [f for f, auto in zip(frames, auto_base) if not auto]
    chosen = [f for f, auto in zip(frames, auto_base) if auto]
    parts = []
    if fixed:
        parts.append(evaluate_totals(pl.concat(fixed)).select("row", "total_cost_usd"))
    if chosen:
        parts.append(best_base_totals(pl.concat(chosen)).select("row", "total_cost_usd"))
    return pl.concat(parts).sort("row")["total_cost_usd"].to_list()


def monte_carlo(results, scenario_id: str, draws: int = 10_000, seed: int = 0,
                spreads: tuple[Spread, ...] = DEFAULT_SPREADS) -> MonteCarlo:
    """Totals of every option of the scenario under `draws` shared draws, in one frame."""
    rows = [r for r in results.rows if r.scenario_id == scenario_id]
    if not rows:
        raise KeyError(scenario_id)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    quantiles = draw_quantiles(spreads, draws, seed)
    draws_frame = pl.DataFrame({f"_quantile_{s.name}": pl.Series(quantiles[s.name], dtype=pl.Float64) for s in spreads})
    frames = []
    for k, row in enumerate(rows):
        moved: dict[str, pl.Expr] = {}
        for s in spreads:
            if not s.applies(row):
                continue
            f = triangular(pl.col(f"_quantile_{s.name}"), *s.bounds(row))
            for name in s.inputs:
                base = moved.get(name, pl.lit(float(row.values[name]), dtype=pl.Float64))
                moved[name] = (base * f if s.how == "scale" else base + f).clip(s.floor, s.ceiling)
        frames.append(option_inputs(row.values, draws_frame, moved).with_columns(
            pl.int_range(k * draws, (k + 1) * draws, dtype=pl.Int64).alias("row")))
    totals = _totals(frames, [row.base_auto for row in rows])
    per_option = [totals[k * draws:(k + 1) * draws] for k in range(len(rows))]
    in_scenario = results.options.filter(pl.col("scenario") == scenario_id)
    weighed = set(in_scenario.filter(comparable(in_scenario))["option"])
    spreads_out = []
    throughput = next((s for s in spreads if s.name == "throughput"), None)
    for row, values in zip(rows, per_option):
        ordered = sorted(values)
        factors: tuple = (None, None, None, None)
        if throughput is not None and throughput.applies(row):
            own = throughput.own(row)
            factors = (*throughput.bounds(row), own.why if own is not None else NO_RECORD)
        spreads_out.append(OptionSpread(row.option_id, row.kind, row.excluded_reason is not None,
                                        _percentile(ordered, 0.1), _percentile(ordered, 0.5), _percentile(ordered, 0.9),
                                        sum(values) / draws, *factors,
                                        below_capability_requirement=row.excluded_reason is None and row.option_id not in weighed))
    allowed = [(row, values) for row, values in zip(rows, per_option) if row.option_id in weighed]
    # Committed API capacity (api-provisioned) is bought from the API provider, not self-hosting: it takes no part,
    # as in the break-even, whose reference is the cheapest per-token API option.
    own = [v for r, v in allowed if r.kind in SELF_HOSTING_KINDS]
    api = [v for r, v in allowed if r.kind == "api"]
    share = None
    if own and api:
        wins = sum(1 for i in range(draws) if min(v[i] for v in own) < min(v[i] for v in api))
        share = wins / draws
    return MonteCarlo(scenario_id, draws, seed, spreads_out, share)
