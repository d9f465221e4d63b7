"""What a rating is made of: points earned by facts, caps hit, the level and its verdicts.

Texts are message keys with parameters (rendered in Japanese or English by the report layer),
so one rating serves every language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ScoreName = Literal["data_protection", "privacy", "legal"]
SCORE_NAMES: tuple[ScoreName, ...] = ("data_protection", "privacy", "legal")
PointStatus = Literal["yes", "partial", "no", "unknown", "claim"]


class Evidence(BaseModel):
    """A fact (or claim) that a point, cap or risk rests on."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    statement: str = Field(description="message key naming what the fact is about")
    params: dict[str, Any] = Field(default_factory=dict)
    value: Any
    source: str
    as_of: dt.date
    kind: Literal["fact", "claim"] = "fact"
    note: str | None = None
    source_kind: Literal["primary", "press", "secondary"] | None = None


class Message(BaseModel):
    """A text to render: message key + parameters, with the evidence it rests on."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    key: str
    params: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)


class Point(BaseModel):
    """One factor of one score: its weight, what it earned and why."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    factor: str
    weight: float
    earned: float
    status: PointStatus
    evidence: list[Evidence] = Field(default_factory=list)


class Score(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    name: ScoreName
    value: float | None = Field(ge=0, le=10, description="None: no factor of this score has evidence")
    points: list[Point]
    coverage: float = Field(ge=0, le=1, description="share of weight backed by evidence")
    factors_known: int = Field(default=0, description="factors with evidence (yes, partial or no)")
    factors_total: int = Field(default=0, description="factors with a weight in this score")

    @property
    def thin(self) -> bool:
        """Computed from fewer than half its factors: shown with its coverage, never bare."""
        return self.factors_known * 2 < self.factors_total


class CapHit(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    rule: str
    max_level: int
    reason: Message


class LevelOverride(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    level: int = Field(ge=0, le=4)
    justification: str


class Rating(BaseModel):
    """The assessment of one service under one rules version and one organisation's settings."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    service_id: str
    rules_version: str
    scores: dict[ScoreName, Score]
    base_level: int = Field(ge=0, le=4, description="level from the mean score, before caps")
    caps: list[CapHit]
    computed_level: int = Field(ge=0, le=4)
    override: LevelOverride | None = None
    coverage: float
    provisional: bool
    legal_verdict: Message
    technical_verdict: Message
    risks: list[Message]
    response: list[Message]

    @property
    def safety_level(self) -> int:
        """The level in force: the organisation's override if any, else the computed one."""
        return self.override.level if self.override else self.computed_level
