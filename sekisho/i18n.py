"""Japanese and English texts from message catalogs (``sekisho/data/messages/<lang>.yaml``).

Code never holds user-facing sentences: it names a key (``verdict.legal.0``) with parameters, and
:func:`text` renders it in the chosen language, falling back to English, then to the key itself.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

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


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml (fast: the CLI's start-up) reading every scalar as text — no YAML 1.1 ``no`` → False."""


_TextLoader.yaml_implicit_resolvers = {}


@lru_cache(maxsize=4)
def messages(lang: Lang) -> dict[str, str]:
    path = resources.files("sekisho") / "data" / "messages" / f"{lang}.yaml"
    # _TextLoader is CSafeLoader/SafeLoader with no implicit types
    return _flatten(yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader))  # noqa: S506


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: Lang = "en", **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    template = messages(lang).get(key) or messages("en").get(key) or key
    return template.format_map(_Params(params))
