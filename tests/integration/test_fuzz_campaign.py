"""Fuzz campaign over the whole scan (issue 10): random Zeek header field names and random lines
for every text format go through ``sekisho.api.scan`` into a real store. No exception but
sekisho's own clear errors escapes, every line is accounted for, and no file is created or changed
outside the test's temporary directory — watched by a ``sys.addaudithook`` on Python's file events
(DuckDB's own file access is confined by the engine's external-access setting, tested in
test_hostile_inputs.py).

Bounded: a fixed seed (so CI repeats a known campaign) plus one random seed, printed, so a failure
can be replayed with ``SEKISHO_FUZZ_SEED=<seed>``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from sekisho import api
from sekisho.errors import SekishoError
from sekisho.ingest import FORMATS
from sekisho.ingest.base import Format

RANDOM_SEED = int(os.environ.get("SEKISHO_FUZZ_SEED") or random.randrange(2**32))
SEEDS = [20261201, RANDOM_SEED]
CAMPAIGN = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TEXT_FORMATS = sorted(n for n, cls in FORMATS.items() if cls.text and n != "csv")

# While sekisho scans, writes outside these directories are a failure.
_allowed: list[Path] = []
_watching = False
_violations: list[str] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _watching:
        return
    path: Any = None
    if event == "open" and len(args) >= 3:
        target, mode, flags = args[0], args[1], args[2]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        path = target if writes else None
    elif event in (
        "os.remove",
        "os.rename",
        "os.mkdir",
        "os.rmdir",
        "os.truncate",
        "os.chmod",
        "shutil.copyfile",
    ):
        path = args[0]
    if path is None or isinstance(path, int):
        return
    p = Path(os.fsdecode(path)).absolute()
    if not any(p.is_relative_to(a) for a in _allowed):
        _violations.append(f"{event} {p}")


sys.addaudithook(_audit)


@pytest.fixture
def confined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Temporary files go to tmp_path, and any write elsewhere is recorded as a violation."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))  # the catalog caches write there
    _violations.clear()
    _allowed[:] = [tmp_path.absolute(), tmp_path.resolve()]
    try:
        yield tmp_path
    finally:
        _allowed.clear()
    assert not _violations, _violations


def _scan(path: Path, db: Path, fmt: str | None = None) -> dict[str, Any] | None:
    global _watching
    _watching = True
    try:
        return api.scan([str(path)], db=db, format_name=fmt)
    except SekishoError:
        return None  # a clear error naming the file is an acceptable answer to garbage
    finally:
        _watching = False


def _accounted(result: dict[str, Any] | None) -> None:
    if result is None:
        return
    for f in result["files"]:
        if not str(f.get("note") or "").startswith("not read"):
            assert f["lines"] == f["parsed"] + f["skipped"] + f["malformed"], f


FIELD_NAME = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\t\n\r"), min_size=1, max_size=40
) | st.sampled_from(
    ['ts"', 'query"; DROP TABLE observations; --', "x' OR '1'='1", "\x00", "read_text('/etc/passwd')"]
)
ZEEK_FIELDS = ["ts", "uid", "id.orig_h", "query", "answers", "rcode_name"]


@pytest.mark.parametrize("campaign_seed", SEEDS, ids=["fixed", f"random-{RANDOM_SEED}"])
def test_random_zeek_header_names(confined: Path, campaign_seed: int) -> None:
    print(f"fuzz seed {campaign_seed} (replay: SEKISHO_FUZZ_SEED={campaign_seed})")
    db = confined / "store.duckdb"
    counter = iter(range(10**9))

    @seed(campaign_seed)
    @CAMPAIGN
    @given(extra=st.lists(FIELD_NAME, min_size=1, max_size=6), at=st.integers(0, len(ZEEK_FIELDS)))
    def run(extra: list[str], at: int) -> None:
        fields = ZEEK_FIELDS[:at] + extra + ZEEK_FIELDS[at:]
        n = next(counter)
        rows = [
            "\t".join(
                {"ts": f"{1795950000 + n}.5", "query": f"q{n}.example.com", "id.orig_h": "10.9.0.1"}.get(
                    f, "-"
                )
                for f in fields
            )
            for _ in range(3)
        ]
        log = confined / f"dns{n}.log"
        log.write_text(
            "#separator \\x09\n#path\tdns\n#fields\t"
            + "\t".join(fields)
            + "\n#types\t"
            + "\t".join("string" for _ in fields)
            + "\n"
            + "\n".join(rows)
            + "\n",
            encoding="utf-8",
            errors="surrogateescape",
        )
        result = _scan(log, db)
        _accounted(result)
        if result is not None and not set(ZEEK_FIELDS) & set(extra):
            assert result["files"][0]["parsed"] == 3, result["files"][0]

    run()


LINE = st.binary(max_size=120) | st.text(max_size=120).map(lambda s: s.encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_random_lines_for_every_format(confined: Path, fmt: str) -> None:
    print(f"fuzz seed {RANDOM_SEED} (replay: SEKISHO_FUZZ_SEED={RANDOM_SEED})")
    db = confined / "store.duckdb"
    counter = iter(range(10**9))
    cls: type[Format] = FORMATS[fmt]
    assert cls.text

    @seed(RANDOM_SEED)
    @settings(CAMPAIGN, max_examples=12)
    @given(lines=st.lists(LINE, min_size=1, max_size=8))
    def run(lines: list[bytes]) -> None:
        log = confined / f"{fmt}{next(counter)}.log"
        log.write_bytes(b"\n".join(lines) + b"\n")
        _accounted(_scan(log, db, fmt))

    run()
