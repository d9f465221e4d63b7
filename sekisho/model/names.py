"""Domain names, validated once at the edge (policy files, the catalog) and checked again by every
export: a name is a sequence of LDH labels (letters, digits, hyphen; ``_`` allowed as DNS needs it
for ``_dmarc``-style labels), in its ASCII (A-label) form, at most 253 characters.

    check_name("Bücher.example.")   # → "xn--bcher-kva.example"
    check_name("evil.example\\n")    # ValueError: ... character U+000A ...

Non-ASCII labels are converted with IDNA (UTS #46 mapping, the ``idna`` package); an ``xn--``
label must decode as a valid A-label. Labels such as ``r3---sn-abc`` (hyphens in the third and
fourth place, common on CDNs) are valid DNS names and accepted. The last label may not be all
digits, so an IP address is never taken for a name.
"""

from __future__ import annotations

import re

import idna

MAX_NAME = 253
MAX_LABEL = 63
LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
# The whole name in the form exports may write: nothing but LDH labels, '_' and dots.
LDH_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$"
)

__all__ = ["LDH_NAME", "check_name", "describe_char", "is_ldh_name"]


def describe_char(ch: str) -> str:
    """``'\\n'`` → ``U+000A``; printable characters are shown as themselves with their code."""
    code = f"U+{ord(ch):04X}"
    return f"{ch!r} ({code})" if ch.isprintable() and not ch.isspace() else code


def _label(label: str) -> str:
    if not label:
        raise ValueError("empty label (two dots in a row, or a leading dot)")
    if label.isascii():
        low = label.lower()
        bad = next((c for c in low if not (c.isalnum() or c in "-_")), None)
        if bad is not None:
            raise ValueError(
                f"character {describe_char(bad)} is not allowed in a name (letters, digits, '-', '_')"
            )
        if low.startswith("-") or low.endswith("-"):
            raise ValueError(f"label {low!r} starts or ends with '-'")
        if low.startswith("xn--"):
            try:
                idna.decode(low)
            except idna.IDNAError as e:
                raise ValueError(f"label {low!r} is not a valid IDNA A-label ({e})") from None
        return low
    if "_" in label:
        raise ValueError(f"label {label!r} mixes '_' with non-ASCII characters")
    try:
        alabel = idna.encode(label, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as e:
        bad = next((c for c in label if not c.isprintable() or c.isspace()), None)
        if bad is not None:
            raise ValueError(f"character {describe_char(bad)} is not allowed in a name") from None
        raise ValueError(f"label {label!r} is not a valid internationalised name ({e})") from None
    if not LABEL.match(alabel):
        raise ValueError(f"label {label!r} does not convert to one LDH label")
    return alabel


def check_name(value: str) -> str:
    """The name in normal form (lower case, A-labels, no trailing dot), or ``ValueError(reason)``."""
    if not isinstance(value, str):
        raise ValueError(f"a name is text, not {type(value).__name__}")
    name = value.strip(" ")
    if name.endswith("."):
        name = name[:-1]
    if not name:
        raise ValueError("empty name")
    labels = [_label(part) for part in name.split(".")]
    for lab in labels:
        if len(lab) > MAX_LABEL:
            raise ValueError(f"label {lab[:20]!r}… is longer than {MAX_LABEL} characters")
    out = ".".join(labels)
    if len(out) > MAX_NAME:
        raise ValueError(f"name is longer than {MAX_NAME} characters")
    if labels[-1].isdigit():
        raise ValueError("the last label is a number: an IP address is not a name")
    if "_" in labels[-1]:
        raise ValueError(f"top-level label {labels[-1]!r} contains '_'")
    return out


def is_ldh_name(name: str) -> bool:
    """True if ``name`` is already in the strict ASCII form exports write (no normalising)."""
    return bool(LDH_NAME.match(name)) and not name.rsplit(".", 1)[-1].isdigit()
