"""What APPI art. 28 asks an operator to be able to tell about each provision to a third party in a
foreign country: the country, that country's system for protecting personal information, and the
measures the recipient takes — the country facts taken from the catalog's law entries.

Rows only (data with their sources); ``sekisho.report.register_export`` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sekisho.register.model import Party, Register

if TYPE_CHECKING:
    from sekisho.catalog.loader import Catalog
    from sekisho.model.catalog import Law

# Members of the European Union: the GDPR (jurisdiction "EU" in the catalog) is their system.
EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
PROTECTION_KINDS = ("data-protection", "data-transfer")


@dataclass(frozen=True)
class LawText:
    """A catalog law as the table cites it."""

    id: str
    name: str
    name_ja: str | None
    summary: str
    summary_ja: str | None
    source: str
    as_of: str
    kind: str
    compels_secret_cooperation: bool


@dataclass
class AppiRow:
    party: Party
    chain: list[str]
    controller_country: str
    protection: list[LawText] = field(default_factory=list)  # the country's protection laws
    secret: list[LawText] = field(default_factory=list)  # laws compelling secret cooperation
    other: list[LawText] = field(default_factory=list)  # the country's other laws in the catalog


def laws_of(catalog: Catalog, country: str) -> list[Law]:
    """The catalog's laws that bind in ``country`` (the EU's for a member state)."""
    places = {country, "EU"} if country in EU_MEMBERS else {country}
    return sorted(
        (law for law in catalog.laws.values() if law.jurisdiction in places), key=lambda law: law.id
    )


def _text(law: Law) -> LawText:
    secret = law.compels_secret_cooperation
    return LawText(
        law.id,
        law.name,
        law.name_ja,
        law.summary.value,
        law.summary_ja,
        law.summary.source,
        law.summary.as_of.isoformat(),
        law.kind,
        bool(secret.value and not secret.is_claim),
    )


def appi_rows(reg: Register, catalog: Catalog) -> list[AppiRow]:
    """One row per party that handles the data in a country other than its controller's."""
    rows = []
    for p in reg.parties.values():
        chain = reg.chain(p.id)
        top = reg.parties[chain[0]]
        if p.role == "controller" or p.country == top.country:
            continue
        laws = [_text(law) for law in laws_of(catalog, p.country)]
        rows.append(
            AppiRow(
                p,
                chain,
                top.country,
                [t for t in laws if t.kind in PROTECTION_KINDS],
                [t for t in laws if t.compels_secret_cooperation],
                [t for t in laws if t.kind not in PROTECTION_KINDS and not t.compels_secret_cooperation],
            )
        )
    return rows


def transfers_by_country(reg: Register) -> dict[str, list[str]]:
    """Party ids by the country they handle the data in (the transfer map)."""
    out: dict[str, list[str]] = {}
    for p in reg.parties.values():
        out.setdefault(p.country, []).append(p.id)
    return dict(sorted(out.items()))


__all__ = ["EU_MEMBERS", "AppiRow", "LawText", "appi_rows", "laws_of", "transfers_by_country"]
