"""``/api/v1/operators/me``: what an operator app can learn about itself with its token, its
licence and its own access log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from blockcity.api.oauth import OperatorCall, OperatorRoute, require_operator, require_scope
from blockcity.identity.operators import LOG_PAGE_MAX, AccessRecord
from blockcity.node import Node

MAX_ID = 2**63 - 1


def record_view(record: AccessRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "at": record.at.isoformat(),
        "method": record.method,
        "path": record.path,
        "status": record.status,
        "scope": record.scope,
    }


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/operators", tags=["operators"], route_class=OperatorRoute)
    operators = node.seoul_pass.operators

    @api.get("/me", summary="The calling app: its licence, organization and this token")
    def me(call: OperatorCall = Depends(require_operator)) -> dict[str, Any]:
        client = operators.own(call.actor)
        return {
            "client_id": client.client_id,
            "name": client.name,
            "status": client.status.value,
            "organization": (
                {"id": client.organization_id, "name": client.organization_name}
                if client.organization_id
                else None
            ),
            "licensed_scopes": list(client.scopes),
            "token": {
                "scopes": sorted(call.grant.scopes),
                "expires_at": call.grant.expires_at.isoformat(),
            },
        }

    @api.get(
        "/me/access-log",
        summary="The calling app's own API calls, newest first, with cursor pagination",
    )
    def access_log(
        cursor: int | None = Query(None, ge=1, le=MAX_ID, description="Start below this id."),
        limit: int = Query(50, ge=1, le=LOG_PAGE_MAX),
        call: OperatorCall = Depends(require_scope("operators:log:read")),
    ) -> dict[str, Any]:
        records, next_cursor = operators.access_log(call.actor, call.client_id, cursor, limit)
        return {"items": [record_view(r) for r in records], "next_cursor": next_cursor}

    return api
