"""The DID registry: did:web syntax, registration by the city, key rotation and revocation
with time windows, DID documents now and in the past, the replay that rebuilds the registry
from the ledger, and the node, audit, demo and API built on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blockcity.app import create_app
from blockcity.config import Config
from blockcity.crypto import SigningKey, did_key_from_public, multikey_encode
from blockcity.demo import (
    CITY_DID_WEB,
    DEMO_ORGANIZATION_DID,
    demo_organization_key,
    seed_demo_dids,
)
from blockcity.errors import BlockcityError, Conflict, InvalidInput
from blockcity.identity._didweb import parse_did_web
from blockcity.identity.dids import (
    MAX_REVOCATION_BACKDATE,
    DidAlreadyRegistered,
    DidChangeRefused,
    DidNotFound,
    DidRegistry,
    KeyNotValid,
    register_did,
    revoke_key,
    rotate_key,
)
from blockcity.ledger.audit import audit
from blockcity.ledger.entries import EntryRejected, EntryValidator, sign_entry
from blockcity.ledger.store import NewEntry
from blockcity.node import Node, entry_types
from tests.identity._dids_support import (
    START,
    Clock,
    MemoryLedger,
    Org,
    did_key_kid,
    notice,
)

# did:web syntax


@pytest.mark.parametrize(
    "did",
    [
        "did:web:seoul.blockcity.example",
        "did:web:localhost%3A8443",
        "did:web:seoul.blockcity.example:org:mapo-cafe",
        "did:web:w3c-ccg.github.io:user:alice",
        "did:web:xn--9n2bp8q.example:%EB%A7%88%ED%8F%AC",
    ],
)
def test_did_web_in_canonical_form_is_accepted(did: str) -> None:
    assert parse_did_web(did).did == did


@pytest.mark.parametrize(
    ("did", "reason"),
    [
        ("did:web:Seoul.example", "lowercase"),
        ("did:web:192.168.0.1", "IP addresses"),
        ("did:web:example.com%3a8443", "only the port's colon"),
        ("did:web:a..b", "DNS name"),
        ("did:web:example.com%3A0", "1 to 65535"),
        ("did:web:example.com%3A65536", "1 to 65535"),
        ("did:web:example.com%3A08443", "leading zeros"),
        ("did:web:example.com%3A443", "port 443"),
        ("did:web:example.com::org", "path segment"),
        ("did:web:example.com:..", "path segment"),
        ("did:web:example.com:%41bc", "canonical form"),
        ("did:web:example.com:a%2Fb", "canonical form"),
        ("did:web:example.com:%eb%a7%88", "canonical form"),
        ("did:web:서울.example", "xn--"),
        ("did:web:-bad.example", "DNS name"),
        ("did:web:", "missing"),
        ("did:web:" + "a" * 250 + ".example", "longer than"),
        ("did:key:z6Mk", "not a did:web"),
    ],
)
def test_did_web_not_in_canonical_form_is_refused_with_the_reason(did: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_did_web(did)


# Registration


def test_city_registers_a_did_web_whose_key_then_signs_on_the_ledger() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    assert ledger.registry.did(cafe.did).name_ko == "mapo-cafe 기관"
    ledger.submit(notice(cafe.signer("key-1"), ledger.clock.now))
    assert ledger.registry.resolve(cafe.kid("key-1")) == cafe.keys["key-1"].public
    document = ledger.registry.resolve_did_document(cafe.did)
    assert document["id"] == cafe.did and document["controller"] == cafe.did
    assert document["verificationMethod"] == [
        {
            "id": cafe.kid("key-1"),
            "type": "Multikey",
            "controller": cafe.did,
            "publicKeyMultibase": multikey_encode(cafe.keys["key-1"].public),
        }
    ]
    assert document["assertionMethod"] == document["authentication"] == [cafe.kid("key-1")]


def test_a_did_is_registered_once() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    before = ledger.registry.resolve_did_document(cafe.did)
    with pytest.raises(DidAlreadyRegistered) as refused:
        ledger.register("mapo-cafe")
    assert refused.value.status == 409
    assert ledger.registry.resolve_did_document(cafe.did) == before


def test_a_registration_whose_controller_is_not_registered_is_refused() -> None:
    ledger = MemoryLedger()
    with pytest.raises(DidChangeRefused, match="controller"):
        ledger.register_did(
            "did:web:seoul.blockcity.example:org:branch",
            [("key-1", SigningKey.generate().public)],
            name_ko="지점",
            name_en="Branch",
            controller="did:web:seoul.blockcity.example:org:head-office",
        )
    assert ledger.registry.dids() == ()


def test_a_public_key_is_registered_under_one_key_id_only() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    with pytest.raises(DidChangeRefused, match="already registered as"):
        ledger.register_did(
            "did:web:seoul.blockcity.example:org:copycat",
            [("key-1", cafe.keys["key-1"].public)],
            name_ko="복제",
            name_en="Copycat",
        )


def test_an_entry_body_that_breaks_the_schema_is_refused_before_the_registry_sees_it() -> None:
    ledger = MemoryLedger()
    key = SigningKey.generate()
    did_key = did_key_from_public(key.public)
    bodies = [
        {"did": did_key, "retire": "key-1", "add": {"id": "k", "type": "Multikey"}},
        {
            "did": "did:web:example.com",
            "controller": "did:web:example.com",
            "name_ko": "가",
            "name_en": "A",
            "verification_methods": [
                {"id": "key-1", "type": "JsonWebKey2020", "publicKeyMultibase": "z6Mk"}
            ],
        },
        {"kid": did_key_kid(key), "revoked_at": "2026-02-30T00:00:00Z"},
    ]
    for entry_type, body in zip(
        ["identity.key.rotated", "identity.did.registered", "identity.key.revoked"],
        bodies,
        strict=True,
    ):
        with pytest.raises(EntryRejected, match="schema"):
            ledger.submit(sign_entry(entry_type, body, [ledger.city], at=ledger.clock.now))
    assert ledger.entries == []


# Rotation


def test_a_signature_made_before_a_rotation_still_verifies_after_it() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    before = notice(cafe.signer("key-1"), ledger.clock.advance(minutes=5))
    ledger.submit(before)
    rotated_at = ledger.clock.advance(hours=1)
    rotate_key(
        ledger.submit,
        cafe.signer("key-1"),
        cafe.did,
        "key-1",
        ("key-2", cafe.new_key("key-2").public),
        at=rotated_at,
    )
    rotation = ledger.entries[-1].data
    ledger.clock.advance(days=400)
    audit_view = EntryValidator(entry_types(), ledger.registry.as_recorded(), max_skew=None)
    for validator in (ledger.validator, audit_view):
        assert validator.check(before, check_time=False).id
        assert validator.check(rotation, check_time=False).id

    after = notice(cafe.signer("key-1"), ledger.clock.now)
    with pytest.raises(KeyNotValid, match="retired") as refused:
        ledger.submit(after)
    assert refused.value.status == 422
    ledger.submit(notice(cafe.signer("key-2"), ledger.clock.now))
    assert ledger.registry.resolve(cafe.kid("key-1"), rotated_at) == cafe.keys["key-1"].public
    with pytest.raises(KeyNotValid):
        ledger.registry.resolve(cafe.kid("key-2"), rotated_at - timedelta(milliseconds=1))


def test_the_city_recovers_an_organization_that_lost_its_key() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    ledger.clock.advance(days=1)
    rotate_key(
        ledger.submit,
        ledger.city,
        cafe.did,
        "key-1",
        ("key-2", cafe.new_key("key-2").public),
        at=ledger.clock.now,
    )
    ledger.clock.advance(seconds=1)
    ledger.submit(notice(cafe.signer("key-2"), ledger.clock.now))
    assert [
        m["id"] for m in ledger.registry.resolve_did_document(cafe.did)["verificationMethod"]
    ] == [cafe.kid("key-2")]


def test_a_controller_rotates_the_keys_of_the_did_it_controls() -> None:
    ledger = MemoryLedger()
    head = ledger.register("head-office")
    branch = Org("did:web:seoul.blockcity.example:org:head-office:branch")
    ledger.register_did(
        branch.did,
        [("key-1", branch.new_key("key-1").public)],
        name_ko="지점",
        name_en="Branch",
        controller=head.did,
    )
    rotate_key(
        ledger.submit,
        head.signer("key-1"),
        branch.did,
        "key-1",
        ("key-2", branch.new_key("key-2").public),
        at=ledger.clock.advance(minutes=1),
    )
    assert ledger.registry.resolve(branch.kid("key-2")) == branch.keys["key-2"].public


@pytest.mark.parametrize(
    ("retire", "add", "reason"),
    [
        ("key-9", "key-2", "no key #key-9"),
        ("key-1", "key-1b", "already retired"),
        ("key-2", "key-1", "was used before"),
    ],
)
def test_a_rotation_must_retire_a_current_key_and_add_a_new_one(
    retire: str, add: str, reason: str
) -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe", "key-1", "key-2")
    rotate_key(
        ledger.submit,
        cafe.signer("key-2"),
        cafe.did,
        "key-1",
        ("key-3", cafe.new_key("key-3").public),
        at=ledger.clock.advance(minutes=1),
    )
    size = len(ledger.entries)
    with pytest.raises(DidChangeRefused, match=reason):
        rotate_key(
            ledger.submit,
            cafe.signer("key-2"),
            cafe.did,
            retire,
            (add, SigningKey.generate().public),
            at=ledger.clock.advance(minutes=1),
        )
    assert len(ledger.entries) == size


# Revocation


def test_after_a_revocation_the_key_signs_nothing_dated_from_then_on() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe", "key-1", "key-2")
    revoked_at = ledger.clock.advance(hours=2)
    revoke_key(ledger.submit, cafe.signer("key-2"), cafe.kid("key-1"), revoked_at, at=revoked_at)

    ledger.clock.advance(minutes=1)
    with pytest.raises(KeyNotValid, match="revoked as compromised") as refused:
        ledger.submit(notice(cafe.signer("key-1"), ledger.clock.now))
    assert refused.value.status == 422
    # Dated before the revocation and still within the ledger's clock tolerance: accepted.
    ledger.submit(notice(cafe.signer("key-1"), revoked_at - timedelta(minutes=1)))
    # Back-dated further, once the tolerance has passed: the clock-skew check refuses it.
    ledger.clock.advance(minutes=15)
    with pytest.raises(EntryRejected, match="away from the ledger's clock") as skewed:
        ledger.submit(notice(cafe.signer("key-1"), revoked_at - timedelta(minutes=1)))
    assert skewed.value.status == 400
    assert ledger.registry.key(cafe.kid("key-1")).revoked_at == revoked_at  # type: ignore[union-attr]


def test_a_late_revocation_undoes_trust_for_verifiers_but_not_the_audit() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe", "key-1", "key-2")
    signed = []
    for _ in range(3):
        signed.append(notice(cafe.signer("key-1"), ledger.clock.advance(days=2)))
        ledger.submit(signed[-1])
    compromised_from = START + timedelta(days=3)
    ledger.clock.advance(days=1)
    revoke_key(
        ledger.submit,
        cafe.signer("key-2"),
        cafe.kid("key-1"),
        compromised_from,
        at=ledger.clock.now,
    )
    audit_view = EntryValidator(entry_types(), ledger.registry.as_recorded(), max_skew=None)
    assert ledger.validator.check(signed[0], check_time=False).id
    for data in signed[1:]:
        with pytest.raises(KeyNotValid, match="revoked"):
            ledger.validator.check(data, check_time=False)
        assert audit_view.check(data, check_time=False).id
    # An entry dated after the revocation was recorded cannot have been accepted by the
    # ledger; the audit names it if it turns up in storage.
    inserted = notice(cafe.signer("key-1"), ledger.clock.now + timedelta(hours=1))
    with pytest.raises(KeyNotValid, match="revoked"):
        audit_view.check(inserted, check_time=False)


@pytest.mark.parametrize(
    ("revoked_at", "reason"),
    [
        (timedelta(minutes=1), "cannot be later than the entry"),
        (-MAX_REVOCATION_BACKDATE - timedelta(seconds=1), "at most 30 days"),
    ],
)
def test_revoked_at_lies_within_30_days_before_the_entry(
    revoked_at: timedelta, reason: str
) -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    now = ledger.clock.advance(days=40)
    with pytest.raises(DidChangeRefused, match=reason):
        revoke_key(ledger.submit, ledger.city, cafe.kid("key-1"), now + revoked_at, at=now)
    assert ledger.registry.key(cafe.kid("key-1")).revocations == ()  # type: ignore[union-attr]


def test_a_person_revokes_their_own_did_key() -> None:
    ledger = MemoryLedger()
    person = SigningKey.generate()
    kid = did_key_kid(person)
    ledger.submit(notice((kid, person), ledger.clock.now))
    revoked_at = ledger.clock.advance(minutes=30)
    revoke_key(ledger.submit, (kid, person), kid, revoked_at, at=revoked_at)
    revocation = ledger.entries[-1].data
    ledger.clock.advance(seconds=1)
    with pytest.raises(KeyNotValid, match="revoked"):
        ledger.submit(notice((kid, person), ledger.clock.now))
    did = did_key_from_public(person.public)
    assert ledger.registry.resolve_did_document(did)["verificationMethod"] == []
    assert ledger.registry.resolve_did_document(did, START)["verificationMethod"][0]["id"] == kid
    audit_view = EntryValidator(entry_types(), ledger.registry.as_recorded(), max_skew=None)
    assert audit_view.check(revocation, check_time=False).id
    with pytest.raises(DidChangeRefused, match="revoked as compromised"):
        ledger.register_did(
            "did:web:seoul.blockcity.example:org:reused",
            [("key-1", person.public)],
            name_ko="재사용",
            name_en="Reused",
        )


def test_a_revocation_can_be_moved_earlier_but_not_later() -> None:
    ledger = MemoryLedger()
    person = SigningKey.generate()
    kid = did_key_kid(person)
    now = ledger.clock.advance(days=10)
    revoke_key(ledger.submit, ledger.city, kid, now - timedelta(days=2), at=now)
    with pytest.raises(Conflict, match="already revoked"):
        revoke_key(ledger.submit, ledger.city, kid, now - timedelta(days=1), at=now)
    revoke_key(ledger.submit, ledger.city, kid, now - timedelta(days=5), at=now)
    assert ledger.registry.key(kid).revoked_at == now - timedelta(days=5)  # type: ignore[union-attr]


# Resolution and documents


def test_an_unknown_did_or_fragment_is_a_clear_error() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    cases = [
        ("did:web:seoul.blockcity.example:org:nobody#key-1", KeyNotValid, "not registered"),
        (cafe.kid("key-7"), KeyNotValid, "no verification method #key-7"),
        ("did:example:123#k", KeyNotValid, "neither a did:key nor a did:web"),
        ("did:key:z6Mk#x", InvalidInput, "Multikey"),
        ("not a did", InvalidInput, "not a DID URL"),
    ]
    for kid, error, message in cases:
        with pytest.raises(error, match=message):
            ledger.registry.resolve(kid)


def test_the_did_document_follows_the_keys_through_time() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    registered = ledger.clock.now
    rotated = ledger.clock.advance(days=30)
    rotate_key(
        ledger.submit,
        cafe.signer("key-1"),
        cafe.did,
        "key-1",
        ("key-2", cafe.new_key("key-2").public),
        at=rotated,
    )

    def methods(at: datetime | None) -> list[str]:
        document = ledger.registry.resolve_did_document(cafe.did, at)
        return [m["id"] for m in document["verificationMethod"]]

    assert methods(registered) == [cafe.kid("key-1")]
    assert methods(rotated) == [cafe.kid("key-1"), cafe.kid("key-2")]
    ledger.clock.advance(seconds=1)
    assert methods(None) == methods(rotated + timedelta(milliseconds=1)) == [cafe.kid("key-2")]
    with pytest.raises(DidNotFound, match="registered at") as early:
        ledger.registry.resolve_did_document(cafe.did, registered - timedelta(seconds=1))
    assert early.value.status == 404
    with pytest.raises(DidNotFound):
        ledger.registry.resolve_did_document("did:web:seoul.blockcity.example:org:nobody")
    for bad in (cafe.kid("key-2"), "did:example:123"):
        with pytest.raises(InvalidInput):
            ledger.registry.resolve_did_document(bad)


def test_a_did_key_document_is_built_from_the_identifier() -> None:
    key = SigningKey.generate()
    did = did_key_from_public(key.public)
    document = DidRegistry().resolve_did_document(did)
    assert document["id"] == document["controller"] == did
    assert document["verificationMethod"][0]["id"] == did_key_kid(key)
    assert document["capabilityInvocation"] == [did_key_kid(key)]


# Replay


def _state(registry: DidRegistry, kids: set[str]) -> object:
    return registry.dids(), {kid: registry.key(kid) for kid in sorted(kids)}


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["register", "rotate", "revoke", "sign", "revoke-person", "sign-person"]),
        st.integers(0, 2),
        st.integers(0, 3),
        st.integers(0, 90),
        st.integers(-9, 9),
        st.integers(0, 40),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_OPS)
def test_the_registry_replayed_from_the_ledger_equals_the_live_one(
    ops: list[tuple[str, int, int, int, int, int]],
) -> None:
    ledger = MemoryLedger()
    orgs = [Org(f"did:web:seoul.blockcity.example:org:o{i}") for i in range(3)]
    people = [SigningKey.generate() for _ in range(3)]
    kids: set[str] = {did_key_kid(p) for p in people}
    for op, who, choice, advance, skew, back_days in ops:
        now = ledger.clock.advance(minutes=advance)
        at = now + timedelta(minutes=skew)
        org = orgs[who]
        fragments = sorted(org.keys) or ["key-0"]
        signers = [
            (org.kid(fragments[-1]), org.keys.get(fragments[-1], SigningKey.generate())),
            ledger.city,
            (org.kid(fragments[0]), org.keys.get(fragments[0], SigningKey.generate())),
            (orgs[(who + 1) % 3].kid("key-0"), SigningKey.generate()),
        ]
        person = people[who]
        try:
            if op == "register":
                key = org.keys.setdefault("key-0", SigningKey.generate())
                kids.add(org.kid("key-0"))
                register_did(
                    ledger.submit, ledger.city, org.did, [("key-0", key.public)],
                    name_ko="기관", name_en="Org", at=at,
                )  # fmt: skip
            elif op == "rotate":
                fresh = f"key-{len(org.keys)}"
                kids.add(org.kid(fresh))
                rotate_key(
                    ledger.submit, signers[choice], org.did, fragments[choice % len(fragments)],
                    (fresh, org.new_key(fresh).public), at=at,
                )  # fmt: skip
            elif op == "revoke":
                kid = org.kid(fragments[choice % len(fragments)])
                revoke_key(
                    ledger.submit, signers[choice], kid, at - timedelta(days=back_days), at=at
                )
            elif op == "sign":
                ledger.submit(notice(signers[choice], at))
            elif op == "revoke-person":
                signer = (did_key_kid(person), person) if choice % 2 else ledger.city
                revoke_key(
                    ledger.submit,
                    signer,
                    did_key_kid(person),
                    at - timedelta(days=back_days),
                    at=at,
                )
            else:
                ledger.submit(notice((did_key_kid(person), person), at))
        except BlockcityError:
            pass

    replayed = ledger.replayed()
    assert replayed.problems == ()
    assert _state(replayed, kids) == _state(ledger.registry, kids)
    for record in ledger.registry.dids():
        for at in (START, START + timedelta(hours=5), ledger.clock.now):
            try:
                expected = ledger.registry.resolve_did_document(record.did, at)
            except DidNotFound:
                with pytest.raises(DidNotFound):
                    replayed.resolve_did_document(record.did, at)
                continue
            assert replayed.resolve_did_document(record.did, at) == expected
    # The audit's property: everything the ledger accepted re-checks clean as recorded.
    audit_view = EntryValidator(entry_types(), replayed.as_recorded(), max_skew=None)
    for stored in ledger.entries:
        assert audit_view.check(stored.data, check_time=False).id


def test_replay_skips_and_reports_an_identity_entry_that_breaks_the_rules() -> None:
    ledger = MemoryLedger()
    cafe = ledger.register("mapo-cafe")
    # The same registration again, written around the registry as a tampered store would.
    duplicate = sign_entry(
        "identity.did.registered",
        {
            "did": cafe.did,
            "controller": cafe.did,
            "name_ko": "가짜",
            "name_en": "Fake",
            "verification_methods": [
                {
                    "id": "key-9",
                    "type": "Multikey",
                    "publicKeyMultibase": multikey_encode(SigningKey.generate().public),
                }
            ],
        },
        [ledger.city],
        at=ledger.clock.now,
    )
    ledger._append(duplicate)
    ledger._append(b'{"type":"identity.key.rotated","broken":')
    replayed = ledger.replayed()
    assert len(replayed.problems) == 2
    assert (
        replayed.problems[0].startswith("entry 1: ")
        and "already registered" in (replayed.problems[0])
    )
    assert replayed.dids() == ledger.registry.dids()


# The node, the audit, the demo and the API


@pytest.fixture
def clocked_node(tmp_path: Path) -> Iterator[tuple[Node, Clock]]:
    clock = Clock(datetime.now().astimezone())
    node = Node.open(Config(data_dir=tmp_path / "data"), clock=clock)
    try:
        yield node, clock
    finally:
        node.close()


def test_demo_registers_the_city_and_the_cafe_once(clocked_node: tuple[Node, Clock]) -> None:
    node, _ = clocked_node
    assert seed_demo_dids(node) == 2
    assert seed_demo_dids(node) == 0
    assert [r.did for r in node.dids.dids()] == [CITY_DID_WEB, DEMO_ORGANIZATION_DID]
    assert node.dids.did(DEMO_ORGANIZATION_DID).name_en == "Mapo Café"
    city = node.dids.resolve_did_document(CITY_DID_WEB)["verificationMethod"][0]
    assert city["publicKeyMultibase"] == multikey_encode(node.city.key.public)  # type: ignore[union-attr]
    receipt = node.submit(
        notice((f"{DEMO_ORGANIZATION_DID}#key-1", demo_organization_key(node)), node.ledger.clock())
    )
    assert receipt.index == node.ledger.size - 1


def test_the_node_rebuilds_the_registry_at_start_up_and_the_audit_stays_clean(
    tmp_path: Path,
) -> None:
    clock = Clock(datetime.now().astimezone())
    config = Config(data_dir=tmp_path / "data")
    node = Node.open(config, clock=clock)
    try:
        seed_demo_dids(node)
        cafe_key = demo_organization_key(node)
        cafe = (f"{DEMO_ORGANIZATION_DID}#key-1", cafe_key)
        early = notice(cafe, clock.advance(minutes=1))
        node.submit(early)
        successor = SigningKey.generate()
        rotate_key(
            node.submit, cafe, DEMO_ORGANIZATION_DID, "key-1", ("key-2", successor.public),
            at=clock.advance(minutes=1),
        )  # fmt: skip
        second = (f"{DEMO_ORGANIZATION_DID}#key-2", successor)
        node.submit(notice(second, clock.advance(minutes=1)))
        # The café finds out its new key leaked a minute after it was made.
        revoke_key(
            node.submit, (node.city.kid, node.city.key), second[0],  # type: ignore[union-attr]
            clock.now - timedelta(minutes=1), at=clock.now,
        )  # fmt: skip
        with pytest.raises(KeyNotValid):
            node.validator.check(node.ledger.entry(node.ledger.size - 2).data, check_time=False)
        live = node.dids
    finally:
        node.close()

    reopened = Node.open(config, clock=clock)
    try:
        assert reopened.dids.dids() == live.dids()
        for kid in (cafe[0], second[0]):
            assert reopened.dids.key(kid) == live.key(kid)
        assert reopened.dids.problems == ()
    finally:
        reopened.close()

    readonly = Node.open_readonly(config.data_dir)
    try:
        report = audit(
            readonly.ledger.store,
            readonly.ledger.verifier_key(),
            readonly.ledger.origin,
            lambda entry: readonly.validator.check(entry, check_time=False),
        )
        assert report.ok, report.problems
        assert report.entries == 6
    finally:
        readonly.close()


def test_identity_entries_in_a_batch_go_through_the_registry(
    clocked_node: tuple[Node, Clock],
) -> None:
    node, clock = clocked_node
    city = (node.city.kid, node.city.key)  # type: ignore[union-attr]
    a, b = SigningKey.generate(), SigningKey.generate()

    def registration(name: str, key: SigningKey) -> bytes:
        return sign_entry(
            "identity.did.registered",
            {
                "did": f"did:web:example.org:{name}",
                "controller": f"did:web:example.org:{name}",
                "name_ko": name,
                "name_en": name,
                "verification_methods": [
                    {
                        "id": "k",
                        "type": "Multikey",
                        "publicKeyMultibase": multikey_encode(key.public),
                    }
                ],
            },
            [city],
            at=clock.now,
        )

    results = node.submit_many(
        [registration("a", a), notice(city, clock.now), registration("a", b), registration("b", b)]
    )
    assert isinstance(results[2], DidAlreadyRegistered)
    assert not any(isinstance(r, BlockcityError) for r in (results[0], results[1], results[3]))
    assert [r.did for r in node.dids.dids()] == ["did:web:example.org:a", "did:web:example.org:b"]


def test_a_registration_appended_around_the_node_is_applied_on_the_next_start(
    tmp_path: Path,
) -> None:
    clock = Clock(datetime.now().astimezone())
    config = Config(data_dir=tmp_path / "data")
    node = Node.open(config, clock=clock)
    try:
        data = sign_entry(
            "identity.did.registered",
            {
                "did": "did:web:example.org",
                "controller": "did:web:example.org",
                "name_ko": "예시",
                "name_en": "Example",
                "verification_methods": [
                    {
                        "id": "k",
                        "type": "Multikey",
                        "publicKeyMultibase": multikey_encode(SigningKey.generate().public),
                    }
                ],
            },
            [(node.city.kid, node.city.key)],  # type: ignore[union-attr]
            at=clock.now,
        )
        node.ledger.append([NewEntry(data)])
        assert node.dids.dids() == ()
    finally:
        node.close()
    reopened = Node.open(config, clock=clock)
    try:
        assert [r.did for r in reopened.dids.dids()] == ["did:web:example.org"]
    finally:
        reopened.close()


def test_the_api_serves_did_documents_now_and_in_the_past(
    clocked_node: tuple[Node, Clock],
) -> None:
    node, clock = clocked_node
    seed_demo_dids(node)
    registered = clock.now
    successor = SigningKey.generate()
    rotate_key(
        node.submit,
        (f"{DEMO_ORGANIZATION_DID}#key-1", demo_organization_key(node)),
        DEMO_ORGANIZATION_DID,
        "key-1",
        ("key-2", successor.public),
        at=clock.advance(hours=1),
    )
    with TestClient(create_app(node)) as client:
        path = f"/api/v1/identity/dids/{DEMO_ORGANIZATION_DID}"
        now = client.get(path)
        assert now.status_code == 200
        assert now.headers["content-type"] == "application/did+ld+json"
        assert [m["id"] for m in now.json()["verificationMethod"]] == [
            f"{DEMO_ORGANIZATION_DID}#key-2"
        ]
        past = client.get(path, params={"at": registered.isoformat()})
        assert [m["id"] for m in past.json()["verificationMethod"]] == [
            f"{DEMO_ORGANIZATION_DID}#key-1"
        ]
        bad = client.get(path, params={"at": "yesterday"})
        assert bad.status_code == 400 and bad.json()["code"] == "invalid-input"
        missing = client.get("/api/v1/identity/dids/did:web:nobody.example?lang=en")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert "is not registered" in missing.json()["detail"]
        did_key = node.city.did  # type: ignore[union-attr]
        assert client.get(f"/api/v1/identity/dids/{did_key}").json()["id"] == did_key
        assert client.get("/api/v1/identity/dids/did:web:Upper.example").status_code == 400


def test_a_did_web_with_a_port_is_asked_for_percent_encoded_once_more(
    node: Node, live_server: str
) -> None:
    # Through uvicorn, which decodes the path once; the DID's own %3A arrives as %253A.
    did = "did:web:localhost%3A8443"
    register_did(
        node.submit,
        (node.city.kid, node.city.key),  # type: ignore[union-attr]
        did,
        [("key-1", SigningKey.generate().public)],
        name_ko="개발",
        name_en="Development",
    )
    response = httpx.get(f"{live_server}/api/v1/identity/dids/did:web:localhost%253A8443")
    assert response.status_code == 200 and response.json()["id"] == did
