"""The catalog's nouns: services, operators (legal entities), laws, software."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sekisho.model.facts import Claim, Fact, Incident
from sekisho.model.names import check_name

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$"
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")

Category = Literal[
    "ai",
    "social",
    "messaging",
    "meeting",
    "payment",
    "shopping",
    "ime",
    "cloud",
    "office",
    "collaboration",
    "search",
    "video",
    "storage",
    "game",
    "device",
]

# The factors the rating rules may score. Every one is a yes/no/partial property of a service,
# backed by a fact. "partial" earns half the weight (e.g. E2E only for some chats).
PropertyName = Literal[
    "e2e_encryption",
    "encryption_at_rest",
    "data_localisation",
    "deletion_right",
    "transparency_report",
    "anonymisation",
    "consent_withdrawal",
    "purpose_limitation",
    "data_minimisation",
    "gdpr_applies",
    "appi_applies",
    "redress_japan",
]
PROPERTY_FACTORS: tuple[str, ...] = get_args(PropertyName)
PropertyValue = bool | Literal["partial"]


def _country(v: str) -> str:
    if not COUNTRY_PATTERN.match(v):
        raise ValueError(f"{v!r} is not an ISO 3166 alpha-2 country code (e.g. JP, CN, US)")
    return v


def _domain(v: str) -> str:
    try:
        name = check_name(v)
    except ValueError as e:
        raise ValueError(f"{v!r} is not a domain name: {e}") from None
    if "." not in name:
        raise ValueError(f"{v!r} is not a domain name: a catalog domain has at least two labels")
    return name


class _Entry(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    name_ja: str | None = None


class Alternative(BaseModel):
    """A service to move to: a catalog id, or a name with operator and country for one outside it."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    service: str | None = Field(default=None, description="catalog id of the alternative")
    name: str | None = None
    operator: str | None = None
    country: str | None = None
    note: str | None = None

    @field_validator("country")
    @classmethod
    def _c(cls, v: str | None) -> str | None:
        return None if v is None else _country(v)


class Service(_Entry):
    """An online service as a user meets it (an app, a site, an API)."""

    category: Category
    url: str = Field(pattern=r"^https?://")
    description: str | None = None
    description_ja: str | None = None
    operator: Fact[str] = Field(description="operator id: the entity that provides the service")
    data_locations: list[Fact[str]] = Field(default_factory=list)
    properties: dict[PropertyName, Fact[PropertyValue]] = Field(default_factory=dict)
    incidents: list[Incident] = Field(default_factory=list)
    domains: Fact[list[str]] = Field(description="registrable domains and app/API host names")
    hostnames: Fact[list[str]] | None = Field(
        default=None, description="full host names on third-party infrastructure (CDN, buckets)"
    )
    ip_ranges: Fact[list[str]] | None = None
    software: list[str] = Field(default_factory=list, description="software ids")
    alternatives: list[Alternative] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)

    @field_validator("data_locations")
    @classmethod
    def _locs(cls, v: list[Fact[str]]) -> list[Fact[str]]:
        for f in v:
            _country(f.value)
        return v

    @field_validator("domains", "hostnames")
    @classmethod
    def _doms(cls, v: Fact[list[str]] | None) -> Fact[list[str]] | None:
        if v is None:
            return v
        if not v.value:
            raise ValueError("domain list is empty")
        cleaned = [_domain(d) for d in v.value]
        return v.model_copy(update={"value": cleaned})


class Operator(_Entry):
    """A legal entity. ``parent`` links up the ownership chain to the ultimate parent."""

    name_local: str | None = None
    country: Fact[str] = Field(description="country of incorporation")
    headquarters: Fact[str] | None = Field(default=None, description="country of the head office")
    parent: Fact[str | None] | None = Field(
        default=None, description="operator id of the controlling parent; value null = none"
    )
    jurisdictions: list[Fact[str]] = Field(
        default_factory=list,
        description="further countries whose authorities can compel this entity (offices, staff, data)",
    )
    laws: list[Fact[str]] = Field(
        default_factory=list, description="law ids that apply beyond those of its jurisdictions"
    )
    claims: list[Claim] = Field(default_factory=list)

    @field_validator("country", "headquarters")
    @classmethod
    def _cc(cls, v: Fact[str] | None) -> Fact[str] | None:
        if v is not None:
            _country(v.value)
        return v

    @field_validator("jurisdictions")
    @classmethod
    def _js(cls, v: list[Fact[str]]) -> list[Fact[str]]:
        for f in v:
            _country(f.value)
        return v


LawKind = Literal["intelligence", "surveillance", "data-security", "data-protection", "data-transfer"]


class Law(_Entry):
    """A law that binds operators in a jurisdiction, or protects users."""

    jurisdiction: str
    kind: LawKind
    url: str = Field(pattern=r"^https?://", description="official or authoritative text")
    enacted: dt.date | None = None
    summary: Fact[str]
    summary_ja: str | None = None
    compels_secret_cooperation: Fact[bool] = Field(
        description="can the state compel an entity to assist intelligence work and keep it secret"
    )
    judicial_oversight: Fact[bool] | None = Field(
        default=None,
        description="must an independent court approve each order before an entity is compelled",
    )
    claims: list[Claim] = Field(default_factory=list)

    @field_validator("jurisdiction")
    @classmethod
    def _j(cls, v: str) -> str:
        return v if v == "EU" else _country(v)


SoftwareKind = Literal["ime", "app", "desktop", "browser-extension", "sdk", "agent"]


class Software(_Entry):
    """Installable software that talks to one or more services."""

    kind: SoftwareKind
    operator: Fact[str]
    services: list[str] = Field(min_length=1)
    platforms: list[str] = Field(default_factory=list)
    process_names: Fact[list[str]] | None = None
    claims: list[Claim] = Field(default_factory=list)


class ChangelogEntry(BaseModel):
    """One edit of the catalog: what changed, why, on what evidence."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    date: dt.date
    entry: str = Field(description="kind/id, e.g. services/paypay")
    change: str
    why: str
    source: str | None = None


class CatalogMeta(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    version: str
    date: dt.date
    description: str | None = None
