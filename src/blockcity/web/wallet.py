"""The holder's wallet: the signed-in person's credentials, each downloadable as a bundle that
verifies offline, and share links (with a QR code) that expire and can be revoked.

A link's token is shown once, right after it is made: only its hash is kept.
"""

from __future__ import annotations

import json
from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from blockcity.credentials.shares import SHARE_LIFETIMES, Shares
from blockcity.errors import NotFound
from blockcity.node import Node
from blockcity.web.auth import SignedIn, check_csrf, signed_in
from blockcity.web.rendering import HtmlErrorRoute, redirect, render

SECTION = "wallet"

Token = Annotated[str, Form(max_length=200)]


def qr_svg(url: str) -> Markup:
    """The link as a QR code in inline SVG: no image request, nothing for the CSP to allow."""
    # segno writes the SVG itself: no text of ours goes into it unescaped.
    return Markup(segno.make(url, error="m").svg_inline(scale=4))


def router(node: Node, shares: Shares) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass

    def wallet_page(
        request: Request, found: SignedIn, *, new_link: str | None = None, status: int = 200
    ) -> HTMLResponse:
        did = found.account.did
        response = render(
            request,
            "wallet/wallet.html",
            section=SECTION,
            status=status,
            viewer=found.account,
            csrf_token=found.session.csrf,
            credentials=node.credentials.held_by(did),
            shares=shares.of_holder(did),
            now=shares.clock(),
            lifetimes=list(SHARE_LIFETIMES),
            new_link=new_link,
            new_qr=qr_svg(new_link) if new_link else None,
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def held(found: SignedIn, credential_id: str) -> str:
        """The id of a credential the signed-in person holds; anyone else's is not found."""
        try:
            issued = node.credentials.get(credential_id[:200])
        except NotFound:
            issued = None
        if issued is None or issued.holder != found.account.did:
            raise NotFound("no such credential of yours", "그런 자격증명이 없습니다")
        return issued.id

    @pages.get("/wallet", response_class=HTMLResponse)
    def wallet(request: Request) -> Response:
        found = signed_in(request, seoul_pass)
        if found is None:
            return redirect("/signin?next=/wallet")
        return wallet_page(request, found)

    @pages.get("/wallet/credentials/{credential_id}/bundle")
    def download(request: Request, credential_id: str) -> Response:
        found = signed_in(request, seoul_pass)
        if found is None:
            return redirect("/signin?next=/wallet")
        bundle = node.credentials.bundle(held(found, credential_id))
        return Response(
            json.dumps(bundle, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="credential.json"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @pages.post("/wallet/shares", response_class=HTMLResponse)
    def create_share(
        request: Request,
        credential_id: Token = "",
        lifetime: Annotated[str, Form(max_length=10)] = "1d",
        csrf_token: Token = "",
    ) -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return redirect("/signin?next=/wallet")
        token, _ = shares.create(found.account.did, held(found, credential_id), lifetime)
        link = str(request.base_url).rstrip("/") + f"/s/{token}"
        return wallet_page(request, found, new_link=link, status=201)

    @pages.post("/wallet/shares/{share_id}/revoke")
    def revoke_share(request: Request, share_id: str, csrf_token: Token = "") -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return redirect("/signin?next=/wallet")
        shares.revoke(found.account.did, share_id[:100])
        return redirect("/wallet")

    return pages


__all__ = ["qr_svg", "router"]
