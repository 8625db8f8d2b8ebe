"""The base every data and scenario model shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

Id = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/+@-]*$")]
"""Catalog ids are strict strings: YAML would otherwise turn `no` into False or `2025-06-10` into a date."""

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A fraction between 0 and 1 (write 0.85, not 85)."""

Discount = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
"""A fraction off a price, at least 0 and below 1 (0.2 = 20 % off): a discount of 1 would make the option free,
and it then ranked cheapest of all."""

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def _date_text(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, int) and 1900 < value < 2200:
        return str(value)
    return value


def _no_number_for_a_date(value: Any) -> Any:
    """`start_date: 2026` is a year, not the Unix timestamp 2026 seconds after 1970 pydantic would read."""
    if isinstance(value, (int, float)):
        raise PydanticCustomError("date_type", "must be a date written as YYYY-MM-DD")
    return value


EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
"""Dates a scenario may name: LLM APIs are sold since 2020, and a horizon of 120 months from 2099 stays
within the calendar; `1900` or `9999` are typing mistakes that would pick no price at all."""


def _plausible_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", "must be between {low} and {high}",
                                  {"low": EARLIEST_DATE.isoformat(), "high": LATEST_DATE.isoformat()})
    return value


Date = Annotated[dt.date, BeforeValidator(_no_number_for_a_date), AfterValidator(_plausible_date)]
"""A calendar day written YYYY-MM-DD, between EARLIEST_DATE and LATEST_DATE."""


def _real_calendar_day(value: str) -> str:
    """`2026-02-30` matches the pattern but is no day: refuse it rather than read a date that never was."""
    if len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_not_real", "is not a day of the calendar") from None
    elif len(value) == 7 and not 1 <= int(value[5:]) <= 12:
        raise PydanticCustomError("date_not_real", "is not a month of the calendar")
    return value


PartialDate = Annotated[
    StrictStr,
    BeforeValidator(_date_text),
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    AfterValidator(_real_calendar_day),
]
"""A date known to the day (`2025-06-10`), the month (`2025-06`) or only the year (`2026`).

Why not `datetime.date`: some sources are dated only "2026"; inventing a day would be a lie.
"""


def located_error(message: str, at: tuple = (), value: Any = None, hint: str | None = None) -> PydanticCustomError:
    """A model-level error that names the field at fault: `at` is its path inside the model.

    Why: pydantic places a model validator's error at the model (`scenarios[0]`, the `- id:` line);
    the loader (tco.load.yaml_source) appends `at` so the message points at the value, e.g.
    the second of two duplicate ids or the hybrid's `self_hosted` key.
    """
    ctx: dict[str, Any] = {"message": message, "at": tuple(at)}
    if hint:
        ctx["hint"] = hint
    if value is not None:
        ctx["value"] = value
    return PydanticCustomError("located", "{message}", ctx)


class StrictModel(BaseModel):
    """Unknown keys are errors, values are never coerced silently, and field docs become schema docs."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
        populate_by_name=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, data: Any) -> Any:
        """YAML reads `yes`, `no`, `on`, `off` as true/false, and pydantic would take True as 1.

        Why refuse: `requests_per_day: yes` became 1 request and `negotiated_discount: yes` 100 % off.
        Every number field of every model (and every list of numbers) refuses a boolean.
        """
        if isinstance(data, dict):
            for name in _numeric_fields(cls):
                value = data.get(name)
                if isinstance(value, bool) or (isinstance(value, list) and any(isinstance(v, bool) for v in value)):
                    raise located_error(
                        "must be a number, not true/false (YAML reads yes/no/on/off as true/false)", (name,))
        return data


def _numeric_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of `model` whose type is a number (or a list of numbers) and never a boolean."""
    cached = model.__dict__.get("_tco_numeric_fields")
    if cached is not None:
        return cached
    import decimal
    import typing

    names = set()
    for name, info in model.model_fields.items():
        kinds, stack = set(), [info.annotation]
        while stack:
            ann = stack.pop()
            if ann in (int, float, decimal.Decimal, bool):
                kinds.add(ann)
            elif typing.get_origin(ann) is not dict:
                stack.extend(typing.get_args(ann))
        if kinds & {int, float, decimal.Decimal} and bool not in kinds:
            names.add(name)
    result = frozenset(names)
    type.__setattr__(model, "_tco_numeric_fields", result)
    return result


def _not_blank(value: str) -> str:
    """A source of only spaces names nothing: refused like an empty one (its figures would look sourced)."""
    if not value.strip():
        raise PydanticCustomError("blank_text", "must not be blank (only spaces): say where the figures were read")
    return value


SourceText = Annotated[str, StringConstraints(min_length=1), AfterValidator(_not_blank)]
"""Where figures were read (a URL, or a package and version): not empty, not only spaces."""


class Source(StrictModel):
    """Where a group of figures was read, and when."""

    source: SourceText
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


def json_schema_text(model: type[BaseModel], title: str) -> str:
    """The JSON Schema editors read for files of `model` records, as text. Written once: `tco schema` prints it and the
    committed copies (hardware/schema, pricing/schema, tco/examples) are it, so regenerating with the CLI gives the
    committed bytes."""
    import json

    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
