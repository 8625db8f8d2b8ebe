"""The base every data and scenario model shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, StringConstraints, model_validator

Id = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/+@-]*$")]
"""Catalog ids are strict strings: YAML would otherwise turn `no` into False or `2025-06-10` into a date."""

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A fraction between 0 and 1 (write 0.85, not 85)."""

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def _date_text(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, int) and 1900 < value < 2200:
        return str(value)
    return value


PartialDate = Annotated[
    StrictStr,
    BeforeValidator(_date_text),
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
]
"""A date known to the day (`2025-06-10`), the month (`2025-06`) or only the year (`2026`).

Why not `datetime.date`: some sources are dated only "2026"; inventing a day would be a lie.
"""


class StrictModel(BaseModel):
    """Unknown keys are errors, values are never coerced silently, and field docs become schema docs."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
        populate_by_name=True,
    )


class Source(StrictModel):
    """Where a group of figures was read, and when."""

    source: Annotated[str, StringConstraints(min_length=1)]
    """A URL, or `github.com/owner/repo path @commit`."""
    as_of: PartialDate
    """Date of the source (or the date it was read when the source has none): YYYY, YYYY-MM or YYYY-MM-DD."""
    note: str | None = None
    """Caveats: third-party source, derived value, conflicts between sources."""


class FigureSource(Source):
    """A source for some of a record's figures."""

    covers: list[str] = Field(min_length=1)
    """The field names whose values this source gives."""


class SourcedRecord(StrictModel):
    """A record whose every figure must be covered by one of its `sources`.

    Why: "real numbers only". A figure with no source is refused when the file is loaded.
    """

    sources: list[FigureSource] = Field(min_length=1)
    """Where each figure was read; every numeric field that has a value must be named in some `covers`."""

    @model_validator(mode="after")
    def _every_figure_has_a_source(self):
        covered = {name for s in self.sources for name in s.covers}
        fields = type(self).model_fields
        unknown = covered - set(fields)
        if unknown:
            raise ValueError(f"sources name fields that do not exist: {', '.join(sorted(unknown))}")
        missing = [
            name for name, info in fields.items()
            if name not in covered and name not in self.unsourced_fields()
            and isinstance(getattr(self, name), (int, float)) and not isinstance(getattr(self, name), bool)
        ]
        if missing:
            raise ValueError(f"figures without a source: {', '.join(missing)} (add them to a `covers` list)")
        return self

    @classmethod
    def unsourced_fields(cls) -> set[str]:
        """Numeric fields that are identifiers or counts defined by the record itself, not figures."""
        return set()
