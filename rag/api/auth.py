"""HTTP basic auth for the whole server, set by RAG_AUTH when it is shared on a network."""

from __future__ import annotations

import base64
import binascii
import secrets

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api.backends import MODEL_ID


class BasicAuthMiddleware:
    """HTTP basic auth in front of every route (chat page, Gradio's API and ours).

    Browsers ask once and resend the credentials with every same-origin request,
    which covers the page, its queue calls and its event streams.
    """

    def __init__(self, app: ASGIApp, credentials: str, realm: str = MODEL_ID) -> None:
        user, _, password = credentials.partition(":")
        self.app = app
        self.user, self.password = user.encode(), password.encode()
        self.realm = realm

    def allowed(self, scope: Scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        # Both compared, always: no early exit that would time the user name.
        ok_user = secrets.compare_digest(user, self.user)
        ok_password = secrets.compare_digest(password, self.password)
        return ok_user and ok_password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = JSONResponse(
            {"error": {"message": "Authentication required.", "type": "unauthorized"}},
            status_code=401,
            headers={"WWW-Authenticate": f'Basic realm="{self.realm}", charset="UTF-8"'},
        )
        await response(scope, receive, send)
