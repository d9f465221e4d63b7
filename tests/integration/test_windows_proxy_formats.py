"""Issue 17: W3C extended logs (IIS, ProxySG) and the Windows Server DNS debug log.

IIS lines are verbatim from Wazuh's ruleset (wazuh/wazuh-ruleset
908c90b74b49ed04ee53b0367b55bb28e3c628ee: ``rules/log-entries/iis6`` lines 1-4 and the IIS 6
``#Fields`` of ``decoders/0380-windows_decoders.xml``, lines 59-61). No Windows DNS Server or ProxySG
log was at hand: those lines are written for the test in the layout the products document, each
locale's date form as Windows prints it (tests/data/README.md). Expected values are read off the
lines by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.sources import open_source
from sekisho.store import Store

IIS6 = [
    "#Software: Microsoft Internet Information Services 6.0",
    "#Version: 1.0",
    "#Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
    "c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status "
    "sc-bytes cs-bytes time-taken",
    "2007-01-22 05:00:11 W3SVC1 HOSTNAME 1.1.1.1 POST /SimpleAuthWebService/SimpleAuth.asmx - 80 - 2.2.2.2 "
    "HTTP/1.1 Windows-Update-Agent - - hostname 200 0 0 1467 841 31",
    "2007-01-22 05:00:11 W3SVC1 HOSTNAME 1.1.1.1 POST /SimpleAuthWebService/SimpleAuth.asmx - 80 - 2.2.2.2 "
    "HTTP/1.1 Windows-Update-Agent - - hostname 400 0 0 1467 841 31",
    "2007-01-23 05:00:11 W3SVC22 xxx.ossec.net 1.2.3.4 GET / - 80 - 192.168.2.33 HTTP/1.1 "
    "Windows-Update-Agent - - myhost.name 500 0 0 1467 841 31",
    # this published line has 19 values for 22 fields: malformed, never misread
    "2005-05-21 05:39:27 W3SVC1 hostname123 192.168.0.101 GET /VirtualServerError/VSWebApp.exe view=1 1024 "
    "WEBBROWSER\\User 192.168.0.101 HTTP/1.0 Mozilla/4.0+(User-Agent) - - xx.nada.com 200 0 0",
]

PROXYSG = [
    "#Software: SGOS 6.7.4.1",
    "#Version: 1.0",
    "#Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result "
    "cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host "
    "cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id",
    '2023-05-10 01:02:03 45 10.1.2.3 - - - OBSERVED "Technology/Internet" - 200 TCP_NC_MISS GET '
    'text/html https www.example.co.jp 443 /index.html - html "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" '
    "10.0.0.1 5120 410 -",
    '2023-05-10 01:02:04 12 10.1.2.4 - - - OBSERVED "Technology/Internet" - 200 TCP_TUNNELED CONNECT - '
    'tcp ime.example.cn 443 / - - "Baidu IME" 10.0.0.1 90 300 -',
    "#Fields: date time c-ip cs-host",
    "2023-05-10 01:02:05 10.1.2.5 later.example",
]

WINDNS_EN = [
    "DNS Server log file creation at 6/4/2020 11:29:59 AM",
    "Log file wrap at 6/4/2020 11:29:59 AM",
    "",
    "Message logging key (for packets - other items use a subset of these fields):",
    "\tField #  Information         Values",
    "\t-------  -----------         ------",
    "\t   1     Date",
    "",
    "6/4/2020 11:30:01 AM 0E4C PACKET  0000020B9A2B5090 UDP Rcv 10.0.0.5        b0d4   Q [0001   D   NOERROR] A      (3)www(6)google(3)com(0)",
    "6/4/2020 11:30:01 AM 0E4C PACKET  0000020B9A2B5090 UDP Snd 8.8.8.8         3f2a   Q [0001   D   NOERROR] A      (3)www(6)google(3)com(0)",
    "6/4/2020 11:30:01 AM 0E4C PACKET  0000020B9A2B5090 UDP Rcv 8.8.8.8         3f2a R Q [8081   DR  NOERROR] A      (3)www(6)google(3)com(0)",
    "6/4/2020 11:30:01 AM 0E4C PACKET  0000020B9A2B5090 UDP Snd 10.0.0.5        b0d4 R Q [8081   DR  NOERROR] A      (3)www(6)google(3)com(0)",
    "6/4/2020 1:05:09 PM 0E50 PACKET  0000020B9A2B6000 TCP Rcv 10.0.0.6        00a1   Q [0001   D   NOERROR] AAAA   (4)mail(7)example(2)jp(0)",
    "6/4/2020 1:05:10 PM 0E50 PACKET  0000020B9A2B6000 UDP Rcv 10.0.0.6 garbled",
]


def scan(
    tmp_path: Path, lines: list[str], name: str = "x.log"
) -> tuple[dict[str, object], dict[tuple[str, str], tuple[object, ...]]]:
    log = tmp_path / name
    log.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")  # both products write CRLF
    db = tmp_path / f"{name}.duckdb"
    with Store(db) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))
    assert detect(open_source(log)).name in ("w3c", "windows-dns")
    result = api.scan([str(log)], db=db)
    files = result["files"]
    assert isinstance(files, list)
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT client, name, sum(queries), min(first_seen), sum(bytes_out), sum(bytes_in) FROM observations GROUP BY ALL"
        ).fetchall()
    return files[0], {(str(r[0]), str(r[1])): tuple(r[2:]) for r in rows}


def test_iis(tmp_path: Path) -> None:
    account, got = scan(tmp_path, IIS6)
    assert account["format"] == "w3c"
    assert got == {
        ("2.2.2.2", "hostname"): (2, dt.datetime(2007, 1, 22, 5, 0, 11), 2 * 841, 2 * 1467),
        ("192.168.2.33", "myhost.name"): (1, dt.datetime(2007, 1, 23, 5, 0, 11), 841, 1467),
    }
    assert account["malformed"] == 1
    samples = account["malformed_samples"]
    assert (
        isinstance(samples, list)
        and samples[0]["line"] == 7
        and "19 values where #Fields names 22" in samples[0]["reason"]
    )


def test_proxysg_quoted_values_and_changed_header(tmp_path: Path) -> None:
    account, got = scan(tmp_path, PROXYSG)
    assert account["format"] == "w3c"
    assert got[("10.1.2.3", "www.example.co.jp")] == (1, dt.datetime(2023, 5, 10, 1, 2, 3), 410, 5120)
    assert ("10.1.2.4", "ime.example.cn") in got  # CONNECT: cs-host
    # a second, different #Fields: malformed (and the record after it, by its value count)
    assert account["malformed"] == 2
    samples = account["malformed_samples"]
    assert isinstance(samples, list)
    assert [s["line"] for s in samples] == [6, 7]
    assert "differs from the first" in samples[0]["reason"]


def test_windows_dns_english(tmp_path: Path) -> None:
    account, got = scan(tmp_path, WINDNS_EN)
    assert account["format"] == "windows-dns"
    assert got == {
        ("10.0.0.5", "www.google.com"): (1, dt.datetime(2020, 6, 4, 11, 30, 1), None, None),
        ("10.0.0.6", "mail.example.jp"): (1, dt.datetime(2020, 6, 4, 13, 5, 9), None, None),
    }
    reasons = account["skipped_reasons"]
    assert isinstance(reasons, dict)
    assert reasons["response"] == 2 and reasons["the server's own query (recursion, forwarding)"] == 1
    assert account["malformed"] == 1
    samples = account["malformed_samples"]
    assert isinstance(samples, list) and samples[0]["line"] == 14


def test_windows_dns_locales(tmp_path: Path) -> None:
    """The same packet line under the date forms of Swedish (ISO), Japanese, German and British
    Windows: each the same instant, 4 June 2020 13:05:09."""
    rest = " 0E50 PACKET  0000020B9A2B6000 UDP Rcv 10.0.0.6        00a1   Q [0001   D   NOERROR] A      (4)mail(7)example(2)jp(0)"
    for i, stamp in enumerate(
        ("2020-06-04 13:05:09", "2020/06/04 13:05:09", "04.06.2020 13:05:09", "04/06/2020 13:05:09")
    ):
        account, got = scan(tmp_path, [stamp + rest], name=f"dns{i}.log")
        assert account["format"] == "windows-dns", stamp
        assert got == {("10.0.0.6", "mail.example.jp"): (1, dt.datetime(2020, 6, 4, 13, 5, 9), None, None)}, (
            stamp
        )
