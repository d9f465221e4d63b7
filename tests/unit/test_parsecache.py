"""The parsed-YAML cache: a second read of the same text does not parse, a changed text is parsed
again (never stale), a damaged entry is parsed again, and an unwritable cache is no error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sekisho import parsecache
from sekisho.catalog.loader import read_yaml


def test_same_text_is_not_parsed_twice_and_a_change_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    f = tmp_path / "svc.yaml"
    f.write_text("id: svc\nname: Service\nlevels: {0: none, 1: low}\nas_of: 2026-11-23\n")
    first = read_yaml(f).data
    assert first == {"id": "svc", "name": "Service", "levels": {0: "none", 1: "low"}, "as_of": "2026-11-23"}

    def no_parse(*a: object, **k: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml, "load", no_parse)
    assert read_yaml(f).data == first  # from the cache, int keys and dates-as-text intact
    monkeypatch.undo()
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    f.write_text("id: svc\nname: Renamed\n")
    assert read_yaml(f).data == {"id": "svc", "name": "Renamed"}


def test_damaged_entries_and_unwritable_caches_fall_back_to_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    text = "id: a\n"
    parsecache.put(text, {"id": "a"})
    entry = next((tmp_path / "cache" / "parsed").rglob("*.marshal"))
    entry.write_bytes(b"\x00garbage")
    assert parsecache.get(text) is parsecache.MISSING
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SEKISHO_CACHE", str(blocker))  # a file where the directory should be
    parsecache.put(text, {"id": "a"})  # no error
    f = tmp_path / "a.yaml"
    f.write_text(text)
    assert read_yaml(f).data == {"id": "a"}


def test_the_kinds_of_reading_are_kept_apart_and_messages_come_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEKISHO_CACHE", str(tmp_path / "cache"))
    text = "a: no\nb: 1\n"
    parsecache.put(text, {"a": False, "b": 1})  # the catalog's reading (implicit types)
    assert parsecache.get(text, kind="text") is parsecache.MISSING  # not lent to another reading
    parsecache.put(text, {"a": "no", "b": "1"}, kind="text")
    assert parsecache.get(text) == {"a": False, "b": 1}
    assert parsecache.get(text, kind="text") == {"a": "no", "b": "1"}

    from sekisho import i18n

    i18n.messages.cache_clear()
    parsed = i18n.messages("ja")  # parsed, and remembered
    i18n.messages.cache_clear()

    def no_parse(*a: object, **k: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml, "load", no_parse)
    try:
        assert i18n.messages("ja") == parsed and parsed["cli.watch.default_store"]
    finally:
        i18n.messages.cache_clear()
