"""The register's exports: CSV (the input columns), Fides-style YAML (``system`` with
``privacy_declarations`` in fideslang keys), and the APPI art. 28 disclosure table (Markdown or
CSV, Japanese or English) with each country's system quoted from the catalog's law entries."""

from __future__ import annotations

import csv
import html
import io
from typing import TYPE_CHECKING, Any

import yaml

from sekisho.i18n import Lang, text
from sekisho.register.appi import AppiRow, LawText, appi_rows
from sekisho.register.model import COLUMNS, Register
from sekisho.report.tabular import _cell

if TYPE_CHECKING:
    from sekisho.catalog.loader import Catalog

RESPONSIBILITY = {"controller": "Controller", "processor": "Processor", "subprocessor": "Sub-Processor"}


def register_csv(reg: Register) -> str:
    """The register as the CSV it can be read back from."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for p in reg.parties.values():
        row = []
        for c in COLUMNS:
            v: Any = getattr(p, c)
            if isinstance(v, list):
                v = ";".join(v)
            elif isinstance(v, bool):
                v = "yes" if v else "no"
            row.append("" if v is None else str(v))
        w.writerow(row)
    return out.getvalue()


def fides_systems(reg: Register) -> dict[str, Any]:
    """Fides-style manifest: one ``system`` per party; a ``privacy_declaration`` per purpose with
    the party's data categories; the chain as ``ingress``/``egress`` between systems."""
    children: dict[str, list[str]] = {}
    for p in reg.parties.values():
        if p.receives_from:
            children.setdefault(p.receives_from, []).append(p.id)
    systems = []
    for p in reg.parties.values():
        src = reg.source(p.id)
        international = src is not None and src.country != p.country
        system: dict[str, Any] = {
            "fides_key": p.id,
            "name": p.name,
            "description": f"{RESPONSIBILITY[p.role]} in {p.country}"
            + (f", receives the data from {src.id}" if src else ""),
            "system_type": "Service",
            "responsibility": [RESPONSIBILITY[p.role]],
            "privacy_declarations": [
                {
                    "name": f"{p.name}: {use}",
                    "data_use": use,
                    "data_categories": list(p.data_categories),
                    "data_subjects": [],
                }
                for use in p.purposes
            ],
            "does_international_transfers": international,
            "legal_basis_for_transfers": [p.transfer_basis] if international and p.transfer_basis else [],
        }
        if src:
            system["ingress"] = [
                {"fides_key": src.id, "type": "system", "data_categories": list(p.data_categories)}
            ]
        if p.id in children:
            system["egress"] = [{"fides_key": c, "type": "system"} for c in children[p.id]]
        meta = {
            k: v
            for k, v in {
                "country": p.country,
                "approved_by_controller": p.approved_by_controller,
                "catalog_operator": p.catalog_operator,
                "catalog_service": p.catalog_service,
                "contract_ref": p.contract_ref,
                "review_date": p.review_date.isoformat() if p.review_date else None,
            }.items()
            if v is not None
        }
        system["meta"] = {"sekisho": meta}
        systems.append(system)
    return {"system": systems}


def fides_yaml(reg: Register) -> str:
    return str(yaml.safe_dump(fides_systems(reg), sort_keys=False, allow_unicode=True))


def country_name(code: str, lang: Lang) -> str:
    name = text(f"register.country.{code}", lang)
    return code if name == f"register.country.{code}" else name


def _law_line(t: LawText, lang: Lang) -> str:
    name = (t.name_ja or t.name) if lang == "ja" else t.name
    summary = (t.summary_ja or t.summary) if lang == "ja" else t.summary
    return text("register.appi.law", lang, law=name, summary=summary) + text(
        "register.appi.source", lang, source=t.source, as_of=t.as_of
    )


def appi_cells(row: AppiRow, lang: Lang = "ja") -> dict[str, Any]:
    """The four columns of one row, as text (lines in lists)."""
    country = country_name(row.party.country, lang)
    system = [_law_line(t, lang) for t in row.protection]
    if not row.protection:
        system.append(text("register.appi.no_protection_law", lang, country=country))
    system += [_law_line(t, lang) for t in row.other]
    for t in row.secret:
        name = (t.name_ja or t.name) if lang == "ja" else t.name
        summary = (t.summary_ja or t.summary) if lang == "ja" else t.summary
        system.append(
            text("register.appi.secret_law", lang, country=country, law=name, summary=summary)
            + text("register.appi.source", lang, source=t.source, as_of=t.as_of)
        )
    basis = row.party.transfer_basis or "none"
    measures = text(f"register.appi.basis.{basis}", lang)
    if row.party.contract_ref:
        measures += "（" if lang == "ja" else " ("
        measures += text("register.appi.contract", lang, ref=row.party.contract_ref)
        measures += "）" if lang == "ja" else ")"
    return {
        "party": f"{row.party.name} ({row.party.id})",
        "country": f"{country} ({row.party.country})",
        "system": system,
        "measures": measures,
    }


def appi_table(reg: Register, catalog: Catalog, lang: Lang = "ja", fmt: str = "md") -> str:
    """The APPI art. 28 table, as Markdown (``md``) or CSV (``csv``)."""
    rows = [appi_cells(r, lang) for r in appi_rows(reg, catalog)]
    heads = [text(f"register.appi.col_{c}", lang) for c in ("party", "country", "system", "measures")]
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(heads)
        for r in rows:
            # a spreadsheet must not run a party's name as a formula
            w.writerow([_cell(v) for v in (r["party"], r["country"], "\n".join(r["system"]), r["measures"])])
        return out.getvalue()
    lines = [f"# {text('register.appi.title', lang)}", ""]
    if not rows:
        return "\n".join([*lines, text("register.appi.none", lang), ""])
    lines += ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for r in rows:
        # the text is the register's and the catalog's: no markup of its own, no row breaks
        cells = [
            _md(r["party"]),
            _md(r["country"]),
            "<br>".join(_md(x) for x in r["system"]),
            _md(r["measures"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _md(value: str) -> str:
    return html.escape(value, quote=False).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


__all__ = ["appi_cells", "appi_table", "country_name", "fides_systems", "fides_yaml", "register_csv"]
