"""``/api/v1/identity``: sign up, sign in and out with a session cookie, my account and
identity credential, account recovery, and a public check of any Seoul Pass identity credential
or certificate (the one verifier's, as ``POST /api/v1/verify`` gives it).

The session cookie is the web pages' own (HttpOnly, SameSite=Lax). A call that acts with it and
changes something must carry the session's CSRF token, returned at sign-in, in an
``X-CSRF-Token`` header. Throttled calls answer 429 with a ``Retry-After`` header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from blockcity.api.problems import problem, request_language
from blockcity.api.sessions import session_caller
from blockcity.http.certificates import certificate_check, certificate_file
from blockcity.http.sessions import CSRF_HEADER, NotSignedIn, begin_session, clear_session_cookie
from blockcity.identity.model import Account, AccountKind
from blockcity.identity.passwords import TooManyAttempts
from blockcity.node import Node

_CSRF_NOTE = (
    f"Needs the session cookie and the session's CSRF token in an `{CSRF_HEADER}` header "
    "(returned by `POST /api/v1/identity/sessions`): 401 without a session, 403 without the "
    "token."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUp(_Strict):
    username: str = Field(min_length=1, max_length=64, examples=["minji"])
    display_name: str = Field(min_length=1, max_length=100, examples=["김민지"])
    password: str = Field(min_length=1, max_length=1000)


class SignIn(_Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1000)


class Recover(_Strict):
    username: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64, examples=["7K2M-Q9XA-4TPR-8HCW"])
    new_password: str = Field(min_length=1, max_length=1000)


class AccountOut(BaseModel):
    id: str
    username: str
    display_name: str
    kind: AccountKind
    did: str
    kid: str
    created_at: datetime
    proofed_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            id=account.id,
            username=account.username,
            display_name=account.display_name,
            kind=account.kind,
            did=account.did,
            kid=account.kid,
            created_at=account.created_at,
            proofed_at=account.proofed_at,
        )


class SignedUp(BaseModel):
    account: AccountOut
    recovery_codes: list[str] = Field(
        description="Ten one-time codes for account recovery, shown only in this answer."
    )


class SessionOut(BaseModel):
    account: AccountOut
    csrf_token: str = Field(description=f"Send it as `{CSRF_HEADER}` with state-changing calls.")
    expires_at: datetime


class CheckOut(BaseModel):
    name: str
    ok: bool
    reason_en: str
    reason_ko: str


class VerdictOut(BaseModel):
    """The one verifier's verdict: valid only when there were checks and all passed."""

    valid: bool
    kind: str
    checks: list[CheckOut]


class Me(BaseModel):
    account: AccountOut
    certificate: dict[str, Any] | None = Field(
        description="The identity credential (a W3C VC), or a certificate of the earlier format."
    )
    certificate_file: dict[str, Any] | None = Field(
        description="What to hand a verifier: the credential's bundle with its ledger anchor "
        "and status lists, which verifies offline (`blockcity verify`)."
    )
    certificate_check: VerdictOut | None
    certificate_revoked_at: datetime | None
    recovery_codes_left: int


class _ThrottleRoute(APIRoute):
    """429 answers carry ``Retry-After`` (RFC 9110 section 10.2.3) as well as the problem."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except TooManyAttempts as exc:
                lang = request_language(request)
                response = problem(
                    request,
                    exc.status,
                    exc.code,
                    exc.title(lang),
                    exc.message(lang),
                    retry_after=exc.retry_after,
                )
                response.headers["Retry-After"] = str(exc.retry_after)
                return response

        return handle


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/identity", tags=["identity"], route_class=_ThrottleRoute)
    seoul_pass = node.seoul_pass
    proofing = node.identity_proofing()

    @api.post(
        "/accounts",
        status_code=201,
        summary="Sign up: a new account with its own DID and ten recovery codes",
        description="Rate-limited per address. Sign in afterwards with `POST /sessions`.",
    )
    def sign_up(request: Request, body: SignUp) -> SignedUp:
        seoul_pass.sign_in_limiter.check(_address(request))
        account = seoul_pass.accounts.create(body.username, body.password, body.display_name)
        codes = seoul_pass.recovery.issue(account.id)
        return SignedUp(account=AccountOut.of(account), recovery_codes=codes)

    @api.post(
        "/sessions",
        status_code=201,
        summary="Sign in with a password: sets the session cookie",
        description="Rate-limited per address; repeated wrong passwords lock the account (429 "
        "with `Retry-After`). Any session cookie sent along is ended and replaced.",
    )
    def sign_in(request: Request, response: Response, body: SignIn) -> SessionOut:
        seoul_pass.sign_in_limiter.check(_address(request))
        account = seoul_pass.accounts.sign_in(body.username, body.password)
        token = begin_session(response, request, seoul_pass, account.id)
        session = seoul_pass.sessions.get(token)
        if session is None:
            raise NotSignedIn()
        return SessionOut(
            account=AccountOut.of(account), csrf_token=session.csrf, expires_at=session.expires_at
        )

    @api.delete(
        "/sessions/current",
        status_code=204,
        summary="Sign out: end this session",
        description=_CSRF_NOTE,
    )
    def sign_out(request: Request) -> Response:
        found = session_caller(request, seoul_pass, csrf=True)
        seoul_pass.sessions.end(found.token)
        response = Response(status_code=204)
        clear_session_cookie(response)
        return response

    @api.get(
        "/me",
        summary="My account, my identity certificate and its verification",
        description="Needs the session cookie (401 without).",
    )
    def me(request: Request, response: Response) -> Me:
        found = session_caller(request, seoul_pass, csrf=False)
        response.headers["Cache-Control"] = "no-store"
        certificate = proofing.latest(found.account.id)
        check = certificate_check(node, certificate) if certificate else None
        return Me(
            account=AccountOut.of(found.account),
            certificate=certificate.document if certificate else None,
            certificate_file=certificate_file(node, certificate) if certificate else None,
            certificate_check=VerdictOut.model_validate(check.to_dict()) if check else None,
            certificate_revoked_at=certificate.revoked_at if certificate else None,
            recovery_codes_left=seoul_pass.recovery.remaining(found.account.id),
        )

    @api.post(
        "/recovery",
        status_code=204,
        summary="Recover an account with a one-time recovery code",
        description="Sets a new password and ends every session of the account. Rate-limited "
        "per address; a wrong username and a wrong code both answer 401 "
        "`recovery-failed`, so the answer never says whether an account exists.",
    )
    def recover(request: Request, body: Recover) -> Response:
        seoul_pass.sign_in_limiter.check(_address(request))
        seoul_pass.recovery.recover(body.username, body.code, body.new_password)
        return Response(status_code=204)

    @api.post(
        "/certificates/verify",
        summary="Check a Seoul Pass identity credential or certificate (no account needed)",
        description="The one verifier's checks, as `POST /api/v1/verify` reports them: for the "
        "credential or its bundle the format, the city's signature and key, the issuer's "
        "trust, validity, revocation in the city's status list and the ledger anchor; for a "
        "certificate of the earlier format its signature, issuer, ledger record and revocation.",
    )
    def verify(body: dict[str, Any]) -> VerdictOut:
        verdict = node.verifier().verify(json.dumps(body).encode())
        return VerdictOut.model_validate(verdict.to_dict())

    return api
