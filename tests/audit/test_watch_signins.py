"""`sekisho watch --signins`: the watcher follows sign-in logs too, with the follower of
`sekisho audit --follow`, and its alerts leave through the watcher's sinks. As a process, the test
waits for what the watcher says; no fixed sleeps."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sekisho.cli.main import app
from tests.audit.test_follow import CALM, SPRAY, _said, _wait, running

DNS = "Nov 30 09:00:01 dnsmasq[812]: query[A] www.example.org from 192.168.1.20\n"


def _audit_alerts(out: Path) -> list[dict[str, object]]:
    if not out.exists():
        return []
    sent = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    return [a for a in sent if str(a["rule"]).startswith("audit:")]


def test_watch_follows_signins_through_its_sinks(tmp_path: Path) -> None:
    auth, net, out, db = (
        tmp_path / "auth.log",
        tmp_path / "dnsmasq.log",
        tmp_path / "alerts.jsonl",
        tmp_path / "s.db",
    )
    auth.write_text(CALM)
    net.write_text(DNS)
    lines: list[str] = []
    with running(
        "watch",
        str(net),
        "--signins",
        str(auth),
        "--db",
        str(db),
        "--interval",
        "0.2",
        "--sink",
        f"jsonl:{out}",
    ) as proc:
        # the network log's first batch is said as soon as it is committed, then the sign-ins'
        ready = _said(proc, "following 1 file(s) from the stored offsets", anywhere=True)
        assert "sign-ins" not in ready
        first = _said(proc, "sign-ins: following ", anywhere=True)
        assert "sign-ins: following 1 file(s); 0 new alert(s)" in first, first
        with open(auth, "a") as f:  # a spray and its success in one write: one poll sees all
            f.write(SPRAY)
        lines.append(_said(proc, "sign-ins: read ", anywhere=True))
        _wait(lambda: _audit_alerts(out) != [], "the sign-in alert in the watcher's sink", proc)
        got = _audit_alerts(out)
        assert [a["rule"] for a in got] == ["audit:spray-then-success"]
        with open(auth, "a") as f:  # another sign-in, no new alert: nothing sent again
            f.write(CALM.replace("09:00:00", "11:00:00"))
        lines.append(_said(proc, "sign-ins: read ", anywhere=True))
        assert "0 new alert(s)" in lines[-1], lines
        assert len(_audit_alerts(out)) == 1
    assert "1 new alert(s), 1 delivered" in lines[0], lines
    assert proc.returncode == 0


def test_watch_once_signins_only(tmp_path: Path) -> None:
    auth, out, db = tmp_path / "auth.log", tmp_path / "alerts.jsonl", tmp_path / "s.db"
    auth.write_text(CALM + SPRAY)
    r = CliRunner().invoke(
        app, ["watch", "--signins", str(auth), "--db", str(db), "--once", "--sink", f"jsonl:{out}"]
    )
    assert r.exit_code == 0, r.output
    assert [a["rule"] for a in _audit_alerts(out)] == ["audit:spray-then-success"]
    again = CliRunner().invoke(
        app, ["watch", "--signins", str(auth), "--db", str(db), "--once", "--sink", f"jsonl:{out}"]
    )
    assert again.exit_code == 0 and len(_audit_alerts(out)) == 1  # folded, not sent twice
    none = CliRunner().invoke(app, ["watch", "--db", str(db)])
    assert none.exit_code != 0 and "--signins" in none.output


def test_a_failed_delivery_is_retried(tmp_path: Path) -> None:
    """A sign-in alert the sink refused is sent once the sink works again, though no log changes
    (sign-ins only: the watcher has no network batch that would deliver it by the way)."""
    auth, db = tmp_path / "auth.log", tmp_path / "s.db"
    out = tmp_path / "not-yet" / "alerts.jsonl"  # the sink fails until its directory exists
    auth.write_text(CALM)
    with running(
        "watch", "--signins", str(auth), "--db", str(db), "--interval", "0.2", "--sink", f"jsonl:{out}"
    ) as proc:
        _said(proc, "sign-ins: following 1 file(s)", anywhere=True)
        with open(auth, "a") as f:
            f.write(SPRAY)
        said = _said(proc, "sign-ins: read ", anywhere=True)
        assert "1 new alert(s), 0 delivered" in said, said
        out.parent.mkdir()
        _wait(lambda: _audit_alerts(out) != [], "the alert sent on the sink's retry", proc, timeout=30)
        assert [a["rule"] for a in _audit_alerts(out)] == ["audit:spray-then-success"]
