"""Match many names at once, inside DuckDB: registrable domain and catalog service in one query.

Every distinct name is expanded into its label suffixes (``a.b.example.co.jp`` → ``a.b.example.co.jp``,
``b.example.co.jp``, …, ``jp``), then joined with

* the full public-suffix list, ICANN and private sections, as the ``publicsuffixlist`` package
  ships it (normal, wildcard and exception rules; the PSL's default rule ``*`` when none matches),
  which gives the public suffix and so the registrable domain; and
* every domain and host name in the catalog, where the longest match names the service — a
  researched service first; only a name no researched entry claims goes to a known one.

This is the same answer :func:`sekisho.match.registrable_domain` gives for one name (tests compare
them), at a cost that does not grow with per-name Python calls.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from functools import lru_cache

import duckdb
import pyarrow as pa

from sekisho.catalog.known import entries_schema, known_entries
from sekisho.match.internal import classify_sql


def psl_text() -> str:
    """The public-suffix list shipped with the ``publicsuffixlist`` package (kept current by its
    releases; no network at run time): the one list both the bulk match and
    :func:`sekisho.match.registrable_domain` use."""
    return (importlib.resources.files("publicsuffixlist") / "public_suffix_list.dat").read_text(
        encoding="utf-8"
    )


@lru_cache(maxsize=1)
def psl_rules() -> pa.Table:
    """(rule, kind) for every rule of the full public-suffix list, ICANN and private sections
    (``uk.com``, ``github.io``: their sites are registrable domains of their own): kind ``normal``,
    ``wild`` (rule is the base after ``*.``), ``exc`` (rule is the name after ``!``). Compiled once
    per list and code (``sekisho.catalog.cache.compiled``)."""
    from sekisho.catalog.cache import compiled

    rules, kinds = compiled("psl-rules", psl_text(), _psl_rules)
    # typed arrays: pyarrow infers no type over the 10,000 strings (a few ms at every start)
    return pa.table({"rule": pa.array(rules, pa.string()), "kind": pa.array(kinds, pa.string())})


def _psl_rules(text: str) -> tuple[list[str], list[str]]:
    # tldextract's reader (imported here: with it come requests and urllib3, 0.1 s of start-up)
    from tldextract.suffix_list import extract_tlds_from_suffix_list

    icann, private = extract_tlds_from_suffix_list(text)
    rules, kinds = [], []
    for rule in [*icann, *private]:
        rule = rule.encode("idna").decode("ascii") if not rule.isascii() else rule
        if rule.startswith("*."):
            rules.append(rule[2:])
            kinds.append("wild")
        elif rule.startswith("!"):
            rules.append(rule[1:])
            kinds.append("exc")
        else:
            rules.append(rule)
            kinds.append("normal")
    return rules, kinds


KnownRow = tuple[str, str, bool, int]  # (name, known id, exact host only, rank: lower claims first)


def entries_table(catalog: dict[str, str], known: pa.Table | list[KnownRow] | None) -> pa.Table:
    """One row per catalog name with its priority: researched before known, an organisation's
    list before a category list, then the longer (more specific) name, then the rank. ``catalog``
    maps each researched domain/host name to its service id; ``known``: the known tier's names
    table (:meth:`sekisho.catalog.known.KnownSet.entries`) or its index rows
    (:meth:`~sekisho.catalog.known.KnownSet.index`). Built once per matcher
    (:class:`sekisho.match.NameMatcher`): 45,000 names."""
    schema = entries_schema()
    if not isinstance(known, pa.Table):
        known = known_entries(known or [])
    n = len(catalog)
    researched = pa.table(
        {
            "entry": list(catalog),
            "service_id": list(catalog.values()),
            "exact": [False] * n,
            "tier": [2] * n,
            "rank": [0] * n,
        },
        schema=schema,
    )
    return pa.concat_tables([researched, known])


def match_sql(
    con: duckdb.DuckDBPyConnection,
    names_table: str,
    out_table: str,
    entries: pa.Table,
    own_domains: Sequence[str] = (),
) -> None:
    """Create ``out_table(name, registrable, service_id, matched_on)`` for the names in
    ``names_table(name)`` against ``entries`` (:func:`entries_table`: every researched and known
    name with its priority). A name a researched entry claims is the researched service's; else the
    best known entry's (its id has a ``tier:`` prefix, e.g. ``v2fly:google``). Names under
    ``own_domains`` and names under a top-level domain the public-suffix list does not know are
    internal (:mod:`sekisho.match.internal`)."""
    # special-use and internal names (.arpa, .local, single labels, wpad…): sekisho.match.internal
    # (each condition evaluated once per name: the case number first, the id and entry from it)
    internal, internal_id, internal_on = classify_sql(
        "name", "labels", own_domains, tld_known="tld_known", which="_internal", address="_address"
    )
    con.execute("SELECT 1").fetchall()  # finish any pending result before registering
    con.register("psl_rules_arrow", psl_rules())
    con.register("catalog_names_arrow", entries)
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {out_table} AS
            WITH names AS (
                SELECT name, string_split(name, '.') AS labels FROM {names_table}
            ),
            -- (the label positions unnested in the select list: a lateral unnest in the FROM
            -- clause is decorrelated into a join, the half of this query's time)
            expanded AS (
                SELECT name, labels, unnest(generate_series(1, len(labels))) AS i FROM names
            ),
            cand AS (
                -- the parent: the suffix without its first label (a substring, not a second join)
                SELECT name, depth, suf, CASE WHEN depth > 1 THEN suf[length(first) + 2:] END AS parent
                FROM (SELECT name, len(labels) - i + 1 AS depth, array_to_string(labels[i:], '.') AS suf,
                             labels[i] AS first
                      FROM expanded)
            ),
            flagged AS (
                SELECT c.name, c.depth, c.suf,
                       n.rule IS NOT NULL AS is_normal, w.rule IS NOT NULL AS is_wild, e.rule IS NOT NULL AS is_exc,
                       cat.service_id, cat.tier * 100000 + c.depth * 10 - cat.rank AS priority
                FROM cand c
                LEFT JOIN psl_rules_arrow n ON n.kind = 'normal' AND n.rule = c.suf
                LEFT JOIN psl_rules_arrow w ON w.kind = 'wild' AND w.rule = c.parent
                LEFT JOIN psl_rules_arrow e ON e.kind = 'exc' AND e.rule = c.suf
                LEFT JOIN catalog_names_arrow cat ON cat.entry = c.suf AND (NOT cat.exact OR c.suf = c.name)
            ),
            per_name AS (
                -- (the labels split again after the grouping: cheaper than carrying the lists through it)
                SELECT name,
                       coalesce(max(depth) FILTER (WHERE is_exc) - 1,
                                max(depth) FILTER (WHERE is_normal OR is_wild), 1) AS ps_depth,
                       arg_max(service_id, priority) FILTER (WHERE service_id IS NOT NULL) AS service_id,
                       arg_max(suf, priority) FILTER (WHERE service_id IS NOT NULL) AS matched_on,
                       -- the last label is a PSL rule, or the base of a wildcard one (*.ck)
                       bool_or((depth = 1 AND is_normal) OR (depth = 2 AND is_wild)) AS tld_known
                FROM flagged GROUP BY name
            )
            SELECT name,
                   CASE WHEN _address THEN name  -- an address (v6 has a colon)
                        WHEN labels[-1] = 'local' THEN name  -- multicast DNS: no registrable domain
                        WHEN len(labels) > ps_depth THEN array_to_string(labels[len(labels) - ps_depth:], '.')
                        ELSE name END AS registrable,
                   -- a researched service the catalog lists wins (its entry says it is a destination),
                   -- then the internal kinds, then the known tier ('tier:' ids)
                   CASE WHEN _researched THEN service_id ELSE coalesce({internal_id}, service_id) END AS service_id,
                   CASE WHEN _researched THEN matched_on ELSE coalesce({internal_on}, matched_on) END AS matched_on
            FROM (
                SELECT *, CASE WHEN NOT _researched THEN {internal} END AS _internal
                FROM (
                    SELECT *, string_split(name, '.') AS labels, regexp_full_match(name, '[0-9.]+|\\[?[0-9a-f.]*:[0-9a-f:.]*\\]?') AS _address,
                           coalesce(NOT contains(service_id, ':'), false) AS _researched
                    FROM per_name))""")
    finally:
        con.execute("SELECT 1").fetchall()
        con.unregister("psl_rules_arrow")
        con.unregister("catalog_names_arrow")
