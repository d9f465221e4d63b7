"""A plain list of domains, one per line (also hosts-file style ``0.0.0.0 name``).

Comments (``#``, ``!``) and blank lines are skipped. The list has no time and no client: the
file's modification time and client ``-`` are used.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_NAME = r"([A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.[A-Za-z][A-Za-z0-9-]*)\.?"


class DomainList(LineRegexFormat):
    name = "domains"
    title = "plain list of domains (or hosts file)"
    kind = "list"
    signature = (r"^\s*(?:(?:0\.0\.0\.0|127\.0\.0\.1|::1?)\s+)?" + _NAME + r"\s*(?:#.*)?$",)
    signature_lines = 3
    priority = 90
    pattern = r"^\s*(?:(?:0\.0\.0\.0|127\.0\.0\.1|::1?)\s+)?" + _NAME + r"\s*(?:#.*)?$"
    groups = ("name",)
    skip = r"^\s*(?:[#!]|$)"
    timestamp = Timestamp("none")

    def sniff(self, head: list[str]) -> bool:
        lines = [ln for ln in head if ln.strip() and not ln.lstrip().startswith(("#", "!"))]
        return bool(lines) and super().sniff(lines) and all(len(ln.split()) <= 2 for ln in lines[:20])
