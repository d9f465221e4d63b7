"""Shared CLI plumbing: options every command takes, and errors as one clear line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.markup import escape

from sekisho.errors import SekishoError
from sekisho.report.console import SafeConsole

F = TypeVar("F", bound=Callable[..., Any])

# Markup is off: a value from a log, the catalog or a policy is printed as it is (``markup=True``
# where a message wants style, with its data escaped); control characters are shown escaped.
console = SafeConsole()
err_console = SafeConsole(stderr=True)

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


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn sekisho's errors into one line on stderr and exit code 1 — never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SekishoError as e:
            raise fail(str(e)) from None
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def check_lang(lang: str) -> str:
    lang = lang.lower()
    if lang not in ("ja", "en"):
        raise fail(f"--lang must be ja or en, not {lang!r}")
    return lang
