"""Tornado: which uncertain input moves an option's total, and the answer, the most.

Why one frame: every perturbed copy of the option (and of the API option it is compared with)
goes through `evaluate_totals` at once, so a tornado costs one vectorized evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tco.engine.evaluate import evaluate_totals, inputs_table
from tco.engine.fields import API_PRICE_INPUTS
from tco.engine.rows import NO_OWN_GPUS, NO_OWN_THROUGHPUT_RANGE, OWN_GPU_KINDS


@dataclass(frozen=True)
class Range:
    """How far one uncertain quantity may plausibly be off, applied to one or more inputs together.

    `how="scale"` multiplies the inputs by `low` / `high`; `how="shift"` adds them. Results are
    clamped to [`floor`, `ceiling`] so a shifted share stays a share. `how="choice"`: the inputs
    take the values of another contract the row builder found (`Row.term_choices`: the shorter and
    the longer commitment term); rows without one stay at base.
    """

    name: str
    label: str
    inputs: tuple[str, ...]
    how: str
    low: float
    high: float
    floor: float = float("-inf")
    ceiling: float = float("inf")
    why: str = ""
    per_option: bool = False
    """An option with its own range of this name (`Row.own_ranges`) moves by that range instead of low / high."""
    only_if: str = ""
    """A flag input (1 or 0) without which the range moves nothing (a reserved base exists in mixed fleets only)."""
    kinds: tuple[str, ...] = ()
    """The option kinds whose inputs this range describes (empty: every kind). An option of another kind stays at its
    base at both ends, and its bar says `not applied`: a GPU's price or our throughput model's error says nothing
    about committed API capacity, whose unit price and tokens per minute are the provider's."""

    def not_applied(self, row) -> str | None:
        """Why this range leaves `row` at its base (its kind has none of what the range describes; it has no other term
        to choose, no reserved base to move), or None. Why say so: a 0 swing read as a term or base that does not matter,
        on an option that has none."""
        if self.kinds and row.kind not in self.kinds:
            return "not applied: " + NO_OWN_GPUS.get(row.kind, f"the range does not describe a {row.kind} option")
        if self.how == "choice" and not row.term_choices:
            return "not applied: the option has no commitment term"
        if self.only_if and row.values.get(self.only_if, 1.0) <= 0.5:
            return "not applied: the option has no reserved base (mixed fleets only)"
        return None

    def ends(self, row) -> tuple[float, float, str]:
        """The low and high end for `row`, and why: its own range where it has one."""
        own = row.own_ranges.get(self.name) if self.per_option else None
        return (own.low, own.high, own.why) if own is not None else (self.low, self.high, self.why)

    def apply(self, values: dict[str, float], amount: float, choice: dict[str, float] | None = None) -> dict[str, float]:
        """A copy of `values` with this range's inputs moved by `amount` (a factor or a shift), or set to `choice`."""
        if self.how == "choice":
            return {**values, **(choice or {})}
        out = dict(values)
        for name in self.inputs:
            moved = values[name] * amount if self.how == "scale" else values[name] + amount
            out[name] = min(max(moved, self.floor), self.ceiling)
        return out

    def describe(self, amount: float, end: int, values: dict[str, float] | None = None) -> str:
        """`x0.7`, `+0.15`; with the option's `values`, a move the floor or ceiling held back says where it stopped
        (`-0.15 (held at 0)`): a bar whose end could not move is not read as an input that does not matter."""
        if self.how == "choice":
            return ("shorter", "longer")[end]
        text = f"x{amount:g}" if self.how == "scale" else f"{amount:+g}"
        if values is not None and values.get(self.only_if, 1.0) > 0.5:
            moved = self.apply(values, amount)
            for name in self.inputs:
                if name in values:
                    wanted = values[name] * amount if self.how == "scale" else values[name] + amount
                    if moved[name] != wanted:
                        return f"{text} (held at {moved[name]:g})"
        return text


DEFAULT_RANGES: tuple[Range, ...] = (
    Range("volume", "requests per day", ("requests_per_day",), "scale", 0.5, 1.5,
          why="volume forecasts for a new workload are rarely better than a factor of 1.5 either way"),
    Range("gpu_price", "GPU price per hour", ("gpu_usd_per_hour", "purchase_usd_per_gpu", "burst_gpu_usd_per_hour"), "scale", 0.7, 1.3,
          why="cloud list prices for the same GPU differ by more than 30 % between providers (hardware/offers)",
          kinds=OWN_GPU_KINDS),
    Range("throughput", "replica throughput (model error)", ("replica_generations_per_s",), "scale", 0.7, 1.3,
          why=f"{NO_OWN_THROUGHPUT_RANGE}: +/-30 %",
          per_option=True, kinds=OWN_GPU_KINDS),
    Range("api_prices", "API prices", API_PRICE_INPUTS, "scale", 0.7, 1.3,
          why="list prices change; a negotiated contract or another tier moves them by this much"),
    Range("growth", "monthly growth", ("monthly_growth",), "shift", -0.02, 0.02, floor=-0.5, ceiling=2.0,
          why="two points of monthly growth compound to about +/-60 % of volume over three years"),
    Range("api_decline", "API price decline per year", ("api_price_decline_per_year",), "shift", -0.15, 0.15, floor=0.0, ceiling=0.95,
          why="prices per token of a given quality have fallen fast, but not steadily; +/-15 points a year"),
    Range("gpu_price_change", "GPU price change per year", ("gpu_price_change_per_year",), "shift", -0.15, 0.15,
          floor=-0.9, ceiling=1.0,
          why="symmetric with the API decline: rental prices of a GPU generation move by this much a year, either way "
              "(committed API capacity: units signed later, renewals included, are priced by the same yearly change)",
          kinds=(*OWN_GPU_KINDS, "api-provisioned")),
    Range("staff", "staff cost", ("staff_usd_per_fte_year",), "scale", 0.7, 1.3,
          why="loaded engineer cost differs by country and seniority by at least this much", kinds=OWN_GPU_KINDS),
    Range("base_size", "reserved base (replicas)", ("base_replicas",), "shift", -1.0, 1.0, floor=0.0, only_if="is_mixed",
          why="a reserved base one replica smaller or larger than chosen: how flat the cost is around it (mixed fleets only)",
          kinds=OWN_GPU_KINDS),
    Range("term", "commitment term", ("term_months",), "choice", 0.0, 1.0,
          why="the other published term of the same committed offer (e.g. 1 vs 3 years, at its own price), or for a "
              "price you typed half and twice your term at that price (reserved, mixed bases, committed API capacity)"),
    Range("utilization_cap", "utilization cap", ("max_utilization",), "shift", -0.15, 0.15, floor=0.05, ceiling=1.0,
          why="how hard a replica can run before latency breaks its target is known only after a load test",
          kinds=OWN_GPU_KINDS),
)
"""Documented defaults; pass your own tuple to `tornado` to change them."""


@dataclass(frozen=True)
class Driver:
    """One bar of the tornado."""

    name: str
    label: str
    low: str
    high: str
    total_low_usd: float
    total_high_usd: float
    swing_usd: float
    """|total at high - total at low| of the option."""
    difference_low_usd: float | None
    difference_high_usd: float | None
    difference_swing_usd: float | None
    """Swing of (option - reference API option): what moves the answer. None for an API option."""
    base_total_usd: float = 0.0
    """The option's total with every input at its base value."""
    base_difference_usd: float | None = None
    reference_option_id: str | None = None
    why: str = ""
    applies: bool = True
    """False when the range does not describe this option's kind (`Range.kinds`): both ends are its base total."""


def reference_option_id(results, scenario_id: str, option_id: str) -> str | None:
    """The API option a self-hosted or hybrid option is compared with (the cheapest one that is not excluded and meets the
    capability requirement: `breakeven_reference_option`)."""
    opts = results.options
    match = opts.filter((pl.col("scenario") == scenario_id) & (pl.col("option") == option_id))
    if match.is_empty():
        raise KeyError(f"{scenario_id}/{option_id}")
    if match["kind"][0] == "api":
        return None
    return match["breakeven_reference_option"][0]


def tornado(results, scenario_id: str, option_id: str, ranges: tuple[Range, ...] = DEFAULT_RANGES,
            sort_by: str = "swing") -> list[Driver]:
    """Each range at its low and high end, the rest at base; sorted by swing, largest first.

    `sort_by="difference"` sorts by the swing of (option - reference API option) instead.
    """
    return tornadoes(results, [(scenario_id, option_id)], ranges, sort_by)[0]


def tornadoes(results, pairs: list[tuple[str, str]], ranges: tuple[Range, ...] = DEFAULT_RANGES,
              sort_by: str = "swing") -> list[list[Driver]]:
    """`tornado` for many (scenario, option) pairs with one evaluation (a workbook draws one per scenario)."""
    value_rows: list[dict[str, float]] = []
    rechoose: list[bool] = []
    layout = []
    for scenario_id, option_id in pairs:
        option = results.row(scenario_id, option_id)
        ref_id = reference_option_id(results, scenario_id, option_id)
        reference = results.row(scenario_id, ref_id) if ref_id else None
        ends = [(*r.ends(option)[:2], r.not_applied(option) or r.ends(option)[2]) for r in ranges]
        layout.append((len(value_rows), ref_id, reference is not None, ends, [r.not_applied(option) is None for r in ranges],
                       option.values))
        for side_row in [option] + ([reference] if reference else []):
            side = side_row.values
            value_rows.append(side)
            rechoose.append(side_row.base_auto)
            for r in ranges:
                low, high, _ = r.ends(side_row)
                applies = r.not_applied(side_row) is None
                for amount, end in ((low, 0), (high, 1)):
                    choice = side_row.term_choices[end] if side_row.term_choices else None
                    value_rows.append(r.apply(side, amount, choice) if applies else side)
                    # an auto base is chosen again for the moved inputs, except when the base size itself is moved
                    rechoose.append(side_row.base_auto and "base_replicas" not in r.inputs)
    totals = _totals(value_rows, rechoose) if value_rows else []
    per_side = 1 + 2 * len(ranges)
    out = []
    for start, ref_id, has_reference, ends, applies, values in layout:
        own = totals[start:start + per_side]
        ref = totals[start + per_side:start + 2 * per_side] if has_reference else None
        out.append(_drivers(ranges, ends, own, ref, ref_id, sort_by, values, applies))
    return out


def _totals(value_rows: list[dict[str, float]], rechoose: list[bool]) -> list[float]:
    """Total of each copy; copies of a mixed fleet with `replicas: auto` take the best base for their inputs."""
    from tco.engine.base_size import best_base_totals

    frame = inputs_table(value_rows)
    flags = pl.Series(rechoose, dtype=pl.Boolean)
    parts = [evaluate_totals(frame.filter(~flags)).select("row", "total_cost_usd")]
    if any(rechoose):
        parts.append(best_base_totals(frame.filter(flags)).select("row", "total_cost_usd"))
    return pl.concat(parts).sort("row")["total_cost_usd"].to_list()


def _drivers(ranges: tuple[Range, ...], ends: list[tuple[float, float, str]], own: list[float], ref: list[float] | None,
             ref_id: str | None, sort_by: str, values: dict[str, float] | None = None,
             applies: list[bool] | None = None) -> list[Driver]:
    drivers = []
    for i, (r, (low, high, why)) in enumerate(zip(ranges, ends)):
        used = applies is None or applies[i]
        lo, hi = own[1 + 2 * i], own[2 + 2 * i]
        d_lo = d_hi = d_swing = None
        if ref is not None:
            d_lo, d_hi = lo - ref[1 + 2 * i], hi - ref[2 + 2 * i]
            d_swing = abs(d_hi - d_lo)
        low_text, high_text = (r.describe(low, 0, values), r.describe(high, 1, values)) if used else ("not applied",) * 2
        drivers.append(Driver(r.name, r.label, low_text, high_text, lo, hi, abs(hi - lo),
                              d_lo, d_hi, d_swing, own[0], (own[0] - ref[0]) if ref is not None else None, ref_id, why, used))
    if sort_by == "difference" and ref is not None:
        drivers.sort(key=lambda d: -(d.difference_swing_usd or 0.0))
    else:
        drivers.sort(key=lambda d: -d.swing_usd)
    return drivers
