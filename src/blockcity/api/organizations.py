"""``/api/v1/organizations``: an operator app reads its own organization's profile and staff
roles. Another organization's id answers 404, exactly like an unknown one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from blockcity.api.oauth import OperatorCall, OperatorRoute, require_scope
from blockcity.node import Node

READ = "organizations:read"


def router(node: Node) -> APIRouter:
    api = APIRouter(
        prefix="/api/v1/organizations", tags=["organizations"], route_class=OperatorRoute
    )
    organizations = node.seoul_pass.organizations

    @api.get("/{organization_id}", summary="The app's own organization")
    def organization(
        organization_id: str, call: OperatorCall = Depends(require_scope(READ))
    ) -> dict[str, Any]:
        found = organizations.get(call.actor, organization_id)
        return {
            "id": found.id,
            "name": found.name,
            "kind": found.kind.value,
            "business_number": found.business_number,
            "did": found.did,
            "created_at": found.created_at.isoformat(),
        }

    @api.get(
        "/{organization_id}/staff",
        summary="Who works for the app's organization, by DID and role (no names)",
    )
    def staff(
        organization_id: str, call: OperatorCall = Depends(require_scope(READ))
    ) -> dict[str, Any]:
        members = organizations.staff(call.actor, organization_id)
        return {
            "items": [
                {"did": m.did, "role": m.role.value, "since": m.since.isoformat()} for m in members
            ]
        }

    return api
