"""Read a register from YAML or CSV, collecting every problem with its file:line.

Like the catalog loader, reading never stops at the first problem: every row is read, each
schema, taxonomy and chain problem is collected as a :class:`Problem`, and the rows that did
validate are kept. ``check`` refuses a register with errors; warnings are printed.

YAML::

    parties:
      - id: city
        name: Example City
        role: controller
        country: JP
        ...

CSV: one row per party, the columns of :data:`COLUMNS` (a header row first); list columns
(``data_categories``, ``purposes``) separate keys with ``;``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sekisho.catalog.loader import Finding as Problem
from sekisho.catalog.loader import YamlDoc, read_yaml
from sekisho.errors import CatalogError, InputError, Location
from sekisho.register import taxonomy
from sekisho.register.model import COLUMNS, Party, Register

if TYPE_CHECKING:
    from sekisho.catalog.loader import Catalog

Row = tuple[Location, dict[str, Any], YamlDoc | None, int]
LIST_FIELDS = ("data_categories", "purposes")
YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def load_register(path: Path, catalog: Catalog | None = None) -> tuple[Register, list[Problem]]:
    """The register in ``path`` (``.csv``, else YAML) and every problem found in it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", Location(path)) from None
    reg = Register(path=path, sha256=hashlib.sha256(raw).hexdigest())
    rows: list[Row]
    if path.suffix.lower() == ".csv":
        rows, problems = _csv_rows(path, raw)
    else:
        rows, problems = _yaml_rows(path)
    refused: set[str] = set()  # ids of rows with their own errors: not "no party" again below
    for where, row, doc, index in rows:
        try:
            party = Party.model_validate(_normalise(row))
        except ValidationError as e:
            if isinstance(row.get("id"), str):
                refused.add(row["id"].strip())
            for err in e.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                loc = doc.where("parties", index, field) if doc is not None and field else where
                msg = str(err["msg"]).removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    msg = f"unknown column (columns: {', '.join(COLUMNS)})"
                elif err["type"] == "missing":
                    msg = "required"
                problems.append(Problem(loc, f"{field}: {msg}" if field else msg))
            continue
        if party.id in reg.parties:
            problems.append(Problem(where, f"id {party.id!r} repeats the party at {reg.where[party.id]}"))
            continue
        reg.parties[party.id] = party
        reg.where[party.id] = where
    problems += check_register_file(reg, catalog, refused)
    return reg, sorted(problems, key=lambda p: (str(p.location.path), p.location.line))


def _yaml_rows(
    path: Path,
) -> tuple[list[Row], list[Problem]]:
    try:
        doc = read_yaml(path)
    except CatalogError as e:
        raise InputError(e.message, e.source) from None
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("parties"), list):
        return [], [Problem(Location(path, 1), "a register file holds 'parties:', a list of parties")]
    problems = [
        Problem(doc.where(k), "unknown key (a register file holds 'parties:')")
        for k in data
        if k != "parties"
    ]
    rows: list[Row] = []
    for i, item in enumerate(data["parties"]):
        where = doc.where("parties", i)
        if not isinstance(item, dict):
            problems.append(Problem(where, "a party is a mapping of the register's columns"))
            continue
        rows.append((where, item, doc, i))
    return rows, problems


def _csv_rows(path: Path, raw: bytes) -> tuple[list[Row], list[Problem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason}, byte {e.start})", Location(path)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return [], [
            Problem(Location(path, 1), "empty file: a header row of the register's columns is needed")
        ]
    header = [h.strip() for h in header]
    problems = [
        Problem(Location(path, 1), f"unknown column {h!r} (columns: {', '.join(COLUMNS)})")
        for h in header
        if h not in COLUMNS
    ]
    missing = [c for c in ("id", "name", "role", "country") if c not in header]
    if missing:
        problems.append(Problem(Location(path, 1), f"missing column(s): {', '.join(missing)}"))
        return [], problems
    rows: list[Row] = []
    start = reader.line_num + 1
    for i, values in enumerate(reader):
        where = Location(path, start)
        start = reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(Problem(where, f"{len(values)} fields, the header has {len(header)}"))
            continue
        row = {h: v for h, v in zip(header, values, strict=True) if h in COLUMNS}
        rows.append((where, row, None, i))
    return rows, problems


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    """CSV text and YAML values to the model's types: blanks are absent, lists split on ';'."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
            if key in LIST_FIELDS:
                value = [v.strip() for v in value.split(";") if v.strip()]
            elif key == "approved_by_controller":
                value = YES.get(value.lower(), value)
        if value is None:
            continue
        out[key] = value
    return out


def check_register_file(
    reg: Register, catalog: Catalog | None, refused: set[str] | None = None
) -> list[Problem]:
    """Taxonomy keys, chain links, and (with a catalog) the catalog ids of every party."""
    problems: list[Problem] = []
    for p in reg.parties.values():
        where = reg.location(p.id)
        pairs: list[tuple[taxonomy.Kind, list[str]]] = [
            ("data_category", p.data_categories),
            ("data_use", p.purposes),
        ]
        for kind, values in pairs:
            for key in values:
                bad = taxonomy.check_key(kind, key)
                if bad:
                    problems.append(Problem(where, f"{p.id}: {bad[1]}", bad[0]))  # type: ignore[arg-type]
        if p.role == "controller":
            if p.receives_from:
                problems.append(Problem(where, f"{p.id}: a controller receives the data from no one"))
        elif not p.receives_from:
            problems.append(Problem(where, f"{p.id}: receives_from is required for a {p.role}"))
        elif p.receives_from not in reg.parties:
            if p.receives_from not in (refused or set()):  # else that row's own error says it
                problems.append(
                    Problem(where, f"{p.id}: receives_from {p.receives_from!r} is no party of the register")
                )
        else:
            chain = reg.chain(p.id)
            top = reg.parties[chain[0]]
            if top.role != "controller" and top.receives_from not in (refused or set()):
                problems.append(
                    Problem(where, f"{p.id}: the chain {' -> '.join(chain)} does not start at a controller")
                )
            elif p.role == "subprocessor" and reg.parties[p.receives_from].role == "controller":
                problems.append(
                    Problem(where, f"{p.id}: receives from the controller directly: a processor", "warning")
                )
        if catalog is not None:
            if p.catalog_operator and p.catalog_operator not in catalog.operators:
                problems.append(
                    Problem(where, f"{p.id}: catalog_operator {p.catalog_operator!r} is not in the catalog")
                )
            if p.catalog_service and p.catalog_service not in catalog.services:
                problems.append(
                    Problem(where, f"{p.id}: catalog_service {p.catalog_service!r} is not in the catalog")
                )
    if not reg.controllers() and reg.parties:
        problems.append(Problem(Location(reg.path, 1), "no party has role 'controller'"))
    return problems


__all__ = ["Problem", "load_register"]
