"""``names`` holds one row per name without a primary key (migration 008): a store from before
keeps its matches, a name matched again (another catalog version) is replaced, not doubled, and a
batch of matches that holds a name twice is refused whole."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sekisho import api
from sekisho.errors import SekishoError
from sekisho.store import Store
from sekisho.store.migrations import MIGRATIONS

LOG = "".join(
    f"Nov 23 18:40:{i:02d} dnsmasq[1]: query[A] {name} from 10.0.0.{i % 5 + 1}\n"
    for i, name in enumerate(["www.example.jp", "api.vendor.net", "cdn.vendor.net", "wpad", "x.local"] * 6)
)


def _names(store: Store) -> list[tuple[object, ...]]:
    return store.con.execute("SELECT * EXCLUDE (catalog_version) FROM names ORDER BY name").fetchall()


def test_a_store_from_before_keeps_its_matches_and_loses_the_key(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for name, migration in MIGRATIONS:
        if name == "008_names_unindexed":
            break
        migration(con)
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
    con.execute("INSERT INTO names VALUES ('a.example.jp', 'example.jp', NULL, NULL, 'v1')")
    con.close()
    with Store(db) as store:
        assert _names(store) == [("a.example.jp", "example.jp", None, None)]
        kinds = store.con.execute(
            "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'names'"
        ).fetchall()
        assert ("PRIMARY KEY",) not in kinds and ("NOT NULL",) in kinds
        assert store.con.execute(
            "SELECT count(*) FROM duckdb_indexes() WHERE table_name = 'names'"
        ).fetchone() == (0,)


def test_names_matched_again_are_replaced_not_doubled(tmp_path: Path) -> None:
    log, db = tmp_path / "dnsmasq.log", tmp_path / "s.duckdb"
    log.write_text(LOG)
    api.scan([str(log)], db=db, keep_all=True)
    with Store(db) as store:
        first = _names(store)
        assert len(first) == 5
        # as a new catalog version would: every stored name matched again
        store.con.execute("UPDATE names SET catalog_version = 'an older version'")
    log.write_text(LOG + LOG.replace("18:40", "18:41"))  # grown: a second scan
    api.scan([str(log)], db=db, keep_all=True)
    with Store(db) as store:
        assert _names(store) == first
        assert store.con.execute("SELECT count(DISTINCT catalog_version) FROM names").fetchone() == (1,)


def test_a_batch_holding_a_name_twice_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.con.execute(
            "CREATE TEMP TABLE twice AS SELECT * FROM (VALUES ('a.jp', 'a.jp', NULL, NULL), "
            "('b.jp', 'b.jp', NULL, NULL), ('a.jp', 'a.jp', 'x', 'a.jp')) t(name, registrable, service_id, matched_on)"
        )
        with pytest.raises(SekishoError, match="twice"):
            store.save_matches_from("twice", "v")
        assert _names(store) == []
