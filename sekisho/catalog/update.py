"""`sekisho catalog update`: bring a newer catalog, checked, keeping the one before.

A published catalog is a directory with a manifest, ``catalog.sha256``, in the format of
``sha256sum``: one line per file, ``<sha256 hex>  <path relative to the catalog>``. An update

1. reads the manifest from ``--from`` — a directory, or a URL (the manifest's own URL, or the
   directory URL it lies in), fetched through an ``httpx.Client`` the caller may inject;
2. takes *only the files listed*, each checked against its hash (a path that leaves the
   directory, a missing file or a wrong hash stops the update);
3. validates the catalog (any error stops it);
4. installs it under the cache directory (``$SEKISHO_CACHE``, else the user cache directory):
   ``catalog/versions/<version>-<manifest hash>/``, with the symlinks ``current`` and ``previous``
   swapped atomically. Nothing is changed until every check passed.

The network is used only when ``--from`` is a URL. Without an update, the bundled catalog is used;
after one, ``current`` is (:func:`active_catalog_dir`), until ``--rollback`` goes back.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from platformdirs import user_cache_dir

from sekisho.catalog.loader import bundled_catalog_dir
from sekisho.catalog.validate import validate
from sekisho.errors import CatalogError, Location

if TYPE_CHECKING:  # httpx is imported only for a URL (every command asks for the active catalog here)
    import httpx

__all__ = [
    "MANIFEST",
    "UpdateResult",
    "active_catalog_dir",
    "cache_root",
    "previous_catalog_dir",
    "read_manifest",
    "rollback",
    "update_catalog",
    "write_manifest",
]

MANIFEST = "catalog.sha256"
MAX_FILE = 16 * 1024 * 1024


def cache_root() -> Path:
    """Where updated catalogs live: ``$SEKISHO_CACHE/catalog``, else the user cache directory."""
    env = os.environ.get("SEKISHO_CACHE")
    base = Path(env) if env else Path(user_cache_dir("sekisho", appauthor=False))
    return base / "catalog"


def _installed(link: Path) -> Path | None:
    return link.resolve() if link.is_symlink() and (link / "catalog.yaml").is_file() else None


def active_catalog_dir() -> Path:
    """The catalog used when none is named: the last update installed, else the bundled one."""
    return _installed(cache_root() / "current") or bundled_catalog_dir()


def previous_catalog_dir() -> Path | None:
    return _installed(cache_root() / "previous")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")
    )


def write_manifest(root: Path) -> Path:
    """Write ``catalog.sha256`` for the catalog at ``root`` (for whoever publishes one)."""
    lines = [f"{_digest(p.read_bytes())}  {p.relative_to(root).as_posix()}" for p in _files(root)]
    out = root / MANIFEST
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def read_manifest(text: str, where: str) -> dict[str, str]:
    """``{relative path: sha256}``; a malformed line or an unsafe path is an error naming its line."""
    out: dict[str, str] = {}
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        digest, sep, name = line.partition("  ")
        name = name.strip().removeprefix("*")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise CatalogError("not a sha256sum line (<64 hex digits>  <path>)", Location(where, i))
        p = PurePosixPath(name)
        if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in name:
            raise CatalogError(f"unsafe path {name!r}", Location(where, i))
        if name in out:
            raise CatalogError(f"{name} listed twice", Location(where, i))
        out[name] = digest.lower()
    if "catalog.yaml" not in out:
        raise CatalogError("the manifest does not list catalog.yaml", Location(where))
    return out


@dataclass(frozen=True)
class UpdateResult:
    version: str
    previous: str | None
    path: Path
    changed: bool
    source: str
    files: int


def _base_url(url: str) -> tuple[str, str]:
    if url.endswith("/" + MANIFEST):
        return url[: -len(MANIFEST)], url
    base = url if url.endswith("/") else url + "/"
    return base, base + MANIFEST


def _fetch(client: httpx.Client, url: str) -> bytes:
    import httpx

    try:
        r = client.get(url)
    except httpx.HTTPError as e:
        raise CatalogError(f"cannot fetch: {type(e).__name__}: {e}", Location(url)) from None
    if r.status_code != 200:
        raise CatalogError(f"cannot fetch: HTTP {r.status_code}", Location(url))
    if len(r.content) > MAX_FILE:
        raise CatalogError("file too large for a catalog", Location(url))
    return r.content


def _stage(source: str, staging: Path, client: httpx.Client | None) -> tuple[int, str]:
    """Copy the files the manifest lists into ``staging``, each checked. Returns (files, manifest hash)."""
    is_url = source.startswith(("http://", "https://"))
    if is_url:
        base, manifest_url = _base_url(source)
        own = client is None
        if client is None:
            import httpx
        http = client or httpx.Client(timeout=30.0, follow_redirects=True)
        try:
            manifest_bytes = _fetch(http, manifest_url)
            listing = read_manifest(manifest_bytes.decode("utf-8", errors="replace"), manifest_url)
            for name, digest in listing.items():
                _put(staging, name, _fetch(http, base + name), digest, base + name)
        finally:
            if own:
                http.close()
    else:
        root = Path(source)
        if not root.is_dir():
            raise CatalogError("no such catalog directory", Location(root))
        mpath = root / MANIFEST
        if not mpath.is_file():
            raise CatalogError(
                f"no {MANIFEST} manifest (publish one with `sekisho catalog manifest DIR`)", Location(root)
            )
        manifest_bytes = mpath.read_bytes()
        listing = read_manifest(manifest_bytes.decode("utf-8", errors="replace"), str(mpath))
        for name, digest in listing.items():
            f = root / name
            if not f.is_file():
                raise CatalogError(f"listed in {MANIFEST} but missing", Location(f))
            _put(staging, name, f.read_bytes(), digest, str(f))
    (staging / MANIFEST).write_bytes(manifest_bytes)
    return len(listing), _digest(manifest_bytes)


def _put(staging: Path, name: str, data: bytes, digest: str, where: str) -> None:
    if _digest(data) != digest:
        raise CatalogError(
            f"checksum mismatch: expected sha256 {digest[:16]}…, got {_digest(data)[:16]}…", Location(where)
        )
    out = staging / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def _swap(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}-{uuid.uuid4().hex[:8]}")
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


def update_catalog(
    source: str | Path, root: Path | None = None, client: httpx.Client | None = None
) -> UpdateResult:
    """Install the catalog at ``source`` (a directory or URL with a ``catalog.sha256`` manifest)."""
    root = root or cache_root()
    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    staging = root / f".incoming-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        n, manifest_hash = _stage(str(source), staging, client)
        cat, findings = validate(staging)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            first = errors[0]
            where = str(first.location).replace(str(staging), str(source))
            raise CatalogError(
                f"the new catalog is invalid: {where}: {first.message} ({len(errors)} error(s))"
            )
        version = cat.meta.version
        current = _installed(root / "current")
        previous_version = _version_of(current)
        target = versions / f"{_safe(version)}-{manifest_hash[:12]}"
        if current is not None and current == target.resolve():
            return UpdateResult(version, previous_version, target, False, str(source), n)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
        if current is not None:
            _swap(root / "previous", current)
        _swap(root / "current", target)
        _prune(root)
        return UpdateResult(version, previous_version, target, True, str(source), n)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def rollback(root: Path | None = None) -> UpdateResult:
    """Make the previous catalog current again (and the current one previous)."""
    root = root or cache_root()
    current, previous = _installed(root / "current"), _installed(root / "previous")
    if previous is None:
        raise CatalogError("no previous catalog to go back to", Location(root))
    if current is not None:
        _swap(root / "previous", current)
    _swap(root / "current", previous)
    return UpdateResult(_version_of(previous) or "?", _version_of(current), previous, True, "rollback", 0)


def _version_of(path: Path | None) -> str | None:
    if path is None:
        return None
    from sekisho.catalog.loader import load_catalog

    try:
        return load_catalog(path)[0].meta.version
    except CatalogError:
        return None


def _safe(version: str) -> str:
    return "".join(c if c.isalnum() or c in ".-_" else "_" for c in version)[:64] or "unversioned"


def _prune(root: Path) -> None:
    keep = {p for p in (_installed(root / "current"), _installed(root / "previous")) if p}
    for d in (root / "versions").iterdir():
        if d.is_dir() and d.resolve() not in keep:
            shutil.rmtree(d, ignore_errors=True)
