"""Rendering for every web page: the Jinja2 environment, the language switch, security
headers, errors shown as pages in the reader's language instead of JSON, redirects (after a
form, or to sign in first) and JSON files to download."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from blockcity import __version__
from blockcity.errors import BlockcityError, InvalidInput, StorageError
from blockcity.http.sessions import SESSION_COOKIE, signed_in
from blockcity.identity.model import Account
from blockcity.web.i18n import LANGUAGES, Translator, messages

HERE = Path(__file__).parent
_SEOUL = ZoneInfo("Asia/Seoul")
# SQLite integers are signed 64-bit: a larger number can name no block or entry.
_MAX_NUMBER = 2**63 - 1
_LANG_COOKIE_AGE = 365 * 24 * 3600
# Nothing from a third party and no inline script: the only scripts are our own files (passkey
# pages need one to reach the browser's WebAuthn API). The API docs page is not ours.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Vary": "Accept-Language, Cookie",
}


def seoul_time(iso: str) -> str:
    """An RFC 3339 UTC time as Seoul wall-clock time, the way people in Seoul read it."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone(_SEOUL).strftime("%Y-%m-%d %H:%M:%S KST")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seoul"] = seoul_time
    env.filters["num"] = lambda n: f"{n:,}"
    return env


_ENV = _environment()


_E = TypeVar("_E", bound=BlockcityError)


def localized_error(kind: type[_E], key: str, what: str | None = None, **values: object) -> _E:
    """An error whose English and Korean messages come from the locale files."""
    texts = {}
    for lang in ("en", "ko"):
        catalog = messages(lang)
        extra = {"what": catalog[what]} if what else {}
        texts[lang] = catalog[key].format(**values, **extra)
    return kind(texts["en"], texts["ko"])


def parse_number(text: str, what: str) -> int:
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= _MAX_NUMBER:
        return int(text)
    raise localized_error(InvalidInput, "error.number", what, max=_MAX_NUMBER, value=text[:40])


def page_language(request: Request) -> str:
    """Korean unless the reader chose English with the switch (``?lang=en``, then a cookie).

    Pages do not follow Accept-Language: a city's site speaks Korean first, and a phone set to
    English still shows Korean until its reader asks otherwise. The API does negotiate.
    """
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    return chosen if chosen in LANGUAGES else "ko"


def _signed_in_account(request: Request) -> Account | None:
    """Who is signed in, for the navigation of pages that do not say (the ledger pages): the
    session cookie checked against the Seoul Pass of the node this app serves."""
    if SESSION_COOKIE not in request.cookies:
        return None
    node = getattr(request.app.state, "node", None)
    if node is None:
        return None
    try:
        found = signed_in(request, node.seoul_pass)
    except StorageError:
        # A read-only node has no Seoul Pass: nobody can be signed in there.
        return None
    return found.account if found else None


def render(
    request: Request,
    template: str,
    *,
    section: str,
    status: int = 200,
    viewer: Account | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page; ``viewer`` is the signed-in account if the page knows it already (otherwise it
    is looked up, so that the navigation offers "sign in" or "my account" on every page)."""
    lang = page_language(request)
    other = "en" if lang == "ko" else "ko"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch_url = f"{request.url.path}?{urlencode([*query, ('lang', other)])}"
    html = _ENV.get_template(template).render(
        lang=lang,
        t=Translator(lang),
        other_lang=other,
        switch_url=switch_url,
        section=section,
        version=__version__,
        viewer=viewer if viewer is not None else _signed_in_account(request),
        **context,
    )
    response = HTMLResponse(
        html, status_code=status, headers={**_HEADERS, "Content-Language": lang}
    )
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie("lang", chosen, max_age=_LANG_COOKIE_AGE, httponly=True, samesite="lax")
    return response


def error_page(request: Request, exc: BlockcityError) -> HTMLResponse:
    lang = page_language(request)
    hints = {400: "error.hint.invalid", 404: "error.hint.not_found"}
    kind = request.query_params.get("kind")
    return render(
        request,
        "error.html",
        section="ledger",
        status=exc.status,
        title=exc.title(lang),
        message=exc.message(lang),
        hint=hints.get(exc.status, "error.hint.unavailable"),
        query=request.query_params.get("q", ""),
        kind=kind if kind in ("entry", "block") else "entry",
    )


class HtmlErrorRoute(APIRoute):
    """Turns a deliberate error on a page into a page in the reader's language, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except BlockcityError as exc:
                return error_page(request, exc)
            except RequestValidationError:
                return error_page(request, localized_error(InvalidInput, "error.validation"))

        return handle


def redirect(url: str) -> RedirectResponse:
    """After a form or a search: 303, so a reload does not repeat the POST."""
    return RedirectResponse(url, status_code=303)


def to_sign_in(request: Request) -> RedirectResponse:
    """A page for the signed-in only, asked for by someone who is not: sign in, then back here."""
    return redirect("/signin?next=" + quote(request.url.path, safe="/"))


def json_download(document: Any, filename: str, *, secret_url: bool = False) -> Response:
    """A JSON file to save (a credential, a certificate, a presentation), indented and with
    Korean left readable, never cached. ``secret_url``: the page's address is itself a secret
    (a share link), so the browser must not send it on as a referrer."""
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    if secret_url:
        headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=headers,
    )
