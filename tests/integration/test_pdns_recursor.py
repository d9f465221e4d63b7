"""PowerDNS Recursor's query log, written by the real pdns_recursor (Debian's 4.8) on loopback.

The Recursor logs every question with ``quiet=no``: structured (``msg="Question" … qname=…``, the
default) or as text (``structured-logging=no``: ``question for 'name|A' from addr:port``). Both go
through its own ``syslog(3)`` into a real rsyslogd and on to journald's outputs
(tests/integration/syslog_world.py), and to its standard error with its own stamp. Every file must
give exactly the questions asked — each once, though an answer line follows each — with no line
malformed, and the time of the run (the structured ``ts``, or the envelope's stamp).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dns.edns
import dns.message
import dns.query
import pytest

from sekisho.ingest.formats.pdns_recursor import PowerDnsRecursor
from tests.conftest import need_program
from tests.integration.syslog_world import free_port, query, wait_for
from tests.integration.test_envelopes import (
    NAMES,
    _check_all,
    _every_envelope,
    _logging,
    _rsyslog,
    engine_on,
    names,
    scan,
    span,
)

SERVICE_TYPES = ("A", "AAAA", "MX")


def _argv(tmp_path: Path, port: int, structured: bool, *extra: str) -> list[str]:
    """pdns_recursor answering the test names from a hosts file (nothing leaves the machine)."""
    hosts = tmp_path / "hosts"
    hosts.write_text("".join(f"192.0.2.{i + 1} {n}\n" for i, n in enumerate(NAMES)))
    (tmp_path / "recursor.conf").touch()
    return [
        need_program("pdns_recursor"),
        f"--config-dir={tmp_path}",
        f"--socket-dir={tmp_path}",
        "--daemon=no",
        "--write-pid=no",
        f"--local-address=127.0.0.1:{port}, [::1]:{port}",
        "--quiet=no",
        f"--structured-logging={'yes' if structured else 'no'}",
        f"--etc-hosts-file={hosts}",
        "--export-etc-hosts=yes",
        "--security-poll-suffix=",
        *extra,
    ]


def _ask_all(port: int) -> None:
    for n in NAMES:
        query(port, n)


def _answers(text: str, structured: bool) -> int:
    return text.count('msg="Answer"') if structured else text.count("answer to question '")


@pytest.mark.parametrize("structured", [True, False], ids=["structured", "text"])
def test_pdns_recursor_through_rsyslog_and_journald(tmp_path: Path, structured: bool) -> None:
    rs = _rsyslog(tmp_path)
    port = free_port()
    argv = _argv(tmp_path, port, structured, "--disable-syslog=no", "--log-timestamp=no")
    # the Recursor logs nothing when it is stopped: the exit waits for a line that is there already
    # (every answer was waited for inside the block)
    with _logging(rs, argv, "multiplexer", "multiplexer"):
        _ask_all(port)
        wait_for("the answers in syslog", lambda: _answers("\n".join(rs.lines()), structured) == len(NAMES))
    assert any("pdns_recursor[" in ln or "pdns-recursor[" in ln for ln in rs.lines())
    files = _every_envelope(rs, tmp_path)
    assert len(files) == 9
    _check_all(files, tmp_path, "pdns-recursor", dict.fromkeys(NAMES, 1), own_time=structured)


@pytest.fixture()
def recursor_on_stderr(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, int]]:
    """The Recursor with --disable-syslog, its standard error (with its own stamp) in a file."""
    structured = bool(request.param)
    port = free_port()
    err = tmp_path / "pdns_recursor.stderr"
    argv = _argv(
        tmp_path,
        port,
        structured,
        "--disable-syslog=yes",
        "--log-timestamp=yes",
        "--use-incoming-edns-subnet=yes",
    )
    with err.open("wb") as f:
        proc = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT)
        try:
            wait_for("pdns_recursor started", lambda: b"multiplexer" in err.read_bytes())
            yield err, port
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.mark.parametrize("recursor_on_stderr", [True, False], ids=["structured", "text"], indirect=True)
def test_pdns_recursor_on_stderr_over_udp_tcp_and_ipv6(
    tmp_path: Path, recursor_on_stderr: tuple[Path, int]
) -> None:
    err, port = recursor_on_stderr
    structured = b'msg="' in err.read_bytes()
    asked = 0
    for i, n in enumerate(NAMES):
        for rdtype in SERVICE_TYPES:
            # an MX question carries the client's subnet (EDNS Client Subnet, RFC 7871), logged after it
            ecs = [dns.edns.ECSOption("10.1.2.0", 24)] if rdtype == "MX" else None
            msg = dns.message.make_query(n, rdtype, use_edns=0 if ecs else None, options=ecs)
            if i % 2:
                dns.query.tcp(msg, "127.0.0.1", port=port, timeout=5)
            else:
                dns.query.udp(msg, "::1" if rdtype == "AAAA" else "127.0.0.1", port=port, timeout=5)
            asked += 1
    wait_for("the answers", lambda: _answers(err.read_text(), structured) == asked)
    text = err.read_text()
    assert (" TCP question for '" in text) != structured and ('proto="tcp"' in text) == structured
    assert ("(ecs 10.1.2.0/24)" in text) != structured and ('ecs="10.1.2.0/24"' in text) == structured
    db = tmp_path / "s.duckdb"
    later = dt.datetime.now() + dt.timedelta(hours=6)
    acc = scan(err, db, mtime=later.timestamp())
    assert (acc["format"], acc["envelope"], acc["malformed"]) == ("pdns-recursor", "stamp", 0), acc
    assert acc["parsed"] == asked
    assert acc["skipped_reasons"]["answer to a question, not a query"] == asked
    assert acc["lines"] == acc["parsed"] + acc["skipped"]
    assert names(db) == dict.fromkeys(NAMES, len(SERVICE_TYPES))
    first, last = span(db)
    assert later - dt.timedelta(days=1) < first <= last < later - dt.timedelta(hours=1)
    clients = _clients(db)
    assert clients == {"127.0.0.1", "::1"}, clients


def _clients(db: Path) -> set[str]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT DISTINCT client FROM observations").fetchall()}


def test_a_question_that_does_not_match_is_malformed_and_counted(tmp_path: Path) -> None:
    """A text line that starts like a question but is cut short is malformed (named, counted),
    never skipped; the structured time is the record's, to the millisecond."""
    lines = [
        'Dec 02 05:51:02 msg="Question" subsystem="syncres" level="0" prio="Info" tid="2" '
        'ts="1796190662.350" ecs="" mtid="1" proto="udp" qname="www.example.com" qtype="A" '
        'remote="[2001:db8::5]:58958"',
        "Dec 02 05:51:11 3 [1/1] question for 'www.example.com|A' from 127.0.0.1:45071",
        "Dec 02 05:51:11 3 [2/1] question for 'www.exam",
    ]
    acc, rows = engine_on(tmp_path / "pdns.log", lines)
    assert (acc.format, acc.parsed, acc.skipped, acc.malformed) == ("pdns-recursor", 2, 0, 1)
    assert [s["line"] for s in acc.malformed_samples] == [3]
    assert (
        dt.date(2026, 12, 2),
        "2001:db8::5",
        "www.example.com",
        1,
        dt.datetime(2026, 12, 2, 5, 51, 2, 350000),
    ) in rows
    assert PowerDnsRecursor().sniff(lines)
