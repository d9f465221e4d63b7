"""A pipe named on the command line (`sekisho scan <(zcat old.log.gz)`, a named pipe) is read like
stdin: spooled once, every line accounted for. It failed with "File or stream is not seekable"
(process substitution), and a second opening of the pipe during the scan found it empty (found by
a QA pass).

Real data: the dnsmasq 2.90 and Squid 5.7 logs of ../shared/corpora, written into named pipes by
the real `cat` and `gzip` programs while `sekisho scan` reads them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import need

DNSMASQ = "dnsmasq/dnsmasq_2.90_log-queries.log"
SQUID = "squid/squid_5.7_access_native.log"


def _sekisho(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from sekisho.cli.main import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_named_pipes_are_read_in_full_like_files(corpora: Path, tmp_path: Path) -> None:
    need(shutil.which("gzip") is not None, "gzip")
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {**os.environ, "TMPDIR": str(spool), "SEKISHO_CACHE": str(tmp_path / "cache")}
    files = _sekisho(
        "scan",
        str(corpora / DNSMASQ),
        str(corpora / SQUID),
        "--db",
        str(tmp_path / "f.duckdb"),
        "--json",
        "--keep-all",
        env=env,
    )
    assert files.returncode == 0, files.stderr
    want = [
        {k: f[k] for k in ("format", "lines", "parsed", "skipped", "malformed")}
        for f in json.loads(files.stdout)["files"]
    ]

    p1, p2 = tmp_path / "dns.pipe", tmp_path / "proxy.pipe"
    os.mkfifo(p1)
    os.mkfifo(p2)
    # the writers block until sekisho opens the pipes; gzip: a compressed stream through a pipe
    with (corpora / DNSMASQ).open("rb") as a, (corpora / SQUID).open("rb") as b:
        writers = [
            subprocess.Popen(["sh", "-c", f"exec gzip -c > {p1}"], stdin=a),
            subprocess.Popen(["sh", "-c", f"exec cat > {p2}"], stdin=b),
        ]
        try:
            piped = _sekisho(
                "scan", str(p1), str(p2), "--db", str(tmp_path / "p.duckdb"), "--json", "--keep-all", env=env
            )
            assert [w.wait(timeout=60) for w in writers] == [0, 0]
        finally:
            for w in writers:
                if w.poll() is None:
                    w.kill()
                    w.wait()
    assert piped.returncode == 0, piped.stderr
    got = json.loads(piped.stdout)["files"]
    assert [f["path"] for f in got] == [str(p1), str(p2)]
    assert [{k: f[k] for k in ("format", "lines", "parsed", "skipped", "malformed")} for f in got] == want
    assert want[0]["parsed"] == 900 and want[1]["parsed"] == 880  # the real logs, not empty reads
    assert list(spool.iterdir()) == []  # the spooled copies are gone when the scan ends
