"""The catalog's known tier: services named by openly licensed lists, with where each came from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

KNOWN_ID_PATTERN = r"^[a-z0-9]+:[a-z0-9!][a-z0-9._!-]*$"


class Provenance(BaseModel):
    """Where a known entry came from: the dataset, its file, the commit or version read, its licence."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    dataset: str = Field(description="e.g. v2fly/domain-list-community, publicsuffix/list")
    file: str = Field(description="file inside the dataset, e.g. data/google")
    commit: str = Field(description="commit (or version) of the dataset that was read")
    licence: str = Field(description="SPDX id of the dataset's licence, e.g. MIT, MPL-2.0")
    url: str | None = None


class KnownService(BaseModel):
    """A *known* service: names and (when a mapping says so) an organisation, imported from an
    openly licensed list. It is never assessed: it has no facts, so no rating and no level."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: str = Field(pattern=KNOWN_ID_PATTERN, description="tier:name, e.g. v2fly:google")
    name: str = Field(min_length=1)
    provenance: Provenance
    domains: list[str] = Field(default_factory=list, description="the names and every name under them")
    hostnames: list[str] = Field(default_factory=list, description="exact host names (v2fly full:)")
    tags: dict[str, list[str]] = Field(
        default_factory=dict, description="attributes per name, e.g. {'doubleclick.net': ['ads']}"
    )
    includes: list[str] = Field(default_factory=list, description="other lists this one includes")
    group: bool = Field(default=False, description="a category list, not one organisation's")
    operator: str | None = Field(default=None, description="operator id, from known/*-owners-*.yaml")
