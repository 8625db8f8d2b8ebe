"""Ties and the recommendation sentence: one definition for `tco run`, the terminal UI and the workbook.

Why here: the CLI table (tco.report), the UI and the workbook's cached sentence (tco.export) all
say which option wins and whether it is a tie; the report and the exporter may not import each
other, so the rule sits in the engine below both of them. The functions take plain records (dicts
with the engine's column names: scenario, option, kind, rank, total_cost_usd,
breakeven_requests_per_day, excluded_reason), which the engine's options frame and `tco run`'s
records both are.
"""

from __future__ import annotations

from typing import Any

NEVER = "never"
"""How every view says a break-even that never happens: `tco run`'s table and JSON, the UI, the workbook's cells."""

TIE_RESOLUTION_USD = 0.01
"""Two totals that round to the same cent are a tie: a difference nobody can pay is no ranking."""


def cents(total_usd: float) -> int:
    """A total in whole cents: equal cents, a tie."""
    return round(total_usd / TIE_RESOLUTION_USD)


def mark_ties(records: list[dict[str, Any]], total: str = "total_cost_usd", rank: str = "rank", tied: str = "rank_tied") -> None:
    """Set `tied` on every ranked record whose total equals another ranked one's of its scenario, to the cent."""
    counts: dict[tuple[str, int], int] = {}
    for r in records:
        if r.get(rank) is not None and r.get(total) is not None:
            key = (r.get("scenario"), cents(r[total]))
            counts[key] = counts.get(key, 0) + 1
    for r in records:
        if r.get(rank) is not None and r.get(total) is not None:
            r[tied] = counts[(r.get("scenario"), cents(r[total]))] > 1


def shared_rank(records: list[dict[str, Any]], record: dict[str, Any], total: str = "total_cost_usd", rank: str = "rank") -> int | None:
    """The rank a tie shares: the best rank among the records of the scenario with the same total to the cent."""
    if record.get(rank) is None:
        return None
    cent = cents(record[total])
    return min(r[rank] for r in records if r.get("scenario") == record.get("scenario") and r.get(rank) is not None
               and cents(r[total]) == cent)


def recommendation_text(records: list[dict[str, Any]]) -> str:
    """One sentence for one scenario's records: the winner (or the options tied for first), by how much, and the break-even."""
    ranked = sorted((r for r in records if r.get("rank") is not None), key=lambda r: r["rank"])
    if not ranked:
        return "No option is allowed for this scenario."
    best = ranked[0]
    tied = [r for r in ranked if cents(r["total_cost_usd"]) == cents(best["total_cost_usd"])]
    rest = ranked[len(tied):]
    if len(tied) > 1:
        names = ", ".join(f"{r['option']} ({r['kind']})" for r in tied)
        text = f"A tie: {names} cost the same, {dollars(best['total_cost_usd'])} over the horizon"
    else:
        text = f"{best['option']} ({best['kind']}) is cheapest at {dollars(best['total_cost_usd'])} over the horizon"
    if rest:
        text += f", {dollars(rest[0]['total_cost_usd'] - best['total_cost_usd'])} less than {rest[0]['option']}"
    if best["kind"] != "api" and best["breakeven_requests_per_day"] is not None:
        # committed API capacity (api-provisioned) has a break-even volume too, but it is bought from the provider
        who = "committed API capacity" if best["kind"] == "api-provisioned" else "self-hosting"
        text += f"; {who} {_pays_from(best)}"
    elif best["kind"] == "api":
        volumes = [r for r in ranked if r["breakeven_requests_per_day"] is not None]
        if volumes:
            r = min(volumes, key=lambda r: r["breakeven_requests_per_day"])
            text += f"; {r['option']} would {_pays_from(r, would=True)}"
    excluded = [r for r in records if r.get("excluded_reason") is not None]
    if excluded:
        text += f" ({len(excluded)} option(s) excluded: {excluded[0]['excluded_reason']})"
    return text + "."


def _pays_from(record: dict, would: bool = False) -> str:
    """`pays from X requests/day`, or, where one more replica puts it above the API again above its break-even, from
    which volume it stays no costlier, and the first volume in brackets. Short: the TUI shows the sentence whole above
    the table at 80 x 24 (tests/tui/test_app.py); the legend of `tco breakeven` and the explanation say why they differ."""
    pay, be = ("pay", "be") if would else ("pays", "is")
    first, stays = record["breakeven_requests_per_day"], record.get("breakeven_stays_requests_per_day", record["breakeven_requests_per_day"])
    if stays == first:
        return f"{pay} from {first:,.0f} requests/day"
    if stays is None:
        return f"{be} no costlier at {first:,.0f} requests/day, but not at every volume above it"
    return f"{pay} from {stays:,.0f} requests/day (first at {first:,.0f})"


def dollars(amount: float) -> str:
    """`$1,234`: rounded to the cent, then to the dollar with halves away from zero, as the workbook's
    TEXT(ROUND(x, cent_decimals), "$#,##0") shows it. Python's own rounding sends a half to the even dollar, and a total
    of exactly $875,817.50 summed as 875,817.4999999999 to the dollar below."""
    return f"${whole_dollars(amount)}"


def whole_dollars(amount: float) -> str:
    """`1,234` rounded as `dollars` rounds it: the tables' totals and the sentence under them show one figure one way
    (a total of $912.50 read 912 in the table, rounded half to even, and $913 in the sentence)."""
    from decimal import ROUND_HALF_UP, Decimal

    to_cent = Decimal(repr(float(amount))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{to_cent.quantize(Decimal(1), ROUND_HALF_UP):,}"
