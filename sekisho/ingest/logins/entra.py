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

from sekisho.ingest.logins.base import (
    LoginEvent,
    LoginFormat,
    Malformed,
    Shape,
    Skip,
    address,
    dig,
    parse_time,
)

SIGNIN_CATEGORIES = {
    "SignInLogs": True,
    "NonInteractiveUserSignInLogs": False,
    "ServicePrincipalSignInLogs": False,
    "ManagedIdentitySignInLogs": False,
}


class EntraSignIns(LoginFormat):
    name: ClassVar[str] = "entra"
    title: ClassVar[str] = "Microsoft Entra ID sign-in logs (Graph signIn JSON, Azure Monitor export)"
    shape: ClassVar[Shape] = "json"
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


class EntraCsv(LoginFormat):
    """The Entra admin center's "Download → CSV" of sign-in logs (``InteractiveSignIns_….csv``,
    ``NonInteractiveSignIns_….csv``): one row per sign-in with the portal's column names.
    ``Sign-in error code`` 0 (or ``Status`` Success) is success; the file name or an
    ``Is Interactive`` column says interactive. The column names are the portal's as documented;
    no real download is in the corpora, so the tests build rows from them."""

    name: ClassVar[str] = "entra-csv"
    title: ClassVar[str] = "Microsoft Entra ID sign-in logs, the portal's CSV download"
    shape: ClassVar[Shape] = "csv"
    reference = "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-download-logs"
    priority = 25
    interactive_default = True

    def sniff(self, head: list[str], first: Any) -> bool:
        top = head[0] if head else ""
        return "Sign-in error code" in top and "IP address" in top and "Date (UTC)" in top

    def for_file(self, name: str) -> EntraCsv:
        self.interactive_default = not name.lower().startswith("noninteractive")
        return self

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        row: dict[str, str] = rec

        def get(col: str) -> str | None:
            v = row.get(col)
            return v.strip() if isinstance(v, str) and v.strip() else None

        user = get("Username") or get("User")
        if not user:
            raise Malformed("row without Username")
        code = get("Sign-in error code")
        status = (get("Status") or "").lower()
        if code is None and not status:
            raise Malformed("no Sign-in error code or Status")
        ok = code == "0" if code is not None else status == "success"
        inter = get("Is Interactive")
        req = get("Authentication requirement") or ""
        return LoginEvent(
            ts=parse_time(get("Date (UTC)")),
            user=user,
            src_ip=address(get("IP address")),
            outcome="success" if ok else "failure",
            reason=None if ok else f"{code or ''} {get('Failure reason') or ''}".strip() or status,
            method=get("Client app"),
            mfa=("multifactor" in req.lower()) if req else None,
            app=get("Application"),
            interactive=(inter.lower() == "true") if inter else self.interactive_default,
            user_agent=get("User agent"),
        )
