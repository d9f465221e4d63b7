"""A file sekisho does not recognise is described by its shape; a pretty-printed JSON document
(first line `{`) was called "1 bytes of JSON", which does not tell the user that JSON logs must
hold one object a line (found by a QA pass on the corpora's ground-truth files).

Real data: a ground-truth JSON document and the Squid access log of ../shared/corpora.
"""

from __future__ import annotations

from pathlib import Path

from sekisho import api
from sekisho.ingest import _shape
from tests.conftest import DATA

DOC = "squid/squid_5.7_access_native.groundtruth.json"


def test_a_pretty_printed_json_document_is_named_as_such(corpora: Path, tmp_path: Path) -> None:
    doc = corpora / DOC
    assert doc.read_text().splitlines()[0].strip() == "{"  # the shape under test
    # scanned within a directory, a file that is not read is noted and the others are read
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.json").write_bytes(doc.read_bytes())
    (logs / "b.log").write_bytes((corpora / "squid/squid_5.7_access_native.log").read_bytes())
    files = api.scan([str(logs)], tmp_path / "s.duckdb", DATA / "catalog_ok")["files"]
    note = files[0]["note"]
    assert "a JSON document spread over many lines, not one JSON object a line" in note
    assert "bytes of JSON" not in note
    assert files[1]["parsed"] == 880


def test_one_byte_is_singular() -> None:
    assert _shape("x\n", 3) == "first line is 1 byte of text of 1 word matching no known format; 3 lines read"
    assert _shape("xy\n", 1).startswith("first line is 2 bytes of")
