"""API models their providers have stopped serving, with the day and the announcement (curated).

Why a hand-made table: genai-prices, which `tco pricing import` converts, keeps a model's last prices
after it is retired and does not say when it went; a re-import rewrites every sheet, so a date edited
into a sheet by hand would be lost. The importer writes these into the sheets (`retired_on`,
`retirement_source`), and a scenario whose months reach the day is warned (tco.load.plausibility).
"""

from __future__ import annotations

import datetime as dt

DEEPSEEK_2026_09_10 = ("DeepSeek API news of 2026-09-10: V4.1 Flash released, deepseek-chat and deepseek-reasoner "
                       "retired (api-docs.deepseek.com/updates; Wei-Shaw/sub2api PR #6097)")

RETIRED_API_MODELS: dict[tuple[str, str], tuple[dt.date, str]] = {
    ("deepseek", "deepseek-chat"): (dt.date(2026, 9, 10), DEEPSEEK_2026_09_10),
    ("deepseek", "deepseek-reasoner"): (dt.date(2026, 9, 10), DEEPSEEK_2026_09_10),
}
"""(provider id, model id) -> (the first day the model is no longer served, the announcement)."""


def retirement_of(provider_id: str, model_id: str) -> dict[str, object]:
    """`retired_on` and `retirement_source` of a model for its sheet, or nothing."""
    known = RETIRED_API_MODELS.get((provider_id, model_id))
    return {"retired_on": known[0], "retirement_source": known[1]} if known else {}
