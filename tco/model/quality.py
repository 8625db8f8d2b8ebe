"""Capability data: published benchmark scores, one model id across catalogs, and a requirement.

Why scores carry setting, reporter, source and date on every row: the same model on the same
benchmark differs by 10-30 points between sources; a number without them cannot be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from tco.model.base import Id, PartialDate, StrictModel

Text = Annotated[str, StringConstraints(min_length=1)]
ScoreUnit = Literal["percent", "elo", "index"]
ReportedBy = Literal["vendor", "independent"]
ModelKind = Literal["closed", "open-weight"]


class ScoreRow(StrictModel):
    """One published score, unchanged from its source."""

    model: Id
    """Canonical model id (pricing/quality/models.yaml)."""
    benchmark: Text
    """Normalised benchmark name; versions that are not comparable have different names."""
    score: float = Field(allow_inf_nan=False)
    unit: ScoreUnit
    """percent (0-100 accuracy / pass rate / win rate) or elo (LMArena rating, one snapshot only)."""
    setting: str | None = None
    """Thinking on/off, shots, scaffold, date window... as stated by the source."""
    reported_by: ReportedBy
    """vendor = the model's own developer; independent = anyone else (competitor labs included)."""
    source: Text
    as_of: PartialDate
    """Date of the source (snapshot, commit or publication)."""
    note: str | None = None

    @model_validator(mode="after")
    def _percent_in_range(self):
        if self.unit == "percent" and not 0 <= self.score <= 100:
            raise ValueError(f"a percent score must be between 0 and 100 (got {self.score})")
        return self


class ScoresFile(StrictModel):
    scores: list[ScoreRow]


class ApiModelRef(StrictModel):
    """A model on a price sheet: `pricing/<provider>.yaml`, entry `model`."""

    provider: Id
    model: Text


class QualityModel(StrictModel):
    """One model under one id, with where it can be self-hosted and where it is sold per token."""

    id: Id
    name: Text
    """The name the score sources use (e.g. `Claude Sonnet 4`)."""
    kind: ModelKind
    open_weight_model: Id | None = None
    """Architecture id in hardware/models.yaml (sizing for self-hosting); None when not in the catalog."""
    api_models: list[ApiModelRef] = Field(default_factory=list)
    """Exact price-sheet entries selling this model per token."""
    note: str | None = None

    @model_validator(mode="after")
    def _closed_has_no_weights(self):
        if self.kind == "closed" and self.open_weight_model is not None:
            raise ValueError("a closed model cannot have an open_weight_model")
        return self


class ModelsFile(StrictModel):
    models: list[QualityModel]


@dataclass(frozen=True)
class UserScore:
    """A score from the user's own evaluation; it beats any public figure for the same model.

    `category` set: a direct category score. Otherwise `metric` names the benchmark it replaces.
    """

    model: str
    metric: str
    score: float
    date: str
    category: str | None = None
    note: str | None = None
    file: str = ""
    line: int | None = None


class CapabilityRequirement(StrictModel):
    """The capability an option must reach for a task category (optional `capability:` scenario block).

    Give `min_score` (percent points), or `comparable_to` a model with a `margin_points` tolerance.
    """

    category: Literal["coding", "math", "knowledge", "instruction-following", "agentic", "chat"]
    """Task category; each maps to a fixed list of benchmarks (see tco/engine/capability.py)."""
    min_score: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    """Lowest acceptable category score, in percent points."""
    comparable_to: Id | None = None
    """A model id from pricing/quality/models.yaml whose capability the option must match."""
    margin_points: float = Field(default=3.0, ge=0, le=100, allow_inf_nan=False)
    """How many percent points below `comparable_to` still counts as comparable."""
    user_scores_file: str | None = None
    """CSV of your own evaluation (model,metric,score,date[,category,note]); it beats public scores."""

    @model_validator(mode="after")
    def _one_bar(self):
        if (self.min_score is None) == (self.comparable_to is None):
            raise ValueError("give exactly one of min_score or comparable_to")
        return self
