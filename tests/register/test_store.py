"""The register against the store: shadow-vendor and never-seen from a real dnsmasq log scanned
into a store, the register's history, and its findings in the one findings table."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from sekisho import api
from sekisho.catalog.loader import Catalog
from sekisho.register import check_register
from sekisho.store import Store
from sekisho.store.findings import load_findings
from sekisho.store.register import register_versions
from tests.register.conftest import acceptance_parties, write_yaml

DNSMASQ = "dnsmasq/dnsmasq_2.90_log-queries.log"
QUERY = re.compile(r"^(\w{3} [ \d]\d \d\d:\d\d:\d\d) dnsmasq\[\d+\]: query\[\w+\] (\S+) from (\S+)$")
TODAY = dt.date(2026, 12, 1)


@pytest.fixture()
def scanned(corpora: Path, tmp_path: Path) -> Path:
    log = tmp_path / "logs" / "dnsmasq.log"
    log.parent.mkdir()
    shutil.copyfile(corpora / DNSMASQ, log)  # into tmp_path, never into the repository
    db = tmp_path / "s.duckdb"
    api.scan([str(log)], db=db, year=2026, keep_all=True)
    return db


def queries_of(corpora: Path, domain: str) -> tuple[set[str], list[str]]:
    """Clients and stamps of the log's queries for ``domain`` and its subdomains, read directly."""
    clients, stamps = set(), []
    for line in (corpora / DNSMASQ).read_text(encoding="utf-8").splitlines():
        m = QUERY.match(line)
        if m and (m.group(2) == domain or m.group(2).endswith("." + domain)):
            stamps.append(m.group(1))
            clients.add(m.group(3))
    return clients, stamps


def register_with(tmp_path: Path, **extra: dict[str, Any]) -> Path:
    parties = acceptance_parties()
    for p in parties:
        p.update(extra.get(p["id"], {}))
    return write_yaml(tmp_path / "register.yaml", parties)


@pytest.mark.realworld
def test_shadow_vendor_names_the_service_its_clients_and_dates(
    scanned: Path, corpora: Path, tmp_path: Path, catalog: Catalog
) -> None:
    # LINE is registered by service, Zoom by operator: neither is a shadow vendor; DeepSeek is
    path = register_with(
        tmp_path,
        **{"proc-jp": {"catalog_service": "line"}, "sub-jp": {"catalog_operator": "zoom-communications"}},
    )
    with Store(scanned) as store:
        result = check_register(path, catalog, store, today=TODAY)
    shadow = {f.subject: f for f in result.findings if f.kind == "shadow-vendor"}
    assert "line" not in shadow and "zoom" not in shadow
    assert not any(s.startswith(("v2fly:", "internal:")) for s in shadow)  # only assessed services
    ds = shadow["deepseek"]
    clients, stamps = queries_of(corpora, "deepseek.com")
    assert len(clients) >= 2
    assert set(ds.detail["clients"]) == clients and ds.detail["client_count"] == len(clients)
    assert (
        ds.detail["first_seen"][:19]
        == dt.datetime.strptime(f"2026 {stamps[0]}", "%Y %b %d %H:%M:%S").isoformat()
    )
    assert (
        ds.detail["last_seen"][:19]
        == dt.datetime.strptime(f"2026 {stamps[-1]}", "%Y %b %d %H:%M:%S").isoformat()
    )
    assert ds.detail["chain"] == ["city", "deepseek"]
    assert "DeepSeek" in ds.title and f"{len(clients)} client" in ds.title
    assert ds.title_ja and "台帳" in ds.title_ja


@pytest.mark.realworld
def test_never_seen_counts_days_since_the_logs_showed_the_service(
    scanned: Path, tmp_path: Path, catalog: Catalog
) -> None:
    # LINE was seen on 2026-11-23, WeChat never
    path = register_with(
        tmp_path, **{"proc-jp": {"catalog_service": "line"}, "sub-jp": {"catalog_service": "wechat"}}
    )
    with Store(scanned) as store:
        result = check_register(path, catalog, store, today=TODAY)
        never = {f.subject: f for f in result.findings if f.kind == "never-seen"}
        assert set(never) == {"sub-jp"}  # 8 days is within 90
        assert never["sub-jp"].detail["last_seen"] is None
        assert never["sub-jp"].detail["chain"] == ["city", "proc-jp", "sub-jp"]
        short = check_register(
            path, catalog, store, today=TODAY, params={"never-seen": {"days": 5}}, save=False
        )
    never = {f.subject: f for f in short.findings if f.kind == "never-seen"}
    assert set(never) == {"proc-jp", "sub-jp"}
    assert never["proc-jp"].detail["last_seen"].startswith("2026-11-23")


def test_an_empty_store_runs_no_log_rules_blindly(tmp_path: Path, catalog: Catalog) -> None:
    path = register_with(tmp_path, **{"proc-jp": {"catalog_service": "line"}})
    with Store(tmp_path / "empty.duckdb") as store:
        result = check_register(path, catalog, store, today=TODAY)
    assert not any(f.kind in ("never-seen", "shadow-vendor") for f in result.findings)


def test_register_history_and_findings_in_the_findings_table(tmp_path: Path, catalog: Catalog) -> None:
    db = tmp_path / "s.duckdb"
    path = register_with(tmp_path)
    with Store(db) as store:
        first = check_register(path, catalog, store, today=TODAY)
        again = check_register(path, catalog, store, today=TODAY)
        assert (first.new_version, again.new_version) == (True, False)
        assert first.version == again.version
        parties = acceptance_parties()[:3]  # the Dalian sub-contractor is gone
        write_yaml(path, parties)
        third = check_register(path, catalog, store, today=TODAY)
        assert third.new_version and third.version != first.version
        history = register_versions(store, str(path))
        assert [h["parties"] for h in history] == [3, 4]
        assert history[0]["removed"] == ["sub-cn"] and history[1]["added"] == [
            "city",
            "proc-jp",
            "sub-cn",
            "sub-jp",
        ]
        stored = {(f.kind, f.subject) for f in load_findings(store, stage="register")}
        times = dict(
            store.con.execute("SELECT kind, times_seen FROM findings WHERE stage = 'register'").fetchall()
        )
    assert stored == {
        ("state-access-law", "sub-cn"),
        ("transfer-without-basis", "sub-cn"),
        ("unapproved-subprocessor", "sub-cn"),
    }
    assert times["unapproved-subprocessor"] == 2  # seen again by the second check, not a new row


def test_a_store_from_before_the_register_gains_its_tables(tmp_path: Path, catalog: Catalog) -> None:
    import duckdb

    from sekisho.store.migrations import MIGRATIONS

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for name, migration in MIGRATIONS:
        if name == "007_register":
            continue
        migration(con)
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
    con.close()
    with Store(db) as store:
        names = [
            r[0] for r in store.con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
        ]
        assert "007_register" in names
        result = check_register(register_with(tmp_path), catalog, store, today=TODAY)
        assert result.version == 1 and result.new_version
