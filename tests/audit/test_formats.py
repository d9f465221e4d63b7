"""Sign-in formats other than OpenSSH: the real cloud samples in shared/corpora/cloud (plaso's test
data), and — for formats without a real sample — records built from each vendor's documented schema
(the URL is on each test). Malformed records are counted with file:line and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sekisho.errors import ConfigError, InputError
from sekisho.ingest.logins import get_login_format, read_logins
from tests.conftest import corpora_dir, need

CLOUD = corpora_dir() / "cloud"


def _cloud(name: str) -> Path:
    p = CLOUD / name
    need(p.is_file(), f"the real sample {p}")
    return p


def test_cloudtrail_lookup_events_real_sample() -> None:
    events, acct = read_logins(_cloud("plaso_aws_cloudtrail_lookup-events.jsonl"))
    assert acct.format == "cloudtrail" and acct.malformed == 0
    assert acct.parsed == 6 and acct.parsed + acct.skipped == acct.records
    e = events[0]
    assert (e.user, e.src_ip, e.method, e.interactive) == ("fakeusername", "1.2.3.4", "api", False)
    assert e.ts.isoformat() == "2022-02-07T22:23:37+00:00" and e.mfa is False
    # a service acting on the account's behalf has no user name: kept with its service principal
    assert any(ev.src_ip == "ec2.amazonaws.com" for ev in events)


def test_gcp_and_azure_real_samples() -> None:
    gcp, acct = read_logins(_cloud("plaso_gcp_logging.jsonl"))
    assert acct.format == "gcp-audit" and acct.malformed == 0 and acct.parsed == 9
    assert acct.skipped_reasons == {"log entry without an audit payload": 2}
    denied = [e for e in gcp if e.outcome == "failure"]
    assert len(denied) == 1 and denied[0].src_ip == "34.72.217.225" and "denied" in (denied[0].reason or "")
    az, acct = read_logins(_cloud("plaso_azure_activity_log.jsonl"))
    assert acct.format == "azure-activity" and acct.malformed == 0 and acct.parsed == 4
    assert {e.src_ip for e in az} and all(not e.interactive for e in az)


# --- CloudTrail console sign-ins, Records file: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html


def _console(user: str, ok: bool, mfa: str, t: str) -> dict[str, object]:
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA0", "arn": f"arn:aws:iam::111122223333:user/{user}",
                         "accountId": "111122223333", "userName": user},
        "eventTime": t, "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.10", "userAgent": "Mozilla/5.0",
        "requestParameters": None,
        "responseElements": {"ConsoleLogin": "Success" if ok else "Failure"},
        "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No", "MFAUsed": mfa},
        **({} if ok else {"errorMessage": "Failed authentication"}),
        "eventID": "e1", "eventType": "AwsConsoleSignIn", "recipientAccountId": "111122223333",
    }  # fmt: skip


def test_cloudtrail_records_console_login(tmp_path: Path) -> None:
    doc = {
        "Records": [
            _console("alice", True, "Yes", "2026-11-30T01:02:03Z"),
            _console("bob", False, "No", "2026-11-30T01:03:00Z"),
        ]
    }
    p = tmp_path / "111122223333_CloudTrail_us-east-1_20261130T0100Z_x.json"
    p.write_text(json.dumps(doc, indent=2))
    events, acct = read_logins(p)
    assert acct.format == "cloudtrail" and acct.parsed == 2
    a, b = events
    assert (a.user, a.outcome, a.mfa, a.interactive, a.method) == (
        "alice",
        "success",
        True,
        True,
        "ConsoleLogin",
    )
    assert (b.outcome, b.reason, b.mfa) == ("failure", "Failed authentication", False)
    assert a.line == 3 and b.line > a.line  # each record's own line in a pretty-printed file


# --- Entra ID: https://learn.microsoft.com/en-us/graph/api/resources/signin


def _entra(upn: str, code: int, interactive: bool, ip: str = "198.51.100.20") -> dict[str, object]:
    return {
        "id": "66ea54eb-6301-4ee5-be62-ff5a759b0100", "createdDateTime": "2026-11-30T09:15:23Z",
        "userDisplayName": upn.split("@")[0], "userPrincipalName": upn, "userId": "d7cc485d",
        "appId": "de8bc8b5", "appDisplayName": "Office 365 Exchange Online", "ipAddress": ip,
        "clientAppUsed": "Browser", "isInteractive": interactive,
        "authenticationRequirement": "multiFactorAuthentication" if code == 0 else "singleFactorAuthentication",
        "status": {"errorCode": code, "failureReason": "Invalid username or password." if code else None},
        "location": {"city": "Tokyo", "state": "Tokyo", "countryOrRegion": "JP"},
        "userAgent": "Mozilla/5.0",
    }  # fmt: skip


def test_entra_graph_and_monitor_exports(tmp_path: Path) -> None:
    p = tmp_path / "signins.json"
    p.write_text(
        json.dumps({"value": [_entra("a@example.jp", 0, True), _entra("b@example.jp", 50126, True)]})
    )
    events, acct = read_logins(p)
    assert acct.format == "entra" and acct.parsed == 2
    assert (events[0].outcome, events[0].mfa, events[0].vendor_country) == ("success", True, "JP")
    assert events[1].outcome == "failure" and events[1].reason == "50126 Invalid username or password."
    # Azure Monitor diagnostic export: one record per line, category says interactive or not
    m = tmp_path / "PT1H.json"
    rec = {
        "time": "2026-11-30T09:15:23Z",
        "category": "NonInteractiveUserSignInLogs",
        "properties": _entra("c@example.jp", 0, False),
    }
    bad = {
        "time": "2026-11-30T09:16:00Z",
        "category": "SignInLogs",
        "properties": {"userPrincipalName": "d@example.jp"},
    }
    m.write_text(json.dumps(rec) + "\n" + json.dumps(bad) + "\nnot json\n")
    events, acct = read_logins(m)
    assert acct.format == "entra" and [e.interactive for e in events] == [False]
    assert [(s["line"], s["reason"]) for s in acct.malformed_samples] == [
        (2, "no status.errorCode"),
        (3, "not a JSON record"),
    ]


# --- Okta: https://developer.okta.com/docs/reference/api/system-log/


def test_okta_system_log(tmp_path: Path) -> None:
    def ev(kind: str, result: str, reason: str | None = None) -> dict[str, object]:
        return {
            "uuid": "1", "published": "2026-11-30T00:00:00.123Z", "eventType": kind, "version": "0",
            "severity": "INFO", "displayMessage": "User login to Okta",
            "actor": {"id": "00u1", "type": "User", "alternateId": "carol@example.jp", "displayName": "Carol"},
            "client": {"userAgent": {"rawUserAgent": "curl/8"}, "ipAddress": "192.0.2.44",
                       "geographicalContext": {"country": "Japan", "city": "Osaka"}},
            "securityContext": {"asNumber": 2516, "asOrg": "KDDI CORPORATION", "isp": "KDDI"},
            "outcome": {"result": result, "reason": reason},
            "authenticationContext": {"credentialType": "PASSWORD"},
        }  # fmt: skip

    p = tmp_path / "okta.json"
    p.write_text(
        json.dumps(
            [
                ev("user.session.start", "SUCCESS"),
                ev("user.session.start", "FAILURE", "INVALID_CREDENTIALS"),
                ev("user.account.lock", "SUCCESS"),
            ]
        )
    )
    events, acct = read_logins(p)
    assert (
        acct.format == "okta"
        and acct.parsed == 2
        and acct.skipped_reasons == {"Okta event that is not a sign-in": 1}
    )
    assert (events[0].asn, events[0].asn_org, events[0].method) == (2516, "KDDI CORPORATION", "PASSWORD")
    assert (events[1].outcome, events[1].reason) == ("failure", "INVALID_CREDENTIALS")


# --- Google Workspace: https://developers.google.com/admin-sdk/reports/v1/appendix/activity/login


def test_google_workspace_login(tmp_path: Path) -> None:
    def act(name: str, params: list[dict[str, object]]) -> dict[str, object]:
        return {
            "kind": "admin#reports#activity", "id": {"time": "2026-11-30T03:04:05.000Z", "uniqueQualifier": "1",
                                                     "applicationName": "login", "customerId": "C0"},
            "actor": {"email": "dan@example.jp", "profileId": "1"}, "ipAddress": "2001:db8::7",
            "events": [{"type": "login", "name": name, "parameters": params}],
        }  # fmt: skip

    p = tmp_path / "login.json"
    p.write_text(json.dumps({"kind": "admin#reports#activities", "items": [
        act("login_success", [{"name": "login_type", "value": "google_password"}, {"name": "is_second_factor", "boolValue": True}]),
        act("login_failure", [{"name": "login_failure_type", "value": "login_failure_invalid_password"}]),
        act("logout", []),
    ]}))  # fmt: skip
    events, acct = read_logins(p)
    assert acct.format == "google-login" and acct.parsed == 2 and acct.skipped == 1
    assert (events[0].method, events[0].mfa, events[0].src_ip) == ("google_password", True, "2001:db8::7")
    assert events[1].reason == "login_failure_invalid_password"


# --- Windows 4624/4625: https://learn.microsoft.com/en-us/windows/security/threat-protection/auditing/event-4625


def test_windows_logon_winlogbeat_and_evtx_json(tmp_path: Path) -> None:
    beat = {"@timestamp": "2026-11-30T05:00:00.000Z", "event": {"code": "4625"},
            "winlog": {"event_id": 4625, "event_data": {"TargetUserName": "eve", "TargetDomainName": "CITY",
                       "LogonType": "10", "IpAddress": "203.0.113.99", "Status": "0xc000006d", "SubStatus": "0xc000006a",
                       "AuthenticationPackageName": "Negotiate", "WorkstationName": "WS1"}}}  # fmt: skip
    evtx = {"Event": {"System": {"EventID": 4624, "TimeCreated": {"@SystemTime": "2026-11-30T05:01:00.1234567Z"}},
            "EventData": {"Data": [{"@Name": "TargetUserName", "#text": "eve"}, {"@Name": "LogonType", "#text": "3"},
                                   {"@Name": "IpAddress", "#text": "-"}]}}}  # fmt: skip
    p = tmp_path / "security.jsonl"
    p.write_text(
        json.dumps(beat) + "\n" + json.dumps({"winlog": {"event_id": 4634, "event_data": {}}}) + "\n"
    )
    events, acct = read_logins(p)
    assert acct.format == "windows-logon" and acct.parsed == 1 and acct.skipped == 1
    e = events[0]
    assert (e.user, e.outcome, e.reason, e.interactive, e.src_ip) == (
        "CITY\\eve",
        "failure",
        "wrong password",
        True,
        "203.0.113.99",
    )
    q = tmp_path / "evtx.jsonl"
    q.write_text(json.dumps(evtx) + "\n")
    events, acct = read_logins(q)
    assert (events[0].outcome, events[0].interactive, events[0].src_ip) == ("success", False, None)


def test_login_csv_with_map(tmp_path: Path) -> None:
    p = tmp_path / "vpn.csv"
    p.write_text(
        "Date,Account,IP,Result\n2026-11-30 10:00:00,alice,192.0.2.1,Success\n2026-11-30 10:01:00,,192.0.2.1,Failure\n2026-11-30 10:02:00,bob,192.0.2.2,Failure,extra\n"
    )
    fmt = get_login_format(
        "login-csv", {"ts": "Date", "user": "Account", "src_ip": "IP", "outcome": "Result"}
    )
    events, acct = read_logins(p, fmt)
    assert [(e.user, e.outcome) for e in events] == [("alice", "success")]
    assert [(s["line"], s["reason"]) for s in acct.malformed_samples] == [
        (3, "row without a user"),
        (4, "more fields than the header"),
    ]
    with pytest.raises(ConfigError, match="not in the CSV header"):
        read_logins(
            p,
            get_login_format(
                "login-csv", {"ts": "When", "user": "Account", "src_ip": "IP", "outcome": "Result"}
            ),
        )
    with pytest.raises(ConfigError, match="must name"):
        get_login_format("login-csv", {"user": "Account"})


def test_unknown_file_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "x.log"
    p.write_text("hello world\n")
    with pytest.raises(InputError, match="not a sign-in log"):
        read_logins(p)


# --- Windows XML: the <Event> schema of https://learn.microsoft.com/en-us/windows/win32/wes/eventschema-schema
_NS = "http://schemas.microsoft.com/win/2004/08/events/event"


def _xml_event(eid: int, user: str, ip: str, ltype: str, sub: str = "0x0") -> str:
    return (
        f"<Event xmlns='{_NS}'><System><Provider Name='Microsoft-Windows-Security-Auditing' "
        "Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>"
        f"<EventID>{eid}</EventID><Version>2</Version><Level>0</Level><Task>12544</Task>"
        "<TimeCreated SystemTime='2026-11-30T05:00:00.1234567Z'/><Channel>Security</Channel>"
        "<Computer>dc1.city.example.jp</Computer></System><EventData>"
        f"<Data Name='TargetUserName'>{user}</Data><Data Name='TargetDomainName'>CITY</Data>"
        f"<Data Name='LogonType'>{ltype}</Data><Data Name='IpAddress'>{ip}</Data>"
        f"<Data Name='SubStatus'>{sub}</Data></EventData></Event>"
    )


def test_windows_logon_xml(tmp_path: Path) -> None:
    p = tmp_path / "security.xml"
    p.write_text(
        _xml_event(4625, "eve", "203.0.113.99", "10", "0xc0000064") + "\n"
        + _xml_event(4624, "eve", "203.0.113.99", "10") + "\n"
        + _xml_event(4634, "eve", "-", "3") + "\n"
        + "<Event><System><EventID>4624</EventID></System><EventData><Data Name='TargetUserName'>x</Data>"
        + "</EventData></Event>\n"
        + "<Event xmlns='x'><System><EventID>4624</Event>\n"
    )  # fmt: skip
    events, acct = read_logins(p)
    assert acct.format == "windows-logon-xml"
    assert [(e.user, e.outcome, e.reason) for e in events] == [
        ("CITY\\eve", "failure", "no such user"),
        ("CITY\\eve", "success", None),
    ]
    assert acct.skipped_reasons == {"Windows event other than 4624/4625": 1}
    assert [(s["line"], s["reason"].split(":")[0]) for s in acct.malformed_samples] == [
        (4, "no time"),
        (5, "not XML"),
    ]
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
        + _xml_event(4624, "&lol;", "192.0.2.1", "2")
        + "\n"
    )
    events, acct = read_logins(bomb, get_login_format("windows-logon-xml"))
    assert events == [] and "DTD" in " ".join(s["reason"] for s in acct.malformed_samples)


# --- Entra portal CSV download: https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-download-logs
_ENTRA_CSV = (
    "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Application,Application ID,"
    "Resource,IP address,Location,Status,Sign-in error code,Failure reason,Client app,Authentication requirement\n"
    "2026-11-30T09:15:23Z,r1,Mozilla/5.0,c1,u1,Alice,alice@city.example.jp,Member,Office 365 Exchange Online,a1,"
    'Exchange,198.51.100.20,"Tokyo, Tokyo, JP",Success,0,,Browser,Multifactor authentication\n'
    "2026-11-30T09:16:00Z,r2,Mozilla/5.0,c2,u2,Bob,bob@city.example.jp,Member,Office 365 Exchange Online,a1,"
    'Exchange,203.0.113.5,"Seoul, KR",Failure,50126,Invalid username or password.,Browser,Single-factor authentication\n'
    "2026-11-30T09:17:00Z,r3,Mozilla/5.0,c3,u3,,,Member,App,a1,Res,203.0.113.6,,Failure,50126,x,Browser,\n"
)


def test_entra_portal_csv(tmp_path: Path) -> None:
    p = tmp_path / "InteractiveSignIns_2026-11-30_2026-12-01.csv"
    p.write_text(_ENTRA_CSV)
    events, acct = read_logins(p)
    assert acct.format == "entra-csv"
    a, b = events
    assert (a.user, a.outcome, a.mfa, a.interactive, a.src_ip) == (
        "alice@city.example.jp",
        "success",
        True,
        True,
        "198.51.100.20",
    )
    assert (b.outcome, b.reason, b.mfa) == ("failure", "50126 Invalid username or password.", False)
    assert [(s["line"], s["reason"]) for s in acct.malformed_samples] == [(4, "row without Username")]
    q = tmp_path / "NonInteractiveSignIns_2026-11-30_2026-12-01.csv"
    q.write_text(_ENTRA_CSV)
    assert all(not e.interactive for e in read_logins(q)[0])
