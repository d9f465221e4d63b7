"""Google Workspace login audit: the Admin SDK Reports API ``activities.list`` for
``applicationName=login`` (``{"items": [...]}`` or one activity per line).

``login_success``, ``login_failure`` (``login_failure_type``), ``login_verification`` and
``login_challenge`` events; ``login_type`` is the method, ``is_second_factor`` /
``login_challenge_method`` tell MFA. Other events (logout, password edits) are skipped.
Reference (no real export in the corpora; tests build events from it):
https://developers.google.com/admin-sdk/reports/v1/appendix/activity/login
"""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, Skip, address, dig, parse_time

NAMES = {"login_success": "success", "login_failure": "failure", "login_verification": None}


def _params(event: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in event.get("parameters") or []:
        if isinstance(p, dict) and "name" in p:
            out[p["name"]] = next(
                (p[k] for k in ("value", "boolValue", "intValue", "multiValue") if k in p), None
            )
    return out


class GoogleWorkspaceLogin(LoginFormat):
    name: ClassVar[str] = "google-login"
    title: ClassVar[str] = "Google Workspace login audit (Reports API activities, applicationName=login)"
    shape = "json"
    reference = "https://developers.google.com/admin-sdk/reports/v1/appendix/activity/login"
    priority = 20

    def sniff(self, head: list[str], first: Any) -> bool:
        return isinstance(first, dict) and dig(first, "id.applicationName") == "login"

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        events = [e for e in rec.get("events") or [] if isinstance(e, dict)]
        ev = next((e for e in events if e.get("name") in NAMES), None)
        if ev is None:
            if not events:
                raise Malformed("no events")
            raise Skip("login audit event that is not a sign-in")
        user = dig(rec, "actor.email") or dig(rec, "actor.profileId")
        if not user:
            raise Malformed("no actor.email")
        p = _params(ev)
        outcome = NAMES[ev["name"]]
        if outcome is None:
            outcome = "success" if p.get("login_challenge_status") != "Challenge Failed" else "failure"
        mfa = p.get("is_second_factor")
        return LoginEvent(
            ts=parse_time(dig(rec, "id.time")),
            user=str(user),
            src_ip=address(rec.get("ipAddress")),
            outcome="success" if outcome == "success" else "failure",
            reason=None if outcome == "success" else str(p.get("login_failure_type") or "login_failure"),
            method=str(p["login_type"]) if p.get("login_type") else None,
            mfa=bool(mfa) if isinstance(mfa, bool) else None,
            app="google workspace",
            interactive=True,
        )
