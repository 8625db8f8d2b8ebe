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

PERPLEXITY_SONAR_2026_09_27 = ("Perplexity: Sonar Chat Completions support ended on 2026-09-27, rates no longer published "
                              "(docs.perplexity.ai/docs/agent-api/migrate-from-sonar/overview, as quoted in the sheet's "
                              "note checked 2026-10-19; BILLING.md 1.5)")

RETIRED_API_MODELS: dict[tuple[str, str], tuple[dt.date, str]] = {
    ("deepseek", "deepseek-chat"): (dt.date(2026, 9, 10), DEEPSEEK_2026_09_10),
    ("deepseek", "deepseek-reasoner"): (dt.date(2026, 9, 10), DEEPSEEK_2026_09_10),
    # the Sonar models whose sheet note says their chat completions ended (sonar-reasoning's says nothing)
    ("perplexity", "sonar"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    ("perplexity", "sonar-pro"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    ("perplexity", "sonar-reasoning-pro"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    ("perplexity", "sonar-deep-research"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
}
"""(provider id, model id) -> (the first day the model is no longer served, the announcement)."""


def retirement_of(provider_id: str, model_id: str) -> dict[str, object]:
    """`retired_on` and `retirement_source` of a model for its sheet, or nothing."""
    known = RETIRED_API_MODELS.get((provider_id, model_id))
    return {"retired_on": known[0], "retirement_source": known[1]} if known else {}
