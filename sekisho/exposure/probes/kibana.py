"""Kibana: ``/api/status`` (name, version, overall level), then the saved objects API counting
dashboards and listing data view (index pattern) titles — the indices Kibana reads, never a
document or a dashboard's contents.

An unauthenticated ``/api/status`` of a Kibana with security answers 200 with only
``status.overall.level`` (the redacted answer): identified, not data-bearing. Its saved objects
API then answers 401 (``api``-tagged routes answer 401, never a redirect to ``/login``):
protected. Every Kibana answer carries a ``kbn-name`` header, which identifies a Kibana whose
``/api/status`` itself asks for authentication.
"""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step

_FOUND = (Match(status=(200,), json=("total", "saved_objects")),)


class Kibana(Probe):
    id: ClassVar[str] = "kibana"
    title: ClassVar[str] = "Kibana"
    title_ja: ClassVar[str] = "Kibana"
    ports: ClassVar[tuple[int, ...]] = (5601,)
    references: ClassVar[tuple[str, ...]] = (
        "https://www.elastic.co/docs/deploy-manage/security/secure-your-cluster-deployment",
        "https://github.com/elastic/kibana/blob/main/src/core/packages/status/server-internal/src/routes/status.ts",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/api/status",
            identify=(
                Match(json=("status.overall.level",)),  # v8 format, full or redacted
                Match(json=("version.number", "status.overall.state")),  # v7 format
                Match(header=(("kbn-name", "."),)),
            ),
            extract=(
                Extract("version", json="version.number"),
                Extract("name", json="name"),
                Extract("level", json="status.overall.level"),
                Extract("state", json="status.overall.state"),
            ),
        ),
        Step(
            path="/api/saved_objects/_find?type=dashboard&fields=title&per_page=1",
            data=_FOUND,
            extract=(Extract("dashboards", json="total"), Extract("records", json="total")),
        ),
        Step(
            path="/api/saved_objects/_find?type=index-pattern&fields=title&per_page=100",
            data=_FOUND,
            extract=(
                Extract("data_views", json="total"),
                Extract("collections", json="saved_objects.*.attributes.title", reduce="list"),
            ),
        ),
    )
