"""The PDF report, rendered by WeasyPrint and read back by poppler: pages become PNGs with ink on
them, the text is there in both languages, and the Japanese is set in a CJK font (not tofu)."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho.cli.main import app
from tests.conftest import need, need_program

pytestmark = pytest.mark.program

EXPECT = {
    "ja": ["データの行き先", "評価サマリー", "推奨対応", "影響範囲", "入力ファイルの処理結果", "使用不可"],
    "en": [
        "Where our data goes",
        "Executive summary",
        "Recommended response",
        "Scope of impact",
        "Input accounting",
    ],
}


def _need_weasyprint() -> None:
    need(
        importlib.util.find_spec("weasyprint") is not None, "the weasyprint package (pip install -e '.[dev]')"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pdf_pages_text_and_glyphs(sample_db: Path, tmp_path: Path, lang: str) -> None:
    _need_weasyprint()
    pdftoppm, pdftotext, pdffonts = (need_program(p) for p in ("pdftoppm", "pdftotext", "pdffonts"))
    pdf = tmp_path / f"report-{lang}.pdf"
    result = CliRunner().invoke(app, ["report", "--pdf", str(pdf), "--lang", lang, "--db", str(sample_db)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")

    subprocess.run(
        [pdftoppm, "-r", "40", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    from PIL import Image  # WeasyPrint depends on Pillow

    with Image.open(pages[0]) as im:
        gray = im.convert("L")
        dark = sum(gray.histogram()[:128])
    assert dark > 2000, "page 1 is (nearly) blank"

    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for phrase in EXPECT[lang]:
        assert phrase in text, phrase
    assert "sekisho export --format squid --policy sekisho-plan.yaml" in text  # the plan, for the logs' proxy
    assert "baidu" in text.lower()

    fonts = subprocess.run([pdffonts, str(pdf)], check=True, capture_output=True, text=True).stdout
    if lang == "ja":
        assert "CJK" in fonts or "JP" in fonts, (
            f"no Japanese font embedded (apt-get install fonts-noto-cjk):\n{fonts}"
        )
