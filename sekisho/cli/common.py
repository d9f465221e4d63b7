"""Shared CLI plumbing: options every command takes, and errors as one clear line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from sekisho.errors import SekishoError

if TYPE_CHECKING:
    from sekisho.report.console import SafeConsole

F = TypeVar("F", bound=Callable[..., Any])


class LazyConsole:
    """A :class:`~sekisho.report.console.SafeConsole`, made when first printed to: rich is imported
    by a command that prints through it, not by every start (``sekisho watch`` writes its lines
    itself)."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: SafeConsole | None = None

    @property
    def real(self) -> SafeConsole:
        if self._console is None:
            from sekisho.report.console import SafeConsole

            self._console = SafeConsole(stderr=self._stderr)
        return self._console

    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.real.print(*objects, **kwargs)

    @property
    def is_terminal(self) -> bool:
        return self.real.is_terminal


# Markup is off: a value from a log, the catalog or a policy is printed as it is (``markup=True``
# where a message wants style, with its data escaped); control characters are shown escaped.
console = LazyConsole()
err_console = LazyConsole(stderr=True)

CatalogOpt = typer.Option(
    None,
    "--catalog",
    envvar="SEKISHO_CATALOG",
    help="Catalog directory (default: the bundled one).",
    show_default=False,
)
SettingsOpt = typer.Option(
    None,
    "--settings",
    envvar="SEKISHO_SETTINGS",
    help="Organisation settings YAML: re-weighted factors and level overrides.",
    show_default=False,
)
LangOpt = typer.Option("en", "--lang", help="Output language: ja or en.", case_sensitive=False)
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of tables.")


def fail(message: str, code: int = 1, lang: str = "en") -> typer.Exit:
    label = "error:"
    if lang == "ja":  # the command's --lang: the label and, where the table knows it, the message
        from sekisho.i18n import text
        from sekisho.i18n_reasons import translate

        label, message = text("cli.lang.error", "ja", message="").strip(), translate(message, "ja")
    from rich.markup import escape

    err_console.print(
        f"[bold red]{escape(label)}[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn sekisho's errors into one line on stderr and exit code 1 — never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = str(kwargs.get("lang") or "en").lower()
        try:
            return func(*args, **kwargs)
        except SekishoError as e:
            raise fail(str(e), lang=lang) from None
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as e:
            damaged = store_damage(e)
            if damaged is None:
                raise
            raise fail(damaged) from None

    return wrapper  # type: ignore[return-value]


_DAMAGE = ("Corrupt database file", "Could not read enough bytes from file")


def store_damage(e: BaseException) -> str | None:
    """The one line for a DuckDB error that says the store's file is cut short or damaged (met
    by any query, not only on opening), else None. The file is the one DuckDB names."""
    if not type(e).__module__.startswith(("duckdb", "_duckdb")):
        return None
    text = str(e).splitlines()[0] if str(e) else ""
    if not any(d in text for d in _DAMAGE):
        return None
    import re

    from sekisho.store import damaged

    named = re.search(r'file "([^"]+)"', text)
    return (f"{named.group(1)}: " if named else "") + damaged(e)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def check_lang(lang: str) -> str:
    lang = lang.lower()
    if lang not in ("ja", "en"):
        raise fail(f"--lang must be ja or en, not {lang!r}")
    return lang


# Help shows what to type, not Python types (`<bool>`, `<list[str]>`): a flag shows nothing,
# a path PATH, a count N, a language ja|en (issue 13 item 6).
_NAMED = {"--lang": "ja|en", "--db": "PATH", "--format": "NAME", "--policy": "POLICY", "--group": "GROUP"}


def _metavar(annotation: Any) -> str:
    import datetime as dt
    import typing
    from pathlib import Path

    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return "PATH"
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    if annotation in (dt.datetime, dt.date):
        return "DATE"
    return "TEXT"


# typer before 0.29 describes a parameter by its click type only (``param.type.name``)
_CLICK_NAMES = (("path", "PATH"), ("int", "N"), ("float", "NUMBER"), ("datetime", "DATE"))


def _option_metavar(param: Any, desc: Any) -> str | None:
    """What an option shows for its value: "" nothing (a flag), None what typer shows (choices),
    else a word a person reads — from typer's descriptor of it (0.29) or its click type."""
    if desc is not None:
        if desc.annotation is bool:
            return ""
        return None if getattr(desc, "is_choice", False) else _metavar(desc.annotation)
    kind = str(getattr(getattr(param, "type", None), "name", "")).lower()
    if "bool" in kind:
        return ""
    if "choice" in kind:
        return None
    return next((m for k, m in _CLICK_NAMES if kind.startswith(k)), "TEXT")


def _quiet_type(param: Any) -> None:
    """An argument's type column shows nothing (its name, PATHS or ID, says it): a copy of its
    click type, never the shared one, that names no metavar."""
    import copy

    kind = copy.copy(param.type)
    kind.get_metavar = lambda *a, **k: ""
    param.type = kind


def human_metavars(command: Any) -> Any:
    """Give every option of ``command`` (and of its subcommands) a metavar a person reads."""
    for param in getattr(command, "params", []):
        desc = getattr(param, "type_descriptor", None)
        if getattr(param, "param_type_name", "") == "argument":
            param.metavar = param.metavar or param.name.upper()
            if desc is None:
                _quiet_type(param)
            param.display_type_rich = lambda ctx: ""  # the name (PATHS, ID) says it
            continue
        if getattr(param, "metavar", None) is not None:
            continue
        shown = "" if getattr(param, "is_flag", False) else _option_metavar(param, desc)
        if shown is None:
            continue  # typer shows the choices
        named = next((_NAMED[o] for o in getattr(param, "opts", []) if o in _NAMED), None)
        param.metavar = (named or shown) if shown else ""
    if command is not None and not getattr(command, "_human_help", False):
        make_help = command.get_help_option

        def get_help_option(ctx: Any) -> Any:
            opt = make_help(ctx)
            if opt is not None:
                opt.metavar = ""
            return opt

        command.get_help_option = get_help_option
        command._human_help = True
    for sub in getattr(command, "commands", {}).values():
        human_metavars(sub)
    return command
