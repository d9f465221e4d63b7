"""Prometheus: build info, then the scrape targets (the internal network's map) and metric names."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step


class Prometheus(Probe):
    id: ClassVar[str] = "prometheus"
    title: ClassVar[str] = "Prometheus"
    title_ja: ClassVar[str] = "Prometheus"
    ports: ClassVar[tuple[int, ...]] = (9090,)
    references: ClassVar[tuple[str, ...]] = (
        "https://prometheus.io/docs/prometheus/latest/configuration/https/",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/api/v1/status/buildinfo",
            identify=(Match(json=("status", "data.version", "data.goVersion")),),
            extract=(Extract("version", json="data.version"),),
        ),
        Step(
            path="/api/v1/targets?state=active",
            data=(Match(status=(200,), json=("data.activeTargets",)),),
            extract=(
                Extract("targets", json="data.activeTargets.*", reduce="count"),
                Extract("collections", json="data.activeTargets.*.labels.job", reduce="list"),
            ),
        ),
        Step(
            path="/api/v1/label/__name__/values",
            data=(Match(status=(200,), json=("data",)),),
            extract=(Extract("metric_names", json="data.*", reduce="count"),),
        ),
    )
