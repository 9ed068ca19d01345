"""Identity certificates of version 1, made exactly as proofing made them before the identity
credential: data folders and ledgers still hold them, and they must keep verifying."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import date
from typing import Any

from blockcity.crypto import SigningKey, b64url_encode, canonical_json
from blockcity.identity.model import Account
from blockcity.identity.proofing import (
    CERTIFICATE_ISSUED,
    CERTIFICATE_TYPE,
    CertificateIssued,
    Proofing,
    StoredCertificate,
    certificate_digest,
    commitment,
)
from blockcity.ledger.blocks import format_time
from blockcity.ledger.entries import sign_entry
from blockcity.node import Node


def resign_v1(doc: dict[str, Any], key: SigningKey, kid: str) -> dict[str, Any]:
    """``doc`` signed again as version 1 signed: the canonical document without its proof."""
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    return {
        **unsigned,
        "proof": {"kid": kid, "sig": b64url_encode(key.sign(canonical_json(unsigned)))},
    }


def issue_certificate_v1(
    node: Node,
    proofing: Proofing,
    officer: Account,
    person: Account,
    name: str = "홍길동",
    born: date = date(1990, 5, 17),
) -> StoredCertificate:
    """The person's certificate of version 1, anchored and stored as the old code did."""
    assert node.city is not None and node.master is not None
    accounts = node.seoul_pass.accounts
    now = node.ledger.clock()
    salt = secrets.token_bytes(32)
    statement: dict[str, Any] = {
        "type": CERTIFICATE_TYPE,
        "subject": person.did,
        "issuer": node.city.did,
        "commitment": commitment(salt, name, born),
        "issued_at": format_time(now),
    }
    digest = certificate_digest(statement)
    entry_id = str(uuid.uuid4())
    body = CertificateIssued(
        issuer=node.city.did,
        officer=officer.did,
        subject=person.did,
        commitment=statement["commitment"],
        certificate=digest,
    )
    receipt = node.submit(
        sign_entry(
            CERTIFICATE_ISSUED.name,
            body.model_dump(),
            [(node.city.kid, node.city.key), (officer.kid, accounts.custodial_key(officer.id))],
            entry_id=entry_id,
            at=now,
        )
    )
    proof = node.ledger.inclusion_proof(receipt.index, receipt.tree_size)
    doc = {
        **statement,
        "ledger": {
            "entry_id": entry_id,
            "index": receipt.index,
            "tree_size": receipt.tree_size,
            "inclusion_proof": [h.hex() for h in proof.path],
            "checkpoint": node.ledger.published_note(node.ledger.block(receipt.block_height)),
        },
    }
    doc = resign_v1(doc, node.city.key, node.city.kid)
    opening = canonical_json(
        {"name": name, "birth_date": born.isoformat(), "salt": b64url_encode(salt)}
    )
    with proofing.db.transaction() as tx:
        tx.execute(
            "INSERT INTO identity_certificates (id, account_id, officer_id, digest, document, "
            "sealed_opening, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry_id,
                person.id,
                officer.id,
                digest,
                json.dumps(doc, ensure_ascii=False),
                node.master.seal(opening, f"identity-opening:{person.id}:{entry_id}".encode()),
                now.isoformat(),
            ),
        )
        tx.execute("UPDATE accounts SET proofed_at = ? WHERE id = ?", (now.isoformat(), person.id))
    return proofing.get(person.id, entry_id)
