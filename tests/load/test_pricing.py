"""Loading price sheets: bundled data integrity, user overrides, located errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tco.cli import main
from tco.engine.api_price import find_api_model, resolve_api_price
from tco.errors import TcoUserError
from tco.load.pricing import load_provider, load_providers, pricing_dirs, provider_ids
from tco.paths import bundled_dir

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"


@pytest.fixture(scope="module")
def bundled(bundled_price_sheets):
    return bundled_price_sheets


def test_bundled_sheets_cover_40_providers_and_1500_models_all_sourced_and_dated(bundled):
    assert len(bundled) >= 40
    assert sum(len(p.models) for p in bundled.values()) >= 1500
    for provider in bundled.values():
        assert provider.source and "genai-prices" in provider.source
        dt.date.fromisoformat(provider.as_of)
        for model in provider.models:
            priced = [e for e in model.prices if any(v is not None for v in (
                e.input_usd_per_million_tokens, e.output_usd_per_million_tokens, e.cache_read_usd_per_million_tokens))]
            assert priced, f"{provider.id}/{model.id} has no per-token price"


def test_every_bundled_sheet_is_under_one_mebibyte_and_starts_with_the_schema_line():
    for path in bundled_dir("pricing").glob("*.yaml"):
        assert path.stat().st_size < 2**20, path
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=schema/provider.schema.json\n")


def test_open_weight_ids_point_at_models_listed_in_the_brief(bundled):
    allowed = set("""llama-3.1-8b llama-3.1-70b llama-3.3-70b llama-3.1-405b llama-4-scout llama-4-maverick mistral-7b
        mixtral-8x7b mixtral-8x22b qwen2.5-72b qwen3-32b qwen3-30b-a3b qwen3-235b-a22b deepseek-v3 deepseek-r1 gpt-oss-20b
        gpt-oss-120b gemma-3-27b llama-2-70b qwen3-8b qwen2.5-7b qwen3-coder-480b-a35b llama-3.2-3b llama-3.2-1b
        mistral-small-3.1-24b mistral-large-2 gemma-3-12b phi-4 kimi-k2 glm-4.5 glm-4.5-air""".split())
    used = {m.open_weight_model for p in bundled.values() for m in p.models if m.open_weight_model}
    assert used <= allowed
    together = bundled["together"]
    assert find_api_model(together, "meta-llama/Llama-3.3-70B-Instruct-Turbo").open_weight_model == "llama-3.3-70b"
    assert find_api_model(bundled["groq"], "llama-3.3-70b-versatile").open_weight_model == "llama-3.3-70b"
    # a distill is a different model, and a moving alias is not one model at all
    assert find_api_model(bundled["groq"], "deepseek-r1-distill-llama-70b").open_weight_model is None
    assert find_api_model(bundled["deepseek"], "deepseek-chat").open_weight_model is None


def test_provider_ids_lists_bundled_and_user_sheets():
    ids = provider_ids(pricing_dirs([DATA / "user"]))
    assert "acme-private" in ids and "anthropic" in ids and "openai" in ids


def test_a_user_sheet_overrides_same_id_models_and_adds_new_ones():
    dirs = pricing_dirs([DATA / "user"])
    merged = load_provider("anthropic", dirs)
    bundled = load_provider("anthropic", pricing_dirs())
    assert len(merged.models) == len(bundled.models) + 1  # one replaced, one added
    opus = resolve_api_price(merged, "claude-opus-4-6", dt.date(2026, 9, 1), 1_000)
    assert (opus.input_usd_per_million_tokens, opus.output_usd_per_million_tokens) == (4.0, 20.0)
    assert opus.source == "contract ACME-2026-07, schedule B" and opus.as_of == "2026-07-01"
    private = resolve_api_price(merged, "claude-private-endpoint", dt.date(2026, 9, 1), 1_000)
    assert private.source == "private endpoint quote Q-17" and private.as_of == "2026-08-15"
    untouched = resolve_api_price(merged, "claude-3-haiku", dt.date(2026, 9, 1), 1_000)
    assert "anthropic.com" in untouched.source  # bundled models keep the bundled source
    assert merged.name == bundled.name


def test_a_user_sheet_for_a_new_provider_adds_it():
    acme = load_provider("acme-private", pricing_dirs([DATA / "user"]))
    assert [m.id for m in acme.models] == ["llama-3.3-70b-internal"]
    assert acme.models[0].open_weight_model == "llama-3.3-70b"


def test_a_missing_provider_suggests_the_closest_one():
    with pytest.raises(TcoUserError) as e:
        load_provider("anthropc", pricing_dirs())
    assert e.value.problems[0].hint == "did you mean `anthropic`?"


def test_bad_sheets_report_every_problem_with_file_line_and_field():
    with pytest.raises(TcoUserError) as e:
        load_providers(["acme", "wrong-name"], [DATA / "bad"])
    rendered = [p.render().split("\n")[0].replace(str(DATA / "bad") + "/", "") for p in e.value.problems]
    assert rendered == [
        "acme.yaml:9: models[0].prices[0].input_usd_per_million_tokens: must be at least 0 (got -1)",
        "acme.yaml:10: models[0].prices[0].output_usd_per_millon_tokens: unknown field",
        "acme.yaml:11: models[1]: prices: effective_from dates must be strictly increasing",
        "wrong-name.yaml:2: id: `acme` must equal the file name `wrong-name`",
    ]
    assert e.value.problems[1].hint == "did you mean `output_usd_per_million_tokens`?"


def test_pricing_list_json_rows_carry_source_date_and_prices(capsys):
    code = main(["pricing", "list", "--provider", "anthropic", "--model", "claude-3-haiku", "--on", "2026-11-27", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    row = next(r for r in rows if r["model"] == "claude-3-haiku")
    assert row == {
        "provider": "anthropic", "model": "claude-3-haiku", "input_usd_per_million_tokens": 0.25,
        "output_usd_per_million_tokens": 1.25, "cache_read_usd_per_million_tokens": 0.03,
        "cache_write_usd_per_million_tokens": 0.3, "open_weight_model": None,
        "source": "https://www.anthropic.com/pricing#api (via genai-prices 0.2.3)", "as_of": row["as_of"],
        "effective_from": None, "retired_on": None,
    }


def test_pricing_list_shows_the_day_a_model_was_retired(capsys):
    """The mistral sheet's note: open-mixtral-8x22b billed $2/$6 "from launch until its 2025-03-30 retirement"; the
    listing of "prices in force today" showed those prices with nothing to say no one sells them any more."""
    assert main(["pricing", "list", "--provider", "mistral", "--model", "mixtral-8x22b-instruct", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["input_usd_per_million_tokens"], row["output_usd_per_million_tokens"], row["retired_on"]) == (2.0, 6.0, "2025-03-30")
    assert main(["pricing", "list", "--provider", "mistral", "--model", "mixtral-8x22b-instruct", "--wide"]) == 0
    header, _, line = capsys.readouterr().out.splitlines()[:3]
    assert line[header.index("retired_on"):].split()[0] == "2025-03-30"


def test_pricing_and_committed_tables_show_the_source_with_wide(capsys):
    """`tco pricing list` and `tco offers list --term` tables showed a date but no source, even with --wide (only csv
    and json had it): the price of claude-3-haiku came with no word of where it was read."""
    assert main(["pricing", "list", "--provider", "anthropic", "--model", "claude-3-haiku", "--wide"]) == 0
    header, _, line = capsys.readouterr().out.splitlines()[:3]
    assert header.split()[-1] == "source" and line.endswith("https://www.anthropic.com/pricing#api (via genai-prices 0.2.3)")
    assert main(["offers", "list", "--term", "3y", "--gpu", "l4", "--cloud", "gcp", "--wide"]) == 0
    header, _, line = capsys.readouterr().out.splitlines()[:3]
    assert header.split()[-1] == "source" and "github.com/Cyclenerd/google-cloud-pricing-cost-calculator" in line


def test_pricing_list_with_a_user_dir_and_a_bad_provider_exits_2(capsys):
    assert main(["pricing", "list", "--provider", "nope-provider"]) == 2
    assert "no price sheet for provider `nope-provider`" in capsys.readouterr().err
    assert main(["pricing", "list", "--pricing-dir", str(DATA / "bad"), "--provider", "acme"]) == 2
    err = capsys.readouterr().err
    assert "acme.yaml:9: models[0].prices[0].input_usd_per_million_tokens" in err and "Traceback" not in err


def test_a_yml_sheet_is_read_like_a_yaml_one_and_both_in_one_folder_are_refused(tmp_path):
    """A `.yml` sheet was skipped without a word: its provider was unknown to a run."""
    sheet = (DATA / "user" / "acme-private.yaml").read_text(encoding="utf-8")
    (tmp_path / "acme-private.yml").write_text(sheet, encoding="utf-8")
    dirs = pricing_dirs([tmp_path])
    assert "acme-private" in provider_ids(dirs)
    assert load_provider("acme-private", dirs) == load_provider("acme-private", pricing_dirs([DATA / "user"]))
    (tmp_path / "acme-private.yaml").write_text(sheet, encoding="utf-8")
    with pytest.raises(TcoUserError) as caught:
        load_provider("acme-private", dirs)
    assert [p.render() for p in caught.value.problems] == [
        f"{tmp_path / 'acme-private.yml'}: acme-private.yaml in the same folder is the same provider's sheet\n"
        "    hint: keep one of the two files"]


def test_an_empty_price_sheet_is_said_to_be_empty_with_its_file(tmp_path, capsys):
    """It was refused as "must be a mapping of keys to values", which does not tell the reader the file has nothing in it.
    (A sheet is read when a scenario names its provider, as a sheet with any other mistake is.)"""
    (tmp_path / "openai.yaml").write_text("# to fill in\n", encoding="utf-8")
    assert main(["pricing", "list", "--pricing-dir", str(tmp_path), "--provider", "openai"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'openai.yaml'}: the file is empty" in err and "Traceback" not in err


EXAMPLE = Path(__file__).resolve().parents[2] / "tco" / "examples" / "customer-support.yaml"


@pytest.mark.parametrize("command", [
    ["run", str(EXAMPLE), "--no-breakeven"],
    ["validate", str(EXAMPLE)],
    ["pricing", "list"],
], ids=["run", "validate", "pricing list"])
@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_a_pricing_dir_that_is_no_folder_is_refused_not_silently_replaced_by_the_bundled_prices(command, kind, tmp_path, capsys):
    """`--pricing-dir my-prics` (a typo) ran at the bundled list prices with exit 0: the user read totals they took for
    their negotiated prices. `--hardware-dir` already refused the same mistake."""
    folder = tmp_path / "my-prices"
    if kind == "a file":
        folder.write_text("not a folder")
    code = main([*command, "--pricing-dir", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.splitlines()[0] == f"{folder}: " + ("no such folder" if kind == "missing" else "is a file, not a folder")
    assert out == ""


SHEET_HEAD = 'schema_version: 1\nid: "acme"\nname: "Acme"\nsource: "my contract"\nas_of: "2026-11-01"\nmodels:\n'


def _model(model_id: str, aliases: str = "") -> str:
    return (f'  - id: "{model_id}"\n' + (f"    aliases: [{aliases}]\n" if aliases else "")
            + "    prices:\n      - input_usd_per_million_tokens: 1\n        output_usd_per_million_tokens: 2\n")


@pytest.mark.parametrize("models, where, message", [
    # the second of two ids, at its own line (it was reported at line 1, and only once every other problem was fixed)
    ((_model("m1"), _model("M1")), "acme.yaml:11: models[1].id", "model id `M1` is also models[0]'s (ids are unique, any case)"),
    # an alias that is another model's id: a scenario naming it got whichever model the lookup met first
    ((_model("m1"), _model("m2", '"x", "M1"')), "acme.yaml:12: models[1].aliases[1]", "alias `M1` is the id of models[0] (`m1`)"),
])
def test_a_sheet_whose_ids_or_aliases_name_two_models_is_refused_at_the_line(tmp_path, capsys, models, where, message):
    (tmp_path / "acme.yaml").write_text(SHEET_HEAD + "".join(models), encoding="utf-8")
    assert main(["pricing", "list", "--pricing-dir", str(tmp_path), "--provider", "acme"]) == 2
    err = capsys.readouterr().err
    assert f"{where}: {message}" in err, err
