"""Microsoft Entra ID sign-in logs: JSON exports (the Microsoft Graph ``signIn`` resource — the
portal's JSON download, ``{"value": [...]}`` from ``GET /auditLogs/signIns``, one per line) and the
Azure Monitor diagnostic form (``{"category": "SignInLogs"|"NonInteractiveUserSignInLogs", "time",
"properties": {...}}``).

``status.errorCode`` 0 is success, anything else a failure with ``status.failureReason``;
``isInteractive``; ``authenticationRequirement`` multiFactorAuthentication = MFA; ``location`` and
``autonomousSystemNumber`` are Microsoft's own view of the address, kept beside sekisho's.
Reference (no real export in the corpora, so tests build events from it):
https://learn.microsoft.com/en-us/graph/api/resources/signin
"""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, Skip, address, dig, parse_time

SIGNIN_CATEGORIES = {
    "SignInLogs": True,
    "NonInteractiveUserSignInLogs": False,
    "ServicePrincipalSignInLogs": False,
    "ManagedIdentitySignInLogs": False,
}


class EntraSignIns(LoginFormat):
    name: ClassVar[str] = "entra"
    title: ClassVar[str] = "Microsoft Entra ID sign-in logs (Graph signIn JSON, Azure Monitor export)"
    shape = "json"
    reference = "https://learn.microsoft.com/en-us/graph/api/resources/signin"
    priority = 20

    def sniff(self, head: list[str], first: Any) -> bool:
        if not isinstance(first, dict):
            return False
        cat = first.get("category")
        if isinstance(cat, str) and cat in SIGNIN_CATEGORIES and isinstance(first.get("properties"), dict):
            return True
        return "createdDateTime" in first and "userPrincipalName" in first

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        interactive_default = True
        if isinstance(rec.get("properties"), dict) and isinstance(rec.get("category"), str):
            if rec["category"] not in SIGNIN_CATEGORIES:
                raise Skip(f"Azure Monitor category {rec['category']}, not sign-ins")
            interactive_default = SIGNIN_CATEGORIES[rec["category"]]
            props = dict(rec["properties"])
            props.setdefault("createdDateTime", rec.get("time"))
            rec = props
        user = rec.get("userPrincipalName") or rec.get("servicePrincipalName") or rec.get("userId")
        if not user:
            raise Malformed("no userPrincipalName")
        code = dig(rec, "status.errorCode")
        if code is None:
            raise Malformed("no status.errorCode")
        try:
            ok = int(code) == 0
        except (TypeError, ValueError):
            raise Malformed(f"status.errorCode is not a number: {code!r}") from None
        inter = rec.get("isInteractive")
        req = rec.get("authenticationRequirement")
        asn = rec.get("autonomousSystemNumber")
        return LoginEvent(
            ts=parse_time(rec.get("createdDateTime")),
            user=str(user),
            src_ip=address(rec.get("ipAddress")),
            outcome="success" if ok else "failure",
            reason=None if ok else f"{code} {dig(rec, 'status.failureReason') or ''}".strip(),
            method=rec.get("clientAppUsed") or None,
            mfa=(req == "multiFactorAuthentication") if isinstance(req, str) else None,
            app=rec.get("appDisplayName") or rec.get("resourceDisplayName"),
            interactive=bool(inter) if isinstance(inter, bool) else interactive_default,
            user_agent=rec.get("userAgent"),
            asn=int(asn) if isinstance(asn, int) or (isinstance(asn, str) and asn.isdigit()) else None,
            vendor_country=dig(rec, "location.countryOrRegion") or None,
        )
