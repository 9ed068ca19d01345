"""Identity proofing: an officer confirms a person, the city issues an anchored certificate that
verifies check by check; altered, forged and revoked certificates are told apart."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from blockcity.crypto import SigningKey, b64url_encode, canonical_json, did_key_from_public
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.model import Account, AccountKind
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.proofing import (
    CERTIFICATE_REVOKED,
    CertificateCheck,
    IdentityCertificate,
    NotAnOfficer,
    Proofing,
    create_officer,
    open_commitment,
    parse_birth_date,
    verify_certificate,
)
from blockcity.identity.seoulpass import SeoulPass
from blockcity.ledger.entries import sign_entry
from blockcity.node import Node
from tests.web.account_helpers import quick_node


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    with quick_node(tmp_path) as opened:
        yield opened


PASSWORD = "correct horse battery"
NAME = "홍길동"
BORN = date(1990, 5, 17)


@pytest.fixture
def seoul_pass(tmp_path: Path) -> Iterator[SeoulPass]:
    opened = SeoulPass(
        tmp_path / "identity",
        MasterKey(bytes(32)),
        passwords=Passwords(HashingCost(time_cost=1, memory_kib=1024)),
    )
    yield opened
    opened.close()


@pytest.fixture
def proofing(node: Node, seoul_pass: SeoulPass) -> Proofing:
    assert node.city is not None
    return Proofing(
        seoul_pass.db,
        seoul_pass.accounts,
        MasterKey(bytes(32)),
        node.ledger,
        node.city.key,
        node.submit,
    )


@pytest.fixture
def officer(seoul_pass: SeoulPass) -> Account:
    return create_officer(seoul_pass.accounts, "officer", PASSWORD, "Registration officer")


@pytest.fixture
def person(seoul_pass: SeoulPass) -> Account:
    return seoul_pass.accounts.create("minji", PASSWORD, "Minji")


def _issue(proofing: Proofing, officer: Account, person: Account) -> dict[str, Any]:
    return proofing.issue(officer.id, person.id, NAME, BORN).document


def _resign(doc: dict[str, Any], key: SigningKey, kid: str) -> dict[str, Any]:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    return {
        **unsigned,
        "proof": {"kid": kid, "sig": b64url_encode(key.sign(canonical_json(unsigned)))},
    }


def _failed(check: CertificateCheck) -> set[str]:
    return {c.name for c in check.checks if not c.ok}


def test_issued_certificate_passes_every_check(
    proofing: Proofing, officer: Account, person: Account, seoul_pass: SeoulPass
) -> None:
    doc = _issue(proofing, officer, person)
    result = proofing.verify(doc)
    assert result.ok and not result.revoked
    assert [c.name for c in result.checks] == ["format", "signature", "issuer", "ledger", "status"]
    assert doc["type"] == "SeoulPassIdentityCertificate"
    assert doc["subject"] == person.did and doc["issuer"] == proofing.city_did
    assert seoul_pass.accounts.get(person.id).proofed_at is not None


def test_certificate_round_trips_through_its_model_byte_for_byte(
    proofing: Proofing, officer: Account, person: Account
) -> None:
    doc = _issue(proofing, officer, person)
    model = IdentityCertificate.model_validate(doc)
    assert canonical_json(model.model_dump()) == canonical_json(doc)


def test_anchoring_entry_holds_no_personal_data_and_is_signed_by_city_and_officer(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    doc = _issue(proofing, officer, person)
    data = node.ledger.entry(doc["ledger"]["index"]).data
    entry = json.loads(data)
    assert entry["type"] == "identity.certificate.issued"
    assert set(entry["body"]) == {"issuer", "officer", "subject", "commitment", "certificate"}
    assert NAME.encode() not in data and b"1990" not in data
    assert {s["kid"].split("#")[0] for s in entry["sigs"]} == {proofing.city_did, officer.did}


def test_legal_name_and_birth_date_are_kept_only_sealed(
    proofing: Proofing, officer: Account, person: Account, seoul_pass: SeoulPass
) -> None:
    stored = proofing.issue(officer.id, person.id, NAME, BORN)
    row = seoul_pass.db.one("SELECT * FROM identity_certificates WHERE id = ?", (stored.id,))
    assert row is not None
    assert NAME.encode() not in row["sealed_opening"] and NAME not in row["document"]
    opening = proofing.opening(person.id, stored.id)
    assert (opening.name, opening.birth_date) == (NAME, "1990-05-17")


def test_commitment_opens_only_with_the_right_salt_name_and_birth_date(
    proofing: Proofing, officer: Account, person: Account
) -> None:
    stored = proofing.issue(officer.id, person.id, f"  {NAME} ", BORN)
    salt = proofing.opening(person.id, stored.id).salt
    doc = stored.document
    assert open_commitment(doc, salt, NAME, "1990-05-17")
    assert open_commitment(doc, salt, NAME, BORN)
    assert not open_commitment(doc, salt, "홍길순", BORN)
    assert not open_commitment(doc, salt, NAME, date(1990, 5, 18))
    assert not open_commitment(doc, b64url_encode(bytes(32)), NAME, BORN)
    assert not open_commitment(doc, "not base64!", NAME, BORN)


def test_altered_certificate_fails(proofing: Proofing, officer: Account, person: Account) -> None:
    doc = _issue(proofing, officer, person)
    altered = copy.deepcopy(doc)
    altered["subject"] = did_key_from_public(SigningKey.generate().public)
    result = proofing.verify(altered)
    assert not result.ok
    assert _failed(result) == {"signature", "ledger"}


def test_forged_certificate_claiming_the_city_fails(
    proofing: Proofing, officer: Account, person: Account
) -> None:
    doc = _issue(proofing, officer, person)
    forger = SigningKey.generate()
    forged = _resign(doc, forger, proofing.city_kid)
    assert _failed(proofing.verify(forged)) == {"signature"}
    forger_did = did_key_from_public(forger.public)
    own_name = _resign(doc, forger, f"{forger_did}#{forger_did.removeprefix('did:key:')}")
    assert _failed(proofing.verify(own_name)) == {"issuer"}


def test_certificate_from_another_issuer_is_not_trusted(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    doc = _issue(proofing, officer, person)
    other = SigningKey.generate()
    other_did = did_key_from_public(other.public)
    assert node.ledger is proofing.ledger
    result = verify_certificate(doc, other_did, node.ledger)
    assert _failed(result) == {"issuer"}


def test_tampered_inclusion_proof_or_checkpoint_fails_the_ledger_check(
    proofing: Proofing, officer: Account, person: Account, node: Node, seoul_pass: SeoulPass
) -> None:
    assert node.city is not None
    person2 = seoul_pass.accounts.create("second", PASSWORD, "Second")
    first = _issue(proofing, officer, person)
    _issue(proofing, officer, person2)
    bad_path = copy.deepcopy(first)
    bad_path["ledger"]["inclusion_proof"] = ["00" * 32]
    bad_path["ledger"]["tree_size"] += 1
    bad_note = copy.deepcopy(first)
    bad_note["ledger"]["checkpoint"] = bad_note["ledger"]["checkpoint"].replace("\n", "\nx", 1)
    for tampered in (bad_path, bad_note):
        signed = _resign(tampered, node.city.key, proofing.city_kid)
        assert _failed(proofing.verify(signed)) == {"ledger"}


def test_revoked_certificate_shows_as_revoked_and_the_person_can_be_proofed_again(
    proofing: Proofing, officer: Account, person: Account, seoul_pass: SeoulPass
) -> None:
    stored = proofing.issue(officer.id, person.id, NAME, BORN)
    proofing.revoke(officer.id, stored.id, "issued-in-error")
    result = proofing.verify(stored.document)
    assert result.revoked and not result.ok
    assert _failed(result) == {"status"}
    assert seoul_pass.accounts.get(person.id).proofed_at is None
    with pytest.raises(Conflict):
        proofing.revoke(officer.id, stored.id, "issued-in-error")
    again = proofing.issue(officer.id, person.id, NAME, BORN)
    assert proofing.verify(again.document).ok
    assert proofing.current(person.id) == again


def test_a_revocation_written_by_someone_else_does_not_count(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = proofing.issue(officer.id, person.id, NAME, BORN)
    attacker = SigningKey.generate()
    attacker_did = did_key_from_public(attacker.public)
    body = {
        "issuer": attacker_did,
        "subject": person.did,
        "certificate": stored.digest,
        "reason": "identity-fraud",
    }
    kid = f"{attacker_did}#{attacker_did.removeprefix('did:key:')}"
    node.submit(sign_entry(CERTIFICATE_REVOKED.name, body, [(kid, attacker)]))
    result = proofing.verify(stored.document)
    assert result.ok and not result.revoked


def test_only_an_officer_issues_or_revokes_and_a_refusal_writes_nothing(
    proofing: Proofing, officer: Account, person: Account, node: Node, seoul_pass: SeoulPass
) -> None:
    other = seoul_pass.accounts.create("other", PASSWORD, "Other")
    size = node.ledger.size
    with pytest.raises(NotAnOfficer):
        proofing.issue(other.id, person.id, NAME, BORN)
    assert node.ledger.size == size and proofing.latest(person.id) is None
    stored = proofing.issue(officer.id, person.id, NAME, BORN)
    with pytest.raises(NotAnOfficer):
        proofing.revoke(other.id, stored.id, "identity-fraud")
    assert proofing.verify(stored.document).ok


def test_a_person_is_proofed_once_and_an_officer_not_by_themselves(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    _issue(proofing, officer, person)
    size = node.ledger.size
    with pytest.raises(Conflict):
        _issue(proofing, officer, person)
    with pytest.raises(Conflict):
        proofing.issue(officer.id, officer.id, NAME, BORN)
    assert node.ledger.size == size


def test_another_accounts_certificate_is_not_found(
    proofing: Proofing, officer: Account, person: Account, seoul_pass: SeoulPass
) -> None:
    stored = proofing.issue(officer.id, person.id, NAME, BORN)
    other = seoul_pass.accounts.create("other", PASSWORD, "Other")
    with pytest.raises(NotFound):
        proofing.get(other.id, stored.id)
    with pytest.raises(NotFound):
        proofing.opening(other.id, stored.id)


def test_something_that_is_not_a_certificate_fails_the_format_check(proofing: Proofing) -> None:
    for doc in (None, [], "text", {}, {"type": "SeoulPassIdentityCertificate"}):
        result = proofing.verify(doc)
        assert not result.ok and _failed(result) == {"format"}, doc


def test_extra_fields_fail_the_format_check(
    proofing: Proofing, officer: Account, person: Account
) -> None:
    doc = {**_issue(proofing, officer, person), "name": NAME}
    assert _failed(proofing.verify(doc)) == {"format"}


def test_no_checks_is_never_a_pass() -> None:
    assert not CertificateCheck(()).ok


@pytest.mark.parametrize("text", ["1990/05/17", "1990-02-30", "1899-12-31", "2026-11-26", ""])
def test_impossible_birth_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_birth_date(text, today=date(2026, 11, 25))


def test_impossible_names_are_refused(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    size = node.ledger.size
    for name in ("", "   ", "a\x00b", "가" * 101):
        with pytest.raises(InvalidInput):
            proofing.issue(officer.id, person.id, name, BORN)
    assert node.ledger.size == size


def test_officers_are_accounts_of_the_officer_kind(officer: Account) -> None:
    assert officer.kind is AccountKind.OFFICER
