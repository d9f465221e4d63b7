"""An uploaded log, read as it streams: the multipart body is parsed chunk by chunk (python-multipart)
and the file part written straight to its folder, so the size limit holds while the bytes arrive
(413 the moment it is passed, the partial file deleted) and nothing is spooled anywhere else.

The route calls this only after the app-wide CSRF check passed, and that check never reads a
multipart body (its token comes in the ``X-CSRF-Token`` header or the ``csrf_token`` query).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from fastapi import HTTPException, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FIELD_LIMIT = 4096  # bytes of a plain form field (the format name)
OVERHEAD = 64 * 1024  # multipart headers and fields around the file


def upload_name(name: str | None) -> str:
    """The uploaded file's own name, without any directory, in safe characters (keeps .gz etc.)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base[:120] or "upload.log"


@dataclass
class Upload:
    folder: Path
    path: Path | None = None
    filename: str = ""
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)


class _Parts:
    """python-multipart callbacks: the ``file`` part goes to disk, other parts are small fields."""

    def __init__(self, up: Upload, limit: int) -> None:
        self.up, self.limit = up, limit
        self.headers: dict[bytes, bytes] = {}
        self.hname, self.hvalue = b"", b""
        self.name: str | None = None
        self.buf = bytearray()
        self.out: IO[bytes] | None = None

    def on_part_begin(self) -> None:
        self.headers, self.name, self.buf, self.out = {}, None, bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.hname += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.hvalue += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.hname.lower()] = self.hvalue
        self.hname, self.hvalue = b"", b""

    def on_headers_finished(self) -> None:
        _, opts = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = opts.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in opts and self.name == "file":
            if self.up.path is not None:
                raise HTTPException(status_code=400, detail="send one file per upload")
            self.up.filename = opts[b"filename"].decode("utf-8", "replace")
            self.up.path = self.up.folder / upload_name(self.up.filename)
            self.out = self.up.path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.out is not None:
            self.up.size += end - start
            if self.up.size > self.limit:
                raise HTTPException(status_code=413, detail="too large")
            self.out.write(data[start:end])
            return
        self.buf += data[start:end]
        if len(self.buf) > FIELD_LIMIT:
            raise HTTPException(status_code=400, detail="a form field is too long")

    def on_part_end(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
        elif self.name:
            self.up.fields[self.name] = self.buf.decode("utf-8", "replace")

    def close(self) -> None:
        if self.out is not None:
            self.out.close()


async def receive_upload(request: Request, root: Path | None, limit: int) -> Upload:
    """Stream the request's multipart body into a new folder under ``root`` (default: the temp
    directory). Raises 400 (not multipart, no file, empty) or 413 (over ``limit`` bytes), and then
    the folder and anything written into it are gone."""
    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not opts.get(b"boundary"):
        raise HTTPException(status_code=400, detail="an upload is a multipart/form-data request")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + OVERHEAD:
        raise HTTPException(status_code=413, detail="too large")  # refused before a byte is read
    if root:
        root.mkdir(parents=True, exist_ok=True)
    up = Upload(Path(tempfile.mkdtemp(prefix="sekisho-upload-", dir=root)))
    parts = _Parts(up, limit)
    parser = MultipartParser(opts[b"boundary"], cast("MultipartCallbacks", _callbacks(parts)))
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + OVERHEAD:
                raise HTTPException(status_code=413, detail="too large")
            parser.write(chunk)
        parser.finalize()
        if up.path is None:
            raise HTTPException(status_code=400, detail="the form carried no file")
        if up.size == 0:
            raise HTTPException(status_code=400, detail="the uploaded file is empty")
    except FormParserError:
        parts.close()
        shutil.rmtree(up.folder, ignore_errors=True)
        raise HTTPException(status_code=400, detail="the upload is not a well-formed form") from None
    except BaseException:
        parts.close()
        shutil.rmtree(up.folder, ignore_errors=True)
        raise
    return up


def _callbacks(parts: _Parts) -> dict[str, object]:
    names = ("on_part_begin", "on_header_field", "on_header_value", "on_header_end",
             "on_headers_finished", "on_part_data", "on_part_end")  # fmt: skip
    return {n: getattr(parts, n) for n in names}
