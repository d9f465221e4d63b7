"""A fact is a value with the source that says so and the date it was true."""

from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")

FactKind = Literal["fact", "claim"]
# Who stands behind a source: the operator's own policy/terms/filings, a regulator, a court, a
# registry, an official law text or recognised translation (primary); a news organisation (press);
# anything else — blogs, copies, summaries (secondary). Only primary and press sources count in a
# rating; a secondary source alone makes a claim.
SourceKind = Literal["primary", "press", "secondary"]
# What an incident of covert collection took without the user knowing.
CovertData = Literal[
    "keystrokes", "contacts", "clipboard", "location", "files", "screen", "messages", "other"
]


def _source_is_reference(v: str) -> str:
    v = v.strip()
    if not v.startswith(("https://", "http://", "doc:")):
        raise ValueError("source must be an http(s) URL or a 'doc:' reference")
    return v


def _strict_date(v: object) -> object:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError as e:
            raise ValueError(f"{v!r} is not a date (YYYY-MM-DD)") from e
    return v


class Fact(BaseModel, Generic[T]):
    """``{value, source, as_of}``.

    ``kind: claim`` marks a statement that could not be verified: it is kept with its source
    and shown as a claim everywhere, and the rating never counts it as evidence.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    value: T
    source: str = Field(min_length=1, description="URL (or document reference) that was read")
    as_of: dt.date = Field(description="date the source states or was read on")
    kind: FactKind = "fact"
    title: str | None = Field(default=None, description="title or publisher of the source")
    note: str | None = Field(default=None, description="what exactly the source says")
    source_kind: SourceKind | None = Field(default=None, description="primary, press or secondary")
    read_on: dt.date | None = Field(default=None, description="the day the source was read")
    undated: bool = Field(default=False, description="the source states no date: as_of is the day read")

    _source_ok = field_validator("source")(_source_is_reference)
    _date_ok = field_validator("as_of", "read_on", mode="before")(_strict_date)

    @property
    def is_claim(self) -> bool:
        """A claim, or resting on a secondary source alone: shown, never counted in a rating."""
        return self.kind == "claim" or self.source_kind == "secondary"


class Incident(BaseModel):
    """Something that happened: a breach, a fine, a ban, an exposed database."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    date: dt.date
    value: str = Field(min_length=1, description="one-sentence summary in English")
    value_ja: str | None = None
    source: str
    as_of: dt.date
    kind: FactKind = "fact"
    title: str | None = None
    note: str | None = Field(default=None, description="what exactly the source says")
    severity: Literal["low", "medium", "high"] = "medium"
    source_kind: SourceKind | None = None
    read_on: dt.date | None = None
    covert_collection: list[CovertData] = Field(
        default_factory=list,
        description="data the service collected without the user knowing (keystrokes, contacts, …)",
    )
    contradicts: list[str] = Field(
        default_factory=list,
        description="property factors this incident shows to be false (default: rules.yaml)",
    )
    undated: bool = Field(default=False, description="the source states no date: as_of is the day read")

    _source_ok = field_validator("source")(_source_is_reference)
    _date_ok = field_validator("as_of", "date", "read_on", mode="before")(_strict_date)

    @property
    def is_claim(self) -> bool:
        """A claim, or resting on a secondary source alone: shown, never counted in a rating."""
        return self.kind == "claim" or self.source_kind == "secondary"


class Claim(BaseModel):
    """A statement found in a source but not verified; always shown as a claim."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    statement: str = Field(min_length=1)
    statement_ja: str | None = None
    source: str
    as_of: dt.date
    kind: Literal["claim"] = "claim"
    title: str | None = None
    note: str | None = None
    source_kind: SourceKind | None = None
    read_on: dt.date | None = None
    undated: bool = Field(default=False, description="the source states no date: as_of is the day read")

    _source_ok = field_validator("source")(_source_is_reference)
    _date_ok = field_validator("as_of", "read_on", mode="before")(_strict_date)
