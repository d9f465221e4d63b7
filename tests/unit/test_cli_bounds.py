"""Counts given on the command line are checked before any work: a negative `scan --unknown` or
`alerts --limit` reached DuckDB as `LIMIT -5` and ended in a traceback — after the scan (found by a
QA pass). Real data: the dnsmasq 2.90 log of ../shared/corpora."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app

DNSMASQ = "dnsmasq/dnsmasq_2.90_log-queries.log"


@pytest.mark.parametrize(
    "args",
    [["scan", "__LOG__", "--unknown", "-5"], ["alerts", "--limit", "-1"]],
)
def test_a_negative_count_is_refused_before_anything_is_read(
    corpora: Path, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "s.duckdb"
    argv = [str(corpora / DNSMASQ) if a == "__LOG__" else a for a in args]
    run = CliRunner().invoke(app, [*argv, "--db", str(db)])
    assert run.exit_code == 2, run.output
    # typer 0.29 words it through pydantic, earlier ones through click
    assert re.search(r"greater than or equal to 0|not in the range x>=0", " ".join(run.output.split())), (
        run.output
    )
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert not db.exists()  # refused before the store was opened or the log read


def test_zero_unknown_destinations_lists_none_but_scans(corpora: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    run = CliRunner().invoke(
        app, ["scan", str(corpora / DNSMASQ), "--db", str(db), "--unknown", "0", "--json"]
    )
    assert run.exit_code == 0, run.output
    assert '"unknown": []' in run.output
    assert db.exists()
