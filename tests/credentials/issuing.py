"""A node with the demo issuers, a clock the tests move, and helpers to issue and verify: what
the credential tests share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from blockcity.config import Config
from blockcity.credentials.checks import Verdict
from blockcity.credentials.service import IssuedCredential, IssueRequest
from blockcity.credentials.verifier import Verifier, VerifierContext
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.demo import (
    DEMO_ORGANIZATION_DID,
    seed_demo,
    seed_demo_dids,
    seed_demo_issuers,
)
from blockcity.node import Node

CAREER = "CareerCertificate"
CAFE = DEMO_ORGANIZATION_DID


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        # The demo notices are written at the real time, so the clock starts there; a fixed
        # fraction of a second keeps "rounded to the second" cases the same every run.
        self.now = now or datetime.now(UTC).replace(microsecond=250000)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@contextmanager
def issuing_node(data: Path, clock: Clock | None = None) -> Iterator[Node]:
    """A writable node whose city and demo café are trusted issuers of career certificates."""
    node = Node.open(Config(data_dir=data), clock=clock or Clock())
    try:
        seed_demo(node)
        seed_demo_dids(node)
        seed_demo_issuers(node)
        yield node
    finally:
        node.close()


def holder_did() -> str:
    return did_key_from_public(SigningKey.generate().public)


def cafe_kid(node: Node) -> str:
    return node.credentials.issuer_kids(CAFE)[-1]


def career_claims(**extra: Any) -> dict[str, Any]:
    return {
        "employer": "마포 카페",
        "duties": "바리스타",
        "period": {"start": "2025-03-01", "end": "2025-12-31"},
        **extra,
    }


def issue_career(node: Node, **fields: Any) -> IssuedCredential:
    request = IssueRequest(
        fields.pop("issuer_kid", None) or cafe_kid(node),
        fields.pop("credential_type", CAREER),
        fields.pop("holder", None) or holder_did(),
        fields.pop("claims", None) or career_claims(),
        **fields,
    )
    return node.credentials.issue(request)


def bundle_bytes(node: Node, credential_id: str) -> bytes:
    return json.dumps(node.credentials.bundle(credential_id), ensure_ascii=False).encode()


def verify(node: Node, data: bytes | dict[str, Any], **options: Any) -> Verdict:
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    trusted = frozenset(options.pop("trusted_issuers", ()))
    return node.verifier(trusted_issuers=trusted).verify(raw, **options)


def offline_verifier(node: Node, *, at: datetime | None = None) -> Verifier:
    """A verifier that trusts only the ledger's and the witness's keys: no registry, no
    anchors or status lists to look up; did:key and the node's DID registry resolve keys."""
    trust = node.ledger_trust()
    trust.newer = None
    return Verifier(
        VerifierContext(
            keys=node.dids,
            ledger=trust,
            clock=(lambda: at) if at is not None else node.ledger.clock,
        )
    )


def checks(verdict: Verdict) -> dict[str, bool]:
    return {check.name: check.ok for check in verdict.checks}


def failed(verdict: Verdict) -> dict[str, str]:
    return {check.name: check.reason_en for check in verdict.checks if not check.ok}
