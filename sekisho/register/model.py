"""The register's nouns: a party (controller, processor, sub-processor) and the register itself.

A party names the party that hands it the data (``receives_from``); following those links up
from any party reaches the controller, and that list of ids is the party's *chain*.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sekisho.errors import Location

Role = Literal["controller", "processor", "subprocessor"]
# APPI's routes for a provision to a third party in a foreign country (art. 28), and "none".
Basis = Literal["consent", "adequacy", "equivalent_measures", "contract", "none"]
ROLES: tuple[str, ...] = ("controller", "processor", "subprocessor")
BASES: tuple[str, ...] = ("consent", "adequacy", "equivalent_measures", "contract", "none")
PARTY_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# The CSV columns, in order; the YAML keys of a party are the same.
COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "role",
    "receives_from",
    "country",
    "data_categories",
    "purposes",
    "transfer_basis",
    "approved_by_controller",
    "catalog_operator",
    "catalog_service",
    "contract_ref",
    "review_date",
)


class Party(BaseModel):
    """One row of the register."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: str = Field(pattern=PARTY_ID)
    name: str = Field(min_length=1)
    role: Role
    receives_from: str | None = Field(default=None, description="id of the party handing it the data")
    country: str = Field(
        pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2, where the party handles the data"
    )
    data_categories: list[str] = Field(default_factory=list, description="fideslang data category keys")
    purposes: list[str] = Field(default_factory=list, description="fideslang data use keys")
    transfer_basis: Basis | None = None
    approved_by_controller: bool | None = None
    catalog_operator: str | None = None
    catalog_service: str | None = None
    contract_ref: str | None = None
    review_date: dt.date | None = Field(default=None, description="the date the entry is due for review")


@dataclass
class Register:
    """The parties of one register file, by id, and the file:line of each."""

    path: Path
    sha256: str
    parties: dict[str, Party] = field(default_factory=dict)
    where: dict[str, Location] = field(default_factory=dict)

    def chain(self, party_id: str) -> list[str]:
        """Ids from the controller down to ``party_id`` (a cycle or a missing link stops the walk)."""
        out: list[str] = []
        current: str | None = party_id
        while current is not None and current in self.parties and current not in out:
            out.append(current)
            current = self.parties[current].receives_from
        return list(reversed(out))

    def source(self, party_id: str) -> Party | None:
        """The party that hands ``party_id`` the data."""
        up = self.parties[party_id].receives_from
        return self.parties.get(up) if up else None

    def controllers(self) -> list[Party]:
        return [p for p in self.parties.values() if p.role == "controller"]

    def location(self, party_id: str) -> Location:
        return self.where.get(party_id, Location(self.path))


__all__ = ["BASES", "COLUMNS", "ROLES", "Basis", "Party", "Register", "Role"]
