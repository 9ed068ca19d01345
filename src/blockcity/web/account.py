"""Account pages: sign up, sign in and out, my account and identity credential, password
change, recovery with a one-time code, and the registration officer's identity check.

Every form carries a CSRF token; every password or code attempt first passes the per-address
rate limit; a sign-in always starts a brand-new session. Pages only parse, call Seoul Pass and
render.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from blockcity.errors import BlockcityError, InvalidInput
from blockcity.http.certificates import certificate_check, certificate_entry, certificate_file
from blockcity.http.sessions import SignedIn, begin_session, clear_session_cookie, signed_in
from blockcity.identity.model import Account, AccountKind
from blockcity.identity.passwords import SignInFailed, TooManyAttempts
from blockcity.identity.proofing import (
    NotAnOfficer,
    parse_birth_date,
)
from blockcity.identity.seoulpass import SeoulPass
from blockcity.node import Node
from blockcity.web.auth import check_csrf, form_csrf_token, remember_anonymous_csrf, safe_next
from blockcity.web.i18n import messages
from blockcity.web.rendering import (
    HtmlErrorRoute,
    json_download,
    localized_error,
    page_language,
    redirect,
    render,
    to_sign_in,
)

SECTION = "account"


class PasswordNotConfirmed(BlockcityError):
    """The signed-in person's own password, asked again before a sensitive change, was wrong."""

    code = "password-not-confirmed"
    status = 401
    title_ko = "비밀번호를 확인하지 못했습니다"
    title_en = "Password not confirmed"


_SEOUL = ZoneInfo("Asia/Seoul")

# Form fields: generous limits, so a real value never hits them and a huge one is refused early.
Text = Annotated[str, Form(max_length=200)]
Secret = Annotated[str, Form(max_length=1000)]
Token = Annotated[str, Form(max_length=200)]


def _address(request: Request) -> str:
    """The client's address for the rate limit. Behind a reverse proxy, run uvicorn with
    ``--proxy-headers`` so that this is the visitor's address, not the proxy's."""
    return request.client.host if request.client else "unknown"


def router(node: Node) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass
    proofing = node.identity_proofing()

    def page(
        request: Request,
        template: str,
        found: SignedIn | None,
        *,
        status: int = 200,
        viewer: Account | None = None,
        error: BlockcityError | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """A page with a form: its CSRF token, never cached (it may show personal data)."""
        token = found.session.csrf if found else form_csrf_token(request, seoul_pass)
        response = render(
            request,
            template,
            section=SECTION,
            status=error.status if error else status,
            viewer=viewer or (found.account if found else None),
            csrf_token=token,
            error=_sentence(error.message(page_language(request))) if error else None,
            **context,
        )
        if found is None:
            remember_anonymous_csrf(response, request, token)
        response.headers["Cache-Control"] = "no-store"
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    def signed_in_page(request: Request, template: str) -> Response:
        """``template`` for the signed-in person; anyone else is sent to sign in first."""
        found = signed_in(request, seoul_pass)
        if found is None:
            return to_sign_in(request)
        return page(request, template, found)

    # Sign up.

    @pages.get("/signup", response_class=HTMLResponse)
    def signup_form(request: Request) -> HTMLResponse:
        return page(request, "account/signup.html", signed_in(request, seoul_pass), form={})

    @pages.post("/signup", response_class=HTMLResponse)
    def signup(
        request: Request,
        username: Text = "",
        display_name: Text = "",
        password: Secret = "",
        password_again: Secret = "",
        csrf_token: Token = "",
    ) -> HTMLResponse:
        found = check_csrf(request, seoul_pass, csrf_token)
        entered = {"username": username, "display_name": display_name}
        try:
            _same_passwords(password, password_again)
            seoul_pass.sign_in_limiter.check(_address(request))
            account = seoul_pass.accounts.create(username, password, display_name)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return page(request, "account/signup.html", found, error=exc, form=entered)
        codes = seoul_pass.recovery.issue(account.id)
        response = page(
            request, "account/codes.html", None, status=201, viewer=account, codes=codes, new=True
        )
        begin_session(response, request, seoul_pass, account.id)
        return response

    # Sign in and out.

    @pages.get("/signin", response_class=HTMLResponse)
    def signin_form(request: Request, next: str = "/me", recovered: str = "") -> HTMLResponse:
        return page(
            request,
            "account/signin.html",
            signed_in(request, seoul_pass),
            next=safe_next(next),
            username="",
            recovered=bool(recovered),
        )

    @pages.post("/signin", response_class=HTMLResponse)
    def signin(
        request: Request,
        username: Text = "",
        password: Secret = "",
        next: Annotated[str, Form(max_length=2000)] = "/me",
        csrf_token: Token = "",
    ) -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        target = safe_next(next)
        try:
            seoul_pass.sign_in_limiter.check(_address(request))
            account = seoul_pass.accounts.sign_in(username, password)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return page(
                request,
                "account/signin.html",
                found,
                error=exc,
                next=target,
                username=username,
                recovered=False,
            )
        response = redirect(target)
        begin_session(response, request, seoul_pass, account.id)
        return response

    @pages.post("/signout")
    def signout(request: Request, csrf_token: Token = "") -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is not None:
            seoul_pass.sessions.end(found.token)
        response = redirect("/")
        clear_session_cookie(response)
        return response

    # My account.

    @pages.get("/me", response_class=HTMLResponse)
    def me(request: Request) -> Response:
        found = signed_in(request, seoul_pass)
        if found is None:
            return to_sign_in(request)
        account = found.account
        certificate = proofing.latest(account.id)
        return page(
            request,
            "account/me.html",
            found,
            account=account,
            certificate=certificate,
            check=certificate_check(node, certificate) if certificate else None,
            entry_index=certificate_entry(node, certificate) if certificate else None,
            check_labels=_check_labels(page_language(request)),
            opening=proofing.opening(account.id, certificate.id) if certificate else None,
            codes_left=seoul_pass.recovery.remaining(account.id),
            changed=request.query_params.get("changed") == "password",
        )

    @pages.get("/me/certificates/{certificate_id}")
    def certificate_download(request: Request, certificate_id: str) -> Response:
        found = signed_in(request, seoul_pass)
        if found is None:
            return to_sign_in(request)
        # Someone else's certificate is "not found", never "forbidden": the answer must not
        # reveal that the id exists.
        stored = proofing.get(found.account.id, certificate_id)
        return json_download(certificate_file(node, stored), "seoul-pass-identity.json")

    @pages.get("/me/password", response_class=HTMLResponse)
    def password_form(request: Request) -> Response:
        return signed_in_page(request, "account/password.html")

    @pages.post("/me/password", response_class=HTMLResponse)
    def password_change(
        request: Request,
        current: Secret = "",
        new: Secret = "",
        new_again: Secret = "",
        csrf_token: Token = "",
    ) -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return to_sign_in(request)
        account = found.account
        try:
            _same_passwords(new, new_again)
            # The current password again, so that a borrowed or stolen session cannot take the
            # account over.
            _confirm_password(seoul_pass, request, account, current)
            seoul_pass.accounts.set_password(account.id, new)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return page(request, "account/password.html", found, error=exc)
        # Everywhere else is signed out; this browser gets a fresh session.
        seoul_pass.sessions.end_all(account.id)
        response = redirect("/me?changed=password")
        begin_session(response, request, seoul_pass, account.id)
        return response

    @pages.get("/me/recovery-codes", response_class=HTMLResponse)
    def new_codes_form(request: Request) -> Response:
        return signed_in_page(request, "account/new_codes.html")

    @pages.post("/me/recovery-codes", response_class=HTMLResponse)
    def new_codes(request: Request, current: Secret = "", csrf_token: Token = "") -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        if found is None:
            return to_sign_in(request)
        try:
            _confirm_password(seoul_pass, request, found.account, current)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return page(request, "account/new_codes.html", found, error=exc)
        codes = seoul_pass.recovery.issue(found.account.id)
        return page(request, "account/codes.html", found, codes=codes, new=False)

    # Recovery.

    @pages.get("/recover", response_class=HTMLResponse)
    def recover_form(request: Request) -> HTMLResponse:
        return page(request, "account/recover.html", signed_in(request, seoul_pass), username="")

    @pages.post("/recover", response_class=HTMLResponse)
    def recover(
        request: Request,
        username: Text = "",
        code: Text = "",
        new: Secret = "",
        new_again: Secret = "",
        csrf_token: Token = "",
    ) -> Response:
        found = check_csrf(request, seoul_pass, csrf_token)
        try:
            _same_passwords(new, new_again)
            seoul_pass.sign_in_limiter.check(_address(request))
            seoul_pass.recovery.recover(username, code, new)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return page(request, "account/recover.html", found, error=exc, username=username)
        response = redirect("/signin?recovered=1")
        clear_session_cookie(response)
        return response

    # The registration officer's identity check.

    def as_officer(found: SignedIn | None) -> SignedIn:
        if found is None or found.account.kind is not AccountKind.OFFICER:
            raise NotAnOfficer()
        return found

    def officer_page(
        request: Request,
        found: SignedIn,
        username: str,
        *,
        error: BlockcityError | None = None,
        issued: bool = False,
    ) -> HTMLResponse:
        subject = seoul_pass.accounts.by_username(username) if username.strip() else None
        return page(
            request,
            "account/officer_proof.html",
            found,
            error=error,
            username=username,
            subject=subject,
            certificate=proofing.current(subject.id) if subject else None,
            issued=issued,
        )

    @pages.get("/officer/proof", response_class=HTMLResponse)
    def officer_form(request: Request, username: str = "", issued: str = "") -> Response:
        found = signed_in(request, seoul_pass)
        if found is None:
            return to_sign_in(request)
        return officer_page(request, as_officer(found), username[:200], issued=bool(issued))

    @pages.post("/officer/proof", response_class=HTMLResponse)
    def officer_proof(
        request: Request,
        username: Text = "",
        legal_name: Text = "",
        birth_date: Annotated[str, Form(max_length=20)] = "",
        officer_password: Secret = "",
        csrf_token: Token = "",
    ) -> Response:
        found = as_officer(check_csrf(request, seoul_pass, csrf_token))
        try:
            subject = seoul_pass.accounts.by_username(username)
            if subject is None:
                raise localized_error(
                    InvalidInput, "account.officer.error.no_account", name=username
                )
            born = parse_birth_date(birth_date, seoul_pass.clock().astimezone(_SEOUL).date())
            # The officer's own key signs the ledger entry: confirm it is really them.
            _confirm_password(seoul_pass, request, found.account, officer_password)
            proofing.issue(found.account.id, subject.id, legal_name, born)
        except BlockcityError as exc:
            if exc.status >= 500:
                raise
            return officer_page(request, found, username, error=exc)
        return redirect(f"/officer/proof?username={quote(subject.username)}&issued=1")

    return pages


def _confirm_password(
    seoul_pass: SeoulPass, request: Request, account: Account, password: str
) -> None:
    """The signed-in person's password again, within the address's sign-in limit; wrong
    answers count toward the lockout."""
    seoul_pass.sign_in_limiter.check(_address(request))
    try:
        seoul_pass.accounts.sign_in(account.username, password)
    except SignInFailed as exc:
        raise localized_error(PasswordNotConfirmed, "account.error.current") from exc


def _check_labels(lang: str) -> dict[str, str]:
    """The verifier's check names as the page labels them; a check without a label shows its
    name."""
    prefix = "account.cert.check."
    return {k.removeprefix(prefix): v for k, v in messages(lang).items() if k.startswith(prefix)}


def _sentence(message: str) -> str:
    """Error messages start in lower case (they also end up inside log lines); on a page each
    stands alone as a sentence."""
    return message[:1].upper() + message[1:]


def _same_passwords(password: str, again: str) -> None:
    if password != again:
        raise localized_error(InvalidInput, "account.error.mismatch")
