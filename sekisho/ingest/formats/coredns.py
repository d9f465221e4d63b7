"""CoreDNS's query log (the ``log`` plugin), in its default Common Log Format::

    [INFO] [::1]:50759 - 29008 "A IN example.org. udp 41 false 4096" NOERROR qr,rd,ra,ad 68 0.037990251s

(``{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode}
{>rflags} {rsize} {duration}``, written with ``log.Infof``; ``{combined}`` adds the opcode). A
record is one such line: CoreDNS writes it once the query is answered, so each line is one query.
CoreDNS's other messages (``[INFO] plugin/reload: …``, ``[WARNING] …``, ``[ERROR] plugin/errors:
…``, its start-up banner ``.:53``, ``CoreDNS-1.11.1``, ``linux/amd64, go1.21.1, …``) are skipped.
A custom ``log`` format line is not read (the line is malformed: it starts like a query record).

CoreDNS writes to standard output: ``kubectl logs`` gives the bare lines (no time: the file's),
``kubectl logs --timestamps`` and a Kubernetes node's container log files
(``/var/log/pods/…/coredns/0.log``: ``2024-01-02T03:04:05.123456789Z stdout F [INFO] …``) add an
ISO time, CoreDNS 1.5 stamped its lines itself (``2019-06-13T14:44:52.452Z [INFO] …``), and
journald or syslog wrap a CoreDNS run as a service: every one is an envelope
(:mod:`sekisho.ingest.envelope`). The client is ``{remote}`` (an IPv6 address without its brackets).
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

_START = r'^\[INFO\] (?:\[[0-9A-Fa-f:.]+\]|[0-9.]+):[0-9]+ - [0-9]+ "'


class CoreDns(LineRegexFormat):
    name = "coredns"
    title = "CoreDNS log plugin (Common or Combined Log Format; kubectl logs, container log files)"
    kind = "dns"
    signature = (_START + r"[A-Za-z0-9]+ [A-Z0-9]+ \S+ (?:udp|tcp) ",)
    signature_lines = 1
    priority = 30
    programs = ("coredns",)
    pattern = (
        r'^\[INFO\] (?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):[0-9]+ - [0-9]+ "([A-Za-z0-9]+) ([A-Z0-9]+) (\S+) '
        r'(?:udp|tcp) [0-9]+ (?:true|false) [0-9]+" ([A-Z0-9]+) \S* [0-9]+ [0-9.]+[a-zµ]*s(?: "?[A-Z0-9]*"?)?\s*$'
    )
    groups = ("client", "client_2", "qtype", "qclass", "name", "status")
    record_start = _START
    skips = (
        (
            "coredns message, not a query",
            r"^\[(?:INFO|WARNING|ERROR|DEBUG|FATAL)\] |^(?:[^\s:]*:[0-9]+|CoreDNS-[0-9][0-9.]*\S*|"
            r"[a-z0-9]+/[a-z0-9_]+, go[0-9.]+\S*, \S+)\s*$",
        ),
    )
    timestamp = Timestamp("none")
