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


def test_the_bundled_catalog_has_japanese_for_every_text_the_report_shows() -> None:
    catalog, findings = validate(bundled_catalog_dir())
    assert [str(f) for f in findings if "no Japanese text" in f.message] == []
    # and the texts are there, not just non-empty: the 2021 LINE incident reads in Japanese
    line = catalog.services["line"]
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", inc.value_ja or "") for inc in line.incidents)


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
