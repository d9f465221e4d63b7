"""`--lang ja` on every command that prints (issue 13 item 3): what the command says holds no English
word outside the allow-list of tests/report/test_japanese.py — product names, formats, commands,
abbreviations — and the data it quotes as the catalog or the log wrote it (a source's address, a
changelog entry, a path, a log line). Each command runs for real (CliRunner) on the bundled catalog
and the sample logs; its English output stays what it was."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from tests.report.test_japanese import ALLOWED, WORD, english_words

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "logs"
WIDE = {"COLUMNS": "4000"}  # rich wraps at the width: one line a message (a source can be long)
# Names of products, programs and log fields a format's title names as the product does.
PRODUCTS = {
    "Zeek", "TSV", "TLS", "SNI", "Host", "Suricata", "Sysmon", "Winlogbeat", "NXLog", "XML", "Get-WinEvent",
    "ToXml", "wevtutil", "Infoblox", "NIOS", "Cisco", "ASA", "FTD", "FortiGate", "UTM", "key", "value",
    "Palo", "Alto", "Networks", "PAN-OS", "Umbrella", "S3", "NetFlow", "IPFIX", "nfdump", "csv", "CEF",
    "LEEF", "ArcSight", "QRadar", "Check", "Point", "Trend", "Micro", "Zscaler", "NSS", "Microsoft",
    "Defender", "for", "Endpoint", "DeviceNetworkEvents", "log-queries", "syslog", "journald", "OPNsense",
    "log-time-ascii", "combined", "logformat", "IIS", "ProxySG", "Fields", "Server", "ETW", "Elastic",
    "Agent", "QUERY_RECEIVED", "Question", "Time", "SQLite", "pcap", "pcapng", "QUIC", "Adblock", "domain",
    "name", "client", "COL", "ts", "map", "squid-conf", "Pi-hole", "v0", "user_rules",
    "clients", "persistent", "acl", "dstdomain", "deny", "nftables", "output", "forward", "PROXY", "DIRECT",
    "URLBlocklist", "URLAllowlist", "NXDOMAIN", "match-subdomain", "yes", "import", "lists", "domains_regexp",
    "address", "local-zone", "always_null", "adlist", "adblock", "AdGuardHome", "OpenSnitch", "group",
    "detail-days", "retention-days", "db", "set", "queries", "impossible-travel", "new-country", "new-asn",
    "regexp", "conf-file", "static", "ip", "dns", "Sigma", "sekisho", "watch", "jsonl", "gzip", "ssl",
    "conn", "W3C", "tls", "ASA-6-302013", "PowerDNS", "Recursor", "quiet", "no", "CoreDNS", "log", "Common",
    "Combined", "Log", "Format", "kubectl", "logs", "dnstap", "Frame", "Streams", "Knot", "dnsdist",
}  # fmt: skip


def _words(run_output: str, allowed: set[str]) -> list[str]:
    return english_words(f"<p>{html.escape(run_output)}</p>", ALLOWED | PRODUCTS | allowed)


def _invoke(*args: str) -> tuple[int, str]:
    run = CliRunner().invoke(app, list(args), env=WIDE)
    return run.exit_code, run.output


def _paths_out(out: str, *paths: Path | str) -> str:
    for p in paths:
        out = out.replace(str(p), "〈パス〉")
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lang") / "s.duckdb"
    api.scan([str(SAMPLES)], path)
    return path


def _both(*args: str) -> tuple[str, str]:
    code_ja, ja = _invoke(*args, "--lang", "ja")
    code_en, en = _invoke(*args)
    assert code_ja == code_en == 0, (ja, en)
    return ja, en


def test_formats() -> None:
    from sekisho.ingest import FORMATS

    ja, en = _both("formats")
    assert not _words(ja, set(FORMATS)), _words(ja, set(FORMATS))
    assert "（" in ja and len(ja.splitlines()) == len(FORMATS)
    assert "Zeek dns.log (TSV)" in en  # the English list is the formats' own titles


def test_db_info(db: Path) -> None:
    ja, en = _both("db", "info", "--db", str(db))
    bad = _words(_paths_out(ja, db), set())
    assert not bad, bad
    assert "保持日数 400" in ja and "size_bytes" in en and "size_bytes" not in ja


def test_catalog_validate() -> None:
    from sekisho.catalog import bundled_catalog_dir

    ja, en = _both("catalog", "validate")
    bad = _words(_paths_out(ja, bundled_catalog_dir()), set())
    assert not bad, bad
    assert ja.startswith("問題なし") and en.startswith("ok:")


def test_catalog_sources() -> None:
    """The heading is Japanese; every other line is a count and a source as the catalog cites it."""
    from sekisho.api import assessor_for
    from sekisho.report.catalog_export import collect_sources

    cited = {r["source"] for r in collect_sources(assessor_for().catalog)}
    ja, _ = _both("catalog", "sources")
    head, *rows = ja.splitlines()
    assert not _words(head, set()), head
    assert rows
    for r in rows:
        m = re.fullmatch(r"\s*\d+  (.*)", r)
        assert m and m.group(1).strip() in cited, r


def test_catalog_changelog() -> None:
    """The heading is Japanese; the entries are the maintainers' words, quoted."""
    from sekisho.api import assessor_for

    entries = assessor_for().catalog.changelog
    quoted = {w for c in entries for w in WORD.findall(f"{c.entry} {c.change} {c.why} {c.source}")}
    ja, _ = _both("catalog", "changelog")
    head = ja.splitlines()[0]
    assert not _words(head, set()), head
    assert len(ja.splitlines()) == len(entries) + 1
    assert not _words(ja, quoted)


def test_catalog_diff(tmp_path: Path) -> None:
    ja, en = _both("catalog", "diff", "bundled", "bundled")
    assert not _words(ja, set()), ja
    assert "変更されたサービスはありません" in ja and "no service changed" in en


def test_export_summary_and_list(tmp_path: Path) -> None:
    out = tmp_path / "hosts"
    ja, en = _both("export", "-f", "hosts", "--policy", "level0", "-o", str(out))
    bad = _words(_paths_out(ja, out), {"hosts", "example", "com"})
    assert not bad, bad
    assert "項目" in ja and "entries" in en and "注:" in ja and "note:" in en
    listed, _ = _both("export", "--list")
    from sekisho.export import TARGETS

    bad = _words(listed, set(TARGETS))
    assert not bad, bad


def test_audit_sigma(tmp_path: Path) -> None:
    out = tmp_path / "rules.yml"
    ja, en = _both("audit-sigma", "-o", str(out))
    bad = _words(_paths_out(ja, out), set())
    assert not bad, bad
    assert "書き出していません" in ja and "not exported" in en
    assert out.read_text(encoding="utf-8").startswith(("title:", "---", "#", "name:", "id:"))


def test_watch_status_lines(tmp_path: Path) -> None:
    """`watch --once` on a log with lines it cannot read: starting, malformed, batch, following."""
    log = tmp_path / "unbound.log"
    log.write_text(
        "[1700000000] unbound[1:0] info: 10.0.0.2 www.example.org. A IN\n"
        "garbage here\n"
        "[4102444800] unbound[1:0] info: 10.0.0.2 www.example.org. A IN\n",
        encoding="utf-8",
    )
    sink = tmp_path / "alerts.jsonl"
    common = ["watch", str(log), "--once", "--keep-all", "--sink", f"jsonl:{sink}"]
    code, ja = _invoke(*common, "--db", str(tmp_path / "ja.duckdb"), "--lang", "ja")
    assert code == 0, ja
    shutil.copy(log, tmp_path / "again.log")
    code, en = _invoke(*common, "--db", str(tmp_path / "en.duckdb"))
    assert code == 0, en
    lines = [re.sub(r"^\S+ sekisho watch: ", "", ln) for ln in ja.splitlines()]
    text = "\n".join(re.sub(r"'[^']*'", "", ln) for ln in lines)  # the log's own lines, quoted
    bad = _words(_paths_out(text, log, sink, tmp_path / "ja.duckdb"), set())
    assert not bad, bad
    for said in ("開始", "読めない行", "未来の時刻", "バッチ", "追跡中"):
        assert said in ja, (said, ja)
    for said in ("starting:", "malformed:", "in the future", "batch:", "following"):
        assert said in en, (said, en)


def test_json_has_no_language(db: Path) -> None:
    """--json is the same with and without --lang ja: stable English keys and values."""
    _, ja = _invoke("db", "info", "--db", str(db), "--json", "--lang", "ja")
    _, en = _invoke("db", "info", "--db", str(db), "--json")
    assert ja == en


def test_check_can_fail() -> None:
    assert _words("保持日数 400; files were read", set()) != []


def test_db_compact_and_set(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "c.duckdb"
    shutil.copy(db, copy)
    ja, en = _both("db", "compact", "--db", str(copy), "--dry-run")
    assert not _words(_paths_out(ja, copy), set()), ja
    assert ja.strip() and ja != en
    ja, en = _both("db", "set", "retention-days", "500", "--db", str(copy))
    assert ja == en == "retention-days = 500\n"


def test_catalog_export_manifest_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """export -o, manifest and update (from a directory: no network) say what they did in Japanese."""
    from sekisho.catalog import bundled_catalog_dir

    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    mine = tmp_path / "catalog"
    shutil.copytree(bundled_catalog_dir(), mine)
    out = tmp_path / "services.json"
    code, ja = _invoke("catalog", "export", "-f", "adguard-services", "-o", str(out), "--lang", "ja")
    assert code == 0 and "書き込みました" in ja and not _words(_paths_out(ja, out), {"adguard-services"}), ja
    code, ja = _invoke("catalog", "manifest", str(mine), "--lang", "ja")
    assert code == 0 and "書き込みました" in ja, ja
    assert not _words(_paths_out(ja, mine / "catalog.sha256", mine), {"sha256"}), ja
    code, ja = _invoke("catalog", "update", "--from", str(mine), "--lang", "ja")
    assert code == 0 and "導入" in ja, ja
    bad = _words(re.sub(r"\S*/\S*", "〈パス〉", ja), set())
    assert not bad, bad
