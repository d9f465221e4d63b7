"""Jupyter (server, notebook, lab) without a token: ``/api`` (version), then ``/api/contents`` and
``/api/kernels``. An open Jupyter runs code as its user: a finding is high."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step

FORBIDDEN = (Match(status=(401, 403)),)


class Jupyter(Probe):
    id: ClassVar[str] = "jupyter"
    title: ClassVar[str] = "Jupyter"
    title_ja: ClassVar[str] = "Jupyter"
    ports: ClassVar[tuple[int, ...]] = (8888,)
    base_severity: ClassVar[str] = "high"
    references: ClassVar[tuple[str, ...]] = (
        "https://jupyter-server.readthedocs.io/en/latest/operators/security.html",
    )
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/api",
            identify=(Match(status=(200,), json=("version",), header=(("server", "tornado"),)),),
            extract=(Extract("version", json="version"),),
        ),
        Step(
            path="/api/contents",
            auth=FORBIDDEN,
            data=(Match(status=(200,), json=("type", "content")),),
            extract=(
                Extract("collections", json="content.*.name", reduce="list"),
                Extract("records", json="content.*", reduce="count"),
            ),
        ),
        Step(
            path="/api/kernels",
            auth=FORBIDDEN,
            data=(Match(status=(200,), json_type="list"),),
            extract=(Extract("kernels", json="*", reduce="count"),),
        ),
    )
