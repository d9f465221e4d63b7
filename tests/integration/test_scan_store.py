"""Scans into the store: a file is counted once, a grown file adds only its new part, rotated and
compressed copies are recognised, stdin and directories work, a non-log is refused by name, and a
scan killed mid-way leaves the store exactly as it was.

Inputs are logs written by the real programs (copied from ../shared/corpora into tmp_path at test
time) or Zeek TSV generated here (a simple documented format) where a large input is needed.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import zstandard
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.errors import InputError
from sekisho.store import Store

# Real logs used below: (path under corpora, format). WRCCDC is from 2018: the stores here keep
# every day (retention off) so that old samples stay in the store.
DNSMASQ = "dnsmasq/dnsmasq_2.90_log-queries.log"
UNBOUND = "unbound/unbound_1.17_log-queries-replies.log"
ZEEK_TSV = "zeek/wrccdc2018_dns_head5000.log"
ZEEK_JSON = "zeek/wrccdc2018_dns_head3000.json"
SQUID = "squid/squid_5.7_access_native.log"
BIND = "bind9/named_9.18_querylog.log"
GROWING = [DNSMASQ, UNBOUND, ZEEK_TSV, ZEEK_JSON, SQUID]
OBS_SQL = (
    "SELECT day, client, name, queries, bytes_out, bytes_in, first_seen, last_seen FROM observations "
    "ORDER BY ALL"
)


def new_db(path: Path) -> Path:
    with Store(path) as store:
        store.set_setting("retention_days", str(365 * 100))
        store.set_setting("detail_days", str(365 * 100))  # per-day detail kept: the tests read it
    return path


def observations(db: Path) -> list[tuple[Any, ...]]:
    with Store(db, read_only=True) as store:
        return store.con.execute(OBS_SQL).fetchall()


def counts(db: Path) -> dict[str, int]:
    with Store(db, read_only=True) as store:
        return store.counts()


def state(db: Path) -> dict[str, Any]:
    """Everything a scan writes: observations, names, files, scans (ids and totals)."""
    with Store(db, read_only=True) as store:
        return {
            "observations": store.con.execute(OBS_SQL).fetchall(),
            "names": store.con.execute("SELECT * FROM names ORDER BY name").fetchall(),
            "files": store.con.execute("SELECT * FROM source_files ORDER BY id").fetchall(),
            "scans": store.con.execute(
                "SELECT id, files, lines, parsed, malformed FROM scans ORDER BY id"
            ).fetchall(),
            "scan_files": store.con.execute("SELECT * FROM scan_files ORDER BY ALL").fetchall(),
        }


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


@pytest.fixture()
def real(corpora: Path, tmp_path: Path) -> Any:
    """Copy a real log from the corpora into tmp_path (never into the repository)."""

    def copy(rel: str, name: str | None = None) -> Path:
        src = corpora / rel
        assert src.is_file(), f"missing corpus file {src}"
        dest = tmp_path / "logs" / (name or src.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        return dest

    return copy


# --- the same file twice --------------------------------------------------------------------------
@pytest.mark.realworld
@pytest.mark.parametrize("rel", [*GROWING, BIND])
def test_rescanning_the_same_file_leaves_the_store_unchanged(real: Any, tmp_path: Path, rel: str) -> None:
    log = real(rel)
    db = new_db(tmp_path / "db.duckdb")
    first = api.scan([str(log)], db=db)["files"][0]
    assert first["parsed"] > 0 and first["malformed"] == 0
    before = state(db)
    assert before["observations"]
    assert sum(r[3] for r in before["observations"]) == first["parsed"]

    again = api.scan([str(log)], db=db)["files"][0]
    assert (again["lines"], again["parsed"], again["malformed"]) == (0, 0, 0)
    assert "already scanned" in again["note"]
    after = state(db)
    assert after["observations"] == before["observations"]
    assert after["names"] == before["names"]
    assert len(after["files"]) == len(before["files"]) == 1
    assert len(after["scans"]) == len(before["scans"]) + 1


# --- a file that grows ----------------------------------------------------------------------------
@pytest.mark.realworld
@pytest.mark.parametrize("rel", GROWING)
def test_appended_lines_are_added_exactly_once_with_their_line_numbers(
    real: Any, tmp_path: Path, rel: str
) -> None:
    whole = lines_of(real(rel, "source.log"))
    cut = len(whole) // 2
    log = tmp_path / "logs" / "dns.log"
    log.write_bytes(b"".join(whole[:cut]))
    db = new_db(tmp_path / "db.duckdb")

    first = api.scan([str(log)], db=db)
    a1 = first["files"][0]
    assert a1["lines"] == cut
    q1 = counts(db)["queries"]
    assert q1 == a1["parsed"] > 0

    # The log grows: the rest of the real log, with one line no program writes in the middle.
    garbage_at = cut + 1 + (len(whole) - cut) // 2  # absolute (1-based) line number of the bad line
    tail = [*whole[cut : garbage_at - 1], b"this line is not a record\n", *whole[garbage_at - 1 :]]
    with open(log, "ab") as f:
        f.write(b"".join(tail))

    second = api.scan([str(log)], db=db)
    a2 = second["files"][0]
    assert a2["lines"] == len(tail)  # only the new lines are read
    assert a2["lines"] == a2["parsed"] + a2["skipped"] + a2["malformed"]
    assert a2["malformed"] == 1
    assert a2["malformed_samples"][0]["line"] == garbage_at  # numbered as in the whole file
    assert f"from line {cut + 1}" in a2["note"]
    with Store(db, read_only=True) as store:
        assert store.last_scan_files(second["scan"]["id"])[0]["from_line"] == cut + 1
    assert counts(db)["queries"] == q1 + a2["parsed"]

    # Exactly what one scan of the whole grown file gives.
    once = new_db(tmp_path / "once.duckdb")
    a_once = api.scan([str(log)], db=once)["files"][0]
    assert a_once["parsed"] == a1["parsed"] + a2["parsed"]
    assert observations(db) == observations(once)

    # And a third scan of the unchanged file adds nothing.
    a3 = api.scan([str(log)], db=db)["files"][0]
    assert (a3["lines"], a3["parsed"]) == (0, 0)
    assert observations(db) == observations(once)


# --- rotation and compression ---------------------------------------------------------------------
def _gzip(src: Path, dest: Path) -> None:
    dest.write_bytes(gzip.compress(src.read_bytes()))


def _bz2(src: Path, dest: Path) -> None:
    dest.write_bytes(bz2.compress(src.read_bytes()))


def _zstd(src: Path, dest: Path) -> None:
    dest.write_bytes(zstandard.ZstdCompressor().compress(src.read_bytes()))


def _rename(src: Path, dest: Path) -> None:
    src.rename(dest)


ROTATIONS = {
    "dns.log.1": _rename,
    "dns.log.2.gz": _gzip,
    "dns.log.3.bz2": _bz2,
    "dns.log.4.zst": _zstd,
}


@pytest.mark.realworld
@pytest.mark.parametrize("rotated", sorted(ROTATIONS))
def test_a_rotated_or_compressed_copy_is_recognised_and_adds_nothing(
    real: Any, tmp_path: Path, rotated: str
) -> None:
    log = real(DNSMASQ, "dns.log")
    db = new_db(tmp_path / "db.duckdb")
    api.scan([str(log)], db=db)
    before = observations(db)

    ROTATIONS[rotated](log, log.parent / rotated)
    result = api.scan([str(log.parent)], db=db)  # the directory, as a user would point at it
    accounts = {Path(f["path"]).name: f for f in result["files"]}
    assert rotated in accounts
    assert accounts[rotated]["parsed"] == 0
    assert "already scanned" in accounts[rotated]["note"]
    assert observations(db) == before


@pytest.mark.realworld
def test_rotation_after_growth_counts_every_line_once(real: Any, tmp_path: Path) -> None:
    """dns.log is scanned, grows, is rotated to dns.log.1 (and later gzipped to dns.log.2.gz)
    while a new dns.log starts: every record is counted exactly once."""
    whole = lines_of(real(DNSMASQ, "source.log"))
    a, b = len(whole) // 3, 2 * len(whole) // 3
    logs = tmp_path / "rotating"
    logs.mkdir()
    live = logs / "dns.log"
    live.write_bytes(b"".join(whole[:a]))
    db = new_db(tmp_path / "db.duckdb")
    api.scan([str(logs)], db=db)

    with open(live, "ab") as f:
        f.write(b"".join(whole[a:b]))
    live.rename(logs / "dns.log.1")
    live.write_bytes(b"".join(whole[b:]))
    r2 = api.scan([str(logs)], db=db)
    accounts = {Path(f["path"]).name: f for f in r2["files"]}
    assert accounts["dns.log.1"]["lines"] == b - a
    assert accounts["dns.log"]["lines"] == len(whole) - b

    # next rotation: dns.log.1 → dns.log.2.gz, dns.log → dns.log.1; nothing new to count
    _gzip(logs / "dns.log.1", logs / "dns.log.2.gz")
    (logs / "dns.log.1").unlink()
    live.rename(logs / "dns.log.1")
    r3 = api.scan([str(logs)], db=db)
    assert sum(f["parsed"] for f in r3["files"]) == 0

    once = new_db(tmp_path / "once.duckdb")
    (tmp_path / "whole.log").write_bytes(b"".join(whole))
    api.scan([str(tmp_path / "whole.log")], db=once)
    assert observations(db) == observations(once)
    assert counts(db)["queries"] == 900  # the 900 queries dnsmasq logged, each once


# --- stdin and directories ------------------------------------------------------------------------
@pytest.mark.realworld
def test_stdin_is_scanned_like_the_file(real: Any, tmp_path: Path) -> None:
    log = real(UNBOUND)
    from_file = new_db(tmp_path / "file.duckdb")
    api.scan([str(log)], db=from_file)

    db = new_db(tmp_path / "stdin.duckdb")
    result = api.scan(["-"], db=db, stdin=io.BytesIO(log.read_bytes()))
    acc = result["files"][0]
    assert (acc["path"], acc["format"]) == ("<stdin>", "unbound")
    assert acc["lines"] == len(lines_of(log))
    assert observations(db) == observations(from_file)

    # through the command line, `-` reads the piped log; the same content again adds nothing
    runner = CliRunner()
    res = runner.invoke(app, ["scan", "--db", str(db), "--json", "-"], input=log.read_bytes())
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["files"][0]["path"] == "<stdin>"
    assert out["files"][0]["parsed"] == 0
    assert observations(db) == observations(from_file)


@pytest.mark.realworld
def test_directories_are_scanned_recursively(real: Any, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    parts = {
        "dns/dnsmasq.log": DNSMASQ,
        "dns/resolver/unbound.log": UNBOUND,
        "proxy/squid/access.log": SQUID,
        "named/query.log": BIND,
    }
    expected_parsed = 0
    for where, rel in parts.items():
        dest = root / where
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real(rel), dest)
        alone = api.scan([str(dest)], db=new_db(tmp_path / f"alone-{dest.name}.duckdb"))
        expected_parsed += alone["files"][0]["parsed"]
    _gzip(root / "proxy/squid/access.log", root / "proxy/squid/access.log.1.gz")  # a rotated copy
    (root / "proxy/squid/access.log").unlink()
    (root / "README.md").write_text("# notes about these logs\n")  # not a log: ignored by name
    (root / ".hidden.log").write_bytes((root / "dns/dnsmasq.log").read_bytes())  # hidden: ignored
    (root / "named/notes.txt").write_text("rotated weekly by logrotate\nask ops\n")  # not a log

    db = new_db(tmp_path / "db.duckdb")
    result = api.scan([str(root)], db=db)
    got = {str(Path(f["path"]).relative_to(root)): f for f in result["files"]}
    assert set(got) == {
        "dns/dnsmasq.log",
        "dns/resolver/unbound.log",
        "proxy/squid/access.log.1.gz",
        "named/query.log",
        "named/notes.txt",
    }
    assert {k: v["format"] for k, v in got.items()} == {
        "dns/dnsmasq.log": "dnsmasq",
        "dns/resolver/unbound.log": "unbound",
        "proxy/squid/access.log.1.gz": "squid",
        "named/query.log": "bind",
        "named/notes.txt": "-",
    }
    assert "not read" in got["named/notes.txt"]["note"]
    assert "not a log format" in got["named/notes.txt"]["note"]
    assert result["scan"]["parsed"] == expected_parsed
    assert counts(db)["queries"] == expected_parsed


# --- files that are not logs ----------------------------------------------------------------------
def test_a_file_that_is_not_a_log_is_refused_by_name(tmp_path: Path) -> None:
    text = tmp_path / "shopping-list.txt"
    text.write_text("milk\neggs and bread\n")
    runner = CliRunner()
    res = runner.invoke(app, ["scan", "--db", str(tmp_path / "db.duckdb"), str(text)])
    assert res.exit_code == 1
    assert str(text) in res.stderr
    assert "not a log format sekisho recognises" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary data"),
        ("broken.log.gz", b"\x1f\x8b\x08\x00garbage", "cannot decompress"),
    ],
)
def test_unreadable_inputs_get_a_clear_error_naming_them(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    res = CliRunner().invoke(app, ["scan", "--db", str(tmp_path / "db.duckdb"), str(path)])
    assert res.exit_code == 1
    assert str(path) in res.stderr and message in res.stderr
    assert "Traceback" not in res.stderr


def test_a_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such.log"
    res = CliRunner().invoke(app, ["scan", "--db", str(tmp_path / "db.duckdb"), str(missing)])
    assert res.exit_code == 1
    assert str(missing) in res.stderr


@pytest.mark.realworld
def test_a_refused_file_leaves_the_store_as_it_was(real: Any, tmp_path: Path) -> None:
    """One transaction per scan: a named non-log aborts the scan, and the good file scanned
    before it in the same run is not half-kept."""
    good = real(DNSMASQ)
    db = new_db(tmp_path / "db.duckdb")
    api.scan([str(real(UNBOUND))], db=db)
    before = state(db)
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a log\n")
    with pytest.raises(InputError) as err:
        api.scan([str(good), str(bad)], db=db)
    assert str(bad) in str(err.value)
    assert state(db) == before
    # and the good file is still new to the store
    assert api.scan([str(good)], db=db)["files"][0]["parsed"] == 900


# --- a scan killed mid-way ------------------------------------------------------------------------
# the dns.log fields these tests write, with their Zeek types
ZEEK_DNS = {
    "ts": "time",
    "uid": "string",
    "id.orig_h": "addr",
    "id.orig_p": "port",
    "id.resp_h": "addr",
    "id.resp_p": "port",
    "proto": "enum",
    "trans_id": "count",
    "query": "string",
    "qtype_name": "string",
    "rcode_name": "string",
    "answers": "vector[string]",
}


def zeek_dns_header(opened: str) -> list[str]:
    """The #-lines Zeek writes at the head of a dns.log of :data:`ZEEK_DNS`'s fields, opened at
    ``opened`` (``YYYY-MM-DD-HH-MM-SS``). The report tests write their logs with it too."""
    return [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tdns",
        f"#open\t{opened}",
        "#fields\t" + "\t".join(ZEEK_DNS),
        "#types\t" + "\t".join(ZEEK_DNS.values()),
    ]


def write_zeek_dns(path: Path, records: int, start: float, seed: int = 0) -> int:
    """A Zeek TSV dns.log (header as Zeek writes it, then records, then #close); returns records."""
    import random

    rng = random.Random(seed)
    head = zeek_dns_header("2026-11-23-00-00-00")
    with open(path, "w") as f:
        f.write("\n".join(head) + "\n")
        for i in range(records):
            client = f"10.{seed}.{i % 200 // 50}.{i % 50 + 1}"
            name = f"h{rng.randrange(150_000)}.d{rng.randrange(20_000)}.example"
            f.write(
                f"{start + i * 0.01:.6f}\tC{seed}x{i}\t{client}\t{40000 + i % 20000}\t10.0.0.53\t53\tudp\t"
                f"{i % 65536}\t{name}\tA\tNOERROR\t203.0.113.{i % 250 + 1}\n"
            )
        f.write("#close\t2026-11-23-23-59-59\n")
    return records


def _sekisho(*args: str, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from sekisho.cli.main import main; main()", *args], **kw)


@pytest.mark.slow
def test_a_scan_killed_mid_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    now = time.time()
    small, big = tmp_path / "small-dns.log", tmp_path / "big-dns.log"
    write_zeek_dns(small, 2_000, now - 7200, seed=1)
    n_big = write_zeek_dns(big, 250_000, now - 3600, seed=2)
    db = tmp_path / "db.duckdb"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sekisho.cli.main import main; main()",
            "scan",
            "--db",
            str(db),
            "--json",
            str(small),
        ],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    before = state(db)
    assert sum(r[3] for r in before["observations"]) == 2_000

    # Scan the big log and then stdin. Once the big log is folded into the (open) transaction the
    # process spools stdin to a temp file and waits for more: kill it there, mid-scan.
    spool = tmp_path / "spool"
    spool.mkdir()
    errors = tmp_path / "killed-scan.stderr"
    with open(errors, "wb") as err:
        proc = _sekisho(
            "scan",
            "--db",
            str(db),
            "--json",
            str(big),
            "-",
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "TMPDIR": str(spool)},
        )
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"a.example\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        while not list(spool.glob("sekisho-stdin-*")):
            assert proc.poll() is None, errors.read_text()
            assert time.monotonic() < deadline, "the scan never reached stdin"
            time.sleep(0.02)
        assert proc.poll() is None  # still running: in the middle of its scan
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdin:
            proc.stdin.close()

    # The store holds exactly what it held before: no observation, name, file or scan of the
    # killed run.
    assert state(db) == before

    # A fresh scan afterwards works, and counts the big log in full, once.
    result = api.scan([str(big), str(small)], db=db)
    accounts = {Path(f["path"]).name: f for f in result["files"]}
    assert accounts["big-dns.log"]["parsed"] == n_big
    assert accounts["small-dns.log"]["parsed"] == 0  # known from the first scan
    assert counts(db)["queries"] == 2_000 + n_big
