"""Jupyter probe against a real Jupyter Server (Debian's python3-jupyter-server, run by Debian's
python3), on loopback: no token → a finding; a token → protected."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sekisho.exposure import check
from tests.conftest import need
from tests.exposure.conftest import Audit, Server, free_port

HOST = "127.0.0.1"
PYTHON = "/usr/bin/python3"


def jupyter(servers: list[Server], tmp_path: Path, token: str) -> int:
    has = Path(PYTHON).exists() and subprocess.run([PYTHON, "-c", "import jupyter_server"]).returncode == 0
    need(has, "Jupyter Server for /usr/bin/python3 (apt-get install python3-jupyter-server; .ci/run does)")
    root = tmp_path / "notebooks"
    root.mkdir()
    (root / "patients-2026.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    (root / "notes.txt").write_text("private")
    port = free_port()
    cmd = [
        PYTHON, "-m", "jupyter_server", "--no-browser", f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--ServerApp.token={token}", "--ServerApp.password=", "--allow-root",
        f"--ServerApp.root_dir={root}", f"--ServerApp.runtime_dir={tmp_path / 'rt'}",
    ]  # fmt: skip
    env = {"HOME": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "PATH": "/usr/bin:/bin"}
    servers.append(Server(cmd, ready=r"is running at:", env=env))
    return port


def test_jupyter_without_token_is_a_high_finding(servers, tmp_path, audit: Audit) -> None:
    port = jupyter(servers, tmp_path, "")
    audit.allow(HOST, port)
    (f,) = check([f"{HOST}:{port}"]).findings
    values = f.detail["values"]
    assert (f.kind, f.severity) == ("jupyter_open", "high")
    assert sorted(values["collections"]) == ["notes.txt", "patients-2026.ipynb"] and values["records"] == 2
    assert values["version"].startswith("1.")
    assert all("private" not in (e.response or "") for e in f.evidence)


def test_jupyter_with_token_is_protected(servers, tmp_path, audit: Audit) -> None:
    port = jupyter(servers, tmp_path, "not-guessed-token")
    audit.allow(HOST, port)
    result = check([f"{HOST}:{port}"])
    assert result.findings == []
    assert [(c.status, c.service) for c in result.checked] == [("protected", "jupyter")]
