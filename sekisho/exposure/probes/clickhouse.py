"""ClickHouse over HTTP: ``/`` ("Ok."), then ``SELECT``s — version, database names, row and byte
totals of the active parts. ClickHouse runs HTTP ``GET`` queries read-only (its HTTP interface
documentation: "GET method is readonly")."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote

from sekisho.exposure.probe import Extract, Match, Probe, Step

AUTH = (
    Match(status=(401, 403)),
    Match(regex=r"Code: (192|193|194|516)\b|Authentication failed|Wrong password|REQUIRED_PASSWORD"),
)


def q(sql: str) -> str:
    return "/?query=" + quote(sql, safe="")


class ClickHouse(Probe):
    id: ClassVar[str] = "clickhouse"
    title: ClassVar[str] = "ClickHouse"
    title_ja: ClassVar[str] = "ClickHouse"
    ports: ClassVar[tuple[int, ...]] = (8123,)
    references: ClassVar[tuple[str, ...]] = ("https://clickhouse.com/docs/interfaces/http",)
    steps: ClassVar[tuple[Step, ...]] = (
        Step(path="/", identify=(Match(status=(200,), regex=r"\AOk\.\s*\Z"),)),
        Step(
            path=q("SELECT version()"), auth=AUTH, extract=(Extract("version", regex=r"\A(\d[\w.-]*)\s*\Z"),)
        ),
        Step(
            path=q("SELECT name FROM system.databases FORMAT JSON"),
            auth=AUTH,
            data=(Match(status=(200,), json=("data",)),),
            extract=(Extract("collections", json="data.*.name", reduce="list"),),
        ),
        Step(
            path=q(
                "SELECT sum(rows) AS r, sum(bytes_on_disk) AS b FROM system.parts WHERE active FORMAT JSON"
            ),
            auth=AUTH,
            data=(Match(status=(200,), json=("data",)),),
            extract=(
                Extract("records", json="data.*.r", reduce="sum"),
                Extract("bytes", json="data.*.b", reduce="sum"),
            ),
        ),
    )
