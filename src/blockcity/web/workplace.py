"""What the labor contract, attendance and wage-statement pages share: the signed-in person
or a trip to the sign-in page, the organizations they run, their PIN on this device, and a page
that is never cached (every one of them shows someone's work and pay)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from blockcity.http.sessions import SignedIn, signed_in
from blockcity.identity.model import Account, Role
from blockcity.identity.organizations import Organization
from blockcity.identity.seoulpass import SeoulPass
from blockcity.web.passkeys import DEVICE_COOKIE
from blockcity.web.rendering import render, to_sign_in

EMPLOYER_ROLES = frozenset({Role.OWNER, Role.MANAGER})
"""Who acts for an employer: drafts, sends and countersigns contracts, confirms attendance,
issues wage statements. A clerk reads only."""


class WorkplacePages:
    def __init__(self, seoul_pass: SeoulPass) -> None:
        self.seoul_pass = seoul_pass

    def me_or_sign_in(self, request: Request) -> SignedIn | Response:
        found = signed_in(request, self.seoul_pass)
        if found is None:
            return to_sign_in(request)
        return found

    def employer_orgs(self, account: Account) -> list[Organization]:
        return [
            org for org, role in self.seoul_pass.organizations.of(account) if role in EMPLOYER_ROLES
        ]

    def is_employer(self, account: Account, organization_id: str) -> bool:
        return self.seoul_pass.organizations.role_of(account.id, organization_id) in (
            EMPLOYER_ROLES
        )

    def has_pin(self, request: Request, account: Account) -> bool:
        device = request.cookies.get(DEVICE_COOKIE)
        return self.seoul_pass.pins.get(account.id, device) is not None

    def page(
        self, request: Request, template: str, found: SignedIn, status: int = 200, **context: Any
    ) -> HTMLResponse:
        response = render(
            request,
            template,
            section="labor",
            status=status,
            viewer=found.account,
            csrf=found.session.csrf,
            **context,
        )
        response.headers["Cache-Control"] = "no-store"
        return response
