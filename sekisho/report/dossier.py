"""The dossier of one service, in the shape of the published assessments, in JA or EN.

:func:`build_dossier` turns catalog + rating into plain data (the JSON shape);
:func:`render_terminal` prints it with rich. Both languages come from the message catalogs.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sekisho.assess import Assessor, jurisdictions, score_text
from sekisho.catalog import Catalog
from sekisho.i18n import Lang, category, country, fmt_value, text
from sekisho.model.rating import Evidence, Message, Rating
from sekisho.report.console import literal


def _ev(e: Evidence, lang: Lang) -> dict[str, Any]:
    return {
        "statement": text(e.statement, lang, **e.params),
        "value": e.value,
        "source": e.source,
        "as_of": e.as_of.isoformat(),
        "kind": e.kind,
        "source_kind": e.source_kind,
        **({"note": e.note} if e.note else {}),
    }


def _params(params: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """Message parameters as the reader reads them: a country code becomes its name (CN → 中国)."""
    out = dict(params)
    if isinstance(out.get("country"), str):
        out["country"] = country(out["country"], lang)
    return out


def _msg(m: Message, lang: Lang) -> dict[str, Any]:
    return {
        "text": text(m.key, lang, **_params(m.params, lang)),
        "key": m.key,
        "evidence": [_ev(e, lang) for e in m.evidence],
    }


def _fact(statement: str, fact: Any) -> dict[str, Any]:
    return {
        "statement": statement,
        "value": fact.value,
        "source": fact.source,
        "as_of": fact.as_of.isoformat(),
        "kind": fact.kind,
        "source_kind": getattr(fact, "source_kind", None),
        **({"note": fact.note} if getattr(fact, "note", None) else {}),
    }


def service_incidents(catalog: Catalog, service_id: str, lang: Lang) -> list[dict[str, Any]]:
    """Every incident of the service, newest first, with its source and date."""
    svc = catalog.service(service_id)
    return [
        {
            "date": inc.date.isoformat(),
            "title": inc.title,
            "text": inc.value_ja if lang == "ja" and inc.value_ja else inc.value,
            "severity": inc.severity,
            "source": inc.source,
            "as_of": inc.as_of.isoformat(),
            "kind": inc.kind,
            "source_kind": inc.source_kind,
            **({"note": inc.note} if inc.note else {}),
        }
        for inc in sorted(svc.incidents, key=lambda i: (i.date, i.as_of), reverse=True)
    ]


def service_facts(catalog: Catalog, service_id: str, lang: Lang) -> list[dict[str, Any]]:
    """Every fact and claim behind the service, its operators and the laws they are bound by."""
    svc = catalog.service(service_id)
    out = [_fact(text("dossier.operator", lang), svc.operator)]
    for op in catalog.operator_chain(svc.operator.value):
        out.append(_fact(text("fact.operator.country", lang, operator=op.name), op.country))
        if op.headquarters:
            out.append(_fact(text("fact.operator.headquarters", lang, operator=op.name), op.headquarters))
        if op.parent:
            out.append(_fact(text("fact.operator.parent", lang, operator=op.name), op.parent))
        for j in op.jurisdictions:
            out.append(_fact(text("fact.operator.jurisdiction", lang, operator=op.name), j))
        for c in op.claims:
            out.append(
                {
                    "statement": c.statement_ja if lang == "ja" and c.statement_ja else c.statement,
                    "value": None,
                    "source": c.source,
                    "as_of": c.as_of.isoformat(),
                    "kind": "claim",
                    "source_kind": getattr(c, "source_kind", None),
                }
            )
    for loc in svc.data_locations:
        out.append(_fact(text("fact.data_location", lang), loc))
    for name, prop in svc.properties.items():
        out.append(_fact(text(f"fact.property.{name}", lang), prop))
    for inc in svc.incidents:
        item = _fact(text("fact.incident", lang, date=inc.date.isoformat()), inc)
        item["value"] = inc.value_ja if lang == "ja" and inc.value_ja else inc.value
        out.append(item)
    out.append(_fact(text("fact.domains", lang), svc.domains))
    if svc.hostnames:
        out.append(_fact(text("fact.hostnames", lang), svc.hostnames))
    for c in svc.claims:
        out.append(
            {
                "statement": c.statement_ja if lang == "ja" and c.statement_ja else c.statement,
                "value": None,
                "source": c.source,
                "as_of": c.as_of.isoformat(),
                "kind": "claim",
                "source_kind": getattr(c, "source_kind", None),
                **({"note": c.note} if c.note else {}),
            }
        )
    return out


def entity_country(entity: dict[str, Any], lang: Lang = "en") -> str:
    """An operator's country as the dossier shows it: marked unverified when the fact rests on a
    secondary source alone (it is then a claim, and the rating does not count it)."""
    name = country(entity["country"], lang) if entity.get("country") else "?"
    if entity.get("country_verified", True):
        return name
    return text("dossier.unverified_country", lang, country=name)


def build_dossier(catalog: Catalog, assessor: Assessor, service_id: str, lang: Lang = "en") -> dict[str, Any]:
    svc = catalog.service(service_id)
    rating: Rating = assessor.rate(service_id)
    chain = catalog.operator_chain(svc.operator.value)
    op = chain[0] if chain else None
    links = jurisdictions(catalog, svc)
    alternatives = []
    for alt in svc.alternatives:
        if alt.service and alt.service in catalog.services:
            other = catalog.services[alt.service]
            other_chain = catalog.operator_chain(other.operator.value)
            alternatives.append(
                {
                    "id": other.id,
                    "name": other.name,
                    "operator": other_chain[0].name if other_chain else other.operator.value,
                    "country": other_chain[0].country.value if other_chain else None,
                    "safety_level": assessor.rate(other.id).safety_level,
                    **({"note": alt.note} if alt.note else {}),
                }
            )
        else:
            alternatives.append(
                {
                    "id": None,
                    "name": alt.name,
                    "operator": alt.operator,
                    "country": alt.country,
                    "safety_level": None,
                    **({"note": alt.note} if alt.note else {}),
                }
            )
    return {
        "id": svc.id,
        "name": svc.name_ja if lang == "ja" and svc.name_ja else svc.name,
        "url": svc.url,
        "category": svc.category,
        "lang": lang,
        "operator": {
            "id": op.id if op else svc.operator.value,
            "name": op.name if op else svc.operator.value,
            "country": op.country.value if op else None,
            # a country resting on a secondary source alone is shown as unverified everywhere
            "country_verified": bool(op and not op.country.is_claim),
        },
        "owners": [
            {
                "id": o.id,
                "name": o.name,
                "country": o.country.value,
                "country_verified": not o.country.is_claim,
                "headquarters": o.headquarters.value if o.headquarters else None,
            }
            for o in chain[1:]
        ],
        "jurisdictions": sorted({link.country for link in links}),
        "scores": {name: s.value for name, s in rating.scores.items()},
        # never a bare number: "3.3/10, 1 of 4 factors" when fewer than half have evidence
        "score_texts": {name: score_text(s, lang) for name, s in rating.scores.items()},
        "score_details": {
            name: {
                "value": s.value,
                "text": score_text(s, lang),
                "factors_with_evidence": s.factors_known,
                "factors_total": s.factors_total,
                "coverage": s.coverage,
                "factors": [
                    {
                        "factor": p.factor,
                        "label": text(f"factor.{p.factor}", lang),
                        "weight": p.weight,
                        "earned": p.earned,
                        "status": p.status,
                        "evidence": [_ev(e, lang) for e in p.evidence],
                    }
                    for p in s.points
                ],
            }
            for name, s in rating.scores.items()
        },
        "safety_level": rating.safety_level,
        "safety_level_label": text(f"level.{rating.safety_level}", lang),
        "computed_safety_level": rating.computed_level,
        "base_level": rating.base_level,
        "override": rating.override.model_dump() if rating.override else None,
        "provisional": rating.provisional,
        "coverage": rating.coverage,
        "caps": [{"rule": c.rule, "max_level": c.max_level, **_msg(c.reason, lang)} for c in rating.caps],
        "legal_verdict": text(rating.legal_verdict.key, lang),
        "technical_verdict": text(rating.technical_verdict.key, lang),
        "risks": [_msg(m, lang) for m in rating.risks],
        "response": [text(m.key, lang, **m.params) for m in rating.response],
        "alternatives": alternatives,
        "facts": service_facts(catalog, service_id, lang),
        "incidents": service_incidents(catalog, service_id, lang),
        "rules_version": rating.rules_version,
        "catalog_version": catalog.meta.version,
    }


def _mark(status: str) -> str:
    return {"yes": "✅", "partial": "△", "no": "❌", "unknown": "？", "claim": "⚠"}.get(status, status)


def _src(item: dict[str, Any], lang: Lang) -> Text:
    t = Text()
    if item["kind"] == "claim":
        t.append(f"[{text('kind.claim', lang)}] ", style="bold yellow")
    t.append(literal(f"{item['source']} ({item['as_of']})", style="dim"))
    return t


def render_terminal(d: dict[str, Any], console: Console) -> None:
    lang: Lang = d["lang"]
    level = d["safety_level"]
    color = {0: "bold white on red", 1: "bold red", 2: "bold yellow", 3: "green", 4: "bold green"}[level]
    head = Table.grid(padding=(0, 2))
    head.add_row(text("dossier.service", lang), literal(d["name"], style="bold"))
    head.add_row(text("dossier.url", lang), d["url"])
    lvl = Text(f"{level} — {d['safety_level_label']}", style=color)
    if d["override"]:
        lvl.append(
            f"  ({text('dossier.computed', lang)}: {d['computed_safety_level']}; "
            + text("dossier.overridden", lang, justification=d["override"]["justification"])
            + ")"
        )
    head.add_row(text("dossier.safety_level", lang), lvl)
    if d["provisional"]:
        head.add_row(
            "",
            Text(
                text("dossier.provisional", lang, coverage=round(d["coverage"] * 100)), style="bold magenta"
            ),
        )
    op = d["operator"]
    head.add_row(text("dossier.operator", lang), f"{op['name']} ({entity_country(op, lang)})")
    if d["owners"]:
        head.add_row(
            text("dossier.owners", lang),
            " → ".join(f"{o['name']} ({entity_country(o, lang)})" for o in d["owners"]),
        )
    head.add_row(
        text("dossier.jurisdictions", lang), "、".join(country(j, lang) for j in d["jurisdictions"]) or "—"
    )
    head.add_row(text("services.category", lang), category(d["category"], lang))
    console.print(Panel(head, title=text("dossier.title", lang)))

    console.rule(text("dossier.summary", lang))
    for key, value in (("legal_verdict", d["legal_verdict"]), ("technical_verdict", d["technical_verdict"])):
        console.print(Text(f"{text('dossier.' + key, lang)}:", style="bold") + " " + literal(value))
    console.print(Text(f"{text('dossier.risks', lang)}:", style="bold"))
    for r in d["risks"] or [{"text": text("dossier.no_risks", lang)}]:
        console.print(f"  • {r['text']}", markup=False)
    for c in d["caps"]:
        console.print(f"  ▼ {c['text']}", style="dim", markup=False)

    console.rule(text("dossier.audit", lang))
    for name, s in d["score_details"].items():
        table = Table(title=f"{text('score.' + name, lang)}: {s['text']}", title_justify="left", expand=True)
        table.add_column(text("dossier.factor", lang))
        table.add_column(text("dossier.result", lang))
        table.add_column(text("dossier.weight", lang), justify="right")
        table.add_column(text("dossier.evidence", lang), overflow="fold")
        for f in s["factors"]:
            ev = (
                Group(
                    *[
                        literal(f"{e['statement']}: {fmt_value(e['value'], lang)}")
                        + Text("\n")
                        + _src(e, lang)
                        for e in f["evidence"]
                    ]
                )
                if f["evidence"]
                else Text("—", style="dim")
            )
            table.add_row(
                f["label"],
                f"{_mark(f['status'])} {text('status.' + f['status'], lang)}",
                f"{f['earned']:g}/{f['weight']:g}",
                ev,
            )
        console.print(table)

    console.rule(text("dossier.response", lang))
    for i, r in enumerate(d["response"], 1):
        console.print(f"  {i}. {r}", markup=False)
    console.rule(text("dossier.alternatives", lang))
    if not d["alternatives"]:
        console.print("  " + text("dossier.no_alternatives", lang))
    for a in d["alternatives"]:
        lv = (
            f" — {text('dossier.safety_level', lang)} {a['safety_level']}"
            if a["safety_level"] is not None
            else ""
        )
        console.print(
            f"  • {a['name']} ({a.get('operator') or '—'}, {country(a.get('country'), lang)}){lv}",
            markup=False,
        )

    console.rule(text("dossier.facts", lang))
    facts = Table(expand=True, show_lines=False)
    facts.add_column(text("dossier.statement", lang))
    facts.add_column(text("dossier.value", lang))
    facts.add_column(text("dossier.source", lang), overflow="fold")
    for f in d["facts"]:
        value = f["value"]
        if isinstance(value, list):
            shown = fmt_value(value[:8], lang) + (f" … (+{len(value) - 8})" if len(value) > 8 else "")
        else:
            shown = fmt_value(value, lang)
        facts.add_row(f["statement"], literal(shown), _src(f, lang))
    console.print(facts)
    console.print(
        text("dossier.rules", lang, rules=d["rules_version"], catalog=d["catalog_version"]), style="dim"
    )
    console.print(text("dossier.changes", lang), style="dim")
