"""Optional parts of sekisho (``pip install 'sekisho[pdf]'``, ``'sekisho[web]'``).

A plain ``pip install sekisho`` scans, rates, exports, reports in the terminal, HTML, JSON and CSV,
and watches. PDF output and the dashboard need more; asking for them without their extra is one
clear line naming the extra, never a traceback.
"""

from __future__ import annotations

import importlib.util

from sekisho.errors import ConfigError

__all__ = ["EXTRAS", "require"]

# extra -> (what it enables, the modules it brings)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("PDF output", ("weasyprint",)),
    "web": ("The web dashboard", ("fastapi", "uvicorn", "python_multipart|multipart")),
    "spark": ("The Spark engine (scan --engine spark)", ("pyspark",)),
}


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here (``a|b``: either will do)."""
    return [
        alts.split("|")[0]
        for alts in EXTRAS[extra][1]
        if not any(importlib.util.find_spec(m) is not None for m in alts.split("|"))
    ]


def require(extra: str) -> None:
    """Raise ``ConfigError`` naming the extra when one of its modules is not installed."""
    gone = missing(extra)
    if gone:
        what = EXTRAS[extra][0]
        raise ConfigError(
            f"{what} needs the '{extra}' extra ({', '.join(gone)} is not installed): "
            f"pip install 'sekisho[{extra}]'"
        )
