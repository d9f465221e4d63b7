"""`sekisho serve` as a user starts it: a real uvicorn process. On a network bind it makes a
token, prints it once, and refuses every request without it."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_network_bind_prints_a_token_and_requires_it(db: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from sekisho.cli.main import main; main()", "serve",
             "--host", "0.0.0.0", "--port", str(port), "--db", str(db)],
            stdout=out, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                first = httpx.get(url + "/services/deepseek", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        printed = log.read_text()
        m = re.search(r"access token \(shown once; keep it\): (\S+)", printed)
        assert m, printed
        token = m.group(1)
        assert printed.count(token) == 1
        assert first.status_code == 401 and "deepseek.com" not in first.text
        ok = httpx.get(url + "/services/deepseek", headers={"authorization": f"Bearer {token}"}, timeout=5)
        assert ok.status_code == 200 and "DeepSeek" in ok.text
        assert "server" not in ok.headers  # no version banner
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
