"""Windows event log files (``.evtx``): Sysmon event 22 (DNS query), read with ``python-evtx``.

``wevtutil epl Microsoft-Windows-Sysmon/Operational sysmon.evtx`` (or Event Viewer's "Save All
Events As…") writes the binary log; each record is rendered to its XML (the same XML
``wevtutil qe /f:xml`` prints) and Sysmon's event 22 gives a row: ``QueryName``, ``UtcTime`` (UTC),
``QueryStatus``, ``QueryResults``, the computer's name as client. Other records (other Sysmon
events, other providers) are skipped as "other record type". A record python-evtx cannot render
is malformed, reported as ``file:N`` with N its ``EventRecordID`` (Event Viewer's "Record ID").
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from sekisho.ingest.base import BinaryFormat
from sekisho.ingest.decoded import register_rows, rows_sql
from sekisho.ingest.sources import Compression, open_decompressed

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

ROWS_TABLE = "evtx_rows"
MAGIC = b"ElfFile\x00"
NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
PROVIDER = "Microsoft-Windows-Sysmon"


def event_of(xml: str) -> tuple[int, str, str, ET.Element, dict[str, str]]:
    """(EventRecordID, provider name, EventID, ``<System>``, EventData by name) of one record
    rendered as XML. Raises ValueError on XML that is not an event."""
    # python-evtx's own rendering of a record: no DTD, no entities (imported here: 3 ms of every
    # start-up otherwise)
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(xml)  # noqa: S314 - see the import
    except ET.ParseError as e:
        raise ValueError(f"record XML does not parse: {e}") from None
    system = root.find(f"{NS}System")
    if system is None:
        raise ValueError("record without <System>")
    record_id = int((system.findtext(f"{NS}EventRecordID") or "0").strip() or 0)
    provider = system.find(f"{NS}Provider")
    name = "" if provider is None else provider.get("Name", "")
    data = {d.get("Name", ""): (d.text or "") for d in root.iter(f"{NS}Data")}
    return record_id, name, (system.findtext(f"{NS}EventID") or "").strip(), system, data


def sysmon_dns(xml: str) -> tuple[int, dict[str, str]] | None:
    """(EventRecordID, EventData + Computer) of a Sysmon event 22 rendered as XML; None for
    another event. Raises ValueError on XML that is not an event."""
    record_id, provider, event_id, system, data = event_of(xml)
    if event_id != "22" or provider != PROVIDER:
        return None
    data["Computer"] = (system.findtext(f"{NS}Computer") or "").strip()
    return record_id, data


Picked = tuple[int, str, str | None, dict[str, str | None]]  # (EventRecordID, state, reason, row)


class SysmonEvtx(BinaryFormat):
    name: ClassVar[str] = "sysmon-evtx"
    title: ClassVar[str] = "Windows event log file (.evtx): Sysmon event 22 (DNS query)"
    kind = "dns"

    @staticmethod
    def matches_head(head: bytes) -> bool:
        return head.startswith(MAGIC)

    def pick(self, xml: str) -> Picked | None:
        """One record rendered as XML → (EventRecordID, state, reason, row), the row's keys
        ``ts`` (UTC, ``%Y-%m-%d %H:%M:%S.%g``), ``client``, ``name``, ``status``, ``answers``; None
        for a record of another kind ("other record type"). Raises ValueError on XML that is not
        an event. A format reading other events of the same files overrides this alone."""
        found = sysmon_dns(xml)
        if found is None:
            return None
        record_id, d = found
        row: dict[str, str | None] = {
            "ts": d.get("UtcTime"),
            "client": d.get("Computer") or None,
            "name": d.get("QueryName"),
            "status": d.get("QueryStatus"),
            "answers": d.get("QueryResults"),
        }
        if not d.get("QueryName"):
            return record_id, "skip", "record without a name", row
        return record_id, "ok", None, row

    def compile_duckdb(
        self, path: Path, compression: Compression, mtime: dt.datetime, con: Any
    ) -> tuple[str, int]:
        import tempfile

        import Evtx.Evtx as evtx

        rows: dict[str, list[Any]] = {
            k: [] for k in ("n", "ts", "client", "name", "status", "answers", "state", "reason")
        }

        def add(
            n: int, state: str, reason: str | None = None, row: dict[str, str | None] | None = None
        ) -> None:
            row = row or {}
            rows["n"].append(n)
            for k in ("ts", "client", "name", "status", "answers"):
                rows[k].append(row.get(k))
            rows["state"].append(state)
            rows["reason"].append(reason)

        with tempfile.TemporaryDirectory(prefix="sekisho-evtx-") as tmp:
            plain = path
            if compression != "none":  # python-evtx maps the file: give it a plain one
                plain = Path(tmp) / "log.evtx"
                with open_decompressed(path, compression) as src, open(plain, "wb") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
            with open(plain, "rb") as f:
                if f.read(8) != MAGIC:
                    raise ValueError("not an EVTX file (no ElfFile header)")
            with evtx.Evtx(str(plain)) as log:
                for i, rec in enumerate(log.records(), start=1):
                    try:
                        found = self.pick(rec.xml())
                    except (OSError, ValueError, KeyError, IndexError, OverflowError, UnicodeError) as e:
                        num = i  # the position stands in for an id that cannot be read
                        with contextlib.suppress(Exception):
                            num = int(rec.record_num())
                        add(num, "bad", f"unreadable record: {str(e)[:80]}")
                        continue
                    if found is None:
                        add(int(rec.record_num()), "skip", "other record type")
                    else:
                        add(*found)
        register_rows(
            con,
            ROWS_TABLE,
            {k: pa.array(v, pa.int64() if k == "n" else pa.string()) for k, v in rows.items()},
        )
        return rows_sql(
            "try_strptime(ts, '%Y-%m-%d %H:%M:%S.%g')", "answers", "'record ' || n", ROWS_TABLE
        ), 0
