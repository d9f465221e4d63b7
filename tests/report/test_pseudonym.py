"""--pseudonymize: no client address in any output, the same pseudonym in every report made with
the same key, a key file only its owner can read, and the key itself never in a report."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.assess import Assessor
from sekisho.cli.main import app
from sekisho.errors import ConfigError
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.report.pseudonym import Pseudonymizer, load_key
from sekisho.report.tabular import render_csv, render_json
from sekisho.store import Store

ADDRESS = re.compile(r"\b10\.20\.0\.\d{1,3}\b")
runner = CliRunner()


def test_key_is_made_once_with_mode_0600(key_file: Path) -> None:
    assert not key_file.exists()
    key = load_key()
    assert len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_key() == key  # stable: read back, not remade


def test_a_readable_key_is_tightened_and_a_broken_one_refused(key_file: Path) -> None:
    load_key()
    key_file.chmod(0o644)
    load_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.write_text("not a key\n")
    with pytest.raises(ConfigError, match="64 hex digits"):
        load_key()


def test_pseudonyms_are_keyed_and_stable() -> None:
    a, b = Pseudonymizer(b"k" * 32), Pseudonymizer(b"j" * 32)
    assert a.client("10.20.0.5") == Pseudonymizer(b"k" * 32).client("10.20.0.5")
    assert a.client("10.20.0.5") != a.client("10.20.0.6")
    assert a.client("10.20.0.5") != b.client("10.20.0.5")
    assert a.client("tanaka") != a.user("tanaka")  # kinds are kept apart
    assert re.fullmatch(r"client-[0-9a-f]{12}", a.client("10.20.0.5"))
    assert "k" * 8 not in repr(a)


def test_no_address_or_key_in_any_output(store: Store, assessor: Assessor, key_file: Path) -> None:
    pseudo = Pseudonymizer.from_file()
    key_hex = key_file.read_text().strip()
    r = build_report(store, assessor, "ja", pseudo)
    assert r["pseudonymized"]
    outputs = [render_json(r), render_html(r), *(render_csv(r, t) for t in ("scope", "files", "services"))]
    for out in outputs:
        assert not ADDRESS.search(out)
        assert key_hex not in out and key_hex[:16] not in out
    # paths keep only the file name
    files = [f["path"] for scan in r["scans"] for f in scan["files"]]
    assert files and all("/" not in p for p in files)
    # the same machine gets the same pseudonym in a second report
    again = build_report(store, assessor, "en", Pseudonymizer.from_file())
    first = {s["id"]: [c["client"] for c in s["scope"]] for s in r["services"]}
    assert first == {s["id"]: [c["client"] for c in s["scope"]] for s in again["services"]}
    plain = {
        s["id"]: [c["client"] for c in s["scope"]] for s in build_report(store, assessor, "en")["services"]
    }
    assert first["baidu-ime"] == [pseudo.client(c) for c in plain["baidu-ime"]]


def test_cli_writes_every_format(sample_db: Path, tmp_path: Path, key_file: Path) -> None:
    html, js, cs = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "scope.csv"
    result = runner.invoke(
        app,
        ["report", "--html", str(html), "--json", str(js), "--csv", str(cs), "--csv-table", "scope",
         "--lang", "ja", "--pseudonymize", "--db", str(sample_db)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "データの行き先" in html.read_text(encoding="utf-8")
    assert json.loads(js.read_text(encoding="utf-8"))["pseudonymized"] is True
    assert cs.read_text(encoding="utf-8").startswith("service,safety_level,client,")
    for f in (html, js, cs):
        assert not ADDRESS.search(f.read_text(encoding="utf-8"))
    assert key_file.exists()


def test_cli_terminal_and_bad_options(sample_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(sample_db)])
    assert result.exit_code == 0 and "Recommended response" in result.stdout
    bad = runner.invoke(app, ["report", "--csv", "-", "--csv-table", "nope", "--db", str(sample_db)])
    assert bad.exit_code == 1 and "unknown CSV table" in bad.stderr
    missing = runner.invoke(
        app, ["report", "--html", str(tmp_path / "x.html"), "--db", str(tmp_path / "none.duckdb")]
    )
    assert missing.exit_code == 1 and "no database yet" in missing.stderr
