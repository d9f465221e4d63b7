"""Japanese and English texts from message catalogs (``sekisho/data/messages/<lang>.yaml``).

Code never holds user-facing sentences: it names a key (``verdict.legal.0``) with parameters, and
:func:`text` renders it in the chosen language, falling back to English, then to the key itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


def _flatten(node: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in node.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


def _parse(source: str) -> Any:
    """``source`` read by libyaml (fast: the CLI's start-up) with every scalar as text — no YAML 1.1
    ``no`` → False; PyYAML is imported only here, when the parsed-YAML cache misses."""
    import yaml

    class TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        yaml_implicit_resolvers: dict[str, Any] = {}

    return yaml.load(source, Loader=TextLoader)  # noqa: S506 - CSafeLoader/SafeLoader, no implicit types


@lru_cache(maxsize=4)
def messages(lang: Lang) -> dict[str, str]:
    from sekisho import parsecache

    source = (resources.files("sekisho") / "data" / "messages" / f"{lang}.yaml").read_text(encoding="utf-8")
    data = parsecache.get(source, kind="text")  # parsed once per text, then read back (0.01 s)
    if data is parsecache.MISSING:
        data = _parse(source)
        parsecache.put(source, data, kind="text")
    return _flatten(data)


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: Lang = "en", **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    template = messages(lang).get(key) or messages("en").get(key) or key
    return template.format_map(_Params(params))


@lru_cache(maxsize=512)
def country(code: str | None, lang: Lang = "en") -> str:
    """A country or territory code (``CN``) as its CLDR name in ``lang`` (中国, China); the code if
    CLDR does not know it. Babel is imported on first use, so commands that print none don't pay."""
    if not code:
        return "—"
    from babel import Locale

    name = Locale.parse(lang).territories.get(code.upper())
    return str(name) if name else code


def category(name: str | None, lang: Lang = "en") -> str:
    """A service category (``ai``) as its label (生成AI)."""
    if not name:
        return "—"
    return text(f"category.{name}", lang) if f"category.{name}" in messages("en") else name


def number(n: Any, lang: Lang = "en") -> str:
    """An integer or decimal with the language's group separators (1,234,567)."""
    if n is None:
        return "—"
    if isinstance(n, int):
        return f"{n:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=lang))


def local_time(v: Any, zone: str = "Asia/Tokyo", seconds: bool = False) -> str:
    """A stored time (naive = UTC) in the organisation's zone with the zone shown: ``2026-11-16 18:02 JST``.
    Dates stay dates; ``None`` is a dash."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if v is None or v == "":
        return "—"
    when: Any = v
    if isinstance(v, str):
        try:
            when = dt.datetime.fromisoformat(v)
        except ValueError:
            return v
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        local = when.astimezone(ZoneInfo(zone))
        return str(local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"))
    if isinstance(when, dt.date):
        return str(when.isoformat())
    return str(when)


_COUNTRY = re.compile(r"[A-Z]{2}")


def fmt_value(v: Any, lang: Lang) -> str:
    """A fact's value as a reader sees it: yes/no, a list joined, a dash for none."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return text(f"bool.{str(v).lower()}", lang)
    if isinstance(v, list | tuple):
        return ", ".join(fmt_value(x, lang) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str) and _COUNTRY.fullmatch(v) and country(v, lang) != v:
        return country(v, lang)
    return str(v)
