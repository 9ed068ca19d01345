"""Who is asking, for every page: the signed-in account or a refusal, a safe place to go after
signing in, and the CSRF checks of forms.

Every form carries a CSRF token: the session's own once signed in, before that a random token
that must match a cookie of the same value (double submit). The session cookie itself is
``blockcity.http.sessions``, which the API reads too.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from blockcity.http.sessions import CsrfRejected, NotSignedIn, SignedIn, served_over_tls, signed_in
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.sessions import csrf_matches

ANONYMOUS_CSRF_COOKIE = "bc_csrf"


def require_signed_in(request: Request, seoul_pass: SeoulPass) -> SignedIn:
    found = signed_in(request, seoul_pass)
    if found is None:
        raise NotSignedIn()
    return found


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
            secure=served_over_tls(request),
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
