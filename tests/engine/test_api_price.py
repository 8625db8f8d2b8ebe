"""The API price resolver: hand-computed cases, then genai-prices' own calculator as an independent oracle."""

from __future__ import annotations

import datetime as dt
import random
import warnings
from decimal import Decimal

import pytest

from tco.engine.api_price import find_api_model, resolve_api_price
from tco.model.pricing import ApiProvider

SHEET = {
    "schema_version": 1, "id": "acme", "name": "Acme", "source": "https://acme.example/pricing", "as_of": "2026-01-02",
    "models": [
        {"id": "big-model", "aliases": ["big-model-2025-01"], "prices": [
            {"input_usd_per_million_tokens": 1, "output_usd_per_million_tokens": 2, "cache_read_usd_per_million_tokens": 0.1,
             "tiers": [{"above_input_tokens": 200_000, "input_usd_per_million_tokens": 2, "output_usd_per_million_tokens": 4}]},
            {"effective_from": dt.date(2025, 6, 1), "input_usd_per_million_tokens": 0.5, "output_usd_per_million_tokens": 1,
             "source": "https://acme.example/blog/price-cut", "as_of": "2025-06-01"},
        ], "variants": {
            "batch": [{"input_usd_per_million_tokens": 0.25}],
            "flex": [{"input_usd_per_million_tokens": 0.4, "output_usd_per_million_tokens": 0.8}],
        }},
        {"id": "image-model", "prices": [{"effective_from": dt.date(2025, 1, 1), "output_usd_per_million_tokens": 30}]},
        {"id": "late-model", "prices": [{"effective_from": dt.date(2025, 3, 1), "input_usd_per_million_tokens": 3,
                                          "output_usd_per_million_tokens": 9}]},
    ],
}


@pytest.fixture(scope="module")
def acme() -> ApiProvider:
    return ApiProvider.model_validate(SHEET)


def test_the_first_entry_is_in_force_until_the_dated_change(acme):
    before = resolve_api_price(acme, "big-model", dt.date(2025, 5, 31), 1_000)
    assert (before.input_usd_per_million_tokens, before.output_usd_per_million_tokens) == (1.0, 2.0)
    assert before.cache_read_usd_per_million_tokens == 0.1
    assert before.effective_from is None and before.source == "https://acme.example/pricing" and before.as_of == "2026-01-02"
    after = resolve_api_price(acme, "big-model", dt.date(2025, 6, 1), 1_000)
    assert (after.input_usd_per_million_tokens, after.output_usd_per_million_tokens) == (0.5, 1.0)
    assert after.cache_read_usd_per_million_tokens is None  # the new entry does not list it: unknown, not 0
    assert after.effective_from == "2025-06-01" and after.source == "https://acme.example/blog/price-cut"


def test_a_call_above_the_threshold_pays_the_tier_rate_on_everything(acme):
    at = resolve_api_price(acme, "big-model", dt.date(2025, 1, 1), 200_000)
    assert at.input_usd_per_million_tokens == 1.0 and at.tier_note is None and at.long_context_above_input_tokens is None
    above = resolve_api_price(acme, "big-model", dt.date(2025, 1, 1), 200_001)
    # base prices stay the base ones; the tier comes back as a threshold and ratios ($2 / $1, $4 / $2)
    assert (above.input_usd_per_million_tokens, above.output_usd_per_million_tokens) == (1.0, 2.0)
    assert above.long_context_above_input_tokens == 200_000
    assert (above.long_context_input_ratio, above.long_context_output_ratio) == (2.0, 2.0)
    assert above.cache_read_usd_per_million_tokens == 0.1
    assert "200,000" in above.tier_note and "cliff" in above.tier_note


def test_batch_prices_fall_back_to_standard_for_fields_the_variant_omits(acme):
    r = resolve_api_price(acme, "big-model", dt.date(2025, 1, 1), 1_000)
    assert r.batch_input_usd_per_million_tokens == 0.25
    assert r.batch_output_usd_per_million_tokens == 2.0
    assert resolve_api_price(acme, "late-model", dt.date(2025, 4, 1), 1).batch_input_usd_per_million_tokens is None


def test_a_service_tier_replaces_the_standard_prices(acme):
    r = resolve_api_price(acme, "big-model", dt.date(2025, 1, 1), 1_000, service_tier="flex")
    assert (r.input_usd_per_million_tokens, r.output_usd_per_million_tokens) == (0.4, 0.8)
    assert r.cache_read_usd_per_million_tokens == 0.1
    with pytest.raises(ValueError, match="no service tier `flx`.*did you mean `flex`"):
        resolve_api_price(acme, "big-model", dt.date(2025, 1, 1), 1_000, service_tier="flx")


def test_models_are_found_by_id_or_alias_in_any_case(acme):
    assert find_api_model(acme, "BIG-MODEL").id == "big-model"
    assert find_api_model(acme, "big-model-2025-01").id == "big-model"
    assert find_api_model(acme, "small-model") is None


def test_an_unknown_model_suggests_the_closest_id(acme):
    with pytest.raises(ValueError, match="no model `big-modle`.*did you mean `big-model`"):
        resolve_api_price(acme, "big-modle", dt.date(2025, 1, 1), 1)


def test_a_model_without_a_per_token_input_price_is_refused(acme):
    with pytest.raises(ValueError, match="no per-token input price"):
        resolve_api_price(acme, "image-model", dt.date(2025, 2, 1), 1)


def test_a_date_before_the_first_known_price_uses_the_earliest_price(acme):
    r = resolve_api_price(acme, "late-model", dt.date(2024, 1, 1), 1)
    assert r.input_usd_per_million_tokens == 3.0 and r.effective_from == "2025-03-01"


# --- genai-prices as an independent oracle ------------------------------------------------------

genai_prices = pytest.importorskip("genai_prices")


@pytest.fixture(scope="module")
def bundled(bundled_price_sheets):
    return bundled_price_sheets


def _oracle_usd(provider_id, model_id, on, input_tokens, cache_read, cache_write, output, context=None):
    """calc_price's input + output amount, or None when its model matching picks a different model."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = genai_prices.calc_price(
                genai_prices.Usage(input_tokens=input_tokens, cache_read_tokens=cache_read, cache_write_tokens=cache_write, output_tokens=output),
                model_id, provider_id=provider_id, price_context=context,
                genai_request_timestamp=dt.datetime(on.year, on.month, on.day, 12, tzinfo=dt.timezone.utc))
        except LookupError:  # its match rules do not accept this id as written
            return None
    if result.model.id != model_id:
        return None
    return float(result.input_price + result.output_price)


def _our_usd(r, input_tokens, cache_read, cache_write, output, batch=False):
    """One call: tokens x resolved prices; unlisted cache prices bill as plain input (cache tokens are part of the input).

    A call above the long-context threshold pays the tier: its input ratio on input and cache, its
    output ratio on output (the whole call, genai-prices' "cliff" rule)."""
    long = r.long_context_above_input_tokens is not None and input_tokens > r.long_context_above_input_tokens
    in_ratio, out_ratio = (r.long_context_input_ratio, r.long_context_output_ratio) if long else (1.0, 1.0)
    inp = r.batch_input_usd_per_million_tokens if batch else r.input_usd_per_million_tokens
    out = r.batch_output_usd_per_million_tokens if batch else r.output_usd_per_million_tokens
    read = r.cache_read_usd_per_million_tokens if r.cache_read_usd_per_million_tokens is not None else inp
    write = r.cache_write_usd_per_million_tokens if r.cache_write_usd_per_million_tokens is not None else inp
    return ((input_tokens - cache_read - cache_write) * inp + cache_read * read + cache_write * write) * in_ratio / 1e6 \
        + output * out * out_ratio / 1e6


def _check(provider, model_id, on, input_tokens, service_tier=None, context=None):
    cache_read, cache_write, output = input_tokens // 4, input_tokens // 10, 1_234
    expected = _oracle_usd(provider.id, model_id, on, input_tokens, cache_read, cache_write, output, context)
    if expected is None:
        return False
    resolved = resolve_api_price(provider, model_id, on, input_tokens, service_tier=service_tier)
    assert _our_usd(resolved, input_tokens, cache_read, cache_write, output) == pytest.approx(expected, rel=1e-9, abs=1e-15), \
        (provider.id, model_id, on, input_tokens, service_tier)
    return True


def test_fifty_random_models_cost_what_genai_prices_computes(bundled):
    pairs = [(p, m.id) for p in bundled.values() for m in p.models
             if m.prices[-1].input_usd_per_million_tokens is not None and m.prices[-1].output_usd_per_million_tokens is not None]
    rng = random.Random(20261127)
    rng.shuffle(pairs)
    checked = set()
    for provider, model_id in pairs:
        if len(checked) == 50:
            break
        tokens = rng.choice([800, 40_000, 250_000, 1_500_000])
        if _check(provider, model_id, dt.date(2026, 11, 27), tokens):
            checked.add(provider.id + "/" + model_id)
    assert len(checked) == 50
    assert len({c.split("/")[0] for c in checked}) >= 15  # spread across providers


@pytest.mark.parametrize("on", [dt.date(2026, 3, 12), dt.date(2026, 3, 13)])
@pytest.mark.parametrize("tokens", [150_000, 250_000])
def test_a_tiered_model_with_a_dated_change_matches_genai_prices(bundled, on, tokens):
    anthropic = bundled["anthropic"]
    model = find_api_model(anthropic, "claude-opus-4-6")
    assert model.prices[0].tiers and model.prices[1].effective_from == dt.date(2026, 3, 13)
    assert _check(anthropic, "claude-opus-4-6", on, tokens)


def test_the_dated_change_really_changes_the_price(bundled):
    anthropic = bundled["anthropic"]
    before = resolve_api_price(anthropic, "claude-opus-4-6", dt.date(2026, 3, 12), 250_000)
    after = resolve_api_price(anthropic, "claude-opus-4-6", dt.date(2026, 3, 13), 250_000)
    assert _our_usd(before, 250_000, 0, 0, 1_000) != _our_usd(after, 250_000, 0, 0, 1_000)
    assert before.tier_note is not None and after.tier_note is None


@pytest.mark.parametrize("tier", ["flex", "priority"])
def test_service_tiers_match_genai_prices(bundled, tier):
    """Except a priority call above 272K input tokens: priority "excludes long context" (BILLING.md 1.1), so it is
    billed at the standard long-context rates, where genai-prices applies the priority tier it lists."""
    openai = bundled["openai"]
    assert _check(openai, "gpt-5.6-luna", dt.date(2026, 11, 27), 10_000, service_tier=tier, context={"service_tier": tier})
    long_billed_as = {} if tier == "priority" else {"service_tier": tier}
    assert _check(openai, "gpt-5.6-luna", dt.date(2026, 11, 27), 300_000, service_tier=tier, context=long_billed_as)


@pytest.mark.parametrize("tier,ratios_to_standard", [("flex", (0.5, 0.5)), ("priority", (2.0, 1.0))])
def test_a_service_tier_before_its_recorded_date_keeps_its_ratio_to_standard(bundled, tier, ratios_to_standard):
    """A deliberate departure from genai-prices, which bills standard before a variant's first date.

    The sheet's note: flex/priority rates "verified on 2026-10-12" (the day checked, not launched), and
    OpenAI cut gpt-5.6-luna 80 % on 2026-07-30. On 2026-07-29 standard is $1 in / $6 out; the tier,
    recorded at 0.5x (flex $0.10 vs $0.20) or 2x (priority $0.40 vs $0.20) of the cut standard, keeps
    that ratio: flex $0.50 / $3, priority $2 / $12 - the same rule as price_in_force (the earliest
    recorded price stands for earlier months), not the standard price nor the post-cut tier price. A priority call
    above 272K input tokens is billed as standard long context (priority "excludes long context", BILLING.md 1.1).
    """
    openai = bundled["openai"]
    on = dt.date(2026, 7, 29)
    for tokens, ratio_to_standard in zip((10_000, 300_000), ratios_to_standard):
        standard = _oracle_usd("openai", "gpt-5.6-luna", on, tokens, tokens // 4, tokens // 10, 1_234)
        resolved = resolve_api_price(openai, "gpt-5.6-luna", on, tokens, service_tier=tier)
        assert _our_usd(resolved, tokens, tokens // 4, tokens // 10, 1_234) == pytest.approx(standard * ratio_to_standard, rel=1e-9)
        assert any("first recorded price is dated 2026-10-12" in n for n in resolved.notes)


@pytest.mark.parametrize("provider_id,model_id", [("anthropic", "claude-opus-4-6"), ("google", "gemini-2.5-pro"), ("openai", "gpt-5")])
def test_batch_prices_match_genai_prices(bundled, provider_id, model_id):
    provider = bundled[provider_id]
    on = dt.date(2026, 11, 27)
    for tokens in (10_000, 300_000):
        resolved = resolve_api_price(provider, model_id, on, tokens)
        assert resolved.batch_input_usd_per_million_tokens is not None
        # no cache tokens here: the batch fields of ResolvedApiPrice are input and output only
        expected = _oracle_usd(provider_id, model_id, on, tokens, 0, 0, 1_234, {"processing": "batch"})
        assert expected is not None
        assert _our_usd(resolved, tokens, 0, 0, 1_234, batch=True) == pytest.approx(expected, rel=1e-9)


def test_deepseek_daytime_prices_are_the_standard_ones(bundled):
    """genai-prices has time-of-day prices; at 12:00 UTC the standard entry must be the one in force."""
    deepseek = bundled["deepseek"]
    assert _check(deepseek, "deepseek-chat", dt.date(2026, 11, 27), 5_000)
    assert "utc-1630-0030" in find_api_model(deepseek, "deepseek-chat").variants


def test_prices_stay_exact_decimals_in_the_sheet(bundled):
    entry = find_api_model(bundled["anthropic"], "claude-opus-4-6").prices[0]
    assert isinstance(entry.input_usd_per_million_tokens, Decimal)
