"""Operator app pages: an organization registers its apps and sees their status, the client
secret is shown once at registration, the city's administrators approve and revoke apps, and
both read an app's access log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from blockcity.errors import InvalidInput
from blockcity.http.sessions import SignedIn
from blockcity.identity.model import AccountKind
from blockcity.identity.operators import SCOPES, OperatorClient
from blockcity.identity.organizations import Organization
from blockcity.node import Node
from blockcity.web.auth import require_signed_in
from blockcity.web.organizations import CsrfField, done_message, signed_in_form
from blockcity.web.rendering import HtmlErrorRoute, page_language, parse_number, redirect, render

LOG_PAGE = 50
DONE = {
    "approved": "operators.done.approved",
    "revoked": "operators.done.revoked",
}
# The page that shows a new client secret must not stay in any cache or history snapshot.
_NO_STORE = {"Cache-Control": "no-store"}

ScopesField = Annotated[list[str] | None, Form()]


def router(node: Node) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass
    organizations = seoul_pass.organizations
    operators = seoul_pass.operators

    def clients_page(
        request: Request,
        me: SignedIn,
        organization_id: str | None,
        *,
        created: tuple[OperatorClient, str] | None = None,
        error: InvalidInput | None = None,
        values: Mapping[str, object] | None = None,
    ) -> HTMLResponse:
        """An organization's operator apps, or with ``organization_id`` None, the city
        administrator's list of everyone's."""
        organization: Organization | None
        if organization_id is None:
            template, action = "operators/admin.html", "/admin/operators"
            organization, clients = None, operators.everyone(me.account)
        else:
            template, action = "operators/org.html", f"/orgs/{organization_id}/operators"
            clients = operators.of_organization(me.account, organization_id)
            organization = organizations.get(me.account, organization_id)
        response = _page(
            request,
            template,
            me,
            organization=organization,
            clients=clients,
            action=action,
            created=created,
            error=error,
            values=values,
        )
        if created:
            response.headers.update(_NO_STORE)
        return response

    @pages.get("/orgs/{organization_id}/operators", response_class=HTMLResponse)
    def organization_operators(request: Request, organization_id: str) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        return clients_page(request, me, organization_id)

    @pages.post("/orgs/{organization_id}/operators", response_class=HTMLResponse)
    def register(
        request: Request,
        organization_id: str,
        csrf: CsrfField = "",
        name: Annotated[str, Form()] = "",
        scopes: ScopesField = None,
    ) -> HTMLResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        try:
            created = operators.register(me.account, name, scopes or [], organization_id)
        except InvalidInput as exc:
            values = {"name": name, "scopes": scopes or []}
            return clients_page(request, me, organization_id, error=exc, values=values)
        return clients_page(request, me, organization_id, created=created)

    @pages.post("/orgs/{organization_id}/operators/{client_id}/revoke")
    def revoke_own(
        request: Request, organization_id: str, client_id: str, csrf: CsrfField = ""
    ) -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        operators.revoke(me.account, client_id, organization_id)
        return redirect(f"/orgs/{organization_id}/operators?done=revoked")

    @pages.get("/operators/{client_id}/log", response_class=HTMLResponse)
    def access_log(request: Request, client_id: str, cursor: str | None = None) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        before = None if cursor is None else parse_number(cursor, "what.cursor")
        records, next_cursor = operators.access_log(me.account, client_id, before, LOG_PAGE)
        client = operators.get(me.account, client_id)
        return render(
            request,
            "operators/log.html",
            section="orgs",
            viewer=me.account,
            client=client,
            # Administrators came from the licensing desk; the organization's staff from theirs.
            from_desk=me.account.kind is AccountKind.ADMIN or client.organization_id is None,
            records=records,
            older_url=f"/operators/{client_id}/log?cursor={next_cursor}" if next_cursor else None,
            newest_url=f"/operators/{client_id}/log" if before is not None else None,
        )

    @pages.get("/admin/operators", response_class=HTMLResponse)
    def licensing_desk(request: Request) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        return clients_page(request, me, None)

    @pages.post("/admin/operators", response_class=HTMLResponse)
    def register_city_app(
        request: Request,
        csrf: CsrfField = "",
        name: Annotated[str, Form()] = "",
        scopes: ScopesField = None,
    ) -> HTMLResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        try:
            created = operators.register(me.account, name, scopes or [])
        except InvalidInput as exc:
            return clients_page(
                request, me, None, error=exc, values={"name": name, "scopes": scopes or []}
            )
        return clients_page(request, me, None, created=created)

    @pages.post("/admin/operators/{client_id}/approve")
    def approve(request: Request, client_id: str, csrf: CsrfField = "") -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        operators.approve(me.account, client_id)
        return redirect("/admin/operators?done=approved")

    @pages.post("/admin/operators/{client_id}/revoke")
    def revoke(request: Request, client_id: str, csrf: CsrfField = "") -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        operators.revoke(me.account, client_id)
        return redirect("/admin/operators?done=revoked")

    return pages


def _page(
    request: Request,
    template: str,
    me: SignedIn,
    *,
    organization: Organization | None,
    clients: list[OperatorClient],
    action: str,
    created: tuple[OperatorClient, str] | None,
    error: InvalidInput | None,
    values: Mapping[str, object] | None,
) -> HTMLResponse:
    lang = page_language(request)
    return render(
        request,
        template,
        section="orgs",
        viewer=me.account,
        status=error.status if error else (201 if created else 200),
        org=organization,
        clients=clients,
        scopes=[(s.name, s.ko if lang == "ko" else s.en) for s in SCOPES.values()],
        action=action,
        base=str(request.base_url).rstrip("/"),
        created=created[0] if created else None,
        secret=created[1] if created else None,
        error=error.message(lang) if error else None,
        values=values or {"name": "", "scopes": []},
        csrf=me.session.csrf,
        done=done_message(request, DONE),
    )
