"""ASNs from Debian's libloc-database, read through the system python3-location in one batch.

Expectations come from asking Debian's own ``location`` CLI in the test (one address per call: its
``lookup`` stops at the first address the database does not hold), never hard-coded: a newer
database may move an address to another AS, and the test then follows the database."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from sekisho.audit import load_params, run_audit
from sekisho.match.ipinfo import UNKNOWN, IpKnowledge
from sekisho.match.libloc import Libloc, Owner, created_at, find_database
from tests.audit.helpers import ev
from tests.conftest import need

# Japanese networks of different operators (universities, WIDE, NTT, SoftBank), IPv4 and IPv6
JP = ["133.11.0.1", "2001:200::1", "153.128.0.1", "126.0.0.1"]
# public to Python's ipaddress, but in no network the database holds
NOWHERE = ["100.77.0.1", "3fff::1"]


def _need_libloc() -> Path:
    db = find_database()
    need(db is not None and shutil.which("location") is not None, "Debian's libloc-database and location")
    assert db is not None
    return db


def _cli(ip: str) -> tuple[int | None, str | None]:
    """(ASN, name) as ``location lookup`` prints them; (None, None) when it finds nothing."""
    done = subprocess.run(
        ["location", "lookup", ip], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    m = re.search(r"^\s*Autonomous System\s*:\s*AS(\d+)(?: - (.+))?$", done.stdout, re.M)
    return (int(m.group(1)), m.group(2)) if m else (None, None)


def test_asns_as_the_location_cli_says() -> None:
    db = _need_libloc()
    k = IpKnowledge()
    k.prefetch(JP + NOWHERE + ["10.0.0.1"])
    for ip in JP:
        asn, name = _cli(ip)
        assert asn is not None, f"the location CLI has no AS for {ip}"
        f = k.lookup(ip)
        assert (f.asn, f.asn_org) == (asn, name), (ip, f)
        assert f.asn_database == f"IPFire Location via Debian libloc-database ({created_at(db)})"
    for ip in NOWHERE:
        assert _cli(ip) == (None, None), f"{ip} is in the database now; pick another"
        f = k.lookup(ip)
        assert f.asn is None and f.asn_org is None and f.asn_database is None
    assert k.lookup("10.0.0.1").asn is None  # private: never asked
    assert "10.0.0.1" not in k._owners and k.notes == []


def test_the_date_is_the_database_own() -> None:
    db = _need_libloc()
    shown = subprocess.run(["location", "version"], capture_output=True, text=True, check=True).stdout
    when = email.utils.parsedate_to_datetime(shown.strip()).astimezone(dt.UTC).date()
    assert created_at(db) == when
    k = IpKnowledge()
    src = [d for d in k.sources() if d["database"] == "IPFire Location via Debian libloc-database"]
    assert src == [{"database": src[0]["database"], "as_of": when.isoformat(), "licence": "CC BY-SA 4.0"}]


def test_one_process_for_all_addresses() -> None:
    db = _need_libloc()
    ips = [f"133.{a}.{b}.1" for a in range(0, 256, 16) for b in range(0, 256, 4)]  # 1,024 addresses
    got = Libloc(db).owners(ips + JP)
    assert set(got) == set(ips + JP)
    assert all(got[ip].asn == _cli(ip)[0] for ip in JP)
    # the knowledge asks once; what it knows it does not ask again
    k = IpKnowledge()
    calls: list[int] = []
    assert k._libloc is not None
    real = k._libloc.owners

    def counted(todo: Iterable[str]) -> dict[str, Owner]:
        calls.append(len(set(todo)))
        return real(todo)

    k._libloc.owners = counted  # type: ignore[method-assign,assignment]
    assert k.lookup(JP[0]).asn is None and calls == []  # a lookup never starts a process
    k.prefetch(ips + [JP[0]])
    k.prefetch(ips)
    assert all(k.lookup(ip).asn == got[ip].asn for ip in ips)
    assert k.lookup(JP[0]).asn == got[JP[0]].asn  # looked up before the batch: known after it
    assert calls == [len(ips) + 1]


def test_new_asn_from_libloc() -> None:
    _need_libloc()
    k = IpKnowledge(use_fallback=False)
    (home, _), (away, away_name) = _cli(JP[0]), _cli(JP[2])
    assert home and away and home != away
    assert k.lookup(JP[0]).country == k.lookup(JP[2]).country == "JP"  # same country: ASN alone
    events = [ev("d", JP[0], i * 60) for i in range(10)] + [ev("d", JP[2], 20 * 1440)]
    r = run_audit(lambda: events, load_params(), k)
    alerts = [a for a in r.alerts if a.rule == "new-asn"]
    assert [a.subject for a in alerts] == [f"d AS{away}"]
    d = alerts[0].detail
    assert d["asns_before"] == [home] and d["signin"]["asn_org"] == away_name
    assert d["asn_source"].startswith("IPFire Location via Debian libloc-database (")
    assert any(x["database"].endswith("libloc-database") and x["as_of"] for x in d["databases"])
    assert not any(n.startswith("new-asn") for n in r.notes)


def test_an_unknown_address_stays_unknown() -> None:
    _need_libloc()
    k = IpKnowledge(use_fallback=False)
    # a user whose every sign-in comes from addresses the database does not hold: no ASN, no alert
    events = [ev("e", NOWHERE[0], i * 60) for i in range(10)] + [ev("e", NOWHERE[1], 20 * 1440)]
    r = run_audit(lambda: events, load_params(), k)
    assert not [a for a in r.alerts if a.rule == "new-asn"]
    assert any(n.startswith("new-asn: no sign-in carried an ASN") for n in r.notes)
    assert k.lookup(NOWHERE[0]).country == UNKNOWN


def test_without_libloc_said_once_and_asn_unknown(tmp_path: Path) -> None:
    k = IpKnowledge(use_fallback=False, libloc=tmp_path / "absent.db")
    assert k.lookup("133.11.0.1").asn is None
    assert len(k.notes) == 1 and "libloc-database is not installed" in k.notes[0]
    r = run_audit(lambda: [ev("a", "133.11.0.1", 0)], load_params(), k)
    assert sum("libloc" in n for n in r.notes) == 1
    assert not any("libloc" in str(d["database"]) for d in r.databases)


def test_a_reader_that_cannot_run_is_said(tmp_path: Path) -> None:
    db = _need_libloc()
    k = IpKnowledge(use_fallback=False, libloc=db)
    assert k._libloc is not None
    k._libloc.python = str(tmp_path / "no-python")  # a system without python3-location's interpreter
    r = run_audit(lambda: [ev("a", "133.11.0.1", 0)], load_params(), k)
    assert any(n.startswith("ASN: could not run") for n in r.notes)
    assert not any("libloc" in str(d["database"]) for d in r.databases)
    assert k.lookup("133.11.0.1").asn is None


def test_the_mmdb_wins(tmp_path: Path) -> None:
    _need_libloc()
    from tests.audit.test_mmdb import _write

    mm = _write(tmp_path / "asn.mmdb", "GeoLite2-ASN", {"133.11.0.0/16": {"autonomous_system_number": 64512}})
    k = IpKnowledge(use_fallback=False, mmdb=[mm])
    assert k.lookup("133.11.0.1").asn == 64512 and k.lookup("153.128.0.1").asn is None
    assert k._libloc is None and not any("libloc" in str(d["database"]) for d in k.sources())
