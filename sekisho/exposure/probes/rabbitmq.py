"""RabbitMQ management API: ``/api/overview`` without credentials is always challenged, so the
probe reports ``protected``; with ``--default-logins`` it tries the documented default user
``guest``/``guest`` once, on ``/api/overview`` (a read), and an accepted login is a finding
(``rabbitmq_default_login``: version, queue and message totals)."""

from __future__ import annotations

from typing import ClassVar

from sekisho.exposure.probe import Extract, Match, Probe, Step

OVERVIEW = (
    Extract("version", json="rabbitmq_version"),
    Extract("cluster", json="cluster_name"),
    Extract("records", json="queue_totals.messages"),
    Extract("queues", json="object_totals.queues"),
)


class RabbitMQ(Probe):
    id: ClassVar[str] = "rabbitmq"
    title: ClassVar[str] = "RabbitMQ management"
    title_ja: ClassVar[str] = "RabbitMQ 管理画面"
    ports: ClassVar[tuple[int, ...]] = (15672,)
    references: ClassVar[tuple[str, ...]] = ("https://www.rabbitmq.com/docs/access-control#default-state",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/api/overview",
            identify=(
                Match(status=(401,), header=(("www-authenticate", r"RabbitMQ"),)),
                Match(status=(200,), json=("rabbitmq_version", "management_version")),
            ),
            data=(Match(status=(200,), json=("rabbitmq_version",)),),
            extract=OVERVIEW,
        ),
    )
    default_login: ClassVar[tuple[str, str] | None] = ("guest", "guest")
    default_login_steps: ClassVar[tuple[Step, ...]] = (
        Step(
            path="/api/overview", data=(Match(status=(200,), json=("rabbitmq_version",)),), extract=OVERVIEW
        ),
    )
