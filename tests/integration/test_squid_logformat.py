"""``--format squid-logformat``: a real Squid writes one set of requests through four access_log
lines, each in another logformat (local time with quoted fields, the Host header with widths and
GMT time, encoded fields with a strftime time, and the built-in ``squid``); each log, read with
its line from the same squid.conf, gives the observations of the requests that were sent.

Squid is Debian's (``squid``, GnuTLS flavour: it knows no ``%ssl::`` codes, so the SNI is tested
on a line written in the layout the logformat documentation gives). Required when CI is set."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.errors import ConfigError
from sekisho.ingest.formats.squid_logformat import BUILT_IN, compile_logformat, logformat_from_conf, tokenize
from sekisho.store import Store
from tests.conftest import need_program
from tests.export.test_squid import running_squid

C1, C2 = "127.0.0.1", "127.0.0.2"
LOGFORMATS = {
    "local": '%tl %>a "%rm %ru HTTP/%rv" %>Hs %<st "%{User-Agent}>h" %Ss:%Sh %>st',
    "hosthdr": "%ts.%03tu %6tr %-15>a %{Host}>h %rm %>Hs %<st %>rd %tg %tl %-12Ss|",
    "encoded": '%tS %#ru "%"{User-Agent}>h" %[un %/mt {%{%Y-%m-%dT%H:%M:%S%z}tl} %>a',
    # a value that may hold spaces, not in quotes: its lines with spaces there are malformed
    "bare": '%ts.%03tu %>a %ru %"{User-Agent}>h %>Hs',
}
LOGS = ["local", "hosthdr", "encoded", "native"]  # native.log: Squid's own `squid` format, with headers
# (client, name) → requests, written out from what the test sends below (not computed by sekisho)
SENT = {(C1, "a.example"): 2, (C2, "a.example"): 1, (C2, "b.example"): 1, (C1, "::1"): 1}
WITHOUT_HOST = 2  # origin-form "GET /origin" and "garbage" (Squid: error:invalid-request)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _conf(work: Path, port: int) -> Path:
    (work / "hosts").write_text("127.0.0.1 a.example b.example fronted.example\n")
    conf = work / "squid.conf"
    lines = "".join(f"logformat {n} {spec}\n" for n, spec in LOGFORMATS.items())
    logs = "".join(
        f"access_log stdio:{work}/local.log local\n"
        f"access_log stdio:{work}/hosthdr.log hosthdr\n"
        f"access_log stdio:{work}/encoded.log logformat=encoded\n"
        f"access_log stdio:{work}/native.log squid\n"
        f"access_log stdio:{work}/bare.log bare\n"
    )
    conf.write_text(
        f"http_port 127.0.0.1:{port}\npid_filename none\ncache_log {work}/cache.log\n"
        f"cache_store_log none\ncoredump_dir {work}\nhosts_file {work}/hosts\n"
        "dns_nameservers 127.0.0.1\nshutdown_lifetime 0 seconds\nconnect_timeout 2 seconds\n"
        "log_mime_hdrs on\n"  # the built-in writers append [request headers] [reply headers]
        f"{lines}{logs}acl test_clients src 127.0.0.0/8 ::1\nhttp_access allow test_clients\n"
        "http_access deny all\n"
    )
    return conf


def _get(port: int, url: str, source: str = C1, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", url, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _raw(port: int, data: bytes, source: str = C1) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        s.sendall(data)
        s.recv(100)


@pytest.fixture(scope="module")
def squid_logs() -> Iterator[tuple[Path, dt.datetime, dt.datetime]]:
    """Squid's four logs of the same requests, and the UTC times before and after them."""
    need_program("squid")
    with tempfile.TemporaryDirectory(prefix="sekisho-squid-lf-") as d:
        work = Path(d)
        work.chmod(0o777)  # Squid drops to its own user
        port = _free_port()
        conf = _conf(work, port)
        with running_squid(
            conf,
            port,
            work / "run.log",
            # Squid listens: the probe is a request without a host (not counted)
            ready=lambda: _raw(port, b"GET /ready HTTP/1.1\r\nHost: ready.example\r\n\r\n"),
            # a local time east of UTC: %tl is written +0900 and must come back as UTC
            env={**os.environ, "TZ": "Asia/Tokyo"},
        ):
            before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
            ua = 'Mozilla/5.0 (X11; "quoted" \\ agent)'
            assert _get(port, "http://a.example:9/x?q=1", C1, {"User-Agent": ua}) == 503  # port 9: closed
            _get(port, "http://a.example:9/y", C2)
            _raw(port, b"CONNECT b.example:9 HTTP/1.1\r\nHost: b.example:9\r\n\r\n", C2)
            _get(port, "http://a.example:9/front", C1, {"Host": "fronted.example"})  # the URL wins
            _get(port, "http://[::1]:9/v6", C1)
            _raw(port, b"GET /origin HTTP/1.1\r\nHost: c.example\r\n\r\n", C1)
            _raw(port, b"garbage\r\n\r\n", C2)
            after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
        keep = Path(tempfile.mkdtemp(prefix="sekisho-squid-lf-logs-"))
        for name in [*LOGS, "bare"]:
            shutil.copy(work / f"{name}.log", keep / f"{name}.log")
        shutil.copy(conf, keep / "squid.conf")
    try:
        yield keep, before, after
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def _scan_cli(args: list[str], db: Path) -> dict[str, Any]:
    run = CliRunner().invoke(app, ["scan", *args, "--db", str(db), "--json"])
    assert run.exit_code == 0, run.output
    return dict(json.loads(run.stdout)["files"][0])


def _observed(db: Path) -> dict[tuple[str, str], tuple[int, int | None, dt.datetime]]:
    with Store(db) as store:
        rows = store.con.execute(
            "SELECT client, name, sum(queries), sum(bytes_in), min(first_seen) FROM observations GROUP BY 1, 2"
        ).fetchall()
    return {(c, n): (int(q), None if b is None else int(b), f) for c, n, q, b, f in rows}


@pytest.mark.program
@pytest.mark.parametrize("log", LOGS)
def test_each_logformat_gives_the_requests_sent(
    squid_logs: tuple[Path, dt.datetime, dt.datetime], tmp_path: Path, log: str
) -> None:
    logs, before, after = squid_logs
    path = logs / f"{log}.log"
    # the line is taken from the squid.conf: the access_log whose file has this file's name
    account = _scan_cli([str(path), "--squid-conf", str(logs / "squid.conf")], tmp_path / "db.duckdb")
    assert account["format"] == "squid-logformat"
    lines = len(path.read_text().splitlines())
    if log == "native":  # log_mime_hdrs: each line ends in the two header blocks
        assert all(ln.endswith("]") for ln in path.read_text().splitlines())
    parsed = sum(SENT.values())
    assert lines >= parsed + WITHOUT_HOST + 1  # and the readiness probe(s)
    assert (account["lines"], account["parsed"], account["malformed"]) == (lines, parsed, 0)
    assert account["skipped_reasons"] == {"request without a destination host": lines - parsed}
    seen = _observed(tmp_path / "db.duckdb")
    assert {k: v[0] for k, v in seen.items()} == SENT
    # the time of each record, UTC (a %tl +0900 read as local would be nine hours off)
    assert all(before <= first <= after for _, _, first in seen.values()), (before, seen, after)
    # bytes to the client as Squid's own `squid` format says, read by the `squid` format
    native = tmp_path / "native.duckdb"
    api.scan([str(logs / "native.log")], native, format_name="squid")
    expected_bytes = {k: v[1] for k, v in _observed(native).items()}
    if log == "encoded":  # no %<st in that line
        assert all(v[1] is None for v in seen.values())
    else:
        assert {k: v[1] for k, v in seen.items()} == expected_bytes


@pytest.mark.program
def test_the_line_given_on_the_command_line(
    squid_logs: tuple[Path, dt.datetime, dt.datetime], tmp_path: Path
) -> None:
    logs, _, _ = squid_logs
    account = _scan_cli([str(logs / "local.log"), "--logformat", LOGFORMATS["local"]], tmp_path / "a.duckdb")
    assert account["parsed"] == sum(SENT.values())
    assert {k: v[0] for k, v in _observed(tmp_path / "a.duckdb").items()} == SENT
    # a name of the squid.conf, and a built-in name without one
    args = ["--squid-conf", str(logs / "squid.conf"), "--logformat-name", "hosthdr"]
    assert _scan_cli([str(logs / "hosthdr.log"), *args], tmp_path / "b.duckdb")["parsed"] == sum(
        SENT.values()
    )
    args = ["--logformat-name", "squid"]
    assert _scan_cli([str(logs / "native.log"), *args], tmp_path / "c.duckdb")["parsed"] == sum(SENT.values())


@pytest.mark.program
def test_a_line_of_another_layout_is_malformed_with_its_number(
    squid_logs: tuple[Path, dt.datetime, dt.datetime], tmp_path: Path
) -> None:
    logs, _, _ = squid_logs
    mixed = tmp_path / "hosthdr.log"
    text = (logs / "hosthdr.log").read_text()
    native_line = (logs / "native.log").read_text().splitlines()[1]
    mixed.write_text(text + native_line + "\n")
    account = _scan_cli(
        [str(mixed), "--squid-conf", str(logs / "squid.conf"), "--logformat-name", "hosthdr"],
        tmp_path / "db.duckdb",
    )
    n = len(text.splitlines()) + 1
    assert account["malformed"] == 1
    assert [(s["line"], s["reason"].split(":")[0]) for s in account["malformed_samples"]] == [
        (n, "does not match the squid-logformat line pattern")
    ]


@pytest.mark.program
def test_a_value_holding_its_separator_makes_the_line_malformed_not_misread(
    squid_logs: tuple[Path, dt.datetime, dt.datetime], tmp_path: Path
) -> None:
    logs, _, _ = squid_logs
    path = logs / "bare.log"
    account = _scan_cli([str(path), "--squid-conf", str(logs / "squid.conf")], tmp_path / "db.duckdb")
    ua_line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "Mozilla" in ln)
    assert account["malformed"] == 1
    assert [s["line"] for s in account["malformed_samples"]] == [ua_line]
    # the other requests are read; the one with the user agent is missing, not misread
    assert {k: v[0] for k, v in _observed(tmp_path / "db.duckdb").items()} == SENT | {(C1, "a.example"): 1}


SPECS_SQUID_ACCEPTS = [
    "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
    "%http::>a %http::ru %{Host}>h %>h{User-Agent} %-20.10ru %#>ru %'ul %/ue %note %err_code",
    "%>a %>rd %<rd %>rP %rp %>rs %tg %{%Y-%m-%d %H:%M:%S}tg %dt %<pt %<tt %>st %st",
]
SPECS_SQUID_REFUSES = ["%>a %zz %ru", "%>a %ru %q"]


@pytest.mark.program
@pytest.mark.parametrize("spec", SPECS_SQUID_ACCEPTS + SPECS_SQUID_REFUSES)
def test_squid_and_sekisho_know_the_same_codes(tmp_path: Path, spec: str) -> None:
    exe = need_program("squid")
    with tempfile.TemporaryDirectory(prefix="sekisho-squid-parse-") as d:
        Path(d).chmod(0o777)
        conf = Path(d) / "squid.conf"
        conf.write_text(
            f"http_port 127.0.0.1:3128\npid_filename none\ncache_log {d}/cache.log\nlogformat t {spec}\n"
            f"access_log stdio:{d}/t.log t\nhttp_access deny all\n"
        )
        squid_ok = subprocess.run([exe, "-k", "parse", "-f", str(conf)], capture_output=True).returncode == 0
    try:
        compile_logformat(spec)
        ours = True
    except ConfigError as e:
        ours = False
        assert "unknown format code" in e.message
    assert (squid_ok, ours) == (spec in SPECS_SQUID_ACCEPTS,) * 2


def test_an_unknown_code_is_named() -> None:
    with pytest.raises(ConfigError, match=r"unknown format code '%zz'"):
        compile_logformat("%>a %zz %ru")
    with pytest.raises(ConfigError, match="no code names the destination"):
        compile_logformat("%ts %>a %<st")
    with pytest.raises(ConfigError, match="add %z"):
        compile_logformat("%{%Y-%m-%d %H:%M:%S}tl %>a %ru")  # local time with no offset


def test_no_character_of_the_line_reaches_sql_but_letters_and_digits(tmp_path: Path) -> None:
    spec = "%>a ');DROP TABLE x;-- %ru `%rm` «»"
    layout = compile_logformat(spec)
    assert not set("';`«»") & set(layout.pattern)  # written as \\xHH escapes
    assert "DROP" in layout.pattern
    log = tmp_path / "access.log"
    log.write_text("10.0.0.9 ');DROP TABLE x;-- http://a.example/ `GET` «»\n", encoding="utf-8")
    api.scan([str(log)], tmp_path / "db.duckdb", format_name="squid-logformat", mapping={"logformat": spec})
    assert set(_observed(tmp_path / "db.duckdb")) == {("10.0.0.9", "a.example")}


def test_the_tokens_of_squid_s_own_lines() -> None:
    codes = [(t.code, t.zero, t.width_min, t.encoding) for t in tokenize(BUILT_IN["squid"]) if t.code]
    assert codes[:3] == [("ts", False, None, "none"), ("tu", True, 3, "none"), ("tr", False, 6, "none")]
    assert ("un", False, None, "mimeblob") in codes
    # literal quotes and brackets switch the encoding of the codes inside them, as in Squid
    combined = {t.code + (t.arg or ""): t.encoding for t in tokenize(BUILT_IN["combined"]) if t.code}
    assert (combined["tl"], combined["ru"], combined[">hUser-Agent"], combined["Ss"]) == (
        "mimeblob",
        "quotes",
        "quotes",
        "none",
    )


def test_the_sni_is_preferred_to_the_url(tmp_path: Path) -> None:
    """A spliced TLS connection logs CONNECT to the address; its SNI names the service. Lines in
    the layout of the logformat below (Debian's Squid cannot write %ssl:: codes)."""
    log = tmp_path / "access.log"
    log.write_text(
        "1796138199.444 10.0.0.5 CONNECT 192.0.2.7:443 chat.example.net\n"
        "1796138199.445 10.0.0.5 CONNECT 192.0.2.8:443 -\n"
    )
    spec = "%ts.%03tu %>a %rm %ru %ssl::>sni"
    result = api.scan(
        [str(log)], tmp_path / "db.duckdb", format_name="squid-logformat", mapping={"logformat": spec}
    )
    assert result["files"][0]["parsed"] == 2
    assert set(_observed(tmp_path / "db.duckdb")) == {
        ("10.0.0.5", "chat.example.net"),
        ("10.0.0.5", "192.0.2.8"),
    }


def test_the_conf_s_access_log_chooses_the_line(tmp_path: Path) -> None:
    conf = tmp_path / "squid.conf"
    (tmp_path / "extra.conf").write_text("logformat mine %tl %>a %ru \\\n  %<st\n")
    conf.write_text(
        "# comment\ninclude "
        + str(tmp_path / "*.conf.d")
        + "\ninclude "
        + str(tmp_path / "extra.conf")
        + "\n"
        "access_log daemon:/var/log/squid/access.log mine\naccess_log /var/log/squid/other.log combined\n"
    )
    assert logformat_from_conf(conf, None, ["x/access.log.2.gz"]) == "%tl %>a %ru   %<st"
    assert logformat_from_conf(conf, "combined").startswith("%>a %[ui %[un [%tl]")
    with pytest.raises(ConfigError, match="several logformats"):
        logformat_from_conf(conf)
    with pytest.raises(ConfigError, match="no logformat named 'nope'"):
        logformat_from_conf(conf, "nope")


@pytest.mark.realworld
@pytest.mark.parametrize(("log", "dedicated"), [("native", "squid"), ("combined", "squid-combined")])
def test_the_corpus_read_through_its_own_squid_conf(
    corpora: Path, tmp_path: Path, log: str, dedicated: str
) -> None:
    """The corpus's Squid 5.7 logs, with the squid.conf that wrote them (access_log … squid and
    … combined, chosen by the file's name): the same as the format made for each layout."""
    path = corpora / "squid" / f"squid_5.7_access_{log}.log"
    conf = corpora / "squid" / "squid_5.7_access.conf"
    account = _scan_cli([str(path), "--squid-conf", str(conf)], tmp_path / "a.duckdb")
    other = api.scan([str(path)], tmp_path / "b.duckdb", format_name=dedicated)["files"][0]
    keys = ("lines", "parsed", "skipped", "malformed")
    assert [account[k] for k in keys] == [other[k] for k in keys]
    assert account["parsed"] > 500 and account["malformed"] == 0
    assert _observed(tmp_path / "a.duckdb") == _observed(tmp_path / "b.duckdb")


def test_the_command_line_says_what_it_needs(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("1796138199.444 10.0.0.5 http://a.example/\n")
    db = ["--db", str(tmp_path / "db.duckdb")]
    cases = [
        (["--format", "squid-logformat"], "needs the line the log was written with"),
        (["--format", "squid", "--logformat", "%ts %>a %ru"], "are for --format squid-logformat"),
        (["--logformat", "%ts %>a %ru", "--logformat-name", "squid"], "not both"),
        (["--logformat", "%ts %>a %zz"], "unknown format code '%zz'"),
        (["--logformat-name", "nope"], "built-in names: squid, common"),
        (["--engine", "spark", "--out", str(tmp_path / "o"), "--logformat", "%ts %>a %ru"], "DuckDB engine"),
    ]
    for args, message in cases:
        run = CliRunner().invoke(app, ["scan", str(log), *db, *args])
        assert run.exit_code == 1, (args, run.output)
        assert message in " ".join(run.output.split()), (args, run.output)
    # --logformat alone implies the format
    run = CliRunner().invoke(app, ["scan", str(log), *db, "--json", "--logformat", "%ts.%03tu %>a %ru"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["files"][0]["parsed"] == 1
