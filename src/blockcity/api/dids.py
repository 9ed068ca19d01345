"""``/api/v1/identity/dids``: DID documents resolved offline from the DID registry on the
ledger, as they stand now or as they stood at any past time.

A did:web is resolved here from what the ledger recorded, not fetched from its host's
``/.well-known/did.json``. Put the DID in the path percent-encoded once more, so that a port's
``%3A`` arrives intact: ``did:web:example.org%253A8443``.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from blockcity.identity.dids import parse_time
from blockcity.node import Node

DID_MEDIA_TYPE = "application/did+ld+json"
"""DID Core §6.3.2: the JSON-LD representation, which carries an @context."""


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/identity/dids", tags=["identity"])

    @api.get(
        "/{did}",
        summary="The W3C DID document of a did:web or did:key, from the ledger",
        response_class=JSONResponse,
        responses={200: {"content": {DID_MEDIA_TYPE: {}}}},
    )
    def document(
        did: str = Path(
            max_length=300, description="The DID, e.g. did:web:seoul.blockcity.example"
        ),
        at: str | None = Query(
            None,
            max_length=40,
            description="An RFC 3339 time: the document as it stood then (default: now).",
        ),
    ) -> JSONResponse:
        moment = parse_time(at) if at is not None else None
        return JSONResponse(node.dids.resolve_did_document(did, moment), media_type=DID_MEDIA_TYPE)

    return api
