"""Optional extras: without them the commands that need them fail in one line naming the extra, and the
rest of sekisho never imports them (a plain `pip install sekisho` starts). The real plain install is
proven by scripts/plain_install.sh in .ci/run."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from sekisho.extras import EXTRAS, missing
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("extra", "hidden", "args"),
    [
        ("pdf", "weasyprint", ["report", "--pdf", "{tmp}/r.pdf", "--db", "{db}"]),
        ("web", "fastapi", ["serve", "--port", "1"]),
        ("web", "uvicorn", ["serve"]),
    ],
)
def test_missing_extra_is_one_line_naming_it(
    extra: str, hidden: str, args: list[str], sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, hidden, None)  # import fails, find_spec says "absent"
    assert missing(extra) == [hidden]
    argv = [a.format(tmp=tmp_path, db=sample_db) for a in args]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"pip install 'sekisho[{extra}]'" in lines[0]
    assert hidden in lines[0]
    assert not (tmp_path / "r.pdf").exists()


def test_extras_present_in_dev() -> None:
    for extra in EXTRAS:
        assert missing(extra) == [], f"the dev install lacks the {extra!r} extra"


def test_pyproject_extras_match_and_dev_pulls_them_all() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    assert any(
        req.replace(" ", "").startswith("sekisho[") and all(e in req for e in EXTRAS) for req in extras["dev"]
    )
    runtime = " ".join(project["dependencies"]).lower()
    for name in ("weasyprint", "fastapi", "uvicorn"):
        assert name not in runtime, f"{name} belongs to an extra"
    for name in ("pyyaml", "duckdb", "pydantic", "typer", "rich", "jinja2", "httpx"):
        assert name in runtime


def test_plain_commands_never_import_extras() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from sekisho.cli.main import app\n"
        "for argv in (['--help'], ['services'], ['formats'], ['export', '--list']):\n"
        "    r = CliRunner().invoke(app, argv); assert r.exit_code == 0, (argv, r.output)\n"
        "bad = sorted(m for m in ('weasyprint', 'fastapi', 'uvicorn', 'starlette') if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
