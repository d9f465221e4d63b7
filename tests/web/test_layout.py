"""Layout (issue 13 item 4), in Debian's chromium: no page scrolls sideways on a 390 px phone, in
either language; Japanese words and badges are not broken inside (暫定 stays one word); wide
tables become cards under 600 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import PAGES

pytestmark = pytest.mark.program

# what overflows: the element, its right edge and the viewport width
OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1 && getComputedStyle(el).position !== 'fixed') {
      let inside = el.parentElement, clipped = false;
      while (inside) {  // content a scroll box of its own holds does not move the page
        const o = getComputedStyle(inside).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
        inside = inside.parentElement;
      }
      if (!clipped) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' + Math.round(r.right));
    }
  }
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {  // text that runs past its box (a nowrap sentence, an unbreakable word)
    const range = document.createRange();
    range.selectNodeContents(walk.currentNode);
    if (range.getBoundingClientRect().right > vw + 1) wide.push('text in ' + walk.currentNode.parentElement.tagName.toLowerCase() + ': ' + walk.currentNode.textContent.slice(0, 40));
  }
  return {scroll: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_page_scrolls_sideways_at_390px(page: Any, lang: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    bad = {}
    more = ["/services/deepseek", "/services/zoom", "/services/paypay", "/services?found=1"]
    for url in [u for u in PAGES if "no-such" not in u] + more:
        page.goto(f"{url}?lang={lang}")
        got = page.evaluate(OVERFLOW)
        if got["scroll"] > got["vw"]:
            bad[url] = got
    assert not bad, bad


def test_badges_and_japanese_words_do_not_break(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/services?lang=ja")
    prov = page.locator(".prov").first
    assert prov.inner_text() == "暫定"
    box = prov.bounding_box()
    assert box is not None
    line = float(
        page.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20", prov.element_handle())
    )
    assert box["height"] < 1.6 * line, "暫定 wrapped onto two lines"
    for sel in ("th", ".lvl", "span.prov"):
        ws = page.evaluate(f"() => getComputedStyle(document.querySelector('{sel}')).whiteSpace")
        wb = page.evaluate(f"() => getComputedStyle(document.querySelector('{sel}')).wordBreak")
        assert ws == "nowrap" or wb == "keep-all", (sel, ws, wb)


def test_tables_become_cards_on_a_phone(page: Any) -> None:
    page.goto("/services?lang=ja")
    page.set_viewport_size({"width": 1400, "height": 900})
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('main table tbody tr')).display")
        == "table-row"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('main table tbody tr')).display")
        == "block"
    )
    # each cell says what it is: the column header is repeated as a label
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('main table tbody td:nth-child(2)'), '::before').content"
    )
    assert label not in ("none", "normal", '""'), label


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_report_does_not_scroll_sideways_at_390px(page: Any, db: Any, lang: str) -> None:
    from sekisho.api import assessor_for
    from sekisho.report.html import render_html
    from sekisho.report.model import build_report
    from sekisho.store import Store

    with Store(db, read_only=True) as store:
        html = render_html(build_report(store, assessor_for(), lang))  # type: ignore[arg-type]
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(html)
    got = page.evaluate(OVERFLOW)
    assert got["scroll"] <= got["vw"], got
    page.set_viewport_size({"width": 1400, "height": 900})
    assert page.evaluate(OVERFLOW)["scroll"] <= 1400


@pytest.mark.parametrize("width", [1400, 390])
def test_screenshots_at_desk_and_phone_width(page: Any, width: int) -> None:
    """Full-page screenshots of every page in Japanese, kept in test-artifacts/ for review; each is
    as wide as the window (nothing sideways) and has content."""
    from tests.web.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    for url in [u for u in PAGES if "no-such" not in u]:
        page.goto(f"{url}?lang=ja")
        name = url.strip("/").replace("/", "_") or "overview"
        shot = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        from PIL import Image

        with Image.open(shot) as im:
            assert im.width == width, (url, im.width)
            assert im.convert("L").getextrema()[0] < 128, f"{url}: blank screenshot"
