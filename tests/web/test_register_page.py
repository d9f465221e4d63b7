"""The register page shows the newest register checked against the store: the transfer map by
country (an SVG chart with its numbers in words) and the register's findings."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from sekisho.catalog.loader import load_catalog
from sekisho.register import check_register
from sekisho.store import Store
from tests.register.conftest import acceptance_parties, write_yaml
from tests.web.conftest import Client


def test_register_page_before_and_after_a_check(client: Client, db: Path, tmp_path: Path) -> None:
    res = client.get("/register")
    assert res.status_code == 200
    assert "sekisho register check FILE --db DB" in res.text
    path = write_yaml(tmp_path / "r.yaml", acceptance_parties())
    catalog, _ = load_catalog()
    with Store(db) as store:
        check_register(path, catalog, store, today=dt.date(2026, 12, 1))
    res = client.get("/register")
    assert res.status_code == 200
    page = html.unescape(res.text)
    assert 'aria-label="Japan: 3, People\'s Republic of China: 1"' in page
    assert "<title>People's Republic of China (CN): 1</title>" in page
    assert "unapproved-subprocessor" in page and "transfer-without-basis" in page
    assert "city → proc-jp → sub-jp → sub-cn" in page
    ja = client.get("/register?lang=ja").text
    assert "中華人民共和国 (CN)" in ja and "管理者（委託元）の承認を得ていない再委託先です" in ja
