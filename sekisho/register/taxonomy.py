"""The fideslang taxonomy's published keys (data categories and data uses), vendored.

``sekisho/data/fideslang/`` holds ethyca/fideslang's own ``data_files/*.yml`` unchanged, with
their licence and commit (``PROVENANCE.md``); sekisho does not depend on the fideslang package
(it pins an older pydantic). Keys are used verbatim, so a register's export means the same
thing in Fides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

Kind = Literal["data_category", "data_use"]
FILES: dict[Kind, tuple[str, ...]] = {
    "data_category": ("data_categories.yml",),
    # data_files/data_uses.yml lags the package's default taxonomy by two keys (PROVENANCE.md)
    "data_use": ("data_uses.yml", "data_uses_extra.yml"),
}
SOURCE = "https://github.com/ethyca/fideslang/tree/40394c46599745a6b8f14d069889fddfa2651409/data_files"


@dataclass(frozen=True)
class Key:
    fides_key: str
    name: str
    parent_key: str | None
    deprecated: str | None
    replaced_by: str | None


@lru_cache(maxsize=2)
def keys(kind: Kind) -> dict[str, Key]:
    """Every published key of ``kind`` (fides_key → Key)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: dict[str, Key] = {}
    for name in FILES[kind]:
        path = resources.files("sekisho") / "data" / "fideslang" / name
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
        for row in data[kind]:
            out[row["fides_key"]] = Key(
                row["fides_key"],
                row["name"],
                row.get("parent_key"),
                None if row.get("version_deprecated") is None else str(row["version_deprecated"]),
                row.get("replaced_by"),
            )
    return out


def check_key(kind: Kind, key: str) -> tuple[str, str] | None:
    """None when ``key`` is a current published key; else (severity, reason)."""
    known = keys(kind).get(key)
    label = "data category" if kind == "data_category" else "data use"
    if known is None:
        near = sorted(k for k in keys(kind) if k.startswith(key.rsplit(".", 1)[0] + "."))[:5]
        hint = f" (published keys near it: {', '.join(near)})" if near else ""
        return "error", f"{key!r} is not a published fideslang {label}{hint}"
    if known.deprecated:
        repl = f"; use {known.replaced_by!r}" if known.replaced_by else ""
        return "warning", f"{key!r} is deprecated since fideslang {known.deprecated}{repl}"
    return None


__all__ = ["SOURCE", "Key", "check_key", "keys"]
