"""Plausibility warnings: each suspicious figure is named with its line; sane files get none."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from tco.load.plausibility import plausibility_warnings, price_sheet_warnings
from tco.load.scenarios import parse_scenarios_text
from tco.load.yaml_source import parse_yaml

SANE = """\
id: chat
workload:
  requests_per_day: 20000
  input_tokens: 1500
  output_tokens: 300
finance:
  horizon_months: 36
options:
- kind: api
  id: api
  provider: acme
  model: small
- kind: self-hosted
  id: own
  model: llama-3.1-70b
  gpu: h100-sxm
  gpus_per_replica: 8
  payment:
    mode: purchased
    purchase_usd_per_gpu: 30000
  operations:
    usd_per_kwh: 0.12
    staff_usd_per_fte_year: 200000
    hosting_usd_per_kw_month: 150
"""


def _catalog(input_price="0.15", gpu_counts=(1, 8)):
    prices = SimpleNamespace(input_usd_per_million_tokens=Decimal(input_price), output_usd_per_million_tokens=Decimal("0.6"))
    model = SimpleNamespace(id="small", aliases=["small-2026"], prices=[prices])
    offers = {f"o{n}": SimpleNamespace(gpu="h100-sxm", gpu_count=n) for n in gpu_counts}
    offers["other"] = SimpleNamespace(gpu="b200", gpu_count=64)
    return SimpleNamespace(providers={"acme": SimpleNamespace(models=[model])}, offers=offers)


def _warnings(text, catalog=None):
    return [(w.line, w.field, w.message) for w in plausibility_warnings(parse_scenarios_text(text, "s.yaml"), catalog)]


def test_a_sane_scenario_gets_no_warning():
    assert _warnings(SANE, _catalog()) == []


def test_every_warning_is_a_warning_with_file_and_line():
    found = plausibility_warnings(parse_scenarios_text(SANE.replace("horizon_months: 36", "horizon_months: 3"), "s.yaml"))
    assert [(w.file, w.line, w.severity) for w in found] == [("s.yaml", 7, "warning")]
    assert found[0].render().startswith("s.yaml:7: warning: finance.horizon_months: ")


def test_a_horizon_of_five_months_or_less_looks_like_years():
    assert _warnings(SANE.replace("horizon_months: 36", "horizon_months: 5"))[0][1] == "finance.horizon_months"
    assert _warnings(SANE.replace("horizon_months: 36", "horizon_months: 6")) == []


def test_absurd_request_volumes_per_day_and_per_month():
    assert _warnings(SANE.replace("requests_per_day: 20000", "requests_per_day: 20000000000"))[0][:2] == (3, "workload.requests_per_day")
    per_month = SANE.replace("requests_per_day: 20000", "requests_per_month: 400000000000")  # 1.3e10 a day
    assert _warnings(per_month)[0][:2] == (3, "workload.requests_per_month")
    assert _warnings(SANE.replace("requests_per_day: 20000", "requests_per_day: 9000000000")) == []  # 9e9 a day: large, but not flagged


def test_usd_figures_off_by_a_thousand():
    text = SANE.replace("purchase_usd_per_gpu: 30000", "purchase_usd_per_gpu: 30").replace("200000", "200").replace("0.12", "120")
    assert [(line, field) for line, field, _ in _warnings(text)] == [
        (20, "options[1].payment.purchase_usd_per_gpu"),
        (22, "options[1].operations.usd_per_kwh"),
        (23, "options[1].operations.staff_usd_per_fte_year"),
    ]


def test_gpu_hour_prices_too_large_or_too_small():
    on_demand = SANE.replace("mode: purchased\n    purchase_usd_per_gpu: 30000", "mode: on-demand\n    gpu_usd_per_hour: {}")
    assert "too large" in _warnings(on_demand.format(2500))[0][2]
    assert "too small" in _warnings(on_demand.format(0.002))[0][2]
    assert _warnings(on_demand.format(2.5)) == []


def test_more_gpus_per_replica_than_any_machine_of_that_gpu_has():
    text = SANE.replace("gpus_per_replica: 8", "gpus_per_replica: 16")
    assert _warnings(text) == []  # no catalog, no check
    found = _warnings(text, _catalog(gpu_counts=(1, 8)))
    assert [(line, field) for line, field, _ in found] == [(17, "options[1].gpus_per_replica")]
    assert "no offer has more than 8 `h100-sxm`" in found[0][2]
    assert _warnings(text, _catalog(gpu_counts=(16,))) == []


def test_an_api_price_that_looks_per_thousand_tokens():
    found = _warnings(SANE, _catalog(input_price="0.00015"))
    assert [(line, field) for line, field, _ in found] == [(12, "options[0].model")]
    assert "input_usd_per_million_tokens = 0.00015" in found[0][2]
    assert _warnings(SANE, _catalog(input_price="0.001")) == []
    assert _warnings(SANE.replace("model: small", "model: SMALL-2026"), _catalog(input_price="0.0001")) != []


def test_a_price_sheet_file_with_per_thousand_prices():
    text = """\
id: acme
models:
- id: small
  prices:
  - input_usd_per_million_tokens: 0.0002
    output_usd_per_million_tokens: 0.6
  variants:
    batch:
    - output_usd_per_million_tokens: 0.0003
- id: free
  prices:
  - input_usd_per_million_tokens: 0
    output_usd_per_million_tokens: 0
"""
    data, lines = parse_yaml(text, "acme.yaml")
    found = [(w.line, w.field) for w in price_sheet_warnings(data, lines, "acme.yaml")]
    assert found == [(5, "models[0].prices[0].input_usd_per_million_tokens"),
                     (9, "models[0].variants.batch[0].output_usd_per_million_tokens")]


def test_a_share_written_as_a_percentage_is_an_error_with_a_hint():
    import pytest

    from tco.errors import TcoUserError

    with pytest.raises(TcoUserError) as e:
        parse_scenarios_text(SANE.replace("output_tokens: 300", "output_tokens: 300\n  batch_eligible_share: 40"), "s.yaml")
    [problem] = e.value.problems
    assert (problem.line, problem.field, problem.hint) == (6, "workload.batch_eligible_share", "a share is a fraction: write 0.4, not 40")


def test_a_price_in_force_only_after_the_scenario_start_is_warned():
    """Issue 19: the earliest sheet price starts after the scenario's start; the engine uses it anyway."""
    import datetime as dt
    from types import SimpleNamespace

    from tco.load.plausibility import plausibility_warnings
    from tco.load.scenarios import parse_scenarios_text

    text = SANE.replace("horizon_months: 36", "horizon_months: 36\n  start_date: 2025-01-01")
    loaded = parse_scenarios_text(text, "s.yaml")
    option = next(o for o in loaded.scenarios[0].options if o.kind == "api")
    price = SimpleNamespace(effective_from=dt.date(2025, 6, 1), input_usd_per_million_tokens=None, output_usd_per_million_tokens=None)
    sheet = SimpleNamespace(models=[SimpleNamespace(id=option.model, aliases=[], prices=[price])])
    catalog = SimpleNamespace(providers={option.provider: sheet}, offers={}, notices=[])
    found = [w for w in plausibility_warnings(loaded, catalog) if "in force from" in w.message]
    assert len(found) == 1
    assert "in force from 2025-06-01, after the scenario's start 2025-01-01" in found[0].message


def _deepseek_chat_scenario(start: str, months: int) -> str:
    return f"""schema_version: 1
scenarios:
  - id: chat
    workload: {{requests_per_day: 1000, input_tokens: 1000, output_tokens: 200}}
    finance: {{horizon_months: {months}, start_date: {start}}}
    options:
      - {{kind: api, id: ds, provider: deepseek, model: deepseek-chat}}
"""


def test_a_model_retired_within_the_horizon_is_warned_with_its_announcement():
    """BILLING.md 1.4: DeepSeek retired deepseek-chat and deepseek-reasoner on 2026-09-10 (api-docs.deepseek.com/updates).
    The bundled sheet keeps their last prices, so a scenario reaching that day is priced for months no one can buy;
    one ending before it is not warned."""
    from tco.load.catalog import load_catalog

    catalog = load_catalog({"deepseek"})

    def retired(start: str, months: int) -> list:
        loaded = parse_scenarios_text(_deepseek_chat_scenario(start, months), "s.yaml")
        return [w for w in plausibility_warnings(loaded, catalog) if "retired" in w.message]

    [within] = retired("2026-03-01", 12)
    assert (within.file, within.line, within.field, within.severity) == ("s.yaml", 7, "scenarios[0].options[0].model", "warning")
    assert "was retired on 2026-09-10, within the scenario's 12 months from 2026-03-01" in within.message
    assert "api-docs.deepseek.com/updates" in within.message
    [before] = retired("2026-12-01", 24)
    assert "was retired on 2026-09-10, before the scenario's start 2026-12-01" in before.message
    assert retired("2025-09-01", 12) == []  # its last month starts 2026-08-01


def test_perplexity_sonar_chat_completions_ended_on_2026_09_27():
    """BILLING.md 1.5 and the sheet's note (checked 2026-10-19): "Sonar Chat Completions support ended on
    2026-09-27". A scenario reaching that day with Sonar is priced for months no one can buy: warned."""
    from tco.load.catalog import load_catalog

    catalog = load_catalog({"perplexity"})
    text = _deepseek_chat_scenario("2026-06-01", 12).replace("provider: deepseek, model: deepseek-chat",
                                                             "provider: perplexity, model: sonar")
    [within] = [w for w in plausibility_warnings(parse_scenarios_text(text, "s.yaml"), catalog) if "retired" in w.message]
    assert "was retired on 2026-09-27, within the scenario's 12 months from 2026-06-01" in within.message
    assert "migrate-from-sonar" in within.message


def test_mixtral_8x22b_at_mistral_retired_on_2025_03_30_is_warned():
    """The bundled mistral sheet's note (genai-prices 0.2.3): "Mistral billed open-mixtral-8x22b at $2/$6 per MTok from
    launch until its 2025-03-30 retirement". A scenario starting 2026-12-01 that compares self-hosted Mixtral 8x22B
    with Mistral's API was priced at $2/$6 for 12 months no one could buy, without a word."""
    from tco.load.catalog import load_catalog

    catalog = load_catalog({"mistral"})
    text = _deepseek_chat_scenario("2026-12-01", 12).replace("provider: deepseek, model: deepseek-chat",
                                                             "provider: mistral, model: mixtral-8x22b-instruct")
    [before] = [w for w in plausibility_warnings(parse_scenarios_text(text, "s.yaml"), catalog) if "retired" in w.message]
    assert "was retired on 2025-03-30, before the scenario's start 2026-12-01" in before.message


# A sheet note that names a retirement day, as genai-prices words them: "Retired on 2025-06-16", "Retires on
# 2026-10-30", "until its 2025-03-30 retirement", "shut down Oct 2, 2026", "support ended on 2026-09-27".
_RETIREMENT_IN_NOTE = r"(?:retire[sd]?|shut down|support ended)(?: on)? (\d{4}-\d{2}-\d{2}|[A-Z][a-z]{2} \d{1,2}, \d{4})|(\d{4}-\d{2}-\d{2}) retirement"
_NOT_THE_MODEL = {("anthropic", "claude-sonnet-4-5")}
"""Its note dates the retirement of the 1M-context beta (2026-04-30), not of the model."""


def test_every_retirement_day_a_sheet_note_states_is_in_the_curated_table():
    """A day the provider's own words give (the sheet's `note`, from genai-prices) must be `retired_on`, or a scenario
    reaching it is priced at a price no one sells without a warning; the curated table had only DeepSeek and Perplexity."""
    import datetime as dt
    import re

    from tco.load.api_retirements import RETIRED_API_MODELS
    from tco.load.pricing import load_providers, pricing_dirs

    found = {}
    for provider in load_providers(None, pricing_dirs()).values():
        for model in provider.models:
            for match in re.finditer(_RETIREMENT_IN_NOTE, model.note or "", re.IGNORECASE):
                text = match.group(1) or match.group(2)
                day = (dt.date.fromisoformat(text) if text[0].isdigit() else dt.datetime.strptime(text, "%b %d, %Y").date())
                found[(provider.id, model.id)] = day
    for key in _NOT_THE_MODEL:
        found.pop(key)
    assert len(found) >= 12
    assert {key: RETIRED_API_MODELS.get(key, (None,))[0] for key in found} == found


def test_every_curated_retirement_is_in_the_bundled_sheets_and_needs_its_source():
    """The importer writes `api_retirements.RETIRED_API_MODELS` into the sheets (a re-import reproduces them, see
    test_pricing_import); a date without its announcement is refused."""
    import pytest
    from pydantic import ValidationError

    from tco.load.api_retirements import RETIRED_API_MODELS
    from tco.load.pricing import load_providers, pricing_dirs
    from tco.model.pricing import ApiModel

    sheets = load_providers({provider for provider, _ in RETIRED_API_MODELS}, pricing_dirs())
    for (provider, model_id), (day, source) in RETIRED_API_MODELS.items():
        model = next(m for m in sheets[provider].models if m.id == model_id)
        assert (model.retired_on, model.retirement_source) == (day, source)
    with pytest.raises(ValidationError, match="retirement_source"):
        ApiModel(id="m", prices=[{"input_usd_per_million_tokens": 1}], retired_on="2026-09-10")


def test_a_scenario_priced_from_an_offer_with_a_caution_is_warned():
    """gcp:a3-highgpu-8g:host-plus-gpu: the SkyPilot catalog's on-demand 43.07 USD an hour in us-central1 is below its
    own spot price (47.87) and half Google's SKU sum for the same machine and region (88.49, reserved_prices.csv,
    2026-07-30). A scenario taking its GPU-hour price from that offer is told; one giving its own price is not."""
    from tco.load.catalog import load_catalog

    catalog = load_catalog(set())
    option = """      - kind: self-hosted
        id: own
        model: llama-3.1-70b
        gpu: h100-sxm
        gpus_per_replica: 8
        payment: {mode: on-demand, offer: "gcp:a3-highgpu-8g:host-plus-gpu"PRICE}
"""
    base = _deepseek_chat_scenario("2026-12-01", 12).split("      - {kind: api")[0]
    found = [w for w in plausibility_warnings(parse_scenarios_text(base + option.replace("PRICE", ""), "s.yaml"), catalog)
             if "in doubt" in w.message]
    assert len(found) == 1 and found[0].field == "scenarios[0].options[0].payment.offer"
    assert "us-central1 43.0662" in found[0].message and "88.49" in found[0].message
    own_price = base + option.replace("PRICE", ", gpu_usd_per_hour: 11.06")
    assert not [w for w in plausibility_warnings(parse_scenarios_text(own_price, "s.yaml"), catalog) if "in doubt" in w.message]


def test_a_model_its_sheet_marks_deprecated_is_warned_with_the_sheet_note():
    """pricing/cerebras.yaml (genai-prices 0.2.3): llama-3.3-70b is `deprecated: true`, note "No longer listed in the
    Cerebras Inference docs (checked 2026-07-17 and 2026-08-27); last known rates kept for historical usage". A
    scenario comparing self-hosted Llama-3.3-70B with it was priced at 0.85 / 1.20 USD per million tokens, silently."""
    from tco.load.catalog import load_catalog

    catalog = load_catalog({"cerebras", "deepseek"})
    text = _deepseek_chat_scenario("2026-12-01", 12).replace("provider: deepseek, model: deepseek-chat",
                                                             "provider: cerebras, model: llama-3.3-70b")
    [found] = [w for w in plausibility_warnings(parse_scenarios_text(text, "s.yaml"), catalog) if "deprecated" in w.message]
    assert found.field == "scenarios[0].options[0].model"
    assert "No longer listed in the Cerebras Inference docs (checked 2026-07-17 and 2026-08-27)" in found.message
    # retired models keep their own, dated warning only; a served one gets none
    retired = _deepseek_chat_scenario("2026-12-01", 12)
    assert not [w for w in plausibility_warnings(parse_scenarios_text(retired, "s.yaml"), catalog) if "deprecated" in w.message]
    served = retired.replace("model: deepseek-chat", "model: deepseek-flash")
    assert not [w for w in plausibility_warnings(parse_scenarios_text(served, "s.yaml"), catalog) if "deprecated" in w.message]


def test_growth_that_compounds_past_any_service_is_warned():
    """monthly_growth 2 (its upper bound, +200 % a month) over 36 months takes 20,000 requests a day to 20,000 x 3^35,
    about 1e21 in the last month: the totals came out in the quintillions without a word."""
    text = SANE.replace("requests_per_day:", "monthly_growth: 2\n  requests_per_day:", 1)
    loaded = parse_scenarios_text(text, "s.yaml")
    per_day = loaded.scenarios[0].workload.requests_per_day
    found = [w for w in plausibility_warnings(loaded) if w.field.endswith("workload.monthly_growth")]
    assert len(found) == 1 and f"{per_day * 3 ** 35:,.3g}" in found[0].message
    gentle = parse_scenarios_text(SANE.replace("requests_per_day:", "monthly_growth: 0.05\n  requests_per_day:", 1), "s.yaml")
    assert not [w for w in plausibility_warnings(gentle) if "monthly_growth" in w.field]


def test_a_cache_read_priced_above_uncached_input_is_warned():
    """BILLING.md 1.3: every provider bills a cache hit at a tenth to a half of an uncached input token. The bundled
    OpenRouter sheet (from genai-prices) lists `~deepseek/deepseek-pro-latest` at 0.225 input and 0.23 cache read: a
    slip worth a look, in the sheet (`tco validate`) and in a scenario that bills it, unless the option prices its own."""
    text = """\
id: acme
models:
- id: small
  prices:
  - input_usd_per_million_tokens: 0.225
    output_usd_per_million_tokens: 8
    cache_read_usd_per_million_tokens: 0.23
- id: fine
  prices:
  - input_usd_per_million_tokens: 1
    output_usd_per_million_tokens: 4
    cache_read_usd_per_million_tokens: 0.1
"""
    data, lines = parse_yaml(text, "acme.yaml")
    found = price_sheet_warnings(data, lines, "acme.yaml")
    assert [(w.line, w.field) for w in found] == [(7, "models[0].prices[0].cache_read_usd_per_million_tokens")]
    assert "costs more than an uncached input token" in found[0].message
    catalog = _catalog(input_price="0.225")
    catalog.providers["acme"].models[0].prices[0].cache_read_usd_per_million_tokens = Decimal("0.23")
    [(line, field, message)] = _warnings(SANE, catalog)
    assert (line, field) == (12, "options[0].model") and "cache reads are billed at it" in message
    own_price = SANE.replace("  model: small\n", "  model: small\n  cache_read_usd_per_million_tokens: 0.02\n")
    assert _warnings(own_price, catalog) == []


def test_a_one_month_horizon_hint_says_one_year():
    # `horizon_months: 1` probably meant a year: the hint reads "for 1 year", not "for 1 years"
    text = SANE.replace("horizon_months: 36", "horizon_months: 1")
    hints = [w.hint for w in plausibility_warnings(parse_scenarios_text(text, "s.yaml"), None) if w.field.endswith("horizon_months")]
    assert hints == ["for 1 year write horizon_months: 12"]
    text = SANE.replace("horizon_months: 36", "horizon_months: 3")
    hints = [w.hint for w in plausibility_warnings(parse_scenarios_text(text, "s.yaml"), None) if w.field.endswith("horizon_months")]
    assert hints == ["for 3 years write horizon_months: 36"]


HYBRID = SANE + """\
- kind: hybrid
  id: mix
  self_hosted: own
  api: api
  mode: share
  self_hosted_share: 0
"""


def test_a_hybrid_sharing_nothing_while_paying_replicas_is_named_at_its_share():
    # Share 0: every request goes to the API, but replicas_static = max(min_replicas, 0) + spare_replicas is still paid.
    found = _warnings(HYBRID, _catalog())
    assert [(line, field) for line, field, _ in found] == [(30, "options[2].self_hosted_share")]
    assert "1 replica(s) of `own`" in found[0][2]
    assert _warnings(HYBRID.replace("self_hosted_share: 0", "self_hosted_share: 0.3"), _catalog()) == []
    no_fleet = HYBRID.replace("  operations:\n", "  min_replicas: 0\n  operations:\n", 1)
    assert _warnings(no_fleet, _catalog()) == []
