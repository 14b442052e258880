"""Request-size limits in front of every route, and a type check on Gradio's upload route.

Without a limit a 68 MB ``/api/ask`` body is read, parsed and answered. Gradio's
``/gradio_api/upload`` stores any file it is sent (``.py``, ``.zip``) before our
upload handler can refuse it. So each request body is read here first, up to a
limit, and only then handed on: a body over the limit is a 413 and never reaches
a route; an upload holding a file of a type the corpus does not take is a 415
and nothing of it is written where Gradio keeps uploads. Upload bodies are
spooled to a private temporary file (removed afterwards), not held in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from typing import IO, Any

from fastapi.responses import JSONResponse
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import ApiError

UPLOAD_PATH_SUFFIX = "/gradio_api/upload"
MAX_UPLOAD_FILES = 100
UPLOAD_TOTAL_FILES = 10  # one upload holds at most this many files' worth of bytes
SPOOL_IN_MEMORY = 1_000_000
REPLAY_CHUNK = 64 * 1024
DRAIN_LIMIT = 32_000_000


class Refused(Exception):
    """A body that must not reach the app: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class UploadCheck:
    """Watches a multipart body as it streams: file names, per-file and total sizes."""

    def __init__(
        self, content_type: bytes, name_ok: Callable[[str], bool], max_file: int, hint: str
    ) -> None:
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            raise Refused(400, "An upload must be multipart/form-data with a boundary.")
        self.name_ok, self.max_file, self.hint = name_ok, max_file, hint
        self.files = 0
        self.size = 0
        self._field = b""
        self._value = b""
        self._disposition = b""
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done,
                "on_part_data": self._data,
            },
        )

    def write(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except Refused:
            raise
        except Exception as exc:  # python-multipart's parse errors
            raise Refused(400, f"The upload is not valid multipart data: {exc}") from exc

    def _begin(self) -> None:
        self._disposition, self.size = b"", 0

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._field.lower() == b"content-disposition":
            self._disposition = self._value
        self._field, self._value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"filename" not in options:
            return
        self.files += 1
        if self.files > MAX_UPLOAD_FILES:
            raise Refused(400, f"Upload at most {MAX_UPLOAD_FILES} files at once.")
        name = options[b"filename"].decode("utf-8", "replace")
        if not self.name_ok(name):
            raise Refused(415, f"{name}: unsupported file type; {self.hint}")

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.size > self.max_file:
            raise Refused(
                413,
                f"A file is over {self.max_file / 1_000_000:g} MB, the upload limit "
                "(RAG_MAX_UPLOAD_MB).",
            )


class RequestLimitMiddleware:
    """Read each request body up to a limit before the app sees it (see module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int,
        max_upload_file: int,
        upload_name_ok: Callable[[str], bool],
        upload_hint: str = "",
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload_file = max_upload_file
        self.upload_name_ok = upload_name_ok
        self.upload_hint = upload_hint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        upload = scope["path"].endswith(UPLOAD_PATH_SUFFIX)
        limit = self.max_upload_file * UPLOAD_TOTAL_FILES if upload else self.max_body
        headers = dict(scope.get("headers") or [])
        tracked = _Tracked(receive)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            try:
                total = await self._spool(tracked, spool, headers, limit, upload)
            except Refused as exc:
                if not tracked.done:
                    await _drain(receive)
                await _error(exc.status, exc.message, scope, receive, send)
                return
            spool.seek(0)
            await self.app(scope, _replay(spool, total, receive), send)

    async def _spool(
        self,
        receive: Receive,
        spool: IO[bytes],
        headers: dict[bytes, bytes],
        limit: int,
        upload: bool,
    ) -> int:
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError as exc:
            raise Refused(400, "Bad Content-Length header.") from exc
        if declared > limit:
            raise Refused(413, self._too_large(limit, upload))
        check = None
        if upload:
            check = UploadCheck(
                headers.get(b"content-type", b""),
                self.upload_name_ok,
                self.max_upload_file,
                self.upload_hint,
            )
        return await self._read(receive, spool, limit, upload, check)

    async def _read(
        self, receive: Receive, spool: IO[bytes], limit: int, upload: bool, check: Any
    ) -> int:
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "The client went away before sending the whole body.")
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                raise Refused(413, self._too_large(limit, upload))
            if check is not None:
                check.write(chunk)
            spool.write(chunk)
            if not message.get("more_body", False):
                return total

    def _too_large(self, limit: int, upload: bool) -> str:
        if upload:
            return f"The upload is over {limit / 1_000_000:g} MB in all."
        return (
            f"The request body is over {limit / 1_000_000:g} MB (RAG_MAX_REQUEST_MB); "
            "send a shorter question or history."
        )


class _Tracked:
    """A ``receive`` that remembers whether the whole body has been read."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.done = False

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.done = True
        return message


def _replay(spool: IO[bytes], total: int, receive: Receive) -> Receive:
    """A ``receive`` that hands the spooled body back in chunks, then defers to the client."""
    sent = 0
    done = False

    async def replay() -> Message:
        nonlocal sent, done
        if done:
            return await receive()  # after the body: wait for the client to disconnect
        chunk = spool.read(REPLAY_CHUNK)
        sent += len(chunk)
        done = sent >= total
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replay


async def _drain(receive: Receive) -> None:
    """Read and drop the rest of a refused body (up to a bound), so the client sees the error.

    A client that sends its whole body before reading gets a reset, not our 413, if
    the connection closes under it; past ``DRAIN_LIMIT`` it does.
    """
    dropped = 0
    while dropped < DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _error(status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"error": {"message": message, "type": "invalid_request_error"}},
        status_code=status,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


def check_history(
    history: Sequence[tuple[str, str]], max_turns: int, max_chars: int, max_question: int
) -> None:
    """Bound the earlier turns of a chat request: their number and each one's length.

    A user turn is a past question, so the question cap applies to it too (it can
    reach the search query); any other turn is capped at ``max_chars``.
    """
    if len(history) > max_turns:
        raise ApiError(
            400,
            f"The history holds {len(history)} turns; at most {max_turns} are accepted "
            "(RAG_MAX_HISTORY_TURNS). Send only the recent ones.",
        )
    for i, (role, content) in enumerate(history):
        cap = min(max_question, max_chars) if role == "user" else max_chars
        if len(content) > cap:
            raise ApiError(
                400,
                f"History turn {i} ({role}) is {len(content)} characters long; "
                f"at most {cap} are accepted.",
            )
