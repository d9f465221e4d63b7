"""Issue 16: the register's transfer map in the HTML and PDF report — when the store holds a
register version (``register check --db``), the report draws the newest register's parties by the
country where they handle the data (inline SVG, the numbers also in its ``aria-label``) beside the
register's findings; without one, no such section.

The register is issue 16's acceptance register (tests/register/conftest.py: a city, a processor and
a sub-processor in Japan, a sub-processor in China with no transfer basis); the store holds a Zeek
DNS log written here. Everything goes through the CLI; the PDF is read back with poppler.
"""

from __future__ import annotations

import html as htmlmod
import importlib.util
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from tests.conftest import need, need_program
from tests.register.conftest import acceptance_parties, write_yaml
from tests.report.test_inventory_in_report import zeek_dns
from tests.report.test_japanese import ALLOWED, _names, english_words

COUNTRIES = {"en": {"JP": "Japan", "CN": "China", "US": "United States"}, "ja": {"JP": "日本", "CN": "中国", "US": "アメリカ合衆国"}}  # fmt: skip
TITLE = {"en": "The register: where the data is handled", "ja": "委託先台帳: データを取り扱う国"}


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def section(page: str, sid: str) -> str:
    return page.split(f'<section aria-labelledby="{sid}">', 1)[1].split("</section>", 1)[0]


def visible(fragment: str) -> str:
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture()
def site(tmp_path: Path) -> dict[str, Any]:
    db = tmp_path / "site.duckdb"
    log = zeek_dns(
        tmp_path / "dns.log",
        [("10.0.0.5", "ime.baidu.jp"), ("10.0.0.6", "www.google.com"), ("10.0.0.5", "www.google.com")],
    )
    run("scan", str(log), "--db", str(db))
    return {"db": db, "tmp": tmp_path}


def check(site: dict[str, Any], parties: list[dict[str, Any]]) -> Path:
    reg = write_yaml(site["tmp"] / "register.yaml", parties)
    CliRunner().invoke(app, ["register", "check", str(reg), "--db", str(site["db"]), "--today", "2026-12-01"])
    return reg


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_draws_the_transfer_map_beside_the_findings(site: dict[str, Any], lang: str) -> None:
    reg = check(site, acceptance_parties())
    out = site["tmp"] / f"r-{lang}.html"
    run("report", "--html", str(out), "--lang", lang, "--db", str(site["db"]))
    page = out.read_text(encoding="utf-8")
    part = section(page, "register")
    names = COUNTRIES[lang]
    [label] = re.findall(r'<svg class="chart countries" role="img" aria-label="([^"]+)"', part)
    assert htmlmod.unescape(label) == f"{names['JP']}: 3, {names['CN']}: 1"
    assert re.findall(r"<title>([^<]+)</title>", part) == [f"{names['JP']} (JP): 3", f"{names['CN']} (CN): 1"]
    text = visible(part)
    assert TITLE[lang] in text and str(reg) in text
    assert f"{names['JP']} (JP) 3 Example City city Entry K.K. city → proc-jp" in text
    assert f"{names['CN']} (CN)" in text and "Dalian keying city → proc-jp → sub-jp → sub-cn" in text
    # the register's findings beside the map, not again in the findings of the other stages
    line = next(n for n, t in enumerate(reg.read_text().splitlines(), 1) if t.endswith("id: sub-cn"))
    assert f"<code>{reg}:{line}</code>" in part  # each finding's evidence: the register's file:line
    title = {"en": "sub-cn: personal data goes from JP to CN with no transfer basis", "ja": "sub-cn: 移転の根拠がないまま個人データが JP から CN へ提供されています"}[lang]  # fmt: skip
    assert title in text
    assert title not in visible(page.replace(part, ""))
    assert '<a href="#register">' in page


def test_the_newest_register_is_drawn_and_json_carries_it(site: dict[str, Any]) -> None:
    check(site, acceptance_parties())
    moved = [dict(p, country="US") if p["id"] == "sub-cn" else p for p in acceptance_parties()]
    moved.append(dict(moved[-1], id="sub-us-2", name="Second US keying", receives_from="proc-jp"))
    check(site, moved)
    out = site["tmp"] / "r.json"
    run("report", "--json", str(out), "--db", str(site["db"]))
    reg = json.loads(out.read_text(encoding="utf-8"))["register"]
    assert reg["version"] == 2 and reg["parties"] == 5
    assert reg["by_country"] == {"JP": 3, "US": 2}
    assert [(c["code"], [p["id"] for p in c["parties"]], c["abroad"]) for c in reg["countries"]] == [
        ("JP", ["city", "proc-jp", "sub-jp"], False),
        ("US", ["sub-cn", "sub-us-2"], True),
    ]
    assert {f["kind"] for f in reg["findings"]} >= {"transfer-without-basis", "unapproved-subprocessor"}
    assert all(f["stage"] == "register" for f in reg["findings"])


def test_without_a_register_there_is_no_section(site: dict[str, Any]) -> None:
    out, js = site["tmp"] / "r.html", site["tmp"] / "r.json"
    run("report", "--html", str(out), "--json", str(js), "--db", str(site["db"]))
    page = out.read_text(encoding="utf-8")
    assert (
        'aria-labelledby="register"' not in page
        and 'class="chart countries"' not in page
        and "#register" not in page
    )
    assert json.loads(js.read_text(encoding="utf-8"))["register"] is None


def test_pseudonymized_register_path_is_its_name(site: dict[str, Any]) -> None:
    reg = check(site, acceptance_parties())
    out = site["tmp"] / "share.html"
    run("report", "--html", str(out), "--pseudonymize", "--db", str(site["db"]))
    part = section(out.read_text(encoding="utf-8"), "register")
    assert "register.yaml" in part and str(reg.parent) not in part
    assert "China (CN): 1" in part  # the map itself is about vendors, not people: kept


def test_japanese_report_with_a_register_has_no_stray_english(site: dict[str, Any]) -> None:
    check(site, acceptance_parties())
    out = site["tmp"] / "r.html"
    run("report", "--html", str(out), "--lang", "ja", "--db", str(site["db"]))
    page = out.read_text(encoding="utf-8")
    # data, not words of the report: party ids, country codes, law ids and service ids in titles
    ids = {p["id"] for p in acceptance_parties()} | {"JP", "CN", "google-search", "baidu-ime"}
    ids |= set(re.findall(r"\bcn-[a-z-]+-law\b", page))
    bad = english_words(page, ALLOWED | _names() | ids)
    assert not bad, "\n".join(bad[:20])


@pytest.mark.program
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pdf_shows_the_countries_and_counts(site: dict[str, Any], lang: str) -> None:
    need(
        importlib.util.find_spec("weasyprint") is not None, "the weasyprint package (pip install -e '.[dev]')"
    )
    pdftotext = need_program("pdftotext")
    check(site, acceptance_parties())
    pdf = site["tmp"] / f"r-{lang}.pdf"
    run("report", "--pdf", str(pdf), "--lang", lang, "--db", str(site["db"]))
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    part = text.split(TITLE[lang], 1)[1]
    names = COUNTRIES[lang]
    # the chart's bars (its labels and numbers are SVG text, kept as text in the PDF), then the table
    lines = [" ".join(line.split()) for line in part.splitlines() if line.strip()]
    assert f"{names['JP']} (JP) 3" in lines and f"{names['CN']} (CN) 1" in lines
    assert any(line.startswith(f"{names['JP']} (JP) 3 Example City city") for line in lines)
    assert "Dalian keying" in part and "sub-cn" in part
