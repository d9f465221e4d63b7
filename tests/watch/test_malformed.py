"""`sekisho watch` says which lines it could not read, with file:line and reason — as `sekisho
scan` does — instead of counting them in the store without a word (found by a QA pass: a
malformed line in a followed log was never mentioned on the terminal).

Real lines: dnsmasq 2.90's own query log from ../shared/corpora, copied into tmp_path; the hostile
lines are written by the test (a name with brackets, a name with an escape sequence).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import DNSMASQ, in_process_watcher, new_db

pytestmark = pytest.mark.realworld

BAD_NAME = b"Nov 23 18:41:53 dnsmasq[1]: query[A] www.evil[/].com from 10.0.0.5\n"
BAD_CONTROL = b"Nov 23 18:41:54 dnsmasq[1]: query[A] a\x1b[31mred.com from 10.0.0.6\n"
GOOD = b"Nov 23 18:41:55 dnsmasq[1]: query[A] chat.deepseek.com from 10.0.0.7\n"


def test_malformed_lines_of_a_followed_log_are_said_with_file_line_and_reason(
    corpora: Path, tmp_path: Path
) -> None:
    log = tmp_path / "dnsmasq.log"
    shutil.copyfile(corpora / DNSMASQ, log)
    real_lines = len(log.read_bytes().splitlines())
    said: list[str] = []
    w = in_process_watcher(log, new_db(tmp_path / "w.duckdb"), tmp_path, said)
    try:
        w.poll()
        assert not [s for s in said if s.startswith("malformed:")]  # the real log reads cleanly
        with log.open("ab") as f:  # the log grows by two bad lines and one good one
            f.write(BAD_NAME + BAD_CONTROL + GOOD)
        second = w.poll()
    finally:
        w.close()
    assert second.lines == 3
    assert f"malformed: {log}: 2 line(s) could not be read as dnsmasq" in said
    samples = [s.strip() for s in said if s.startswith("  ")]
    # line numbers count from the start of the file, not of the batch
    assert samples[0].startswith(f"{log}:{real_lines + 1}: not a DNS name")
    assert samples[1].startswith(f"{log}:{real_lines + 2}: control character in the name")
    assert len(samples) == 2
