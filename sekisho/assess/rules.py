"""The rating rules file (``sekisho/data/rules.yaml``) and an organisation's own settings."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sekisho.catalog.loader import read_yaml
from sekisho.errors import CatalogError, ConfigError, Location
from sekisho.model.catalog import PROPERTY_FACTORS, PropertyName
from sekisho.model.rating import SCORE_NAMES, ScoreName

DERIVED_FACTORS = ("no_secret_cooperation_law", "no_covert_collection")
KNOWN_FACTORS = frozenset(PROPERTY_FACTORS) | frozenset(DERIVED_FACTORS)
Predicate = Literal[
    "secret_cooperation_law",
    "secret_cooperation_law_without_court",
    "data_in_that_jurisdiction",
    "recent_serious_incident",
    "covert_collection",
    "unknown_ownership",
]
FactorName = Literal[PropertyName, "no_secret_cooperation_law", "no_covert_collection"]
Weights = dict[ScoreName, dict[FactorName, float]]


def _check_weights(w: Weights) -> Weights:
    for score, factors in w.items():
        for factor, weight in factors.items():
            if factor not in KNOWN_FACTORS:
                raise ValueError(f"unknown factor {factor!r} in {score}")
            if weight < 0:
                raise ValueError(f"weight of {factor} must be >= 0")
    return w


class LevelRow(BaseModel):
    min_mean: float
    level: int = Field(ge=0, le=4)


class VerdictRow(BaseModel):
    min_mean: float
    verdict: Literal["good", "acceptable", "caution", "dangerous", "extremely_dangerous"]


class Cap(BaseModel):
    id: str
    when: list[Predicate] = Field(min_length=1)
    max_level: int = Field(ge=0, le=4)


class CovertRule(BaseModel):
    """What an incident of covert collection contradicts when the incident does not say."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    contradicts: list[PropertyName] = Field(default_factory=list)


class Rules(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    version: str
    scores: Weights
    categories: dict[str, Weights] = Field(default_factory=dict)
    provisional_below_coverage: float = Field(ge=0, le=1)
    unknown_base_level: int = Field(default=2, ge=0, le=4)
    provisional_max_level: int = Field(default=2, ge=0, le=4)
    levels: list[LevelRow]
    caps: list[Cap] = Field(default_factory=list)
    recent_incident_years: int = 3
    covert_collection: CovertRule = Field(default_factory=CovertRule)
    technical_verdicts: list[VerdictRow]
    risk_min_weight: float = 2
    responses: dict[int, list[str]] = Field(default_factory=dict)

    _w = field_validator("scores")(_check_weights)

    @field_validator("categories")
    @classmethod
    def _cats(cls, v: dict[str, Weights]) -> dict[str, Weights]:
        for w in v.values():
            _check_weights(w)
        return v

    def weights_for(self, category: str, org: Weights | None = None) -> Weights:
        """Default weights, replaced by the category's, then by the organisation's."""
        out: Weights = {s: dict(self.scores.get(s, {})) for s in SCORE_NAMES}
        for layer in (self.categories.get(category, {}), org or {}):
            for score, factors in layer.items():
                out[score].update(factors)
        return out


class Override(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    safety_level: int = Field(ge=0, le=4)
    justification: str = Field(min_length=10, description="why the organisation decided so")


class OrgSettings(BaseModel):
    """An organisation's adjustments: re-weighted factors and per-service level overrides."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    weights: Weights = Field(default_factory=dict)
    overrides: dict[str, Override] = Field(default_factory=dict)
    resolver: Literal["unbound", "dnsmasq", "bind", "squid", "adguard", "hosts"] | None = Field(
        default=None,
        description="the resolver or proxy the response plan writes steps for (default: from the logs)",
    )
    policy: str = Field(
        default="level0",
        pattern=r"^(level0|assessment|intel-law:[A-Z]{2})$",
        description="the base built-in policy",
    )
    timezone: str = Field(default="Asia/Tokyo", description="the time zone reports show times in (IANA name)")

    _w = field_validator("weights")(_check_weights)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Tokyo)") from None
        return v


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        doc = read_yaml(path)
    except CatalogError as e:
        raise ConfigError(e.message, e.source) from None
    try:
        return model.model_validate(doc.data)
    except ValidationError as e:
        err = e.errors()[0]
        keys = [k for k in err["loc"] if isinstance(k, (str, int)) and k != "[key]"]
        where = ".".join(str(k) for k in keys)
        msg = str(err["msg"]).removeprefix("Value error, ")
        if "[key]" in err["loc"]:
            where, msg = ".".join(str(k) for k in keys[:-1]), f"unknown factor or score {keys[-1]!r}"
        raise ConfigError(f"{where}: {msg}" if where else msg, doc.where(*keys)) from None


def load_rules(path: Path | None = None) -> Rules:
    path = path or Path(str(resources.files("sekisho") / "data" / "rules.yaml"))
    rules = _load(path, Rules)
    assert isinstance(rules, Rules)
    return rules


def load_settings(path: Path | None) -> OrgSettings:
    if path is None:
        return OrgSettings()
    if not path.exists():
        raise ConfigError("settings file not found", Location(path))
    settings = _load(path, OrgSettings)
    assert isinstance(settings, OrgSettings)
    return settings
