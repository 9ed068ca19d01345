"""The holder's wallet: the signed-in person's credentials, each downloadable as a bundle that
verifies offline, and share links (with a QR code) that expire and can be revoked.

A share shows the whole credential or only the claims the holder ticked; for the latter the
platform issues the credential once more as an SD-JWT VC bound to the holder's Seoul Pass key,
and the link presents just those claims. A link's token is shown once, right after it is made:
only its hash is kept.
"""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from blockcity.credentials.sdjwt import ClaimPath, JwsPublicKey
from blockcity.credentials.service import IssuedCredential, claim_paths
from blockcity.credentials.shares import SHARE_LIFETIMES, Shares
from blockcity.errors import InvalidInput, NotFound
from blockcity.http.sessions import SignedIn, signed_in
from blockcity.node import Node
from blockcity.web.auth import check_csrf
from blockcity.web.i18n import messages
from blockcity.web.rendering import (
    HtmlErrorRoute,
    json_download,
    page_language,
    redirect,
    render,
)

SECTION = "wallet"

Token = Annotated[str, Form(max_length=200)]
MAX_CLAIMS = 100
"""More claims than any credential here has: bounds what one form may send."""


def claim_key(path: ClaimPath) -> str:
    """A claim path as the form and the pages name it: members joined with dots."""
    return ".".join(str(step) for step in path)


def claim_label(path: ClaimPath, lang: str) -> str:
    """The claim's name for people (``locales/*/wallet.json``, ``claim.<path>`` or
    ``claim.<last member>``), else its name as the credential spells it."""
    catalog = messages(lang)
    key = claim_key(path)
    return catalog.get(f"claim.{key}") or catalog.get(f"claim.{path[-1]}") or key


def choosable_claims(issued: IssuedCredential, lang: str) -> list[tuple[str, str]]:
    """The claims a holder may tick on the share form: (form value, label)."""
    subject = issued.document.get("credentialSubject", {})
    return [(claim_key(path), claim_label(path, lang)) for path in claim_paths(subject)]


def chosen_paths(issued: IssuedCredential, ticked: list[str]) -> list[ClaimPath] | None:
    """The ticked claims as paths, or None when all are ticked (share the whole credential).
    A value that names no claim of this credential is refused."""
    paths = {claim_key(p): p for p in claim_paths(issued.document.get("credentialSubject", {}))}
    unknown = [value for value in ticked if value not in paths]
    if unknown:
        raise InvalidInput(
            f"the credential has no claim {unknown[0][:80]!r}",
            f"자격증명에 {unknown[0][:80]!r} 항목이 없습니다",
        )
    if not ticked:
        raise InvalidInput("choose at least one claim to show", "보여 줄 항목을 하나 이상 고르세요")
    chosen = [paths[value] for value in dict.fromkeys(ticked)]
    return None if len(chosen) == len(paths) else chosen


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
        held = node.credentials.held_by(did)
        lang = page_language(request)
        response = render(
            request,
            "wallet/wallet.html",
            section=SECTION,
            status=status,
            viewer=found.account,
            csrf_token=found.session.csrf,
            credentials=held,
            claims={item.id: choosable_claims(item, lang) for item in held},
            shares=shares.of_holder(did),
            now=shares.clock(),
            lifetimes=list(SHARE_LIFETIMES),
            new_link=new_link,
            new_qr=qr_svg(new_link) if new_link else None,
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def held(found: SignedIn, credential_id: str) -> IssuedCredential:
        """A credential the signed-in person holds; anyone else's is not found."""
        try:
            issued = node.credentials.get(credential_id[:200])
        except NotFound:
            issued = None
        if issued is None or issued.holder != found.account.did:
            raise NotFound("no such credential of yours", "그런 자격증명이 없습니다")
        return issued

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
        bundle = node.credentials.bundle(held(found, credential_id).id)
        return json_download(bundle, "credential.json")

    @pages.post("/wallet/shares", response_class=HTMLResponse)
    def create_share(
        request: Request,
        credential_id: Token = "",
        lifetime: Annotated[str, Form(max_length=10)] = "1d",
        csrf_token: Token = "",
        choose: Annotated[str, Form(max_length=1)] = "",
        claim: Annotated[list[str], Form(max_length=MAX_CLAIMS)] = [],  # noqa: B006
    ) -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return redirect("/signin?next=/wallet")
        issued = held(found, credential_id)
        # ``choose`` says the form offered claims to tick: then no tick is an error, never
        # "share everything".
        disclosed = chosen_paths(issued, [c[:200] for c in claim]) if choose else None
        if disclosed is not None:
            holder_key = seoul_pass.accounts.custodial_key(found.account.id)
            node.credentials.issue_sd_jwt(issued.id, JwsPublicKey(holder_key.public).jwk())
        token, _ = shares.create(found.account.did, issued.id, lifetime, disclosed)
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


__all__ = ["choosable_claims", "claim_key", "claim_label", "qr_svg", "router"]
