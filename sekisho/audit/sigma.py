"""The audit detections as Sigma rules, so other tools (a SIEM, Chainsaw, pySigma backends) can run
them. Sigma correlation rules (``value_count``, ``temporal_ordered``) express the spray and
many-accounts thresholds portably; foreign-access is a plain rule on sekisho's ``src_country``
enrichment. impossible-travel and new-country/new-asn need distances and per-user history, which
Sigma cannot say: they are not exported (listed under ``not_expressible``).

Field names are the ``login_events`` columns (``user``, ``src_ip``, ``outcome``, ``interactive``) plus
``src_country``; the log source is ``product: sekisho, service: signin``. The parameters are the ones
in force (rules file + settings), so an exported rule fires where sekisho's does.
"""

from __future__ import annotations

import uuid
from typing import Any

import yaml

NAMESPACE = uuid.UUID("6b1f3c1e-6c55-4f0e-9a39-5e6b1a0c0f14")
NOT_EXPRESSIBLE = {
    "impossible-travel": "needs a distance between two sign-ins' places",
    "new-country": "needs each user's own history and a learning period",
    "new-asn": "needs each user's own history and a learning period",
}
LOGSOURCE = {"product": "sekisho", "service": "signin"}
REFERENCE = "https://github.com/sekisho/sekisho/blob/main/docs/audit.md"


def _id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def _base(name: str, title: str, outcome: str) -> dict[str, Any]:
    return {
        "title": title,
        "id": _id(name),
        "name": name,
        "status": "experimental",
        "description": f"Interactive sign-ins with outcome {outcome} (sekisho login_events).",
        "references": [REFERENCE],
        "author": "sekisho",
        "logsource": LOGSOURCE,
        "detection": {"selection": {"outcome": outcome, "interactive": True}, "condition": "selection"},
        "falsepositives": ["Users mistyping passwords"],
        "level": "informational",
    }


def rules(params: dict[str, Any]) -> list[dict[str, Any]]:
    spray = dict(params.get("spray_then_success") or {})
    many = dict(params.get("many_accounts_one_ip") or {})
    foreign = dict(params.get("foreign_access") or {})
    out: list[dict[str, Any]] = [
        _base("sekisho_signin_failure", "Failed interactive sign-in", "failure"),
        _base("sekisho_signin_success", "Successful interactive sign-in", "success"),
        {
            "title": "Password spray: failures against many users from one address",
            "id": _id("sekisho_spray"),
            "name": "sekisho_spray",
            "status": "experimental",
            "description": "One address fails against many distinct users within the window.",
            "references": [REFERENCE],
            "author": "sekisho",
            "correlation": {
                "type": "value_count",
                "rules": ["sekisho_signin_failure"],
                "group-by": ["src_ip"],
                "timespan": f"{int(spray.get('window_minutes', 60))}m",
                "condition": {"gte": int(spray.get("min_users", 5)), "field": "user"},
            },
            "falsepositives": ["A shared address where many users mistype (an office NAT)"],
            "level": "high",
        },
        {
            "title": "Password spray, then a success from the same address",
            "id": _id("sekisho_spray_then_success"),
            "status": "experimental",
            "description": "sekisho audit rule spray-then-success (per address; sekisho also checks the /24 and ASN).",
            "references": [REFERENCE],
            "author": "sekisho",
            "correlation": {
                "type": "temporal_ordered",
                "rules": ["sekisho_spray", "sekisho_signin_success"],
                "group-by": ["src_ip"],
                "timespan": f"{int(spray.get('window_minutes', 60))}m",
            },
            "falsepositives": ["A shared address where many users mistype (an office NAT)"],
            "level": "critical",
        },
        {
            "title": "Many accounts signed in from one address",
            "id": _id("sekisho_many_accounts_one_ip"),
            "status": "experimental",
            "description": "sekisho audit rule many-accounts-one-ip (sekisho excludes the organisation's own addresses).",
            "references": [REFERENCE],
            "author": "sekisho",
            "correlation": {
                "type": "value_count",
                "rules": ["sekisho_signin_success"],
                "group-by": ["src_ip"],
                "timespan": f"{int(many.get('window_minutes', 60))}m",
                "condition": {"gte": int(many.get("min_users", 5)), "field": "user"},
            },
            "falsepositives": ["An office or VPN egress not listed as the organisation's"],
            "level": "high",
        },
    ]
    allowed = [str(c).upper() for c in foreign.get("allowed_countries") or []]
    if allowed:
        out.append(
            {
                "title": "Sign-in from a country outside the organisation's policy",
                "id": _id("sekisho_foreign_access"),
                "status": "experimental",
                "description": "sekisho audit rule foreign-access; src_country is sekisho's offline IP enrichment.",
                "references": [REFERENCE],
                "author": "sekisho",
                "logsource": LOGSOURCE,
                "detection": {
                    "selection": {"outcome": "success", "interactive": True},
                    "allowed": {"src_country": allowed},
                    "unknown": {"src_country": "unknown"},
                    "condition": "selection and not allowed and not unknown",
                },
                "falsepositives": ["Business trips to countries the policy does not list"],
                "level": "medium",
            }
        )
    return out


def to_yaml(params: dict[str, Any]) -> str:
    return "---\n".join(yaml.safe_dump(r, sort_keys=False, allow_unicode=True) for r in rules(params))


__all__ = ["NOT_EXPRESSIBLE", "rules", "to_yaml"]
