"""Who is asking, for every page: the session cookie, the signed-in account, and CSRF checks.

Cookies are HttpOnly, SameSite=Lax, and Secure whenever the page was served over TLS. Every
form carries a CSRF token: the session's own once signed in, before that a random token that
must match a cookie of the same value (double submit).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response

from blockcity.errors import BlockcityError
from blockcity.identity.model import Account
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.sessions import SESSION_LIFETIME, Session, csrf_matches

SESSION_COOKIE = "bc_session"
ANONYMOUS_CSRF_COOKIE = "bc_csrf"


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


def require_signed_in(request: Request, seoul_pass: SeoulPass) -> SignedIn:
    found = signed_in(request, seoul_pass)
    if found is None:
        raise NotSignedIn()
    return found


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
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
    set_session_cookie(response, request, token)
    return token


def safe_next(target: str | None, default: str = "/me") -> str:
    """Where to go after signing in: only a path on this site. Anything else (another host,
    ``//host``, a backslash that browsers read as a slash, a scheme) falls back to ``default``,
    so ``?next=`` cannot become an open redirect."""
    if (
        not target
        or len(target) > 2000
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or not target.isprintable()
        or any(c.isspace() for c in target)
    ):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def form_csrf_token(request: Request, seoul_pass: SeoulPass) -> str:
    """The token to put in a form on this page (see ``remember_anonymous_csrf``)."""
    found = signed_in(request, seoul_pass)
    if found is not None:
        return found.session.csrf
    return request.cookies.get(ANONYMOUS_CSRF_COOKIE) or secrets.token_urlsafe(32)


def remember_anonymous_csrf(response: Response, request: Request, token: str) -> None:
    """Set the double-submit cookie for a form shown to someone not signed in."""
    if request.cookies.get(ANONYMOUS_CSRF_COOKIE) != token:
        response.set_cookie(
            ANONYMOUS_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )


def check_csrf(request: Request, seoul_pass: SeoulPass, given: str | None) -> SignedIn | None:
    """Refuse a form whose token does not match; return who sent it, if signed in."""
    found = signed_in(request, seoul_pass)
    expected = (
        found.session.csrf if found is not None else request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    )
    if expected is None or not csrf_matches(expected, given):
        raise CsrfRejected()
    return found
