"""`tco pricing import`: the committed sheets are what the installed genai-prices gives, and the import is safe."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

genai_types = pytest.importorskip("genai_prices.types")

from tco.cli import main  # noqa: E402
from tco.errors import TcoUserError  # noqa: E402
from tco.load.open_weight import normalized_api_id, open_weight_model_for  # noqa: E402
from tco.load.pricing import read_sheet  # noqa: E402
from tco.load.pricing_import import build_providers, variant_name  # noqa: E402
from tco.model.pricing import provider_schema_text  # noqa: E402
from tco.paths import bundled_dir  # noqa: E402

BUNDLED = bundled_dir("pricing")


def _committed_as_of() -> str:
    return read_sheet(BUNDLED / "anthropic.yaml").as_of


def test_the_committed_json_schema_is_current():
    assert (BUNDLED / "schema" / "provider.schema.json").read_text(encoding="utf-8") == provider_schema_text()


def test_importing_again_reproduces_the_committed_sheets_byte_for_byte(tmp_path, capsys):
    assert main(["pricing", "import", "--pricing-dir", str(tmp_path), "--as-of", _committed_as_of()]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.yaml"))
    assert written == sorted(p.name for p in BUNDLED.glob("*.yaml"))
    for name in written:
        assert (tmp_path / name).read_text(encoding="utf-8") == (BUNDLED / name).read_text(encoding="utf-8"), name
    assert not (tmp_path / ".backup").exists()  # nothing existed, nothing to back up


def test_a_second_import_on_a_later_day_changes_nothing(tmp_path, capsys):
    main(["pricing", "import", "--pricing-dir", str(tmp_path), "--as-of", "2026-11-01"])
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.yaml")}
    capsys.readouterr()
    assert main(["pricing", "import", "--pricing-dir", str(tmp_path), "--as-of", "2026-12-01"]) == 0
    assert "0 sheet(s) written" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.yaml")} == before
    assert not (tmp_path / ".backup").exists()


def test_a_price_moving_more_than_tenfold_stops_the_import_unless_forced(tmp_path, capsys):
    shutil.copy(BUNDLED / "anthropic.yaml", tmp_path / "anthropic.yaml")
    text = (tmp_path / "anthropic.yaml").read_text(encoding="utf-8")
    edited = text.replace("input_usd_per_million_tokens: 8\n", "input_usd_per_million_tokens: 0.5\n", 1)  # claude-2
    assert edited != text
    (tmp_path / "anthropic.yaml").write_text(edited, encoding="utf-8")

    assert main(["pricing", "import", "--pricing-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "anthropic/claude-2 [standard, first] input_usd_per_million_tokens: 0.5 -> 8 (16.0x)" in err
    assert (tmp_path / "anthropic.yaml").read_text(encoding="utf-8") == edited
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anthropic.yaml"]  # nothing written at all

    assert main(["pricing", "import", "--pricing-dir", str(tmp_path), "--force"]) == 0
    assert "input_usd_per_million_tokens: 8\n" in (tmp_path / "anthropic.yaml").read_text(encoding="utf-8")
    backups = list((tmp_path / ".backup").glob("*/anthropic.yaml"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == edited


def test_an_unreadable_existing_sheet_is_not_silently_replaced(tmp_path, capsys):
    (tmp_path / "groq.yaml").write_text("models: [\n", encoding="utf-8")
    assert main(["pricing", "import", "--pricing-dir", str(tmp_path)]) == 2
    assert "groq.yaml:2: YAML syntax error" in capsys.readouterr().err
    assert (tmp_path / "groq.yaml").read_text(encoding="utf-8") == "models: [\n"


def _provider(*models):
    return genai_types.Provider(id="acme", name="Acme", api_pattern="acme", pricing_urls=["https://acme.example/p"], models=list(models))


def _model(model_id, prices, variants=None):
    return genai_types.ModelInfo(id=model_id, match=genai_types.ClauseEquals(equals=model_id), prices=prices, price_variants=variants)


def test_malformed_genai_prices_data_is_refused(monkeypatch):
    bad = _provider(_model("m", genai_types.ModelPrice(input_mtok=Decimal("-1"), output_mtok=Decimal("1"))))
    monkeypatch.setattr("genai_prices.data.providers", [bad])
    with pytest.raises(TcoUserError) as e:
        build_providers(dt.date(2026, 11, 27))
    assert e.value.problems[0].field == "acme" and "greater than or equal to 0" in e.value.problems[0].message


def test_per_key_tiers_become_whole_request_tiers_and_variants_keep_their_dates(monkeypatch):
    T, Tier, MP = genai_types.TieredPrices, genai_types.Tier, genai_types.ModelPrice
    price = MP(input_mtok=T(base=Decimal("1"), tiers=[Tier(start=128_000, price=Decimal("2")), Tier(start=256_000, price=Decimal("3"))]),
               output_mtok=T(base=Decimal("4"), tiers=[Tier(start=256_000, price=Decimal("6"))]),
               web_searches_kcount=Decimal("10"))
    batch_new = genai_types.PriceVariant(when={"processing": "batch"}, prices=MP(input_mtok=Decimal("0.4")),
                                         constraint=genai_types.StartDateConstraint(start_date=dt.date(2026, 5, 1)))
    batch_old = genai_types.PriceVariant(when={"processing": "batch"}, prices=MP(input_mtok=Decimal("0.5")))
    monkeypatch.setattr("genai_prices.data.providers", [_provider(_model("m", price, [batch_new, batch_old]))])
    (sheet,) = build_providers(dt.date(2026, 11, 27))
    entry = sheet.models[0].prices[0]
    assert [(t.above_input_tokens, t.input_usd_per_million_tokens, t.output_usd_per_million_tokens) for t in entry.tiers] == [
        (128_000, Decimal("2"), Decimal("4")), (256_000, Decimal("3"), Decimal("6"))]
    assert "web_searches_kcount" in entry.note
    batch = sheet.models[0].variants["batch"]
    assert [(e.effective_from, e.input_usd_per_million_tokens) for e in batch] == [(None, Decimal("0.5")), (dt.date(2026, 5, 1), Decimal("0.4"))]
    assert sheet.source == "https://acme.example/p (via genai-prices 0.2.3)" and sheet.as_of == "2026-11-27"


def test_variant_names():
    assert variant_name({"processing": "batch"}) == "batch"
    assert variant_name({"service_tier": "flex"}) == "flex"
    assert variant_name({"route": "mistral/eu"}) == "route:mistral/eu"


@pytest.mark.parametrize("provider,api_id,open_id", [
    ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b"),
    ("groq", "llama-3.3-70b-versatile", "llama-3.3-70b"),
    ("aws", "meta.llama3-1-70b-instruct-v1:0", "llama-3.1-70b"),
    ("openrouter", "openai/gpt-oss-120b:free", "gpt-oss-120b"),
    ("cloudflare", "@cf/qwen/qwen3-30b-a3b-fp8", "qwen3-30b-a3b"),
    ("moonshotai", "kimi-k2", "kimi-k2"),
    ("openrouter", "moonshotai/kimi-k2", None),          # may point at a later checkpoint
    ("groq", "deepseek-r1-distill-llama-70b", None),      # a distill is another model
    ("openrouter", "nousresearch/hermes-3-llama-3.1-405b", None),  # a fine-tune
    ("deepseek", "deepseek-chat", None),                  # a moving alias
    ("openrouter", "qwen/qwen3-235b-a22b-2507", None),    # a later checkpoint
    ("cloudflare", "@cf/meta/llama-3.1-8b-instruct-awq", None),  # 4-bit build
])
def test_open_weight_mapping_is_conservative(provider, api_id, open_id):
    assert open_weight_model_for(provider, api_id) == open_id


def test_normalized_api_ids():
    assert normalized_api_id("meta-llama/Llama-3.3-70B-Instruct-Turbo") == "llama-3.3-70b-instruct-turbo"
    assert normalized_api_id("mistral.mixtral-8x7b-instruct-v0:1") == "mixtral-8x7b-instruct"
    assert normalized_api_id("openai.gpt-oss-20b-1:0") == "gpt-oss-20b"


def test_a_curated_window_history_is_written_dated_and_stops_the_import_once_stale():
    """genai-prices gives DeepSeek V4 Flash's peak window one undated price; the curated history dates it (BILLING.md
    1.4). If genai-prices' current peak price moves, the history's last entry is stale: the import says so."""
    from tco.load.time_of_day_history import PEAK, window_history

    current = {"input_usd_per_million_tokens": Decimal("0.3"), "output_usd_per_million_tokens": Decimal("1.2"),
               "cache_read_usd_per_million_tokens": Decimal("0.006")}
    entries = window_history("deepseek", "deepseek-v4-flash", PEAK, current)
    assert [e["effective_from"] for e in entries] == [None, dt.date(2026, 8, 17), dt.date(2026, 8, 23), dt.date(2026, 9, 10)]
    assert entries[1]["input_usd_per_million_tokens"] == 2 * Decimal("0.22")  # double the V4 off-peak price
    # from 2026-08-23 the peak holds Monday to Friday only (weekends off-peak all day), same prices
    assert [e.get("weekdays_only", False) for e in entries] == [False, False, True, True]
    assert all(e["source"] for e in entries)
    assert window_history("deepseek", "deepseek-chat", PEAK, current) is None
    with pytest.raises(ValueError, match="stale"):
        window_history("deepseek", "deepseek-v4-flash", PEAK, {**current, "input_usd_per_million_tokens": Decimal("0.35")})


def test_a_curated_addition_genai_prices_now_gives_itself_stops_the_import():
    """tco/load/sheet_additions.py adds Bedrock's long-context tier to openai.gpt-5.4; once genai-prices lists a tier
    there itself, the addition is stale and the import says which table entry to remove (never two figures)."""
    from tco.load.sheet_additions import StaleAddition, add_curated

    tiered = [{"effective_from": None, "input_usd_per_million_tokens": Decimal("2.75"),
               "output_usd_per_million_tokens": Decimal("16.5"), "tiers": [{"above_input_tokens": 272000}]}]
    with pytest.raises(StaleAddition, match="LONG_CONTEXT_TIERS"):
        add_curated("aws", "openai.gpt-5.4", tiered, {}, None)
    with pytest.raises(StaleAddition, match="BATCH_SHARES"):
        add_curated("google", "gemini-3.7-flash", [{"input_usd_per_million_tokens": Decimal("0.75")}], {"batch": []}, None)
    plain = [{"effective_from": None, "input_usd_per_million_tokens": Decimal("2.75"),
              "output_usd_per_million_tokens": Decimal("16.5"), "tiers": []}]
    note = add_curated("aws", "openai.gpt-5.4", plain, {}, None)
    assert plain[0]["tiers"] == [{"above_input_tokens": 272000, "input_usd_per_million_tokens": Decimal("5.5"),
                                  "output_usd_per_million_tokens": Decimal("24.75"),
                                  "cache_write_usd_per_million_tokens": Decimal("6.875")}]
    assert plain[0]["cache_write_usd_per_million_tokens"] == Decimal("3.4375")
    assert note.startswith("Added by llm-tco (tco/load/sheet_additions.py)") and "BILLING.md 1.1" in note
