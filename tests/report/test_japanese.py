"""Japanese first-class (issue 13 item 3): the Japanese report and dashboard pages hold no English
word outside an allow-list — product and organisation names from the catalog, domains, commands,
abbreviations. Text the catalog quotes in English (a source's note, an incident not yet translated)
is marked ``lang="en"`` and skipped, as a screen reader would read it in English; so are code,
links to sources and the charts' SVG."""

from __future__ import annotations

import re
import typing
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sekisho.api import assessor_for
from sekisho.i18n import category, country, messages
from sekisho.model.catalog import Category
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.store import Store

# abbreviations and names a Japanese IT administrator reads as they are
ALLOWED = {
    "AI", "API", "APPI", "ASN", "CNAME", "CSV", "DNS", "DSA", "E2EE", "EU", "GDPR", "HTML", "HTTP",
    "HTTPS", "ID", "IME", "IP", "IPv4", "IPv6", "JSON", "JST", "OEM", "PC", "PDF", "RPZ", "SNS", "URL",
    "UTC", "Web", "IoT", "OS", "sekisho", "hosts", "level0", "assessment", "intel-law", "unbound",
    "dnsmasq", "bind", "squid", "adguard", "zeek", "suricata", "infoblox", "Unbound", "BIND", "Squid",
    "AdGuard", "Home", "Zeek", "Pi-hole", "named.conf", "squid.conf", "options", "include", "http_access",
    "allow", "response-policy", "zone", "type", "primary", "file", "rpz", "Windows", "CLOUD", "Act",
    "FISA", "SHA-256", "KiB", "A4", "ms", "OpenWrt", "PAC", "Chrome", "Edge", "RouterOS", "OpenSnitch",
    "YAML", "w3c", "GPS", "QR", "Mac", "Safari", "ClickHouse", "Paytm", "CNN",
}  # fmt: skip
SKIP_TAGS = {"code", "pre", "style", "script", "svg", "time", "title", "cite"}  # cite: a source's own title
WORD = re.compile(r"(?<![\w./@:-])[A-Za-z][A-Za-z0-9'’_-]*[A-Za-z0-9](?![\w./@:-])")


class _Visible(HTMLParser):
    """Visible text outside code, SVG, source links and elements marked as another language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # True: skipped subtree
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skip = (
            tag in SKIP_TAGS
            or a.get("lang", "ja") != "ja"
            or "ext" in (a.get("class") or "").split()
            or (bool(self.stack) and self.stack[-1])
        )
        if tag not in {"br", "meta", "input", "img", "link", "hr", "wbr"}:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"br", "meta", "input", "img", "link", "hr", "wbr"} and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def _names() -> set[str]:
    """Every word of every product, organisation, law and alternative name in the catalog."""
    cat = assessor_for().catalog
    names: list[str] = []
    for s in cat.services.values():
        names += [
            s.name,
            s.name_ja or "",
            *(a.name or "" for a in s.alternatives),
            *(a.operator for a in s.alternatives if a.operator),
        ]
    names += [o.name for o in cat.operators.values()]
    names += [law.name for law in cat.laws.values()]
    names = [n for n in names if n]
    return {w for n in names for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.&_-]*", n)} | {
        w.strip(".,()") for n in names for w in n.split()
    }


def english_words(html: str, allowed: set[str]) -> list[str]:
    p = _Visible()
    p.feed(html)
    text = " ".join(p.parts)
    bad = []
    for m in WORD.finditer(text):
        w = m.group(0)
        if w in allowed or w.rstrip("s") in allowed or w.upper() in ALLOWED:
            continue
        bad.append(f"{w!r} in …{text[max(0, m.start() - 30) : m.end() + 30]!r}…".replace("\n", " "))
    return bad


def test_every_category_and_country_has_a_japanese_name() -> None:
    for c in typing.get_args(Category):
        assert f"category.{c}" in messages("ja") and f"category.{c}" in messages("en"), c
        assert not re.fullmatch(r"[ -~]+", category(c, "ja")) or category(c, "ja") in {"SNS"}, c
    assert country("JP", "ja") == "日本" and country("CN", "ja") == "中国" and country("US", "en")
    cat = assessor_for().catalog
    for op in cat.operators.values():
        assert country(op.country.value, "ja") != op.country.value, op.country.value


def test_japanese_report_has_no_stray_english(sample_db: Path) -> None:
    assessor = assessor_for()
    with Store(sample_db, read_only=True) as store:
        html = render_html(build_report(store, assessor, "ja"))
    bad = english_words(html, ALLOWED | _names())
    assert not bad, f"{len(bad)} English words on the Japanese report:\n" + "\n".join(bad[:40])


@pytest.mark.parametrize("words", [["This is English"]])
def test_the_check_can_fail(words: list[str]) -> None:
    assert english_words(f"<p>日本語 {words[0]}</p><code>sekisho scan</code>", ALLOWED) == [
        "'This' in …'日本語 This is English'…",
        "'is' in …'日本語 This is English'…",
        "'English' in …'日本語 This is English'…",
    ]
