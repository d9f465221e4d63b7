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
    assert engine._wc_newlines(path) == content.count(b"\n")  # wc(1) itself ran
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
    assert engine._wc_newlines(path) is None  # below FAST_COUNT_BYTES: no process started
    assert engine._line_total(path) == 3
