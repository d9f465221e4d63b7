"""Danger at a glance (issue 13 item 5): each machine with its worst level, the most exposed first;
the summary says how many ratings are provisional and what that means; the provisional marker on
the machine page too; the chart's peak reads as a count per day, not as a date."""

from __future__ import annotations

import re

from sekisho.api import assessor_for
from sekisho.report.html import render_html
from sekisho.report.model import build_report
from sekisho.store import Store
from tests.web.conftest import Client


def test_machines_show_their_worst_level_most_exposed_first(client: Client, db) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/clients?lang=ja").text
    levels = [int(x) for x in re.findall(r'<td data-label="最も危険なレベル"><span class="lvl l(\d)"', page)]
    assert len(levels) > 100  # the sample week's machines
    assert levels == sorted(levels) and levels[0] == 0  # DeepSeek's machines first
    assessor = assessor_for()
    with Store(db, read_only=True) as store:
        first = re.search(r'href="/clients/([^"]+)"', page)
        assert first
        reached = store.con.execute(
            "SELECT DISTINCT n.service_id FROM observations o JOIN names n USING (name) WHERE o.client = ?",
            [first.group(1)],
        ).fetchall()
    worst = min(assessor.rate(s).safety_level for (s,) in reached if s in assessor.catalog.services)
    assert worst == levels[0]


def test_summary_says_how_many_ratings_are_provisional(client: Client, db) -> None:  # type: ignore[no-untyped-def]
    with Store(db, read_only=True) as store:
        r = build_report(store, assessor_for(), "ja")
    n = sum(1 for s in r["services"] if s["provisional"])
    assert n and r["summary"]["provisional"] == n
    said = f"評価 {len(r['services'])} 件のうち {n} 件は暫定です"
    assert said in render_html(r)
    assert said in client.get("/?lang=ja").text
    # the most exposed machine reached DeepSeek, whose rating is provisional: its page says so
    top = re.search(r'href="/clients/([^"]+)"', client.get("/clients?lang=ja").text)
    assert top
    machine = client.get(f"/clients/{top.group(1)}?lang=ja").text
    assert "ディープシーク" in machine or "DeepSeek" in machine
    assert '<span class="prov">暫定</span>' in machine
    assert "1 日の最大" in client.get("/?lang=ja").text  # the chart's peak: a count per day


def test_long_address_lists_fold_with_a_count_in_the_html(db) -> None:  # type: ignore[no-untyped-def]
    with Store(db, read_only=True) as store:
        r = build_report(store, assessor_for(), "ja")
    big = next(s for s in r["services"] if len(s["scope"]) > 10)
    html = render_html(r)
    article = html.split(f'id="svc-{big["id"]}"', 1)[1].split("</article>", 1)[0]
    shown, folded = article.split("<details>", 1)
    assert f"ほか {len(big['scope']) - 10} 台を表示" in folded
    for c in big["scope"][:10]:
        assert f">{c['client']}</td>" in shown
    for c in big["scope"][10:]:
        assert f">{c['client']}</td>" in folded and f">{c['client']}</td>" not in shown
    # on paper nothing folds
    printed = render_html(r, print_layout=True).split(f'id="svc-{big["id"]}"', 1)[1].split("</article>", 1)[0]
    assert "<details>" not in printed and all(f">{c['client']}</td>" in printed for c in big["scope"])


def test_every_time_on_the_pages_is_in_the_organisations_zone(client: Client) -> None:
    """No bare UTC minute left: a time on a page carries its zone (JST by default)."""
    for url in ("/services?found=1", "/unknown", "/clients", "/clients/10.20.0.114", "/services/zoom", "/"):
        page = client.get(f"{url}{'&' if '?' in url else '?'}lang=ja").text
        visible = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S)
        times = re.findall(r"\b\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?! ?[A-Z]{2,4}\b)", visible)
        assert not times, f"{url}: times without a zone: {times[:5]}"
        assert re.search(r"\d\d:\d\d JST", visible), url
