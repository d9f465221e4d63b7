"""The report mirrors the assessment (issue 13 item 1): for DeepSeek, Baidu IME, Zoom and PayPay the
HTML and the PDF (read back by poppler's ``pdftotext``) hold every fact of ``sekisho show ID --json``
with its source and date, every factor's evidence, every cap, and every incident newest first.

The store is built by scanning a Squid access log this test writes, one CONNECT per domain of those
services, so the four are found the way a real scan finds them."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.api import assessor_for
from sekisho.cli.main import app
from sekisho.i18n import Lang, text
from sekisho.report.html import fmt_value
from tests.conftest import need, need_program

SERVICES = ("deepseek", "baidu-ime", "zoom", "paypay")


def _squash(s: str) -> str:
    """Text as compared: no whitespace (the PDF wraps lines anywhere), HTML entities undone."""
    import html

    return re.sub(r"\s+", "", html.unescape(s))


@pytest.fixture(scope="module")
def four_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("assessment")
    cat = assessor_for().catalog
    now = time.time() - 3600
    lines = []
    for n, sid in enumerate(SERVICES):
        for i, domain in enumerate(cat.service(sid).domains.value):
            host = domain.lstrip("*.")
            lines.append(
                f"{now + i:.3f}    120 10.0.0.{10 + n} TCP_TUNNEL/200 4096 CONNECT {host}:443 - "
                f"HIER_DIRECT/203.0.113.9 -"
            )
    log = tmp / "access.log"
    log.write_text("\n".join(lines) + "\n")
    db = tmp / "four.duckdb"
    api.scan([str(log)], db)
    return db


def _dossier(sid: str, lang: Lang) -> dict[str, Any]:
    out = CliRunner().invoke(app, ["show", sid, "--json", "--lang", lang])
    assert out.exit_code == 0, out.output
    return dict(json.loads(out.stdout))


def _expected(d: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    """(what, text) pairs the rendered report must contain for one dossier."""
    want: list[tuple[str, str]] = [
        ("level", d["safety_level_label"]),
        ("legal verdict", d["legal_verdict"].replace("`", "")),
        ("technical verdict", d["technical_verdict"].replace("`", "")),
    ]
    for f in d["facts"]:
        what = f"fact {f['statement']!r}"
        want += [(what, f["statement"]), (what + " source", f["source"]), (what + " date", f["as_of"])]
        values = f["value"] if isinstance(f["value"], list) else [f["value"]]
        want += [(what + " value", fmt_value(v, lang)) for v in values]
    for name, s in d["score_details"].items():
        want.append((f"score {name}", s["text"]))
        for factor in s["factors"]:
            want.append((f"factor {factor['factor']}", factor["label"]))
            for e in factor["evidence"]:
                want += [(f"evidence of {factor['factor']}", e["source"]), ("evidence date", e["as_of"])]
    for c in d["caps"]:
        want.append((f"cap {c['rule']}", c["text"]))
    for r in d["risks"]:
        want.append(("risk", r["text"].replace("`", "")))
    for a in d["alternatives"]:
        want.append(("alternative", a["name"]))
    return want


@pytest.fixture(scope="module")
def rendered(four_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The report of the four services as HTML and as PDF text, in both languages."""
    need(importlib.util.find_spec("weasyprint") is not None, "the weasyprint package")
    pdftotext = need_program("pdftotext")
    tmp = tmp_path_factory.mktemp("rendered")
    out: dict[str, dict[str, str]] = {}
    for lang in ("ja", "en"):
        html, pdf = tmp / f"r-{lang}.html", tmp / f"r-{lang}.pdf"
        res = CliRunner().invoke(
            app, ["report", "--db", str(four_db), "--lang", lang, "--html", str(html), "--pdf", str(pdf)]
        )
        assert res.exit_code == 0, res.output
        # -raw keeps the content stream's order and a URL's hyphen at a line end
        text = subprocess.run(
            [pdftotext, "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        out[lang] = {"html": html.read_text(encoding="utf-8"), "pdf": text}
    return out


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.program
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("sid", SERVICES)
def test_report_holds_every_fact_of_the_dossier(
    rendered: dict[str, dict[str, str]], sid: str, lang: Lang
) -> None:
    d = _dossier(sid, lang)
    assert d["facts"], sid
    html = rendered[lang]["html"]
    # the service's own article, so a fact of another service cannot stand in for it
    start = html.index(f'<article class="service" id="svc-{sid}"')
    article = html[start : html.index("</article>", start)]
    pdf = _squash(rendered[lang]["pdf"])
    body = _squash(_visible(article))
    for what, expect in _expected(d, lang):
        needle = _squash(expect)
        assert needle in body, f"HTML of {sid} lacks {what}: {expect!r}"
        assert needle in pdf, f"PDF lacks {what} of {sid}: {expect!r}"
    # each fact's row has its source and date beside it
    rows = re.findall(
        r"<tr>(.*?)</tr>", article.split('class="factlist"', 1)[1].split("</table>", 1)[0], re.S
    )
    assert len(rows) == len(d["facts"]) + 1  # + the header
    for f, row in zip(d["facts"], rows[1:], strict=True):
        assert _squash(f["source"]) in _squash(_visible(row)) and f["as_of"] in row, f["statement"]


@pytest.mark.program
@pytest.mark.parametrize("sid", SERVICES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_incident_newest_first(rendered: dict[str, dict[str, str]], sid: str, lang: Lang) -> None:
    d = _dossier(sid, lang)
    html = rendered[lang]["html"]
    start = html.index(f'<article class="service" id="svc-{sid}"')
    article = html[start : html.index("</article>", start)]
    dates = [i["date"] for i in d["incidents"]]
    assert dates == sorted(dates, reverse=True)
    prefix = text("fact.incident", lang, date="")[:4]
    assert len(d["incidents"]) == sum(1 for f in d["facts"] if f["statement"].startswith(prefix))
    found = re.findall(r'<ul class="incidents">(.*?)</ul>', article, re.S)
    shown = re.findall(r"<li><time>([0-9-]+)</time>", "".join(found))
    assert shown == dates, "the HTML lists every incident, newest first"
    shown_first = 3  # the HTML shows the newest three and folds the rest under "n more"
    more = text("report.incidents_more", lang, n=len(dates) - shown_first)
    if len(dates) > shown_first:
        assert f"<details><summary>{more}</summary>" in article
    # on paper nothing folds: the incident section of this service lists every one, newest first
    pdf = rendered[lang]["pdf"].replace("\f", "")  # a page break starts a line with a form feed
    # a text that runs over a page break has the page's furniture inside it in pdftotext's stream:
    # the running footer and the list markers of the next page, each on a line of its own
    pdf = re.sub(r"^(?:[•◦▪‣]|\d+\.|sekisho \d+ / \d+)[ \t]*\n", "", pdf, flags=re.M)
    section = pdf.split(f"{d['safety_level']} {d['name']} — ", 1)[1]
    section = section.split(text("report.incidents", lang), 1)[1].split(
        text("dossier.alternatives", lang), 1
    )[0]
    assert re.findall(r"^(\d{4}-\d{2}-\d{2}) (?=\S)", section, re.M) == dates or (
        not dates and text("report.no_incidents", lang) in section
    )
    for i in d["incidents"]:
        assert _squash(i["text"]) in _squash(section) and _squash(i["source"]) in _squash(section), i["date"]
    assert _squash(more) not in _squash(section)


@pytest.mark.program
def test_appendix_lists_every_cited_source(rendered: dict[str, dict[str, str]]) -> None:
    html = rendered["en"]["html"]
    appendix = html.split('id="sources"', 1)[1]
    pdf = _squash(rendered["en"]["pdf"])
    for sid in SERVICES:
        d = _dossier(sid, "en")
        cited = {f["source"] for f in d["facts"]} | {i["source"] for i in d["incidents"]}
        for s in d["score_details"].values():
            cited |= {e["source"] for f in s["factors"] for e in f["evidence"]}
        for src in cited:
            assert f">{src}<" in appendix.replace("&amp;", "&"), src
            assert _squash(src) in pdf
