"""CLI polish (issue 13 item 6): help shows what to type (PATH, N, ja|en), never Python types;
unknown ids and formats get a "did you mean"; an output that cannot be written is one clear line
before any work, never a traceback; scan, scope and alerts speak Japanese with --lang ja."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.errors import did_you_mean
from tests.conftest import ROOT

PYTHON_TYPE = re.compile(r"<(bool|str|int|float|path|list\[[a-z]+\])>")


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    out: list[list[str]] = [[]]

    def walk(cmd: object, path: list[str]) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            out.append([*path, name])
            walk(sub, [*path, name])

    walk(root, [])
    return out


def test_help_shows_no_python_types() -> None:
    runner = CliRunner()
    commands = _commands()
    assert len(commands) > 20
    for path in commands:
        res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0, (path, res.output)
        found = PYTHON_TYPE.findall(res.output)
        assert not found, f"sekisho {' '.join(path)} --help shows {found}"
    scan = runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "200"}).output
    assert re.search(r"--db\s+PATH", scan) and re.search(r"--unknown\s+N", scan)
    assert re.search(r"--lang\s+ja\|en", scan)


def test_did_you_mean() -> None:
    assert did_you_mean("deepsek", ["deepseek", "zoom"]) == " — did you mean 'deepseek'?"
    assert "'baidu-ime'" in did_you_mean("ime", ["baidu-ime", "zoom"])
    assert did_you_mean("qqqqqq", ["deepseek"]) == ""
    runner = CliRunner()
    show = runner.invoke(app, ["show", "deepsek"])
    assert show.exit_code == 1 and "did you mean 'deepseek'" in show.output
    scan = runner.invoke(app, ["scan", "--format", "squid-combine", str(ROOT / "samples")])
    assert scan.exit_code == 1 and "did you mean 'squid-combined'" in scan.output
    export = runner.invoke(app, ["export", "--format", "unbond", "--policy", "level0"])
    assert export.exit_code == 1 and "did you mean 'unbound'" in export.output


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["report", "--html", "{tmp}/missing/dir/r.html"], "does not exist"),
        (["report", "--pdf", "{tmp}"], "is a directory"),
        (
            ["export", "--format", "unbound", "--policy", "level0", "-o", "{tmp}/nope/x.conf"],
            "does not exist",
        ),
    ],
)
def test_unwritable_output_is_one_clear_line(tmp_path: Path, args: list[str], why: str) -> None:
    res = CliRunner().invoke(app, [a.format(tmp=tmp_path) for a in args] + ["--db", str(tmp_path / "s.duckdb")]
                             if args[0] == "report" else [a.format(tmp=tmp_path) for a in args])  # fmt: skip
    assert res.exit_code == 1
    assert ("Traceback" not in res.output and res.exception is None) or isinstance(res.exception, SystemExit)
    assert f"cannot write {tmp_path}" in res.output and why in res.output


def test_scan_scope_alerts_in_japanese(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    wide = {"COLUMNS": "200"}
    scan = runner.invoke(
        app, ["scan", str(ROOT / "samples" / "logs" / "squid"), "--db", db, "--lang", "ja"], env=wide
    )
    assert scan.exit_code == 0, scan.output
    assert "接続したサービス" in scan.output and "入力ファイルの処理結果" in scan.output
    # the organisation's zone, shown (a narrow terminal may wrap the cell between date and time)
    assert re.search(r"\d{4}-\d\d-\d\d", scan.output) and re.search(r"\d\d:\d\d\s*JST", scan.output)
    assert re.search(r"\d,\d{3}", scan.output)  # separators
    scope = runner.invoke(app, ["scope", "zoom", "--db", db, "--lang", "ja"], env=wide)
    assert scope.exit_code == 0 and "端末" in scope.output and "初回" in scope.output
    alerts = runner.invoke(app, ["alerts", "--db", db, "--lang", "ja"])
    assert alerts.exit_code == 0 and "未確認のアラートはありません" in alerts.output


def test_policy_show_and_why_in_japanese() -> None:
    runner = CliRunner()
    show = runner.invoke(
        app, ["policy", "show", "--policy", "level0", "--lang", "ja"], env={"COLUMNS": "200"}
    )
    assert show.exit_code == 0, show.output
    assert "ポリシー level0" in show.output and "遮断するサービス" in show.output
    assert re.search(r"^遮断\s+deepseek", show.output, re.M)
    why = runner.invoke(app, ["policy", "why", "chat.deepseek.com", "--policy", "level0", "--lang", "ja"])
    assert why.exit_code == 0 and "遮断される" in why.output and "サービス deepseek の名前" in why.output
    en = runner.invoke(app, ["policy", "why", "chat.deepseek.com", "--policy", "level0"])
    assert "BLOCKED by policy level0" in en.output


def test_show_in_japanese_has_no_raw_values() -> None:
    """`sekisho show ID --lang ja`: yes/no for booleans, country names, the category label."""
    out = CliRunner().invoke(app, ["show", "zoom", "--lang", "ja"], env={"COLUMNS": "200"}).output
    # a claim's statement is the catalog's own text, quoted as it is
    rendered = "\n".join(line for line in out.splitlines() if "主張（未検証）" not in line)
    assert not re.search(r"\b(True|False|None)\b", rendered)
    assert "アメリカ合衆国" in out and "中国" in out and "Web会議" in out
    assert not re.search(r"\((US|CN)\)", out)
