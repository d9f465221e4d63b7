"""Syslog envelopes and product variants, on lines the real programs wrote.

dnsmasq, Unbound and BIND log through their own ``syslog(3)`` calls into a real rsyslogd
(tests/integration/syslog_world.py), whose files are written in four envelope forms; the same
messages go through systemd-journal-remote and come back from journalctl in five output forms.
Each file is scanned with auto-detection, and must give exactly the queries that were sent, with
the envelope's time (the files' modification time is set to 2020 to tell the two apart). Where no
program can write the lines (Infoblox NIOS, OPNsense's Unbound 1.24), the vendor's documented
example lines are used, cited in tests/data/README.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from sekisho import api
from sekisho.ingest import detect
from sekisho.ingest.duckdb_engine import FileAccount, scan_file
from sekisho.ingest.envelope import ENVELOPES, choose
from sekisho.ingest.formats.dnsmasq import Dnsmasq
from sekisho.ingest.sources import open_source
from tests.conftest import DATA, need_program
from tests.integration.syslog_world import (
    RSYSLOG_TEMPLATES,
    Rsyslog,
    free_port,
    journal_from_rfc5424,
    keyring,
    query,
    stop,
    wait_for,
)

OLD = dt.datetime(2020, 1, 1).timestamp()
NAMES = ["www.example.com", "mail.example.com", "tiktok.com", "api.deepseek.com", "blocked.example"]


def scan(path: Path, db: Path, fmt: str | None = None, mtime: float = OLD) -> dict[str, Any]:
    os.utime(path, (mtime, mtime))  # so a time taken from the file shows
    result = api.scan([str(path)], db, DATA / "catalog_ok", format_name=fmt)
    (account,) = result["files"]
    return account


def engine(path: Path) -> tuple[FileAccount, list[tuple[Any, ...]]]:
    """Detect and scan one file with the engine alone: (account, rows of the batch). (Old dates
    stay: no store, no retention.)"""
    src = open_source(path)
    try:
        fmt = detect(src)
        con = duckdb.connect()
        account = FileAccount(str(path), fmt.name)
        scan_file(con, fmt, path, src.compression, dt.datetime.fromtimestamp(src.mtime), account)
        rows = con.execute(
            "SELECT day, client, name, queries, first_seen FROM ingest_batch ORDER BY ALL"
        ).fetchall()
    finally:
        src.close()
    return account, rows


def engine_on(path: Path, lines: list[str]) -> tuple[FileAccount, list[tuple[Any, ...]]]:
    """Write ``lines`` to ``path`` and scan it with the engine alone (see :func:`engine`)."""
    path.write_text("\n".join(lines) + "\n")
    return engine(path)


def counts(acc: FileAccount) -> tuple[str, str | None, int, int, int]:
    """(format, envelope, parsed, skipped, malformed) of one file's account."""
    return (acc.format, acc.envelope, acc.parsed, acc.skipped, acc.malformed)


def span(db: Path) -> tuple[dt.datetime, dt.datetime]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT min(first_seen), max(last_seen) FROM observations").fetchone()
    assert row is not None and row[0] is not None
    return row[0], row[1]


def names(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT name, sum(queries) FROM observations GROUP BY name").fetchall())


def _rsyslog(tmp_path: Path) -> Rsyslog:
    root = tmp_path / "rsyslog"
    root.mkdir()
    return Rsyslog(root)


@contextlib.contextmanager
def _logging(
    rs: Rsyslog, argv: list[str], started: str | Callable[[str], bool], exited: str
) -> Iterator[None]:
    """``argv`` running with its syslog(3) going to ``rs``, for the block: started once a line of
    ``rs`` holds ``started`` (or is one it accepts); after the block stopped until a line holds
    ``exited``, and ``rs`` stopped in any case (never leave a syslog daemon behind)."""
    is_start = started if callable(started) else lambda ln: started in ln
    proc = rs.run_logging(argv)
    try:
        wait_for(f"{argv[0]} started", lambda: any(is_start(ln) for ln in rs.lines()))
        yield
    finally:
        try:
            stop(proc)
            wait_for(f"{argv[0]}'s exit", lambda: any(exited in ln for ln in rs.lines()))
        finally:
            rs.stop()


def _every_envelope(rs: Rsyslog, out: Path) -> dict[str, Path]:
    files = {name: rs.file(name) for name in RSYSLOG_TEMPLATES}
    files.update(journal_from_rfc5424(rs.lines("rfc5424.log"), out))
    return files


def _check_all(
    files: dict[str, Path], tmp_path: Path, fmt: str, expected: dict[str, int], own_time: bool = False
) -> None:
    """``own_time``: the product's message carries its time, so even the form without an
    envelope's time (journalctl -o cat) has the run's time, not the file's."""
    # the files' modification time: 6 hours after the run (a stamp without a year takes the
    # file's year; a line is never later than its file)
    later = dt.datetime.now() + dt.timedelta(hours=6)
    for form, path in files.items():
        db = tmp_path / f"{form}.duckdb"
        acc = scan(path, db, mtime=later.timestamp())
        assert acc["format"] == fmt, (form, acc)
        assert acc["malformed"] == 0, (form, acc["malformed_samples"])
        assert acc["parsed"] == sum(expected.values()), (form, acc)
        assert acc["lines"] == acc["parsed"] + acc["skipped"]
        assert names(db) == expected, form
        # the envelope's time, not the file's (journalctl -o cat has no time: the file's)
        first, last = span(db)
        if form == "cat" and not own_time:
            assert first == last == later.replace(microsecond=0), form
        else:
            assert later - dt.timedelta(days=1) < first <= last < later - dt.timedelta(hours=1), (form, first)


# --- dnsmasq -----------------------------------------------------------------------------------


def test_dnsmasq_through_rsyslog_and_journald(tmp_path: Path) -> None:
    need_program("dnsmasq")
    rs = _rsyslog(tmp_path)
    port = free_port()
    conf = tmp_path / "dnsmasq.conf"
    conf.write_text(
        # user=root: dnsmasq drops to "nobody" otherwise, who cannot reach a socket under tmp_path
        f"port={port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nlog-queries\nuser=root\n"
        "address=/blocked.example/0.0.0.0\naddress=/example.com/192.0.2.1\n"
    )
    with _logging(rs, ["dnsmasq", "-k", "-C", str(conf)], "started, version", "exiting on receipt"):
        for n in NAMES:
            query(port, n)
        wait_for("the queries in syslog", lambda: sum("query[A]" in ln for ln in rs.lines()) == len(NAMES))
    files = _every_envelope(rs, tmp_path)
    assert len(files) == 9
    _check_all(files, tmp_path, "dnsmasq", dict.fromkeys(NAMES, 1))


def test_dnsmasq_on_stderr_has_no_time(tmp_path: Path) -> None:
    """``dnsmasq -k --log-facility=-``: ``dnsmasq[pid]: query…`` (the tag envelope): the file's time."""
    need_program("dnsmasq")
    port = free_port()
    conf = tmp_path / "dnsmasq.conf"
    conf.write_text(
        f"port={port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nlog-queries\n"
    )
    err = tmp_path / "dnsmasq.stderr"
    import subprocess

    with err.open("wb") as f:
        proc = subprocess.Popen(["dnsmasq", "-k", "-C", str(conf), "--log-facility=-"], stderr=f)
        try:
            wait_for("dnsmasq started", lambda: b"started, version" in err.read_bytes())
            for n in NAMES:
                query(port, n)
            wait_for("the queries", lambda: err.read_bytes().count(b"query[A]") == len(NAMES))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    assert err.read_text().startswith("dnsmasq[")
    src = open_source(err)
    try:
        assert choose(Dnsmasq(), src.head_lines()).name == "tag"
    finally:
        src.close()
    db = tmp_path / "s.duckdb"
    later = dt.datetime.now() + dt.timedelta(hours=6)
    acc = scan(err, db, mtime=later.timestamp())
    assert (acc["format"], acc["parsed"], acc["malformed"], acc["envelope"]) == (
        "dnsmasq",
        len(NAMES),
        0,
        "tag",
    )
    assert span(db) == (later.replace(microsecond=0), later.replace(microsecond=0))


# --- Unbound -----------------------------------------------------------------------------------


def test_unbound_through_rsyslog_and_journald(tmp_path: Path) -> None:
    need_program("unbound")
    rs = _rsyslog(tmp_path)
    port = free_port()
    conf = tmp_path / "unbound.conf"
    conf.write_text(
        textwrap.dedent(f"""\
        server:
            interface: 127.0.0.1
            port: {port}
            do-ip6: no
            use-syslog: yes
            log-queries: yes
            log-replies: yes
            verbosity: 1
            chroot: ""
            username: ""
            directory: "{tmp_path}"
            pidfile: "{tmp_path}/unbound.pid"
            do-daemonize: no
            access-control: 127.0.0.0/8 allow
            local-zone: "." static
        remote-control:
            control-enable: no
        """)
    )
    with _logging(rs, ["unbound", "-d", "-c", str(conf)], "start of service", "service stopped"):
        for n in NAMES:
            query(port, n)
        wait_for(
            "the replies in syslog",
            lambda: sum(" IN NXDOMAIN " in ln or " IN NOERROR " in ln for ln in rs.lines()) == len(NAMES),
        )
    assert any("unbound: [" in ln or "unbound[" in ln for ln in rs.lines())
    files = _every_envelope(rs, tmp_path)
    _check_all(files, tmp_path, "unbound", dict.fromkeys(NAMES, 1))


def test_unbound_1_20_tags_in_opnsense_rfc5424(tmp_path: Path) -> None:
    """OPNsense 26.1 / Unbound 1.24 with log-tag-queryreply, as an OPNsense user posted them
    (tests/data/README.md): ``query:`` counts, ``reply:`` is skipped."""
    lines = [
        '<30>1 2026-03-24T00:17:39+01:00 firewall.my.machine unbound 6739 - [meta sequenceId="529"] [6739:3] query: 192.168.1.1 epr.elastic.co. A IN',
        '<30>1 2026-03-24T00:17:39+01:00 firewall.my.machine unbound 6739 - [meta sequenceId="530"] [6739:1] query: 192.168.1.1 epr.elastic.co. AAAA IN',
        '<30>1 2026-03-24T00:17:39+01:00 firewall.my.machine unbound 6739 - [meta sequenceId="531"] [6739:3] reply: 192.168.1.1 epr.elastic.co. A IN NOERROR 0.000000 1 72',
        '<30>1 2026-03-24T00:17:39+01:00 firewall.my.machine unbound 6739 - [meta sequenceId="532"] [6739:1] reply: 192.168.1.1 epr.elastic.co. AAAA IN NOERROR 0.000000 1 84',
        '<30>1 2026-03-24T00:17:39+01:00 firewall.my.machine unbound 6739 - [meta sequenceId="533"] [6739:1] query: 192.168.1.1 epr.elastic.co. AAAA IN',
    ]
    acc, rows = engine_on(tmp_path / "resolver_20260324.log", lines)
    assert counts(acc) == ("unbound", "rfc5424", 3, 2, 0)
    assert acc.skipped_reasons == {"reply, not a query": 2}
    assert rows == [
        (dt.date(2026, 3, 23), "192.168.1.1", "epr.elastic.co", 3, dt.datetime(2026, 3, 23, 23, 17, 39))
    ]


# --- BIND --------------------------------------------------------------------------------------

TSIG_SECRET = "c2VraXNoby10ZXN0LXRzaWctc2VjcmV0LTMyYnl0ZXMh"


def test_bind_tsig_and_category_through_syslog(tmp_path: Path) -> None:
    """named's own syslog channel with print-category/print-severity: ``queries: info: client …``
    lines (one signed with TSIG: ``ip#port/key NAME``) count; zone loads, start-up and
    query-error lines are skipped, each with its reason — none is malformed."""
    need_program("named")
    rs = _rsyslog(tmp_path)
    port = free_port()
    (tmp_path / "db.example.com").write_text(
        "$TTL 300\n@ IN SOA ns.example.com. h.example.com. 1 3600 600 86400 300\n@ IN NS ns\n"
        "ns IN A 192.0.2.53\nwww IN A 192.0.2.1\nmail IN A 192.0.2.2\n"
    )
    conf = tmp_path / "named.conf"
    conf.write_text(
        textwrap.dedent(f"""\
        options {{
            directory "{tmp_path}";
            listen-on port {port} {{ 127.0.0.1; }};
            listen-on-v6 {{ none; }};
            recursion no;
            dnssec-validation no;
            pid-file "{tmp_path}/named.pid";
            session-keyfile "{tmp_path}/session.key";
        }};
        key "sekisho-tsig" {{ algorithm hmac-sha256; secret "{TSIG_SECRET}"; }};
        logging {{
            channel sys {{ syslog daemon; severity info; print-category yes; print-severity yes; }};
            category default {{ sys; }};
            category queries {{ sys; }};
            category query-errors {{ sys; }};
        }};
        zone "example.com" {{ type primary; file "{tmp_path}/db.example.com"; }};
        """)
    )
    ring = keyring("sekisho-tsig", TSIG_SECRET)

    def running(ln: str) -> bool:
        return "running" in ln and "named" in ln

    with _logging(rs, ["named", "-f", "-c", str(conf)], running, "exiting"):
        query(port, "www.example.com")
        query(port, "mail.example.com", keyring=ring, keyname="sekisho-tsig")
        query(port, "tiktok.com")  # not served: REFUSED, a query-errors line too
        wait_for("the queries", lambda: sum("query: " in ln for ln in rs.lines()) == 3)
    trad = rs.lines()
    assert any("/key sekisho-tsig" in ln for ln in trad), trad
    assert any("queries: info: client" in ln for ln in trad)
    files = _every_envelope(rs, tmp_path)
    expected = {"www.example.com": 1, "mail.example.com": 1, "tiktok.com": 1}
    _check_all(files, tmp_path, "bind", expected)
    acc = scan(files["rfc3164-file.log"], tmp_path / "again.duckdb")
    reasons = acc["skipped_reasons"]
    assert acc["envelope"] == "rfc3164"
    assert reasons.get("BIND zone load or maintenance", 0) >= 1, reasons
    # one refused query: named logs one query-error line for it, or two on a busy machine (seen
    # once under load); either way they are skipped as query errors, never malformed or counted
    assert reasons.get("BIND query error (the query itself is logged apart)", 0) in (1, 2), reasons
    assert acc["malformed"] == 0, acc
    assert sum(reasons.values()) == acc["skipped"]


# --- Infoblox ----------------------------------------------------------------------------------

INFOBLOX = [
    # Infoblox NIOS documentation, "Capturing DNS Queries and Responses" (query log)
    "30-Apr-2013 13:35:02.187 client 10.120.20.32#42386: query: foo.com IN A + (100.90.80.102)",
    # LogZilla's Infoblox app documentation, examples of NIOS query/response lines
    "07-Apr-2013 20:16:49.083 client 11.22.33.44#57398 UDP: query: a2.foo.com IN A response: NOERROR +AED a2.foo.com. 28800 IN A 1.1.1.2;",
    "07-Apr-2013 20:16:49.083 client 11.22.33.44#57398 UDP: query: a4.foo.com IN AAAA response: NOERROR +AED a4.foo.com. 28800 IN AAAA ab::a;",
    "07-Apr-2013 20:16:49.083 client 2001::2#57398 UDP: query: a2.foo.com IN A response: NOERROR +AED a2.foo.com. 28800 IN A 1.1.1.2;",
    "07-Apr-2013 20:16:49.083 client 11.22.33.44#57398 TCP: query: a2.foo.com IN A response: NOERROR +ED a2.foo.com. 28800 IN A 1.1.1.2;",
    "07-Apr-2013 20:16:49.083 client 11.22.33.44#57398 UDP: query: a2.foo.com IN ANY response: NOERROR +ED a2.foo.com. 28800 IN A 1.1.1.2;",
]


def test_infoblox_is_detected_before_bind_and_reads_every_query(tmp_path: Path) -> None:
    path = tmp_path / "infoblox.log"
    acc, rows = engine_on(path, INFOBLOX)
    src = open_source(path)
    try:
        assert detect(src).name == "infoblox"
    finally:
        src.close()
    assert (acc.parsed, acc.malformed) == (6, 0)
    by_name: dict[str, int] = {}
    for _day, _client, name, n, _first in rows:
        by_name[name] = by_name.get(name, 0) + n
    assert by_name == {"foo.com": 1, "a2.foo.com": 4, "a4.foo.com": 1}
    assert {r[1] for r in rows} == {"10.120.20.32", "11.22.33.44", "2001::2"}
    assert {r[4] for r in rows} == {
        dt.datetime(2013, 4, 30, 13, 35, 2, 187000),
        dt.datetime(2013, 4, 7, 20, 16, 49, 83000),
    }
    # the same lines as a NIOS appliance sends them to a syslog server
    wrapped = tmp_path / "infoblox-syslog.log"
    wrapped.write_text("".join(f"<30>Apr  7 20:16:49 10.0.0.1 named[1234]: {ln[25:]}\n" for ln in INFOBLOX))
    acc, rows = engine(wrapped)
    assert (acc.format, acc.envelope, acc.parsed, acc.malformed) == ("infoblox", "rfc3164", 6, 0)


# --- filter lists ------------------------------------------------------------------------------


def test_adblock_filter_list_is_a_domain_list(tmp_path: Path) -> None:
    """AdGuard / Adblock Plus syntax (AdGuard's "How to create your own ad filters")."""
    path = tmp_path / "filter.txt"
    path.write_text(
        "[Adblock Plus 2.0]\n! Title: test list\n||ads.example.com^\n||tracker.example.net^$third-party\n"
        "@@||good.example.org^\nexample.org##.banner\n||example.com/ads/*\n/banner\\d+/\n"
        "||cdn.example.jp^$important\n"
    )
    src = open_source(path)
    try:
        assert detect(src).name == "domains"
    finally:
        src.close()
    db = tmp_path / "s.duckdb"
    acc = scan(path, db, mtime=dt.datetime.now().timestamp())
    assert (acc["parsed"], acc["skipped"], acc["malformed"]) == (3, 6, 0)
    assert acc["skipped_reasons"]["filter exception (@@), not a blocked domain"] == 1
    assert acc["skipped_reasons"]["cosmetic filter rule, not a domain"] == 1
    assert set(names(db)) == {"ads.example.com", "tracker.example.net", "cdn.example.jp"}


def test_envelope_registry_names_are_unique_and_none_is_last() -> None:
    assert list(ENVELOPES)[-1] == "none"
    assert len({e.name for e in ENVELOPES.values()}) == len(ENVELOPES)


# --- OPNsense's log view export ----------------------------------------------------------------
# OPNsense core (opnsense/core f95e81516ee0e2fb184f06bb7f858d3dd45da9cc): the log view's Download
# runs src/opnsense/scripts/syslog/queryLog.py --output text, which prints
# "%(timestamp)s\t%(severity)s\t%(process_name)s\t%(line)s" per record, newest first, from the
# RFC 5424 files syslog-ng writes (logformats/syslog.py, SysLogFormatRFC5424: the time with "+hh:mm"
# cut off, the message after the first "]"). See tests/data/README.md.
SEVERITY = {"info": "Informational", "notice": "Notice", "error": "Error", "warning": "Warning"}


def test_opnsense_export_of_posted_lines(tmp_path: Path) -> None:
    """The pfelk #574 lines (OPNsense 26.1, Unbound 1.24) and a dnsmasq query, as OPNsense's own
    queryLog.py prints them (run on those RFC 5424 lines): newest first, an offset east of UTC cut
    off, one west of it kept."""
    lines = [
        "2026-03-24T00:17:39-05:00\tInformational\tdnsmasq\t query[A] www.google.com from 127.0.0.11",
        "2026-03-24T00:17:39\tInformational\tunbound\t [6739:3] reply: 192.168.1.1 epr.elastic.co. A IN NOERROR 0.000000 1 72",
        "2026-03-24T00:17:39\tInformational\tunbound\t [6739:1] query: 192.168.1.1 epr.elastic.co. AAAA IN",
        "2026-03-24T00:17:39\tInformational\tunbound\t [6739:3] query: 192.168.1.1 epr.elastic.co. A IN",
    ]
    acc, rows = engine_on(tmp_path / "resolver.log", lines)
    assert counts(acc) == ("unbound", "opnsense-tab", 2, 2, 0)
    assert acc.skipped_reasons == {"reply, not a query": 1, "line of another program": 1}
    local = dt.datetime(2026, 3, 24, 0, 17, 39).astimezone().astimezone(dt.UTC).replace(tzinfo=None)
    assert rows == [(local.date(), "192.168.1.1", "epr.elastic.co", 2, local)]
    acc, rows = engine_on(tmp_path / "dnsmasq.log", lines[:1])
    assert (acc.format, acc.envelope, acc.parsed) == ("dnsmasq", "opnsense-tab", 1)
    assert rows == [
        (dt.date(2026, 3, 24), "127.0.0.11", "www.google.com", 1, dt.datetime(2026, 3, 24, 5, 17, 39))
    ]


def _opnsense_export(records: list[tuple[dt.datetime, str, str]]) -> str:
    """(local time, process, message as syslog carried it) → the export, newest line first."""
    out = [
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}\t{SEVERITY.get(msg.split('] ', 1)[-1].split(':', 1)[0], 'Notice')}"
        f"\t{prog}\t {msg}"
        for t, prog, msg in records
    ]
    return "\n".join(reversed(out)) + "\n"


def _export_reads_as(
    original: Path, records: list[tuple[dt.datetime, str, str]], export: Path, fmt: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Write ``records`` as OPNsense's export to ``export``, scan it and ``original`` with the
    engine, check that the export is ``fmt`` in the opnsense-tab envelope with the original's
    accounts; return (the export's rows, the original's)."""
    export.write_text(_opnsense_export(records))
    want_acc, want_rows = engine(original)
    acc, rows = engine(export)
    assert (acc.format, acc.envelope) == (fmt, "opnsense-tab")
    assert (acc.lines, acc.parsed, acc.skipped, acc.malformed) == (
        want_acc.lines,
        want_acc.parsed,
        want_acc.skipped,
        want_acc.malformed,
    )
    assert acc.skipped_reasons == want_acc.skipped_reasons
    return rows, want_rows


def test_opnsense_export_of_the_unbound_corpus_reads_as_the_original(corpora: Path, tmp_path: Path) -> None:
    """Every line of the real Unbound log, as OPNsense's export would show it (syslog carries
    Unbound's message as ``[pid:tid] type: …``), gives exactly the queries, times and accounts of
    the original file."""
    original = corpora / "unbound/unbound_1.17_log-queries-replies.log"
    records = []
    for ln in original.read_text().splitlines():
        stamp, rest = ln.split("] ", 1)
        msg = rest.removeprefix("unbound")  # unbound[21657:0] info: … → [21657:0] info: …
        records.append((dt.datetime.fromtimestamp(int(stamp.lstrip("["))), "unbound", msg))
    rows, want_rows = _export_reads_as(original, records, tmp_path / "resolver_export.log", "unbound")
    assert rows == want_rows and len(rows) > 100


def test_opnsense_export_of_the_dnsmasq_corpus_reads_as_the_original(corpora: Path, tmp_path: Path) -> None:
    original = corpora / "dnsmasq/dnsmasq_2.90_log-queries.log"
    records = []
    for ln in original.read_text().splitlines():
        stamp, msg = ln[:15], ln[16:].split(": ", 1)[1]  # Nov 23 18:39:45 dnsmasq[15339]: query[A] …
        records.append((dt.datetime.strptime(f"2026 {stamp}", "%Y %b %d %H:%M:%S"), "dnsmasq", msg))
    copy = tmp_path / "dnsmasq.log"
    copy.write_bytes(original.read_bytes())
    os.utime(copy, (dt.datetime(2026, 12, 1).timestamp(),) * 2)  # the year of the year-less stamps
    rows, want_rows = _export_reads_as(copy, records, tmp_path / "dnsmasq_export.log", "dnsmasq")
    # the export's stamps are local time (converted to UTC); the year-less original's are taken as
    # they are: compare who asked for what, how often
    assert _per_client_name(rows) == _per_client_name(want_rows) and len(rows) > 100


def _per_client_name(rows: list[tuple[Any, ...]]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for _day, client, name, queries, _first in rows:
        out[(client, name)] = out.get((client, name), 0) + queries
    return out
