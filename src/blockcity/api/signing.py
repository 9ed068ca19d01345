"""``/api/v1/signatures``: check a Seoul Pass signature record against a document digest.

Verifiers need no account (DESIGN.md section 1), so this needs no token: it reads only public
keys and writes nothing. A record that does not hold is a normal answer (``verified: false``
with the failed check and its reason); a request that is not a record at all is a 400 problem.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from blockcity.api.problems import request_language
from blockcity.identity.signing import SignatureRecord, SignatureRejected, parse_digest
from blockcity.node import Node


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record: dict[str, Any] = Field(description="The signature record, as Seoul Pass gave it.")
    sha256: str = Field(
        max_length=200, description="The SHA-256 of the document, as 64 hexadecimal digits."
    )


class VerifyResult(BaseModel):
    verified: bool
    kind: str
    signer: str
    signed_at: str
    check: str | None = Field(None, description="The check that failed, if one did.")
    reason: str | None = Field(None, description="Why, in the caller's language.")


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/signatures", tags=["signatures"])
    signing = node.seoul_pass.signing

    @api.post(
        "/verify",
        summary="Check a signature record (passkey or custodial) against a document's SHA-256",
    )
    def verify(request: Request, body: VerifyRequest) -> VerifyResult:
        record = SignatureRecord.from_dict(body.record)
        digest = parse_digest(body.sha256)
        found = {
            "kind": record.kind.value,
            "signer": record.signer,
            "signed_at": record.to_dict()["signed_at"],
        }
        try:
            signing.verify(record, digest)
        except SignatureRejected as exc:
            return VerifyResult(
                verified=False,
                check=exc.check,
                reason=exc.message(request_language(request)),
                **found,
            )
        return VerifyResult(verified=True, **found)

    return api
