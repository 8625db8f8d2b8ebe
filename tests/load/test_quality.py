"""The bundled capability data and the user's own score files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tco.engine.capability import category_score
from tco.errors import TcoUserError
from tco.load.quality import load_quality, load_user_scores
from tco.paths import bundled_dir

DATA = Path(__file__).resolve().parents[1] / "data" / "quality"
COLLECTED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "quality" / "scores.csv"
"""The project's shared data folder sits beside the checkout (on developer machines and in CI)."""


@pytest.fixture(scope="module")
def quality(bundled_quality):
    return bundled_quality


def test_bundled_data_loads_with_one_id_per_model(quality):
    assert len(quality.scores) == 653
    assert len(quality.models) == 53
    assert quality.scored_models() == set(quality.models)
    assert {"gpt-4.1", "claude-sonnet-4", "gemini-2.5-pro", "grok-4"} <= set(quality.closed_models())
    assert quality.models["deepseek-v3.1"].open_weight_model == "deepseek-v3"
    assert quality.models["phi-4"].open_weight_model == "phi-4"


@pytest.mark.skipif(not COLLECTED_CSV.exists(), reason="the shared data folder is not beside this checkout")
def test_every_collected_row_is_kept_unchanged(quality):
    with COLLECTED_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {m.name: m.id for m in quality.models.values()}
    assert len(rows) == len(quality.scores)
    for r, s in zip(rows, quality.scores):
        assert (names[r["model"]], r["benchmark"], float(r["score"]), r["unit"], r["setting"] or None,
                r["reported_by"], r["source"], r["source_date"], r["note"] or None) == \
               (s.model, s.benchmark, s.score, s.unit, s.setting, s.reported_by, s.source, s.as_of, s.note)


def test_gpt_4o_knowledge_score_by_hand(quality):
    # MMLU-Pro 72.6 (DeepSeek-V3 README, independent); MMLU 85.7 (simple-evals, vendor: the only
    # source, first row); GPQA Diamond 49.9 (DeepSeek-V3 README, independent, preferred over vendor rows)
    score = category_score(quality.book(), "gpt-4o", "knowledge")
    assert score.score == pytest.approx((72.6 + 85.7 + 49.9) / 3)
    assert [(e.benchmark, e.score, e.reported_by, e.as_of) for e in score.evidence] == [
        ("MMLU-Pro", 72.6, "independent", "2024-12-26"),
        ("MMLU", 85.7, "vendor", "2025-07-09"),
        ("GPQA Diamond", 49.9, "independent", "2024-12-26"),
    ]
    assert score.evidence[0].source.startswith("github.com/deepseek-ai/DeepSeek-V3 @ e975062")


def test_qwen3_32b_math_score_by_hand(quality):
    # Qwen3 technical report, thinking mode rows (listed first): AIME 2024 81.4, AIME 2025 72.9, GPQA Diamond 68.4
    score = category_score(quality.book(), "qwen3-32b", "math")
    assert score.score == pytest.approx((81.4 + 72.9 + 68.4) / 3)
    assert {e.setting for e in score.evidence} == {"thinking"}
    assert all("Qwen3_Technical_Report.pdf" in e.source for e in score.evidence)


def test_every_price_reference_exists_in_genai_prices_and_is_not_deprecated(quality):
    genai_data = pytest.importorskip("genai_prices.data")
    index = {(p.id, m.id): m for p in genai_data.providers for m in p.models}
    refs = [(m.id, r.provider, r.model) for m in quality.models.values() for r in m.api_models]
    assert len(refs) > 200
    missing = [r for r in refs if (r[1], r[2]) not in index]
    assert missing == []
    assert [r for r in refs if index[(r[1], r[2])].deprecated] == []


def test_open_weight_models_exist_in_the_hardware_catalog(quality):
    models_yaml = bundled_dir("hardware") / "models.yaml"
    if not models_yaml.exists():
        pytest.skip("hardware/models.yaml not present")
    import yaml

    ids = {m["id"] for m in yaml.safe_load(models_yaml.read_text())["models"]}
    wanted = {m.open_weight_model for m in quality.models.values() if m.open_weight_model}
    assert wanted - ids == set()


def test_an_open_weight_model_the_hardware_catalog_has_is_linked_to_it(quality):
    """Without the link `tco match` cannot cost self-hosting the model (its `self_host_as` is empty): Phi-4,
    Qwen3-8B, Mistral-Small-3.1-24B and Mistral-Large-2 were scored unlinked, their records notwithstanding."""
    import re

    import yaml

    records = yaml.safe_load((bundled_dir("hardware") / "models.yaml").read_text())["models"]

    def base(name: str) -> str:  # "Phi-4 (14B)" -> "phi-4"
        return re.sub(r"\s*\(.*\)", "", name).strip().lower()

    unlinked = {m.id: [r["id"] for r in records if m.name.lower().startswith(base(r["name"]))]
                for m in quality.models.values() if m.kind == "open-weight" and m.open_weight_model is None}
    assert {model: found for model, found in unlinked.items() if found} == {}
    assert quality.models["mistral-small-3.1-24b-instruct"].open_weight_model == "mistral-small-3.1-24b"


def test_user_csv_is_read_with_categories_and_benchmarks(quality):
    scores = load_user_scores(DATA / "user_scores.csv", quality.models)
    assert [(s.model, s.metric, s.score, s.category, s.line) for s in scores] == [
        ("llama-3.3-70b-instruct", "our support-ticket eval", 81.5, "coding", 2),
        ("gpt-4.1", "our support-ticket eval", 82.0, "coding", 3),
        ("qwen3-32b", "IFEval", 50.0, None, 4),
    ]
    book = quality.book(scores)
    assert category_score(quality.book(), "qwen3-32b", "instruction-following").score == 85.0
    overridden = category_score(book, "qwen3-32b", "instruction-following")
    assert overridden.score == 50.0 and overridden.evidence[0].source.endswith("user_scores.csv:4")


def test_bad_csv_header_names_the_column(quality):
    with pytest.raises(TcoUserError) as e:
        load_user_scores(DATA / "bad_scores.csv", quality.models)
    text = str(e.value)
    assert f"{DATA / 'bad_scores.csv'}:1: categry: unknown column" in text
    assert "did you mean `category`?" in text


def test_bad_csv_rows_report_file_line_and_column(quality):
    with pytest.raises(TcoUserError) as e:
        load_user_scores(DATA / "bad_rows.csv", quality.models)
    name = str(DATA / "bad_rows.csv")
    got = [p.render().splitlines()[0] for p in e.value.problems]
    assert got == [
        f"{name}:2: score: must be a number (got 'abc')",
        f"{name}:3: model: unknown model id `qwen3-32c`",
        f"{name}:4: category: must be one of coding, math, knowledge, instruction-following, agentic, chat (got 'codng')",
        f"{name}:4: date: must be a date written as YYYY-MM-DD, or YYYY-MM (got '21/11/2026')",
        f"{name}:5: score: must be percent points between 0 and 100 (got 170)",
    ]


@pytest.mark.parametrize("date, valid", [("2026-13-01", False), ("2026-02-30", False), ("2026-00", False),
                                         ("2026-02-28", True), ("2026-02", True), ("2026", True)])
def test_a_score_date_must_be_a_day_the_calendar_has(quality, tmp_path, date, valid):
    """Bug hunt: the pattern alone let 2026-13-01 and 2026-13-45 through."""
    (tmp_path / "own.csv").write_text(f"model,metric,score,date\nqwen3-32b,LiveCodeBench,49,{date}\n")
    if valid:
        assert load_user_scores(tmp_path / "own.csv", quality.models)[0].date == date
        return
    with pytest.raises(TcoUserError, match=f"own.csv:2: date: must be a date written as YYYY-MM-DD, or YYYY-MM \\(got '{date}'\\)"):
        load_user_scores(tmp_path / "own.csv", quality.models)


def test_lm_eval_results_json(quality):
    scores = load_user_scores(DATA / "lm_eval_results.json", quality.models)
    assert [(s.model, s.metric, s.score, s.date) for s in scores] == [
        ("qwen3-32b", "IFEval", 81.33, "2025-11-27"),
        ("qwen3-32b", "MMLU-Pro", 60.21, "2025-11-27"),
    ]


def test_broken_quality_file_is_located(tmp_path):
    (tmp_path / "models.yaml").write_text("models:\n  - id: a\n    name: A\n    kind: closed\n")
    (tmp_path / "scores.yaml").write_text(
        "scores:\n  - model: b\n    benchmark: IFEval\n    score: 80\n    unit: percent\n"
        "    reported_by: vendor\n    source: x\n    as_of: '2025'\n"
        "  - model: a\n    benchmark: IFEval\n    score: 180\n    unit: percent\n"
        "    reported_by: vendor\n    source: x\n    as_of: '2025'\n")
    with pytest.raises(TcoUserError) as e:
        load_quality(tmp_path)
    assert "scores.yaml:9: scores[1]: a percent score must be between 0 and 100 (got 180.0)" in str(e.value)
    (tmp_path / "scores.yaml").write_text(
        "scores:\n  - model: b\n    benchmark: IFEval\n    score: 80\n    unit: percent\n"
        "    reported_by: vendor\n    source: x\n    as_of: '2025'\n")
    with pytest.raises(TcoUserError) as e:
        load_quality(tmp_path)
    assert "scores.yaml:2: scores[0].model: unknown model id `b` (not in models.yaml)" in str(e.value)
