"""Exposure: read-only checks of the organisation's own data stores for open, unauthenticated
access (Elasticsearch, Redis, PostgreSQL, …). A probe is data (``probe.py``); one engine runs
them (``engine.py``); the output is :class:`sekisho.model.findings.Finding` with
``stage="exposure"``, one per open service, and a ``checked`` line for every target.

    >>> from sekisho.exposure import check
    >>> result = check(["10.0.0.5:9200"])          # doctest: +SKIP
"""

from __future__ import annotations

from sekisho.exposure.engine import Checked, CheckResult, Engine, severity
from sekisho.exposure.probe import Probe
from sekisho.exposure.probes.clickhouse import ClickHouse
from sekisho.exposure.probes.couchdb import CouchDB
from sekisho.exposure.probes.docker import DockerEngine
from sekisho.exposure.probes.elasticsearch import Elasticsearch
from sekisho.exposure.probes.etcd import Etcd
from sekisho.exposure.probes.jupyter import Jupyter
from sekisho.exposure.probes.kibana import Kibana
from sekisho.exposure.probes.memcached import Memcached
from sekisho.exposure.probes.mongodb import MongoDB
from sekisho.exposure.probes.mysql import MySQL
from sekisho.exposure.probes.postgresql import PostgreSQL
from sekisho.exposure.probes.prometheus import Prometheus
from sekisho.exposure.probes.rabbitmq import RabbitMQ
from sekisho.exposure.probes.redis import Redis
from sekisho.exposure.probes.s3 import S3
from sekisho.exposure.targets import TargetError, expand, parse_ports

PROBES: dict[str, type[Probe]] = {
    "redis": Redis,
    "memcached": Memcached,
    "postgresql": PostgreSQL,
    "mysql": MySQL,
    "etcd": Etcd,
    "prometheus": Prometheus,
    "elasticsearch": Elasticsearch,
    "kibana": Kibana,
    "couchdb": CouchDB,
    "docker": DockerEngine,
    "jupyter": Jupyter,
    "s3": S3,
    "clickhouse": ClickHouse,
    "mongodb": MongoDB,
    "rabbitmq": RabbitMQ,
}


def default_ports() -> list[int]:
    return sorted({p for cls in PROBES.values() for p in cls.ports})


def check(
    targets: list[str],
    ports: list[int] | None = None,
    *,
    allow_large: bool = False,
    timeout: float = 3.0,
    rate: float = 20.0,
    users: dict[str, str] | None = None,
    probes: list[str] | None = None,
    default_logins: bool = False,
) -> CheckResult:
    """Check every listed target on its port, or on ``ports``, or on every probe's default port."""
    chosen = {k: v for k, v in PROBES.items() if not probes or k in probes}
    pairs = expand(targets, ports or [], default_ports(), allow_large=allow_large)
    engine = Engine(chosen, timeout=timeout, rate=rate, users=users, default_logins=default_logins)
    return engine.check(pairs)


__all__ = [
    "PROBES",
    "CheckResult",
    "Checked",
    "Engine",
    "Probe",
    "TargetError",
    "check",
    "default_ports",
    "expand",
    "parse_ports",
    "severity",
]
