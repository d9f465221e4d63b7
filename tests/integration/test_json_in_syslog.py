"""JSON lines inside a syslog envelope (issue 12): Suricata's eve records sent to syslog
(``filetype: syslog`` writes ``suricata[pid]: {…}``) are read like eve.json itself.

The records are the real Suricata eve lines of the corpus (``suricata/surevego_eve_2017.json``),
handed by util-linux ``logger`` (tag ``suricata``, pid 4242) to a real rsyslogd, which writes them in
its four file forms (RFC 3164 file format, with ``<PRI>``, RFC 5424, ISO-stamped); rsyslog's
RFC 5424 records then go through systemd-journal-remote and come back from ``journalctl`` in
five output forms. Every file must give exactly what the bare eve file gives. Nothing waits a
fixed time: the test waits for rsyslog to have written the last record.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sekisho import api
from sekisho.store import Store
from tests.conftest import need_program
from tests.integration.syslog_world import RSYSLOG_TEMPLATES, Rsyslog, journal_from_rfc5424, wait_for

pytestmark = [pytest.mark.program, pytest.mark.realworld]
EVE = "suricata/surevego_eve_2017.json"


def observations(db: Path) -> list[tuple[object, ...]]:
    with Store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT day, client, name, sum(queries) FROM observations GROUP BY ALL ORDER BY ALL"
        ).fetchall()


def test_suricata_eve_through_syslog_and_journald_reads_as_eve(corpora: Path, tmp_path: Path) -> None:
    eve = corpora / EVE
    assert eve.exists(), f"missing corpus file {eve}"
    records = [ln for ln in eve.read_text().splitlines() if ln.strip()]
    base = api.scan([str(eve)], db=tmp_path / "eve.duckdb", keep_all=True)["files"][0]
    assert base["format"] == "suricata-eve" and base["parsed"] > 50
    want = observations(tmp_path / "eve.duckdb")

    logger = need_program("logger")
    root = tmp_path / "rsyslog"
    root.mkdir()
    rs = Rsyslog(root)
    try:
        subprocess.run(
            [logger, "--socket", str(rs.sock), "--socket-errors=on", "-t", "suricata", "--id=4242",
             "--size", "65536", "-f", str(eve)],
            check=True,
        )  # fmt: skip
        # a last message of Suricata's own (not a record) and one of another program
        subprocess.run(
            [logger, "--socket", str(rs.sock), "-t", "suricata", "--id=4242", "<Notice> - engine started."],
            check=True,
        )
        subprocess.run([logger, "--socket", str(rs.sock), "-t", "kernel", "eth0: link up"], check=True)
        wait_for(
            "rsyslog to write every record",
            lambda: all("link up" in "".join(rs.lines(f)[-1:]) for f in RSYSLOG_TEMPLATES),
        )
    finally:
        rs.stop()
    files = {name: rs.file(name) for name in RSYSLOG_TEMPLATES}
    files |= {f"journal-{k}": v for k, v in journal_from_rfc5424(rs.lines("rfc5424.log"), tmp_path).items()}
    for form, path in files.items():
        db = tmp_path / f"{form}.duckdb"
        f = api.scan([str(path)], db=db, keep_all=True)["files"][0]
        assert f["format"] == "suricata-eve", (form, f)
        assert f["parsed"] == base["parsed"] and f["lines"] == len(records) + 2, (form, f)
        if form == "journal-cat":  # bare messages: the two that are no JSON name no program
            assert (f["skipped"], f["malformed"]) == (base["skipped"], 2), (form, f)
            assert all(s["reason"].startswith("not a JSON object") for s in f["malformed_samples"])
        else:
            assert (f["skipped"], f["malformed"]) == (base["skipped"] + 2, 0), (form, f)
            assert f["envelope"], (form, f)
            reasons = f["skipped_reasons"]
            assert reasons.get("suricata-eve message, not a record") == 1, (form, reasons)
            assert reasons.get("line of another program") == 1, (form, reasons)
        assert "year-less" not in (f.get("note") or ""), (form, f)  # eve carries its own full time
        assert observations(db) == want, form
    # all nine files in one scan (files of one format are read together, grouped by envelope)
    together = tmp_path / "together"
    together.mkdir()
    for form, path in files.items():
        (together / f"{form}.log").write_bytes(path.read_bytes())
    got = api.scan([str(together)], db=tmp_path / "together.duckdb", keep_all=True)["files"]
    assert len(got) == len(files)
    assert all(f["parsed"] == base["parsed"] for f in got), got
    assert sorted(f["malformed"] for f in got) == [0] * (len(files) - 1) + [2]  # journal-cat: see above
