"""How the dashboard runs: where it listens, who may use it, what it may read."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost`` and the rest of 127/8 are loopback; ``0.0.0.0`` is not."""
    host = host.strip().lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class WebConfig:
    """``token`` is required when ``host`` is not loopback; only its digest is kept."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    policy_dir: Path | None = None  # policy YAML files offered on the exports page, by name
    scan_roots: tuple[Path, ...] = ()  # server paths may be scanned only under these (none: no path scans)
    upload_dir: Path | None = None  # where uploaded logs wait for their scan (default: a temp dir)
    max_upload_bytes: int = 512 * 1024**2  # `--max-upload`; enforced while the upload streams
    allowed_hosts: tuple[str, ...] = ()  # extra Host header names accepted on a loopback bind
    default_lang: str = "en"
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def __post_init__(self) -> None:
        self.token_hash = token_digest(self.token) if self.token else None
        self.token = None  # keep only the digest

    @property
    def local(self) -> bool:
        return is_loopback(self.host)

    @property
    def needs_token(self) -> bool:
        return not self.local or self.token_hash is not None
