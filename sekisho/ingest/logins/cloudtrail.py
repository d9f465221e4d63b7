"""AWS CloudTrail: delivered ``{"Records": [...]}`` files, ``aws cloudtrail lookup-events`` output
(``{"Events": [...]}`` or one event per line, each carrying its record as the ``CloudTrailEvent``
string), and records one per line.

``ConsoleLogin`` (``responseElements.ConsoleLogin`` Success/Failure, ``additionalEventData.MFAUsed``),
``AssumeRoleWithSAML``/``AssumeRoleWithWebIdentity``/``GetSigninToken``/``SwitchRole`` are sign-ins
(interactive); every other authenticated call is kept as a non-interactive ``api`` event (stolen
access keys show up there), failed when it carries ``errorCode``. Reference: AWS CloudTrail User
Guide, "CloudTrail record contents" and "AWS console sign-in events"; real sample:
shared/corpora/cloud/plaso_aws_cloudtrail_lookup-events.jsonl (plaso's test data).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, Skip, address, dig, parse_time

SIGN_INS = {"ConsoleLogin", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetSigninToken", "SwitchRole"}


def _user(rec: dict[str, Any]) -> str | None:
    ui = rec.get("userIdentity") or {}
    name = ui.get("userName") or dig(ui, "sessionContext.sessionIssuer.userName")
    if rec.get("eventName") in ("AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"):
        name = dig(rec, "requestParameters.roleSessionName") or ui.get("userName") or name
    if not name and isinstance(ui.get("arn"), str):
        name = ui["arn"].rsplit("/", 1)[-1]
    return name or ui.get("principalId") or ui.get("invokedBy")


class CloudTrail(LoginFormat):
    name: ClassVar[str] = "cloudtrail"
    title: ClassVar[str] = "AWS CloudTrail (Records files, lookup-events JSON)"
    shape = "json"
    reference = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html"
    priority = 20

    def sniff(self, head: list[str], first: Any) -> bool:
        return isinstance(first, dict) and (
            "CloudTrailEvent" in first or ("eventVersion" in first and "eventSource" in first)
        )

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        if "CloudTrailEvent" in rec:
            try:
                rec = json.loads(rec["CloudTrailEvent"])
            except (TypeError, ValueError):
                raise Malformed("CloudTrailEvent is not a JSON record") from None
            if not isinstance(rec, dict):
                raise Malformed("CloudTrailEvent is not a JSON object")
        name = rec.get("eventName")
        if not isinstance(name, str):
            raise Malformed("no eventName")
        user = _user(rec)
        if not user:
            raise Skip("event without a user identity (a service event)")
        ts = parse_time(rec.get("eventTime"))
        signin = name in SIGN_INS
        ok = rec.get("errorCode") is None
        reason = rec.get("errorMessage") or rec.get("errorCode")
        mfa = None
        if name == "ConsoleLogin":
            verdict = dig(rec, "responseElements.ConsoleLogin")
            ok = verdict == "Success" if verdict else ok
            used = dig(rec, "additionalEventData.MFAUsed")
            mfa = used == "Yes" if used else None
        else:
            attr = dig(rec, "userIdentity.sessionContext.attributes.mfaAuthenticated")
            mfa = attr == "true" if isinstance(attr, str) else None
        return LoginEvent(
            ts=ts,
            user=str(user),
            src_ip=address(rec.get("sourceIPAddress")),
            outcome="success" if ok else "failure",
            reason=None if ok else (str(reason) if reason else "failed"),
            method=name if signin else "api",
            mfa=mfa,
            app=f"{rec.get('eventSource', 'aws')} {name}",
            interactive=signin,
            user_agent=rec.get("userAgent"),
        )
