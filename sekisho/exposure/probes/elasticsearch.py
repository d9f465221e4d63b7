"""Elasticsearch and OpenSearch: ``/`` (name, version, distribution), ``/_cluster/health``, and
``/_cat/indices`` (index names, document counts, sizes — never a document)."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step


class Elasticsearch(Probe):
    id: ClassVar[str] = "elasticsearch"
    title: ClassVar[str] = "Elasticsearch/OpenSearch"
    title_ja: ClassVar[str] = "Elasticsearch/OpenSearch"
    ports: ClassVar[tuple[int, ...]] = (9200,)
    references: ClassVar[tuple[str, ...]] = (
        "https://www.elastic.co/docs/deploy-manage/security/secure-your-cluster-deployment",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/",
            identify=(
                Match(json=("cluster_name", "version.number")),
                Match(status=(401,), header=(("www-authenticate", r'realm="security"|opensearch'),)),
            ),
            extract=(
                Extract("version", json="version.number"),
                Extract("distribution", json="version.distribution"),
                Extract("cluster", json="cluster_name"),
            ),
        ),
        Step(
            path="/_cluster/health",
            data=(Match(status=(200,), json=("status", "number_of_nodes")),),
            extract=(Extract("health", json="status"), Extract("nodes", json="number_of_nodes")),
        ),
        Step(
            path="/_cat/indices?format=json&bytes=b",
            data=(Match(status=(200,), json_type="list"),),
            extract=(
                Extract("collections", json="*.index", reduce="list"),
                Extract("records", json="*.docs.count", reduce="sum"),
                Extract("bytes", json="*.store.size", reduce="sum"),
            ),
        ),
    )
