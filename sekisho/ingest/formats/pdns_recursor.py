"""PowerDNS Recursor's query log (``quiet=no``), in both of its forms.

A record is the message the Recursor writes when a question arrives. With structured logging (the
default since 4.6, ``structured-logging=yes``) that is::

    msg="Question" subsystem="syncres" level="0" prio="Info" tid="2" ts="1796190662.350" ecs=""
    mtid="1" proto="udp" qname="www.example.com" qtype="A" remote="127.0.0.1:58958"

(the fixed keys first, then the others in the order of their names; ``ts`` is the time in
seconds since 1970, so no envelope's year-less stamp is needed). With ``structured-logging=no``::

    3 [1/1] question for 'www.example.com|A' from 127.0.0.1:45071

(``TCP question`` for a question over TCP, `` (ecs subnet)`` after it when the client sent one; the
time is the envelope's). The ``Answer`` message
(``answer to question …``) that follows every question is skipped, so a query is counted once, and
so are the Recursor's service messages (start-up, housekeeping). The Recursor writes to syslog
(``pdns_recursor[pid]: ``; Debian's unit sends its standard output to journald as
``pdns-recursor``), or with ``--disable-syslog`` to standard error with its own
``Mmm dd hh:mm:ss`` stamp (``log-timestamp=yes``): every one is an envelope
(:mod:`sekisho.ingest.envelope`). The client is ``remote`` without its port (``[::1]:53`` → ``::1``).
"""

from __future__ import annotations

from sekisho.ingest.base import LineRegexFormat, Timestamp

# a remote address with its port: [IPv6]:port, IPv4:port, or an address alone
_REMOTE = r"(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)|([0-9A-Fa-f:.]+))(?::[0-9]+)?"
_OTHER_KEYS = r'(?: [A-Za-z_]+="[^"]*")*?'
_FIXED = r'subsystem="[^"]*" level="[^"]*" prio="[^"]*" tid="[^"]*" '
_STRUCTURED = (
    r'(?:^|\s)msg="Question" ' + _FIXED + r'ts="([0-9]+(?:\.[0-9]+)?)"'
    rf'{_OTHER_KEYS} qname="([^"]*)"{_OTHER_KEYS} qtype="([^"]*)"{_OTHER_KEYS} remote="{_REMOTE}"'
)
# "3 [1/1] question for" (the Recursor's own stamp envelope may take the leading thread number)
_THREAD = r"^(?:[0-9]+ )?\[[0-9]+/[0-9]+\] "
# (with use-incoming-edns-subnet, the client's subnet follows: " (ecs 10.1.2.0/24)")
_TEXT = _THREAD + r"(?:TCP )?question for '(.+)\|([A-Za-z0-9]+)' from " + _REMOTE + r"(?: \(ecs [^)]*\))?\s*$"

# What the Recursor writes besides questions and answers with structured-logging=no (start-up,
# housekeeping, shutdown): the messages seen from 4.8 on loopback, and its banner. Its first message
# reaches syslog before it names itself there (``host [pid]: Asked to run …``, a tag no envelope
# reads), so these are also found after such an empty tag.
_TEXT_SERVICE = (
    r"(?:^|\[[0-9]+\]: )(?:PowerDNS Recursor |Using \d+-bits mode|PowerDNS comes with|Enabling IPv[46] |NOT using IPv6|"
    r"allow-from|Will not send queries to|PowerDNS Recursor itself|Inserting |Will not overwrite|"
    r"Listening for |Enabled |Launching |Failed to update |Exception while performing security poll|"
    r"Asked to run with |Done priming cache|Refreshed |Loaded |Loading |Reading |Setting access|"
    r"Changed |Exiting on user request|Operating |Calling |Raised |Registering |Done |Starting |"
    r"Unable to |Not |Security status|Received |Recursor |"
    r"\[webserver\]|Socket |Warning: |Warning - |Error |Fatal )"
)


class PowerDnsRecursor(LineRegexFormat):
    name = "pdns-recursor"
    title = "PowerDNS Recursor query log (quiet=no; structured or text; syslog, journald, stderr)"
    kind = "dns"
    # any structured message (its fixed keys), a question or answer, or the banner it starts with
    signature = (
        r'(?:^|\s)msg="[^"]*" ' + _FIXED + r'ts="',
        _THREAD + r"(?:(?:TCP )?question for|answer to question) '",
        r"(?:^|\s)PowerDNS Recursor [0-9.]+\S* \(C\) ",
    )
    signature_lines = 1
    priority = 30
    programs = ("pdns_recursor", "pdns-recursor")
    pattern = _STRUCTURED + "|" + _TEXT
    groups = (
        "ts", "name", "qtype", "client", "client_2", "client_3",
        "name_2", "qtype_2", "client_4", "client_5", "client_6",
    )  # fmt: skip
    record_start = _THREAD + r"(?:TCP )?question for "
    skips = (
        (
            "answer to a question, not a query",
            r'(?:^|\s)msg="Answer" |' + _THREAD + r"answer to question '",
        ),
        # the reason its syslog program name gives the lines these do not list
        ("pdns_recursor message, not a query", r'(?:^|\s)msg="[^"]*" ' + _FIXED + "|" + _TEXT_SERVICE),
    )
    timestamp = Timestamp("epoch")  # the structured ts; a text line takes its envelope's
