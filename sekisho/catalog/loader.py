"""Read the catalog's YAML files, keeping line numbers for every error.

The catalog is a directory (see ``docs/catalog-format.md``). Loading never stops at the first
problem: every file is read, every schema error collected as a :class:`Finding` with
``file:line``, and the entries that did validate are kept, so ``catalog validate`` can report all
problems at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from sekisho import parsecache
from sekisho.errors import CatalogError, Location

if TYPE_CHECKING:
    from sekisho.catalog.known import KnownSet
from sekisho.model.catalog import CatalogMeta, ChangelogEntry, Law, Operator, Service, Software

KINDS: dict[str, type[BaseModel]] = {
    "services": Service,
    "operators": Operator,
    "laws": Law,
    "software": Software,
}

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in the catalog, with where it is."""

    location: Location
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.location}: {tag}{self.message}"


class YamlDoc:
    """A parsed YAML file: its plain data, and (parsed only when a line is asked for) the
    round-trip tree that knows the line of every key."""

    def __init__(self, path: Path, data: Any, text: str) -> None:
        self.path = path
        self.data = data
        self._text = text
        self._tree: Any = None

    @property
    def tree(self) -> Any:
        """The node tree (libyaml's composer: positions, no values built — a warning's line must not
        cost the start-up of every command the round-trip parse of a long file)."""
        import yaml

        if self._tree is None:
            self._tree = yaml.compose(self._text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return self._tree

    def line_of(self, keys: Sequence[str | int]) -> int:
        """1-based line of the deepest node along ``keys`` that exists (1 if none)."""
        import yaml

        node, line = self.tree, 1
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                hit = next((kv for kv in node.value if kv[0].value == str(key)), None)
                if hit is None:
                    break
                line, node = hit[0].start_mark.line + 1, hit[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def where(self, *keys: str | int) -> Location:
        return Location(self.path, self.line_of(keys))


@dataclass
class Catalog:
    """All entries of one catalog directory, by id, and where each came from."""

    root: Path
    meta: CatalogMeta
    services: dict[str, Service] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    laws: dict[str, Law] = field(default_factory=dict)
    software: dict[str, Software] = field(default_factory=dict)
    changelog: list[ChangelogEntry] = field(default_factory=list)
    docs: dict[tuple[str, str], YamlDoc] = field(default_factory=dict)
    _known: Any = field(default=None, repr=False)

    @property
    def known(self) -> KnownSet:
        """The known tier (``known/``, plus the user's own imports), read on first use."""
        if self._known is None:
            from sekisho.catalog.known import load_known

            self._known = load_known(self.root)
        return self._known  # type: ignore[no-any-return]

    def entries(self, kind: str) -> dict[str, Any]:
        return dict(getattr(self, kind))

    def doc(self, kind: str, entry_id: str) -> YamlDoc | None:
        return self.docs.get((kind, entry_id))

    def service(self, service_id: str) -> Service:
        from sekisho.errors import NotFoundError, did_you_mean

        try:
            return self.services[service_id]
        except KeyError:
            raise NotFoundError(
                f"unknown service id {service_id!r}{did_you_mean(service_id, self.services)} "
                "(see `sekisho services` for the ids)"
            ) from None

    def operator_chain(self, operator_id: str) -> list[Operator]:
        """The operator and its parents up to the ultimate parent (cycles stop the walk)."""
        chain: list[Operator] = []
        seen: set[str] = set()
        current: str | None = operator_id
        while current and current not in seen and current in self.operators:
            seen.add(current)
            op = self.operators[current]
            chain.append(op)
            current = op.parent.value if op.parent else None
        return chain


def bundled_catalog_dir() -> Path:
    return Path(str(resources.files("sekisho") / "data" / "catalog"))


def _yaml() -> Any:
    """The round-trip parser, for a syntax error's message and line only (imported then: ruamel
    costs every command's start-up ~6 ms)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class _DatesAsText(RoundTripConstructor):
        """Keep dates as text, so a bad one (2025-13-45) becomes a schema error with its line."""

    _DatesAsText.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node)
    )
    y = YAML(typ="rt")
    y.Constructor = _DatesAsText
    y.allow_duplicate_keys = False
    return y


@cache
def _fast_loader() -> Any:
    """libyaml's safe loader, with dates kept as text (as the round-trip loader does) and duplicate
    keys refused. PyYAML is imported here: a catalog read from the caches never needs it."""
    import yaml

    class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
            for i, key in enumerate(keys):
                if key in keys[:i]:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", node.value[i][0].start_mark
                    )
            return yaml.SafeLoader.construct_mapping(self, node, deep=deep)

    FastLoader.yaml_implicit_resolvers = {
        k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return FastLoader


def read_yaml(path: Path) -> YamlDoc:
    """Parse one YAML file; a syntax error becomes a CatalogError with file and line.

    The fast C parser reads the data; the slower round-trip parser runs only when a finding needs
    the line of a key (and to tell the line of a syntax error precisely).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise CatalogError(f"not UTF-8 text ({e.reason})", Location(path)) from None
    except OSError as e:
        raise CatalogError(f"cannot read: {e.strerror}", Location(path)) from None
    data = parsecache.get(text)
    if data is parsecache.MISSING:
        data = _parse(path, text)
        parsecache.put(text, data)
    if isinstance(data, dict):
        for key in data:
            if not isinstance(key, str):
                raise CatalogError(f"invalid YAML: key {key!r} is not text", Location(path))
    return YamlDoc(path, data, text)


def _parse(path: Path, text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_fast_loader())  # noqa: S506 - CSafeLoader/SafeLoader
    except yaml.constructor.ConstructorError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 0
        raise CatalogError(f"invalid YAML: {e.problem}", Location(path, line)) from None
    except yaml.YAMLError:
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        try:  # the round-trip parser gives the better message and line
            _yaml().load(text)
        except MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else 0
            reason = (e.problem or e.context or "invalid YAML").strip()
            raise CatalogError(f"invalid YAML: {reason}", Location(path, line)) from None
        except (YAMLError, ValueError) as e:
            raise CatalogError(f"invalid YAML: {e}", Location(path)) from None
        raise CatalogError("invalid YAML", Location(path)) from None


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = (
            "missing (every fact needs value, source and as_of)"
            if loc.split(".")[-1]
            in (
                "source",
                "as_of",
                "value",
            )
            else "required field missing"
        )
    elif err["type"] == "extra_forbidden":
        msg = "unknown field"
    return f"{loc}: {msg}" if loc else msg


def validation_findings(doc: YamlDoc, error: ValidationError) -> list[Finding]:
    out = []
    for err in error.errors():
        keys = [p for p in err["loc"] if isinstance(p, (str, int))]
        out.append(Finding(doc.where(*keys), _describe(dict(err))))
    return out


def load_catalog(root: Path | None = None) -> tuple[Catalog, list[Finding]]:
    """Load every entry under ``root`` (default: the bundled catalog), collecting findings."""
    root = Path(root) if root is not None else bundled_catalog_dir()
    if not root.is_dir():
        raise CatalogError("catalog directory not found", Location(root))
    findings: list[Finding] = []
    meta_path = root / "catalog.yaml"
    meta = CatalogMeta(version="unversioned", date=dt.date(1970, 1, 1))
    if meta_path.exists():
        try:
            doc = read_yaml(meta_path)
            meta = CatalogMeta.model_validate(doc.data)
        except CatalogError as e:
            findings.append(Finding(e.source or Location(meta_path), e.message))
        except ValidationError as e:
            findings.extend(validation_findings(doc, e))
    else:
        findings.append(Finding(Location(meta_path), "missing catalog.yaml (version and date)"))
    cat = Catalog(root=root, meta=meta)

    for kind, model in KINDS.items():
        for path in _yaml_files(root / kind):
            try:
                doc = read_yaml(path)
            except CatalogError as e:
                findings.append(Finding(e.source or Location(path), e.message))
                continue
            if not isinstance(doc.data, dict):
                findings.append(Finding(Location(path, 1), "expected a mapping of fields"))
                continue
            try:
                entry = model.model_validate(doc.data)
            except ValidationError as e:
                findings.extend(validation_findings(doc, e))
                continue
            entry_id: str = getattr(entry, "id")  # noqa: B009 - every catalog kind has an id
            if entry_id != path.stem:
                findings.append(
                    Finding(doc.where("id"), f"id {entry_id!r} does not match file name {path.stem!r}")
                )
            store: dict[str, Any] = getattr(cat, kind)
            if entry_id in store:
                first = cat.docs[(kind, entry_id)].path
                findings.append(
                    Finding(doc.where("id"), f"duplicate {kind} id {entry_id!r} (also in {first})")
                )
                continue
            store[entry_id] = entry
            cat.docs[(kind, entry_id)] = doc

    changelog = root / "CHANGELOG.yaml"
    if changelog.exists():
        try:
            doc = read_yaml(changelog)
            items = doc.data or []
            if not isinstance(items, list):
                raise CatalogError("expected a list of changes", Location(changelog, 1))
            for i, item in enumerate(items):
                try:
                    cat.changelog.append(ChangelogEntry.model_validate(item))
                except ValidationError as e:
                    for f in validation_findings(doc, e):
                        findings.append(Finding(doc.where(i, *_first_key(e)), f.message))
            cat.docs[("changelog", "CHANGELOG")] = doc
        except CatalogError as e:
            findings.append(Finding(e.source or Location(changelog), e.message))
    return cat, findings


def _first_key(e: ValidationError) -> list[str | int]:
    errs = e.errors()
    return [p for p in errs[0]["loc"] if isinstance(p, (str, int))] if errs else []


def _yaml_files(directory: Path) -> Iterable[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
