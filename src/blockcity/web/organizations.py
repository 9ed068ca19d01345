"""Organization pages: my organizations, creating one, its staff (invite, change role, remove,
leave) and my invitations. Every form carries the session's CSRF token; every check of who may
do what happens in ``identity.organizations``, so these handlers only parse, call and render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.http.sessions import NotSignedIn, SignedIn
from blockcity.identity.authz import (
    GRANTABLE,
    RANK,
    ROLE_RULES,
    Action,
    Decision,
    Resource,
    ResourceKind,
    may_manage,
)
from blockcity.identity.model import AccountKind, OrganizationKind, Role
from blockcity.identity.organizations import StaffMember
from blockcity.identity.seoulpass import SeoulPass
from blockcity.node import Node
from blockcity.web.auth import check_csrf, require_signed_in
from blockcity.web.rendering import HtmlErrorRoute, page_language, redirect, render

# The confirmation shown after a form, keyed by the ``done`` query parameter (anything else is
# ignored, so a link cannot make the page say something we did not write).
DONE = {
    "created": "orgs.done.created",
    "invited": "orgs.done.invited",
    "cancelled": "orgs.done.cancelled",
    "role": "orgs.done.role",
    "removed": "orgs.done.removed",
    "left": "orgs.done.left",
    "joined": "orgs.done.joined",
    "declined": "orgs.done.declined",
}

CsrfField = Annotated[str, Form()]


@dataclass(frozen=True, slots=True)
class _StaffView:
    member: StaffMember
    is_me: bool
    roles: list[Role]
    """The roles the viewer may give this member (empty: no role form)."""
    removable: bool


def done_message(request: Request, table: dict[str, str]) -> str | None:
    return table.get(request.query_params.get("done", ""))


def signed_in_form(request: Request, seoul_pass: SeoulPass, csrf: str) -> SignedIn:
    """The signed-in sender of a form whose CSRF token matches their session."""
    found = check_csrf(request, seoul_pass, csrf)
    if found is None:
        raise NotSignedIn()
    return found


def _staff_views(viewer_id: str, viewer_role: Role, staff: list[StaffMember]) -> list[_StaffView]:
    """Which forms to show for each colleague; ``identity.organizations`` enforces the same."""
    owners = sum(1 for member in staff if member.role is Role.OWNER)
    rules = ROLE_RULES[viewer_role]
    views = []
    for member in staff:
        if member.account_id == viewer_id:
            # The last owner may neither step down nor leave, so offer neither.
            last_owner = member.role is Role.OWNER and owners == 1
            lower = [] if last_owner else [r for r in Role if RANK[r] < RANK[member.role]]
            views.append(_StaffView(member, True, lower, not last_owner))
            continue
        manageable = may_manage(viewer_role, member.role)
        grantable = sorted(GRANTABLE[viewer_role], key=lambda r: -RANK[r])
        roles = grantable if manageable and Action.STAFF_CHANGE_ROLE in rules else []
        if roles == [member.role]:
            roles = []
        views.append(_StaffView(member, False, roles, manageable and Action.STAFF_REMOVE in rules))
    return views


def router(node: Node) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass
    organizations = seoul_pass.organizations
    authz = seoul_pass.authz

    def org_page(
        request: Request,
        me: SignedIn,
        organization_id: str,
        *,
        status: int = 200,
        error: BlockcityError | None = None,
        invite_values: dict[str, str] | None = None,
    ) -> HTMLResponse:
        organization = organizations.get(me.account, organization_id)
        staff = organizations.staff(me.account, organization_id)
        role = organizations.role_of(me.account.id, organization_id)
        resource = Resource(ResourceKind.ORGANIZATION, organization_id=organization_id)

        def may(action: Action) -> bool:
            return authz.decide(me.account, action, resource) is Decision.ALLOW

        can_invite = may(Action.STAFF_INVITE)
        return render(
            request,
            "orgs/detail.html",
            section="orgs",
            viewer=me.account,
            status=status,
            org=organization,
            role=role,
            staff=_staff_views(me.account.id, role, staff) if role else [],
            can_invite=can_invite,
            can_manage_operators=may(Action.OPERATORS_MANAGE),
            invite_roles=sorted(GRANTABLE[role], key=lambda r: RANK[r]) if role else [],
            invitations=organizations.open_invitations(me.account, organization_id)
            if can_invite
            else [],
            invite_values=invite_values or {},
            csrf=me.session.csrf,
            done=done_message(request, DONE),
            error=error.message(page_language(request)) if error else None,
        )

    @pages.get("/orgs", response_class=HTMLResponse)
    def my_organizations(request: Request) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        return render(
            request,
            "orgs/list.html",
            section="orgs",
            viewer=me.account,
            memberships=organizations.of(me.account),
            invitations=len(organizations.invitations_for(me.account)),
            is_admin=me.account.kind is AccountKind.ADMIN,
            done=done_message(request, DONE),
        )

    @pages.get("/orgs/new", response_class=HTMLResponse)
    def new_organization(request: Request) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        return _new_form(request, me, {}, None)

    @pages.post("/orgs/new", response_model=None)
    def create_organization(
        request: Request,
        csrf: CsrfField = "",
        name: Annotated[str, Form()] = "",
        kind: Annotated[str, Form()] = "",
        business_number: Annotated[str, Form()] = "",
    ) -> HTMLResponse | RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        values = {"name": name, "kind": kind, "business_number": business_number}
        try:
            created = organizations.create(me.account, name, kind, business_number or None)
        except InvalidInput as exc:
            return _new_form(request, me, values, exc)
        return redirect(f"/orgs/{created.id}?done=created")

    @pages.get("/orgs/{organization_id}", response_class=HTMLResponse)
    def organization(request: Request, organization_id: str) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        return org_page(request, me, organization_id)

    @pages.post("/orgs/{organization_id}/invitations", response_model=None)
    def invite(
        request: Request,
        organization_id: str,
        csrf: CsrfField = "",
        username: Annotated[str, Form()] = "",
        role: Annotated[str, Form()] = "",
    ) -> HTMLResponse | RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        try:
            organizations.invite(me.account, organization_id, username, role)
        except (InvalidInput, Conflict, NotFound) as exc:
            # Shown on the organization's page, which itself answers 404 if it is not theirs.
            values = {"username": username, "role": role}
            return org_page(
                request, me, organization_id, status=exc.status, error=exc, invite_values=values
            )
        return redirect(f"/orgs/{organization_id}?done=invited")

    @pages.post("/orgs/{organization_id}/invitations/{invitation_id}/cancel")
    def cancel_invitation(
        request: Request, organization_id: str, invitation_id: str, csrf: CsrfField = ""
    ) -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        organizations.cancel(me.account, organization_id, invitation_id)
        return redirect(f"/orgs/{organization_id}?done=cancelled")

    @pages.post("/orgs/{organization_id}/staff/{account_id}/role")
    def change_role(
        request: Request,
        organization_id: str,
        account_id: str,
        csrf: CsrfField = "",
        role: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        organizations.change_role(me.account, organization_id, account_id, role)
        return redirect(f"/orgs/{organization_id}?done=role")

    @pages.post("/orgs/{organization_id}/staff/{account_id}/remove")
    def remove(
        request: Request, organization_id: str, account_id: str, csrf: CsrfField = ""
    ) -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        organizations.remove(me.account, organization_id, account_id)
        if account_id == me.account.id:
            return redirect("/orgs?done=left")
        return redirect(f"/orgs/{organization_id}?done=removed")

    @pages.get("/me/invitations", response_class=HTMLResponse)
    def my_invitations(request: Request) -> HTMLResponse:
        me = require_signed_in(request, seoul_pass)
        return render(
            request,
            "orgs/invitations.html",
            section="orgs",
            viewer=me.account,
            invitations=organizations.invitations_for(me.account),
            csrf=me.session.csrf,
            done=done_message(request, DONE),
        )

    @pages.post("/me/invitations/{invitation_id}/accept")
    def accept(request: Request, invitation_id: str, csrf: CsrfField = "") -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        joined = organizations.accept(me.account, invitation_id)
        return redirect(f"/orgs/{joined.id}?done=joined")

    @pages.post("/me/invitations/{invitation_id}/decline")
    def decline(request: Request, invitation_id: str, csrf: CsrfField = "") -> RedirectResponse:
        me = signed_in_form(request, seoul_pass, csrf)
        organizations.decline(me.account, invitation_id)
        return redirect("/me/invitations?done=declined")

    return pages


def _new_form(
    request: Request, me: SignedIn, values: dict[str, str], error: BlockcityError | None
) -> HTMLResponse:
    return render(
        request,
        "orgs/new.html",
        section="orgs",
        viewer=me.account,
        status=error.status if error else 200,
        kinds=list(OrganizationKind),
        values=values,
        csrf=me.session.csrf,
        error=error.message(page_language(request)) if error else None,
    )
