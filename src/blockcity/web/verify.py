"""The verification page: a clerk drops or picks a file (a form POST, no script needed) or
follows the QR link on a certificate or a holder's share link, and sees a green or red answer
with every check and its reason.

Verifying changes nothing and needs no account, so its form carries no CSRF token: a forged
submission could only show the forger's own file back to them.

A selective-disclosure share is presented afresh each time its link is opened: the server,
acting for the holder with their Seoul Pass key, binds a presentation of only the chosen
claims to a new nonce and to the link itself, and verifies it at once. The withheld claims'
values never leave the server; the page says how many there are.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from blockcity.credentials.checks import Verdict
from blockcity.credentials.service import claim_paths
from blockcity.credentials.shares import Share, ShareClosed, Shares
from blockcity.errors import NotFound
from blockcity.http.uploads import read_upload
from blockcity.node import Node
from blockcity.web.rendering import HtmlErrorRoute, json_download, page_language, render
from blockcity.web.wallet import claim_label

SECTION = "verify"


def _shown_claims(subject: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The subject's claims as label and text, nested values flattened; the holder's DID is
    shown apart."""
    rows: list[tuple[str, str]] = []

    def walk(path: tuple[str, ...], value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk((*path, str(key)), inner)
        elif isinstance(value, list):
            rows.append((claim_label(path, lang), ", ".join(str(v) for v in value)))
        else:
            rows.append((claim_label(path, lang), str(value)))

    for key, value in subject.items():
        if key != "id":
            walk((str(key),), value)
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
        withheld: int = 0,
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
            claims=_shown_claims(summary.get("subject", {}), lang) if summary else [],
            checks=[c.to_dict(lang) for c in verdict.checks] if verdict else [],
            source=source,
            share=share,
            closed=closed.message(lang) if closed else None,
            withheld=withheld,
            download_url=f"{request.url.path}/presentation" if share is not None else None,
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

    def presentation(share: Share, *, nonce: str, audience: str) -> dict[str, Any]:
        """A fresh presentation of a selective-disclosure share, made for its holder."""
        assert share.disclosed is not None
        accounts = node.seoul_pass.accounts
        holder = accounts.by_did(share.holder)
        if holder is None:
            raise NotFound(
                "the holder of this share no longer has an account",
                "이 공유 링크를 만든 소지자의 계정이 없습니다",
            )
        return node.credentials.sd_jwt_presentation(
            share.credential_id,
            share.disclosed,
            accounts.custodial_key(holder.id),
            nonce=nonce,
            audience=audience,
        )

    def withheld_count(share: Share) -> int:
        if share.disclosed is None:
            return 0
        subject = node.credentials.get(share.credential_id).document["credentialSubject"]
        shown = share.disclosed
        return sum(
            1 for path in claim_paths(subject) if not any(path[: len(d)] == d for d in shown)
        )

    @pages.get("/s/{token}", response_class=HTMLResponse)
    def shared(request: Request, token: str) -> HTMLResponse:
        try:
            share = shares.open(token[:100])
        except ShareClosed as exc:
            return result_page(request, None, source="share", closed=exc)
        if share.disclosed is None:
            bundle = node.credentials.bundle(share.credential_id)
            verdict = node.verifier().verify(_encode(bundle))
        else:
            # Bound to this page (audience) and to this one view (nonce): a copy of what the
            # page verified cannot be replayed to another verifier.
            nonce = secrets.token_urlsafe(16)
            audience = _share_url(request)
            bundle = presentation(share, nonce=nonce, audience=audience)
            verdict = node.verifier().verify(_encode(bundle), nonce=nonce, audience=audience)
        response = result_page(
            request, verdict, source="share", share=share, withheld=withheld_count(share)
        )
        # The token is the whole secret: never send it on to another site.
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @pages.post("/s/{token}/presentation")
    def download_presentation(
        request: Request,
        token: str,
        nonce: Annotated[str, Form(min_length=1, max_length=200)],
        audience: Annotated[str, Form(min_length=1, max_length=500)],
    ) -> Response:
        """The share's presentation bound to the nonce and audience a verifier chose, as a
        bundle that ``blockcity verify FILE --nonce N --audience A`` checks."""
        share = shares.open(token[:100])
        if share.disclosed is None:
            raise NotFound(
                "this link shares a whole credential; only a link to chosen claims makes a "
                "presentation",
                "이 링크는 자격증명 전체를 공유합니다. 고른 항목을 공유하는 링크만 제시 파일을 "
                "만듭니다",
            )
        bundle = presentation(share, nonce=nonce, audience=audience)
        return json_download(bundle, "presentation.json", secret_url=True)

    return pages


def _share_url(request: Request) -> str:
    """The share page's own URL, without a query: the audience its presentations name."""
    return str(request.base_url).rstrip("/") + request.url.path


def _encode(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, ensure_ascii=False).encode()


__all__ = ["router"]
