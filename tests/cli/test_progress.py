"""`sekisho scan`'s progress bar moves inside one large file, on a terminal only.

The scan runs as a real process with its stderr on a pseudo-terminal (Python's ``pty``); what rich
draws there is read back and the bytes-done figures it showed are compared."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sekisho.cli.progress import SHOW_FROM_BYTES

ROOT = Path(__file__).resolve().parents[2]
SQUID = ROOT / "samples" / "logs" / "squid" / "access.log"
DONE = re.compile(rb"(\d+\.\d)/(\d+\.\d) MB")  # rich's DownloadColumn: bytes done/total
RATE = re.compile(rb"\d+(?:\.\d+)? [kMG]?B/s")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One plain Squid log of about 120 MB (the bundled sample's lines, a hundred times over)."""
    path = tmp_path_factory.mktemp("progress") / "access.log"
    lines = SQUID.read_bytes()
    with path.open("wb") as f:
        while f.tell() < 2 * SHOW_FROM_BYTES + 20_000_000:
            f.write(lines)
    return path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    return env | {"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}


def _scan_on_terminal(args: list[str], out: Path) -> tuple[int, bytes]:
    """Run ``sekisho scan ARGS`` with stderr on a pseudo-terminal; its exit status and all it drew."""
    master, slave = pty.openpty()
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sekisho", "scan", *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=slave,
            env=_env(),
        )
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return proc.wait(timeout=600), drawn


def test_the_bar_moves_inside_one_large_file(big_log: Path, tmp_path: Path) -> None:
    out = tmp_path / "stdout.txt"
    status, drawn = _scan_on_terminal([str(big_log), "--db", str(tmp_path / "s.duckdb")], out)
    assert status == 0, drawn.decode(errors="replace")
    total_mb = round(big_log.stat().st_size / 1e6, 1)
    shown = [(float(d), float(t)) for d, t in DONE.findall(drawn)]
    assert shown, drawn.decode(errors="replace")
    assert {t for _, t in shown} == {total_mb}
    # One file: before the engine finishes it, the old bar stayed at 0. Now it moves inside it.
    inside = sorted({d for d, _ in shown if 0 < d < total_mb})
    assert len(inside) >= 2, shown
    dones = [d for d, _ in shown]
    assert dones == sorted(dones), "the bar went back"
    assert RATE.search(drawn), drawn.decode(errors="replace")
    assert "Services reached" in out.read_text()


def test_no_terminal_no_bar(big_log: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sekisho", "scan", str(big_log), "--db", str(tmp_path / "s.duckdb")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_env(),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert proc.stdout.strip()


def test_json_output_draws_no_bar_even_on_a_terminal(big_log: Path, tmp_path: Path) -> None:
    out = tmp_path / "stdout.json"
    status, drawn = _scan_on_terminal([str(big_log), "--db", str(tmp_path / "s.duckdb"), "--json"], out)
    assert status == 0, drawn.decode(errors="replace")
    assert drawn == b""
    result = json.loads(out.read_text())
    assert result["files"][0]["lines"] > 0
