"""Alert rules over real dnsmasq log lines (the corpus's own lines, and lines in its exact format
with other names, clients and days): first use, blocked use, new client, unknown destination,
spike; deduplication; acknowledgement; the rules file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.errors import ConfigError
from sekisho.store import Store
from sekisho.watch import Watcher, WatchOptions, list_alerts, load_alert_rules, make_sink

from .conftest import DNSMASQ, dnsmasq_line, new_db, read_jsonl

pytestmark = pytest.mark.realworld


def watch_once(log: Path, db: Path, rules_file: Path | None = None, **rules_kw: Any) -> list[dict[str, Any]]:
    """Run a watcher over ``log`` until it has read everything; the alerts it emitted."""
    out = db.with_suffix(".alerts.jsonl")
    before = len(read_jsonl(out))
    rules = load_alert_rules(rules_file)
    w = Watcher(
        [log], db, rules, [make_sink({"type": "jsonl", "path": str(out)})], options=WatchOptions(once=True)
    )
    w.run()
    return read_jsonl(out)[before:]


def by_rule(alerts: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [a for a in alerts if a["rule"] == rule]


def test_real_dnsmasq_log_raises_first_use_blocked_and_new_client(corpora: Path, tmp_path: Path) -> None:
    src = (corpora / DNSMASQ).read_bytes().splitlines(keepends=True)
    log = tmp_path / "dnsmasq.log"
    db = new_db(tmp_path / "w.duckdb")
    log.write_bytes(b"".join(src[:200]))
    first = watch_once(log, db)
    uses = {a["service"] for a in by_rule(first, "first-use")}
    assert "deepseek" in uses  # level 0 in the bundled catalog
    blocked = by_rule(first, "blocked-use")
    assert blocked and all(a["service"] == "deepseek" or a["details"]["blocked_entry"] for a in blocked)
    a = next(a for a in blocked if a["service"] == "deepseek")
    assert a["details"]["reasons"][0]["rule"].startswith("preset level0")
    assert any(f["source"].startswith("http") for r in a["details"]["reasons"] for f in r["facts"])
    assert not by_rule(first, "new-client")  # the first clients are in the first-use alert

    # The rest of the log: no second first-use for the same service; new clients are reported.
    log.write_bytes(b"".join(src))
    second = watch_once(log, db)
    assert not {a["service"] for a in by_rule(second, "first-use")} & uses
    new_clients = {(a["service"], a["client"]) for a in by_rule(second, "new-client")}
    old_clients = {(a["service"], c) for a in by_rule(first, "first-use") for c in a["details"]["clients"]}
    assert new_clients and not new_clients & old_clients
    # every alert id once, and the store agrees with what the sink got
    ids = [a["id"] for a in first + second]
    assert len(ids) == len(set(ids))
    assert {x["id"] for x in list_alerts(db, include_acked=True)} == set(ids)


def test_dedup_counts_repeats_in_the_alert_already_raised(dnsmasq_template: str, tmp_path: Path) -> None:
    log = tmp_path / "dnsmasq.log"
    db = new_db(tmp_path / "w.duckdb")
    log.write_text(dnsmasq_line(dnsmasq_template, "chat.deepseek.com", "10.0.0.5"))
    first = by_rule(watch_once(log, db), "blocked-use")
    assert len(first) == 1
    with open(log, "a") as f:
        for i in range(5):
            f.write(dnsmasq_line(dnsmasq_template, "api.deepseek.com", "10.0.0.5", time_s=f"18:41:0{i}"))
    again = watch_once(log, db)
    assert not by_rule(again, "blocked-use")  # same service, same client, within 24h
    stored = [a for a in list_alerts(db) if a["rule"] == "blocked-use"]
    assert len(stored) == 1 and stored[0]["occurrences"] == 2  # the second batch folded in


def test_unknown_destination_alerts_once_when_it_crosses_the_threshold(
    dnsmasq_template: str, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - {id: unknown-destination, min_queries: 10}\n")
    log = tmp_path / "dnsmasq.log"
    db = new_db(tmp_path / "w.duckdb")
    log.write_text(
        "".join(dnsmasq_line(dnsmasq_template, f"h{i}.exfil-example.xyz", "10.0.0.9") for i in range(6))
    )
    assert not by_rule(watch_once(log, db, rules), "unknown-destination")  # 6 < 10
    with open(log, "a") as f:
        f.write("".join(dnsmasq_line(dnsmasq_template, "h9.exfil-example.xyz", "10.0.0.8") for _ in range(6)))
        f.write(dnsmasq_line(dnsmasq_template, "1.0.0.10.in-addr.arpa", "10.0.0.8") * 20)
    crossed = by_rule(watch_once(log, db, rules), "unknown-destination")
    assert [a["subject"] for a in crossed] == ["exfil-example.xyz"]
    assert crossed[0]["details"]["queries"] == 12
    assert crossed[0]["details"]["clients"] == ["10.0.0.8"]  # the clients of this batch
    with open(log, "a") as f:
        f.write(dnsmasq_line(dnsmasq_template, "h1.exfil-example.xyz", "10.0.0.7") * 30)
    assert not by_rule(watch_once(log, db, rules), "unknown-destination")  # once only


def test_spike_against_the_baseline_of_the_days_before(dnsmasq_template: str, tmp_path: Path) -> None:
    log = tmp_path / "dnsmasq.log"
    db = new_db(tmp_path / "w.duckdb")
    lines = []
    for day in range(16, 23):  # a week of ~20 queries a day
        lines += [dnsmasq_line(dnsmasq_template, "www.tiktok.com", "10.0.1.1", f"Nov {day}")] * 20
    log.write_text("".join(lines))
    assert not by_rule(watch_once(log, db), "spike")
    with open(log, "a") as f:
        f.write(dnsmasq_line(dnsmasq_template, "www.tiktok.com", "10.0.1.1", "Nov 23") * 60)
    assert not by_rule(watch_once(log, db), "spike")  # 60 < min_queries 100
    with open(log, "a") as f:
        f.write(dnsmasq_line(dnsmasq_template, "m.tiktok.com", "10.0.1.2", "Nov 23") * 60)
    spikes = by_rule(watch_once(log, db), "spike")
    assert len(spikes) == 1
    d = spikes[0]["details"]
    assert spikes[0]["service"] == "tiktok" and d["queries"] == 120 and d["baseline_mean"] == 20.0
    with open(log, "a") as f:
        f.write(dnsmasq_line(dnsmasq_template, "m.tiktok.com", "10.0.1.2", "Nov 23") * 100)
    assert not by_rule(watch_once(log, db), "spike")  # one per service and day


def test_rules_file_overrides_disables_and_adds(dnsmasq_template: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "defaults: {dedup_window: 1h}\n"
        "rules:\n"
        "  - {id: first-use, max_level: 0}\n"
        "  - {id: blocked-use, enabled: false}\n"
        "  - {id: block-ai, type: blocked_use, policy: 'intel-law:CN', severity: high}\n"
        "sinks:\n  - {type: jsonl, path: /dev/null}\n"
    )
    r = load_alert_rules(rules)
    assert r.dedup_window == 3600
    assert {x.id for x in r.enabled} >= {"first-use", "block-ai"} and "blocked-use" not in {
        x.id for x in r.enabled
    }
    assert next(x for x in r.rules if x.id == "first-use").max_level == 0  # type: ignore[attr-defined]
    assert r.sinks == [{"type": "jsonl", "path": "/dev/null"}]
    log = tmp_path / "dnsmasq.log"
    log.write_text(
        dnsmasq_line(dnsmasq_template, "www.tiktok.com", "10.0.0.1")
        + dnsmasq_line(dnsmasq_template, "chat.deepseek.com", "10.0.0.1")
    )
    alerts = watch_once(log, new_db(tmp_path / "w.duckdb"), rules)
    assert {a["service"] for a in by_rule(alerts, "first-use")} == {"deepseek"}  # tiktok is level 1
    assert not by_rule(alerts, "blocked-use")
    assert {a["service"] for a in by_rule(alerts, "block-ai")} >= {"deepseek", "tiktok"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  - {id: x, type: nope}\n", "unknown type 'nope'"),
        ("rules:\n  - {id: first-use, max_level: 9}\n", "max_level"),
        ("rules:\n  - {id: spike, dedup_window: soon}\n", "not a duration"),
        ("ruless: []\n", "unknown key 'ruless'"),
    ],
)
def test_a_bad_rules_file_is_an_error_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_alert_rules(rules)
    assert message in str(e.value) and "rules.yaml:" in str(e.value)


def test_alerts_cli_lists_as_json_and_acknowledges(dnsmasq_template: str, tmp_path: Path) -> None:
    log = tmp_path / "dnsmasq.log"
    db = new_db(tmp_path / "w.duckdb")
    log.write_text(
        dnsmasq_line(dnsmasq_template, "chat.deepseek.com", "10.0.0.5")
        + dnsmasq_line(dnsmasq_template, "chat.deepseek.com", "10.0.0.6")
    )
    emitted = watch_once(log, db)
    runner = CliRunner()
    res = runner.invoke(app, ["alerts", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    listed = json.loads(res.output)
    assert {a["id"] for a in listed} == {a["id"] for a in emitted}
    assert all(d["delivered_at"] for a in listed for d in a["deliveries"])
    target = listed[0]["id"]
    res = runner.invoke(
        app, ["alerts", "--db", str(db), "--ack", str(target), "--note", "blocked at the firewall"]
    )
    assert res.exit_code == 0, res.output
    open_ids = {a["id"] for a in json.loads(runner.invoke(app, ["alerts", "--db", str(db), "--json"]).output)}
    assert target not in open_ids and len(open_ids) == len(listed) - 1
    every = json.loads(runner.invoke(app, ["alerts", "--db", str(db), "--json", "--all"]).output)
    acked = next(a for a in every if a["id"] == target)
    assert acked["acked_at"] and acked["ack_note"] == "blocked at the firewall"
    res = runner.invoke(app, ["alerts", "--db", str(db), "--ack", "999999"])
    assert res.exit_code == 1 and "no alert with id 999999" in res.output
    res = runner.invoke(app, ["alerts", "--db", str(db)])
    assert (res.exit_code == 0 and "blocked-use" in res.output) or "first-use" in res.output


def test_watch_cli_once_over_a_directory_with_a_gzipped_rotation(corpora: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    src = (corpora / DNSMASQ).read_bytes().splitlines(keepends=True)
    import gzip

    with gzip.open(logs / "dnsmasq.log.1.gz", "wb") as f:
        f.writelines(src[:900])
    (logs / "dnsmasq.log").write_bytes(b"".join(src[900:]))
    db = new_db(tmp_path / "w.duckdb")
    out = tmp_path / "alerts.jsonl"
    res = CliRunner().invoke(
        app, ["watch", str(logs), "--db", str(db), "--once", "-q", "--sink", f"jsonl:{out}"]
    )
    assert res.exit_code == 0, res.output
    with Store(db, read_only=True) as store:
        total = store.con.execute("SELECT sum(queries) FROM observations").fetchone()
    ref = new_db(tmp_path / "ref.duckdb")
    shutil.copyfile(corpora / DNSMASQ, tmp_path / "ref.log")
    assert (
        CliRunner().invoke(app, ["scan", str(tmp_path / "ref.log"), "--db", str(ref), "--json"]).exit_code
        == 0
    )
    with Store(ref, read_only=True) as store:
        assert store.con.execute("SELECT sum(queries) FROM observations").fetchone() == total
    assert read_jsonl(out)
    # a second run reads nothing new and raises nothing
    res = CliRunner().invoke(
        app, ["watch", str(logs), "--db", str(db), "--once", "-q", "--sink", f"jsonl:{out}"]
    )
    assert res.exit_code == 0
    assert len(read_jsonl(out)) == len({a["id"] for a in read_jsonl(out)})


def test_every_rule_type_and_sink_is_documented() -> None:
    from sekisho.watch import RULE_TYPES, SINKS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "watch.md").read_text(encoding="utf-8")
    assert [t for t in RULE_TYPES if f"`{t}`" not in doc] == []
    assert [s for s in SINKS if f"`{s}`" not in doc] == []
    bundled = {r.type for r in load_alert_rules().rules}
    assert bundled == set(RULE_TYPES)  # the defaults show every rule type
