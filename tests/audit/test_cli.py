"""`sekisho audit`: the JSON shape of the issue, findings stored, malformed lines reported."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.model.findings import Finding
from sekisho.store import Store
from sekisho.store.findings import load_findings


def _auth_log(p: Path) -> None:
    # sshd's messages (as tests/audit/test_openssh.py's real server writes them) in auth.log form:
    # 6 users fail from one address within minutes, then one of them gets in; one cut-short line
    lines = [
        f"Nov 30 10:0{i}:00 gw sshd[9]: Failed password for user{i} from 133.11.0.9 port 4{i}00 ssh2"
        for i in range(6)
    ]
    lines.append("Nov 30 10:07:00 gw sshd[9]: Accepted password for user3 from 133.11.0.9 port 4999 ssh2")
    lines.append("Nov 30 10:08:00 gw sshd[9]: Accepted password for user3 from")
    p.write_text("\n".join(lines) + "\n")


def test_audit_json_and_findings(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    _auth_log(log)
    db = tmp_path / "s.db"
    r = CliRunner().invoke(app, ["audit", str(log), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["events"] == 7
    spray = [a for a in out["alerts"] if a["rule"] == "spray-then-success"]
    assert len(spray) == 1
    a = spray[0]
    assert set(a) >= {"rule", "user", "ips", "countries", "first", "last", "detail"}
    assert a["user"] == "user3" and a["ips"] == ["133.11.0.9"] and a["first"].startswith("20")
    assert a["detail"]["failed_users"] == [f"user{i}" for i in range(6)]
    assert out["files"][0]["malformed"] == 1 and out["files"][0]["malformed_samples"][0]["line"] == 8
    with Store(db) as s:
        found = load_findings(s, stage="audit")
        n = s.con.execute("SELECT count(*) FROM login_events").fetchone()
    assert n == (7,)
    assert [f.kind for f in found] == ["spray-then-success"] and isinstance(found[0], Finding)
    assert found[0].evidence[-1].file == str(log) and found[0].evidence[-1].line == 7
    # the same file again: its rows are replaced, the finding is seen again, not doubled
    r = CliRunner().invoke(app, ["audit", str(log), "--db", str(db), "--json"])
    with Store(db) as s:
        assert s.con.execute("SELECT count(*) FROM login_events").fetchone() == (7,)
        assert s.con.execute("SELECT count(*), max(times_seen) FROM findings").fetchone() == (1, 2)


def test_audit_table_output(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    _auth_log(log)
    r = CliRunner().invoke(app, ["audit", str(log), "--db", str(tmp_path / "s.db")], env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    assert "spray-then-success" in r.stdout and "1 malformed" in r.output
    assert f"{log}:8:" in r.output


def test_audit_in_japanese(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    _auth_log(log)
    r = CliRunner().invoke(
        app, ["audit", str(log), "--db", str(tmp_path / "s.db"), "--lang", "ja"], env={"COLUMNS": "250"}
    )
    assert r.exit_code == 0, r.output
    assert "7 件のイベント" in r.stdout and "パスワードスプレー" in r.stdout


def test_audit_alerts_through_watch_sinks(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    _auth_log(log)
    db, out = tmp_path / "s.db", tmp_path / "alerts.jsonl"
    args = ["audit", str(log), "--db", str(db), "--json", "--sink", f"jsonl:{out}"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sent"]["new"] == 1
    sent = [json.loads(line) for line in out.read_text().splitlines()]
    assert [a["rule"] for a in sent] == ["audit:spray-then-success"]
    assert sent[0]["details"]["detail"]["failed_users"][0] == "user0" and sent[0]["severity"] == "critical"
    # run again: the same finding is folded into the alert already sent, not sent twice
    r = CliRunner().invoke(app, args)
    assert json.loads(r.stdout)["sent"]["new"] == 0 and len(out.read_text().splitlines()) == 1


def test_unreadable_file_is_said_and_the_others_read(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    _auth_log(logs / "auth.log")
    (logs / "notes.txt").write_text("hello world\n")
    r = CliRunner().invoke(app, ["audit", str(logs), "--db", str(tmp_path / "s.db"), "--json"])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["events"] == 7 and [a["rule"] for a in out["alerts"]] == ["spray-then-success"]
    assert (
        len(out["errors"]) == 1
        and "notes.txt" in out["errors"][0]
        and "not a sign-in log" in out["errors"][0]
    )
    r = CliRunner().invoke(app, ["audit", "-", "--db", str(tmp_path / "s.db")])
    assert r.exit_code != 0 and "not standard input" in r.output
