"""The validated-catalog cache (sekisho/catalog/cache.py): a second open of the same catalog does
not validate, returns equal models and known tier, a changed file is seen (never stale), and a
damaged, tampered or foreign entry is ignored and rebuilt — it never runs code or lends another
catalog's entries. The compiled public-suffix rules likewise."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
import pickle
import shutil
from pathlib import Path

import pytest

from sekisho.catalog import bundled_catalog_dir, cache
from sekisho.catalog.validate import validate

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """catalog_ok with the bundled known tier's lists (no owner maps: no operators to name)."""
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    r = tmp_path / "catalog"
    shutil.copytree(DATA / "catalog_ok", r)
    (r / "known").mkdir()
    for gz in sorted((bundled_catalog_dir() / "known").glob("*.json.gz"))[:2]:
        shutil.copy(gz, r / "known" / gz.name)
    return r


def _entry(tmp_path: Path) -> Path:
    entries = list((tmp_path / "cache" / "validated").glob("*.pickle"))
    assert len(entries) == 1, entries
    return entries[0]


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*a: object, **k: object) -> object:
        raise AssertionError("validated again")

    # the module (the package's attribute `validate` is the function)
    monkeypatch.setattr(importlib.import_module("sekisho.catalog.validate"), "validate", fail)


def _same(a: object, b: object) -> None:
    for kind in ("meta", "services", "operators", "laws", "software", "changelog"):
        assert getattr(a, kind) == getattr(b, kind), kind
    ka, kb = a.known, b.known  # type: ignore[attr-defined]
    assert ka.services and ka.services == kb.services
    assert ka.index() == kb.index() and ka.digest == kb.digest and ka.datasets == kb.datasets


def test_second_open_is_not_validated_and_equal(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh, findings = validate(root, today=TODAY, source_kinds=False)
    assert not [f for f in findings if f.severity == "error"]
    cache.validated(root, TODAY)
    _entry(tmp_path)
    _no_validation(monkeypatch)
    hit, hit_findings = cache.validated(root, TODAY)
    assert [str(f) for f in hit_findings] == [str(f) for f in findings]
    _same(hit, fresh)
    assert hit.root == root and hit.service("alpha-ime").name == fresh.service("alpha-ime").name


def test_a_changed_file_is_a_new_key(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.validated(root, TODAY)
    svc = root / "services" / "alpha-ime.yaml"
    svc.write_text(svc.read_text().replace("name: ", "name: Renamed ", 1))
    cat, _ = cache.validated(root, TODAY)
    assert cat.service("alpha-ime").name.startswith("Renamed ")
    # a new day, and the user's own known-tier imports, are new keys too
    assert cache.cache_key(root, TODAY) != cache.cache_key(root, TODAY + dt.timedelta(days=1))
    before = cache.cache_key(root, TODAY)
    user = tmp_path / "cache" / "known"
    user.mkdir(parents=True)
    shutil.copy(next((root / "known").glob("*.json.gz")), user / "mine.json.gz")
    assert cache.cache_key(root, TODAY) != before


def test_a_catalog_with_errors_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    broken = tmp_path / "broken"
    shutil.copytree(DATA / "catalog_broken", broken)
    _, findings = cache.validated(broken, TODAY)
    assert [f for f in findings if f.severity == "error"]
    assert not list((tmp_path / "cache").rglob("*.pickle"))


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "not-a-pickle"])
def test_a_damaged_entry_is_rebuilt(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    fresh, _ = validate(root, today=TODAY, source_kinds=False)
    cache.validated(root, TODAY)
    entry = _entry(tmp_path)
    blob = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flipped":
        i = len(blob) - 100
        entry.write_bytes(blob[:i] + bytes([blob[i] ^ 0xFF]) + blob[i + 1 :])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:
        body = b"garbage"
        entry.write_bytes(cache._MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    cat, _ = cache.validated(root, TODAY)
    _same(cat, fresh)
    _no_validation(monkeypatch)  # and the entry was written again, whole
    _same(cache.validated(root, TODAY)[0], fresh)


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _forge(entry: Path, payload: object) -> None:
    body = pickle.dumps(payload, protocol=5)
    entry.write_bytes(cache._MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def test_a_tampered_entry_runs_no_code(root: Path, tmp_path: Path) -> None:
    fresh, _ = validate(root, today=TODAY, source_kinds=False)
    cache.validated(root, TODAY)
    entry = _entry(tmp_path)
    marker = tmp_path / "pwned"
    _forge(entry, {"key": entry.stem, "meta": _Evil(marker)})  # a checksum that matches
    cat, _ = cache.validated(root, TODAY)
    assert not marker.exists()
    _same(cat, fresh)


def test_an_entry_of_another_catalog_is_rebuilt(root: Path, tmp_path: Path) -> None:
    """A well-formed entry that is not this directory's — another catalog's entry renamed into
    place, or one forged to hold a service this directory lacks — is not used."""
    fresh, _ = validate(root, today=TODAY, source_kinds=False)
    cache.validated(root, TODAY)
    entry = _entry(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(root, other)
    beta = (other / "services" / "beta-chat.yaml").read_text()
    gamma = beta.replace("beta-chat", "gamma-chat").replace("chat.example.net", "gamma.example.net")
    (other / "services" / "gamma-chat.yaml").write_text(
        gamma.replace("beta-cdn.example", "gamma-cdn.example")
    )
    cat_other, _ = cache.validated(other, TODAY)
    assert "gamma-chat" in cat_other.services
    other_entry = (
        tmp_path / "cache" / "validated" / f"{cache.cache_key(other, TODAY, 'source_kinds=False')}.pickle"
    )
    entry.write_bytes(other_entry.read_bytes())  # the other catalog's entry under this one's key
    cat, _ = cache.validated(root, TODAY)
    _same(cat, fresh)
    assert "gamma-chat" not in cat.services
    # forged: this key, but the services of the other directory (a checksum that matches)
    payload = pickle.loads(other_entry.read_bytes().split(b"\n", 2)[2])  # our own entry
    payload["key"] = entry.stem
    body = cache._dumps(payload)
    entry.write_bytes(cache._MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    assert cache.get(entry.stem, root) is None
    _same(cache.validated(root, TODAY)[0], fresh)


def test_psl_rules_compiled_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tldextract.suffix_list

    from sekisho.match import bulk

    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    text = bulk.psl_text()
    built = bulk._psl_rules(text)
    assert cache.compiled("psl-rules", text, bulk._psl_rules) == built
    (entry,) = (tmp_path / "cache" / "compiled").glob("psl-rules-*.marshal")
    blob = entry.read_bytes()

    def fail(text: str) -> object:
        raise AssertionError("compiled again")

    with monkeypatch.context() as m:
        m.setattr(tldextract.suffix_list, "extract_tlds_from_suffix_list", fail)
        assert cache.compiled("psl-rules", text, bulk._psl_rules) == built
    entry.write_bytes(blob[:-10] + b"0123456789")  # damaged: compiled again, not trusted
    assert cache.compiled("psl-rules", text, bulk._psl_rules) == built
    assert entry.read_bytes() == blob
    rules = dict(zip(built[0], built[1], strict=True))
    assert rules["com"] == "normal" and rules["ck"] == "wild" and rules["www.ck"] == "exc"
    assert rules["github.io"] == "normal"  # the private section counts


def test_a_field_the_cache_does_not_carry_turns_it_off(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the catalog or the known tier gain a field, the entry would lose it: then nothing is
    cached (the code digest makes such a change a new key anyway)."""
    catalog_fields, known_fields = cache._SHAPE
    monkeypatch.setattr(cache, "_SHAPE", (catalog_fields, (*known_fields, "vendors")))
    cat, _ = cache.validated(root, TODAY)
    assert cat.services and not list((tmp_path / "cache").rglob("*.pickle"))


def test_the_cached_names_table_is_the_known_tiers_and_a_damaged_one_is_made_again(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh, _ = validate(root, today=TODAY, source_kinds=False)
    cache.validated(root, TODAY)
    hit, _ = cache.validated(root, TODAY)
    want = fresh.known.entries()
    assert want.num_rows > 1000
    assert hit.known.entries().equals(want)  # read from the entry's Arrow stream
    import pyarrow as pa

    other = cache._write_entries(pa.table({"entry": ["x.example"]}))  # a stream, not of the names table
    for damage in (b"not an arrow stream", b"", other):
        again, _ = cache.validated(root, TODAY)
        known = again.known
        assert getattr(known, "_entries_ipc", None)  # the entry holds the stream
        object.__setattr__(known, "_entries_ipc", damage or None)
        assert known.entries().equals(want)  # made again from the services, never half read
