"""Employers as issuers: the first time one of an organization's contracts reaches the ledger,
the city registers a did:web for it, with a key the platform holds, and enrols it as an issuer
of career certificates (LSA Art. 39: each employer vouches for its own jobs)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from blockcity.credentials.enrolment import enrol_issuer
from blockcity.errors import StorageError
from blockcity.identity.organizations import Organization

if TYPE_CHECKING:
    from blockcity.node import Node

EMPLOYER_DID_PREFIX = "did:web:seoul.blockcity.example:org:"
"""Employers' DIDs live under the city's own did:web, one path segment per organization id."""

CAREER_CERTIFICATE = "CareerCertificate"

# Two first contracts of one employer concluded at once must not both try to register it.
_lock = threading.Lock()


def employer_did(organization_id: str) -> str:
    return EMPLOYER_DID_PREFIX + organization_id


def ensure_employer_identity(node: Node, organization: Organization) -> str:
    """Register ``organization``'s did:web and make it a trusted issuer of career certificates,
    unless that is done already; return its DID. Safe to call any number of times."""
    did = employer_did(organization.id)
    if node.city is None:
        raise StorageError(
            "this node was opened read-only; it cannot register employers",
            "이 노드는 읽기 전용으로 열려 사용자를 등록할 수 없습니다",
        )
    with _lock:
        now = node.ledger.clock()
        registered = any(record.did == did for record in node.dids.dids())
        trusted = node.issuers.decide(did, CAREER_CERTIFICATE, now).trusted
        if not (registered and trusted and node.credentials.issuer_kids(did)):
            enrol_issuer(
                node.submit,
                (node.city.kid, node.city.key),
                node.dids,
                node.credentials,
                did,
                [] if trusted else [CAREER_CERTIFICATE],
                name_ko=organization.name,
                name_en=organization.name,
                valid_from=now,
                at=now,
            )
        if organization.did != did:
            node.seoul_pass.organizations.set_did(organization.id, did)
    return did
