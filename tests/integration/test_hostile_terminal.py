"""Untrusted text is never markup (issue 10, item 3).

A real dnsmasq logs queries for names that are Rich markup (``www.evil[/].com``, ``[bold red]x[/]``,
``[link=file:///etc/passwd]``); the log is scanned from a file whose *name* carries an ANSI escape
(``\\x1b[2J``), over a catalog whose service name is markup with an escape, and with a policy whose
reasons are. Then every command that prints runs through typer's CliRunner: none may raise, the
hostile names must appear literally, and no control character may reach the terminal raw.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

import dns.message
import dns.name
import dns.query
import pytest
from typer.testing import CliRunner

from sekisho.cli import common
from sekisho.cli.main import app
from tests.conftest import DATA, need_program
from tests.export.conftest import Daemon, free_port, start

pytestmark = pytest.mark.program

# Not under .example/.test (RFC 6761 names are reported apart, as internal).
MARKUP_NAMES = ["www.evil[/].com", "[bold red]x[/].net", "[link=file:///etc/passwd]a.net"]
SERVICE_DOMAIN = "alpha-ime-sekisho-test.net"  # added to the test catalog's alpha-ime
# None of them is a DNS name: each line is malformed ("not a DNS name", or, for the name with a
# space, "starts like a dnsmasq record but does not match its pattern") and shown literally with its
# file:line in the scan's accounting; the store keeps none of them (issue 10 item 5).
MALFORMED = {
    "www.evil[/].com": "not a DNS name",
    "[bold red]x[/].net": "starts like a dnsmasq record but does not match its pattern",
    "[link=file:///etc/passwd]a.net": "not a DNS name",
}
ESC = "\x1b[2J"
FILE_NAME = f"dns-{ESC}[bold red]x[blink].log"
SERVICE_NAME = f"Alpha [bold red]IME[/] {ESC}"
WHY = f"[link=file:///etc/passwd]because[/] {ESC}"


def _wire(name: str) -> dns.name.Name:
    return dns.name.Name([lab.encode() for lab in name.split(".")] + [b""])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("hostile")
    exe = need_program("dnsmasq")
    log = tmp / "dnsmasq.log"
    port = free_port()
    argv = [exe, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--bind-interfaces", "--listen-address=127.0.0.1", f"--port={port}", "--pid-file=",
            "--user=root", "--log-queries", f"--log-facility={log}", "--address=/#/0.0.0.0"]  # fmt: skip
    daemons: list[Daemon] = []
    try:
        start(daemons, argv, port, tmp / "dnsmasq.out", "ready.example")
        for name in [*MARKUP_NAMES, SERVICE_DOMAIN, f"www.{SERVICE_DOMAIN}", "done.example"]:
            dns.query.udp(dns.message.make_query(_wire(name), "A"), "127.0.0.1", port=port, timeout=5)
        deadline = time.monotonic() + 20  # wait for dnsmasq to have written the last query
        while "query[A] done.example" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "dnsmasq did not log the queries"
            time.sleep(0.05)
    finally:
        for d in daemons:
            d.stop()
    logs = tmp / "logs"
    logs.mkdir()
    shutil.copy(log, logs / FILE_NAME)  # the log as dnsmasq wrote it, under a hostile file name

    catalog = tmp / "catalog"
    shutil.copytree(DATA / "catalog_ok", catalog)
    svc = catalog / "services" / "alpha-ime.yaml"
    svc.write_text(
        svc.read_text()
        .replace("name: Alpha IME", 'name: "Alpha [bold red]IME[/] \\e[2J"')
        .replace("[alpha-ime.example,", f"[alpha-ime.example, {SERVICE_DOMAIN},")
    )
    policy = tmp / "policy.yaml"
    policy.write_text(
        'name: "[link=file:///etc/passwd]pol[/]"\npresets: [level0]\nrules:\n'
        '  - deny: {domain: blocked.example}\n    why: "[link=file:///etc/passwd]because[/] \\e[2J"\n'
    )
    return {"logs": logs, "catalog": catalog, "policy": policy, "db": tmp / "store.duckdb"}


def run(h: dict[str, Any], *args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SEKISHO_CATALOG", str(h["catalog"]))
    for c in (common.console, common.err_console):
        # no folding: names must appear whole. The private field, not the ``width`` property: undoing
        # a patch of the property would pin the console to the width it had measured (rich's setter
        # stores it), and every later test in the process would wrap there.
        monkeypatch.setattr(c.real, "_width", 400)
    result = CliRunner().invoke(app, list(args))
    out = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"sekisho {' '.join(args)} raised {result.exception!r}\n{out}")
    assert result.exit_code == 0, f"sekisho {' '.join(args)}: exit {result.exit_code}\n{out}"
    raw = [ch for ch in out if (ord(ch) < 32 and ch not in "\n") or 0x7F <= ord(ch) < 0xA0]
    assert not raw, f"sekisho {' '.join(args)} sent control characters raw: {raw!r}\n{out!r}"
    return out


@pytest.fixture(scope="module")
def scanned(hostile: dict[str, Any]) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        hostile["scan_out"] = run(
            hostile, "scan", str(hostile["logs"]), "--db", str(hostile["db"]), monkeypatch=mp
        )
    return hostile


def test_scan_prints_the_names_and_the_file_literally(scanned: dict[str, Any]) -> None:
    out = scanned["scan_out"]
    assert "\\x1b[2J[bold red]x[blink].log" in out, out
    assert "Alpha [bold red]IME[/] \\x1b[2J (alpha-ime)" in out
    for name, reason in MALFORMED.items():
        assert f"{reason}: " in out and f"query[A] {name} from 127.0.0.1" in out, f"{name}:\n{out}"
    import duckdb

    with duckdb.connect(str(scanned["db"]), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT name FROM names").fetchall()}
    assert f"www.{SERVICE_DOMAIN}" in names
    assert not any(c in n for n in names for c in "[] "), names


def test_report_on_the_terminal(scanned: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    out = run(scanned, "report", "--db", str(scanned["db"]), monkeypatch=monkeypatch)
    assert "\\x1b[2J[bold red]x[blink].log" in out


def test_services_and_show(scanned: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    shown = "Alpha [bold red]IME[/] \\x1b[2J"
    assert shown in run(scanned, "services", monkeypatch=monkeypatch)
    assert shown in run(scanned, "show", "alpha-ime", monkeypatch=monkeypatch)
    run(scanned, "show", "alpha-ime", "--lang", "ja", monkeypatch=monkeypatch)  # shows name_ja


def test_scope(scanned: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    out = run(scanned, "scope", "alpha-ime", "--db", str(scanned["db"]), monkeypatch=monkeypatch)
    assert f"www.{SERVICE_DOMAIN}" in out


def test_policy_show_why_and_export(scanned: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    p = str(scanned["policy"])
    out = run(scanned, "policy", "show", "--policy", p, monkeypatch=monkeypatch)
    assert "[link=file:///etc/passwd]because[/] \\x1b[2J" in out, out
    assert "[link=file:///etc/passwd]pol[/]" in out
    out = run(scanned, "policy", "why", "www.evil[/].com", "--policy", p, monkeypatch=monkeypatch)
    assert "www.evil[/].com" in out
    out = run(scanned, "policy", "why", "x.blocked.example", "--policy", p, monkeypatch=monkeypatch)
    assert "[link=file:///etc/passwd]because[/]" in out
    out = run(scanned, "export", "--format", "unbound", "--policy", p, monkeypatch=monkeypatch)
    assert 'local-zone: "blocked.example." always_null' in out


def test_alerts_db_info_catalog_formats(scanned: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    run(scanned, "alerts", "--all", "--db", str(scanned["db"]), monkeypatch=monkeypatch)
    run(scanned, "db", "info", "--db", str(scanned["db"]), monkeypatch=monkeypatch)
    run(scanned, "catalog", "validate", monkeypatch=monkeypatch)
    run(scanned, "catalog", "sources", monkeypatch=monkeypatch)
    run(scanned, "catalog", "changelog", monkeypatch=monkeypatch)
    run(scanned, "formats", monkeypatch=monkeypatch)
