"""A small HTTP server that replays recorded real answers (tests/data/exposure/*.yaml, each cited
there and in tests/data/README.md) for engines Debian does not package. It answers a recorded
path, 404 otherwise, and keeps every request it got. The query string is ignored unless the
recorded answer names a ``query`` (parameters the request must carry, e.g. ``{type: dashboard}``):
then one path can hold answers to different questions."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import DATA

FIXTURES = DATA / "exposure"


class Replay:
    def __init__(self, name: str) -> None:
        doc = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())
        self.recorded: list[dict[str, Any]] = list(doc["responses"])
        self.responses: dict[str, dict[str, Any]] = {r["path"]: r for r in self.recorded if "query" not in r}
        self.requests: list[tuple[str, str]] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                replay.requests.append((self.command, self.path))
                r = replay.answer(self.path)
                body = (r["body"] if r else '{"error": "not recorded"}').encode()
                self.send_response(r["status"] if r else 404)
                for k, v in (r or {}).get("headers", {}).items():
                    self.send_header(k, str(v))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, target: str) -> dict[str, Any] | None:
        path, _, query = target.partition("?")
        asked = dict(urllib.parse.parse_qsl(query))
        for r in self.recorded:
            if (
                r["path"] == path
                and "query" in r
                and all(asked.get(k) == str(v) for k, v in r["query"].items())
            ):
                return r
        return self.responses.get(path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.yaml"
