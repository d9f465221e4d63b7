"""`catalog validate` warns when a text the Japanese report shows has no Japanese (issue 13 item 3)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sekisho.catalog import bundled_catalog_dir, validate
from sekisho.catalog.loader import Finding


def japanese_gaps(root: Path) -> list[Finding]:
    _, findings = validate(root)
    return [f for f in findings if "no Japanese text" in f.message]


def drop_lines(path: Path, pattern: str, after_date: str | None = None) -> int:
    """Remove the lines matching ``pattern`` (only the first one after ``date: after_date`` if given);
    returns the 1-based line number of that date line, or 0."""
    lines = path.read_text(encoding="utf-8").split("\n")
    date_line = 0
    if after_date is not None:
        date_line = next(i for i, ln in enumerate(lines) if re.search(rf"\bdate: {after_date}\b", ln))
        k = next(i for i in range(date_line, len(lines)) if re.search(pattern, lines[i]))
        del lines[k]
        date_line += 1
    else:
        lines = [ln for ln in lines if not re.search(pattern, ln)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return date_line


def drop_statement_ja(path: Path, nth: int) -> int:
    """Remove the ``statement_ja`` line of the ``nth`` (0-based) claim; returns the 1-based line of
    that claim's ``statement``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = [i for i, ln in enumerate(lines) if re.match(r"^\s*- statement:", ln)][nth]
    assert re.match(r"^\s*statement_ja:", lines[at + 1]), lines[at + 1]
    del lines[at + 1]
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_the_bundled_catalog_has_japanese_for_every_text_the_report_shows() -> None:
    catalog, findings = validate(bundled_catalog_dir())
    assert [str(f) for f in findings if "no Japanese text" in f.message] == []
    # and the texts are there, not just non-empty: the 2021 LINE incident reads in Japanese
    line = catalog.services["line"]
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", inc.value_ja or "") for inc in line.incidents)
    # and every claim, of services, operators, laws and software, reads in Japanese
    claims = [c for kind in ("services", "operators", "laws", "software") for e in catalog.entries(kind).values()
              for c in e.claims]  # fmt: skip
    assert len(claims) > 300
    assert [
        c.statement for c in claims if not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", c.statement_ja or "")
    ] == []


def test_a_copy_missing_value_ja_and_name_ja_warns_once_per_entry_naming_the_dates(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(bundled_catalog_dir(), root)
    services = root / "services"
    first = drop_lines(services / "line.yaml", r"^\s*value_ja:", after_date="2021-03-17")
    drop_lines(services / "line.yaml", r"^\s*value_ja:", after_date="2024-03-28")
    drop_lines(services / "kakaotalk.yaml", r"^name_ja:")
    drop_lines(services / "paypay.yaml", r"^description_ja:")
    drop_lines(services / "paypay.yaml", r"^\s*value_ja:", after_date="2020-11-28")

    _, findings = validate(root)
    assert [f for f in findings if f.severity == "error"] == []
    gaps = {Path(f.location.path).name: f for f in japanese_gaps(root)}
    assert sorted(gaps) == ["kakaotalk.yaml", "line.yaml", "paypay.yaml"]
    assert all(f.severity == "warning" for f in gaps.values())

    line = gaps["line.yaml"]
    assert line.location.line == first  # at the first incident without Japanese
    assert "value_ja of the incident(s) of 2021-03-17, 2024-03-28" in line.message
    assert "name_ja" not in line.message.replace("value_ja", "")
    assert gaps["kakaotalk.yaml"].message.startswith("no Japanese text: name_ja (")
    paypay = gaps["paypay.yaml"].message
    assert "description_ja" in paypay and "2020-11-28" in paypay and "name_ja;" not in paypay


def test_a_law_without_summary_ja_and_a_service_without_description_need_no_description_ja(
    tmp_path: Path,
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(bundled_catalog_dir(), root)
    drop_lines(root / "laws" / "jp-appi.yaml", r"^summary_ja:")
    # a service with neither description nor description_ja lacks no Japanese
    drop_lines(root / "services" / "simeji.yaml", r"^description(_ja)?:")
    gaps = japanese_gaps(root)
    assert [(Path(f.location.path).name, f.message) for f in gaps] == [
        ("jp-appi.yaml", "no Japanese text: summary_ja (the Japanese report shows the English)")
    ]


def test_claims_without_statement_ja_warn_for_services_operators_laws_and_software(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(bundled_catalog_dir(), root)
    cat = root / "operators" / "hangzhou-deepseek.yaml"
    drop_statement_ja(cat, 3)
    op_first = drop_statement_ja(cat, 1)  # the later claim first: line numbers above it stay
    law_line = drop_statement_ja(root / "laws" / "us-cloud-act.yaml", 4)
    drop_statement_ja(root / "software" / "simeji-ios.yaml", 0)
    # a service missing both an incident's value_ja and a claim's: one warning, the incident first
    inc_line = drop_lines(root / "services" / "zoom.yaml", r"^\s*value_ja:", after_date="2020-12-18")
    drop_statement_ja(root / "services" / "zoom.yaml", 0)

    _, findings = validate(root)
    assert [f for f in findings if f.severity == "error"] == []
    gaps = {Path(f.location.path).name: f for f in japanese_gaps(root)}
    assert sorted(gaps) == ["hangzhou-deepseek.yaml", "simeji-ios.yaml", "us-cloud-act.yaml", "zoom.yaml"]
    deepseek = gaps["hangzhou-deepseek.yaml"]
    assert deepseek.location.line == op_first  # at the first claim without Japanese
    assert deepseek.message == (
        "no Japanese text: statement_ja of 2 of 4 claim(s) (the Japanese report shows the English)"
    )
    assert gaps["us-cloud-act.yaml"].location.line == law_line
    assert "statement_ja of 1 of 5 claim(s)" in gaps["us-cloud-act.yaml"].message
    assert gaps["simeji-ios.yaml"].message.startswith("no Japanese text: statement_ja of 1 of 1 claim(s) (")
    zoom = gaps["zoom.yaml"]
    assert zoom.location.line == inc_line
    assert "value_ja of the incident(s) of 2020-12-18; statement_ja of 1 of" in zoom.message
