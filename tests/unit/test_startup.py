"""Start-up: `sekisho --help` loads no part of the library, and `import sekisho` loads nothing until a
name is used (benchmarks/startup.py measures the times; docs/performance.md has them)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

# (pydantic is not here: typer itself imports it to convert options)
HEAVY = ("duckdb", "pyarrow", "ruamel.yaml", "jinja2", "httpx", "fastapi", "weasyprint")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return set(out.split())


def test_help_imports_no_library() -> None:
    loaded = _modules_after(
        "from typer.testing import CliRunner\n"
        "from sekisho.cli.main import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0 and 'scan' in r.output and 'services' in r.output, r.output\n"
        "for sub in (['scan', '--help'], ['report', '--help'], ['watch', '--help'], ['export', '--help']):\n"
        "    r = CliRunner().invoke(app, sub)\n"
        "    assert r.exit_code == 0 and ('--db' in r.output or '--format' in r.output), (sub, r.output)\n"
    )
    assert not [m for m in HEAVY if m in loaded]
    assert not [m for m in loaded if m.startswith(("sekisho.store", "sekisho.ingest", "sekisho.catalog"))]


def test_import_sekisho_is_lazy_and_the_api_is_there() -> None:
    loaded = _modules_after("import sekisho")
    assert not [m for m in (*HEAVY, "pydantic") if m in loaded]
    code = (
        "import sekisho, sekisho.api\n"
        "assert sekisho.scan is sekisho.api.scan and sekisho.scope is sekisho.api.scope\n"
        "from sekisho import Store, open_catalog, findings, assessor_for, SekishoError\n"
        "assert 'scan' in dir(sekisho)\n"
        "try:\n"
        "    sekisho.no_such_name\n"
        "except AttributeError as e:\n"
        "    assert 'no_such_name' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
