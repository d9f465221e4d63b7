"""The evidence catalog: services, operators, laws, software — every fact sourced and dated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sekisho.catalog.loader import Catalog, Finding, bundled_catalog_dir, load_catalog
from sekisho.catalog.validate import validate
from sekisho.errors import CatalogError

__all__ = ["Catalog", "Finding", "bundled_catalog_dir", "load_catalog", "open_catalog", "validate"]


@lru_cache(maxsize=8)
def _open(root: str) -> Catalog:
    from sekisho.catalog.cache import validated

    # validate(root, source_kinds=False) — those can only warn here — once per content and code
    catalog, findings = validated(Path(root))
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more; run `sekisho catalog validate`)" if len(errors) > 1 else ""
        raise CatalogError(f"{errors[0].message}{more}", errors[0].location)
    return catalog


def open_catalog(root: Path | str | None = None) -> Catalog:
    """The catalog at ``root`` (default: the one `sekisho catalog update` installed last, else the
    bundled one), validated; raises CatalogError if it is broken."""
    from sekisho.catalog.update import active_catalog_dir

    path = Path(root) if root is not None else active_catalog_dir()
    return _open(str(path.resolve()))
