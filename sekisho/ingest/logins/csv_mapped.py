"""Sign-ins as CSV with a header and a column mapping given by the user:
``--format login-csv --map ts=Date,user=User,src_ip=IP,outcome=Status`` — for the Entra portal's
CSV download, a VPN appliance's or an identity provider's export. ``outcome`` values that mean
success: success, succeeded, ok, true, accepted, allow(ed), pass(ed), 0; anything else is a failure.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.errors import ConfigError
from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, address, parse_time, truthy

COLUMNS = ("ts", "user", "src_ip", "outcome", "reason", "method", "mfa", "app", "interactive", "user_agent")
SUCCESS = {
    "success",
    "succeeded",
    "successful",
    "ok",
    "true",
    "accepted",
    "allow",
    "allowed",
    "pass",
    "passed",
    "0",
}


class LoginCsv(LoginFormat):
    name: ClassVar[str] = "login-csv"
    title: ClassVar[str] = "Sign-ins as CSV with --map ts=COL,user=COL,src_ip=COL,outcome=COL,…"
    shape = "csv"
    priority = 99

    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})
        unknown = set(self.mapping) - set(COLUMNS)
        if unknown:
            raise ConfigError(
                f"--map: unknown column(s) {', '.join(sorted(unknown))}; use {', '.join(COLUMNS)}"
            )
        missing = [c for c in ("ts", "user", "src_ip", "outcome") if c not in self.mapping]
        if missing:
            raise ConfigError(f"--map must name the column(s) {', '.join(missing)} (e.g. --map ts=Date)")

    def check_header(self, header: list[str]) -> None:
        missing = [c for c in self.mapping.values() if c not in header]
        if missing:
            raise ConfigError(
                f"--map names column(s) not in the CSV header: {', '.join(missing)} (header: {', '.join(header)})"
            )

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        row: dict[str, str] = rec

        def get(col: str) -> str | None:
            v = row.get(self.mapping[col]) if col in self.mapping else None
            return v.strip() if isinstance(v, str) and v.strip() else None

        user = get("user")
        if not user:
            raise Malformed("row without a user")
        verdict = (get("outcome") or "").lower()
        ok = verdict in SUCCESS
        inter = truthy(get("interactive"))
        return LoginEvent(
            ts=parse_time(get("ts")),
            user=user,
            src_ip=address(get("src_ip")),
            outcome="success" if ok else "failure",
            reason=get("reason") or (None if ok else verdict or "failure"),
            method=get("method"),
            mfa=truthy(get("mfa")),
            app=get("app"),
            interactive=True if inter is None else inter,
            user_agent=get("user_agent"),
        )
