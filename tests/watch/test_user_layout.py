"""A log read with a layout the user gave (Squid's logformat line, a CSV --map) is not misread by
the watcher, which cannot take that layout: `watch --format` refuses it, and a file a scan read so
is left alone with a note instead of being read on in the default layout."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.store import Store

LOGFORMAT = "%ts.%03tu %>a %ru"


def test_watch_refuses_a_format_whose_layout_the_user_gives(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    for fmt in ("squid-logformat", "csv"):
        res = CliRunner().invoke(
            app, ["watch", str(log), "--format", fmt, "--db", str(tmp_path / "w.duckdb"), "--once"]
        )
        assert res.exit_code != 0 and "cannot take the layout" in res.output, res.output


def test_a_file_scanned_with_a_logformat_line_is_not_read_on_in_another_layout(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(f"1764547200.{i:03d} 10.0.0.{i} http://example{i}.jp/\n" for i in range(1, 4)))
    db = tmp_path / "s.duckdb"
    done = api.scan(
        [str(log)], db=db, format_name="squid-logformat", mapping={"logformat": LOGFORMAT}, keep_all=True
    )
    assert done
    with Store(db, read_only=True) as store:
        before = store.con.execute("SELECT sum(queries) FROM observations").fetchone()[0]
    assert before == 3
    with log.open("a") as f:  # the log grows; a default-layout read would call these lines malformed
        f.write("1764547260.000 10.0.0.9 http://example9.jp/\n")
    res = CliRunner().invoke(app, ["watch", str(log), "--db", str(db), "--once"])
    assert res.exit_code == 0, res.output
    assert "cannot take that layout" in res.output
    with Store(db, read_only=True) as store:
        after = store.con.execute("SELECT sum(queries) FROM observations").fetchone()[0]
        malformed = store.con.execute("SELECT coalesce(sum(malformed), 0) FROM scan_files").fetchone()[0]
    assert after == before and malformed == 0
