"""Okta System Log (``GET /api/v1/logs`` JSON array, or one event per line).

Sign-ins: ``user.session.start`` (``outcome.result`` SUCCESS/FAILURE), ``user.authentication.sso``,
``user.authentication.auth_via_mfa``, ``user.authentication.verify``, ``user.session.access_admin_app``;
other event types are skipped. ``client.ipAddress``, ``client.userAgent.rawUserAgent``,
``securityContext.asNumber``/``asOrg``, ``client.geographicalContext.country``.
Reference (no real export in the corpora; tests build events from it):
https://developer.okta.com/docs/reference/api/system-log/
"""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, Skip, address, dig, parse_time

SIGN_IN_TYPES = {
    "user.session.start",
    "user.authentication.sso",
    "user.authentication.auth_via_mfa",
    "user.authentication.verify",
    "user.session.access_admin_app",
    "user.authentication.authenticate",
}


class OktaSystemLog(LoginFormat):
    name: ClassVar[str] = "okta"
    title: ClassVar[str] = "Okta System Log JSON"
    shape = "json"
    reference = "https://developer.okta.com/docs/reference/api/system-log/"
    priority = 20

    def sniff(self, head: list[str], first: Any) -> bool:
        return isinstance(first, dict) and "eventType" in first and "published" in first and "actor" in first

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        kind = rec.get("eventType")
        if not isinstance(kind, str):
            raise Malformed("no eventType")
        if kind not in SIGN_IN_TYPES:
            raise Skip("Okta event that is not a sign-in")
        user = dig(rec, "actor.alternateId") or dig(rec, "actor.id")
        if not user:
            raise Malformed("no actor.alternateId")
        result = dig(rec, "outcome.result")
        if not isinstance(result, str):
            raise Malformed("no outcome.result")
        ok = result.upper() in ("SUCCESS", "ALLOW")
        asn = dig(rec, "securityContext.asNumber")
        cred = dig(rec, "authenticationContext.credentialType")
        return LoginEvent(
            ts=parse_time(rec.get("published")),
            user=str(user),
            src_ip=address(dig(rec, "client.ipAddress")),
            outcome="success" if ok else "failure",
            reason=None if ok else (dig(rec, "outcome.reason") or result),
            method=cred or kind,
            mfa=True if kind == "user.authentication.auth_via_mfa" else None,
            app=f"okta {kind}",
            interactive=True,
            user_agent=dig(rec, "client.userAgent.rawUserAgent"),
            asn=int(asn) if isinstance(asn, int) else None,
            asn_org=dig(rec, "securityContext.asOrg"),
            vendor_country=dig(rec, "client.geographicalContext.country"),
        )
