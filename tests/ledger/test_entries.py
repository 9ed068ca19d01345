"""Signed entries: the envelope, the schema registry, signatures, required signers, clock skew."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blockcity.crypto import (
    DidKeyResolver,
    SigningKey,
    b64url_decode,
    canonical_json,
    did_key_from_public,
)
from blockcity.errors import BlockcityError, InvalidInput, PayloadTooLarge
from blockcity.ledger.entries import (
    MAX_ENTRY_BYTES,
    EntryRejected,
    EntrySignatureInvalid,
    EntryTypes,
    EntryValidator,
    UnknownEntryType,
    sign_entry,
    sign_here,
)
from blockcity.services import register_entry_types

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TYPE = "notices.notice.published"


def kid_of(key: SigningKey) -> str:
    did = did_key_from_public(key.public)
    return f"{did}#{did.removeprefix('did:key:')}"


def body_for(key: SigningKey, **changes: object) -> dict[str, object]:
    return {
        "publisher": did_key_from_public(key.public),
        "title_ko": "공지",
        "title_en": "Notice",
        "summary_ko": "",
        "summary_en": "",
        **changes,
    }


@pytest.fixture(scope="module")
def validator() -> EntryValidator:
    types = EntryTypes()
    register_entry_types(types)
    return EntryValidator(types, DidKeyResolver(), clock=lambda: NOW)


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.from_seed(bytes(range(32)))


def signed(key: SigningKey, **changes: object) -> bytes:
    return sign_entry(TYPE, body_for(key, **changes), [(kid_of(key), key)], at=NOW)


def reencode(data: bytes, change: object) -> bytes:
    envelope = json.loads(data)
    change(envelope)  # type: ignore[operator]
    return canonical_json(envelope)


def test_a_signed_entry_checks_and_keeps_its_exact_bytes(
    validator: EntryValidator, key: SigningKey
) -> None:
    data = signed(key)
    entry = validator.check(data)
    assert entry.type == TYPE and entry.version == 1 and entry.data == data
    assert entry.signers == {did_key_from_public(key.public)}


def test_body_that_breaks_its_schema_names_the_field(
    validator: EntryValidator, key: SigningKey
) -> None:
    with pytest.raises(EntryRejected, match=r"body\.title_ko"):
        validator.check(signed(key, title_ko=""))
    with pytest.raises(EntryRejected, match=r"body\.extra"):
        validator.check(signed(key, extra="x"))


def test_unknown_type_and_unknown_version_are_told_apart(
    validator: EntryValidator, key: SigningKey
) -> None:
    with pytest.raises(UnknownEntryType, match=r"known types: .*notices\.notice\.published"):
        validator.check(sign_entry("nope.thing.done", {}, [(kid_of(key), key)], at=NOW))
    with pytest.raises(UnknownEntryType, match="no schema version 2"):
        validator.check(sign_entry(TYPE, body_for(key), [(kid_of(key), key)], version=2, at=NOW))


def test_signature_by_a_key_that_is_not_the_kid_is_refused(
    validator: EntryValidator, key: SigningKey
) -> None:
    other = SigningKey.generate()
    data = sign_entry(TYPE, body_for(key), [(kid_of(key), other)], at=NOW)
    with pytest.raises(EntrySignatureInvalid, match="does not match"):
        validator.check(data)


def test_the_publisher_must_sign(validator: EntryValidator, key: SigningKey) -> None:
    someone = SigningKey.generate()
    data = sign_entry(TYPE, body_for(key), [(kid_of(someone), someone)], at=NOW)
    with pytest.raises(EntrySignatureInvalid, match="must also be signed by"):
        validator.check(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("sigs"), "missing sigs"),
        (lambda e: e.update(extra=1), "unexpected extra"),
        (lambda e: e.update(id="not-a-uuid"), "lowercase UUID"),
        (lambda e: e.update(id=e["id"].upper()), "lowercase UUID"),
        (lambda e: e.update(at="2026-11-25 09:00:00"), "RFC 3339"),
        (lambda e: e.update(v=0), "positive integer"),
        (lambda e: e.update(type="Bad Type"), "dotted lowercase"),
        (lambda e: e.update(sigs=[]), "non-empty"),
        (lambda e: e["sigs"].append(dict(e["sigs"][0])), "signed twice"),
        (lambda e: e["sigs"][0].update(sig="AAAA"), "64"),
        (lambda e: e.update(body=[]), "JSON object"),
    ],
)
def test_malformed_envelopes_say_what_is_wrong(
    validator: EntryValidator, key: SigningKey, change: object, message: str
) -> None:
    with pytest.raises(BlockcityError, match=message):
        validator.check(reencode(signed(key), change))


def test_entries_far_from_the_ledger_clock_are_refused(
    validator: EntryValidator, key: SigningKey
) -> None:
    for skew in (timedelta(minutes=11), -timedelta(minutes=11)):
        data = sign_entry(TYPE, body_for(key), [(kid_of(key), key)], at=NOW + skew)
        with pytest.raises(EntryRejected, match="device clock"):
            validator.check(data)
    late = sign_entry(TYPE, body_for(key), [(kid_of(key), key)], at=NOW - timedelta(days=9))
    assert validator.check(late, check_time=False).id


def test_oversized_and_non_canonical_entries_are_refused(
    validator: EntryValidator, key: SigningKey
) -> None:
    with pytest.raises(PayloadTooLarge):
        validator.check(b" " * (MAX_ENTRY_BYTES + 1))
    with pytest.raises(InvalidInput, match="canonical"):
        validator.check(json.dumps(json.loads(signed(key)), indent=2).encode())


def test_check_many_keeps_errors_per_entry(validator: EntryValidator, key: SigningKey) -> None:
    good, bad = signed(key), signed(key, title_en="")
    results = validator.check_many([good, bad, good])
    assert [isinstance(r, BlockcityError) for r in results] == [False, True, False]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_is_refused(
    validator: EntryValidator, key: SigningKey, data: st.DataObject
) -> None:
    entry = signed(key, summary_ko="서울시 공지 본문")
    position = data.draw(st.integers(min_value=0, max_value=len(entry) - 1))
    value = data.draw(
        st.integers(min_value=0, max_value=255).filter(lambda b: b != entry[position])
    )
    tampered = entry[:position] + bytes([value]) + entry[position + 1 :]
    with pytest.raises(BlockcityError):
        validator.check(tampered)


KEY_FOR_PROPERTY = SigningKey.generate()
KID_FOR_PROPERTY = f"{did_key_from_public(KEY_FOR_PROPERTY.public)}#key"


@settings(max_examples=200, deadline=None)
@given(
    body=st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_signed_entries_are_exactly_the_canonical_form_of_their_envelope(
    body: dict[str, object],
) -> None:
    data = sign_entry("demo.thing.happened", body, [(KID_FOR_PROPERTY, KEY_FOR_PROPERTY)])
    envelope = json.loads(data)
    assert data == canonical_json(envelope)
    unsigned = {name: value for name, value in envelope.items() if name != "sigs"}
    signature = b64url_decode(envelope["sigs"][0]["sig"])
    assert KEY_FOR_PROPERTY.public.verify(signature, canonical_json(unsigned))


def test_an_entry_signed_here_is_taken_when_its_key_is_the_registered_one(
    validator: EntryValidator, key: SigningKey
) -> None:
    own = sign_here(TYPE, body_for(key), [(kid_of(key), key)], at=NOW)
    [entry] = validator.check_many([own])
    assert not isinstance(entry, BlockcityError)
    assert entry.data == own.data


def test_signed_here_spares_no_check_when_the_key_is_not_the_registered_one(
    validator: EntryValidator, key: SigningKey
) -> None:
    # A different key claims the kid: its signature is verified against the registered key
    # and fails, so "signed here" cannot smuggle in a signature by the wrong key.
    impostor = SigningKey.generate()
    forged = sign_here(TYPE, body_for(key), [(kid_of(key), impostor)], at=NOW)
    [result] = validator.check_many([forged])
    assert isinstance(result, EntrySignatureInvalid)


def test_signed_here_still_meets_the_schema_the_clock_and_the_size_limit(
    validator: EntryValidator, key: SigningKey
) -> None:
    # Only the signature and the canonical-form checks are spared: what the entry says is
    # checked like any other entry's.
    signer = [(kid_of(key), key)]
    wrong_body = sign_here(TYPE, body_for(key, extra="x"), signer, at=NOW)
    stale = sign_here(TYPE, body_for(key), signer, at=NOW - timedelta(hours=1))
    huge = sign_here(TYPE, body_for(key, title_en="x" * MAX_ENTRY_BYTES), signer, at=NOW)
    schema, clock, size = validator.check_many([wrong_body, stale, huge])
    assert isinstance(schema, EntryRejected) and "body.extra" in schema.message_en
    assert isinstance(clock, EntryRejected) and "device clock" in clock.message_en
    assert isinstance(size, PayloadTooLarge)
