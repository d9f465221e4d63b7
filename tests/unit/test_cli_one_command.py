"""`sekisho CMD …` runs an app holding only CMD (sekisho.cli.main._one_command: typer builds every
command's parameters before it runs one). Its help, its parsing errors and its work must be those
of the full app, for every command and command group; anything that is not a command name first
(a root option, --help, a typo) gets the full app."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import _one_command, app

NAMES = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]


def test_every_command_and_group_is_reachable_alone() -> None:
    assert len(NAMES) >= 15 and None not in NAMES
    for name in NAMES:
        one = _one_command([str(name), "--help"])
        assert one is not None, name


@pytest.mark.parametrize("name", NAMES)
def test_help_and_parse_errors_are_the_full_apps(name: str) -> None:
    runner = CliRunner()
    one = _one_command([str(name)])
    assert one is not None
    for argv in ([name, "--help"], [name, "--no-such-option"]):
        full = runner.invoke(app, argv, env={"COLUMNS": "120"})
        alone = runner.invoke(one, argv, env={"COLUMNS": "120"})
        assert (alone.exit_code, alone.output) == (full.exit_code, full.output), argv


def test_root_options_help_and_typos_get_the_full_app() -> None:
    for argv in ([], ["--help"], ["--wait", "5", "scan"], ["wach"], ["-h"]):
        assert _one_command(argv) is None, argv


def test_a_command_does_its_work_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    one = _one_command(["services"])
    assert one is not None
    full = runner.invoke(app, ["services", "--json"])
    alone = runner.invoke(one, ["services", "--json"])
    assert alone.exit_code == 0 and alone.output == full.output and '"deepseek"' in alone.output
    groups = _one_command(["catalog"])
    assert groups is not None
    assert (
        runner.invoke(groups, ["catalog", "stats", "--json"]).output
        == runner.invoke(app, ["catalog", "stats", "--json"]).output
    )
