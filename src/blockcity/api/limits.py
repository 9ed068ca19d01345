"""A cap on request bodies for the whole app, before any route reads them.

Routes parse JSON and forms whole, so without a cap one anonymous request of 100 MB costs the
city's small server most of its memory (found by the security review). Bodies declared too
large are refused at once; bodies streamed without a length are cut off at the cap.

The verifier's upload paths are the one exception: a certificate PDF may be several megabytes,
so they take up to the verifier's own limit (``LARGER_PATHS``), and no more.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from blockcity.credentials.verifier import MAX_INPUT_BYTES

MAX_BODY_BYTES = 1024 * 1024
"""No form or JSON body of the platform comes near 1 MiB: documents are digested on the
person's device and ledger entries are at most 64 KiB."""
_MULTIPART_SLACK = 64 * 1024
"""Room for a multipart form's boundaries and headers around a file of the verifier's limit."""
LARGER_PATHS: Mapping[str, int] = {
    "/api/v1/verify": MAX_INPUT_BYTES + _MULTIPART_SLACK,
    "/verify": MAX_INPUT_BYTES + _MULTIPART_SLACK,
}
"""Exact paths that take files for the verifier, and their cap."""


def _problem(limit: int, path: str) -> bytes:
    return json.dumps(
        {
            "type": "https://blockcity.seoul.example/problems/payload-too-large",
            "title": "요청이 너무 큽니다 / Payload too large",
            "status": 413,
            "detail": f"요청 본문은 최대 {limit}바이트입니다 / request bodies are at most "
            f"{limit} bytes",
            "instance": path,
            "code": "payload-too-large",
        },
        ensure_ascii=False,
    ).encode()


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        larger: Mapping[str, int] = LARGER_PATHS,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.larger.get(scope["path"], self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await self._refuse(send, scope["path"], cap)
            return
        seen = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap and not refused:
                    refused = True
                    await self._refuse(send, scope["path"], cap)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, send: Send, path: str, cap: int) -> None:
        body = _problem(cap, path)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
