"""The report as PDF: the HTML report laid out for A4 by WeasyPrint, fonts from the system.

WeasyPrint needs Pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``) and, for Japanese, a CJK
font such as ``fonts-noto-cjk``. Nothing is fetched: every URL other than ``data:`` is refused.
"""

from __future__ import annotations

from typing import Any, NoReturn

from sekisho.errors import ConfigError
from sekisho.extras import require
from sekisho.report.html import render_html

__all__ = ["render_pdf"]


def _no_network(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the report does not load {url!r}: it is self-contained")


def render_pdf(report: dict[str, Any]) -> bytes:
    require("pdf")
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: the Python package is there but Pango is not
        raise ConfigError(
            "PDF output needs WeasyPrint and its system libraries "
            f"(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk): {e}"
        ) from None
    html = render_html(report, print_layout=True)
    document = weasyprint.HTML(string=html, url_fetcher=_no_network)
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)
