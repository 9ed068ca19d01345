"""Pages and browser endpoints for passkeys, the step-up PIN and signing a document:
``/me/passkeys``, ``/me/pin``, ``/sign``, passkey sign-in on ``/signin``, and the JSON endpoints
that ``static/passkeys.js`` calls around ``navigator.credentials``.

The relying party (RP ID and origin) is the host the page was served from. JSON endpoints
answer RFC 9457 problem+json and take the page's CSRF token in an ``X-CSRF-Token`` header
(the session's token when signed in, the double-submit token on the sign-in page).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from blockcity.errors import BlockcityError, InvalidInput
from blockcity.http.sessions import (
    CSRF_HEADER,
    NotSignedIn,
    SignedIn,
    begin_session,
    served_over_tls,
    signed_in,
)
from blockcity.identity.passkeys import RelyingParty
from blockcity.identity.signing import StoredSignature, parse_digest
from blockcity.node import Node
from blockcity.web.auth import check_csrf, safe_next
from blockcity.web.rendering import (
    HtmlErrorRoute,
    localized_error,
    page_language,
    redirect,
    render,
    to_sign_in,
)

DEVICE_COOKIE = "bc_device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600
"""The longest lifetime browsers keep a cookie (RFC 6265bis caps it at 400 days)."""

Token = Annotated[str, Form(max_length=200)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CredentialBody(_Body):
    credential: dict[str, Any]


class RegistrationBody(_Body):
    credential: dict[str, Any]
    name: str = Field(max_length=200)


class SignInBody(_Body):
    credential: dict[str, Any]
    next: str = Field(default="/me", max_length=2000)


class DigestBody(_Body):
    sha256: str = Field(max_length=200)


class PinBody(_Body):
    pin: str = Field(max_length=64)


def relying_party(request: Request) -> RelyingParty:
    """This site as a WebAuthn relying party: the page's host and origin.

    Behind a TLS-terminating proxy, run uvicorn with ``--proxy-headers`` so that the scheme
    and host are the visitor's.
    """
    url = request.url
    return RelyingParty(url.hostname or "", f"{url.scheme}://{url.netloc}")


def _signature_view(stored: StoredSignature, verified: bool) -> dict[str, Any]:
    return {
        "id": stored.id,
        "record": stored.record.to_dict(),
        "verified": verified,
        "download": f"/me/signatures/{stored.id}",
    }


def router(node: Node) -> APIRouter:
    seoul_pass = node.seoul_pass
    site = APIRouter(include_in_schema=False)
    pages = APIRouter(route_class=HtmlErrorRoute)
    # JSON for passkeys.js: errors stay problem+json (the app's handlers), not error pages.
    calls = APIRouter()

    def me(request: Request) -> SignedIn | None:
        return signed_in(request, seoul_pass)

    def page(
        request: Request,
        template: str,
        found: SignedIn,
        *,
        section: str = "account",
        error: BlockcityError | None = None,
        **context: Any,
    ) -> HTMLResponse:
        response = render(
            request,
            template,
            section=section,
            status=error.status if error else 200,
            viewer=found.account,
            csrf_token=found.session.csrf,
            error=error.message(page_language(request)) if error else None,
            **context,
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def caller(request: Request) -> SignedIn:
        """The signed-in account behind a JSON call, its CSRF header checked."""
        if me(request) is None:
            raise NotSignedIn()
        found = check_csrf(request, seoul_pass, request.headers.get(CSRF_HEADER))
        if found is None:
            raise NotSignedIn()
        return found

    # My passkeys.

    @pages.get("/me/passkeys", response_class=HTMLResponse)
    def passkeys_page(request: Request) -> Response:
        found = me(request)
        if found is None:
            return to_sign_in(request)
        return page(
            request,
            "passkeys/list.html",
            found,
            passkeys=seoul_pass.passkeys.list(found.account.id),
            notice=request.query_params.get("done", ""),
        )

    @pages.post("/me/passkeys/{passkey_id}/remove")
    def passkey_remove(request: Request, passkey_id: str, csrf_token: Token = "") -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return to_sign_in(request)
        seoul_pass.passkeys.remove(found.account.id, passkey_id)
        return redirect("/me/passkeys?done=removed")

    @calls.post("/me/passkeys/options")
    def registration_options(request: Request) -> dict[str, Any]:
        found = caller(request)
        return seoul_pass.passkeys.registration_options(found.token, relying_party(request))

    @calls.post("/me/passkeys", status_code=201)
    def register(request: Request, body: RegistrationBody) -> dict[str, Any]:
        found = caller(request)
        passkey = seoul_pass.passkeys.register(
            found.token, body.credential, body.name, relying_party(request)
        )
        return {"id": passkey.id, "name": passkey.name, "redirect": "/me/passkeys?done=added"}

    # Passkey sign-in (the button on /signin).

    @calls.post("/signin/passkey/options")
    def sign_in_options(request: Request) -> dict[str, Any]:
        check_csrf(request, seoul_pass, request.headers.get(CSRF_HEADER))
        seoul_pass.sign_in_limiter.check(request.client.host if request.client else "unknown")
        return seoul_pass.passkeys.sign_in_options(relying_party(request))

    @calls.post("/signin/passkey")
    def sign_in(request: Request, body: SignInBody) -> JSONResponse:
        check_csrf(request, seoul_pass, request.headers.get(CSRF_HEADER))
        account = seoul_pass.passkeys.sign_in(body.credential, relying_party(request))
        response = JSONResponse({"redirect": safe_next(body.next)})
        begin_session(response, request, seoul_pass, account.id)
        return response

    # Step-up: passkey or PIN.

    @calls.post("/me/step-up/passkey/options")
    def step_up_options(request: Request) -> dict[str, Any]:
        found = caller(request)
        return seoul_pass.passkeys.step_up_options(found.token, relying_party(request))

    @calls.post("/me/step-up/passkey")
    def step_up_passkey(request: Request, body: CredentialBody) -> dict[str, bool]:
        found = caller(request)
        seoul_pass.passkeys.step_up(found.token, body.credential, relying_party(request))
        return {"stepped_up": True}

    @calls.post("/me/step-up/pin")
    def step_up_pin(request: Request, body: PinBody) -> dict[str, bool]:
        found = caller(request)
        seoul_pass.pins.step_up(found.token, request.cookies.get(DEVICE_COOKIE), body.pin)
        return {"stepped_up": True}

    # My PIN on this device.

    def pin_page(
        request: Request, found: SignedIn, error: BlockcityError | None = None
    ) -> Response:
        return page(
            request,
            "passkeys/pin.html",
            found,
            error=error,
            pin=seoul_pass.pins.get(found.account.id, request.cookies.get(DEVICE_COOKIE)),
            notice=request.query_params.get("done", "") if error is None else "",
        )

    @pages.get("/me/pin", response_class=HTMLResponse)
    def pin_form(request: Request) -> Response:
        found = me(request)
        if found is None:
            return to_sign_in(request)
        return pin_page(request, found)

    @pages.post("/me/pin")
    def pin_set(
        request: Request,
        pin: Annotated[str, Form(max_length=64)] = "",
        pin_again: Annotated[str, Form(max_length=64)] = "",
        csrf_token: Token = "",
    ) -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return to_sign_in(request)
        try:
            if pin != pin_again:
                raise localized_error(InvalidInput, "passkeys.pin.error.mismatch")
            device = seoul_pass.pins.enrol(found.token, request.cookies.get(DEVICE_COOKIE), pin)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return pin_page(request, found, exc)
        response = redirect("/me/pin?done=saved")
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="strict",
            secure=served_over_tls(request),
            path="/",
        )
        return response

    @pages.post("/me/pin/remove")
    def pin_remove(request: Request, csrf_token: Token = "") -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return to_sign_in(request)
        seoul_pass.pins.remove(found.account.id, request.cookies.get(DEVICE_COOKIE))
        return redirect("/me/pin?done=removed")

    # Signing a document.

    @pages.get("/sign", response_class=HTMLResponse)
    def sign_page(request: Request) -> Response:
        found = me(request)
        if found is None:
            return to_sign_in(request)
        account = found.account
        return page(
            request,
            "passkeys/sign.html",
            found,
            section="sign",
            account=account,
            has_passkey=bool(seoul_pass.passkeys.list(account.id)),
            has_pin=seoul_pass.pins.get(account.id, request.cookies.get(DEVICE_COOKIE)) is not None,
            signatures=seoul_pass.signing.recent(account.id, 10),
        )

    @calls.post("/sign/passkey/options")
    def sign_options(request: Request, body: DigestBody) -> dict[str, Any]:
        found = caller(request)
        digest = parse_digest(body.sha256)
        return seoul_pass.signing.passkey_options(found.token, digest, relying_party(request))

    @calls.post("/sign/passkey", status_code=201)
    def sign_with_passkey(request: Request, body: CredentialBody) -> dict[str, Any]:
        found = caller(request)
        stored = seoul_pass.signing.sign_with_passkey(
            found.token, body.credential, relying_party(request)
        )
        return _signature_view(
            stored, seoul_pass.signing.verify(stored.record, stored.record.digest)
        )

    @calls.post("/sign/custodial", status_code=201)
    def sign_with_custodial_key(request: Request, body: DigestBody) -> dict[str, Any]:
        found = caller(request)
        stored = seoul_pass.signing.sign_with_custodial_key(found.token, parse_digest(body.sha256))
        return _signature_view(
            stored, seoul_pass.signing.verify(stored.record, stored.record.digest)
        )

    @pages.get("/me/signatures/{signature_id}")
    def signature_download(request: Request, signature_id: str) -> Response:
        found = me(request)
        if found is None:
            return to_sign_in(request)
        # Another person's signature is "not found": the answer never reveals that it exists.
        record = seoul_pass.signing.get(found.account.id, signature_id)
        return Response(
            record.to_json(),
            media_type="application/json",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="signature-{record.digest.hex()[:16]}.json"'
                ),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    site.include_router(pages)
    site.include_router(calls)
    return site
