"""Read the capability data (pricing/quality/) and the user's own evaluation scores.

Why the user's scores have their own reader: they come as a CSV or an lm-evaluation-harness
results JSON, not YAML, and every bad cell must still be reported as `file:line: column: message`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from tco.engine.capability import CATEGORIES, ScoreBook
from tco.errors import DataProblem, TcoUserError
from tco.load.yaml_source import did_you_mean, load_yaml, read_text, validate_as
from tco.model.quality import ModelsFile, QualityModel, ScoreRow, ScoresFile, UserScore
from tco.paths import bundled_dir

USER_COLUMNS_REQUIRED = ("model", "metric", "score", "date")
USER_COLUMNS_OPTIONAL = ("category", "note")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _calendar_date(text: str) -> bool:
    """`2026-01-01`, `2026-01` or `2026`, and a day the calendar has (`2026-13-01` matched the pattern alone)."""
    if not _DATE.match(text):
        return False
    try:
        dt.date.fromisoformat((text + "-01-01")[:10] if len(text) == 4 else (text + "-01")[:10])
    except ValueError:
        return False
    return True


_COLUMN_NAME = re.compile(r"^[a-z0-9_ .-]{0,40}$")
"""A header cell shown back in an error: a short plain name, never arbitrary bytes of the file."""

LM_EVAL_TASKS = {
    "mmlu": "MMLU", "mmlu_pro": "MMLU-Pro", "ifeval": "IFEval",
    "gpqa_diamond_zeroshot": "GPQA Diamond", "gpqa_diamond_cot_zeroshot": "GPQA Diamond",
    "aime24": "AIME 2024", "aime25": "AIME 2025",
}
"""lm-evaluation-harness task names we can place on a known benchmark."""
LM_EVAL_METRICS = ("prompt_level_strict_acc,none", "exact_match,custom-extract", "exact_match,flexible-extract",
                   "exact_match,none", "acc,none")
"""The first of these a task reports is used (fractions 0-1, turned into percent)."""


@dataclass
class QualityData:
    models: dict[str, QualityModel] = field(default_factory=dict)
    scores: list[ScoreRow] = field(default_factory=list)
    folder: Path | None = None

    def book(self, user_scores: Iterable[UserScore] = ()) -> ScoreBook:
        return ScoreBook(self.scores, user_scores)

    def closed_models(self) -> list[str]:
        return sorted(m.id for m in self.models.values() if m.kind == "closed")

    def scored_models(self) -> set[str]:
        return {s.model for s in self.scores}


def load_quality(folder: Path | None = None) -> QualityData:
    """models.yaml and scores.yaml, cross-checked (every score names a known model id)."""
    folder = folder or bundled_dir("pricing") / "quality"
    models_path, scores_path = folder / "models.yaml", folder / "scores.yaml"
    data, lines = load_yaml(models_path)
    models_file = validate_as(ModelsFile, data, str(models_path), lines)
    problems: list[DataProblem] = []
    models: dict[str, QualityModel] = {}
    sellers: dict[tuple[str, str], str] = {}
    for i, m in enumerate(models_file.models):
        if m.id in models:
            problems.append(DataProblem(str(models_path), lines.get(("models", i, "id")), f"models[{i}].id", f"duplicate id `{m.id}`"))
        models[m.id] = m
        for j, ref in enumerate(m.api_models):
            key = (ref.provider, ref.model)
            if key in sellers and sellers[key] != m.id:
                problems.append(DataProblem(str(models_path), lines.get(("models", i, "api_models", j)), f"models[{i}].api_models[{j}]",
                                            f"{ref.provider}/{ref.model} is already listed for `{sellers[key]}`"))
            sellers[key] = m.id
    data, lines = load_yaml(scores_path)
    scores_file = validate_as(ScoresFile, data, str(scores_path), lines)
    for i, s in enumerate(scores_file.scores):
        if s.model not in models:
            problems.append(DataProblem(str(scores_path), lines.get(("scores", i, "model")), f"scores[{i}].model",
                                        f"unknown model id `{s.model}` (not in models.yaml)", hint=did_you_mean(s.model, models)))
    if problems:
        raise TcoUserError(problems)
    return QualityData(models, list(scores_file.scores), folder)


def load_user_scores(path: Path, known_models: Iterable[str] | None = None, model_id: str | None = None) -> list[UserScore]:
    """The user's own evaluation: a CSV (model,metric,score,date[,category,note]) or an lm-eval JSON.

    `model_id` names the model an lm-eval JSON was run on (the JSON does not carry our ids).
    """
    text = read_text(path)
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _lm_eval(path, text, known_models, model_id)
    return _csv(path, text, known_models)


def _csv(path: Path, text: str, known_models: Iterable[str] | None) -> list[UserScore]:
    name = str(path)
    known = set(known_models) if known_models is not None else None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise TcoUserError(DataProblem(name, 1, "", "empty file; the first line must be the header model,metric,score,date"))
    columns = [h.strip().lower() for h in header]
    if not any(col in USER_COLUMNS_REQUIRED for col in columns):
        # Not a scores CSV at all (a wrong path, e.g. a system file): say so without echoing its bytes.
        raise TcoUserError(DataProblem(name, 1, "", "is not a scores CSV: its first line is not the header model,metric,score,date",
                                       hint="user_scores_file must name a CSV (model,metric,score,date[,category,note]) "
                                            "or an lm-evaluation-harness results JSON"))
    problems = []
    for col in columns:
        if col not in USER_COLUMNS_REQUIRED + USER_COLUMNS_OPTIONAL:
            shown = col if _COLUMN_NAME.match(col) else "(a column that is not a plain name)"
            problems.append(DataProblem(name, 1, shown or "(empty)", "unknown column",
                                        hint=did_you_mean(col, USER_COLUMNS_REQUIRED + USER_COLUMNS_OPTIONAL)))
    for col in USER_COLUMNS_REQUIRED:
        if col not in columns:
            problems.append(DataProblem(name, 1, col, "required column is missing", hint="the header must include model,metric,score,date"))
    if problems:
        raise TcoUserError(problems)
    out: list[UserScore] = []
    seen: dict[tuple[str, str], int] = {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            problems.append(DataProblem(name, line_no, "", f"has {len(cells)} values but the header has {len(columns)} columns"))
            continue
        row = {c: v.strip() for c, v in zip(columns, cells)}
        before = len(problems)
        model, metric, category = row["model"], row["metric"], row.get("category") or None
        if not model:
            problems.append(DataProblem(name, line_no, "model", "must not be empty"))
        elif known is not None and model not in known:
            problems.append(DataProblem(name, line_no, "model", f"unknown model id `{model}`", hint=did_you_mean(model, known)))
        if not metric:
            problems.append(DataProblem(name, line_no, "metric", "must not be empty"))
        if category is not None and category not in CATEGORIES:
            problems.append(DataProblem(name, line_no, "category", f"must be one of {', '.join(CATEGORIES)} (got {category!r})",
                                        hint=did_you_mean(category, CATEGORIES)))
        benchmarks = {b for bs in CATEGORIES.values() for b in bs}
        if category is None and metric and metric not in benchmarks:
            problems.append(DataProblem(name, line_no, "metric", f"`{metric}` is not a benchmark llm-tco knows",
                                        hint=did_you_mean(metric, benchmarks) or "fill the `category` column to use it as your score for a task category"))
        score = _number(row["score"])
        if score is None:
            problems.append(DataProblem(name, line_no, "score", f"must be a number (got {row['score']!r})"))
        elif not 0 <= score <= 100:
            problems.append(DataProblem(name, line_no, "score", f"must be percent points between 0 and 100 (got {row['score']})"))
        if not _calendar_date(row["date"]):
            problems.append(DataProblem(name, line_no, "date", f"must be a date written as YYYY-MM-DD, or YYYY-MM "
                                        f"(got {row['date']!r})"))
        key = (model, category or metric)
        if key in seen:
            problems.append(DataProblem(name, line_no, "", f"duplicate score for {model} / {category or metric} (first on line {seen[key]})"))
        if len(problems) == before:
            seen[key] = line_no
            out.append(UserScore(model, metric, score, row["date"], category, row.get("note") or None, name, line_no))
    if problems:
        raise TcoUserError(problems)
    return out


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _lm_eval(path: Path, text: str, known_models: Iterable[str] | None, model_id: str | None) -> list[UserScore]:
    name = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TcoUserError(DataProblem(name, e.lineno, "", f"not valid JSON: {e.msg}")) from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        raise TcoUserError(DataProblem(name, None, "results", "an lm-evaluation-harness results file needs a `results` mapping"))
    model = model_id or data.get("model_name")
    known = set(known_models) if known_models is not None else None
    if not model or (known is not None and model not in known):
        raise TcoUserError(DataProblem(name, None, "model_name", f"cannot tell which model this is (got {model!r})",
                                       hint="name a model id of pricing/quality/models.yaml: `tco match ... --scores-model llama-3.3-70b-instruct`, "
                                            "or that id as the file's `model_name`"))
    stamp = data.get("date")
    date = dt.datetime.fromtimestamp(float(stamp), dt.timezone.utc).date().isoformat() if isinstance(stamp, (int, float)) \
        else dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    out = []
    for task, metrics in results.items():
        benchmark = LM_EVAL_TASKS.get(task)
        if benchmark is None or not isinstance(metrics, dict):
            continue
        for metric in LM_EVAL_METRICS:
            value = metrics.get(metric)
            if isinstance(value, (int, float)) and math.isfinite(value):
                out.append(UserScore(model, benchmark, round(100 * float(value), 4), date, None,
                                     f"lm-evaluation-harness task {task}, {metric}", name, None))
                break
    if not out:
        raise TcoUserError(DataProblem(name, None, "results", f"no task llm-tco can place on a benchmark (known: {', '.join(LM_EVAL_TASKS)})"))
    return out
