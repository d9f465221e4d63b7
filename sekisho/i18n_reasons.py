"""Reasons, notes and status lines in the reader's language, at render time.

The scan stores (and prints in JSON) its reasons in English — ``blank line``, ``in the future``,
``does not match the zeek-dns line pattern`` — because tests and users' scripts read them. A
terminal, a report or a page in Japanese shows them through this table: each entry is a regular
expression over the English string and the message key (``reason.*`` in the message catalogs) it
becomes, its named groups the key's parameters. A group named ``reason``, ``note`` or ``detail``
is itself translated (``not read: cannot decompress (gzip): …``). A string no entry knows stays in
English — never blank.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sekisho.i18n import Lang, messages, text

_FMT = r"(?P<fmt>[\w.-]+)"
_N = r"(?P<n>[\d,]+)"
_PATH = r"(?P<path>.+?)"

# (pattern over the English string, message key). First match wins: specific before general.
TABLE: tuple[tuple[str, str], ...] = (
    # skipped lines, every format
    (r"blank line", "reason.blank_line"),
    (r"header line", "reason.header_line"),
    (r"directive", "reason.directive"),
    (r"line of another program", "reason.other_program"),
    (r"not a query record", "reason.not_query_record"),
    (r"(?P<program>[\w.-]+) message, not a query", "reason.program_message"),
    (r"other record type", "reason.other_record_type"),
    (r"record without a name", "reason.record_without_name"),
    (r"record without a destination", "reason.record_without_destination"),
    (r"record without a host", "reason.record_without_host"),
    (r"row without a name", "reason.row_without_name"),
    (r"query without a domain", "reason.query_without_domain"),
    # skipped lines, per format
    (r"reply, not a query", "reason.reply_not_query"),
    (r"answer to a question, not a query", "reason.answer_not_query"),
    (r"unbound message, not a query", "reason.unbound_message"),
    (r"dnsmasq reply/forward/cache line, not a query", "reason.dnsmasq_reply"),
    (r"dnsmasq service message", "reason.dnsmasq_service"),
    (r"BIND query error \(the query itself is logged apart\)", "reason.bind_query_error"),
    (r"BIND zone transfer", "reason.bind_zone_transfer"),
    (r"BIND RPZ rewrite", "reason.bind_rpz"),
    (r"BIND dynamic update / notify", "reason.bind_update"),
    (r"BIND zone load or maintenance", "reason.bind_zone_load"),
    (r"BIND resolver message", "reason.bind_resolver"),
    (r"BIND message of another category", "reason.bind_other_category"),
    (r"BIND server message \(start-up, shutdown, configuration\)", "reason.bind_server"),
    (r"other ASA/FTD message", "reason.asa_other"),
    (r"system event, no destination", "reason.fortigate_event"),
    (r"filter exception \(@@\), not a blocked domain", "reason.list_exception"),
    (r"cosmetic filter rule, not a domain", "reason.list_cosmetic"),
    (r"regular-expression filter rule", "reason.list_regex"),
    (r"URL filter rule, not a whole domain", "reason.list_url"),
    (r"other DNS Server event", "reason.dns_server_other"),
    (r"response sent \((?P<id>[^)]*)\), not a query", "reason.dns_server_response"),
    (r"response failure \((?P<id>[^)]*)\), not a query", "reason.dns_server_failure"),
    (r"the server's own recursive query \((?P<id>[^)]*)\)", "reason.dns_server_recursion"),
    (r"upstream response to the server's recursion \((?P<id>[^)]*)\)", "reason.dns_server_upstream"),
    (r"recursion timeout \((?P<id>[^)]*)\)", "reason.dns_server_timeout"),
    (r"event without a user identity \(a service event\)", "reason.service_event"),
    (r"query ignored by the server \((?P<id>[^)]*); its 256 is counted\)", "reason.dns_server_ignored"),
    (r"dynamic update \((?P<id>[^)]*)\)", "reason.dns_server_update"),
    (r"zone transfer or notify \((?P<id>[^)]*)\)", "reason.dns_server_xfr"),
    (r"dynamic update forwarding \((?P<id>[^)]*)\)", "reason.dns_server_update_forward"),
    (r"the server's internal lookup \((?P<id>[^)]*)\)", "reason.dns_server_internal"),
    (r"response rate limiting \((?P<id>[^)]*)\)", "reason.dns_server_rrl"),
    (r"QUERY_RECEIVED with EDNS details \(286\): only 256 is counted", "reason.dns_server_edns"),
    (
        r"audit event \(Microsoft-Windows-DNSServer/Audit: zone, record, cache or setting change\), no query",
        "reason.dns_server_audit",
    ),
    (r"response", "reason.response"),
    (r"the server's own query \(recursion, forwarding\)", "reason.server_own_query"),
    (r"header", "reason.header"),
    (r"other opcode or direction", "reason.other_opcode"),
    (r"not a CEF or LEEF record", "reason.not_cef"),
    (r"log header or non-packet line", "reason.log_header"),
    (
        r"a #Fields directive that differs from the first \(split the file here\)",
        "reason.w3c_fields_differ",
    ),
    (r"no DNS query, TLS/QUIC server name or HTTP Host", "reason.pcap_no_name"),
    (r"DNS response to a query already counted", "reason.pcap_response"),
    (r"not an IP packet", "reason.pcap_not_ip"),
    (r"link type (?P<link>\d+) or not IP", "reason.pcap_link"),
    (r"truncated or malformed link/IP header", "reason.pcap_bad_header"),
    (r"malformed DNS message", "reason.pcap_bad_dns"),
    (r"QUIC ClientHello: (?P<detail>.*)", "reason.pcap_quic"),
    (r"TLS ClientHello: (?P<detail>.*)", "reason.pcap_tls"),
    (r"HTTP request head longer than 64 KiB", "reason.pcap_http_long"),
    (r"packet record cut short", "reason.pcap_cut"),
    (
        r"(?P<type>(?:RESOLVER|FORWARDER|STUB|TOOL|UPDATE)_(?:QUERY|RESPONSE)): .*",
        "reason.dnstap_other",
    ),
    (r"dnstap message of type (?P<n>\d+)", "reason.dnstap_type"),
    (r"dnstap frame without a DNS message", "reason.dnstap_no_message"),
    (r"DNS message without a question", "reason.dns_no_question"),
    (r"not a dnstap message", "reason.dnstap_bad"),
    (r"dnstap message without its DNS message", "reason.dnstap_no_wire"),
    (r"frame cut short", "reason.dnstap_cut"),
    (r"unreadable record: (?P<detail>.*)", "reason.evtx_unreadable"),
    # malformed lines
    (r"does not match the " + _FMT + r" line pattern", "reason.no_pattern"),
    (r"does not match the windows-dns packet line", "reason.no_windows_dns_line"),
    (r"starts like a " + _FMT + r" record but does not match its pattern", "reason.starts_like"),
    (r"not a JSON object", "reason.not_json"),
    (
        r"no #Fields: directive before this record \(a W3C extended log names its fields first\)",
        "reason.w3c_no_fields",
    ),
    (r"control character in the name", "reason.control"),
    (r"not a DNS name", "reason.not_dns"),
    (r"not a client address", "reason.not_client"),
    (r"unreadable timestamp", "reason.unreadable_ts"),
    (r"timestamp out of range", "reason.ts_range"),
    (r"in the future", "reason.future"),
    (r"line longer than the reader's buffer \(over (?P<n>[\d,]+) bytes\)", "reason.overlong"),
    (r"too many columns: (?P<detail>.*)", "reason.too_many_columns"),
    (r"missing columns: (?P<detail>.*)", "reason.missing_columns"),
    (r"invalid unicode: (?P<detail>.*)", "reason.invalid_unicode"),
    (r"invalid encoding: (?P<detail>.*)", "reason.invalid_unicode"),
    (r"unquoted value: (?P<detail>.*)", "reason.unquoted"),
    (r"line size over maximum: (?P<detail>.*)", "reason.overlong_reader"),
    (r"cast error: (?P<detail>.*)", "reason.cast_error"),
    # notes of a file's entry
    (
        r"detected as " + _FMT + r" from its first lines, but " + _N + r" of (?P<lines>[\d,]+) lines "
        r"\((?P<share>[\d.]+%)\) could not be read as (?P=fmt)",
        "reason.partial_detection",
    ),
    (r"incomplete last line \((?P<n>\d+) bytes\) left for the next scan", "reason.incomplete_last"),
    (r"already scanned \(same content as " + _PATH + r"\): nothing new", "reason.already_scanned"),
    (r"continues " + _PATH + r" from line (?P<n>\d+)", "reason.continues_from_line"),
    (r"continues " + _PATH + r" after query id (?P<n>\d+)", "reason.continues_after_id"),
    (
        r"year-less stamps dated (?P<years>[\d–]+) \((?P<first>[\d-]+) to (?P<last>[\d-]+); given with "
        r"--year (?P<year>\d+)\)",
        "reason.year_given",
    ),
    (
        r"year-less stamps dated (?P<years>[\d–]+) \((?P<first>[\d-]+) to (?P<last>[\d-]+); inferred: the "
        r"latest not after the file's modification time (?P<mtime>[\d-]+ [\d:]+), rolled back across the "
        r"year boundary in the file; override with --year\)",
        "reason.year_inferred_rolled",
    ),
    (
        r"year-less stamps dated (?P<years>[\d–]+) \((?P<first>[\d-]+) to (?P<last>[\d-]+); inferred: the "
        r"latest not after the file's modification time (?P<mtime>[\d-]+ [\d:]+); override with --year\)",
        "reason.year_inferred",
    ),
    (r"not read: (?P<detail>.*)", "reason.not_read"),
    # errors (InputError, ReadError) as the CLI prints them
    (r"cannot decompress \((?P<compression>[\w-]+)\): (?P<detail>.*)", "reason.cannot_decompress"),
    (r"cannot read as " + _FMT + r": (?P<detail>.*)", "reason.cannot_read_as"),
    (
        r"--format "
        + _FMT
        + r" matches no line of this file \("
        + _N
        + r" malformed of (?P<lines>[\d,]+)\); "
        r"leave --format out to detect the format, or choose another",
        "reason.forced_no_match",
    ),
    (r"binary data, not a text log \(use --format to force one\)", "reason.binary"),
    (r"empty: no lines to read", "reason.empty"),
    (r"is a directory", "reason.is_directory"),
    (r"no such file", "reason.no_such_file"),
    (r"permission denied", "reason.permission_denied"),
    (r"nothing to scan: the paths hold no files", "reason.nothing_to_scan"),
    (r"not a Pi-hole query database \(pihole-FTL\.db\)", "reason.not_pihole"),
    (
        r"an SQLite database, but not a Pi-hole query database \(no queries table\)",
        "reason.sqlite_not_pihole",
    ),
    (r"the CSV has no header row naming its columns", "reason.csv_no_header"),
    (
        r"not a log format sekisho recognises \((?P<detail>.*)\); use --format with one of: (?P<known>.*)",
        "reason.not_a_log",
    ),
    (
        r"a JSON document spread over many lines, not one JSON object a line as JSON logs are; (?P<n>\d+) "
        r"lines? read",
        "reason.shape_json_document",
    ),
    (
        r"first line is (?P<size>\d+) bytes? of (?P<detail>.*) matching no known format; (?P<n>\d+) lines? read",
        "reason.shape_first_line",
    ),
    (r"JSON", "reason.shape_json"),
    (r"tab-separated text \((?P<n>\d+) fields\)", "reason.shape_tsv"),
    (r"comma-separated text \((?P<n>\d+) fields\)", "reason.shape_csv"),
    (r"text of (?P<n>\d+) words?", "reason.shape_words"),
    (r"no database yet: run `sekisho scan` first", "reason.no_database"),
    (r"the store is held by another process", "reason.store_held"),
    (r"Compressed file ended before the end-of-stream marker was reached", "reason.gzip_truncated"),
    (r"Not a gzipped file \((?P<magic>.*)\)", "reason.not_gzip"),
    (r"no such file or directory", "reason.no_such_file"),
    (r"(?P<path>.+): no such file or directory", "reason.path_no_such_file"),
    (r"unknown format '(?P<fmt>[^']*)'(?P<hint>.*); known: (?P<known>.*)", "reason.unknown_format"),
    (r" — did you mean (?P<choices>.*)\?", "reason.did_you_mean"),
    # `sekisho watch` status lines
    (
        r"following (?P<n>\d+) file\(s\) from the stored offsets; first batch committed \((?P<lines>\d+) "
        r"line\(s\)\)(?P<note> [\d.]+ s after start)?",
        "reason.watch_following_first",
    ),
    (
        r"following (?P<n>\d+) file\(s\) from the stored offsets; nothing new to read"
        r"(?P<note> [\d.]+ s after start)?",
        "reason.watch_following_nothing",
    ),
    (
        r"batch: (?P<lines>\d+) line\(s\) from (?P<files>\d+) file\(s\), (?P<alerts>\d+) alert\(s\)",
        "reason.watch_batch",
    ),
    (
        r"batch failed \((?P<kind>\w+): (?P<detail>.*)\); retrying in (?P<wait>\d+)s",
        "reason.watch_batch_failed",
    ),
    (
        r"lost: " + _PATH + r": (?P<n>\d+) of its (?P<size>\d+) bytes were never read \(rotated away or "
        r"deleted before the watcher reached them\)",
        "reason.watch_lost_bytes",
    ),
    (
        r"lost: " + _PATH + r": (?P<n>\d+) of its (?P<size>\d+) bytes were never read \(rotated away while "
        r"no watcher ran\)",
        "reason.watch_lost_bytes_stopped",
    ),
    (
        r"lost: "
        + _PATH
        + r": compressed copy \((?P<size>\d+) bytes\) deleted before it was read to the end",
        "reason.watch_lost_compressed",
    ),
    (
        r"lost: " + _PATH + r": rotated away while no watcher ran, before it was read to the end",
        "reason.watch_lost_rotated",
    ),
    (
        r"lost\?: " + _PATH + r" as read up to byte (?P<n>\d+) is on disk no more \(rotated away while no "
        r"watcher ran\): lines written to it after that were not read",
        "reason.watch_lost_maybe",
    ),
    (
        r"malformed: " + _PATH + r": (?P<n>\d+) line\(s\) could not be read as " + _FMT,
        "reason.watch_malformed",
    ),
    (r"  (?P<where>.+?:\d+): (?P<reason>.*)", "reason.watch_sample"),
    (r" (?P<secs>[\d.]+) s after start", "reason.watch_after_start"),
    (r"(?P<signal>SIG\w+): stopping after this batch", "reason.watch_stopping"),
    (
        r"starting: (?P<paths>.*) into (?P<db>.*); catalog (?P<version>\S+); sinks: (?P<sinks>.*)",
        "reason.watch_starting",
    ),
    (r"catalog (?P<old>\S+) → (?P<new>\S+): checking the services in use", "reason.watch_catalog"),
    (r"(?P<n>\d+) catalog-change alert\(s\)", "reason.watch_catalog_alerts"),
    (r"catalog not reloaded: (?P<detail>.*)", "reason.watch_catalog_not_reloaded"),
    (r"retention: (?P<detail>.*)", "reason.watch_retention"),
    (r"sink: (?P<detail>.*)", "reason.watch_sink"),
    (r"sign-ins: following (?P<n>\d+) file\(s\); (?P<alerts>\d+) new alert\(s\)", "reason.watch_signins"),
    (
        r"sign-ins: read (?P<n>\d+) changed file\(s\); (?P<alerts>\d+) new alert\(s\), (?P<sent>\d+) delivered",
        "reason.watch_signins_read",
    ),
    (r"sign-ins: error: (?P<detail>.*)", "reason.watch_signins_error"),
    # retention (sekisho/store/retention.py), after a scan or a watcher's batch
    (
        r"(?P<verb>rolled up|would roll up) (?P<n>[\d,]+) day rows \((?P<q>[\d,]+) queries, (?P<first>\S+) to "
        r"(?P<last>\S+)\) into monthly totals: older than detail-days (?P<days>\d+) before (?P<ref>\S+)",
        "reason.retention_rolled",
    ),
    (
        r"(?P<verb>expired|would expire) (?P<n>[\d,]+) rows \((?P<q>[\d,]+) queries, (?P<first>\S+) to "
        r"(?P<last>\S+)\): older than retention-days (?P<days>\d+) before (?P<ref>\S+)",
        "reason.retention_expired",
    ),
    (
        r"kept everything \(--keep-all\); `sekisho db set retention-days N` keeps more for good",
        "reason.retention_kept",
    ),
    (
        r"nothing to roll up or expire \(detail-days (?P<detail>\d+), retention-days (?P<keep>\d+), from (?P<ref>\S+)\)",
        "reason.retention_nothing",
    ),
    (r"Zeek header has no field\(s\) (?P<fields>.*)", "reason.zeek_no_fields"),
    # export warnings (sekisho/export/base.py)
    (
        r"this format blocks only the exact names listed, not the names under them \(a\.example\.com is "
        r"NOT blocked by example\.com\); prefer a DNS export",
        "reason.export_exact",
    ),
    # a malformed line's sample: the reason, then the line as read
    (r"(?P<reason>[^:']+?): (?P<quoted>'.*'|\".*\")", "reason.with_line"),
    # verbs of the retention lines (a group named verb is translated)
    (r"rolled up", "reason.verb_rolled"),
    (r"would roll up", "reason.verb_would_roll"),
    (r"expired", "reason.verb_expired"),
    (r"would expire", "reason.verb_would_expire"),
    (r"(?P<where>[^\s:]+?(?::\d+)?): (?P<note>.*)", "reason.where"),  # a path, then what of it
)
_TRANSLATED = {"reason", "note", "detail", "verb"}


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p, re.DOTALL), k) for p, k in TABLE)


def _one(s: str, lang: Lang) -> str | None:
    for pattern, key in _compiled():
        m = pattern.fullmatch(s)
        if m is None:
            continue
        params = {
            k: (translate(v, lang) if k in _TRANSLATED else v) for k, v in m.groupdict(default="").items()
        }
        if key == "reason.unknown_format" and params.get("hint"):
            params["hint"] = translate(params["hint"], lang)
        if "choices" in params:  # 'a' or 'b' → 'a'、'b'
            params["choices"] = params["choices"].replace(" or ", text("reason.or", lang))
        return text(key, lang, **params)
    return None


@lru_cache(maxsize=2048)
def translate(s: str, lang: Lang = "en") -> str:
    """``s`` (a reason, a file's note, an error or a watch line, in English) in ``lang``; in
    English when ``lang`` is ``en`` or no entry knows it. Notes joined with ``; `` are translated
    part by part (the longest known run of parts first)."""
    if lang == "en" or not s:
        return s
    whole = _one(s, lang)
    if whole is not None:
        return whole
    parts = s.split("; ")
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of parts an entry knows
            got = _one("; ".join(parts[i:j]), lang) if j - i < len(parts) else None
            if got is not None:
                out.append(got)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return text("reason.joiner", lang).join(out) if len(out) > 1 else out[0]


def reasons_known(lang: Lang = "ja") -> list[str]:
    """The table's keys missing from ``lang``'s messages (a test's check: none)."""
    have = messages(lang)
    return [k for _, k in TABLE if k not in have]


__all__ = ["TABLE", "reasons_known", "translate"]
