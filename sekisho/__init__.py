"""sekisho (関所): see where an organisation's data goes, judge each destination on evidence, block
what must not reach it.

The library's front door is one import: ``sekisho.scan(paths, db)``, ``sekisho.findings(store,
assessor)``, ``sekisho.scope(service_id, db)``, ``sekisho.assessor_for(catalog)``,
``sekisho.open_catalog()``, ``sekisho.Store(db)``. They are loaded on first use (module
``__getattr__``), so ``import sekisho`` — and the CLI's start-up — costs nothing until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sekisho.api import assessor_for, findings, scan, scope
    from sekisho.catalog import open_catalog
    from sekisho.errors import SekishoError
    from sekisho.store import Store

# public name -> the module that defines it
_LAZY = {
    "scan": "sekisho.api",
    "findings": "sekisho.api",
    "scope": "sekisho.api",
    "assessor_for": "sekisho.api",
    "open_catalog": "sekisho.catalog",
    "Store": "sekisho.store",
    "SekishoError": "sekisho.errors",
}

__all__ = ["SekishoError", "Store", "assessor_for", "findings", "open_catalog", "scan", "scope"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sekisho' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
