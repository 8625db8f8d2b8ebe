"""Billing rules genai-prices leaves out of a model, added from ../shared/BILLING.md or the model's own note (curated).

Why a hand-made table: a re-import rewrites every sheet, so a tier or a price edited into a sheet by hand would be
lost. The importer adds these to what genai-prices gives, each with a note saying where it comes from, and stops when
genai-prices gives the field itself: the addition is then stale and must go (a figure is never written twice).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

BEDROCK_OPENAI_LONG_CONTEXT = (
    "BILLING.md 1.1: Bedrock, OpenAI models, > 272K input -> input and cache 2x, output 1.5x, whole request "
    "(docs.aws.amazon.com/bedrock/latest/userguide/model-card-openai-gpt-6-astra.html, sheet note 2026-09); "
    "OpenAI bills gpt-5.4 and gpt-5.5 so directly (pricing/openai.yaml)")
BEDROCK_OPENAI_CACHE_WRITES = "BILLING.md 1.3: Bedrock OpenAI models, cache writes (30-min TTL) 1.25x the input price"
GEMINI_FLASH_BATCH = (
    "the model's own note (Batch tier 50 % off) and BILLING.md 1.2 (Gemini API: Batch 50 %; cached tokens in batch "
    "halved on 3.6-3.8 Flash; ai.google.dev/gemini-api/docs/optimization, seen 2026-12): every price halved, as the "
    "verified batch prices of gemini-3.6-flash and gemini-3.8-flash are")

LONG_CONTEXT_TIERS: dict[tuple[str, str], tuple[int, Decimal, Decimal, str]] = {
    # (provider, model) -> (above input tokens, input and cache ratio, output ratio, source)
    ("aws", "openai.gpt-5.4"): (272_000, Decimal(2), Decimal("1.5"), BEDROCK_OPENAI_LONG_CONTEXT),
    ("aws", "openai.gpt-5.5"): (272_000, Decimal(2), Decimal("1.5"), BEDROCK_OPENAI_LONG_CONTEXT),
}
CACHE_WRITE_RATIOS: dict[tuple[str, str], tuple[Decimal, str]] = {
    # (provider, model) -> cache write price / input price, source
    ("aws", "openai.gpt-5.4"): (Decimal("1.25"), BEDROCK_OPENAI_CACHE_WRITES),
    ("aws", "openai.gpt-5.5"): (Decimal("1.25"), BEDROCK_OPENAI_CACHE_WRITES),
}
GEMINI_35_FLASH_BATCH = (
    "the model's own note (\"Batch and Flex tiers offer 50% discount on input/output\") and BILLING.md 1.2 (Gemini API: "
    "Batch 50 %); input and output only: BILLING.md gives cached tokens in batch halved on 3.6-3.8 Flash, not 3.5, so "
    "batch requests read the cache at the standard cache price")
BATCH_SHARES: dict[tuple[str, str], tuple[Decimal, str, tuple[str, ...] | None]] = {
    # (provider, model) -> batch price / standard price, source, the token prices it applies to (None: every one)
    ("google", "gemini-3.7-flash"): (Decimal("0.5"), GEMINI_FLASH_BATCH, None),
    ("google", "gemini-3.5-flash"): (Decimal("0.5"), GEMINI_35_FLASH_BATCH,
                                     ("input_usd_per_million_tokens", "output_usd_per_million_tokens")),
}

_INPUT_PRICED = ("input_usd_per_million_tokens", "cache_read_usd_per_million_tokens", "cache_write_usd_per_million_tokens",
                 "cache_write_1h_usd_per_million_tokens")
_TOKEN_PRICES = (*_INPUT_PRICED, "output_usd_per_million_tokens")


class StaleAddition(ValueError):
    """genai-prices now gives what the table adds: the table's entry must be removed."""


def add_curated(provider_id: str, model_id: str, prices: list[dict[str, Any]], variants: dict[str, list[dict[str, Any]]],
                note: str | None) -> str | None:
    """Add this model's curated tier, cache write price and batch prices to its imported entries (in place); the
    model's note, with what was added and from where."""
    key, added = (provider_id, model_id), []
    if key in LONG_CONTEXT_TIERS:
        above, input_ratio, output_ratio, source = LONG_CONTEXT_TIERS[key]
        for entry in prices:
            if entry.get("tiers"):
                raise StaleAddition(f"{provider_id}/{model_id}: genai-prices now lists a long-context tier; remove it from "
                                    "tco/load/sheet_additions.py LONG_CONTEXT_TIERS")
            tier = {"above_input_tokens": above}
            tier |= {f: entry[f] * input_ratio for f in _INPUT_PRICED if entry.get(f) is not None}
            if entry.get("output_usd_per_million_tokens") is not None:
                tier["output_usd_per_million_tokens"] = entry["output_usd_per_million_tokens"] * output_ratio
            entry["tiers"] = [tier]
        added.append(f"the long-context tier above {above:,} input tokens ({input_ratio:g}x input and cache, "
                     f"{output_ratio:g}x output) from {source}")
    if key in CACHE_WRITE_RATIOS:
        ratio, source = CACHE_WRITE_RATIOS[key]
        for entry in prices:
            if entry.get("cache_write_usd_per_million_tokens") is not None:
                raise StaleAddition(f"{provider_id}/{model_id}: genai-prices now lists a cache write price; remove it from "
                                    "tco/load/sheet_additions.py CACHE_WRITE_RATIOS")
            if entry.get("input_usd_per_million_tokens") is not None:
                entry["cache_write_usd_per_million_tokens"] = entry["input_usd_per_million_tokens"] * ratio
                for tier in entry.get("tiers") or ():
                    if tier.get("input_usd_per_million_tokens") is not None:
                        tier["cache_write_usd_per_million_tokens"] = tier["input_usd_per_million_tokens"] * ratio
        added.append(f"cache writes at {ratio:g}x the input price from {source}")
    if key in BATCH_SHARES:
        share, source, priced = BATCH_SHARES[key]
        if "batch" in variants:
            raise StaleAddition(f"{provider_id}/{model_id}: genai-prices now lists batch prices; remove it from "
                                "tco/load/sheet_additions.py BATCH_SHARES")
        variants["batch"] = [{"effective_from": entry.get("effective_from"),
                              **{f: entry[f] * share for f in priced or _TOKEN_PRICES if entry.get(f) is not None}}
                             for entry in prices]
        which = "every standard price" if priced is None else "the standard " + " and ".join(f.split("_usd")[0] for f in priced) + " prices"
        added.append(f"batch prices at {share:g}x {which} from {source}")
    if not added:
        return note
    said = "Added by llm-tco (tco/load/sheet_additions.py): " + "; ".join(added) + "."
    return f"{note} {said}" if note else said
