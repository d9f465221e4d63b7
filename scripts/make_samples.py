"""Generate the bundled sample logs that `make run` scans (deterministic: seeded).

The samples stand for one week of a 200-machine office network behind a Zeek sensor and a Squid
proxy. They are *generated* (not captured): a realistic shape, with the situation the project grew
from built in — 14 machines quietly sending typed text to an input-method vendor (Baidu IME) — so a
new user sees at once what sekisho finds. Real captures for the tests live in ../shared/corpora.

usage: python scripts/make_samples.py samples/logs
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
import sys
from pathlib import Path

SEED = 20261123
CLIENTS = [f"10.20.{i // 250}.{i % 250 + 10}" for i in range(200)]
START = dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC)

# (names, how many machines use it, queries per user per day)
USAGE = [
    (["ime.baidu.jp", "api.ime.baidu.jp", "dict.ime.baidu.jp"], 14, 40),
    (["www.tiktok.com", "v16-webapp.tiktok.com", "mon.tiktokv.com"], 40, 30),
    (["chatgpt.com", "ab.chatgpt.com", "api.openai.com"], 60, 25),
    (["chat.deepseek.com", "api.deepseek.com"], 5, 20),
    (["line.me", "obs.line-scdn.net", "gw.line.naver.jp"], 120, 35),
    (["zoom.us", "us05web.zoom.us"], 80, 10),
    (["paypay.ne.jp", "www.paypay.ne.jp"], 30, 4),
    (["www.temu.com"], 12, 6),
    (["www.genspark.ai"], 3, 8),
]
COMMON = [
    "www.google.com",
    "clients4.google.com",
    "update.googleapis.com",
    "login.microsoftonline.com",
    "outlook.office365.com",
    "teams.microsoft.com",
    "ctldl.windowsupdate.com",
    "www.yahoo.co.jp",
    "news.yahoo.co.jp",
    "www.apple.com",
    "s3.ap-northeast-1.amazonaws.com",
    "www.nhk.or.jp",
    "github.com",
    "api.github.com",
    "www.city.example.lg.jp",
    "time.windows.com",
    "ocsp.digicert.com",
    "www.e-gov.go.jp",
    "cdn.jsdelivr.net",
    "fonts.gstatic.com",
]
ZEEK_HEADER = """#separator \\x09
#set_separator\t,
#empty_field\t(empty)
#unset_field\t-
#path\tdns
#open\t{open}
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool
"""


def events(rng: random.Random) -> list[tuple[float, str, str]]:
    out = []
    users = {i: rng.sample(CLIENTS, n) for i, (_, n, _) in enumerate(USAGE)}
    for day in range(7):
        base = START + dt.timedelta(days=day)
        if base.weekday() >= 5:
            continue  # office closed at weekends
        for client in CLIENTS:
            for _ in range(rng.randint(20, 60)):
                out.append((base.timestamp() + rng.uniform(0, 9 * 3600), client, rng.choice(COMMON)))
            if rng.random() < 0.2:
                out.append(
                    (
                        base.timestamp() + rng.uniform(0, 9 * 3600),
                        client,
                        f"{rng.getrandbits(40):x}.example-{rng.randint(1, 400)}.com",
                    )
                )
        for i, (names, _, per_day) in enumerate(USAGE):
            for client in users[i]:
                for _ in range(rng.randint(per_day // 2, per_day)):
                    out.append((base.timestamp() + rng.uniform(0, 9 * 3600), client, rng.choice(names)))
    out.sort()
    return out


def zeek_dns(evts: list[tuple[float, str, str]], rng: random.Random) -> str:
    lines = [ZEEK_HEADER.format(open=START.strftime("%Y-%m-%d-%H-%M-%S"))]
    for ts, client, name in evts:
        uid = "C" + "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(17)
        )
        answer = f"203.0.113.{rng.randint(1, 254)}"
        lines.append(
            f"{ts:.6f}\t{uid}\t{client}\t{rng.randint(1024, 65535)}\t10.20.0.2\t53\tudp\t{rng.randint(0, 65535)}\t"
            f"0.{rng.randint(1000, 90000):06d}\t{name}\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t{answer}\t300.000000\tF\n"
        )
    lines.append(f"#close\t{(START + dt.timedelta(days=7)).strftime('%Y-%m-%d-%H-%M-%S')}\n")
    return "".join(lines)


def squid_native(evts: list[tuple[float, str, str]], rng: random.Random) -> str:
    lines = []
    for ts, client, name in evts:
        if rng.random() > 0.15:
            continue
        size = rng.randint(300, 90000)
        lines.append(
            f"{ts:.3f} {rng.randint(1, 900):6d} {client} TCP_TUNNEL/200 {size} CONNECT {name}:443 - "
            f"HIER_DIRECT/203.0.113.{rng.randint(1, 254)} -\n"
        )
    return "".join(lines)


def main(out_dir: str) -> None:
    rng = random.Random(SEED)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    evts = events(rng)
    cut = len(evts) * 5 // 7
    # Zeek rotates its logs: an older, compressed part and the current one.
    (out / "zeek").mkdir(exist_ok=True)
    with gzip.GzipFile(out / "zeek" / "dns.2026-11-16.log.gz", "wb", mtime=0) as f:
        f.write(zeek_dns(evts[:cut], rng).encode())
    (out / "zeek" / "dns.log").write_text(zeek_dns(evts[cut:], rng))
    (out / "squid").mkdir(exist_ok=True)
    (out / "squid" / "access.log").write_text(squid_native(evts, rng))
    print(f"wrote {len(evts)} DNS events for {len(CLIENTS)} clients to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "samples/logs")
