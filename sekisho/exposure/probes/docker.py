"""Docker Engine API without TLS: ``/version``, ``/info`` and the container list. Whoever reaches
it runs containers as root on the host, so a finding is high whatever it counts."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step


class DockerEngine(Probe):
    id: ClassVar[str] = "docker"
    title: ClassVar[str] = "Docker Engine API"
    title_ja: ClassVar[str] = "Docker Engine API"
    ports: ClassVar[tuple[int, ...]] = (2375,)
    base_severity: ClassVar[str] = "high"
    references: ClassVar[tuple[str, ...]] = ("https://docs.docker.com/engine/security/protect-access/",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/version",
            identify=(Match(json=("ApiVersion", "Version")),),
            extract=(Extract("version", json="Version"), Extract("api_version", json="ApiVersion")),
        ),
        Step(
            path="/info",
            data=(Match(status=(200,), json=("Containers",)),),
            extract=(Extract("containers", json="Containers"), Extract("images", json="Images")),
        ),
        Step(
            path="/containers/json?all=1",
            data=(Match(status=(200,), json_type="list"),),
            extract=(Extract("collections", json="*.Image", reduce="list"),),
        ),
    )
