"""A cache of parsed YAML (the catalog's 400+ files, the message catalogs), so that every command
does not parse them again.

An entry is the plain data libyaml built from one file (dicts, lists, text, numbers; dates kept as
text), stored under the SHA-256 of the file's exact text together with the parser's version and
the kind of reading (``catalog``: YAML's implicit types; ``text``: every scalar as text): a changed
file is simply a new key, so nothing is ever stale. The cache lives in
``$SEKISHO_CACHE/parsed`` (else the user cache directory) and is only an accelerator: an entry that
cannot be read or written is parsed again, never an error.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

__all__ = ["MISSING", "get", "put"]

MISSING: Any = object()


def _pyyaml() -> str:
    """The installed PyYAML, without importing it (a cache hit must not pay its 0.01 s): its
    package file's place, size and time, which an upgrade or reinstall changes."""
    import importlib.util

    spec = importlib.util.find_spec("yaml")
    try:
        st = os.stat(spec.origin) if spec is not None and spec.origin else None
    except OSError:
        st = None
    return f"{spec.origin if spec else None}:{st.st_size if st else 0}:{st.st_mtime_ns if st else 0}"


_VERSION = f"sekisho-parsed-2 pyyaml-{_pyyaml()} marshal-{marshal.version}".encode()


def _dir() -> Path:
    env = os.environ.get("SEKISHO_CACHE")
    base = Path(env) if env else Path(user_cache_dir("sekisho", appauthor=False))
    return base / "parsed"


def _path(text: str, kind: str) -> Path:
    head = _VERSION if kind == "catalog" else _VERSION + b" " + kind.encode()
    digest = hashlib.sha256(head + b"\0" + text.encode("utf-8")).hexdigest()
    return _dir() / digest[:2] / f"{digest}.marshal"


def get(text: str, kind: str = "catalog") -> Any:
    """The data parsed earlier from exactly ``text`` the ``kind`` way, or :data:`MISSING`."""
    try:
        # marshal of plain data this module wrote under the hash of its source text: loading it
        # builds values only (nothing is executed); a damaged entry fails to load and is re-parsed
        return marshal.loads(_path(text, kind).read_bytes())  # noqa: S302
    except (OSError, ValueError, EOFError, TypeError):
        return MISSING


def put(text: str, data: Any, kind: str = "catalog") -> None:
    """Remember ``data`` parsed from ``text`` (atomically; silently not, if it cannot be written)."""
    path = _path(text, kind)
    try:
        blob = marshal.dumps(data)
    except ValueError:  # not plain data: keep it uncached
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    except OSError:
        return
