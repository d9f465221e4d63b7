"""A MongoDB wire-protocol replay server, run by Debian's python3 with Debian's python3-pymongo
(`bson`): it decodes each OP_MSG the probe sends with the real BSON library, appends it to LOG as
one JSON line (before it answers), and answers the recorded reply from
tests/data/exposure/mongodb.yaml (``hello``; ``listDatabases`` or, with ``--auth``,
``unauthorized``). Anything that is not OP_MSG is dropped. Prints ``ready PORT``.

    /usr/bin/python3 tests/exposure/mongo_replay.py FIXTURE LOG [--auth]
"""

import json
import socketserver
import struct
import sys
from pathlib import Path

import bson
import yaml

FIXTURE = yaml.safe_load(Path(sys.argv[1]).read_text())
LOG = Path(sys.argv[2])
AUTH = "--auth" in sys.argv


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            head = self._read(16)
            if not head:
                return
            length, rid, _to, opcode = struct.unpack("<iiii", head)
            if opcode != 2013 or not 21 <= length <= 1 << 20:
                return  # not the MongoDB protocol: drop the connection
            body = self._read(length - 16)
            doc = bson.decode(body[5:])
            with LOG.open("a") as log:
                log.write(json.dumps(doc, default=str) + "\n")
            name = next(iter(doc))
            if name == "hello":
                reply = FIXTURE["hello"]
            elif name == "listDatabases":
                reply = FIXTURE["unauthorized"] if AUTH else FIXTURE["listDatabases"]
            else:
                reply = {"ok": 0, "errmsg": f"no such command: '{name}'", "code": 59}
            out = struct.pack("<I", 0) + b"\0" + bson.encode(reply)
            self.request.sendall(struct.pack("<iiii", 16 + len(out), rid + 1000, rid, 2013) + out)

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                return b""
            buf += chunk
        return buf


server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
