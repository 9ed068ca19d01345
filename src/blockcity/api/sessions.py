"""API calls made with the web session cookie instead of an operator's token: who is signed
in, and for a call that changes something the session's CSRF token in the ``X-CSRF-Token``
header, so another site cannot make the call with the person's cookie."""

from __future__ import annotations

from fastapi import Request

from blockcity.http.sessions import CSRF_HEADER, CsrfRejected, NotSignedIn, SignedIn, signed_in
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.sessions import csrf_matches


def session_caller(request: Request, seoul_pass: SeoulPass, *, csrf: bool) -> SignedIn:
    """The signed-in caller (401 without a session); with ``csrf``, 403 unless the header
    carries the session's token."""
    found = signed_in(request, seoul_pass)
    if found is None:
        raise NotSignedIn()
    if csrf and not csrf_matches(found.session.csrf, request.headers.get(CSRF_HEADER)):
        raise CsrfRejected()
    return found
