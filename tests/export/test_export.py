"""The export registry, the header every file carries, determinism, and the CLI commands."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.export import TARGETS, export, generation_time
from sekisho.policy import Plan, plan_for
from tests.conftest import ROOT
from tests.export.conftest import GENERATED

runner = CliRunner()


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_every_export_has_a_header_and_counts(fmt: str, plan: Plan) -> None:
    result = export(plan, fmt, GENERATED)
    assert result.size == len(result.data) > 0 and result.entries > 0
    cls = TARGETS[fmt]
    if cls.comment is None:  # JSON has no comments: nothing but the policy itself
        assert result.data.startswith(b"{")
        return
    head = [line for line in result.data.decode().splitlines() if line.startswith(cls.comment)]
    text = "\n".join(head)
    assert f"format {fmt}" in text
    assert "catalog test-1 (2026-01-01)" in text
    assert "policy test-org (sha256:" in text
    assert "generated 2026-01-02T03:04:05Z" in text
    assert f"{result.entries} entries for 1 blocked service(s)" in text
    assert result.data.decode().startswith(cls.comment)


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_same_inputs_same_bytes(fmt: str, catalog: Path, policy_file: Path) -> None:
    a = export(plan_for(policy_file, catalog, today=GENERATED.date()), fmt, GENERATED).data
    b = export(plan_for(policy_file, catalog, today=GENERATED.date()), fmt, GENERATED).data
    assert a == b


def test_generation_time_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767323045")
    assert generation_time() == GENERATED
    assert generation_time("2026-01-02T12:04:05+09:00") == GENERATED
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert generation_time().year >= 2026


def test_cli_export_is_reproducible_with_source_date_epoch(
    tmp_path: Path, catalog: Path, policy_file: Path
) -> None:
    env = {"SOURCE_DATE_EPOCH": "1767323045"}
    outs = []
    for i in range(2):
        out = tmp_path / f"{i}.conf"
        r = runner.invoke(
            app,
            ["export", "-f", "unbound", "-p", str(policy_file), "--catalog", str(catalog), "-o", str(out)],
            env=env,
        )
        assert r.exit_code == 0, r.output
        assert re.search(r"unbound: \d+ entries, \d+ bytes → ", r.output)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b"generated 2026-01-02T03:04:05Z" in outs[0]
    assert hashlib.sha256(outs[0]).hexdigest() == hashlib.sha256(outs[1]).hexdigest()


def test_cli_failure_leaves_the_existing_file_alone(tmp_path: Path, catalog: Path, policy_file: Path) -> None:
    out = tmp_path / "blocklist.conf"
    out.write_text("previous good list\n")
    r = runner.invoke(
        app,
        [
            "export",
            "-f",
            "unbound",
            "-p",
            str(policy_file),
            "--catalog",
            str(catalog),
            "--group",
            "sales",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 1
    assert "no client group 'sales'" in r.output and "Traceback" not in r.output
    assert out.read_text() == "previous good list\n"
    r = runner.invoke(app, ["export", "-f", "nosuch", "--catalog", str(catalog), "-o", str(out)])
    assert r.exit_code == 1 and "unknown export format 'nosuch'" in r.output
    assert out.read_text() == "previous good list\n"
    assert list(tmp_path.glob(".blocklist.conf.*")) == []  # no temp file left behind


def test_cli_export_to_stdout_and_list(catalog: Path) -> None:
    r = runner.invoke(app, ["export", "-f", "hosts", "--catalog", str(catalog)])
    assert r.exit_code == 0
    assert "0.0.0.0 alpha-ime.example" in r.output
    r = runner.invoke(app, ["export", "--list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    for name in TARGETS:
        assert name in r.output


def test_cli_policy_show_and_why(catalog: Path, policy_file: Path) -> None:
    r = runner.invoke(
        app, ["policy", "show", "-p", str(policy_file), "--catalog", str(catalog)], env={"COLUMNS": "300"}
    )
    assert r.exit_code == 0, r.output
    assert "BLOCK alpha-ime" in r.output and "preset level0" in r.output
    assert "blocked-parent.example (domain rule)" in r.output
    assert "client group research (127.0.0.2/32)" in r.output
    r = runner.invoke(
        app,
        ["policy", "why", "www.alpha-ime.example", "-p", str(policy_file), "--catalog", str(catalog)],
        env={"COLUMNS": "300"},
    )
    assert r.exit_code == 0, r.output
    assert "www.alpha-ime.example: BLOCKED" in r.output
    assert "belongs to service alpha-ime (matched on alpha-ime.example)" in r.output
    assert "preset level0: safety level 0" in r.output
    assert "[https://example.org/xa-law, 2020-01-01]" in r.output  # the fact's source is shown
    r = runner.invoke(
        app,
        [
            "policy",
            "why",
            "deep.ok.alpha-ime.example",
            "-p",
            str(policy_file),
            "--catalog",
            str(catalog),
            "--json",
        ],
    )
    assert r.exit_code == 0
    assert '"blocked": false' in r.output and '"entry": "ok.alpha-ime.example"' in r.output


def test_docs_describe_every_target() -> None:
    docs = (ROOT / "docs" / "export.md").read_text()
    for name in TARGETS:
        assert f"`{name}`" in docs, f"docs/export.md does not describe the {name} target"
    for command in ("sekisho export", "sekisho policy show", "sekisho policy why", "SOURCE_DATE_EPOCH"):
        assert command in docs
