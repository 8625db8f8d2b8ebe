"""Dated prices of the time-of-day windows genai-prices records without a date (curated).

Why a hand-made table: in genai-prices a conditional price is a union, so one entry cannot carry both a start date
and a daily window (pydantic/genai-prices issue #582); its peak prices then hold on every date, and a backtest paid
the latest peak price in months before it existed. A re-import rewrites every sheet, so dates edited into a sheet by
hand would be lost: the importer writes these entries in place of the undated window, and stops if the table's last
entry is no longer the price genai-prices gives (the table would be stale).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEEPSEEK_V4 = ("api-docs.deepseek.com/quick_start/pricing as quoted in NousResearch/hermes-agent PR #90308 (2026-08-19) "
               "and ccusage/ccusage issue #1643 (BILLING.md 1.4): flat before 2026-08-16 16:00 UTC (the sheet's off-peak "
               "prices from 2026-08-17), then peak double the off-peak price on every billing item")
DEEPSEEK_WEEKDAYS = ("DeepSeek's notice of 2026-08-23 (email quoted in MeteorNOX/DeepSeek-Balance-Whale-Widget issue #35; English "
                     "page quoted in nesquikm/mcp-rubber-duck PR #148, 2026-09-07; BILLING.md 1.4): from 2026-08-23 00:00 Beijing "
                     "time, Saturdays and Sundays are off-peak all day, the peak window holds Monday to Friday only (35 of 168 "
                     "hours a week); Chinese public holidays are off-peak too (not modelled: an upper bound on those days)")
DEEPSEEK_V4_1_FLASH = ("api-docs.deepseek.com/updates, 2026-09-10 (BILLING.md 1.4): V4.1 Flash, which `deepseek-v4-flash` "
                       "is routed to, peak $0.30 in / $1.20 out / $0.006 cache hit")

PEAK = "utc-0100-0400+0600-1000"

WINDOW_HISTORY: dict[tuple[str, str, str], tuple[tuple[dt.date | None, str, str, str, str, bool], ...]] = {
    # (provider, model, window) -> (effective_from, input, output, cache read USD per million tokens, source,
    # weekdays only), oldest first
    ("deepseek", "deepseek-v4-flash", PEAK): (
        (None, "0.14", "0.28", "0.0028", DEEPSEEK_V4, False),  # no peak price yet: the flat price all day
        (dt.date(2026, 8, 17), "0.44", "1.32", "0.014", DEEPSEEK_V4, False),
        (dt.date(2026, 8, 23), "0.44", "1.32", "0.014", DEEPSEEK_WEEKDAYS, True),
        (dt.date(2026, 9, 10), "0.3", "1.2", "0.006", f"{DEEPSEEK_V4_1_FLASH}; weekdays only: {DEEPSEEK_WEEKDAYS}", True),
    ),
    ("deepseek", "deepseek-flash", PEAK): (  # V4.1 Flash, released 2026-09-10: weekdays only from its start
        (None, "0.3", "1.2", "0.006", f"{DEEPSEEK_V4_1_FLASH}; weekdays only: {DEEPSEEK_WEEKDAYS}", True),
    ),
    ("deepseek", "deepseek-v4-pro", PEAK): (
        (None, "0.435", "0.87", "0.003625", DEEPSEEK_V4, False),
        (dt.date(2026, 8, 17), "1.32", "3.96", "0.044", DEEPSEEK_V4, False),
        (dt.date(2026, 8, 23), "1.32", "3.96", "0.044", DEEPSEEK_WEEKDAYS, True),
    ),
}

HISTORY_NOTE = ("The peak window's prices are dated here from a curated history (tco/load/time_of_day_history.py, "
                "BILLING.md 1.4), so a month before a peak price existed pays the price then in force; an entry marked "
                "weekdays_only holds Monday to Friday only, so weekends pay the off-peak price (no longer an upper bound).")


def window_history(provider_id: str, model_id: str, window: str, current: dict) -> list[dict] | None:
    """The dated entries of a model's time-of-day window for its sheet, or None where the table has none.

    `current`: the window's entry as genai-prices gives it today; a table whose last entry differs is stale."""
    history = WINDOW_HISTORY.get((provider_id, model_id, window))
    if history is None:
        return None
    fields = ("input_usd_per_million_tokens", "output_usd_per_million_tokens", "cache_read_usd_per_million_tokens")
    entries = [{"effective_from": start, **{f: Decimal(v) for f, v in zip(fields, values)}, "source": source, "tiers": [],
                **({"weekdays_only": True} if weekdays else {})}
               for start, *values, source, weekdays in history]
    if any(Decimal(str(current.get(f))) != entries[-1][f] for f in fields):
        raise ValueError(f"{provider_id}/{model_id} window {window}: genai-prices now gives "
                         f"{', '.join(f'{f} {current.get(f)}' for f in fields)}; tco/load/time_of_day_history.py's last "
                         "entry is stale: add the new price with its date and source")
    return entries
