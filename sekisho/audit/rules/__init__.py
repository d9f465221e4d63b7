"""The audit detections. A new detection is one module here and one line in :data:`RULES`; its
parameters live in ``sekisho/data/audit_rules.yaml`` under its id (with ``_`` for ``-``)."""

from __future__ import annotations

from sekisho.audit.rules.base import Detection
from sekisho.audit.rules.foreign_access import ForeignAccess
from sekisho.audit.rules.impossible_travel import ImpossibleTravel
from sekisho.audit.rules.many_accounts import ManyAccountsOneIp
from sekisho.audit.rules.new_place import NewAsn, NewCountry
from sekisho.audit.rules.spray import SprayThenSuccess

RULES: dict[str, type[Detection]] = {
    "impossible-travel": ImpossibleTravel,
    "new-country": NewCountry,
    "new-asn": NewAsn,
    "spray-then-success": SprayThenSuccess,
    "many-accounts-one-ip": ManyAccountsOneIp,
    "foreign-access": ForeignAccess,
}

__all__ = ["RULES", "Detection"]
