"""A holder's Seoul Pass identity certificate as both edges show it: the file they download
(which verifies offline), the one verifier's verdict on that file, and the ledger entry that
anchors it."""

from __future__ import annotations

import json
from typing import Any

from blockcity.credentials.checks import Verdict
from blockcity.identity.proofing import StoredCertificate
from blockcity.node import Node


def certificate_file(node: Node, stored: StoredCertificate) -> dict[str, Any]:
    """What the holder downloads and shows: the identity credential's bundle (with its anchor
    and status lists, so it verifies offline), or a version 1 certificate as it was issued."""
    if stored.credential_id is None:
        return stored.document
    return node.credentials.bundle(stored.credential_id)


def certificate_check(node: Node, stored: StoredCertificate) -> Verdict:
    """The one verifier's verdict on the holder's certificate file."""
    return node.verifier().verify(json.dumps(certificate_file(node, stored)).encode())


def certificate_entry(node: Node, stored: StoredCertificate) -> int:
    """The ledger entry that anchors the credential (or records a version 1 certificate)."""
    if stored.credential_id is None:
        return int(stored.document["ledger"]["index"])
    return node.credentials.get(stored.credential_id).ledger_index
