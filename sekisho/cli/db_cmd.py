"""`sekisho db`: what the store holds, its settings, and compaction."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from sekisho.cli.common import LangOpt, check_lang, console, fail, handle_errors, print_json
from sekisho.cli.scan_cmd import DbOpt

app = typer.Typer(help="Inspect and maintain the DuckDB store.", no_args_is_help=True)
SETTINGS = {"retention-days": "retention_days", "detail-days": "detail_days", "own-domains": "own_domains"}
DAY_SETTINGS = ("retention-days", "detail-days")


@app.command("info")
@handle_errors
def info(db: Path | None = DbOpt, as_json: bool = typer.Option(False, "--json"), lang: str = LangOpt) -> None:
    """Where the store is, how big, what it holds, and its settings."""
    from sekisho.i18n import messages, text
    from sekisho.store import Store

    lg = check_lang(lang)

    with Store(db, read_only=True) as store:
        data = {
            "path": str(store.path),
            "size_bytes": store.path.stat().st_size,
            **store.counts(),
            "monthly_rows": (
                store.con.execute("SELECT count(*) FROM observations_monthly").fetchone() or (0,)
            )[0],
            "period": {k: str(v) if v else None for k, v in store.overview().items() if k.endswith("_day")},
            "settings": {k: store.get_setting(v) for k, v in SETTINGS.items()},
        }
    if as_json:
        print_json(data)
        return
    if lg == "en":
        for key, value in data.items():
            console.print(f"[bold]{key:>14}[/]  {escape(str(value))}", markup=True, highlight=False)
        return

    def label(key: str) -> str:
        return text(f"cli.db.{key}", "ja") if f"cli.db.{key}" in messages("ja") else key

    for key, value in data.items():
        if isinstance(value, dict):
            value = text("cli.lang.list_sep", "ja").join(
                f"{label(k)} {'—' if v is None else v}" for k, v in value.items()
            )
        elif isinstance(value, int):
            value = f"{value:,}"
        console.print(f"[bold]{escape(label(key))}[/]  {escape(str(value))}", markup=True, highlight=False)


@app.command("set")
@handle_errors
def set_(
    key: str = typer.Argument(..., help=f"One of: {', '.join(SETTINGS)}."),
    value: str = typer.Argument(
        ..., help='Number of days; for own-domains a comma-separated list of domains ("" clears it).'
    ),
    db: Path | None = DbOpt,
    lang: str = LangOpt,
) -> None:
    """Change a store setting (e.g. `sekisho db set retention-days 400`,
    `sekisho db set own-domains city.example.lg.jp,example-school.ed.jp`)."""
    from sekisho.store import Store

    check_lang(lang)  # says `key = value`, the same in both languages
    if key not in SETTINGS:
        raise fail(f"unknown setting {key!r}; choose one of: {', '.join(SETTINGS)}")
    if key in DAY_SETTINGS:
        if not value.isdigit() or int(value) < 1:
            raise fail(f"{key} must be a whole number of days, 1 or more, not {value!r}")
        value = str(int(value))
    else:
        from sekisho.match.internal import normalise_domain

        try:
            value = ",".join(dict.fromkeys(normalise_domain(d) for d in value.split(",") if d.strip()))
        except ValueError as e:
            raise fail(f"{key}: {e}") from None
    with Store(db) as store:
        if key in DAY_SETTINGS:
            # per-day detail is kept for detail-days, everything for retention-days: the first
            # cannot be the longer
            detail = int(value) if key == "detail-days" else int(store.get_setting("detail_days", "35") or 35)
            keep = (
                int(value)
                if key == "retention-days"
                else int(store.get_setting("retention_days", "400") or 400)
            )
            if detail > keep:
                raise fail(
                    f"detail-days ({detail}) cannot be longer than retention-days ({keep}): "
                    "raise retention-days first"
                )
        store.set_setting(SETTINGS[key], value)
    console.print(f"{key} = {value}", markup=False, highlight=False)


@app.command("compact")
@handle_errors
def compact(
    db: Path | None = DbOpt,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be rolled up and expired."),
    as_json: bool = typer.Option(False, "--json"),
    lang: str = LangOpt,
) -> None:
    """Roll detail older than detail-days up by month and drop what is older than retention-days
    (both counted back from today); says how many rows and queries of which dates."""
    from sekisho.i18n_reasons import translate
    from sekisho.store import Store

    lg = check_lang(lang)
    with Store(db) as store, store.transaction():
        done = store.compact(keep_all=dry_run)
    if as_json:
        print_json(done.as_dict())
        return
    for line in done.lines() or [
        f"nothing to roll up or expire (detail-days {done.detail_days}, "
        f"retention-days {done.retention_days}, from {done.reference})"
    ]:
        console.print(translate(line, lg), markup=False, highlight=False, soft_wrap=True)  # type: ignore[arg-type]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
