"""etcd: ``/version``, then the v3 gateway's key count (``count_only``: a read that returns no
keys) and the v2 key tree when the v2 API is on."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step

AUTH = (
    Match(status=(401,)),
    Match(regex=r"user name is empty|invalid auth token|permission denied|authentication is not enabled"),
)


class Etcd(Probe):
    id: ClassVar[str] = "etcd"
    title: ClassVar[str] = "etcd"
    title_ja: ClassVar[str] = "etcd"
    ports: ClassVar[tuple[int, ...]] = (2379,)
    references: ClassVar[tuple[str, ...]] = ("https://etcd.io/docs/v3.5/op-guide/authentication/rbac/",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/version",
            identify=(Match(json=("etcdserver",)),),
            extract=(Extract("version", json="etcdserver"),),
        ),
        Step(
            path="/v3/kv/range",
            method="POST",
            body='{"key": "AA==", "range_end": "AA==", "count_only": true}',
            auth=AUTH[:1] + (Match(regex=r"user name is empty|invalid auth token|permission denied"),),
            data=(Match(status=(200,), json=("header.revision",)),),
            extract=(Extract("records", json="count"),),
        ),
        Step(
            path="/v2/keys/?recursive=false",
            auth=AUTH[:1] + (Match(regex=r'"errorCode":\s*110'),),
            data=(Match(status=(200,), json=("node",)),),
            extract=(Extract("collections", json="node.nodes.*.key", reduce="list"),),
        ),
    )
