"""The catalog's *known* tier: services imported from openly licensed lists, never assessed.

Researched entries (``services/*.yaml``) carry facts and a rating. Known entries carry names, the
file, commit and licence they came from, and — when a maintainer's mapping names one — an
organisation (operator id). They come from

* ``known/v2fly.json.gz``: v2fly/domain-list-community (MIT), one entry per list file
  (``v2fly:<list>``); ``domain:`` and plain lines are names (with every name under them), ``full:``
  lines exact host names, ``@attr`` tags kept per name, ``include:`` kept as a reference;
  ``regexp:``/``keyword:`` lines are counted and skipped;
* ``known/psl-private.json.gz``: the Public Suffix List's private section (MPL-2.0), one entry per
  organisation block (``psl:<organisation>``);
* ``known/adguard-companies.json.gz``: AdGuard's companiesdb (CC BY-SA 4.0; itself built on
  whotracks.me), one entry per company (``adguard:<company>``) with the domains of its trackers, or
  per tracker when the database names no company; its names only count where no researched entry
  and no v2fly, PSL or vendor organisation list claims them (:meth:`KnownSet.index`);
* ``known/restricted-suffixes.yaml``: sekisho's own table of public suffixes whose registry admits
  only one kind of organisation (``.edu``, ``go.jp``, ``lg.jp``, ``ac.uk`` …), each row citing the
  registry's eligibility policy: every name under one is that kind of organisation
  (``suffix:<suffix>``, a group: it names a kind, the registrable domain names the organisation);
* ``known/vendor-endpoints.yaml``: sekisho's own table of the host names vendors publish for
  their products to reach (security vendors, OS and browser telemetry: allow-list pages), each
  row citing the vendor's page (``vendor:<id>``); its names count after v2fly and PSL
  organisation lists and before AdGuard (:data:`YIELDS`);
* ``known/organisation-sites.yaml``: sekisho's own table of the domains an organisation runs, each
  row citing the organisation's own legal notice, terms or about page on that domain (or a filing,
  a registry, a news report) that names the operating entity (``site:<id>``); ranked like the
  vendors' lists;
* the user's own imports (``sekisho catalog import ghostery|disconnect FILE``) under
  ``$SEKISHO_CACHE/known`` — sets under a non-commercial licence are never bundled.

Operators come from ``known/*-owners-*.yaml`` (``list-name: operator-id``; for PSL entries the
key is the organisation's slug). The files are produced by :func:`import_v2fly` and
:func:`import_psl` (run by maintainers, output committed; see docs/catalog-format.md).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from sekisho.errors import CatalogError, Location
from sekisho.model.known import KnownService, Provenance

__all__ = [
    "SITES",
    "VENDORS",
    "ImportReport",
    "KnownSet",
    "SourcedTable",
    "describe_known",
    "entries_schema",
    "import_adguard",
    "import_disconnect",
    "import_ghostery",
    "import_psl",
    "import_v2fly",
    "known_entries",
    "load_known",
    "load_organisation_sites",
    "load_restricted_suffixes",
    "load_sourced_rows",
    "load_vendor_endpoints",
    "owner_maps",
    "run_import",
    "user_known_dir",
    "write_known",
]

FORMAT = 1
# The priority rules of the known tier, all here (researched entries always come first; the
# matcher, sekisho.match.bulk, applies them): an organisation's list before a group (a category
# list, a restricted suffix), then the longer (more specific) name, then TIER_ORDER.
TIER_ORDER = ("v2fly", "psl", "vendor", "site", "adguard", "ghostery", "disconnect", "suffix")
# A tier here claims no name that an organisation's list of the tiers it maps to holds, nor any
# name under one: a vendor's endpoint list names the hosts its product contacts, not who owns a
# domain v2fly or the PSL attribute (so it comes after them whatever the depth); a tracker list
# names a company's tracking hosts, not who owns the rest of the domain (so AdGuard comes after
# v2fly, the PSL and sekisho's own vendor and site tables). A site row (an organisation's own
# domain, from its legal notice) yields to v2fly and the PSL like a vendor row.
YIELDS: dict[str, frozenset[str]] = {
    "vendor": frozenset({"v2fly", "psl"}),
    "site": frozenset({"v2fly", "psl"}),
    "adguard": frozenset({"v2fly", "psl", "vendor", "site"}),
}
SUFFIXES_FILE = "restricted-suffixes.yaml"
VENDORS_FILE = "vendor-endpoints.yaml"
SITES_FILE = "organisation-sites.yaml"
# v2fly lists that are aggregates or categories, not one organisation's names.
V2FLY_GROUP = re.compile(r"^(category-|geolocation-|tld-|cn$|private$)")
# Names no organisation owns: v2fly's `private` list is internal and special-use names.
V2FLY_SKIP = frozenset({"private"})
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?$")
_NAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)


def user_known_dir() -> Path:
    """Known sets the user imported: ``$SEKISHO_CACHE/known``, else the user cache directory."""
    env = os.environ.get("SEKISHO_CACHE")
    base = Path(env) if env else Path(user_cache_dir("sekisho", appauthor=False))
    return base / "known"


@dataclass
class ImportReport:
    """What an import read, kept and skipped — nothing is dropped without a count and a place."""

    dataset: str
    commit: str
    services: int = 0
    names: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "file:line: reason", the first few hundred

    def skip(self, reason: str, where: str | None = None) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if where is not None and len(self.problems) < 500:
            self.problems.append(f"{where}: {reason}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "commit": self.commit,
            "services": self.services,
            "names": self.names,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": self.problems,
        }


def _valid_name(name: str) -> bool:
    if "." not in name:
        return bool(_LABEL.match(name))  # a whole TLD an organisation runs (.goog, .chrome)
    return bool(_NAME.match(name)) and not name.rsplit(".", 1)[1].isdigit()


# --- v2fly/domain-list-community ------------------------------------------------------------


def _v2fly_files(path: Path) -> tuple[dict[str, str], str]:
    """The list files (name → text) and the commit, from a checkout or a bare git directory."""
    gitdir = path / ".git" if (path / ".git").exists() else path
    commit = "unknown"
    if (gitdir / "HEAD").is_file():
        try:
            # the maintainer's own git, on a directory they named; an argument list, no shell
            commit = subprocess.run(  # noqa: S603
                ["git", "--git-dir", str(gitdir), "rev-parse", "HEAD"],  # noqa: S607
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError) as e:
            raise CatalogError(f"cannot read the git commit: {e}", Location(path)) from None
    if (path / "data").is_dir():
        files = {p.name: p.read_text(encoding="utf-8") for p in (path / "data").iterdir() if p.is_file()}
        return files, commit
    if commit == "unknown":
        raise CatalogError("neither a checkout with data/ nor a git directory", Location(path))
    archive = subprocess.run(  # noqa: S603 - as above: git, an argument list, no shell
        ["git", "--git-dir", str(gitdir), "archive", "--format=tar", "HEAD", "data"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    files = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("data/"):
                fh = tar.extractfile(member)
                if fh is not None:
                    files[member.name.removeprefix("data/")] = fh.read().decode("utf-8")
    return files, commit


def import_v2fly(path: Path) -> tuple[dict[str, Any], ImportReport]:
    """Read v2fly/domain-list-community at ``path`` into the known-set document (see
    :func:`write_known`) and a report of what was skipped."""
    files, commit = _v2fly_files(Path(path))
    report = ImportReport("v2fly/domain-list-community", commit)
    public = icann_suffixes()
    rows = []
    for list_name in sorted(files):
        if list_name in V2FLY_SKIP:
            report.skip("list of internal/special-use names (not an organisation)", f"data/{list_name}")
            continue
        domains: dict[str, None] = {}
        hostnames: dict[str, None] = {}
        tags: dict[str, list[str]] = {}
        includes: list[str] = []
        for lineno, raw in enumerate(files[list_name].splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = f"data/{list_name}:{lineno}"
            parts = line.split()
            rule, attrs = parts[0], [p[1:] for p in parts[1:] if p.startswith("@")]
            if any(not p.startswith(("@", "&")) for p in parts[1:]):
                report.skip("not a domain name", where)  # words after the rule: not v2fly syntax
                continue
            kind, sep, value = rule.partition(":")
            if not sep:
                kind, value = "domain", rule
            value = value.strip().lower().rstrip(".")
            if kind == "include":
                includes.append(value + "".join(f" @{a}" for a in attrs))
                continue
            if kind in ("regexp", "keyword"):
                report.skip(f"{kind} rule (not a name)")
                continue
            if kind not in ("domain", "full"):
                report.skip(f"unknown rule type {kind!r}", where)
                continue
            if not _valid_name(value):
                report.skip("not a domain name", where)
                continue
            # A public suffix (com, ac.uk, in.th) is nobody's: kept only as a brand TLD an
            # organisation's own list names (goog, sony), never from a category list.
            if value in public and (V2FLY_GROUP.match(list_name) or "." in value):
                report.skip("public suffix (not one organisation's)", where)
                continue
            (domains if kind == "domain" else hostnames)[value] = None
            if attrs:
                tags.setdefault(value, []).extend(a for a in attrs if a not in tags.get(value, []))
        if not domains and not hostnames and not includes:
            report.skip("list without names", f"data/{list_name}")
            continue
        rows.append(
            {
                "id": f"v2fly:{list_name}",
                "name": list_name,
                "file": f"data/{list_name}",
                "domains": sorted(domains),
                "hostnames": sorted(hostnames),
                "tags": tags,
                "includes": includes,
                "group": bool(V2FLY_GROUP.match(list_name)),
            }
        )
        report.names += len(domains) + len(hostnames)
    report.services = len(rows)
    doc = known_doc(
        report,
        dataset="v2fly/domain-list-community",
        url="https://github.com/v2fly/domain-list-community",
        commit=commit,
        licence="MIT",
        rows=rows,
    )
    return doc, report


# --- Public Suffix List, private section ------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def import_psl(
    text: str, source: str = "tldextract/.tld_set_snapshot"
) -> tuple[dict[str, Any], ImportReport]:
    """The PSL's private section: one known service per organisation block. The block's first
    comment line names the organisation (``// Name : https://…``); submitters' personal names and
    addresses (``// Submitted by``) are not kept."""
    version = re.search(r"^// VERSION: (\S+)", text, re.M)
    commit = re.search(r"^// COMMIT: (\S+)", text, re.M)
    report = ImportReport("publicsuffix/list", commit.group(1) if commit else "unknown")
    begin = text.find("===BEGIN PRIVATE DOMAINS===")
    end = text.find("===END PRIVATE DOMAINS===")
    if begin < 0:
        raise CatalogError("no private section in the suffix list", Location(source))
    first_line = text.count("\n", 0, begin) + 2
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    block_name: str | None = None
    block_url: str | None = None
    names: list[str] = []

    def close() -> None:
        nonlocal names, block_name, block_url
        if names and block_name:
            slug = _slug(block_name)
            seen[slug] = seen.get(slug, 0) + 1
            if seen[slug] > 1:
                slug = f"{slug}-{seen[slug]}"
            rows.append(
                {
                    "id": f"psl:{slug}",
                    "name": block_name,
                    "file": "public_suffix_list.dat",
                    "url": block_url,
                    "domains": sorted(set(names)),
                    "hostnames": [],
                    "tags": {},
                    "includes": [],
                    "group": False,
                }
            )
            report.names += len(set(names))
        names, block_name, block_url = [], None, None

    body = text[begin : end if end > 0 else len(text)].splitlines()[1:]
    for offset, raw in enumerate(body):
        line = raw.strip()
        where = f"{source}:{first_line + offset}"
        if not line:
            close()
            continue
        if line.startswith("//"):
            comment = line[2:].strip()
            if block_name is None and not names and comment and not comment.startswith(("(", "Submitted")):
                name, _, url = comment.partition(" : ")
                block_name, block_url = name.strip(), (url.strip() or None)
            continue
        if line.startswith("!"):
            report.skip("exception rule")
            continue
        name = line.removeprefix("*.")
        name = name.encode("idna").decode("ascii") if not name.isascii() else name
        name = name.lower()
        if not _valid_name(name):
            report.skip("not a domain name", where)
            continue
        if block_name is None:
            report.skip("rule outside a named block", where)
            continue
        names.append(name)
    close()
    report.services = len(rows)
    doc = known_doc(
        report,
        dataset="publicsuffix/list (private section)",
        url="https://publicsuffix.org/list/public_suffix_list.dat",
        commit=report.commit + (f" ({version.group(1)})" if version else ""),
        licence="MPL-2.0",
        rows=rows,
    )
    return doc, report


def icann_suffixes() -> frozenset[str]:
    """The ICANN section's rules (``com``, ``co.jp``, wildcards without ``*.``), from the snapshot."""
    from tldextract.suffix_list import extract_tlds_from_suffix_list

    icann, _private = extract_tlds_from_suffix_list(bundled_psl_text()[0])
    out = set()
    for rule in icann:
        rule = rule.removeprefix("*.").removeprefix("!")
        out.add(rule.encode("idna").decode("ascii") if not rule.isascii() else rule)
    return frozenset(out)


def bundled_psl_text() -> tuple[str, str]:
    """The PSL snapshot tldextract ships (its text, and where it is)."""
    from importlib import resources

    ref = resources.files("tldextract") / ".tld_set_snapshot"
    return ref.read_text(encoding="utf-8"), "tldextract/.tld_set_snapshot"


# --- AdGuard companiesdb ---------------------------------------------------------------------


def _repo_commit(path: Path) -> tuple[Path | None, str]:
    """The git directory at ``path`` (a checkout or a bare/mirror git directory) and its HEAD."""
    gitdir = path / ".git" if (path / ".git").exists() else path
    if not (gitdir / "HEAD").is_file():
        return None, "unknown"
    try:
        # the maintainer's own git, on a directory they named; an argument list, no shell
        commit = subprocess.run(  # noqa: S603
            ["git", "--git-dir", str(gitdir), "rev-parse", "HEAD"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise CatalogError(f"cannot read the git commit: {e}", Location(path)) from None
    return gitdir, commit


def _repo_json(path: Path, gitdir: Path | None, rel: str) -> Any:
    """``rel`` from a checkout (the file itself) or from a git directory (``git show HEAD:rel``)."""
    if (path / rel).is_file():
        return _read_json(path / rel)
    if gitdir is None:
        raise CatalogError(f"no {rel} here (a companiesdb checkout or git directory)", Location(path))
    try:
        text = subprocess.run(  # noqa: S603 - as above: git, an argument list, no shell
            ["git", "--git-dir", str(gitdir), "show", f"HEAD:{rel}"],  # noqa: S607
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8")
        return json.loads(text)
    except (OSError, subprocess.CalledProcessError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CatalogError(f"cannot read {rel}: {e}", Location(path)) from None


def import_adguard(path: Path) -> tuple[dict[str, Any], ImportReport]:
    """AdGuard's companiesdb at ``path`` (``dist/trackers.json``: ``trackers`` and
    ``trackerDomains``; ``dist/companies.json``: ``companies``): one known entry per company with
    the domains of all its trackers, tagged with each tracker's category; a tracker the database
    gives no company is an entry of its own (named by the tracker)."""
    path = Path(path)
    gitdir, commit = _repo_commit(path)
    trackers_doc = _repo_json(path, gitdir, "dist/trackers.json")
    companies_doc = _repo_json(path, gitdir, "dist/companies.json")
    if not isinstance(trackers_doc, dict) or not isinstance(trackers_doc.get("trackerDomains"), dict):
        raise CatalogError("not a companiesdb dist/trackers.json (no 'trackerDomains')", Location(path))
    report = ImportReport("AdguardTeam/companiesdb", commit)
    trackers = trackers_doc.get("trackers") or {}
    companies = (companies_doc or {}).get("companies") or {} if isinstance(companies_doc, dict) else {}
    categories = {str(k): str(v) for k, v in (trackers_doc.get("categories") or {}).items()}
    public = icann_suffixes()
    per: dict[str, dict[str, Any]] = {}
    for domain, tracker_id in sorted(trackers_doc["trackerDomains"].items()):
        where = f"dist/trackers.json: trackerDomains: {domain}"
        tracker = trackers.get(tracker_id)
        if not isinstance(tracker, dict):
            report.skip("domain of a tracker the file does not describe", where)
            continue
        name = str(domain).strip().lower().rstrip(".")
        name = name.encode("idna").decode("ascii") if not name.isascii() else name
        if not _valid_name(name) or "." not in name:
            report.skip("not a domain name", where)
            continue
        if name in public:
            report.skip("public suffix (not one organisation's)", where)
            continue
        company_id = tracker.get("companyId")
        company = companies.get(company_id) if company_id else None
        if company_id and not isinstance(company, dict):
            report.skip("tracker of a company the file does not describe", where)
            continue
        if company is not None:
            key, label, url = (
                f"{company_id}",
                str(company.get("name") or company_id),
                company.get("websiteUrl"),
            )
        else:
            key, label, url = (
                f"tracker-{tracker_id}",
                str(tracker.get("name") or tracker_id),
                tracker.get("url"),
            )
        row = per.setdefault(key, {"name": label, "url": url, "domains": {}, "trackers": set()})
        row["trackers"].add(str(tracker_id))
        category = categories.get(str(tracker.get("categoryId")))
        tags = row["domains"].setdefault(name, [])
        if category and category not in tags:
            tags.append(category)
    rows = []
    seen: set[str] = set()
    for key in sorted(per):
        slug = _slug(key)
        if slug in seen:  # two keys with one slug ("a_b", "a-b"): keep both, apart
            slug = f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:6]}"
        seen.add(slug)
        row = per[key]
        rows.append(
            {
                "id": f"adguard:{slug}",
                "name": row["name"],
                "file": "dist/trackers.json",
                "url": row["url"] if isinstance(row["url"], str) and row["url"] else None,
                "domains": sorted(row["domains"]),
                "hostnames": [],
                "tags": {d: t for d, t in sorted(row["domains"].items()) if t},
                "includes": [],
                "group": False,
            }
        )
        report.names += len(row["domains"])
    report.services = len(rows)
    doc = known_doc(
        report,
        dataset="AdguardTeam/companiesdb",
        url="https://github.com/AdguardTeam/companiesdb",
        commit=commit,
        licence="CC-BY-SA-4.0",
        rows=rows,
    )
    return doc, report


# --- restricted-registration suffixes (sekisho's own research) -------------------------------

_SUFFIX_KEYS = ("suffix", "kind", "country", "registry", "source", "source_kind", "as_of", "read_on", "note")


def load_restricted_suffixes(known_dir: Path) -> list[dict[str, Any]]:
    """The rows of ``known/restricted-suffixes.yaml``: a public suffix whose registry admits only one
    kind of organisation, that kind (English, Japanese), its country and the registry's eligibility
    policy (source, kind of source, its date, when it was read). A row without its source is an error."""
    path = known_dir / SUFFIXES_FILE
    if not path.is_file():
        return []
    import yaml  # here: a catalog read from the caches never needs it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise CatalogError(f"cannot read the restricted suffixes: {e}", Location(path)) from None
    rows = data.get("suffixes") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CatalogError("expected `suffixes:` a list of rows", Location(path))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, 1):
        where = Location(path)
        if not isinstance(row, dict):
            raise CatalogError(f"row {i}: not a mapping", where)
        missing = [k for k in _SUFFIX_KEYS if not row.get(k)]
        if missing:
            raise CatalogError(f"row {i} ({row.get('suffix')}): missing {', '.join(missing)}", where)
        suffix = str(row["suffix"]).strip().lower().strip(".")
        if suffix in seen or not _valid_name(suffix):
            raise CatalogError(f"row {i}: {suffix!r} is a duplicate or not a domain name", where)
        if row["source_kind"] not in ("primary", "press", "secondary"):
            raise CatalogError(f"row {i} ({suffix}): source_kind must be primary, press or secondary", where)
        seen.add(suffix)
        out.append(dict(row) | {"suffix": suffix})
    return out


def _suffix_services(known_dir: Path, digest: str) -> list[KnownService]:
    out = []
    for row in load_restricted_suffixes(known_dir):
        suffix = row["suffix"]
        name = f"{row['kind']} (.{suffix}, {row['country']})"
        if row.get("kind_ja"):
            name += f" / {row['kind_ja']}"
        out.append(
            KnownService.model_construct(
                id=f"suffix:{suffix}",
                name=name,
                provenance=Provenance.model_construct(
                    dataset="sekisho restricted-registration suffixes",
                    file=f"known/{SUFFIXES_FILE}",
                    commit=digest,
                    licence="Apache-2.0",
                    url=str(row["source"]),
                ),
                domains=[suffix],
                hostnames=[],
                tags={suffix: ["restricted-registration", f"country:{row['country']}"]},
                includes=[],
                group=True,  # it names a kind of organisation; the registrable domain names which
                operator=None,
            )
        )
    return out


# --- sekisho's own sourced organisation tables: vendors' endpoint lists, organisations' sites ---

_VENDOR_KEYS = ("id", "name", "operator", "source", "source_kind", "as_of", "read_on", "note")
_VENDOR_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class SourcedTable:
    """One of sekisho's own tables of organisation rows, each citing the page that proves it: the
    file under ``known/``, its top-level key, the known-entry id prefix (its tier), the dataset's
    name and the tag every name of a row carries."""

    file: str
    key: str
    tier: str
    dataset: str
    tag: str


VENDORS = SourcedTable(VENDORS_FILE, "vendors", "vendor", "sekisho vendor endpoint lists", "vendor-endpoint")
SITES = SourcedTable(SITES_FILE, "sites", "site", "sekisho organisation sites", "organisation-site")
SOURCED_TABLES = (VENDORS, SITES)


def load_sourced_rows(known_dir: Path, table: SourcedTable) -> list[dict[str, Any]]:
    """The rows of one sourced table (``known/vendor-endpoints.yaml``: the host names a vendor's own
    documentation lists for its products to reach; ``known/organisation-sites.yaml``: the domains
    an organisation's own legal notice, terms or filing shows it runs), each row with the
    organisation (an operator id of the catalog, or its name), the page (source, kind of source,
    its date, when it was read) and what the page says (note). A row without its source, or with a
    name that is not a domain name, is an error."""
    path = known_dir / table.file
    if not path.is_file():
        return []
    import yaml  # here: a catalog read from the caches never needs it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise CatalogError(f"cannot read {table.dataset}: {e}", Location(path)) from None
    rows = data.get(table.key) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CatalogError(f"expected `{table.key}:` a list of rows", Location(path))
    public = icann_suffixes()
    out: list[dict[str, Any]] = []
    ids: set[str] = set()
    owner: dict[str, str] = {}  # name → row id: one row claims a name
    for i, row in enumerate(rows, 1):
        where = Location(path)
        if not isinstance(row, dict):
            raise CatalogError(f"row {i}: not a mapping", where)
        rid = str(row.get("id") or "")
        missing = [k for k in _VENDOR_KEYS if not row.get(k)]
        if missing:
            raise CatalogError(f"row {i} ({rid}): missing {', '.join(missing)}", where)
        if not _VENDOR_ID.match(rid) or rid in ids:
            raise CatalogError(f"row {i}: id {rid!r} is a duplicate or not lower-case-with-dashes", where)
        if row["source_kind"] not in ("primary", "press", "secondary"):
            raise CatalogError(f"row {i} ({rid}): source_kind must be primary, press or secondary", where)
        if not str(row["source"]).startswith(("https://", "http://")):
            raise CatalogError(f"row {i} ({rid}): source must be a URL", where)
        for key in ("as_of", "read_on"):
            if not isinstance(row[key], dt.date):
                raise CatalogError(f"row {i} ({rid}): {key} must be a date (YYYY-MM-DD)", where)
        names: dict[str, list[str]] = {}
        for key in ("domains", "hostnames"):
            values = row.get(key) or []
            if not isinstance(values, list):
                raise CatalogError(f"row {i} ({rid}): {key} must be a list", where)
            kept = []
            for value in values:
                name = str(value).strip().lower().rstrip(".")
                if not _valid_name(name) or "." not in name or name in public:
                    raise CatalogError(f"row {i} ({rid}): {value!r} is not a registrable name", where)
                if name in owner:
                    raise CatalogError(f"row {i} ({rid}): {name} is already row {owner[name]}'s", where)
                owner[name] = rid
                kept.append(name)
            names[key] = kept
        if not names["domains"] and not names["hostnames"]:
            raise CatalogError(f"row {i} ({rid}): no domains or hostnames", where)
        ids.add(rid)
        out.append(dict(row) | names)
    return out


def load_vendor_endpoints(known_dir: Path) -> list[dict[str, Any]]:
    """The rows of ``known/vendor-endpoints.yaml`` (:func:`load_sourced_rows`)."""
    return load_sourced_rows(known_dir, VENDORS)


def load_organisation_sites(known_dir: Path) -> list[dict[str, Any]]:
    """The rows of ``known/organisation-sites.yaml`` (:func:`load_sourced_rows`)."""
    return load_sourced_rows(known_dir, SITES)


def _sourced_services(
    catalog_root: Path, known_dir: Path, table: SourcedTable, digest: str
) -> list[KnownService]:
    """One known entry per row, ``<tier>:<id>``. ``operator`` is an operator id of the catalog when
    ``operators/<id>.yaml`` exists; a lower-case-with-dashes value that names no operator is an
    error (a misspelt id); anything else is the organisation's name, kept in the entry's name."""
    out = []
    for row in load_sourced_rows(known_dir, table):
        operator = str(row["operator"]).strip()
        name = str(row["name"])
        if (catalog_root / "operators" / f"{operator}.yaml").is_file():
            op_id: str | None = operator
        elif _VENDOR_ID.match(operator):
            raise CatalogError(
                f"{row['id']}: unknown operator {operator!r} (no operators/{operator}.yaml)",
                Location(known_dir / table.file),
            )
        else:
            op_id = None
            country = f", {row['country']}" if row.get("country") else ""
            name = f"{name} ({operator}{country})"
        tags = [table.tag] + ([f"country:{row['country']}"] if row.get("country") else [])
        out.append(
            KnownService.model_construct(
                id=f"{table.tier}:{row['id']}",
                name=name,
                provenance=Provenance.model_construct(
                    dataset=table.dataset,
                    file=f"known/{table.file}",
                    commit=digest,
                    licence="Apache-2.0",
                    url=str(row["source"]),
                ),
                domains=row["domains"],
                hostnames=row["hostnames"],
                tags={n: list(tags) for n in row["domains"] + row["hostnames"]},
                includes=[],
                group=False,
                operator=op_id,
            )
        )
    return out


# --- user-supplied, non-commercial sets (never bundled) ---------------------------------------


def _user_rows(
    org_domains: Mapping[str, tuple[str, Iterable[str], str | None]], report: ImportReport, file: str
) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(org_domains):
        name, doms, category = org_domains[key]
        kept = []
        for d in doms:
            d = str(d).strip().lower().rstrip(".")
            if _valid_name(d):
                kept.append(d)
            else:
                report.skip("not a domain name", f"{file}: {key}: {d!r}")
        if not kept:
            report.skip("organisation without names", f"{file}: {key}")
            continue
        rows.append(
            {
                "id": f"{report.dataset}:{_slug(key)}",
                "name": name,
                "file": file,
                "domains": sorted(set(kept)),
                "hostnames": [],
                "tags": {d: [category] for d in sorted(set(kept))} if category else {},
                "includes": [],
                "group": False,
            }
        )
        report.names += len(set(kept))
    report.services = len(rows)
    return rows


def known_doc(
    report: ImportReport,
    *,
    dataset: str,
    url: str | None,
    commit: str,
    licence: str,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """An imported set as written to ``known/``: its provenance, what was skipped, its entries."""
    return {
        "format": FORMAT,
        "dataset": dataset,
        "url": url,
        "commit": commit,
        "licence": licence,
        "imported_on": dt.date.today().isoformat(),
        "skipped": dict(sorted(report.skipped.items())),
        "services": rows,
    }


def _user_doc(report: ImportReport, url: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return known_doc(
        report, dataset=report.dataset, url=url, commit=report.commit, licence="CC-BY-NC-SA-4.0", rows=rows
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CatalogError(f"not a JSON file: {e}", Location(path)) from None


def import_ghostery(path: Path) -> tuple[dict[str, Any], ImportReport]:
    """Ghostery's trackerdb export (``trackerdb.json``: ``organizations``, ``patterns`` with
    ``organization`` and ``domains``): one known service per organisation."""
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), dict):
        raise CatalogError("not a Ghostery trackerdb export (no 'patterns')", Location(path))
    report = ImportReport("ghostery", str(data.get("version") or data.get("timeUpdated") or "user file"))
    orgs = data.get("organizations") or {}
    per: dict[str, tuple[str, list[str], str | None]] = {}
    for pid, pattern in data["patterns"].items():
        if not isinstance(pattern, dict):
            report.skip("pattern is not an object", f"{Path(path).name}: {pid}")
            continue
        org = pattern.get("organization") or pid
        org_name = (orgs.get(org) or {}).get("name") if isinstance(orgs.get(org), dict) else None
        entry = per.setdefault(str(org), (str(org_name or org), [], pattern.get("category")))
        entry[1].extend(pattern.get("domains") or [])
    rows = _user_rows(per, report, Path(path).name)
    return _user_doc(report, "https://github.com/ghostery/trackerdb", rows), report


def import_disconnect(path: Path) -> tuple[dict[str, Any], ImportReport]:
    """Disconnect's ``services.json`` (``categories`` → [{org: {homepage: [domains]}}])."""
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise CatalogError("not a Disconnect services.json (no 'categories')", Location(path))
    report = ImportReport("disconnect", "user file")
    per: dict[str, tuple[str, list[str], str | None]] = {}
    for category, entries in data["categories"].items():
        for item in entries if isinstance(entries, list) else []:
            if not isinstance(item, dict):
                report.skip("entry is not an object", f"{Path(path).name}: {category}")
                continue
            for org, sites in item.items():
                doms = [d for v in (sites or {}).values() if isinstance(v, list) for d in v]
                entry = per.setdefault(org, (org, [], str(category).lower()))
                entry[1].extend(doms)
    rows = _user_rows(per, report, Path(path).name)
    return _user_doc(report, "https://github.com/disconnectme/disconnect-tracking-protection", rows), report


# --- files -------------------------------------------------------------------------------------


def write_known(doc: Mapping[str, Any], out: Path) -> None:
    """Write a known-set document as deterministic gzip'd JSON (no timestamp in the gzip header)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(data)
    tmp.replace(out)


def owner_maps(directory: Path) -> tuple[dict[str, str], list[tuple[Path, str]]]:
    """``known/*-owners-*.yaml`` merged: list name (or PSL slug) → operator id; and the problems."""
    owners: dict[str, str] = {}
    problems: list[tuple[Path, str]] = []
    for path in sorted(directory.glob("*-owners-*.yaml")) if directory.is_dir() else []:
        import yaml  # here: a catalog read from the caches never needs it

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            problems.append((path, f"cannot read owner mapping: {e}"))
            continue
        if not isinstance(data, dict):
            problems.append((path, "expected a mapping list-name: operator-id"))
            continue
        for key, op in data.items():
            if not isinstance(op, str):
                problems.append((path, f"{key}: operator id must be text"))
                continue
            owners.setdefault(str(key), op)
    return owners, problems


# The columns of the catalog's names table (sekisho.match.bulk): the name, the service or known id,
# exact host only, the tier (2 researched, 1 an organisation's list, 0 a group) and the rank
ENTRY_FIELDS = (
    ("entry", "string"),
    ("service_id", "string"),
    ("exact", "bool_"),
    ("tier", "int32"),
    ("rank", "int32"),
)


def entries_schema() -> Any:
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in ENTRY_FIELDS])


def known_entries(rows: list[tuple[str, str, bool, int]]) -> Any:
    """The known tier's index rows (:meth:`KnownSet.index`) as rows of the names table: a rank of
    10 or more is a group's (a category list, a restricted suffix: tier 0, below an organisation's
    list, tier 1)."""
    import pyarrow as pa

    return pa.table(
        {
            "entry": [r[0] for r in rows],
            "service_id": [r[1] for r in rows],
            "exact": [r[2] for r in rows],
            "tier": [0 if r[3] >= 10 else 1 for r in rows],
            "rank": [r[3] % 10 for r in rows],
        },
        schema=entries_schema(),
    )


@dataclass
class KnownSet:
    """Every known entry of a catalog, by id, with the tier order each name is claimed in."""

    services: dict[str, KnownService] = field(default_factory=dict)
    owner_problems: list[tuple[Path, str]] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    digest: str = ""  # of the files read: names matched under another digest are matched again

    def entries(self) -> Any:
        """:meth:`index` as the Arrow table the bulk match joins (:func:`known_entries`)."""
        return known_entries(self.index())

    def index(self) -> list[tuple[str, str, bool, int]]:
        """(name, known id, exact, rank) per name: the lower rank claims a name several lists hold
        (an organisation's list before a category list, then the tier order, then the smaller list);
        a yielding tier (:data:`YIELDS`) claims nothing the lists it yields to hold."""
        out: dict[tuple[str, bool], tuple[int, int, str]] = {}
        # per tier, the names its organisation lists hold (each with every name under it)
        held_domains: dict[str, set[str]] = {}
        held_hosts: dict[str, set[str]] = {}
        for ks in self.services.values():
            if not ks.group:
                tier = ks.id.split(":", 1)[0]
                held_domains.setdefault(tier, set()).update(ks.domains)
                held_hosts.setdefault(tier, set()).update(ks.hostnames)

        def held(name: str, tiers: frozenset[str]) -> bool:
            labels = name.split(".")
            suffixes = [".".join(labels[i:]) for i in range(len(labels))]
            return any(
                name in held_hosts.get(t, ()) or any(s in held_domains.get(t, ()) for s in suffixes)
                for t in tiers
            )

        for ks in self.services.values():
            tier = ks.id.split(":", 1)[0]
            yields_to = YIELDS.get(tier, frozenset())
            rank = (1 if ks.group else 0) * 10 + (TIER_ORDER.index(tier) if tier in TIER_ORDER else 9)
            size = len(ks.domains) + len(ks.hostnames)
            for names, exact in ((ks.domains, False), (ks.hostnames, True)):
                for n in names:
                    if yields_to and held(n, yields_to):
                        continue
                    key = (n, exact)
                    cand = (rank, size, ks.id)
                    if key not in out or cand < out[key]:
                        out[key] = cand
        return [(n, sid, exact, rank) for (n, exact), (rank, _size, sid) in out.items()]


def _load_doc(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rb") as fh:
            doc = json.loads(fh.read())
    except (OSError, EOFError, json.JSONDecodeError) as e:
        raise CatalogError(f"cannot read known set: {e}", Location(path)) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CatalogError(f"not a known-set file of format {FORMAT}", Location(path))
    return doc


def load_known(catalog_root: Path, user_dir: Path | None = None) -> KnownSet:
    """The known tier of the catalog at ``catalog_root`` (``known/*.json.gz``), plus the user's own
    imports (``user_dir``, default :func:`user_known_dir`), with owners applied."""
    known_dir = catalog_root / "known"
    owners, problems = owner_maps(known_dir)
    ks = KnownSet(owner_problems=problems, owners=owners)
    paths = sorted(known_dir.glob("*.json.gz")) if known_dir.is_dir() else []
    udir = user_dir if user_dir is not None else user_known_dir()
    paths += sorted(udir.glob("*.json.gz")) if udir.is_dir() else []
    hasher = hashlib.sha256()
    for path in sorted(known_dir.glob("*-owners-*.yaml")) if known_dir.is_dir() else []:
        hasher.update(path.read_bytes())
    suffixes = known_dir / SUFFIXES_FILE
    if suffixes.is_file():
        data = suffixes.read_bytes()
        hasher.update(data)
        suffix_digest = hashlib.sha256(data).hexdigest()[:12]
        for svc in _suffix_services(known_dir, suffix_digest):
            ks.services[svc.id] = svc
        ks.datasets.append(
            {
                "dataset": "sekisho restricted-registration suffixes",
                "url": None,
                "commit": suffix_digest,
                "licence": "Apache-2.0",
                "imported_on": None,
                "path": str(suffixes),
                "services": sum(1 for sid in ks.services if sid.startswith("suffix:")),
            }
        )
    for path in paths:
        hasher.update(path.read_bytes())
        doc = _load_doc(path)
        ks.datasets.append(
            {k: doc.get(k) for k in ("dataset", "url", "commit", "licence", "imported_on")}
            | {"path": str(path), "services": len(doc.get("services", []))}
        )
        for row in doc.get("services", []):
            prov = Provenance.model_construct(
                dataset=doc["dataset"],
                file=row["file"],
                commit=doc["commit"],
                licence=doc["licence"],
                url=row.get("url") or doc.get("url"),
            )
            key = row["id"].split(":", 1)[1]
            # Trusted, generated data: constructed without re-validation (tests validate it).
            ks.services[row["id"]] = KnownService.model_construct(
                id=row["id"],
                name=row["name"],
                provenance=prov,
                domains=row["domains"],
                hostnames=row["hostnames"],
                tags=row["tags"],
                includes=row.get("includes", []),
                group=row["group"],
                operator=owners.get(key) or owners.get(row["id"]),
            )
    sourced = [known_dir / t.file for t in SOURCED_TABLES if (known_dir / t.file).is_file()]
    for table in SOURCED_TABLES:
        path = known_dir / table.file
        if not path.is_file():
            continue
        data = path.read_bytes()
        hasher.update(data)
        table_digest = hashlib.sha256(data).hexdigest()[:12]
        found = _sourced_services(catalog_root, known_dir, table, table_digest)
        for svc in found:
            ks.services[svc.id] = svc
        ks.datasets.append(
            {
                "dataset": table.dataset,
                "url": None,
                "commit": table_digest,
                "licence": "Apache-2.0",
                "imported_on": None,
                "path": str(path),
                "services": len(found),
            }
        )
    ks.digest = hasher.hexdigest()[:12] if paths or suffixes.is_file() or sourced else ""
    return ks


def _import_ip_ranges(path: Path) -> tuple[dict[str, Any], ImportReport]:
    """The operators' published IP ranges (:mod:`sekisho.catalog.ipranges`, imported on use)."""
    from sekisho.catalog.ipranges import import_ip_ranges

    return import_ip_ranges(path)


# What `sekisho catalog import KIND PATH` runs: (reader, output file name, bundled?).
IMPORTERS: dict[str, tuple[Any, str, bool]] = {
    "v2fly": (import_v2fly, "v2fly.json.gz", True),
    "psl": (import_psl, "psl-private.json.gz", True),
    "adguard-companies": (import_adguard, "adguard-companies.json.gz", True),
    "ghostery": (import_ghostery, "ghostery.json.gz", False),
    "disconnect": (import_disconnect, "disconnect.json.gz", False),
    "ip-ranges": (_import_ip_ranges, "ip-ranges.json.gz", True),
}


def run_import(kind: str, path: Path | None, out_dir: Path | None = None) -> tuple[Path, ImportReport]:
    """Import one openly licensed set into ``out_dir``: the bundled catalog's ``known/`` for the
    maintainers' sets (v2fly, psl, adguard-companies), the user's cache for non-commercial sets (ghostery,
    disconnect), which are never written into the package."""
    if kind not in IMPORTERS:
        raise CatalogError(f"unknown import {kind!r}; choose one of: {', '.join(IMPORTERS)}")
    reader, file_name, bundled = IMPORTERS[kind]
    if kind == "psl":
        text, where = (Path(path).read_text(encoding="utf-8"), str(path)) if path else bundled_psl_text()
        doc, report = import_psl(text, where)
    else:
        if path is None:
            raise CatalogError(f"`catalog import {kind}` needs the path of the data")
        doc, report = reader(Path(path))
    if out_dir is None:
        from sekisho.catalog.loader import bundled_catalog_dir

        out_dir = bundled_catalog_dir() / "known" if bundled else user_known_dir()
    if not bundled:
        from sekisho.catalog.loader import bundled_catalog_dir

        if Path(out_dir).resolve().is_relative_to(bundled_catalog_dir().resolve()):
            raise CatalogError(
                f"{kind} data is CC BY-NC-SA: it is never written into the bundled catalog",
                Location(out_dir),
            )
    out = Path(out_dir) / file_name
    write_known(doc, out)
    return out, report


def describe_known(catalog: Any, known_id: str) -> dict[str, Any]:
    """A known entry as the list, ``show`` and JSON present it: never with a level."""
    from sekisho.errors import NotFoundError

    ks = catalog.known.services.get(known_id)
    if ks is None:
        raise NotFoundError(f"unknown service id {known_id!r} (see `sekisho services --known` for the ids)")
    chain = catalog.operator_chain(ks.operator) if ks.operator else []
    return {
        "id": ks.id,
        "name": ks.name,
        "tier": "known",
        "assessed": False,
        "status": "known — not assessed",
        "group": ks.group,
        "operator": chain[0].name if chain else None,
        "operator_id": ks.operator,
        "operator_country": chain[0].country.value if chain else None,
        "ultimate_parent": chain[-1].name if chain else None,
        "domains": list(ks.domains),
        "hostnames": list(ks.hostnames),
        "tags": dict(ks.tags),
        "includes": list(ks.includes),
        "provenance": ks.provenance.model_dump(),
    }
