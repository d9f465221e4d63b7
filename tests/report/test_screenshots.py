"""Screenshots against stored baselines (issue 13 item 4): the HTML report and the dashboard's main
pages, in Japanese, at a desk (1400 px) and a phone (390 px) width, in Debian's chromium.

What is pinned, so that only a change of layout moves pixels: the sample logs, a frozen catalog
(``tests/data/screenshots/catalog``), the report's date (``SOURCE_DATE_EPOCH``) and the fonts —
chromium sees only the Noto CJK fonts of Debian's ``fonts-noto-cjk`` (the package ``.ci/run``
installs), through a fontconfig file of the test's own, with fixed anti-aliasing and hinting.
A pixel differs when one of its channels moves by more than ``CHANNEL``; a screenshot passes when
at most ``RATIO`` of its pixels differ (the baselines' own 256-colour quantisation moves at most
0.02 %; a block pushed down by one pixel moves several per cent). ``SEKISHO_UPDATE_SCREENSHOTS=1`` rewrites the
baselines; a failure leaves the screenshot and a diff image in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import importlib.util
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sekisho import api
from tests.conftest import DATA, ROOT, need, need_program, served

pytestmark = pytest.mark.program

BASELINES = DATA / "screenshots"
CATALOG = BASELINES / "catalog"
SAMPLES = ROOT / "samples" / "logs"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
NOTO = Path("/usr/share/fonts/opentype/noto")
UPDATE = os.environ.get("SEKISHO_UPDATE_SCREENSHOTS") == "1"
EPOCH = "1795000000"  # 2026-11-18: the report's "generated" date
CHANNEL = 48  # a channel moved by more than this: the pixel differs
RATIO = 0.002  # at most this share of a screenshot's pixels may differ
# width: height of the window, two screens tall (a desk 1400x900; a phone 390x844, an iPhone 12-14)
SIZES = {1400: 1800, 390: 1688}
PAGES = {"overview": "/", "services": "/services", "service": "/services/baidu-ime"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--force-color-profile=srgb",
    "--font-render-hinting=none",
    "--disable-lcd-text",
    "--hide-scrollbars",
]
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>{noto}</dir>
  <cachedir>{cache}</cachedir>
  <match target="pattern">
    <test qual="any" name="family"><string>monospace</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>Noto Sans Mono CJK JP</string></edit>
  </match>
  <match target="pattern">
    <edit name="family" mode="append" binding="weak"><string>Noto Sans CJK JP</string></edit>
  </match>
  <match target="font">
    <edit name="antialias" mode="assign"><bool>true</bool></edit>
    <edit name="hinting" mode="assign"><bool>false</bool></edit>
    <edit name="hintstyle" mode="assign"><const>hintnone</const></edit>
    <edit name="rgba" mode="assign"><const>none</const></edit>
    <edit name="lcdfilter" mode="assign"><const>lcdnone</const></edit>
    <edit name="embeddedbitmap" mode="assign"><bool>false</bool></edit>
  </match>
</fontconfig>
"""


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample logs scanned with the frozen catalog, at a fixed date, with no user known sets."""
    tmp = tmp_path_factory.mktemp("screenshots")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        mp.setenv("SEKISHO_CACHE", str(tmp / "cache"))
        mp.setenv("SEKISHO_PSEUDONYM_KEY", str(tmp / "pseudonym.key"))
        db = tmp / "sample.duckdb"
        api.scan([str(SAMPLES)], db, CATALOG)
        yield db


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    need(
        importlib.util.find_spec("playwright") is not None, "the playwright package (pip install -e '.[dev]')"
    )
    chromium = need_program("chromium")
    need(
        (NOTO / "NotoSansCJK-Regular.ttc").is_file(),
        f"Noto CJK fonts in {NOTO} (apt-get install fonts-noto-cjk)",
    )
    tmp = tmp_path_factory.mktemp("fonts")
    conf = tmp / "fonts.conf"
    conf.write_text(FONTS_CONF.format(noto=NOTO, cache=tmp / "cache"), encoding="utf-8")
    from playwright.sync_api import sync_playwright

    env: dict[str, str | float | bool] = {
        k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")
    }
    env |= {"FONTCONFIG_FILE": str(conf), "TZ": "Asia/Tokyo", "LANG": "C.UTF-8"}
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            env=env,
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def dashboard(pinned: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the pinned store, served by uvicorn on a loopback port."""
    from sekisho.web import WebConfig, create_app

    tmp = tmp_path_factory.mktemp("dashboard")
    with served(
        lambda port: create_app(
            db=pinned, catalog=CATALOG, config=WebConfig(port=port, upload_dir=tmp / "uploads")
        )
    ) as url:
        yield url


def _page(browser: Any, width: int, base_url: str | None = None) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": SIZES[width]},
        device_scale_factor=1,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        reduced_motion="reduce",
        color_scheme="light",
        **({"base_url": base_url} if base_url else {}),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _shoot(page: Any) -> bytes:
    page.evaluate("document.fonts.ready.then(() => true)")
    shot: bytes = page.screenshot(full_page=False, animations="disabled", caret="hide", scale="css")
    return shot


def differing(actual: Any, expected: Any) -> float:
    """The share of pixels where a channel of ``actual`` and ``expected`` (same size) differ by
    more than ``CHANNEL``."""
    from PIL import ImageChops

    diff = ImageChops.difference(actual.convert("RGB"), expected.convert("RGB"))
    r, g, b = diff.split()
    worst = ImageChops.lighter(ImageChops.lighter(r, g), b)
    changed = worst.point(lambda v: 255 if v > CHANNEL else 0).histogram()[255]
    return changed / float(actual.width * actual.height)


def _compare(name: str, png: bytes) -> None:
    """Compare a screenshot with its baseline (or, with SEKISHO_UPDATE_SCREENSHOTS=1, store it)."""
    from PIL import Image, ImageChops

    actual = Image.open(io.BytesIO(png)).convert("RGB")
    baseline = BASELINES / f"{name}.png"
    if UPDATE:
        # 256 colours, no dithering: a third of the size, and a quantised pixel stays within CHANNEL
        actual.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            baseline, optimize=True
        )
        return
    assert baseline.is_file(), f"no baseline {baseline}: run with SEKISHO_UPDATE_SCREENSHOTS=1"
    with Image.open(baseline) as stored:
        expected = stored.convert("RGB")
    ratio = differing(actual, expected) if actual.size == expected.size else 1.0
    if ratio > RATIO:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        actual.save(ARTIFACTS / f"{name}.png")
        if actual.size == expected.size:
            ImageChops.difference(actual, expected).point(lambda v: 255 - min(255, v * 4)).save(
                ARTIFACTS / f"{name}-diff.png"
            )
    assert ratio <= RATIO, (
        f"{name}: {ratio:.2%} of the pixels differ from {baseline.relative_to(ROOT)} "
        f"(size {actual.size} vs {expected.size}; see test-artifacts/screenshots/; if the change is "
        "meant, rewrite the baselines with SEKISHO_UPDATE_SCREENSHOTS=1)"
    )


@pytest.mark.parametrize("width", list(SIZES))
def test_report_matches_its_baseline(browser: Any, pinned: Path, width: int) -> None:
    from sekisho.api import assessor_for
    from sekisho.report.html import render_html
    from sekisho.report.model import build_report
    from sekisho.store import Store

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with Store(pinned, read_only=True) as store:
            html = render_html(build_report(store, assessor_for(CATALOG), "ja"))
    page = _page(browser, width)
    try:
        page.set_content(html, wait_until="load")
        _compare(f"report-{width}", _shoot(page))
    finally:
        page.context.close()


@pytest.mark.parametrize("width", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_dashboard_page_matches_its_baseline(browser: Any, dashboard: str, name: str, width: int) -> None:
    page = _page(browser, width, dashboard)
    try:
        response = page.goto(f"{PAGES[name]}?lang=ja", wait_until="load")
        assert response is not None and response.status == 200
        _compare(f"{name}-{width}", _shoot(page))
    finally:
        page.context.close()


def test_the_comparison_tells_noise_from_a_layout_change(browser: Any, pinned: Path) -> None:
    """The tolerance itself: the same page drawn twice is equal; the same page with one block
    pushed down by one pixel (a margin changed) differs by far more than RATIO."""
    from PIL import Image

    from sekisho.api import assessor_for
    from sekisho.report.html import render_html
    from sekisho.report.model import build_report
    from sekisho.store import Store

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with Store(pinned, read_only=True) as store:
            html = render_html(build_report(store, assessor_for(CATALOG), "ja"))
    page = _page(browser, 1400)
    try:
        page.set_content(html, wait_until="load")
        first = Image.open(io.BytesIO(_shoot(page)))
        again = Image.open(io.BytesIO(_shoot(page)))
        page.add_style_tag(content="h2 { margin-top: calc(1em + 1px) !important }")
        moved = Image.open(io.BytesIO(_shoot(page)))
    finally:
        page.context.close()
    assert differing(first, again) == 0.0
    assert differing(first, moved) > 5 * RATIO
