"""CouchDB: ``/`` (welcome, version), then ``/_all_dbs`` (database names)."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step

UNAUTHORIZED = (Match(status=(401, 403)), Match(regex=r'"error"\s*:\s*"unauthorized"'))


class CouchDB(Probe):
    id: ClassVar[str] = "couchdb"
    title: ClassVar[str] = "CouchDB"
    title_ja: ClassVar[str] = "CouchDB"
    ports: ClassVar[tuple[int, ...]] = (5984,)
    references: ClassVar[tuple[str, ...]] = ("https://docs.couchdb.org/en/stable/intro/security.html",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/",
            identify=(Match(json=("couchdb", "version")),),
            auth=UNAUTHORIZED,
            extract=(Extract("version", json="version"),),
        ),
        Step(
            path="/_all_dbs",
            auth=UNAUTHORIZED,
            data=(Match(status=(200,), json_type="list"),),
            extract=(Extract("collections", json="*", reduce="list"),),
        ),
    )
