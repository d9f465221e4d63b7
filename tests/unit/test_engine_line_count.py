"""The engine's line count (what proves no line was lost): ``wc -l`` for a large file and the
Python loop agree on every shape of file the reader meets — blank lines, a last line without a
newline, a byte order mark alone or before text, carriage returns, long lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sekisho.ingest import duckdb_engine as engine

BOM = b"\xef\xbb\xbf"
SHAPES = [
    b"",
    b"\n",
    b"\n\n\n",
    b"a",
    b"a\nb",
    b"a\nb\n",
    BOM,
    BOM + b"\n",
    BOM + b"a",
    b"\xef\xbb",  # not a byte order mark: text
    b"\xef\xbb\xbf\xef\xbb\xbf",  # only the first is one
    b"a\r\nb\r\n",
    b"a\rb",
    b"x" * 3_000_000 + b"\nshort\n" + b"y" * 10,
]


@pytest.mark.skipif(engine._WC is None, reason="no wc(1) on this system")
@pytest.mark.parametrize("content", SHAPES, ids=range(len(SHAPES)))
def test_wc_and_python_count_the_same_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    path = tmp_path / "f.log"
    path.write_bytes(content)
    in_python = engine._line_scan(path)[0]
    monkeypatch.setattr(engine, "FAST_COUNT_BYTES", 0)
    count = engine.NewlineCount.start(path)
    assert count is not None and count.result() == content.count(b"\n")  # wc(1) itself ran
    assert engine._line_total(path) == in_python


@pytest.mark.skipif(engine._WC is None, reason="no wc(1) on this system")
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([b"", b"a", b"\n", b"\r", b" ", BOM, b"{}", b"\t"]), max_size=30))
def test_any_file_same_count(parts: list[bytes]) -> None:
    import tempfile

    content = b"".join(parts)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.log"
        path.write_bytes(content)
        in_python = engine._line_scan(path)[0]
        old = engine.FAST_COUNT_BYTES
        engine.FAST_COUNT_BYTES = 0
        try:
            assert engine._line_total(path) == in_python
        finally:
            engine.FAST_COUNT_BYTES = old


def test_small_files_are_counted_in_python(tmp_path: Path) -> None:
    path = tmp_path / "f.log"
    path.write_bytes(b"a\n\nb")
    assert engine.NewlineCount.start(path) is None  # below FAST_COUNT_BYTES: no process started
    assert engine._line_total(path) == 3


@pytest.mark.skipif(engine._WC is None, reason="no wc(1) on this system")
def test_a_count_started_before_it_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine starts wc(1) while it reads the file; the count it gets afterwards is that
    process's, asked as often as the engine asks (the JSON reader's two attempts), and a count
    nobody asked for is stopped and reaped."""
    path = tmp_path / "f.log"
    content = b"a\n" * 50_000 + b"no newline"
    path.write_bytes(content)
    monkeypatch.setattr(engine, "FAST_COUNT_BYTES", 0)
    count = engine.NewlineCount.start(path)
    assert count is not None
    assert engine._line_total(path, None, count) == 50_001
    assert count.result() == 50_000  # asked again: the same process's answer
    assert count.proc.returncode == 0
    unasked = engine.NewlineCount.start(path)
    assert unasked is not None
    unasked.close()
    assert unasked.proc.returncode is not None  # reaped: no process left behind
    monkeypatch.setattr(engine, "FAST_COUNT_BYTES", len(content) + 1)
    assert engine.NewlineCount.start(path) is None  # a small file: counted in Python


@pytest.mark.skipif(engine._WC is None, reason="no wc(1) on this system")
def test_the_engine_reads_with_the_count_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan of a file the reader loses a line of (longer than its buffer) still counts that
    line, through the count started with the read: every line is accounted for."""
    import datetime as dt

    import duckdb

    from sekisho.ingest import get_format
    from sekisho.ingest.accounting import FileAccount

    started: list[Path] = []
    real_start = engine.NewlineCount.start

    def spy(path: Path) -> engine.NewlineCount | None:
        started.append(path)
        return real_start(path)

    monkeypatch.setattr(engine, "FAST_COUNT_BYTES", 0)
    monkeypatch.setattr(engine.NewlineCount, "start", staticmethod(spy))
    line = "Nov 23 18:00:{s:02d} dnsmasq[15339]: query[A] host{i}.example.com from 10.0.0.{c}\n"
    lines = [line.format(s=i % 60, i=i, c=i % 9 + 1) for i in range(300)]
    path = tmp_path / "dns.log"
    path.write_text("".join(lines[:150]) + "x" * (engine.MAX_LINE_BYTES + 10) + "\n" + "".join(lines[150:]))
    con = duckdb.connect()
    account = FileAccount(str(path), "dnsmasq")
    engine.scan_file(con, get_format("dnsmasq"), path, "none", dt.datetime(2026, 11, 30), account)
    assert started and started[0] == path  # started by the engine, before it needed the count
    assert account.lines == 301
    assert account.parsed == 300
    assert account.malformed == 1


@pytest.mark.skipif(engine._WC is None, reason="no wc(1) on this system")
def test_a_group_of_many_files_starts_few_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files read in one pass: at most COUNTS_AHEAD counts run beside the read (a directory of a
    thousand large logs must not start a thousand processes); the others are counted after it,
    and every file's lines are accounted for."""
    import datetime as dt

    import duckdb

    from sekisho.ingest import get_format
    from sekisho.ingest.accounting import FileAccount

    started: list[Path] = []
    real_start = engine.NewlineCount.start

    def spy(path: Path) -> engine.NewlineCount | None:
        started.append(path)
        return real_start(path)

    before_read: list[int] = []
    real_scan = engine._scan_locked

    def scan(*args: object, **kwargs: object) -> None:
        before_read.append(len(started))
        real_scan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "FAST_COUNT_BYTES", 0)
    monkeypatch.setattr(engine.NewlineCount, "start", staticmethod(spy))
    monkeypatch.setattr(engine, "_scan_locked", scan)
    line = "Nov 23 18:00:{s:02d} dnsmasq[15339]: query[A] host{i}.example.com from 10.0.0.{c}\n"
    parts = []
    for n in range(engine.COUNTS_AHEAD + 3):
        path = tmp_path / f"dns-{n}.log"
        path.write_text("".join(line.format(s=i % 60, i=i, c=n + 1) for i in range(50 + n)))
        parts.append(engine.Part(path, dt.datetime(2026, 11, 30), FileAccount(str(path), "dnsmasq")))
    engine.scan_files(duckdb.connect(), get_format("dnsmasq"), parts, "none")
    assert before_read and before_read[0] == engine.COUNTS_AHEAD
    assert sorted(started, key=str) == sorted((p.path for p in parts), key=str)  # each counted once
    assert [p.account.lines for p in parts] == [50 + n for n in range(len(parts))]
    assert all(p.account.parsed == p.account.lines for p in parts)
