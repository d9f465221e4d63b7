"""`sekisho catalog update|diff|manifest`, and catalog-change alerts: an operator changes parent in
a newer catalog, and each organisation (store) using the service gets exactly one alert with the
before/after facts and their sources. The catalogs are copies of tests/data/catalog_ok."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sekisho.catalog.update import active_catalog_dir, previous_catalog_dir, update_catalog, write_manifest
from sekisho.cli.main import app
from sekisho.errors import CatalogError
from sekisho.watch import Watcher, WatchOptions, list_alerts, load_alert_rules, make_sink

from .conftest import dnsmasq_line, new_db

runner = CliRunner()


def catalog_copy(src: Path, dest: Path, version: str | None = None) -> Path:
    shutil.copytree(src, dest)
    if version:
        (dest / "catalog.yaml").write_text(f'version: "{version}"\ndate: 2026-02-01\n')
    return dest


def acquired(old: Path, dest: Path) -> Path:
    """``old`` with Alpha Pte. Ltd. (operator of Alpha IME) now owned by Beta K.K."""
    new = catalog_copy(old, dest, "test-2")
    op = new / "operators" / "alpha-sg.yaml"
    op.write_text(
        op.read_text().replace(
            'parent: {value: alpha-holdings, source: https://example.org/alpha/filing, as_of: 2024-03-31, note: "wholly owned"}',
            'parent: {value: beta-kk, source: https://example.org/beta/acquisition, as_of: 2026-01-15, note: "share transfer completed"}',
        )
    )
    assert "beta-kk" in op.read_text()
    write_manifest(new)
    return new


def test_update_from_a_directory_verifies_keeps_previous_and_rolls_back(
    catalog_ok: Path, tmp_path: Path
) -> None:
    old = catalog_copy(catalog_ok, tmp_path / "pub-1")
    res = runner.invoke(app, ["catalog", "manifest", str(old)])
    assert res.exit_code == 0, res.output
    lines = (old / "catalog.sha256").read_text().splitlines()
    assert any(line.endswith("  catalog.yaml") for line in lines) and len(lines[0].split("  ")[0]) == 64

    res = runner.invoke(app, ["catalog", "update", "--from", str(old), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["version"] == "test-1"
    assert (active_catalog_dir() / "catalog.yaml").read_text() == (old / "catalog.yaml").read_text()
    again = json.loads(runner.invoke(app, ["catalog", "update", "--from", str(old), "--json"]).output)
    assert again["changed"] is False

    new = acquired(old, tmp_path / "pub-2")
    res = runner.invoke(app, ["catalog", "update", "--from", str(new)])
    assert res.exit_code == 0, res.output
    assert "installed catalog test-2 (was test-1)" in res.output
    assert "owner" in res.output and "Beta K.K. (beta-kk)" in res.output  # the diff, printed
    assert (
        previous_catalog_dir() is not None
        and "test-1" in (previous_catalog_dir() / "catalog.yaml").read_text()
    )  # type: ignore[operator]
    res = runner.invoke(app, ["catalog", "update", "--rollback", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["version"] == "test-1"
    assert "test-1" in (active_catalog_dir() / "catalog.yaml").read_text()


@pytest.mark.parametrize("damage", ["checksum", "missing", "traversal", "invalid"])
def test_a_bad_catalog_is_refused_and_the_current_one_kept(
    catalog_ok: Path, tmp_path: Path, damage: str
) -> None:
    good = catalog_copy(catalog_ok, tmp_path / "good")
    write_manifest(good)
    update_catalog(good)
    before = active_catalog_dir()
    bad = catalog_copy(catalog_ok, tmp_path / "bad", "test-9")
    write_manifest(bad)
    manifest = bad / "catalog.sha256"
    if damage == "checksum":
        (bad / "services" / "beta-chat.yaml").write_text("id: beta-chat\nname: tampered\n")
    elif damage == "missing":
        (bad / "laws" / "jp-privacy.yaml").unlink()
    elif damage == "traversal":
        manifest.write_text(manifest.read_text() + f"{'0' * 64}  ../../etc/passwd\n")
    else:
        (bad / "services" / "beta-chat.yaml").write_text("id: beta-chat\nname: Beta Chat\n")
        write_manifest(bad)  # checksums right, content invalid
    with pytest.raises(CatalogError) as e:
        update_catalog(bad)
    assert {
        "checksum": "checksum mismatch",
        "missing": "missing",
        "traversal": "unsafe path",
        "invalid": "invalid",
    }[damage] in str(e.value)
    assert active_catalog_dir() == before
    assert not any(p.name.startswith(".incoming") for p in before.parent.parent.iterdir())


def test_update_from_a_url_through_an_injected_client(catalog_ok: Path, tmp_path: Path) -> None:
    pub = catalog_copy(catalog_ok, tmp_path / "pub")
    write_manifest(pub)
    asked: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        rel = request.url.path.removeprefix("/sekisho/catalog/")
        f = pub / rel
        return httpx.Response(200, content=f.read_bytes()) if f.is_file() else httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(handle))
    res = update_catalog("https://catalog.example.org/sekisho/catalog/", client=client)
    assert res.changed and res.version == "test-1"
    assert asked[0] == "/sekisho/catalog/catalog.sha256" and len(asked) == res.files + 1

    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    with pytest.raises(CatalogError, match="HTTP 503"):
        update_catalog(
            "https://catalog.example.org/x/catalog.sha256",
            client=httpx.Client(transport=httpx.MockTransport(down)),
        )
    assert "test-1" in (active_catalog_dir() / "catalog.yaml").read_text()


def test_catalog_diff_shows_before_and_after_with_sources(catalog_ok: Path, tmp_path: Path) -> None:
    new = acquired(catalog_copy(catalog_ok, tmp_path / "old"), tmp_path / "new")
    res = runner.invoke(app, ["catalog", "diff", str(tmp_path / "old"), str(new), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["old_version"] == "test-1" and d["new_version"] == "test-2"
    assert [c["service"] for c in d["changed"]] == ["alpha-ime"]
    changes = {f["field"]: f for f in d["changed"][0]["changes"]}
    assert changes["owner"]["before"]["value"] == ["Alpha Holdings Ltd. (alpha-holdings)"]
    assert changes["owner"]["after"]["value"] == ["Beta K.K. (beta-kk)"]
    assert "https://example.org/beta/acquisition" in [
        s["source"] for s in changes["owner"]["after"]["sources"]
    ]
    assert "https://example.org/alpha/filing" in [s["source"] for s in changes["owner"]["before"]["sources"]]
    assert set(changes["jurisdictions"]["before"]["value"]) == {"KY", "CN", "SG"}
    assert set(changes["jurisdictions"]["after"]["value"]) == {"JP", "SG"}


@pytest.mark.realworld
def test_an_operator_changing_parent_alerts_each_organisation_using_the_service_once(
    catalog_ok: Path, tmp_path: Path, dnsmasq_template: str
) -> None:
    old = catalog_copy(catalog_ok, tmp_path / "pub-1")
    write_manifest(old)
    update_catalog(old)
    orgs = {
        "city-hall": ["alpha-ime.example", "chat.example.net"],
        "school": ["api.alpha-cloud.example"],
        "hospital": ["chat.example.net"],  # does not use Alpha IME
    }

    def watch(org: str) -> list[dict]:
        d = tmp_path / org
        w = Watcher(
            [d / "dnsmasq.log"],
            d / "org.duckdb",
            load_alert_rules(),
            [make_sink({"type": "jsonl", "path": str(d / "alerts.jsonl")})],
            options=WatchOptions(once=True),
        )
        w.run()
        return list_alerts(d / "org.duckdb", include_acked=True)

    for org, names in orgs.items():
        (tmp_path / org).mkdir()
        new_db(tmp_path / org / "org.duckdb")
        (tmp_path / org / "dnsmasq.log").write_text(
            "".join(dnsmasq_line(dnsmasq_template, n, f"10.1.0.{i}") for i, n in enumerate(names, 1))
        )
        watch(org)

    update_catalog(acquired(old, tmp_path / "pub-2"))  # Alpha's operator now belongs to Beta K.K.
    for _ in range(2):  # a second look raises nothing more
        for org in orgs:
            got = [a for a in watch(org) if a["rule"] == "catalog-change"]
            if org == "hospital":
                assert got == []
                continue
            assert len(got) == 1, (org, got)
            a = got[0]
            assert a["service_id"] == "alpha-ime" and a["severity"] == "high"
            d = a["details"]
            assert d["catalog_before"] == "test-1" and d["catalog_after"] == "test-2"
            owner = next(c for c in d["changes"] if c["field"] == "owner")
            assert owner["before"]["value"] == ["Alpha Holdings Ltd. (alpha-holdings)"]
            assert owner["after"]["value"] == ["Beta K.K. (beta-kk)"]
            assert owner["before"]["sources"][0]["source"] == "https://example.org/alpha/filing"
            assert owner["after"]["sources"][0] == {
                "source": "https://example.org/beta/acquisition",
                "as_of": "2026-01-15",
                "note": "share transfer completed",
                "about": "parent of alpha-sg",
            }
            emitted = [json.loads(x) for x in (tmp_path / org / "alerts.jsonl").read_text().splitlines()]
            assert [e["id"] for e in emitted if e["rule"] == "catalog-change"] == [a["id"]]


@pytest.mark.realworld
def test_a_running_watcher_notices_a_catalog_update(
    catalog_ok: Path, tmp_path: Path, dnsmasq_template: str
) -> None:
    import threading

    from .conftest import read_jsonl, wait_for

    old = catalog_copy(catalog_ok, tmp_path / "pub-1")
    write_manifest(old)
    update_catalog(old)
    log = tmp_path / "dnsmasq.log"
    log.write_text(dnsmasq_line(dnsmasq_template, "alpha-ime.example", "10.2.0.1"))
    out = tmp_path / "alerts.jsonl"
    w = Watcher(
        [log],
        new_db(tmp_path / "org.duckdb"),
        load_alert_rules(),
        [make_sink({"type": "jsonl", "path": str(out)})],
        options=WatchOptions(interval=0.05, catalog_check=0.1),
    )
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,), daemon=True)
    t.start()
    try:
        wait_for(lambda: any(a["rule"] == "first-use" for a in read_jsonl(out)), 30, "the first batch")
        update_catalog(acquired(old, tmp_path / "pub-2"))
        wait_for(lambda: any(a["rule"] == "catalog-change" for a in read_jsonl(out)), 30, "the catalog alert")
    finally:
        stop.set()
        t.join(30)
    changes = [a for a in read_jsonl(out) if a["rule"] == "catalog-change"]
    assert len(changes) == 1 and changes[0]["service"] == "alpha-ime"
    assert w.catalog.meta.version == "test-2"


def test_the_watchers_catalog_key_sees_every_file_change(catalog_ok: Path, tmp_path: Path) -> None:
    """The key the watcher compares to notice a new catalog: a file added, edited or removed
    anywhere under the catalog is a new key (the newest time alone missed a removed file)."""
    cat = catalog_copy(catalog_ok, tmp_path / "cat")
    log = tmp_path / "dnsmasq.log"
    log.write_text("")
    w = Watcher(
        [log],
        new_db(tmp_path / "org.duckdb"),
        load_alert_rules(),
        [make_sink({"type": "jsonl", "path": str(tmp_path / "a.jsonl")})],
        catalog_dir=cat,
    )
    try:
        first = w._key()
        assert w._key() == first  # nothing changed
        added = cat / "laws" / "zz-added.yaml"
        added.write_text("id: zz-added\n")
        assert w._key() != first
        added.unlink()
        assert w._key() == first  # back as it was
        removed = sorted((cat / "services").glob("*.yaml"))[-1]
        text = removed.read_text()
        removed.unlink()
        assert w._key() != first
        removed.write_text(text + "\n")
        assert w._key() != first  # edited: its size differs
    finally:
        w.close()
