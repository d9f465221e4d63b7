"""The register checks: one module per rule, registered here by its id (the finding kind)."""

from __future__ import annotations

from sekisho.register.rules.base import Context, Hit, Rule
from sekisho.register.rules.never_seen import NeverSeen
from sekisho.register.rules.review_overdue import ReviewOverdue
from sekisho.register.rules.shadow_vendor import ShadowVendor
from sekisho.register.rules.state_access_law import StateAccessLaw
from sekisho.register.rules.transfer_without_basis import TransferWithoutBasis
from sekisho.register.rules.unapproved_subprocessor import UnapprovedSubprocessor

RULES: dict[str, type[Rule]] = {
    "transfer-without-basis": TransferWithoutBasis,
    "unapproved-subprocessor": UnapprovedSubprocessor,
    "state-access-law": StateAccessLaw,
    "shadow-vendor": ShadowVendor,
    "never-seen": NeverSeen,
    "review-overdue": ReviewOverdue,
}

__all__ = ["RULES", "Context", "Hit", "Rule"]
