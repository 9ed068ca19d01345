"""The verification page: a clerk drops or picks a file (a form POST, no script needed) or
follows the QR link on a certificate or a holder's share link, and sees a green or red answer
with every check and its reason.

Verifying changes nothing and needs no account, so its form carries no CSRF token: a forged
submission could only show the forger's own file back to them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from blockcity.credentials.checks import Verdict
from blockcity.credentials.shares import Share, ShareClosed, Shares
from blockcity.errors import InvalidInput
from blockcity.node import Node
from blockcity.web.rendering import HtmlErrorRoute, page_language, render

SECTION = "verify"


async def read_upload(request: Request, limit: int) -> bytes:
    """The file to verify: the raw body, or the ``file`` field of a multipart form. Reads at
    most ``limit + 1`` bytes, so the verifier can say "too large" without holding more."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except (ValueError, KeyError, AssertionError) as exc:
            raise InvalidInput(
                "the multipart form could not be read", "multipart 양식을 읽을 수 없습니다"
            ) from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "send the document in a form field named 'file'",
                "문서를 'file'이라는 양식 필드로 보내세요",
            )
        data = await upload.read(limit + 1)
        await form.close()
        return data
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            break
    return bytes(body)


def _shown_claims(subject: dict[str, Any]) -> list[tuple[str, str]]:
    """The subject's claims as label and text, nested values flattened with dots; the holder's
    DID is shown apart."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            rows.append((prefix, ", ".join(str(v) for v in value)))
        else:
            rows.append((prefix, str(value)))

    walk("", {k: v for k, v in subject.items() if k != "id"})
    return rows


def router(node: Node, shares: Shares) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)

    def result_page(
        request: Request,
        verdict: Verdict | None,
        *,
        source: str,
        share: Share | None = None,
        closed: ShareClosed | None = None,
    ) -> HTMLResponse:
        lang = page_language(request)
        summary = verdict.summary if verdict else {}
        response = render(
            request,
            "verify/verify.html",
            section=SECTION,
            status=closed.status if closed else 200,
            verdict=verdict,
            summary=summary,
            holder=summary.get("subject", {}).get("id") if summary else None,
            claims=_shown_claims(summary.get("subject", {})) if summary else [],
            checks=[c.to_dict(lang) for c in verdict.checks] if verdict else [],
            source=source,
            share=share,
            closed=closed.message(lang) if closed else None,
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @pages.get("/verify", response_class=HTMLResponse)
    def verify_form(request: Request) -> HTMLResponse:
        return result_page(request, None, source="form")

    @pages.post("/verify", response_class=HTMLResponse)
    async def verify_upload(request: Request) -> HTMLResponse:
        verifier = node.verifier()
        data = await read_upload(request, verifier.context.max_bytes)
        verdict = await run_in_threadpool(verifier.verify, data)
        return result_page(request, verdict, source="upload")

    @pages.get("/verify/c/{credential_id}", response_class=HTMLResponse)
    def verify_stored(request: Request, credential_id: str) -> HTMLResponse:
        # The QR code on a certificate points here: the platform's own copy of the bundle,
        # with the current status lists, checked the same way as an upload.
        bundle = node.credentials.bundle(credential_id[:200])
        verdict = node.verifier().verify(_encode(bundle))
        return result_page(request, verdict, source="stored")

    @pages.get("/s/{token}", response_class=HTMLResponse)
    def shared(request: Request, token: str) -> HTMLResponse:
        try:
            share = shares.open(token[:100])
        except ShareClosed as exc:
            return result_page(request, None, source="share", closed=exc)
        bundle = node.credentials.bundle(share.credential_id)
        verdict = node.verifier().verify(_encode(bundle))
        response = result_page(request, verdict, source="share", share=share)
        # The token is the whole secret: never send it on to another site.
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return pages


def _encode(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, ensure_ascii=False).encode()


__all__ = ["read_upload", "router"]
