"""A plain list of domains, one per line (also hosts-file style ``0.0.0.0 name``), and AdGuard /
Adblock Plus filter lists read as domain lists (``||domain^``, with or without ``$modifiers``).

Comments (``#``, ``!``), the ``[Adblock Plus 2.0]`` header and blank lines are skipped; so are
filter rules that name no blocked domain: exceptions (``@@||…``), cosmetic rules (``##``, ``#@#``),
regular expressions (``/…/``) and URL patterns — each with its reason. The list has no time and no
client: the file's modification time and client ``-`` are used.
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_NAME = r"([A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.[A-Za-z][A-Za-z0-9-]*)\.?"
_HOSTS = r"^\s*(?:(?:0\.0\.0\.0|127\.0\.0\.1|::1?)\s+)?" + _NAME + r"\s*(?:#.*)?$"
_ADBLOCK = r"^\s*\|\|" + _NAME + r"\^(?:\$[^\s]*)?\s*$"


class DomainList(LineRegexFormat):
    name = "domains"
    title = "plain list of domains, hosts file, or AdGuard/Adblock filter list (||domain^)"
    kind = "list"
    signature = (_HOSTS, _ADBLOCK)
    signature_lines = 3
    priority = 90
    # a comment after a name needs a space before its "#" ("name##rule" is a cosmetic filter)
    pattern = (
        r"^\s*(?:(?:0\.0\.0\.0|127\.0\.0\.1|::1?)\s+|\|\|)?" + _NAME + r"(?:\^(?:\$[^\s]*)?)?\s*(?:\s#.*)?$"
    )
    groups = ("name",)
    skip = r"^\s*(?:[#!]|\[Adblock|$)"
    skips = (
        ("filter exception (@@), not a blocked domain", r"^\s*@@"),
        ("cosmetic filter rule, not a domain", r"^[^\s]*#[@?$%]?#"),
        ("regular-expression filter rule", r"^\s*/.*/(?:\$\S*)?\s*$"),
        ("URL filter rule, not a whole domain", r"^\s*(?:\|\||\|)?[^\s]*[/*^|$]"),
    )
    timestamp = Timestamp("none")

    def sniff(self, head: list[str]) -> bool:
        lines = [
            ln
            for ln in head
            if ln.strip() and not ln.lstrip().startswith(("#", "!", "[Adblock", "[AdGuard", "@@"))
        ]
        return bool(lines) and super().sniff(lines) and all(len(ln.split()) <= 2 for ln in lines[:20])
