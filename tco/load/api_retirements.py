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

GENAI_PRICES_NOTE = "genai-prices 0.2.3 price note, in the sheet's `note`"
"""Where the entries below were read: the provider's own words as genai-prices quotes them (BILLING.md calls a
sheet note the best source found where no primary page was read)."""

MISTRAL_MIXTRAL_8X22B = ("Mistral retired open-mixtral-8x22b on 2025-03-30 (\"from launch until its 2025-03-30 retirement\"; "
                         f"web.archive.org copies of mistral.ai/technology; {GENAI_PRICES_NOTE})")
MISTRAL_MEDIUM_2312 = ("Mistral Medium 1 (mistral-medium-2312) \"Retired on 2025-06-16\" (mistralai/platform-docs-public "
                       f"mistral-medium-1-0-23-12.ts @222f4ba9; {GENAI_PRICES_NOTE})")
GEMINI_2_5_FLASH_PREVIEW = ("Vertex AI pricing page: Gemini 2.5 Flash preview (May 20th checkpoint) \"should be retired "
                            f"2025-07-15\" (cloud.google.com/vertex-ai/generative-ai/pricing; {GENAI_PRICES_NOTE})")
COHERE_AYA_EXPANSE_8B = f"Cohere: Aya Expanse 8B \"Retired 2026-04-04\" (docs.cohere.com/docs/models; {GENAI_PRICES_NOTE})"
MOONSHOT_KIMI_K2_5 = ("Moonshot \"discontinued the kimi-k2.5 family on 2026-08-31\" (platform.kimi.ai/docs/models.md, as quoted "
                      f"in the avian sheet's note for moonshotai/kimi-k2.5; {GENAI_PRICES_NOTE})")
GEMINI_2_5_FLASH_IMAGE = ("Gemini API pricing page: \"Gemini 2.5 Flash Image / Nano Banana (DEPRECATED — shut down Oct 2, 2026)\" "
                          f"(ai.google.dev/gemini-api/docs/pricing; {GENAI_PRICES_NOTE})")
DATABRICKS_2026_10_30 = f"Databricks Foundation Model APIs: \"Retires on 2026-10-30.\" ({GENAI_PRICES_NOTE})"

RETIRED_API_MODELS: dict[tuple[str, str], tuple[dt.date, str]] = {
    ("deepseek", "deepseek-chat"): (dt.date(2026, 9, 10), DEEPSEEK_2026_09_10),
    ("deepseek", "deepseek-reasoner"): (dt.date(2026, 9, 10), DEEPSEEK_2026_09_10),
    # the Sonar models whose sheet note says their chat completions ended (sonar-reasoning's says nothing)
    ("perplexity", "sonar"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    ("perplexity", "sonar-pro"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    ("perplexity", "sonar-reasoning-pro"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    ("perplexity", "sonar-deep-research"): (dt.date(2026, 9, 27), PERPLEXITY_SONAR_2026_09_27),
    # retirement days the sheets' own notes state (tests/load/test_plausibility.py scans every note for more)
    ("mistral", "mixtral-8x22b-instruct"): (dt.date(2025, 3, 30), MISTRAL_MIXTRAL_8X22B),
    ("mistral", "mistral-medium-2312"): (dt.date(2025, 6, 16), MISTRAL_MEDIUM_2312),
    ("google", "gemini-2.5-flash-preview"): (dt.date(2025, 7, 15), GEMINI_2_5_FLASH_PREVIEW),
    ("cohere", "c4ai-aya-expanse-8b"): (dt.date(2026, 4, 4), COHERE_AYA_EXPANSE_8B),
    ("moonshotai", "kimi-k2.5"): (dt.date(2026, 8, 31), MOONSHOT_KIMI_K2_5),
    ("google", "gemini-2.5-flash-image"): (dt.date(2026, 10, 2), GEMINI_2_5_FLASH_IMAGE),
    ("databricks", "databricks-deepseek-v4-pro-0813"): (dt.date(2026, 10, 30), DATABRICKS_2026_10_30),
    ("databricks", "databricks-inkling"): (dt.date(2026, 10, 30), DATABRICKS_2026_10_30),
    ("databricks", "databricks-kimi-k2-7-code"): (dt.date(2026, 10, 30), DATABRICKS_2026_10_30),
}
"""(provider id, model id) -> (the first day the model is no longer served, the announcement)."""


def retirement_of(provider_id: str, model_id: str) -> dict[str, object]:
    """`retired_on` and `retirement_source` of a model for its sheet, or nothing."""
    known = RETIRED_API_MODELS.get((provider_id, model_id))
    return {"retired_on": known[0], "retirement_source": known[1]} if known else {}
