"""A finding: what every evidence stage (audit, exposure, register, inventory, …) hands on.

One shape for all of them (DESIGN.md, "Evidence pipelines"), so the report, the dashboard, the
alert rules and the sinks handle findings without knowing which stage made them. A stage that
adds a kind of finding adds no renderer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


class Evidence(BaseModel):
    """Where a finding comes from: a file and line (a log record), or a request and what answered
    (a probe), or a register row — with the few values a human needs to check it."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    file: str | None = None
    line: int | None = None
    request: str | None = Field(default=None, description="e.g. 'GET http://10.0.0.5:9200/_cat/indices'")
    response: str | None = Field(default=None, description="a short excerpt of what answered")
    at: dt.datetime | None = None
    values: dict[str, Any] = Field(default_factory=dict)


class SourceRef(BaseModel):
    """A source a finding rests on (a catalog fact, a law, an IP database and its date)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    text: str
    source: str | None = None
    as_of: dt.date | None = None
    kind: str | None = Field(default=None, description="primary, press, secondary, or a database")


class Finding(BaseModel):
    """``stage`` made it (audit, exposure, register, inventory); ``kind`` names the detection or
    probe (``impossible_travel``, ``elasticsearch_open``); ``subject`` is what it is about (an
    account, a host:port, a vendor); ``key`` identifies it across runs, so the same finding seen
    again updates ``last_seen`` instead of appearing twice."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    stage: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    severity: Severity
    title: str = Field(min_length=1, description="one line, in English; title_ja for Japanese")
    title_ja: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, description="everything needed to decide")
    evidence: list[Evidence] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.stage}:{self.kind}:{self.subject}"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER[self.severity]


__all__ = ["SEVERITY_ORDER", "Evidence", "Finding", "Severity", "SourceRef"]
