"""The session cookie both edges read: who it signs in, starting and ending it, and the errors
for a missing session or a request whose CSRF token does not match.

The cookie is HttpOnly, SameSite=Lax, and Secure whenever the page was served over TLS.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from blockcity.errors import BlockcityError
from blockcity.identity.model import Account
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.sessions import SESSION_LIFETIME, Session

SESSION_COOKIE = "bc_session"
CSRF_HEADER = "X-CSRF-Token"
"""Where a script or an API client sends the session's CSRF token (a form sends a field)."""


class NotSignedIn(BlockcityError):
    code = "not-signed-in"
    status = 401
    title_ko = "로그인이 필요합니다"
    title_en = "Sign-in required"

    def __init__(self) -> None:
        super().__init__("sign in to see this page", "이 페이지를 보려면 로그인하세요")


class CsrfRejected(BlockcityError):
    code = "csrf-rejected"
    status = 403
    title_ko = "요청을 확인할 수 없습니다"
    title_en = "Request could not be confirmed"

    def __init__(self) -> None:
        super().__init__(
            "this form was not sent from our page (or it expired); reload the page and retry",
            "이 양식은 우리 페이지에서 보낸 것이 아니거나 만료되었습니다. 페이지를 새로 고친 뒤 "
            "다시 시도하세요",
        )


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    session: Session
    account: Account


def signed_in(request: Request, seoul_pass: SeoulPass) -> SignedIn | None:
    token = request.cookies.get(SESSION_COOKIE)
    session = seoul_pass.sessions.get(token)
    if token is None or session is None:
        return None
    return SignedIn(token, session, seoul_pass.accounts.get(session.account_id))


def served_over_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=served_over_tls(request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def begin_session(
    response: Response, request: Request, seoul_pass: SeoulPass, account_id: str
) -> str:
    """After any successful sign-in (password, passkey, recovery): end the session the browser
    held before, if any, and give it a brand-new one. A session id planted before sign-in
    (session fixation) therefore never becomes the signed-in session."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        seoul_pass.sessions.end(previous)
    token, _ = seoul_pass.sessions.start(account_id)
    _set_session_cookie(response, request, token)
    return token
