"""`sekisho exposure check`: the issue's JSON shape, SARIF, the store, target parsing — against a
real Redis, a replayed Elasticsearch and a closed port, under the socket audit hook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.exposure import TargetError, expand
from sekisho.store import Store
from sekisho.store.findings import load_findings
from tests.exposure.conftest import Audit, free_port
from tests.exposure.replay import Replay
from tests.exposure.test_redis_memcached import redis, resp

HOST = "127.0.0.1"


def test_json_sarif_and_store(servers, tmp_path: Path, audit: Audit, db: Path) -> None:
    rport = redis(servers, tmp_path)
    audit.allow(HOST, rport)
    resp(rport, *[["SET", f"k{i}", "v"] for i in range(3)])
    es = Replay("elasticsearch")
    closed = free_port()
    for port in (rport, es.port, closed):
        audit.allow(HOST, port)
    targets = tmp_path / "targets.txt"
    targets.write_text(f"# our hosts\n{HOST}:{es.port}\n{HOST}:{closed}  # retired\n")
    sarif = tmp_path / "out.sarif"
    try:
        out = CliRunner().invoke(
            app,
            [
                "exposure",
                "check",
                f"{HOST}:{rport}",
                f"@{targets}",
                "--json",
                "--sarif",
                str(sarif),
                "--db",
                str(db),
            ],
        )
    finally:
        es.close()
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert set(doc) == {"findings", "checked"}
    assert [(c["target"], c["status"], c["service"]) for c in doc["checked"]] == [
        (f"{HOST}:{rport}", "open", "redis"),
        (f"{HOST}:{es.port}", "open", "elasticsearch"),
        (f"{HOST}:{closed}", "closed", None),
    ]
    found = {f["target"]: f for f in doc["findings"]}
    assert {k: (f["service"], f["severity"]) for k, f in found.items()} == {
        f"{HOST}:{rport}": ("redis", "medium"),
        f"{HOST}:{es.port}": ("elasticsearch", "medium"),
    }
    assert found[f"{HOST}:{es.port}"]["evidence"]["values"]["records"] == 1200
    assert found[f"{HOST}:{es.port}"]["evidence"]["requests"][0]["request"] == f"GET http://{HOST}:{es.port}/"
    s = json.loads(sarif.read_text())
    assert s["version"] == "2.1.0"
    (run,) = s["runs"]
    assert sorted(r["id"] for r in run["tool"]["driver"]["rules"]) == ["elasticsearch_open", "redis_open"]
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in run["results"]} == set(
        found
    )
    assert all(r["level"] == "warning" for r in run["results"])
    with Store(db) as store:
        assert sorted(f.subject for f in load_findings(store, stage="exposure")) == sorted(found)


def test_cidr_above_22_is_refused_unless_yes(audit: Audit) -> None:
    out = CliRunner().invoke(app, ["exposure", "check", "10.20.0.0/21"])
    assert out.exit_code == 1 and "--yes" in out.output
    assert expand(["10.20.0.0/21"], [9200], [], allow_large=True)[:2] == [
        ("10.20.0.1", 9200),
        ("10.20.0.2", 9200),
    ]
    assert len(expand(["10.20.0.0/22"], [], [6379, 9200])) == 1022 * 2
    with pytest.raises(TargetError):
        expand(["10.20.0.0/21"], [9200], [])
    assert expand(["[::1]:9200", "192.0.2.7"], [5432], [1]) == [("::1", 9200), ("192.0.2.7", 5432)]


def test_ports_option_and_bad_input(audit: Audit) -> None:
    closed = free_port()
    audit.allow(HOST, closed)
    out = CliRunner().invoke(app, ["exposure", "check", HOST, "--ports", str(closed), "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["checked"][0]["status"] == "closed"
    bad = CliRunner().invoke(app, ["exposure", "check", HOST, "--ports", "99999"])
    assert bad.exit_code == 1 and "bad port" in bad.output
    bad_user = CliRunner().invoke(app, ["exposure", "check", HOST, "--user", "root"])
    assert bad_user.exit_code == 1 and "PROBE=NAME" in bad_user.output


def test_every_repeats_and_sink_sends_a_finding_once(servers, tmp_path: Path, audit: Audit, db: Path) -> None:
    rport = redis(servers, tmp_path)
    audit.allow(HOST, rport)
    alerts = tmp_path / "alerts.jsonl"
    args = ["exposure", "check", f"{HOST}:{rport}", "--db", str(db), "--sink", f"jsonl:{alerts}"]
    out = CliRunner().invoke(app, [*args, "--every", "1s", "--rounds", "2", "--json"])
    assert out.exit_code == 0, out.output
    sent = [json.loads(line) for line in alerts.read_text().splitlines()]
    assert len(sent) == 1, sent  # the second round saw it again: folded, not resent
    assert sent[0]["rule"] == "exposure:redis_open" and sent[0]["subject"] == f"{HOST}:{rport}"
    with Store(db) as store:
        ((times,),) = store.con.execute("SELECT times_seen FROM findings WHERE stage = 'exposure'").fetchall()
    assert times == 2


def test_one_host_many_ports_detects_each_service(servers, tmp_path: Path, audit: Audit) -> None:
    from tests.exposure.test_redis_memcached import memcached

    rport = redis(servers, tmp_path)
    mport = memcached(servers, tmp_path)
    closed = free_port()
    for p in (rport, mport, closed):
        audit.allow(HOST, p)
    out = CliRunner().invoke(
        app, ["exposure", "check", HOST, "--ports", f"{rport},{mport},{closed}", "--json"]
    )
    assert out.exit_code == 0, out.output
    got = [(c["target"], c["status"], c["service"]) for c in json.loads(out.stdout)["checked"]]
    assert got == [
        (f"{HOST}:{rport}", "open", "redis"),
        (f"{HOST}:{mport}", "open", "memcached"),
        (f"{HOST}:{closed}", "closed", None),
    ]


def test_every_reason_is_said_in_both_languages(audit: Audit) -> None:
    import string

    from sekisho.exposure.engine import REASONS
    from sekisho.i18n import text

    for code, english in REASONS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        args = {f: "X" for f in fields}
        for lang in ("en", "ja"):
            said = text(f"exposure.reason.{code}", lang, **args)
            assert said and "exposure.reason" not in said and ("X" in said or not fields), (code, lang, said)
    closed = free_port()
    audit.allow(HOST, closed)
    ja = CliRunner().invoke(app, ["exposure", "check", f"{HOST}:{closed}", "--lang", "ja"])
    assert "接続を拒否されました" in ja.output and "閉鎖" in ja.output


def test_bad_lines_of_a_targets_file_are_named_and_nothing_is_checked(tmp_path: Path, audit: Audit) -> None:
    targets = tmp_path / "hosts.txt"
    targets.write_text("# ours\n10.0.0.1:99999\n\n10.0.0.0/20  # too big\n192.0.2.5\n")
    out = CliRunner().invoke(app, ["exposure", "check", f"@{targets}"])
    assert out.exit_code == 1
    assert f"{targets}:2: bad port in '10.0.0.1:99999'" in out.output
    assert f"{targets}:4: 10.0.0.0/20: 4096 addresses" in out.output and "nothing checked" in out.output
    missing = CliRunner().invoke(app, ["exposure", "check", f"@{tmp_path / 'none.txt'}"])
    assert missing.exit_code == 1 and "cannot read the targets file" in missing.output


def test_watch_exposure_once_alerts_through_the_sink(servers, tmp_path: Path, audit: Audit, db: Path) -> None:
    rport = redis(servers, tmp_path)
    audit.allow(HOST, rport)
    alerts = tmp_path / "alerts.jsonl"
    args = ["watch", "--exposure", f"{HOST}:{rport}", "--every", "1h", "--once", "--db", str(db)]
    out = CliRunner().invoke(app, [*args, "--sink", f"jsonl:{alerts}"])
    assert out.exit_code == 0, out.output
    (alert,) = [json.loads(line) for line in alerts.read_text().splitlines()]
    assert alert["rule"] == "exposure:redis_open"
    both = CliRunner().invoke(app, [*args, str(tmp_path / "dns.log")])
    assert both.exit_code == 1 and "second `sekisho watch`" in both.output
    neither = CliRunner().invoke(app, ["watch", "--db", str(db)])
    assert neither.exit_code == 1 and "--exposure" in neither.output
