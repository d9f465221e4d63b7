"""dnstap files written by the real servers: BIND's ``dnstap-output file``, and Unbound's dnstap
socket captured by ``fstrm_capture`` (fstrm-bin) — what a site that logs with dnstap keeps. Each
file must give exactly the queries the clients sent, once each (their responses and the server's
own queries upstream skipped, each with its reason), and the same (client, name) pairs that BIND's
own reader ``dnstap-read`` prints for the client queries. A file cut inside a frame loses only
that frame, named; a gzip-compressed file reads the same."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import duckdb
import pytest

from sekisho import api
from sekisho.errors import InputError
from sekisho.ingest.formats.dnstap import Dnstap
from tests.conftest import DATA, need_program
from tests.integration.syslog_world import free_port, wait_for

pytestmark = pytest.mark.program

ZONE = {"www.example.com": "192.0.2.1", "mail.example.com": "192.0.2.2", "ns.example.com": "192.0.2.53"}
# (name, type, over TCP, from the IPv6 loopback)
ASKED = [
    ("www.example.com", "A", False, False),
    ("mail.example.com", "AAAA", True, False),
    ("nx.example.com", "A", False, True),
    ("www.example.com", "AAAA", False, False),
]


def _ask(port: int, name: str, rdtype: str, tcp: bool = False, v6: bool = False) -> None:
    msg = dns.message.make_query(name, rdtype)
    (dns.query.tcp if tcp else dns.query.udp)(msg, "::1" if v6 else "127.0.0.1", port=port, timeout=5)


def _stop(proc: subprocess.Popen[bytes], sig: int | None = None) -> None:
    if proc.poll() is None:
        proc.send_signal(sig) if sig else proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture()
def named(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen[bytes]]]:
    """An authoritative named for example.com writing its client messages to a dnstap file."""
    zone = tmp_path / "example.com.zone"
    zone.write_text(
        "$TTL 300\n@ IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 300\n@ IN NS ns.example.com.\n"
        + "".join(f"{n.removesuffix('.example.com')} IN A {a}\n" for n, a in ZONE.items())
    )
    port, tap = free_port(), tmp_path / "named.dnstap"
    conf = tmp_path / "named.conf"
    conf.write_text(
        textwrap.dedent(f"""\
        options {{
            directory "{tmp_path}";
            listen-on port {port} {{ 127.0.0.1; }};
            listen-on-v6 port {port} {{ ::1; }};
            pid-file none;
            session-keyfile none;
            recursion no;
            dnssec-validation no;
            dnstap {{ client; auth; }};
            dnstap-output file "{tap}";
        }};
        controls {{ }};
        zone "example.com" {{ type primary; file "{zone}"; }};
        """)
    )
    log = (tmp_path / "named.log").open("wb")
    proc = subprocess.Popen(
        [need_program("named"), "-g", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for("named's answer", lambda: _answers(port))
        yield port, tap, proc
    finally:
        _stop(proc)
        log.close()


def _answers(port: int) -> bool:
    try:
        _ask(port, "ns.example.com", "A")
        return True
    except (dns.exception.Timeout, OSError):
        return False


def _bytes_read(pid: int) -> int:
    """Bytes the process has read so far (Linux /proc/PID/io)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/PID/io")


def _scan(path: Path, db: Path) -> dict[str, object]:
    (account,) = api.scan([str(path)], db, DATA / "catalog_ok")["files"]
    return dict(account)


def _rows(db: Path) -> dict[tuple[str, str], int]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT client, name, sum(queries) FROM observations GROUP BY ALL").fetchall()
    return {(c, n): int(q) for c, n, q in rows}


def _dnstap_read(path: Path) -> dict[tuple[str, str], int]:
    """(client, name) of the client queries (CQ, AQ) as BIND's dnstap-read prints them."""
    out = subprocess.run([need_program("dnstap-read"), str(path)], capture_output=True, text=True, check=True)
    pairs: dict[tuple[str, str], int] = {}
    for m in re.finditer(r" [CA]Q (\S+):\d+ -> \S+ (?:UDP|TCP) \d+b (\S+?)/IN/", out.stdout):
        key = (m.group(1), m.group(2).rstrip(".").lower())
        pairs[key] = pairs.get(key, 0) + 1
    return pairs


def test_named_dnstap_file(tmp_path: Path, named: tuple[int, Path, subprocess.Popen[bytes]]) -> None:
    port, tap, proc = named
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for name, rdtype, tcp, v6 in ASKED:
        _ask(port, name, rdtype, tcp, v6)
    _stop(proc)  # named writes out its dnstap buffer and closes the file
    assert Dnstap.matches_head(tap.read_bytes()[:256])
    acc = _scan(tap, tmp_path / "s.duckdb")
    probes = sum(1 for (c, n) in _dnstap_read(tap) if n == "ns.example.com")
    asked = len(ASKED) + probes
    assert (acc["format"], acc["malformed"], acc["parsed"]) == ("dnstap", 0, asked), acc
    assert acc["skipped_reasons"] == {"DNS response to a query already counted": asked}
    assert acc["lines"] == 2 * asked  # a query and its response per question
    rows = _rows(tmp_path / "s.duckdb")
    assert rows == _dnstap_read(tap)
    assert rows[("127.0.0.1", "www.example.com")] == 2 and rows[("::1", "nx.example.com")] == 1
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        first, last = con.execute("SELECT min(first_seen), max(last_seen) FROM observations").fetchone() or (
            None,
            None,
        )
    assert start - dt.timedelta(seconds=5) <= first <= last <= start + dt.timedelta(minutes=5)


def test_unbound_through_fstrm_capture(
    tmp_path: Path, named: tuple[int, Path, subprocess.Popen[bytes]]
) -> None:
    """Unbound forwards example.com to the named above: its forwarder messages are skipped."""
    upstream = named[0]
    sock, tap, port = tmp_path / "dnstap.sock", tmp_path / "unbound.fstrm", free_port()
    conf = tmp_path / "unbound.conf"
    conf.write_text(
        textwrap.dedent(f"""\
        server:
            interface: 127.0.0.1
            port: {port}
            do-ip6: no
            use-syslog: no
            verbosity: 2
            chroot: ""
            username: ""
            directory: "{tmp_path}"
            pidfile: ""
            do-daemonize: no
            access-control: 127.0.0.0/8 allow
            do-not-query-localhost: no
            local-zone: "blocked.example." always_nxdomain
        forward-zone:
            name: "example.com"
            forward-addr: 127.0.0.1@{upstream}
        dnstap:
            dnstap-enable: yes
            dnstap-socket-path: "{sock}"
            dnstap-log-client-query-messages: yes
            dnstap-log-client-response-messages: yes
            dnstap-log-forwarder-query-messages: yes
            dnstap-log-forwarder-response-messages: yes
        remote-control:
            control-enable: no
        """)
    )
    cap_err = tmp_path / "fstrm_capture.err"
    unbound_log = tmp_path / "unbound.log"
    with cap_err.open("wb") as ce, unbound_log.open("wb") as ul:
        # -d ×4: fstrm_capture says when the Frame Streams handshake is done
        argv = [need_program("fstrm_capture"), "-d", "-d", "-d", "-d", "-t", "protobuf:dnstap.Dnstap"]
        cap = subprocess.Popen([*argv, "-u", str(sock), "-w", str(tap)], stderr=ce)
        unbound = None
        try:
            wait_for("fstrm_capture's socket", sock.exists)
            unbound = subprocess.Popen([need_program("unbound"), "-d", "-c", str(conf)], stderr=ul, stdout=ul)
            wait_for(
                "Unbound's dnstap stream", lambda: b"received FSTRM_CONTROL_START" in cap_err.read_bytes()
            )
            before = _bytes_read(cap.pid)
            for name, rdtype in [
                ("www.example.com", "A"),
                ("mail.example.com", "AAAA"),
                ("blocked.example", "A"),
            ]:
                _ask(port, name, rdtype)
            # Unbound sends its queued messages from a timer, and drops what it still holds when it
            # stops: wait until the collector has read them (its read byte count grows)
            wait_for("the messages at fstrm_capture", lambda: _bytes_read(cap.pid) > before)
        finally:
            if unbound is not None:
                _stop(unbound)  # (after the collector read the messages: it drops what it still holds)
            _stop(cap, 2)  # SIGINT: fstrm_capture closes its file
    assert b"closed output file" in cap_err.read_bytes(), cap_err.read_text()
    acc = _scan(tap, tmp_path / "u.duckdb")
    assert (acc["format"], acc["malformed"], acc["parsed"]) == ("dnstap", 0, 3), acc
    assert acc["skipped_reasons"] == {
        "DNS response to a query already counted": 3,
        "FORWARDER_QUERY: a query forwarded upstream": 2,
        "FORWARDER_RESPONSE: the answer to a forwarded query": 2,
    }
    assert (
        _rows(tmp_path / "u.duckdb")
        == _dnstap_read(tap)
        == {
            ("127.0.0.1", "www.example.com"): 1,
            ("127.0.0.1", "mail.example.com"): 1,
            ("127.0.0.1", "blocked.example"): 1,
        }
    )
    # cut inside its last frame: that frame is malformed, every one before it read
    data = tap.read_bytes()
    cut = tmp_path / "cut.fstrm"
    cut.write_bytes(data[: len(data) - 30])
    acc_cut = _scan(cut, tmp_path / "c.duckdb")
    assert acc_cut["malformed"] == 1 and acc_cut["malformed_samples"][0]["reason"] == "frame cut short"  # type: ignore[index]
    assert acc_cut["lines"] == acc["lines"] and acc_cut["parsed"] + acc_cut["skipped"] == acc["lines"] - 1
    # compressed as a log rotation would
    gz = tmp_path / "unbound.fstrm.gz"
    with tap.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    acc_gz = _scan(gz, tmp_path / "g.duckdb")
    assert {k: acc_gz[k] for k in ("format", "parsed", "skipped", "malformed")} == {
        k: acc[k] for k in ("format", "parsed", "skipped", "malformed")
    }


def test_a_frame_streams_file_of_another_content_type_is_not_read(tmp_path: Path) -> None:
    import struct

    ctype = b"protobuf:other.Thing"
    start = struct.pack("!II", 2, 1) + struct.pack("!I", len(ctype)) + ctype
    path = tmp_path / "other.fstrm"
    path.write_bytes(struct.pack("!II", 0, len(start)) + start + struct.pack("!I", 3) + b"abc")
    assert not Dnstap.matches_head(path.read_bytes())  # not detected as dnstap
    with pytest.raises(
        InputError, match=r"other\.fstrm: cannot read as dnstap: .*'protobuf:other\.Thing', not dnstap"
    ):
        api.scan([str(path)], tmp_path / "o.duckdb", DATA / "catalog_ok", format_name="dnstap")
