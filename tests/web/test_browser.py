"""The dashboard in a real browser: Debian's chromium, driven by Playwright, against the app served
by uvicorn. Each page loads and passes axe-core; a service leads to its dossier; the language
switches; an export downloads with the right content; a sample log is scanned through the UI.
A screenshot of the overview is saved to test-artifacts/."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, SAMPLES

pytestmark = pytest.mark.program

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
# The rules the issue names (a title, headings in order, labelled form fields) — asserted one by
# one so a change in axe's tags cannot drop them — and then everything in WCAG 2.x A/AA.
NAMED_RULES = ["document-title", "heading-order", "page-has-heading-one", "empty-heading", "label",
               "select-name", "button-name", "form-field-multiple-labels", "label-title-only", "link-name",
               "html-has-lang", "html-lang-valid"]  # fmt: skip
PAGES = ["/", "/services", "/services/baidu-ime", "/clients", "/clients/10.20.0.157", "/unknown",
         "/exports", "/scans", "/alerts", "/services/no-such-service"]  # fmt: skip


def axe(page: Any) -> dict[str, Any]:
    source = AXE.read_text(encoding="utf-8")
    assert hashlib.sha256(source.encode()).hexdigest() == AXE_SHA256
    page.evaluate(source + "\n;undefined")  # evaluate is not subject to the page's CSP
    return page.evaluate(
        """async (named) => {
            const one = await axe.run(document, {runOnly: {type: 'rule', values: named}});
            const all = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            const brief = (r) => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
            return {named: brief(one), all: brief(all), ran: one.passes.map(p => p.id).concat(one.inapplicable.map(p => p.id))};
        }""",
        NAMED_RULES,
    )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_loads_and_passes_axe(page: Any, lang: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
    for url in PAGES:
        response = page.goto(f"{url}?lang={lang}")
        assert response is not None
        assert response.status == (404 if "no-such" in url else 200), url
        assert page.title().endswith("— sekisho"), url
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").count() == 1, url
        result = axe(page)
        assert set(NAMED_RULES) <= set(result["ran"]), url
        assert result["named"] == [], f"{url}: {result['named']}"
        assert result["all"] == [], f"{url}: {result['all']}"
    assert errors == []


def test_overview_screenshot(page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("svg.levels").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "overview.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000


def test_follow_a_service_to_its_dossier(page: Any) -> None:
    page.goto("/services")
    page.select_option("#f-country", "CN")  # the filter submits itself (a little JS)
    page.wait_for_url(re.compile(r"country=CN"))
    page.get_by_role("link", name="Baidu IME", exact=True).click()
    page.wait_for_url("**/services/baidu-ime")
    assert page.locator("h1").inner_text() == "Baidu IME"
    assert page.get_by_role("heading", name="Facts and sources").is_visible()
    assert page.locator("a[href^='/clients/10.20.0.']").count() == 14
    # …and from there to one of the machines
    page.locator("a[href^='/clients/10.20.0.']").first.click()
    page.wait_for_url(re.compile(r"/clients/10\.20\.0\.\d+$"))
    assert page.get_by_role("link", name="Baidu IME").count() >= 1


def test_switch_language(page: Any) -> None:
    page.goto("/services?level=2")
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="日本語").click()
    assert page.url.endswith("/services?level=2")  # back where it was
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == "サービス"
    page.goto("/")  # the choice is remembered
    assert page.locator("h1").inner_text() == "概要"
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Overview"


def test_download_an_export(page: Any, tmp_path: Path) -> None:
    page.goto("/exports")
    page.select_option("#x-format", "unbound")
    page.select_option("#x-policy", "intel-law:CN")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename == "sekisho-unbound-intel-law-CN.conf"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    text = target.read_text(encoding="utf-8")
    assert "policy intel-law:CN" in text
    assert re.search(r'^\s*local-zone: "deepseek\.com\." always_null', text, re.M)
    assert re.search(r'^\s*local-zone: "baidu\.jp\." always_null', text, re.M)  # covers ime.baidu.jp


def test_scan_a_sample_through_the_ui(page: Any) -> None:
    page.goto("/scans")
    page.set_input_files("#u-file", str(SAMPLES / "zeek" / "dns.log"))
    page.get_by_role("button", name="Start the scan").first.click()
    page.wait_for_url(re.compile(r"/scans/jobs/\d+$"))
    page.wait_for_selector("#job-state[data-state='done']", timeout=60_000)
    assert page.locator("#job-progress").get_attribute("value") == "100"
    result = page.get_by_role("table").first
    assert result.get_by_role("link", name="DeepSeek").is_visible()
    files = page.get_by_role("table").nth(1).inner_text()
    assert "dns.log" in files and "zeek-dns" in files
    # …and by a path on the server, then the scan list shows both
    page.goto("/scans")
    page.fill("#p-path", str(SAMPLES / "squid"))
    page.locator("form[action='/scans/path'] button").click()
    page.wait_for_selector("#job-state[data-state='done']", timeout=60_000)
    page.goto("/scans")
    assert page.get_by_role("heading", name=re.compile(r"^Scan \d+")).count() >= 3


def test_the_checker_catches_what_it_checks(page: Any) -> None:
    """A page with no title, a skipped heading level and an unlabelled field fails: the axe run
    above is not vacuous."""
    page.set_content(
        "<html lang='en'><body><main><h1>A</h1><h3>skipped</h3><input name='q'></main></body></html>"
    )
    found = {v["id"] for v in axe(page)["named"]}
    assert {"document-title", "heading-order", "label"} <= found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_html_report_passes_axe_too(page: Any, db: Path, lang: str) -> None:
    from sekisho.api import assessor_for
    from sekisho.report.html import render_html
    from sekisho.report.model import build_report
    from sekisho.store import Store

    with Store(db) as store:
        html = render_html(build_report(store, assessor_for(), lang))  # type: ignore[arg-type]
    page.set_content(html)
    assert page.title().startswith({"ja": "データの行き先", "en": "Where our data goes"}[lang])
    result = axe(page)
    assert result["named"] == [] and result["all"] == [], result
