"""What every register check shares: the context it reads and the hit it returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sekisho.model.findings import Severity, SourceRef

if TYPE_CHECKING:
    from sekisho.catalog.loader import Catalog
    from sekisho.register.model import Register
    from sekisho.store.register import Sighting


@dataclass
class Context:
    """A register, the catalog, and (with a store) what the logs showed."""

    register: Register
    catalog: Catalog | None
    today: dt.date
    sightings: dict[str, Sighting] | None = None  # None: no store, the log checks do not run
    span: tuple[dt.date | None, dt.date | None] = (None, None)


@dataclass
class Hit:
    """One finding of a rule: about ``subject`` (a party id, or a service id for shadow-vendor),
    along ``chain``; ``params`` fill the title, ``detail`` is everything needed to decide."""

    subject: str
    chain: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    sources: list[SourceRef] = field(default_factory=list)
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    party: str | None = None  # the register row it rests on (its file:line is the evidence)


class Rule:
    """A register check. ``id`` is its finding kind; ``needs_store`` rules run only with a store."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = "medium"
    needs_store: ClassVar[bool] = False
    needs_catalog: ClassVar[bool] = False
    # the parameters it reads from the rules file besides ``severity``, with their type
    parameters: ClassVar[dict[str, type]] = {}

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = dict(params or {})

    def check(self, ctx: Context) -> list[Hit]:
        raise NotImplementedError


__all__ = ["Context", "Hit", "Rule"]
