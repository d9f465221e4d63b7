"""Cloud control-plane audit trails as authenticated calls (non-interactive ``api`` events): Google
Cloud Audit Logs (``protoPayload.authenticationInfo.principalEmail``, ``requestMetadata.callerIp``,
``status.code``) and the Azure Activity Log (``caller``, ``http_request.client_ip_address`` or
``httpRequest.clientIpAddress``, ``status``). They are no sign-ins, but a key used from a new
country shows there; detections see them only with ``--include-api``.
References: https://cloud.google.com/logging/docs/audit and
https://learn.microsoft.com/en-us/azure/azure-monitor/essentials/activity-log-schema; real samples:
shared/corpora/cloud/plaso_gcp_logging.jsonl and plaso_azure_activity_log.jsonl (plaso's test data).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sekisho.ingest.logins.base import LoginEvent, LoginFormat, Malformed, Skip, address, dig, parse_time


class GcpAudit(LoginFormat):
    name: ClassVar[str] = "gcp-audit"
    title: ClassVar[str] = "Google Cloud Audit Logs (LogEntry JSON)"
    shape = "json"
    reference = "https://cloud.google.com/logging/docs/audit"
    priority = 30

    def sniff(self, head: list[str], first: Any) -> bool:
        return isinstance(first, dict) and "logName" in first and "insertId" in first

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        p = rec.get("protoPayload")
        if not isinstance(p, dict):
            raise Skip("log entry without an audit payload")
        user = dig(p, "authenticationInfo.principalEmail")
        if not user:
            raise Skip("audit entry without a principal")
        code = dig(p, "status.code")
        ok = not code
        return LoginEvent(
            ts=parse_time(rec.get("timestamp") or rec.get("receiveTimestamp")),
            user=str(user),
            src_ip=address(dig(p, "requestMetadata.callerIp")),
            outcome="success" if ok else "failure",
            reason=None if ok else str(dig(p, "status.message") or code),
            method="api",
            app=f"{p.get('serviceName', 'gcp')} {p.get('methodName', '')}".strip(),
            interactive=False,
            user_agent=dig(p, "requestMetadata.callerSuppliedUserAgent"),
        )


class AzureActivity(LoginFormat):
    name: ClassVar[str] = "azure-activity"
    title: ClassVar[str] = "Azure Activity Log (JSON)"
    shape = "json"
    reference = "https://learn.microsoft.com/en-us/azure/azure-monitor/essentials/activity-log-schema"
    priority = 30

    def sniff(self, head: list[str], first: Any) -> bool:
        return (
            isinstance(first, dict)
            and "caller" in first
            and ("event_timestamp" in first or "eventTimestamp" in first)
        )

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        user = rec.get("caller")
        if not user:
            raise Skip("activity without a caller (a platform event)")
        status = rec.get("status")
        value = status.get("value") if isinstance(status, dict) else status
        ip = dig(rec, "http_request.client_ip_address") or dig(rec, "httpRequest.clientIpAddress")
        ip = ip or dig(rec, "claims.ipaddr")
        op = rec.get("operation_name") or rec.get("operationName")
        op = op.get("value") if isinstance(op, dict) else op
        ok = value not in ("Failed", "Failure")
        return LoginEvent(
            ts=parse_time(rec.get("event_timestamp") or rec.get("eventTimestamp")),
            user=str(user),
            src_ip=address(ip),
            outcome="success" if ok else "failure",
            reason=None if ok else str(value),
            method="api",
            app=f"azure {op or ''}".strip(),
            interactive=False,
        )
