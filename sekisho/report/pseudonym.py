"""Pseudonyms for client addresses and user names, so a report can leave the security team.

A pseudonym is an HMAC-SHA256 of the value under a key that is generated once and kept on this
machine (``$SEKISHO_PSEUDONYM_KEY``, else ``pseudonym.key`` in the user config directory, mode
0600). The same address gets the same pseudonym in every report made with that key, so reports can
be compared; without the key nobody can reverse it or test a guess. The key is never written into
a report.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from platformdirs import user_config_dir

from sekisho.errors import ConfigError, Location

__all__ = ["Pseudonymizer", "default_key_path", "load_key"]

KEY_BYTES = 32
_HEX = re.compile(r"^[0-9a-f]{64}$")


def default_key_path() -> Path:
    env = os.environ.get("SEKISHO_PSEUDONYM_KEY")
    if env:
        return Path(env)
    return Path(user_config_dir("sekisho", appauthor=False)) / "pseudonym.key"


def load_key(path: Path | None = None) -> bytes:
    """The key at ``path`` (default :func:`default_key_path`), created (mode 0600) when missing."""
    path = Path(path) if path is not None else default_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made by another process just now: read theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
    try:
        raw = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the pseudonym key: {e}", Location(path)) from None
    if not _HEX.match(raw):
        raise ConfigError(
            "the pseudonym key is not 64 hex digits; move it away to make a new one", Location(path)
        )
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # nobody else may read it
    return bytes.fromhex(raw)


class Pseudonymizer:
    """``client("10.0.0.5")`` → ``"client-3f9a0c2e71b4"``; the same key gives the same pseudonym."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("pseudonym key too short")
        self._key = key

    @classmethod
    def from_file(cls, path: Path | None = None) -> Pseudonymizer:
        return cls(load_key(path))

    def _hash(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}-{digest[:12]}"

    def client(self, value: str) -> str:
        return self._hash("client", value)

    def user(self, value: str) -> str:
        return self._hash("user", value)

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymizer(<key hidden>)"
