"""Issue 17 item 3: the inventory in the report's scope of impact — per service, the machines that
reached it are marked "installed" (software, version, file:line) when the inventory found its
software on them, and machines that have it installed but never reached it get rows of their own.

The osquery export is the inventory tests' own (osqueryd's results log: 10 machines, Baidu IME on
PC-03, PC-07 and PC-10; tests/integration/test_inventory.py) plus an ``osqueryi --json`` file; the
logs are Sysmon event 22 JSON lines in the shape of the OTRF sample (``Hostname`` naming the
computer) and a Zeek DNS log, written here, so which machine reached what is decided by the test.
Everything goes through the CLI: ``scan --db``, ``inventory --db``, ``report --html/--json``.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.report.model import MachineIndex, machine_key
from sekisho.report.pseudonym import Pseudonymizer
from tests.integration.test_inventory import osquery_results_log
from tests.integration.test_scan_store import zeek_dns_header
from tests.report.test_japanese import ALLOWED, _names, english_words

IME = "ime.baidu.jp"


def sysmon(host: str, name: str, second: int) -> str:
    """One Sysmon DNS query event as NXLog writes it (the fields of the OTRF sample)."""
    return json.dumps(
        {
            "@timestamp": f"2026-11-30T05:54:{second:02d}.493Z",
            "QueryName": name,
            "ProviderGuid": "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",
            "UtcTime": f"2026-11-30 05:54:{second:02d}.349",
            "ProcessGuid": "{39e4a257-1e6c-5f91-c712-000000000700}",
            "Image": "C:\\Program Files (x86)\\Baidu\\BaiduJP\\BaiduIME.exe",
            "Level": "4",
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Task": "22",
            "RuleName": "-",
            "QueryStatus": "0",
            "SourceName": "Microsoft-Windows-Sysmon",
            "Hostname": host,
            "QueryResults": "::ffff:203.0.113.7;",
            "ProcessId": "6708",
            "EventID": 22,
        }
    )


def zeek_dns(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A Zeek dns.log (TSV with its header) of (client address, query) rows."""
    head = zeek_dns_header("2026-11-30-00-00-00")
    body = [
        f"{1796010000 + i * 60}.000000\tC{i}x\t{client}\t{50000 + i}\t10.0.0.53\t53\tudp\t{i}\t{q}\tA\tNOERROR\t203.0.113.7"
        for i, (client, q) in enumerate(rows)
    ]
    path.write_text("\n".join([*head, *body, "#close\t2026-11-30-23-59-59"]) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def scope_rows(page: str, service_id: str) -> list[list[str]]:
    """The cells (text) of each row of a service's scope-of-impact table in the HTML report."""
    article = page.split(f'id="svc-{service_id}"', 1)[1].split("</article>", 1)[0]
    table = article.split("<h4>", article.count("<h4>"))[-1].split("<table>", 1)[1].split("</table>", 1)[0]
    out = []
    for tr in re.findall(r"<tbody>(.*?)</tbody>", table, re.S)[0].split("</tr>")[:-1]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        out.append([" ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return out


@pytest.fixture()
def site(tmp_path: Path) -> dict[str, Any]:
    """Sysmon logs of four machines, the osquery export of ten, a store holding both."""
    inv = tmp_path / "osquery.results.log"
    where = osquery_results_log(inv)  # Baidu IME on PC-03, PC-07, PC-10
    # osqueryi --json "SELECT p.*, s.hostname FROM programs p, system_info s" on PC-02: Sogou, a
    # service no machine reached in these logs
    pc02 = tmp_path / "PC-02.json"
    pc02.write_text(
        json.dumps(
            [
                {"name": "Microsoft Edge", "version": "119.0.2151.72", "publisher": "Microsoft Corporation",
                 "install_location": "", "identifying_number": "", "hostname": "PC-02"},
                {"name": "搜狗输入法 13.4", "version": "13.4.0.8106", "publisher": "Sogou.com",
                 "install_location": "C:\\Program Files (x86)\\SogouInput", "identifying_number": "",
                 "hostname": "PC-02"},
            ],
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )  # fmt: skip
    log = tmp_path / "sysmon-dns.json"
    log.write_text(
        "\n".join(
            [
                sysmon("PC-03.city.example.lg.jp", IME, 1),  # Winlogbeat-style FQDN: joins PC-03
                sysmon("PC-03.city.example.lg.jp", IME, 2),
                sysmon("PC-05", IME, 3),  # reached it, nothing installed
                sysmon("PC-07", "www.google.com", 4),  # in the logs, never reached Baidu IME
                sysmon("PC-01", "www.google.com", 5),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "site.duckdb"
    run("scan", str(log), "--db", str(db))
    run("inventory", str(inv), str(pc02), "--db", str(db))
    return {"db": db, "inv": inv, "where": where, "pc02": pc02, "tmp": tmp_path}


def test_scope_joins_network_and_inventory(site: dict[str, Any]) -> None:
    out = site["tmp"] / "r.json"
    run("report", "--json", str(out), "--db", str(site["db"]))
    r = json.loads(out.read_text(encoding="utf-8"))
    svc = next(s for s in r["services"] if s["id"] == "baidu-ime")
    by_client = {c["client"]: c for c in svc["scope"]}
    assert set(by_client) == {"PC-03.city.example.lg.jp", "PC-05"}
    [inst] = by_client["PC-03.city.example.lg.jp"]["installed"]
    assert inst["software"] == "baidu-ime-windows" and inst["version"] == "3.6.1.6"
    assert inst["machine"] == "PC-03"
    assert inst["source"] == f"{site['inv']}:{site['where']['PC-03']}"
    assert by_client["PC-05"]["installed"] == []
    assert svc["installed_machines"] == 3
    only = {c["machine"]: c for c in svc["installed_only"]}
    assert set(only) == {"PC-07", "PC-10"}
    assert only["PC-07"]["in_logs"] is True and only["PC-10"]["in_logs"] is False
    assert only["PC-10"]["installed"][0]["source"] == f"{site['inv']}:{site['where']['PC-10']}"
    # Google Search was reached by PC-03 and PC-07: no software of the catalog talks to it
    google = next(s for s in r["services"] if s["id"] == "google-search")
    assert google["installed_machines"] == 0 and all(c["installed"] == [] for c in google["scope"])
    # Sogou is installed on PC-02 and reached by nobody: listed apart
    [unseen] = r["installed_unseen"]
    assert unseen["id"] == "sogou-input" and unseen["machines"] == 1
    assert unseen["rows"][0]["machine"] == "PC-02" and unseen["rows"][0]["in_logs"] is False
    assert unseen["rows"][0]["installed"][0]["version"] == "13.4.0.8106"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_scope_marks_installed_machines(site: dict[str, Any], lang: str) -> None:
    page_path = site["tmp"] / f"r-{lang}.html"
    run("report", "--html", str(page_path), "--lang", lang, "--db", str(site["db"]))
    page = page_path.read_text(encoding="utf-8")
    rows = {r[0]: r for r in scope_rows(page, "baidu-ime")}
    assert list(rows) == ["PC-03.city.example.lg.jp", "PC-05", "PC-07", "PC-10"]
    pc03 = rows["PC-03.city.example.lg.jp"]
    assert len(pc03) == 7 and "baidu-ime-windows 3.6.1.6" in pc03[-1]
    assert f"osquery.results.log:{site['where']['PC-03']}" in pc03[-1]
    assert pc03[-2] == IME and pc03[-3] == "2"  # the network evidence is still there: names, queries
    assert rows["PC-05"][-1] == "—"
    no_traffic = {"en": "installed, no traffic seen", "ja": "インストール済み・通信なし"}[lang]
    not_in_logs = {"en": "installed; this machine is not in the logs", "ja": "インストール済み・この端末はログに現れません"}[lang]  # fmt: skip
    assert rows["PC-07"][1] == no_traffic and rows["PC-10"][1] == not_in_logs
    assert f"osquery.results.log:{site['where']['PC-07']}" in rows["PC-07"][-1]
    line = {"en": "3 machines have its software installed", "ja": "3 台にこのソフトウェアがインストールされています"}[lang]  # fmt: skip
    assert line in htmlmod.unescape(re.sub(r"<[^>]+>", "", page))
    # Google Search's table has no inventory column: nothing of it is installed
    assert all(len(r) == 6 for r in scope_rows(page, "google-search"))
    assert 'id="installed-unseen"' in page and "sogou-input-windows" in page and "13.4.0.8106" in page


def test_japanese_report_with_inventory_has_no_stray_english(site: dict[str, Any]) -> None:
    page_path = site["tmp"] / "r.html"
    run("report", "--html", str(page_path), "--lang", "ja", "--db", str(site["db"]))
    # data, not words of the report: machine names, finding subjects, the software's own name
    data = {f"PC-{i:02d}" for i in range(1, 11)} | {"PC-03.city.example.lg.jp"}
    bad = english_words(page_path.read_text(encoding="utf-8"), ALLOWED | _names() | data)
    assert not bad, "\n".join(bad[:20])


def test_pseudonymized_scope_hides_machine_names_and_paths(site: dict[str, Any], key_file: Path) -> None:
    page_path = site["tmp"] / "share.html"
    run("report", "--html", str(page_path), "--pseudonymize", "--db", str(site["db"]))
    page = page_path.read_text(encoding="utf-8")
    p = Pseudonymizer.from_file(key_file)
    rows = {r[0]: r for r in scope_rows(page, "baidu-ime")}
    assert set(rows) == {p.client(m) for m in ("PC-03.city.example.lg.jp", "PC-05", "PC-07", "PC-10")}
    assert "baidu-ime-windows 3.6.1.6" in rows[p.client("PC-03.city.example.lg.jp")][-1]
    for secret in ("PC-0", "PC-10", "osquery.results.log", str(site["tmp"])):
        assert secret not in page, secret


def test_machines_joined_by_address(tmp_path: Path) -> None:
    """``osqueryi --json`` files named by the machine's address, a Zeek log of addresses."""
    for ip in ("10.0.0.7", "10.0.0.8"):
        (tmp_path / f"{ip}.json").write_text(
            json.dumps([{"name": "Baidu IME", "version": "3.6.1.6", "publisher": "Baidu Japan Inc.",
                         "install_location": "", "identifying_number": "{0000}"}]),
            encoding="utf-8",
        )  # fmt: skip
    log = zeek_dns(
        tmp_path / "dns.log", [("10.0.0.7", IME), ("10.0.0.9", IME), ("10.0.0.8", "www.google.com")]
    )
    db = tmp_path / "db.duckdb"
    run("scan", str(log), "--db", str(db))
    run("inventory", str(tmp_path / "10.0.0.7.json"), str(tmp_path / "10.0.0.8.json"), "--db", str(db))
    out = tmp_path / "r.json"
    run("report", "--json", str(out), "--db", str(db))
    svc = next(s for s in json.loads(out.read_text())["services"] if s["id"] == "baidu-ime")
    assert {c["client"]: [i["software"] for i in c["installed"]] for c in svc["scope"]} == {
        "10.0.0.7": ["baidu-ime-windows"],
        "10.0.0.9": [],
    }
    assert [(c["machine"], c["in_logs"]) for c in svc["installed_only"]] == [("10.0.0.8", True)]


def test_machine_identity() -> None:
    assert machine_key("PC-03.City.Example.") == "pc-03.city.example"
    assert machine_key("::ffff:10.0.0.7") == "10.0.0.7" and machine_key("2001:DB8::0:1") == "2001:db8::1"
    idx = MachineIndex({"PC-03", "pc-04.a.example", "pc-05.a.example", "pc-05.b.example", "10.0.0.7"})
    assert idx.find("pc-03") == "pc-03"
    assert idx.find("PC-03.city.example.lg.jp") == "pc-03"  # a bare inventory name, an FQDN client
    assert idx.find("PC-04") == "pc-04.a.example"  # an FQDN inventory name, a bare client
    assert idx.find("pc-04.b.example") is None  # the same short name in another domain is another machine
    assert idx.find("PC-05") is None  # two machines share the short name: no guess
    both = MachineIndex({"PC-03", "pc-03.other.example"})
    assert both.find("pc-03.city.example") is None  # the bare one, or another domain's: no guess
    assert both.find("PC-03.other.example") == "pc-03.other.example" and both.find("pc-03") == "pc-03"
    assert idx.find("10.0.0.7") == "10.0.0.7" and idx.find("::ffff:10.0.0.7") == "10.0.0.7"
    assert idx.find("10.0.0.70") is None and idx.find("10") is None
