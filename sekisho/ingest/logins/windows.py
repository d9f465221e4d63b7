"""Windows Security log 4624 (an account logged on) / 4625 (failed to log on), exported as JSON:
Winlogbeat / Elastic Agent (``winlog.event_id``, ``winlog.event_data``) and the XML-to-JSON form of
EvtxECmd / python-evtx (``Event.System.EventID``, ``Event.EventData.Data`` as ``@Name``/``#text``).

``LogonType`` 2 (interactive), 7 (unlock), 10 (RemoteInteractive/RDP) and 11 (cached) are
interactive; 3 (network), 4 (batch), 5 (service) are not. 4625's ``Status``/``SubStatus`` (NTSTATUS,
``0xC000006A`` wrong password, ``0xC0000064`` no such user) is the reason. Other event IDs are skipped.
Reference (no real export in the corpora; tests build events from it):
https://learn.microsoft.com/en-us/windows/security/threat-protection/auditing/event-4624 and event-4625
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

INTERACTIVE_TYPES = {"2", "7", "10", "11", "12", "13"}
STATUS = {
    "0xc000006a": "wrong password",
    "0xc0000064": "no such user",
    "0xc0000234": "account locked out",
    "0xc0000072": "account disabled",
    "0xc000006f": "outside allowed hours",
    "0xc0000071": "password expired",
    "0xc0000193": "account expired",
    "0xc000006d": "bad user name or password",
}


def _event_data(rec: dict[str, Any]) -> tuple[int | None, Any, dict[str, Any]]:
    if isinstance(rec.get("winlog"), dict):
        w = rec["winlog"]
        eid = w.get("event_id") or dig(rec, "event.code")
        return _int(eid), rec.get("@timestamp") or rec.get("timestamp"), dict(w.get("event_data") or {})
    ev = rec.get("Event", rec)
    system = ev.get("System") if isinstance(ev, dict) else None
    if isinstance(system, dict):
        eid = system.get("EventID")
        if isinstance(eid, dict):
            eid = eid.get("#text")
        tc = system.get("TimeCreated")
        ts = tc.get("@SystemTime") if isinstance(tc, dict) else tc
        data: dict[str, Any] = {}
        raw = dig(ev, "EventData.Data") or []
        for d in raw if isinstance(raw, list) else [raw]:
            if isinstance(d, dict) and "@Name" in d:
                data[d["@Name"]] = d.get("#text")
        return _int(eid), ts, data
    return None, None, {}


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


class WindowsLogon(LoginFormat):
    name: ClassVar[str] = "windows-logon"
    title: ClassVar[str] = "Windows Security 4624/4625 as JSON (Winlogbeat, EvtxECmd/python-evtx)"
    shape: ClassVar[Shape] = "json"
    reference = "https://learn.microsoft.com/en-us/windows/security/threat-protection/auditing/event-4624"
    priority = 20

    def sniff(self, head: list[str], first: Any) -> bool:
        return isinstance(first, dict) and (
            isinstance(first.get("winlog"), dict) or isinstance(dig(first, "Event.System"), dict)
        )

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        if not isinstance(rec, dict):
            raise Malformed("not a JSON object")
        eid, ts, data = _event_data(rec)
        if eid is None:
            raise Malformed("no event ID")
        if eid not in (4624, 4625):
            raise Skip("Windows event other than 4624/4625")
        user = data.get("TargetUserName")
        if not user:
            raise Malformed("no TargetUserName")
        domain = data.get("TargetDomainName")
        ip = data.get("IpAddress")
        ltype = str(data.get("LogonType") or "")
        status = str(data.get("SubStatus") or data.get("Status") or "").lower()
        ok = eid == 4624
        return LoginEvent(
            ts=parse_time(ts),
            user=f"{domain}\\{user}" if domain and domain not in ("-", ".") else str(user),
            src_ip=None if ip in (None, "-", "::1", "127.0.0.1") else address(ip),
            outcome="success" if ok else "failure",
            reason=None if ok else STATUS.get(status, status or data.get("FailureReason") or "failed"),
            method=f"logon type {ltype} {data.get('AuthenticationPackageName') or ''}".strip(),
            app=data.get("WorkstationName") or "windows",
            interactive=ltype in INTERACTIVE_TYPES,
            user_agent=data.get("LogonProcessName"),
        )


_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def xml_event(chunk: str) -> dict[str, Any]:
    """One ``<Event>`` element (``wevtutil qe Security /f:xml``, ``Get-WinEvent … .ToXml()``, an
    Event Viewer XML export) as the dict form of python-evtx; no DTD or entity is accepted."""
    import xml.etree.ElementTree as ET

    if "<!DOCTYPE" in chunk or "<!ENTITY" in chunk:
        raise Malformed("XML with a DTD or entities is refused")
    try:
        root = ET.fromstring(chunk)  # noqa: S314 - no DTD (checked above)
    except ET.ParseError as e:
        raise Malformed(f"not XML: {e}") from None

    def find(el: Any, name: str) -> Any:
        return (
            el.find(_NS + name)
            if el is not None and el.find(_NS + name) is not None
            else (el.find(name) if el is not None else None)
        )

    system = find(root, "System")
    if system is None:
        raise Malformed("an Event without System")
    eid = find(system, "EventID")
    tc = find(system, "TimeCreated")
    data = []
    ed = find(root, "EventData")
    if ed is not None:
        for d in list(ed):
            if d.tag.endswith("Data") and d.get("Name"):
                data.append({"@Name": d.get("Name"), "#text": d.text})
    return {
        "Event": {
            "System": {"EventID": eid.text if eid is not None else None,
                       "TimeCreated": {"@SystemTime": tc.get("SystemTime") if tc is not None else None}},
            "EventData": {"Data": data},
        }
    }  # fmt: skip


class WindowsLogonXml(WindowsLogon):
    name: ClassVar[str] = "windows-logon-xml"
    title: ClassVar[str] = (
        "Windows Security 4624/4625 as XML (wevtutil /f:xml, Get-WinEvent ToXml, Event Viewer)"
    )
    shape: ClassVar[Shape] = "xml"
    priority = 21

    def sniff(self, head: list[str], first: Any) -> bool:
        text = "".join(head[:5])
        return "<Event" in text and (
            "schemas.microsoft.com/win/2004/08/events/event" in text or "<EventID" in text
        )

    def record(self, rec: Any, year: int | None = None) -> LoginEvent:
        return super().record(xml_event(rec) if isinstance(rec, str) else rec)
