"""The unknown destinations a scan lists are exactly the top of a count made by hand: most
distinct clients first, then most queries, then the domain's name, with its distinct names — on
real WRCCDC 2018 Zeek queries (its own competition domain set as internal), and on a generated
dnsmasq log whose many ties and near-ties an approximate count could order wrongly."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pytest

from sekisho import api
from sekisho.store import Store


def _by_hand(store: Store, limit: int) -> list[dict[str, object]]:
    rows = store.con.execute(
        "SELECT coalesce(registrable, name), client, coalesce(name, registrable), queries "
        "FROM usage_all WHERE service_id IS NULL"
    ).fetchall()
    clients: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    queries: dict[str, int] = defaultdict(int)
    for domain, client, name, q in rows:
        clients[domain].add(client)
        names[domain].add(name)
        queries[domain] += int(q)
    order = sorted(clients, key=lambda d: (-len(clients[d]), -queries[d], d))
    return [
        {"domain": d, "clients": len(clients[d]), "queries": queries[d], "names": len(names[d])}
        for d in order[:limit]
    ]


def _listed(store: Store, limit: int) -> list[dict[str, object]]:
    return [
        {k: (v if k == "domain" else int(v)) for k, v in r.items()} for r in store.unknown_destinations(limit)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_ties_are_ordered_exactly(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    log = tmp_path / "dnsmasq.log"
    with log.open("w") as f:
        for i in range(6000):
            d = f"vendor{int(rnd.paretovariate(1.2)) % 300}.example{rnd.randrange(3)}.net"
            host = rnd.choice(["www", "api", "cdn", "m"])
            f.write(
                f"Nov 23 18:{i // 600:02d}:{i % 60:02d} dnsmasq[1]: query[A] {host}.{d} from 10.0.{rnd.randrange(4)}.{rnd.randrange(1, 60)}\n"
            )
    db = tmp_path / "u.duckdb"
    api.scan([str(log)], db=db, keep_all=True)
    with Store(db, read_only=True) as store:
        for limit in (0, 1, 15, 120, 1000):
            assert _listed(store, limit) == _by_hand(store, limit), limit
            # the scan's findings take the list and its totals from one query: the same as apart
            top, totals = store.unknown_summary(limit)
            assert top == store.unknown_destinations(limit)
            assert totals == store.unknown_totals() == _totals_by_hand(store)


def _totals_by_hand(store: Store) -> dict[str, int]:
    rows = store.con.execute(
        "SELECT coalesce(registrable, name), queries FROM usage_all WHERE service_id IS NULL"
    ).fetchall()
    return {"domains": len({d for d, _ in rows}), "queries": sum(int(q) for _, q in rows)}


def test_no_unknown_destinations_totals_are_zero(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.duckdb") as store:
        assert store.unknown_summary(15) == ([], {"domains": 0, "queries": 0}) == ([], store.unknown_totals())


@pytest.mark.realworld
def test_a_real_networks_unknown_destinations_are_the_hand_count(corpora: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sekisho.cli.main import app

    db = tmp_path / "w.duckdb"
    done = CliRunner().invoke(app, ["db", "set", "own-domains", "wrccdc.org", "--db", str(db)])
    assert done.exit_code == 0, done.output
    api.scan([str(corpora / "zeek/wrccdc2018_dns.log.gz")], db=db, keep_all=True)
    with Store(db, read_only=True) as store:
        want = _by_hand(store, 40)
        assert len(want) == 40 and int(str(want[0]["clients"])) > 1
        assert _listed(store, 40) == want
