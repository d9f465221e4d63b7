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


def test_the_command_table_names_what_each_module_registers() -> None:
    """`sekisho CMD` imports only the module COMMAND_MODULES gives for CMD: the table must say
    exactly what each module registers, and the full app must hold every module's commands."""
    from sekisho.cli.main import COMMAND_MODULES, _new_app

    for module, names in COMMAND_MODULES.items():
        alone = _new_app([module])
        got = [c.name for c in alone.registered_commands] + [g.name for g in alone.registered_groups]
        assert sorted(str(n) for n in got) == sorted(names), module
    assert sorted(str(n) for n in NAMES) == sorted(n for names in COMMAND_MODULES.values() for n in names)


def test_a_command_imports_only_its_own_module() -> None:
    """`sekisho watch` does not import the other commands' modules, nor rich or PyYAML (a watcher
    writes its lines itself and reads its catalog and messages from the caches)."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from sekisho.cli.main import _one_command\n"
        "_one_command(['watch'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('sekisho.cli.') or m in ('rich', 'yaml'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert {"sekisho.cli.watch_cmd", "sekisho.cli.alerts_cmd"} <= loaded
    assert not loaded & {
        "sekisho.cli.audit_cmd",
        "sekisho.cli.report_cmd",
        "sekisho.cli.web_cmd",
        "rich",
        "yaml",
    }
