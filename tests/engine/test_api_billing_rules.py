"""API billing rules (issue 15, items 1-6), each worked by hand from the provider's billing page.

Every expected figure below is written out from the prices in the bundled sheets (genai-prices
0.2.3, imported 2026-11-27) and the rule on the billing page cited in the test, never by calling
the engine's formulas. genai-prices' own calculator is a second, independent check where it
models the same thing (one request at a time). The runs go through `tco run --format json`, so
the notes users read are checked too.

A month is 365 / 12 days (tco.units.DAYS_PER_MONTH).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
import warnings

import pytest

from tco.cli import main

DAYS_PER_MONTH = 365 / 12


def run_json(tmp_path, capsys, workload: str, options: str, finance: str = "horizon_months: 1\n  start_date: 2026-12-01"):
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        scenarios:
          - id: rules
            workload:
        {workload}
            finance:
              {finance}
            options:
        {options}
        """).format(workload=textwrap.indent(textwrap.dedent(workload), " " * 6),
                    options=textwrap.indent(textwrap.dedent(options), " " * 6),
                    finance=finance.replace("\n  ", "\n      ")), encoding="utf-8")
    code = main(["run", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return {r["option"]: r for r in json.loads(captured.out)}


def genai_usd(model: str, provider: str, **usage) -> float:
    """genai-prices' total for ONE request, priced on 2026-12-01 at 12:00 UTC."""
    import genai_prices

    context = usage.pop("price_context", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = genai_prices.calc_price(genai_prices.Usage(**usage), model, provider_id=provider, price_context=context,
                                         genai_request_timestamp=dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc))
    return float(result.total_price)


def test_a_long_context_tier_is_paid_only_by_the_calls_of_the_loop_that_cross_it(tmp_path, capsys):
    """Gemini 2.5 Pro: prompts <= 200k tokens $1.25 in / $10 out, > 200k $2.50 / $15, the whole request at the
    tier rate (ai.google.dev/gemini-api/docs/pricing, BILLING.md 1.1). An agent loop of 4 calls sends
    150k, 180k, 210k and 240k input tokens (150k + 30k added per call): each call is its own request, so
    only the last two pay the tier."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1
        input_tokens: 150000
        context_growth_per_call_tokens: 30000
        llm_calls_per_request: 4
        output_tokens: 1000
        """, """\
        - {kind: api, id: gemini, provider: google, model: gemini-2.5-pro}
        """)
    per_request = ((150_000 + 180_000) * 1.25 + (210_000 + 240_000) * 2.50   # input: two base calls, two tier calls
                   + 2 * 1_000 * 10 + 2 * 1_000 * 15) / 1e6                     # output: same split
    assert per_request == pytest.approx(1.5875)
    got = results["gemini"]
    assert got["total_cost_usd"] == pytest.approx(per_request * DAYS_PER_MONTH, rel=1e-12)
    # the old rule (the whole loop at the tier because its largest call crosses it) would say 2.31 a request
    assert got["total_cost_usd"] < 2.31 * DAYS_PER_MONTH * 0.7
    oracle = sum(genai_usd("gemini-2.5-pro", "google", input_tokens=tokens, output_tokens=1_000)
                 for tokens in (150_000, 180_000, 210_000, 240_000))
    assert got["total_cost_usd"] == pytest.approx(oracle * DAYS_PER_MONTH, rel=1e-9)
    assert "long-context tier per call" in got["notes"] and "200,000" in got["notes"]


def test_batch_requests_pay_batch_cache_prices_where_the_provider_stacks_the_discounts(tmp_path, capsys):
    """Anthropic: the Batch API is 50 % off input, output, cache writes and cache reads alike
    (platform.claude.com/docs/en/build-with-claude/batch-processing#pricing, BILLING.md 1.2); Opus 4.6
    lists $5 in, $0.50 cache read, $6.25 cache write, $25 out, batch $2.50 / $0.25 / $3.125 / $12.50.
    A request: 10,000 input tokens (60 % read from the cache, 20 % written), 1,000 out; half go by batch."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1
        input_tokens: 10000
        cacheable_prefix_share: 0.6
        cache_write_share: 0.2
        output_tokens: 1000
        batch_eligible_share: 0.5
        """, """\
        - {kind: api, id: opus, provider: anthropic, model: claude-opus-4-6}
        """)
    standard = (2_000 * 5 + 6_000 * 0.5 + 2_000 * 6.25 + 1_000 * 25) / 1e6
    batch = (2_000 * 2.5 + 6_000 * 0.25 + 2_000 * 3.125 + 1_000 * 12.5) / 1e6
    assert (standard, batch) == (pytest.approx(0.0505), pytest.approx(0.02525))
    got = results["opus"]
    assert got["total_cost_usd"] == pytest.approx((standard + batch) / 2 * DAYS_PER_MONTH, rel=1e-12)
    usage = dict(input_tokens=10_000, cache_read_tokens=6_000, cache_write_tokens=2_000, output_tokens=1_000)
    assert batch == pytest.approx(genai_usd("claude-opus-4-6", "anthropic", **usage, price_context={"processing": "batch"}))
    assert "batch variant's cache prices" in got["notes"]


def test_where_the_batch_sheet_has_no_cache_price_batch_requests_read_the_cache_at_the_standard_price(tmp_path, capsys):
    """Gemini 2.5 Pro: batch $0.625 in / $5 out, and cached tokens in batch "Same as Standard" ($0.125)
    (ai.google.dev pricing page, Batch tab; BILLING.md 1.2). The sheet lists no batch cache price: the
    fallback rule charges the standard cache read price, and the notes say so."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1
        input_tokens: 10000
        cacheable_prefix_share: 0.6
        output_tokens: 1000
        batch_eligible_share: 0.5
        """, """\
        - {kind: api, id: gemini, provider: google, model: gemini-2.5-pro}
        """)
    standard = (4_000 * 1.25 + 6_000 * 0.125 + 1_000 * 10) / 1e6
    batch = (4_000 * 0.625 + 6_000 * 0.125 + 1_000 * 5) / 1e6
    got = results["gemini"]
    assert got["total_cost_usd"] == pytest.approx((standard + batch) / 2 * DAYS_PER_MONTH, rel=1e-12)
    assert "fallback rule" in got["notes"] and "standard cache read price" in got["notes"]


LONG_LOOP_WITH_CACHE_WRITES = """\
    requests_per_day: 1000
    input_tokens: 200000
    context_growth_per_call_tokens: 20000
    llm_calls_per_request: 6
    cacheable_prefix_share: 0.5
    cache_write_share: 0.1
    output_tokens: 1000
    reasoning_tokens: 2000
    batch_eligible_share: 0.5
    """
"""The audit's scenario (issue: batch cache writes with no write price): a 6-call loop of 200k + 20k a call."""

NO_DISCOUNT_FINANCE = ("horizon_months: 1\n  start_date: 2026-12-01\n  discount_rate_per_year: 0.0\n"
                       "  api_price_decline_per_year: 0.0")

GPT_4_1_CACHE_WRITES_USD = (1000 * DAYS_PER_MONTH                      # requests in the month
                            * sum(200_000 + 20_000 * k for k in range(6))  # input tokens a request: 1,500,000
                            * 0.1                                          # written to the cache: 150,000
                            * (0.5 * 2 + 0.5 * 1) / 1e6)                   # half standard at $2, half batch at $1
"""gpt-4.1 (pricing/openai.yaml): $2 input, batch $1 input (from 2026-10-14), no cache write price in either.
Before GPT-5.6 OpenAI charges no write fee (BILLING.md 1.3), so a written token is plain input at the
price its request pays: $2 standard, $1 in batch (50 % off, BILLING.md 1.2). 1000 x 365/12 x 150,000 x $1.50/M."""


def test_with_no_cache_write_price_a_batch_request_pays_the_batch_input_price_for_what_it_writes(tmp_path, capsys):
    """OpenAI before GPT-5.6: "no write fee" (developers.openai.com/api/docs/guides/prompt-caching, BILLING.md 1.3),
    so a token written to the cache is billed as input, at the input price of its request: batch requests at the
    batch input price (50 % off, BILLING.md 1.2), not the standard one. gpt-5.4's last two calls (280k, 300k input)
    cross its 272k tier and pay 2x input there (BILLING.md 1.1), in batch too ($2.50 = 2 x $1.25 on the sheet)."""
    results = run_json(tmp_path, capsys, LONG_LOOP_WITH_CACHE_WRITES, """\
        - {kind: api, id: gpt41, provider: openai, model: gpt-4.1}
        - {kind: api, id: gpt54, provider: openai, model: gpt-5.4}
        """, NO_DISCOUNT_FINANCE)
    assert GPT_4_1_CACHE_WRITES_USD == pytest.approx(6_843.75)
    got = results["gpt41"]
    assert got["breakdown_usd"]["api_cache_write_usd"] == pytest.approx(GPT_4_1_CACHE_WRITES_USD, rel=1e-12)
    # the bug charged batch writes the standard $2: 1000 x 365/12 x 150,000 x $2/M = 9,125
    assert got["breakdown_usd"]["api_cache_write_usd"] < 9_125 - 2_000
    # genai-prices bills a written token with no write price as input, at the request's (batch) input price
    for context, usd_per_million in ((None, 2), ({"processing": "batch"}, 1)):
        assert genai_usd("gpt-4.1", "openai", input_tokens=1_000_000, cache_write_tokens=100_000,
                         price_context=context) == pytest.approx(usd_per_million)

    # gpt-5.4: $2.50 / batch $1.25 input; calls 280k and 300k of the 1,500,000 input tokens pay the 2x tier
    written_at_tier, written_at_base = 0.1 * (280_000 + 300_000), 0.1 * (1_500_000 - 280_000 - 300_000)
    per_request = (0.5 * (written_at_base * 2.5 + written_at_tier * 5)
                   + 0.5 * (written_at_base * 1.25 + written_at_tier * 2.5)) / 1e6
    assert per_request * 1000 * DAYS_PER_MONTH == pytest.approx(11_862.5)
    assert results["gpt54"]["breakdown_usd"]["api_cache_write_usd"] == pytest.approx(per_request * 1000 * DAYS_PER_MONTH,
                                                                                      rel=1e-12)
    # the notes say what is charged, and nothing else
    for option in ("gpt41", "gpt54"):
        notes = results[option]["notes"]
        assert "billed as batch input, at the batch input price" in notes
        assert "standard cache write price" not in notes and "cache prices" not in notes
    assert "batch variant's cache read price" in results["gpt54"]["notes"]


def test_the_workbook_charges_batch_cache_writes_at_the_batch_input_price_too(tmp_path):
    """The exported workbook, recomputed by LibreOffice from its own formulas (what finance may open it in),
    shows the hand figure for gpt-4.1's cache writes (GPT_4_1_CACHE_WRITES_USD)."""
    import sys
    from pathlib import Path

    from tco.export.excel import export_workbook
    from tco.run import run_scenarios

    sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
    from workbook_reader import (HAS_LIBREOFFICE, LIBREOFFICE_MISSING, calc_layout, rows_past_the_longest_horizon,
                                 values_by_libreoffice)

    if not HAS_LIBREOFFICE:
        pytest.skip(LIBREOFFICE_MISSING)

    path = tmp_path / "writes.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        scenarios:
          - id: writes
            workload:
        {workload}
            finance: {{horizon_months: 1, start_date: 2026-12-01, discount_rate_per_year: 0.0, api_price_decline_per_year: 0.0}}
            options:
              - {{kind: api, id: gpt41, provider: openai, model: gpt-4.1}}
        """).format(workload=textwrap.indent(textwrap.dedent(LONG_LOOP_WITH_CACHE_WRITES), " " * 6)), encoding="utf-8")
    run = run_scenarios([path], today=dt.date(2026, 11, 27))
    exported = export_workbook(run, tmp_path / "writes.xlsx", month_rows=rows_past_the_longest_horizon(run))
    values = values_by_libreoffice(exported, tmp_path)
    layout = calc_layout(exported, "Calc writes")
    sheet = layout.sheet.upper()
    # blended write price: (1 - 0.5) x $2 + 0.5 x $1 = $1.50 per million
    assert values[(sheet, layout.results[("gpt41", "blended_cache_write_usd_per_million_tokens")])] == pytest.approx(1.5)
    assert values[(sheet, layout.results[("gpt41", "total_api_cache_write_usd")])] == pytest.approx(
        GPT_4_1_CACHE_WRITES_USD, rel=1e-9)


PROFILE_9_12_19 = "[" + ", ".join("1" if h in (9, 12, 19) else "0" for h in range(24)) + "]"
"""Traffic in three local hours only, one third each."""


@pytest.mark.parametrize("timezone,offpeak_share", [
    # New York on 2026-12-01 is UTC-5: local 09 = 14 UTC (peak), 12 = 17 UTC (off-peak), 19 = 00 UTC
    # (00:00-00:30 off-peak, 00:30-01:00 peak: half)
    ("America/New_York", (0 + 1 + 0.5) / 3),
    # the same hours in UTC: 09 and 12 peak, 19 off-peak
    ("UTC", (0 + 0 + 1) / 3),
])
def test_time_of_day_prices_are_charged_hour_by_hour_along_the_profile_in_its_time_zone(tmp_path, capsys, timezone, offpeak_share):
    """DeepSeek V3 (deepseek-chat): off-peak UTC 16:30-00:30 at -50 % (faxianai.com/news/7934.html,
    BILLING.md 1.4): $0.27 in / $1.10 out at peak, $0.135 / $0.55 off-peak."""
    results = run_json(tmp_path, capsys, f"""\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        hourly_profile: {PROFILE_9_12_19}
        timezone: {timezone}
        """, """\
        - {kind: api, id: deepseek, provider: deepseek, model: deepseek-chat}
        """)
    peak = (1_000 * 0.27 + 100 * 1.10) / 1e6
    off_peak = (1_000 * 0.135 + 100 * 0.55) / 1e6
    per_request = (1 - offpeak_share) * peak + offpeak_share * off_peak
    got = results["deepseek"]
    assert got["total_cost_usd"] == pytest.approx(per_request * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert "time of day" in got["notes"] and timezone in got["notes"]


def test_a_flat_day_pays_the_time_of_day_price_for_the_window_share_of_the_day(tmp_path, capsys):
    """No hourly profile: 8 of 24 hours (16:30-00:30 UTC) at the off-peak price."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        """, """\
        - {kind: api, id: deepseek, provider: deepseek, model: deepseek-chat}
        """)
    per_request = 16 / 24 * (1_000 * 0.27 + 100 * 1.10) / 1e6 + 8 / 24 * (1_000 * 0.135 + 100 * 0.55) / 1e6
    assert results["deepseek"]["total_cost_usd"] == pytest.approx(per_request * 1000 * DAYS_PER_MONTH, rel=1e-12)


def test_prices_follow_the_recorded_history_month_by_month_and_the_decline_starts_after_the_sheets_date(tmp_path, capsys):
    """Mistral Large 4 in the bundled sheet: $0.68 in / $2.09 out, $1.36 / $4.18 from 2026-10-20, $0.70 / $2.10
    from 2026-10-29 (docs.mistral.ai pricing via genai-prices). A request pays the price in force on its day: October
    19 days at 0.68 / 2.09, 9 at 1.36 / 4.18 and 3 at 0.70 / 2.10 (a month used to pay the price of its first day, so
    October paid 0.68 / 2.09 throughout and the nine dearer days were lost), November onwards 0.70 / 2.10.
    The sheet was read on 2026-11-27: October and November are known months; the expected decline
    (20 % a year) counts from the first month after them, so December pays 0.8^0 and January 0.8^(1/12)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        """, """\
        - {kind: api, id: large, provider: mistral, model: mistral-large-4}
        """, finance="horizon_months: 4\n  start_date: 2026-10-01\n  api_price_decline_per_year: 0.2")
    requests = 1000 * DAYS_PER_MONTH
    october = (19 * (1_000 * 0.68 + 100 * 2.09) + 9 * (1_000 * 1.36 + 100 * 4.18) + 3 * (1_000 * 0.70 + 100 * 2.10)) / 31 / 1e6 * requests
    later = (1_000 * 0.70 + 100 * 2.10) / 1e6 * requests
    expected_months = [october, later, later, later * 0.8 ** (1 / 12)]
    got = results["large"]
    assert got["monthly_cost_usd"] == pytest.approx(expected_months, rel=1e-12)
    assert got["total_cost_usd"] == pytest.approx(sum(expected_months), rel=1e-12)
    assert "price history: from 2026-10-20 (month 1, pro rata: 39% of it)" in got["notes"] and "months 1-2" in got["notes"]


def test_one_known_month_is_said_as_one(tmp_path, capsys):
    """The same sheet (read on 2026-11-27) from 2026-11-01: only November is known, and the note says `month 1
    starts`, not `months 1-1 start`."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        """, """\
        - {kind: api, id: large, provider: mistral, model: mistral-large-4}
        """, finance="horizon_months: 2\n  start_date: 2026-11-01\n  api_price_decline_per_year: 0.2")
    notes = results["large"]["notes"]
    assert "price history: month 1 starts on or before the sheet's as_of (2026-11-27)" in notes
    assert "months 1-1" not in notes


def test_per_request_and_tool_fees_are_added_to_the_tokens(tmp_path, capsys):
    """Perplexity Sonar: $1 in / $1 out per million tokens plus a request fee, $5 / $8 / $12 per 1,000
    requests by search context (docs.perplexity.ai pricing, 2025-07; BILLING.md 1.5); the sheet keeps
    the highest, $12. Each of the 3 calls of a request is one API request. On top, two web searches per
    request at $10 per 1,000 calls (OpenAI / Anthropic web search, BILLING.md 1.5) = $0.02 a request."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        llm_calls_per_request: 3
        """, """\
        - {kind: api, id: sonar, provider: perplexity, model: sonar, tool_fee_usd_per_request: 0.02}
        """)
    per_call = (1_000 * 1 + 100 * 1) / 1e6 + 12 / 1_000
    assert per_call == pytest.approx(genai_usd("sonar", "perplexity", input_tokens=1_000, output_tokens=100))
    per_request = 3 * per_call + 2 * 10 / 1_000
    got = results["sonar"]
    assert got["total_cost_usd"] == pytest.approx(per_request * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert got["breakdown_usd"]["api_request_fees_usd"] == pytest.approx((3 * 12 / 1_000 + 0.02) * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert "request fee" in got["notes"]


def test_a_contract_request_fee_replaces_the_sheets(tmp_path, capsys):
    """The same Sonar calls under a contract whose fee is $5 per 1,000 requests (the low search-context rate of the
    same page, BILLING.md 1.5) instead of the sheet's $12: each of the 3 calls pays $0.005 on top of its tokens."""
    results = run_json(tmp_path, capsys, """        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        llm_calls_per_request: 3
        """, """        - {kind: api, id: sonar, provider: perplexity, model: sonar, usd_per_thousand_requests: 5}
        """)
    per_request = 3 * ((1_000 * 1 + 100 * 1) / 1e6 + 5 / 1_000)
    got = results["sonar"]
    assert got["total_cost_usd"] == pytest.approx(per_request * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert "your contract's $5 per 1,000 API requests replaces the sheet's ($12)" in got["notes"]


def test_separate_sample_calls_each_pay_the_request_fee(tmp_path, capsys):
    """Perplexity Sonar's $12 per 1,000 requests (BILLING.md 1.5; the sheet keeps the highest fee). With
    samples_share_input false each sample is sent as its own call, so each is an API request: 3 calls x 2
    samples = 6 requests a user request, 6 x $12 / 1,000 = $0.072; 1,000 a day over 365 / 12 days = $2,190 a
    month (one request per call, the old count, gave $1,095). The input is paid per sample too: 6 x 1,000 in,
    6 x 100 out at $1 / $1 per million."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        llm_calls_per_request: 3
        samples_per_call: 2
        samples_share_input: false
        """, """\
        - {kind: api, id: sonar, provider: perplexity, model: sonar}
        """, finance="horizon_months: 1\n  start_date: 2026-09-01")
    got = results["sonar"]
    assert got["breakdown_usd"]["api_request_fees_usd"] == pytest.approx(6 * 12 / 1_000 * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert got["breakdown_usd"]["api_request_fees_usd"] == pytest.approx(2_190, rel=1e-12)
    tokens = 6 * (1_000 * 1 + 100 * 1) / 1e6
    assert got["total_cost_usd"] == pytest.approx((tokens + 6 * 12 / 1_000) * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert "each sample is a separate call" in got["notes"]


def test_samples_sharing_their_calls_input_ride_in_one_request(tmp_path, capsys):
    """The same with samples_share_input true (n > 1 completions of one request): 3 requests, $0.036."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        llm_calls_per_request: 3
        samples_per_call: 2
        """, """\
        - {kind: api, id: sonar, provider: perplexity, model: sonar}
        """, finance="horizon_months: 1\n  start_date: 2026-09-01")
    assert results["sonar"]["breakdown_usd"]["api_request_fees_usd"] == pytest.approx(3 * 12 / 1_000 * 1000 * DAYS_PER_MONTH, rel=1e-12)


BACKTEST = "horizon_months: 3\n  start_date: 2026-09-01"


def test_a_backtest_before_the_batch_prices_recorded_date_pays_the_batch_price(tmp_path, capsys):
    """Anthropic Claude Sonnet 4.5: $3 in / $0.30 cache read / $3.75 cache write / $15 out; batch 50 % on all four,
    caching stacked (BILLING.md 1.2, platform.claude.com batch-processing#pricing). The sheet dates the batch
    entry 2026-10-14, the day genai-prices checked it, not a launch: like the standard price (price_in_force),
    months before it pay the earliest recorded batch price. Per request, half of it batched: 2,000 uncached
    input x (3 + 1.5) / 2, 6,000 cache reads x (0.30 + 0.15) / 2, 2,000 cache writes x (3.75 + 1.875) / 2,
    500 out x (15 + 7.5) / 2 = $0.0171; x 1,000 a day x 365 / 12 days = $520.125 a month from September on
    (before the fix, September and October billed no batch discount: $693.50)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 10000
        output_tokens: 500
        cacheable_prefix_share: 0.6
        cache_write_share: 0.2
        batch_eligible_share: 0.5
        """, """\
        - {kind: api, id: sonnet, provider: anthropic, model: claude-sonnet-4-5}
        """, finance=BACKTEST)
    per_request = (2_000 * 2.25 + 6_000 * 0.225 + 2_000 * 2.8125 + 500 * 11.25) / 1e6
    assert per_request == pytest.approx(0.0171)
    got = results["sonnet"]
    assert got["monthly_cost_usd"] == pytest.approx([per_request * 1000 * DAYS_PER_MONTH] * 3, rel=1e-12)
    assert got["monthly_cost_usd"][0] == pytest.approx(520.125, rel=1e-12)
    assert "batch: its first recorded price is dated 2026-10-14" in got["notes"]


def test_a_backtest_before_a_service_tiers_recorded_date_pays_the_tier(tmp_path, capsys):
    """OpenAI gpt-4.1 priority: $3.50 in / $14 out vs $2 / $8 standard, "verified on 2026-10-12" (sheet note).
    From 2026-09-01 every month pays priority: 10,000 x 3.5 + 500 x 14 = $0.042 a request, $1,277.50 a month
    (the standard price, $730, was billed in September and October before the fix, with no word)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 10000
        output_tokens: 500
        """, """\
        - {kind: api, id: priority, provider: openai, model: gpt-4.1, service_tier: priority}
        """, finance=BACKTEST)
    got = results["priority"]
    assert got["monthly_cost_usd"] == pytest.approx([(10_000 * 3.5 + 500 * 14) / 1e6 * 1000 * DAYS_PER_MONTH] * 3, rel=1e-12)
    assert "service tier `priority`: its first recorded price is dated 2026-10-12" in got["notes"]
    assert "batch: its first" not in got["notes"]  # no batch traffic: no word about batch


def test_time_of_day_windows_keep_their_own_prices_when_the_sheet_records_a_change(tmp_path, capsys):
    """DeepSeek V4 Flash (BILLING.md 1.4): from 2026-08-17 off-peak $0.22 in / $0.66 out and peak double ($0.44 /
    $1.32); from 2026-09-10 V4.1 Flash off-peak $0.15 / $0.60, peak $0.30 / $1.20 (UTC 01-04 and 06-10: 7 of 24
    hours of a flat day), and from 2026-08-23 the peak holds Monday to Friday only, weekends off-peak all day: 5 of
    7 days, so 7/24 x 5/7 = 5/24 of a week's traffic pays the peak (the same traffic every day). September 1-9 pay
    19/24 at 0.22 / 0.66 and 5/24 at 0.44 / 1.32; September 10-30, October and November 19/24 at 0.15 / 0.60 and 5/24 at 0.30 / 1.20.
    (Before the peak variant was dated, September's peak hours paid the later 0.30 / 1.20; before the weekdays,
    7/24 of the traffic paid the peak.) Each request pays the prices of its day: September has 9 days at the first
    prices and 21 at V4.1's (it paid the first prices throughout: a month paid the prices of its first day)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 10000
        output_tokens: 500
        """, """\
        - {kind: api, id: flash, provider: deepseek, model: deepseek-v4-flash}
        """, finance=BACKTEST)
    peak, off = 5 / 24, 19 / 24

    def month(off_in, off_out, peak_in, peak_out):
        return (10_000 * (off * off_in + peak * peak_in) + 500 * (off * off_out + peak * peak_out)) / 1e6 * 1000 * DAYS_PER_MONTH

    got = results["flash"]
    # September: 9 days at the 2026-08-17 prices, 21 days (from the 10th) at V4.1's
    september = (9 * month(0.22, 0.66, 0.44, 1.32) + 21 * month(0.15, 0.60, 0.30, 1.20)) / 30
    assert got["monthly_cost_usd"] == pytest.approx([september, month(0.15, 0.60, 0.30, 1.20),
                                                     month(0.15, 0.60, 0.30, 1.20)], rel=1e-12)
    assert got["monthly_cost_usd"][1] == pytest.approx(66.15625, rel=1e-12)


def test_before_deepseek_priced_by_the_hour_every_hour_paid_the_flat_price(tmp_path, capsys):
    """BILLING.md 1.4: V4 Flash was flat at $0.14 in / $0.28 out and V4 Pro at $0.435 / $0.87 until 2026-08-16 16:00
    UTC (the sheet from 2026-08-17); the peak windows then cost double the new off-peak prices (Flash $0.22 / $0.66,
    Pro $0.66 / $1.98), Monday to Friday only from 2026-08-23. A June-September run: two flat months; August 16 flat
    days, 6 with the peak every day (7 of 24 hours) and 9 with it on weekdays only (5 of 24); then September (Flash: V4.1
    prices from the 10th, $0.15 / $0.60 off-peak), 19/24 off-peak and 5/24 peak (7 of 24 hours on 5 of 7 days).
    Before the peak variant was dated, June's peak hours paid the later peak prices: Flash 44 %, Pro 67 % too much;
    before a request paid the prices of its day, August paid the flat prices throughout."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        """, """\
        - {kind: api, id: flash, provider: deepseek, model: deepseek-v4-flash}
        - {kind: api, id: pro, provider: deepseek, model: deepseek-v4-pro}
        """, finance="horizon_months: 4\n  start_date: 2026-06-01\n  api_price_decline_per_year: 0")

    def month(per_request_usd):
        return per_request_usd * 1000 * DAYS_PER_MONTH

    def day(off_in, off_out, peak_share=5 / 24):
        return ((1 - peak_share) * (1_000 * off_in + 100 * off_out) + peak_share * 2 * (1_000 * off_in + 100 * off_out)) / 1e6

    def august(flat, off_in, off_out):
        return (16 * flat + 6 * day(off_in, off_out, 7 / 24) + 9 * day(off_in, off_out)) / 31

    flat_flash, flat_pro = (1_000 * 0.14 + 100 * 0.28) / 1e6, (1_000 * 0.435 + 100 * 0.87) / 1e6
    september_flash = (9 * day(0.22, 0.66) + 21 * day(0.15, 0.60)) / 30  # V4.1 Flash from 2026-09-10
    assert results["flash"]["monthly_cost_usd"] == pytest.approx(
        [month(flat_flash)] * 2 + [month(august(flat_flash, 0.22, 0.66)), month(september_flash)], rel=1e-12)
    assert results["pro"]["monthly_cost_usd"] == pytest.approx(
        [month(flat_pro)] * 2 + [month(august(flat_pro, 0.66, 1.98)), month(day(0.66, 1.98))], rel=1e-12)


def test_priority_long_context_calls_pay_the_standard_long_context_rates(tmp_path, capsys):
    """OpenAI priority "excludes long context" (openai.com/api-priority-processing, BILLING.md 1.1): a call above
    272K input tokens is billed at the standard long-context rates. gpt-5.4 priority $5 in / $30 out; standard
    above 272K $5 / $22.50. A loop of 2 calls: 250K (priority) then 300K input (standard long context), 1,000 out
    each: 250,000 x 5 + 1,000 x 30 + 300,000 x 5 + 1,000 x 22.5 = $2.8025 a request. Output alone: 100 a day x
    365 / 12 x (30 + 22.5) / 1,000 = $159.69 a month (priority rate on both calls, the old bill: $182.50)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 100
        input_tokens: 250000
        context_growth_per_call_tokens: 50000
        llm_calls_per_request: 2
        output_tokens: 1000
        """, """\
        - {kind: api, id: prio, provider: openai, model: gpt-5.4, service_tier: priority}
        """)
    got = results["prio"]
    assert got["breakdown_usd"]["api_output_usd"] == pytest.approx(100 * DAYS_PER_MONTH * (30 + 22.5) / 1_000, rel=1e-12)
    assert got["breakdown_usd"]["api_output_usd"] == pytest.approx(159.6875, rel=1e-12)
    assert got["total_cost_usd"] == pytest.approx(2.8025 * 100 * DAYS_PER_MONTH, rel=1e-12)
    assert "service tier `priority` lists no long-context rates" in got["notes"]


def test_priority_long_context_calls_pay_the_standard_rates_even_where_the_sheet_lists_priority_ones(tmp_path, capsys):
    """Priority "excludes long context" (BILLING.md 1.1, openai.com/api-priority-processing), so its calls above 272K
    input tokens are served and billed as standard long context, whatever long-context rates the price sheet lists
    for priority (genai-prices 0.2.3 gives GPT-5.6 Sol priority $8 / $40 and, above 272K, $16 / $60: 2x priority).
    Standard since 2026-08-21: $4 / $20, above 272K $8 / $30. A loop of 2 calls, 250K then 300K input, 1,000 out each:
    250,000 x 8 + 1,000 x 40 = $2.04 at priority, then 300,000 x 8 + 1,000 x 30 = $2.43 at standard long context:
    $4.47 a request (the sheet's priority tier gave 300,000 x 16 + 1,000 x 60 = $4.86 for the second call)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 100
        input_tokens: 250000
        context_growth_per_call_tokens: 50000
        llm_calls_per_request: 2
        output_tokens: 1000
        """, """\
        - {kind: api, id: prio, provider: openai, model: gpt-5.6-sol, service_tier: priority}
        - {kind: api, id: fast, provider: openai, model: gpt-5.6-sol, service_tier: fast}
        """)
    for tier in ("prio", "fast"):  # fast: priority processing at the same prices (sheet)
        got = results[tier]
        assert got["total_cost_usd"] == pytest.approx((2.04 + 2.43) * 100 * DAYS_PER_MONTH, rel=1e-12), tier
        assert got["breakdown_usd"]["api_output_usd"] == pytest.approx(100 * DAYS_PER_MONTH * (40 + 30) / 1_000, rel=1e-12)
        assert "lists long-context rates of its own in the price sheet, but it excludes long context" in got["notes"]


def test_flex_and_batch_tiers_without_long_context_rates_pay_the_standard_ratios_on_their_own_price(tmp_path, capsys):
    """OpenAI's long-context rule (2x input and cache, 1.5x output above 272K input) applies "in standard, batch and
    flex", and the gpt-5.5-pro Batch and Flex tables list base rates only (BILLING.md 1.1). gpt-5.5-pro: standard $30 /
    $180, above 272K $60 / $270; flex and batch $15 / $90 (sheet). One 300K-token call, 1,000 out, 10 a day: flex pays
    300,000 x 15 x 2 + 1,000 x 90 x 1.5 = $9.135 a request, as the same traffic batched by `batch_eligible_share`
    does. Before, a tier without tiers of its own was read as priority's "excludes long context" and billed at the
    standard long-context rates: $18.27, as much as standard."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 10
        input_tokens: 300000
        output_tokens: 1000
        """, """\
        - {kind: api, id: flex, provider: openai, model: gpt-5.5-pro, service_tier: flex}
        - {kind: api, id: batch, provider: openai, model: gpt-5.5-pro, service_tier: batch}
        - {kind: api, id: standard, provider: openai, model: gpt-5.5-pro}
        """)
    per_request = (300_000 * 15 * 2 + 1_000 * 90 * 1.5) / 1e6
    assert per_request == pytest.approx(9.135, rel=1e-12)
    batched = run_json(tmp_path, capsys, """\
        requests_per_day: 10
        input_tokens: 300000
        output_tokens: 1000
        batch_eligible_share: 1
        """, "- {kind: api, id: batched, provider: openai, model: gpt-5.5-pro}")
    for got in (results["flex"], results["batch"], batched["batched"]):
        assert got["monthly_cost_usd"][0] == pytest.approx(per_request * 10 * DAYS_PER_MONTH, rel=1e-12), got["option"]
    assert results["standard"]["monthly_cost_usd"][0] == pytest.approx(
        (300_000 * 60 + 1_000 * 270) / 1e6 * 10 * DAYS_PER_MONTH, rel=1e-12)
    assert "service tier `flex` lists no long-context rates: its long calls pay the standard tier's 2x input" in results["flex"]["notes"]


@pytest.mark.parametrize("cached_share,noted", [(0.0, False), (0.5, True)])
def test_the_tiers_cache_read_ratio_is_noted_only_when_the_workload_reads_the_cache(tmp_path, capsys, cached_share, noted):
    """gpt-5.4 flex: cache reads $0.13, $0.25 above 272K (1.92x) while input doubles (sheet; BILLING.md 1.1-1.2). The
    formulas charge cache reads at the input ratio, which a note says - only where cache reads are billed."""
    results = run_json(tmp_path, capsys, f"""\
        requests_per_day: 100
        input_tokens: 300000
        output_tokens: 1000
        cacheable_prefix_share: {cached_share}
        """, """\
        - {kind: api, id: flex, provider: openai, model: gpt-5.4, service_tier: flex}
        """)
    assert ("the tier's cache read ratio (1.92308x)" in results["flex"]["notes"]) is noted


def test_notes_describe_the_contract_prices_charged(tmp_path, capsys):
    """gpt-4.1 lists no cache write price (BILLING.md 1.3: no write fee before GPT-5.6); a contract sets one, $2.50,
    and an input price of $1.60 but no batch price. The bill charges the contract write price, so no note may
    say writes are "billed at input price"; the batch half pays the sheet's list batch input $1, which a note
    says. Per request (half batched): 3,000 uncached input x (1.6 + 1) / 2, 5,000 cache reads at $0.50 (no batch
    cache price: the standard one), 2,000 writes at $2.50 (batch writes: the batch input price, $1, as the sheet
    lists no write price) averaged (2.5 + 1) / 2, 500 out x (8 + 4) / 2."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 10000
        output_tokens: 500
        cacheable_prefix_share: 0.5
        cache_write_share: 0.2
        batch_eligible_share: 0.5
        """, """\
        - {kind: api, id: contract, provider: openai, model: gpt-4.1, input_usd_per_million_tokens: 1.6,
           cache_write_usd_per_million_tokens: 2.5}
        """)
    got = results["contract"]
    per_request = (3_000 * 1.3 + 5_000 * 0.5 + 2_000 * 1.75 + 500 * 6) / 1e6
    assert got["total_cost_usd"] == pytest.approx(per_request * 1000 * DAYS_PER_MONTH, rel=1e-12)
    assert "no cache write price: a token written to the cache is billed as input" not in got["notes"]
    assert "your contract sets the standard input price but not the batch one" in got["notes"]


def test_a_contract_price_drops_the_notes_of_the_sheets_history_it_replaces(tmp_path, capsys):
    """Mistral Large 4 from 2026-10-01 records a change in November (see the history test above); with a contract
    input price the sheet's history no longer applies, so no note may say a month pays a recorded price, and the
    expected decline (20 % a year) counts from month 2: 0.8^(1/12) then, not from the month after the sheet's date."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 1000
        output_tokens: 100
        """, """\
        - {kind: api, id: large, provider: mistral, model: mistral-large-4, input_usd_per_million_tokens: 0.5,
           output_usd_per_million_tokens: 2}
        """, finance="horizon_months: 2\n  start_date: 2026-10-01\n  api_price_decline_per_year: 0.2")
    got = results["large"]
    month = (1_000 * 0.5 + 100 * 2) / 1e6 * 1000 * DAYS_PER_MONTH
    assert got["monthly_cost_usd"] == pytest.approx([month, month * 0.8 ** (1 / 12)], rel=1e-12)
    assert "price history:" not in got["notes"]
    assert "expected decline counts from month 2" in got["notes"]


def _run_error(tmp_path, capsys, text: str) -> tuple[int, str, str]:
    path = tmp_path / "too-long.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    code = main(["run", str(path)])
    return code, capsys.readouterr().err, str(path)


def test_a_call_longer_than_the_api_models_context_window_is_an_error_naming_file_line_and_option(tmp_path, capsys):
    """deepseek-chat's context window is 64,000 tokens (sheet); the last of 2 calls sends 55,000 + 5,000
    input tokens and asks for 4,000 out: 64,000 + 1 = 64,001 tokens do not fit."""
    code, err, path = _run_error(tmp_path, capsys, """\
        schema_version: 1
        scenarios:
          - id: long
            workload:
              requests_per_day: 10
              input_tokens: 55000
              context_growth_per_call_tokens: 5000
              llm_calls_per_request: 2
              output_tokens: 4000
              reasoning_tokens: 1
            finance: {start_date: 2026-12-01}
            options:
              - kind: api
                id: chat
                provider: deepseek
                model: deepseek-chat
        """)
    assert code == 2 and "Traceback" not in err
    assert f"{path}:16" in err  # the `model:` line of the option
    assert "option `chat`" in err and "64,001 tokens" in err and "64,000-token context window" in err


def test_a_call_longer_than_an_open_models_position_embeddings_is_an_error(tmp_path, capsys):
    """Mixtral 8x7B: 32,768 positions (hardware/models.yaml, context_length_tokens); 32,000 in + 1,000 out do not fit."""
    code, err, path = _run_error(tmp_path, capsys, """\
        schema_version: 1
        scenarios:
          - id: long
            workload: {requests_per_day: 10, input_tokens: 32000, output_tokens: 1000}
            options:
              - kind: self-hosted
                id: mixtral
                model: mixtral-8x7b
                gpu: h100-sxm
                gpus_per_replica: 2
                payment: {mode: on-demand, gpu_usd_per_hour: 3.0}
        """)
    assert code == 2 and "Traceback" not in err
    assert f"{path}:8" in err and "option `mixtral`" in err and "33,000 tokens" in err and "32,768-token context" in err


@pytest.mark.slow  # LibreOffice 6-8 s, `formulas` 19 s (everyday, LibreOffice recomputes the cache-write rule above)
@pytest.mark.parametrize("evaluator", ["libreoffice", "formulas"])
def test_the_workbook_recomputes_every_billing_rule_with_its_own_formulas(tmp_path, evaluator):
    """Parity (engine = recomputed workbook) on a scenario where every rule bites: a tier crossed part-way
    through the loop, batch cache prices, a time-of-day window along a profile in another zone, recorded
    price changes with the decline after the sheet's date (a long-context tier dropped and one added, a cache write
    price changing on its own), request and tool fees. Recomputed by LibreOffice (what
    finance may open it in; everyday, skipped without it) and by the `formulas` package (an evaluator of our own
    choosing, in Python; the slow step)."""
    import math
    import sys
    from pathlib import Path

    from tco.export.excel import export_workbook
    from tco.run import run_scenarios

    sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
    from workbook_reader import (HAS_LIBREOFFICE, LIBREOFFICE_MISSING, calc_layout, evaluate, rows_past_the_longest_horizon,
                                 values_by_libreoffice)

    if evaluator == "libreoffice" and not HAS_LIBREOFFICE:
        pytest.skip(LIBREOFFICE_MISSING)

    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(f"""\
        schema_version: 1
        scenarios:
          - id: rules
            workload:
              requests_per_day: 500
              monthly_growth: 0.03
              input_tokens: 150000
              context_growth_per_call_tokens: 30000
              llm_calls_per_request: 4
              output_tokens: 1000
              cacheable_prefix_share: 0.5
              cache_write_share: 0.1
              batch_eligible_share: 0.4
              hourly_profile: {PROFILE_9_12_19}
              timezone: Asia/Kolkata
            finance: {{horizon_months: 4, start_date: 2026-10-01, discount_rate_per_year: 0.08, api_price_decline_per_year: 0.2}}
            options:
              - {{kind: api, id: gemini, provider: google, model: gemini-2.5-pro}}
              - {{kind: api, id: opus, provider: anthropic, model: claude-opus-4-6}}
              - {{kind: api, id: deepseek, provider: deepseek, model: deepseek-v4-flash}}
              - {{kind: api, id: large, provider: mistral, model: mistral-large-4}}
          - id: fees
            workload: {{requests_per_day: 500, input_tokens: 2000, output_tokens: 300, llm_calls_per_request: 3,
                        samples_per_call: 2, samples_share_input: false}}
            finance: {{horizon_months: 3, start_date: 2026-12-01, api_price_decline_per_year: 0.2}}
            options:
              - {{kind: api, id: sonar, provider: perplexity, model: sonar-pro, tool_fee_usd_per_request: 0.02}}
          - id: backtest
            workload: {{requests_per_day: 500, input_tokens: 200000, context_growth_per_call_tokens: 50000,
                        llm_calls_per_request: 3, output_tokens: 1000, cacheable_prefix_share: 0.3, batch_eligible_share: 0.5}}
            finance: {{horizon_months: 3, start_date: 2026-09-01, api_price_decline_per_year: 0.2}}
            options:
              - {{kind: api, id: flash, provider: deepseek, model: deepseek-v4-flash}}
              - {{kind: api, id: prio, provider: openai, model: gpt-5.4, service_tier: priority}}
          - id: tier-dropped
            workload: {{requests_per_day: 500, input_tokens: 300000, output_tokens: 1000, cache_write_share: 0.1}}
            finance: {{horizon_months: 2, start_date: 2026-03-01}}
            options:
              - {{kind: api, id: opus46, provider: anthropic, model: claude-opus-4-6}}
          - id: tier-added
            workload: {{requests_per_day: 500, input_tokens: 250000, output_tokens: 1000, cacheable_prefix_share: 0.2,
                        cache_write_share: 0.1}}
            finance: {{horizon_months: 2, start_date: 2026-10-01}}
            options:
              - {{kind: api, id: router, provider: openrouter, model: google/gemini-2.5-pro}}
        """), encoding="utf-8")
    run = run_scenarios([path], today=dt.date(2026, 11, 27))
    results = run.results
    records = list(results.options.iter_rows(named=True))
    notes = {rec["option"]: rec["notes"] for rec in records}
    assert "long-context tier per call" in notes["gemini"] and "request fee" in notes["sonar"]
    assert "time of day" in notes["deepseek"] and "price history" in notes["deepseek"]
    assert "from 2026-09-10 (month 1, pro rata: 70% of it) the window" in notes["flash"]
    assert "lists no long-context rates" in notes["prio"]
    assert "first recorded price is dated" in notes["prio"]
    assert "no long-context tier applies" in notes["opus46"] and "pay 2x input" in notes["router"]
    # one month row past the longest horizon: no total or NPV reads further, and the evaluator's time grows with the rows
    exported = export_workbook(run, tmp_path / "rules.xlsx", month_rows=rows_past_the_longest_horizon(run))
    # LibreOffice computes a copy without the engine's cached values: every figure read back is its own
    values = evaluate(exported) if evaluator == "formulas" else values_by_libreoffice(exported, tmp_path)
    checked = 0
    for rec in records:
        layout = calc_layout(exported, f"Calc {rec['scenario']}")
        for name in ("total_cost_usd", "npv_usd"):
            got = values[(layout.sheet.upper(), layout.results[(rec["option"], name)])]
            assert math.isclose(got, rec[name], rel_tol=1e-9), (rec["option"], name, got, rec[name])
            checked += 1
    assert checked == 2 * len(records) >= 10


def test_a_recorded_change_of_the_cache_write_price_alone_is_followed(tmp_path, capsys):
    """OpenRouter's Gemini 2.5 Pro in the bundled sheet: input $1.25 and output $10 throughout; cache reads $0.31 and
    writes $1.625 until 2026-10-19, then $0.125 and $0.375 (genai-prices, imported 2026-11-27). A request pays the
    prices of its day (BILLING.md 1.3: a cache write is billed at its own price, not the input's), so October 1-18
    write at 1.625 and October 19 on at 0.375, though the input price did not move. Per request of 100,000 input
    tokens (70 % uncached, 20 % read, 10 % written) and 1,000 output tokens: before the change
    0.0875 + 0.0062 + 0.01625 + 0.01 = 0.11995, after it 0.0875 + 0.0025 + 0.00375 + 0.01 = 0.10375;
    October (18 x 0.11995 + 13 x 0.10375) / 31."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 100000
        output_tokens: 1000
        cacheable_prefix_share: 0.2
        cache_write_share: 0.1
        """, """\
        - {kind: api, id: g, provider: openrouter, model: google/gemini-2.5-pro}
        """, finance="horizon_months: 2\n  start_date: 2026-10-01")
    requests = 1000 * DAYS_PER_MONTH
    october = (18 * 0.11995 + 13 * 0.10375) / 31
    assert results["g"]["monthly_cost_usd"] == pytest.approx([october * requests, 0.10375 * requests], rel=1e-12)
    assert results["g"]["breakdown_usd"]["api_cache_write_usd"] == pytest.approx(
        ((18 * 0.01625 + 13 * 0.00375) / 31 + 0.00375) * requests, rel=1e-12)


def test_a_long_context_tier_added_in_the_horizon_is_paid_from_the_month_it_is_in_force(tmp_path, capsys):
    """The same sheet adds a tier on 2026-10-19: prompts above 200,000 tokens pay $2.50 input, $0.25 cache read and
    $15 output for the whole call (BILLING.md 1.1, Gemini "> 200k tokens"), and cuts the cache read price from $0.31 to
    $0.125 on the same day. A 250,000-token prompt (80 % uncached, 20 % read) and 1,000 output tokens: before the
    change, no tier, 0.25 + 0.0155 + 0.01 = 0.2755; after it, the tier, 0.5 + 0.0125 + 0.015 = 0.5275. October pays
    18 days of the first and 13 of the second, each request at its day's prices (the tier and the cache price are
    weighted together, not averaged apart: their product differs); November the second."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 250000
        output_tokens: 1000
        cacheable_prefix_share: 0.2
        """, """\
        - {kind: api, id: g, provider: openrouter, model: google/gemini-2.5-pro}
        """, finance="horizon_months: 2\n  start_date: 2026-10-01")
    requests = 1000 * DAYS_PER_MONTH
    october = (18 * 0.2755 + 13 * 0.5275) / 31
    assert results["g"]["monthly_cost_usd"] == pytest.approx([october * requests, 0.5275 * requests], rel=1e-12)
    assert results["g"]["breakdown_usd"]["api_cache_read_usd"] == pytest.approx(
        ((18 * 0.0155 + 13 * 0.0125) / 31 + 0.0125) * requests, rel=1e-12)
    assert ("from 2026-10-19 (month 1, pro rata: 42% of it) calls with more than 200,000 input tokens pay 2x input"
            in results["g"]["notes"])


def test_a_long_context_tier_dropped_in_the_horizon_stops_being_paid(tmp_path, capsys):
    """Claude Opus 4.6: prompts above 200K tokens billed the whole request at 2x input (and cache), 1.5x output until
    2026-03-13; since then flat to 1M (BILLING.md 1.1: claude.com/blog/1m-context-ga). From 2026-02-01, 300,000-token
    prompts (90 % uncached, 10 % written to the cache at $6.25 base) and 1,000 output tokens: with the tier
    0.9 x 0.3 x 10 + 0.1 x 0.3 x 12.5 + 0.001 x 37.5 = 3.1125 a request, without it 0.9 x 0.3 x 5 + 0.1 x 0.3 x 6.25 +
    0.001 x 25 = 1.5625. February pays the tier; March 12 days with it and 19 without; April none."""
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 300000
        output_tokens: 1000
        cache_write_share: 0.1
        """, """\
        - {kind: api, id: opus, provider: anthropic, model: claude-opus-4-6}
        """, finance="horizon_months: 3\n  start_date: 2026-02-01")
    requests = 1000 * DAYS_PER_MONTH
    march = (12 * 3.1125 + 19 * 1.5625) / 31
    assert results["opus"]["monthly_cost_usd"] == pytest.approx([3.1125 * requests, march * requests, 1.5625 * requests],
                                                                rel=1e-12)
    assert "from 2026-03-13 (month 2, pro rata: 61% of it) no long-context tier applies" in results["opus"]["notes"]


def test_bedrocks_openai_models_pay_the_long_context_tier_and_the_write_price_billing_md_gives(tmp_path, capsys):
    """BILLING.md 1.1: Bedrock's OpenAI models bill a prompt above 272K input tokens at 2x input and cache, 1.5x output
    for the whole request; 1.3: their cache writes cost 1.25x input. genai-prices lists neither for openai.gpt-5.4
    ($2.75 in / $16.50 out on Bedrock); tco/load/sheet_additions.py adds both at import. 1,000 requests a month of
    300,000 input tokens (10 % written to the cache) and 1,000 output: 270 M x 5.50 + 30 M x 6.875 + 1 M x 24.75 =
    $1,716.00 a month; without the tier it was 270 M x 2.75 + 30 M x 2.75 + 1 M x 16.50 = $841.50, under OpenAI's own
    bill for the same model."""
    results = run_json(tmp_path, capsys, """\
        requests_per_month: 1000
        input_tokens: 300000
        output_tokens: 1000
        cache_write_share: 0.1
        """, "- {kind: api, id: bedrock, provider: aws, model: openai.gpt-5.4}")
    assert results["bedrock"]["monthly_cost_usd"][0] == pytest.approx(270 * 5.50 + 30 * 6.875 + 1 * 24.75, rel=1e-12)
    assert results["bedrock"]["monthly_cost_usd"][0] == pytest.approx(1_716.00, rel=1e-12)


def test_gemini_3_7_flash_batch_pays_half_as_its_note_and_billing_md_say(tmp_path, capsys):
    """gemini-3.7-flash's note says its Batch tier is 50 % off, and BILLING.md 1.2 gives the Gemini API's Batch 50 %
    (cached tokens halved too on 3.6-3.8 Flash); genai-prices lists no batch prices for it, so batch traffic paid the
    standard $0.75 / $3.75. 1,000 requests a month of 100,000 input and 10,000 output tokens, all batch-eligible:
    100 M x 0.375 + 10 M x 1.875 = $56.25 (it was $112.50), as gemini-3.8-flash's verified batch prices give."""
    results = run_json(tmp_path, capsys, """\
        requests_per_month: 1000
        input_tokens: 100000
        output_tokens: 10000
        batch_eligible_share: 1
        """, """\
        - {kind: api, id: flash37, provider: google, model: gemini-3.7-flash}
        - {kind: api, id: flash38, provider: google, model: gemini-3.8-flash}
        """)
    assert results["flash37"]["monthly_cost_usd"][0] == pytest.approx(100 * 0.375 + 10 * 1.875, rel=1e-12)
    assert results["flash37"]["monthly_cost_usd"] == results["flash38"]["monthly_cost_usd"]


def test_gemini_3_5_flash_batch_halves_input_and_output_and_reads_the_cache_at_the_standard_price(tmp_path, capsys):
    """gemini-3.5-flash's note: "Batch and Flex tiers offer 50% discount on input/output"; BILLING.md 1.2 gives the
    Gemini API's Batch 50 % and cached tokens halved in batch on 3.6-3.8 Flash only. Standard $1.50 / $9, cache read
    $0.15 (sheet). 1,000 requests a month of 100,000 input tokens (half of them a cached prefix) and 10,000 output,
    all batch-eligible: 50 M x 0.75 + 50 M x 0.15 + 10 M x 4.50 = $90.00 (standard, as billed before: $172.50)."""
    results = run_json(tmp_path, capsys, """\
        requests_per_month: 1000
        input_tokens: 100000
        cacheable_prefix_share: 0.5
        output_tokens: 10000
        batch_eligible_share: 1
        """, "- {kind: api, id: flash35, provider: google, model: gemini-3.5-flash}")
    assert results["flash35"]["monthly_cost_usd"][0] == pytest.approx(50 * 0.75 + 50 * 0.15 + 10 * 4.50, rel=1e-12)
    assert results["flash35"]["monthly_cost_usd"][0] == pytest.approx(90.00, rel=1e-12)


def test_a_prefix_shorter_than_the_providers_minimum_cacheable_length_is_billed_as_input(tmp_path, capsys):
    """BILLING.md 1.3: Anthropic caches a prefix of at least 4,096 tokens on Claude Haiku 4.5 and 1,024 on Sonnet 4.x;
    OpenAI caches only prompts of at least 1,024 tokens. 1,000 requests a day (30,416.67 a month) of 3,000 input tokens,
    80 % a cacheable prefix (2,400 tokens), 350 output:
    - Haiku 4.5 ($1 in, $0.10 cache read, $5 out): 2,400 < 4,096, nothing cached: 91.25 M x 1 + 10.646 M x 5 = $144.48
      (the cache read at $0.10 gave 18.25 M x 1 + 73 M x 0.10 + 10.646 M x 5 = $78.78);
    - Sonnet 4.5 ($3 in, $0.30 cache read, $15 out): 2,400 >= 1,024, cached: 18.25 x 3 + 73 x 0.30 + 10.646 x 15;
    - an agent loop of 3 calls growing by 1,000 tokens (3,000, 4,000, 5,000 input; prefixes 2,400, 3,200, 4,000, all
      under 4,096) on Haiku: nothing cached; growing by 3,000 (3,000, 6,000, 9,000: prefixes 2,400, 4,800, 7,200) the
      last two calls are cached: 15/18 of the input pays the cache prices."""
    requests = 1000 * DAYS_PER_MONTH
    options = """\
        - {kind: api, id: haiku, provider: anthropic, model: claude-haiku-4-5}
        - {kind: api, id: sonnet, provider: anthropic, model: claude-sonnet-4-5}
        """
    results = run_json(tmp_path, capsys, """\
        requests_per_day: 1000
        input_tokens: 3000
        cacheable_prefix_share: 0.8
        output_tokens: 350
        """, options)
    million_in, million_out = requests * 3000 / 1e6, requests * 350 / 1e6
    assert results["haiku"]["total_cost_usd"] == pytest.approx(million_in * 1 + million_out * 5, rel=1e-12)
    assert "caches a prefix of at least 4,096 tokens for `claude-haiku-4-5`" in results["haiku"]["notes"]
    # on the input line, as the invoice has it (the FOCUS meter too), not cache reads at the input price
    assert results["haiku"]["breakdown_usd"]["api_input_usd"] == pytest.approx(million_in * 1, rel=1e-12)
    assert results["haiku"]["breakdown_usd"]["api_cache_read_usd"] == 0
    assert results["sonnet"]["total_cost_usd"] == pytest.approx(
        million_in * 0.2 * 3 + million_in * 0.8 * 0.30 + million_out * 15, rel=1e-12)
    loop = """\
        requests_per_day: 1000
        input_tokens: 3000
        cacheable_prefix_share: 0.8
        output_tokens: 350
        llm_calls_per_request: 3
        context_growth_per_call_tokens: {growth}
        """
    short = run_json(tmp_path, capsys, loop.format(growth=1000), options)["haiku"]
    million_in, million_out = requests * 12000 / 1e6, requests * 3 * 350 / 1e6
    assert short["total_cost_usd"] == pytest.approx(million_in * 1 + million_out * 5, rel=1e-12)
    longer = run_json(tmp_path, capsys, loop.format(growth=3000), options)["haiku"]
    million_in = requests * 18000 / 1e6
    cached_calls = million_in * 15 / 18
    expected = (million_in * 0.2 * 1 + cached_calls * 0.8 * 0.10 + (million_in - cached_calls) * 0.8 * 1 + million_out * 5)
    assert longer["total_cost_usd"] == pytest.approx(expected, rel=1e-12)


def test_openai_caches_no_prompt_under_1024_tokens(tmp_path, capsys):
    """BILLING.md 1.3 (developers.openai.com prompt caching): automatic caching for prompts of at least 1,024 tokens.
    gpt-4.1-mini at your contract's $0.40 in, $0.10 cache read, $1.60 out; 1,000-token prompts, 80 % cacheable: no
    cache, 30.417 M x 0.40 + 10.646 M x 1.60; 1,024-token prompts are cached."""
    requests = 1000 * DAYS_PER_MONTH
    option = """\
        - {kind: api, id: mini, provider: openai, model: gpt-4.1-mini, input_usd_per_million_tokens: 0.4,
           output_usd_per_million_tokens: 1.6, cache_read_usd_per_million_tokens: 0.1}
        """
    workload = "requests_per_day: 1000\ninput_tokens: {tokens}\ncacheable_prefix_share: 0.8\noutput_tokens: 350\n"
    short = run_json(tmp_path, capsys, workload.format(tokens=1000), option)["mini"]
    assert short["total_cost_usd"] == pytest.approx(requests * (1000 * 0.4 + 350 * 1.6) / 1e6, rel=1e-12)
    enough = run_json(tmp_path, capsys, workload.format(tokens=1024), option)["mini"]
    assert enough["total_cost_usd"] == pytest.approx(requests * (1024 * 0.2 * 0.4 + 1024 * 0.8 * 0.1 + 350 * 1.6) / 1e6, rel=1e-12)


def test_a_sweep_of_the_cache_write_share_reapplies_the_minimum_as_run_with_set_does(tmp_path, capsys):
    """Sonnet 4.5 caches prefixes of 1,024+ tokens (BILLING.md 1.3). 1,200-token prompts, 80 % read: 960 tokens, not
    cached; with 10 % written too the prefix is 1,080 tokens, cached. cache_write_share now feeds that lookup: swept
    as a plain formula input it kept the first value's `cached_call_share`."""
    path = tmp_path / "cw.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        scenarios:
          - id: cw
            workload: {requests_per_day: 1000, input_tokens: 1200, cacheable_prefix_share: 0.8, output_tokens: 100}
            finance: {horizon_months: 1, start_date: 2026-12-01}
            options:
              - {kind: api, id: sonnet, provider: anthropic, model: claude-sonnet-4-5}
        """), encoding="utf-8")
    assert main(["sweep", str(path), "--as-of", "2026-11-27", "--vary", "workload.cache_write_share=0,0.1", "--format", "json"]) == 0
    swept = [r["total_cost_usd"] for r in json.loads(capsys.readouterr().out)]
    runs = []
    for share in ("0", "0.1"):
        assert main(["run", str(path), "--as-of", "2026-11-27", "--set", f"workload.cache_write_share={share}", "--format", "json"]) == 0
        runs.append(json.loads(capsys.readouterr().out)[0]["total_cost_usd"])
    assert swept == pytest.approx(runs, rel=1e-12) and runs[1] < runs[0]
