"""The reason table (sekisho/i18n_reasons.py, issue 13 item 3): a scan's stored English reasons,
notes and errors shown in Japanese at render time — and the stored strings left as they are.

Reasons are taken from real scans of real files, not typed here: a test that typed both the
English and its pattern would only check the table against itself."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sekisho import api
from sekisho.cli.main import app
from sekisho.i18n import messages, text
from sekisho.i18n_reasons import TABLE, reasons_known, translate

WIDE = {"COLUMNS": "250"}  # rich wraps at the terminal's width: one line a message here
ASCII_SENTENCE = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}")  # three English words in a row

# An Unbound log with a query, a reply, an unbound message, a blank line, a line of no format, a
# name that is no DNS name and a stamp in the future (2100-01-01).
UNBOUND = (
    "[1700000000] unbound[1:0] info: 10.0.0.2 www.example.org. A IN\n"
    "[1700000000] unbound[1:0] reply: 10.0.0.2 www.example.org. A IN NOERROR 0.1 0 50\n"
    "[1700000000] unbound[1:0] notice: init module 0: validator\n"
    "\n"
    "garbage here\n"
    "[1700000000] unbound[1:0] info: 10.0.0.2 bad_name!!. A IN\n"
    "[4102444800] unbound[1:0] info: 10.0.0.2 www.example.org. A IN\n"
)


def _zeek(tmp: Path) -> Path:
    """A Zeek dns.log: #-header lines (skipped as header lines) and a record with a control
    character in its name."""
    fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id",
              "query", "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC",
              "RD", "RA", "Z", "answers", "TTLs", "rejected"]  # fmt: skip
    row = ["1763251200.0", "C1", "10.0.0.9", "5353", "10.0.0.1", "53", "udp", "1", "{q}", "1", "C_INTERNET",
           "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0", "-", "-", "F"]  # fmt: skip
    head = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tdns",
            "#open\t2026-11-16-00-00-00", "#fields\t" + "\t".join(fields), "#types\t" + "\t".join("string" for _ in fields)]  # fmt: skip
    body = ["\t".join(row).replace("{q}", q) for q in ("www.example.com", "bad\x01name.example.com")]
    p = tmp / "dns.log"
    p.write_text("\n".join([*head, *body, "#close\t2026-11-16-01-00-00"]) + "\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("reasons")
    (tmp / "unbound.log").write_text(UNBOUND, encoding="utf-8")
    _zeek(tmp)
    whole = gzip.compress(UNBOUND.encode() * 50)
    (tmp / "cut.log.gz").write_bytes(whole[: len(whole) // 2])  # truncated: a ReadError
    result = api.scan([str(tmp)], tmp / "s.duckdb", keep_all=True)
    return {"tmp": tmp, "result": result}


def _strings(result: dict) -> list[str]:  # type: ignore[type-arg]
    out = []
    for f in result["files"]:
        out += [str(s["reason"]) for s in f["malformed_samples"]]
        out += list(f.get("skipped_reasons") or {})
        out += [f["note"]] if f.get("note") else []
    return out


def test_every_key_of_the_table_is_in_both_catalogs() -> None:
    assert reasons_known("ja") == [] and reasons_known("en") == []
    for _, key in TABLE:  # same parameters in both languages
        en, ja = messages("en")[key], messages("ja")[key]
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", ja)), key


def test_the_english_message_rebuilds_the_string_it_matched() -> None:
    """Each entry's English message, filled from its own match, is the string the scan stored:
    the table does not drift from the code that writes the reasons."""
    samples = [
        "blank line", "header line", "in the future", "not a DNS name", "not a client address",
        "control character in the name", "does not match the zeek-dns line pattern",
        "line longer than the reader's buffer (over 2,000,000 bytes)",
        "cannot decompress (gzip): Compressed file ended before the end-of-stream marker was reached",
        "--format unbound matches no line of this file (2 malformed of 2); leave --format out to detect "
        "the format, or choose another",
    ]  # fmt: skip
    for s in samples:
        for pattern, key in TABLE:
            m = re.fullmatch(pattern, s, re.DOTALL)
            if m:
                assert text(key, "en", **m.groupdict(default="")) == s, key
                break
        else:
            pytest.fail(f"no entry for {s!r}")


def test_a_real_scan_has_its_reasons_in_japanese(scanned: dict) -> None:  # type: ignore[type-arg]
    result = scanned["result"]
    stored = _strings(result)
    joined = " | ".join(stored)
    # the scan met the reasons the brief names (so the check below is about them)
    for reason in ("blank line", "header line", "in the future", "not a DNS name", "control character",
                   "does not match the unbound line pattern", "reply, not a query", "detected as unbound",
                   "cannot decompress (gzip)"):  # fmt: skip
        assert reason in joined, reason
    for s in stored:
        ja = translate(s, "ja")
        assert ja and ja != s, s  # translated, never blank
        # what is left in English is the quoted log line, a format's name, a path
        rest = re.sub(r"'[^']*'|\"[^\"]*\"|/\S+|\b(?:gzip|unbound|zeek-dns)\b", "", ja)
        assert not ASCII_SENTENCE.search(rest), (s, ja)
        assert translate(s, "en") == s  # English stays the stored string


def test_the_stored_and_json_reasons_stay_english(scanned: dict) -> None:  # type: ignore[type-arg]
    for s in _strings(scanned["result"]):
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", s), s


def test_an_unknown_reason_stays_english_never_blank() -> None:
    assert translate("a reason nobody wrote a message for", "ja") == "a reason nobody wrote a message for"
    assert translate("in the future; a reason nobody knows", "ja") == "未来の時刻。a reason nobody knows"
    assert translate("", "ja") == ""


def test_scan_lang_ja_prints_japanese_reasons(scanned: dict) -> None:  # type: ignore[type-arg]
    tmp = scanned["tmp"]
    run = CliRunner().invoke(
        app, ["scan", str(tmp / "unbound.log"), str(tmp / "dns.log"), str(tmp / "cut.log.gz"),
              "--db", str(tmp / "cli.duckdb"), "--lang", "ja", "--keep-all"], env=WIDE,
    )  # fmt: skip
    out = run.output
    assert run.exit_code == 1  # the truncated file was not read: said, and the status says so
    for ja in ("未来の時刻", "DNS 名ではない", "名前に制御文字がある", "unbound の行の形式に合わない",
               "ヘッダー行", "応答の行", "と判定しましたが", "エラー:", "展開できません（gzip）",
               "圧縮ファイルがストリームの終わりの前で切れています"):  # fmt: skip
        assert ja in out, (ja, out)
    for en in ("in the future", "not a DNS name", "does not match", "could not be read as", "error:",
               "blank line", "header line", "cannot decompress", "end-of-stream"):  # fmt: skip
        assert en not in out, (en, out)
    english = CliRunner().invoke(
        app, ["scan", str(tmp / "unbound.log"), "--db", str(tmp / "cli-en.duckdb"), "--keep-all"], env=WIDE
    )
    assert "in the future" in english.output and "未来" not in english.output


def test_forced_format_error_in_japanese(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("garbage\nmore garbage\n", encoding="utf-8")
    ja = CliRunner().invoke(
        app,
        ["scan", str(log), "--format", "unbound", "--db", str(tmp_path / "s.duckdb"), "--lang", "ja"],
        env=WIDE,
    )
    assert ja.exit_code == 1
    assert "エラー:" in ja.output and "--format unbound はこのファイルのどの行にも合いません" in ja.output
    assert "matches no line" not in ja.output
    en = CliRunner().invoke(
        app, ["scan", str(log), "--format", "unbound", "--db", str(tmp_path / "s.duckdb")], env=WIDE
    )
    assert "error:" in en.output and "matches no line of this file" in en.output


def test_report_input_table_in_japanese(scanned: dict) -> None:  # type: ignore[type-arg]
    """The HTML report's input table shows the file notes and malformed reasons in its language."""
    from sekisho.api import assessor_for
    from sekisho.report.html import render_html
    from sekisho.report.model import build_report
    from sekisho.store import Store

    with Store(scanned["tmp"] / "s.duckdb", read_only=True) as store:
        ja = render_html(build_report(store, assessor_for(), "ja"))
        en = render_html(build_report(store, assessor_for(), "en"))
    assert "未来の時刻" in ja and "と判定しましたが" in ja and "展開できません（gzip）" in ja
    assert "in the future" not in ja and "could not be read as" not in ja
    assert "in the future" in en and "未来の時刻" not in en


def test_dashboard_scans_page_in_japanese(scanned: dict) -> None:  # type: ignore[type-arg]
    pytest.importorskip("fastapi")
    from sekisho.web import create_app
    from tests.web.conftest import Client

    client = Client(create_app(db=scanned["tmp"] / "s.duckdb"))
    ja = client.get("/scans?lang=ja").text
    en = client.get("/scans?lang=en").text
    assert "未来の時刻" in ja and "と判定しましたが" in ja and "in the future" not in ja
    assert "in the future" in en


def test_every_declared_skip_reason_has_its_japanese() -> None:
    """The reasons the formats declare as data (``skips``, the DNS Server's event table, the
    programs' messages, pcap's no-name packets) each have an entry: a new one fails here."""
    from sekisho.ingest import FORMATS
    from sekisho.ingest.formats import dnstap
    from sekisho.ingest.formats.pcap import NO_NAME
    from sekisho.ingest.formats.windows_dns_analytic import EVENTS, OTHER

    declared = {NO_NAME, OTHER, *(r for _, _, r in EVENTS), *dnstap.SKIPPED.values(), dnstap.COUNTED}
    for name, cls in FORMATS.items():
        declared |= {reason for reason, *_ in getattr(cls, "skips", ())}
        programs = getattr(cls, "programs", ())
        if programs:
            declared.add(f"{programs[0]} message, not a query")
        declared.add(f"does not match the {name} line pattern")
        declared.add(f"starts like a {name} record but does not match its pattern")
    missing = [r for r in sorted(declared) if translate(r, "ja") == r]
    assert not missing, missing


def test_scan_json_is_the_same_in_both_languages(tmp_path: Path) -> None:
    import json

    log = tmp_path / "unbound.log"
    log.write_text(UNBOUND, encoding="utf-8")
    files = []
    for lang in ("ja", "en"):
        run = CliRunner().invoke(
            app, ["scan", str(log), "--db", str(tmp_path / f"{lang}.duckdb"), "--json", "--lang", lang]
        )
        assert run.exit_code == 0, run.output
        files.append(json.loads(run.stdout)["files"])
    assert files[0] == files[1]
    assert "in the future" in json.dumps(files[0])
