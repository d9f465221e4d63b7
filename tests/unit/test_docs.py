"""Docs are tested: every command, log format and export target is documented."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.main import get_command

from sekisho.cli.main import app
from sekisho.export import TARGETS
from sekisho.ingest import FORMATS

ROOT = Path(__file__).resolve().parents[2]
DOCS = "\n".join(
    p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
)


def commands(group: typer.Typer) -> list[str]:
    out = []
    root = get_command(group)
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out += [f"sekisho {name} {sub}" for sub in subs]
        else:
            out.append(f"sekisho {name}")
    return out


def test_every_command_is_documented() -> None:
    missing = [c for c in commands(app) if c not in DOCS]
    assert missing == []


def test_every_format_is_documented() -> None:
    ingest = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    assert [f for f in FORMATS if f"`{f}`" not in ingest] == []


def test_every_export_target_is_documented() -> None:
    export = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    assert [t for t in TARGETS if f"`{t}`" not in export] == []
