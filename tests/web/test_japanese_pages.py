"""Japanese first-class on the dashboard (issue 13 item 3): every page rendered in ``ja`` holds no
English word outside the allow-list of tests/report/test_japanese.py (product and organisation
names, domains, abbreviations, commands; code and English catalog text marked ``lang="en"`` are
skipped)."""

from __future__ import annotations

import pytest

from tests.report.test_japanese import ALLOWED, _names, english_words
from tests.web.conftest import Client

PAGES = [
    "/",
    "/services",
    "/services/deepseek",
    "/services/zoom",
    "/services/paypay",
    "/services/baidu-ime",
    "/clients",
    "/clients/10.20.0.114",
    "/unknown",
    "/exports",
    "/scans",
    "/alerts",
    "/report?format=html",
]


@pytest.fixture(scope="module")
def allowed() -> set[str]:
    """Plus the names a user types: log formats and export targets (`--format`)."""
    from sekisho.export import TARGETS
    from sekisho.ingest import FORMATS

    return ALLOWED | _names() | set(FORMATS) | set(TARGETS)


@pytest.mark.parametrize("url", PAGES)
def test_japanese_page_has_no_stray_english(client: Client, allowed: set[str], url: str) -> None:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}lang=ja")
    assert r.status_code == 200, (url, r.status_code)
    assert 'lang="ja"' in r.text[:500], url
    bad = english_words(r.text, allowed)
    assert not bad, f"{url}: {len(bad)} English words:\n" + "\n".join(bad[:30])
