"""An alert as a reader reads it, in ja or en: its title from the message catalogs (``alert.<kind>``)
with the parameters its rule stored in ``details``; the stored English title when a detail is missing
(an alert raised by an older version)."""

from __future__ import annotations

from typing import Any

from sekisho.i18n import Lang, messages, text

__all__ = ["alert_title", "severity_label"]


def _service(d: dict[str, Any]) -> str:
    s = d.get("service") or {}
    return str(s.get("name") or s.get("id") or "?")


def _params(kind: str, a: dict[str, Any]) -> dict[str, Any] | None:
    d = a.get("details") or {}
    if isinstance(d, str):
        import json

        try:
            d = json.loads(d)
        except ValueError:
            return None
    if kind in ("first_use", "new_client", "spike", "catalog_change") and not d.get("service"):
        return None
    level = (d.get("service") or {}).get("safety_level", "?")
    if kind == "first_use":
        return {"service": _service(d), "level": level, "clients": len(d.get("clients") or [])}
    if kind == "new_client":
        return {"service": _service(d), "level": level, "client": a.get("client") or "?"}
    if kind == "blocked_use":
        target = _service(d) if d.get("service") else d.get("blocked_entry") or "?"
        return {"target": target, "client": a.get("client") or "?", "policy": d.get("policy") or "?"}
    if kind == "unknown_destination":
        return {"domain": d.get("domain") or "?", "queries": d.get("queries", "?")}
    if kind == "spike":
        return {
            "service": _service(d),
            "queries": d.get("queries", "?"),
            "day": d.get("day") or "?",
            "baseline": d.get("baseline_mean", "?"),
        }
    if kind == "catalog_change":
        return {
            "service": _service(d),
            "changes": len(d.get("changes") or []),
            "before": d.get("catalog_before") or "?",
            "after": d.get("catalog_after") or "?",
        }
    return None


def alert_title(alert: dict[str, Any], lang: Lang) -> str:
    kind = str(alert.get("kind") or "")
    params = _params(kind, alert)
    if params is None or f"alert.{kind}" not in messages("en"):
        return str(alert.get("title") or "")
    return text(f"alert.{kind}", lang, **params)


def severity_label(severity: str, lang: Lang) -> str:
    key = f"severity.{severity}"
    return text(key, lang) if key in messages("en") else severity
