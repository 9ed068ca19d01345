"""eddsa-jcs-2022 Data Integrity proofs against the W3C vc-di-eddsa test vector (byte for byte,
every intermediate value, every negative case), bad input, tampering, wrong keys, and replayed
presentations."""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blockcity.credentials.dataintegrity import (
    ASSERTION_METHOD,
    AUTHENTICATION,
    CheckName,
    DataIntegrityResult,
    ProofGenerationError,
    ProofVerificationFailed,
    create_presentation,
    create_proof,
    create_proof_canonical,
    parse_json,
    proof_hash_data,
    verify_credential,
    verify_json,
    verify_presentation,
    verify_proof,
)
from blockcity.crypto import (
    DidKeyResolver,
    SigningKey,
    VerifyKey,
    b58btc_decode,
    b58btc_encode,
    b64url_encode,
    canonical_json,
    did_key_from_public,
    verification_method_id,
)
from blockcity.errors import InvalidInput, NotFound
from tests.vectors import load

VECTOR = load("credentials/vc-di-eddsa-jcs-2022.json")
SPEC_KEY = SigningKey.from_seed(bytes.fromhex(VECTOR["key_pair"]["secret_seed_hex"]))
SPEC_VM = VECTOR["key_pair"]["verificationMethod"]
SPEC_CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RESOLVER = DidKeyResolver()
HANGUL = re.compile("[가-힣]")

# The check each negative case of the vector must fail on; every case must be listed here.
NEGATIVE_FAILS_ON = {
    "tampered_credentialSubject": CheckName.SIGNATURE,
    "tampered_proof_created": CheckName.SIGNATURE,
    "document_context_order_differs_from_proof_context": CheckName.CONTEXT,
    "proofValue_from_rdfc_vector": CheckName.SIGNATURE,
}


def _vm(key: SigningKey) -> str:
    return verification_method_id(did_key_from_public(key.public))


def _signed(document: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    unsigned = VECTOR["unsigned_credential"] if document is None else document
    return create_proof(unsigned, SPEC_KEY, SPEC_VM, created=SPEC_CREATED, **options)


def _with_proof(**changes: Any) -> dict[str, Any]:
    secured = copy.deepcopy(VECTOR["signed_credential"])
    secured["proof"].update(changes)
    return secured


def _failed_names(result: DataIntegrityResult) -> list[CheckName]:
    return [check.name for check in result.failures]


class DictResolver:
    """A KeyResolver over fixed keys, standing in for the DID registry."""

    def __init__(self, keys: dict[str, VerifyKey]) -> None:
        self.keys = keys

    def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
        try:
            return self.keys[kid]
        except KeyError:
            raise NotFound(f"no key {kid}", f"키 {kid}가 없습니다") from None


# -- The W3C vector --------------------------------------------------------------------------


def test_spec_secret_key_multibase_holds_the_seed_of_the_spec_public_key() -> None:
    secret = b58btc_decode(VECTOR["key_pair"]["secretKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"
    assert secret[2:] == SPEC_KEY.seed
    assert did_key_from_public(SPEC_KEY.public) == SPEC_VM.partition("#")[0]


def test_canonical_document_and_proof_config_match_spec_bytes() -> None:
    intermediate = VECTOR["intermediate"]
    assert canonical_json(VECTOR["unsigned_credential"]) == intermediate[
        "canonical_document"
    ].encode("utf-8")
    assert canonical_json(VECTOR["proof_options"]) == intermediate["canonical_proof_config"].encode(
        "utf-8"
    )


def test_intermediate_hashes_and_signature_match_spec() -> None:
    intermediate = VECTOR["intermediate"]
    hash_data = proof_hash_data(VECTOR["unsigned_credential"], VECTOR["proof_options"])
    assert hash_data[:32].hex() == intermediate["proof_config_sha256_hex"]
    assert hash_data[32:].hex() == intermediate["document_sha256_hex"]
    assert hash_data.hex() == intermediate["hash_data_hex"]
    assert (
        hashlib.sha256(intermediate["canonical_document"].encode()).hexdigest()
        == intermediate["document_sha256_hex"]
    )
    assert SPEC_KEY.sign(hash_data).hex() == intermediate["signature_hex"]


def test_signer_reproduces_spec_signed_credential_byte_for_byte() -> None:
    secured = _signed()
    assert secured["proof"]["proofValue"] == VECTOR["expected_proofValue"]
    assert canonical_json(secured) == canonical_json(VECTOR["signed_credential"])


def test_signing_leaves_the_input_document_unchanged() -> None:
    unsigned = copy.deepcopy(VECTOR["unsigned_credential"])
    secured = _signed(unsigned)
    assert unsigned == VECTOR["unsigned_credential"]
    secured["proof"]["@context"].append("https://example.org/extra")
    assert unsigned["@context"] == VECTOR["unsigned_credential"]["@context"]


def test_spec_signed_credential_verifies_with_every_check_named() -> None:
    result = verify_credential(VECTOR["signed_credential"], RESOLVER, now=NOW)
    assert result.verified
    assert [check.name for check in result.checks] == [
        CheckName.CREDENTIAL,
        CheckName.PROOF_TYPE,
        CheckName.CRYPTOSUITE,
        CheckName.PROOF_VALUE,
        CheckName.CONTEXT,
        CheckName.VERIFICATION_METHOD,
        CheckName.SIGNATURE,
        CheckName.PROOF_PURPOSE,
        CheckName.CREATED,
    ]
    assert result.verification_method == SPEC_VM
    assert result.created == SPEC_CREATED
    result.raise_for_failure()


def test_every_negative_case_of_the_vector_is_covered() -> None:
    listed = {case["name"] for case in VECTOR["negative_cases"] if not case["expected_verified"]}
    assert listed == set(NEGATIVE_FAILS_ON)


@pytest.mark.parametrize("case", VECTOR["negative_cases"], ids=lambda case: case["name"])
def test_vector_case_gives_the_expected_outcome(case: dict[str, Any]) -> None:
    result = verify_proof(case["document"], RESOLVER, now=NOW)
    assert result.verified is case["expected_verified"]
    if not case["expected_verified"]:
        assert result.failures[0].name == NEGATIVE_FAILS_ON[case["name"]]


def test_context_reordering_skips_the_signature_and_says_why() -> None:
    case = next(c for c in VECTOR["negative_cases"] if c["name"].startswith("document_context"))
    result = verify_proof(case["document"], RESOLVER, now=NOW)
    signature = result.check(CheckName.SIGNATURE)
    assert signature is not None and not signature.ok
    assert "not checked" in signature.reason_en and "context" in signature.reason_en


def test_contexts_appended_after_the_signed_ones_verify_but_are_reported_unsigned() -> None:
    secured = copy.deepcopy(VECTOR["signed_credential"])
    secured["@context"].append("https://example.org/later/v1")
    result = verify_proof(secured, RESOLVER, now=NOW)
    assert result.verified  # vc-di-eddsa §3.3.2 step 4.2 signs the proof's @context instead
    context = result.check(CheckName.CONTEXT)
    assert context is not None and "not covered" in context.reason_en


# -- Bad input: each refused with a reason ---------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "failed", "reason"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, CheckName.CRYPTOSUITE, "'ecdsa-rdfc-2019'"),
        ({"cryptosuite": None}, CheckName.CRYPTOSUITE, "names no cryptosuite"),
        ({"type": "Ed25519Signature2020"}, CheckName.PROOF_TYPE, "Ed25519Signature2020"),
        ({"proofValue": None}, CheckName.PROOF_VALUE, "no proofValue"),
        ({"proofValue": "z" + b58btc_encode(bytes(63))}, CheckName.PROOF_VALUE, "63 bytes"),
        ({"proofValue": "z" + b58btc_encode(b"\x01" * 65)}, CheckName.PROOF_VALUE, "65 bytes"),
        ({"proofValue": "u" + b64url_encode(bytes(64))}, CheckName.PROOF_VALUE, "base64url"),
        ({"proofValue": "z0OIl"}, CheckName.PROOF_VALUE, "alphabet"),
        ({"proofValue": "z" + "2" * 100_000}, CheckName.PROOF_VALUE, "too many"),
        ({"verificationMethod": None}, CheckName.VERIFICATION_METHOD, "no verificationMethod"),
        (
            {"verificationMethod": "did:web:vc.example#key-1"},
            CheckName.VERIFICATION_METHOD,
            "not a did:key",
        ),
        (
            {"verificationMethod": SPEC_VM.partition("#")[0] + "#key-1"},
            CheckName.VERIFICATION_METHOD,
            "own key",
        ),
        ({"proofPurpose": AUTHENTICATION}, CheckName.PROOF_PURPOSE, "made for 'authentication'"),
        ({"proofPurpose": None}, CheckName.PROOF_PURPOSE, "no proofPurpose"),
        ({"created": "2023-02-24 23:36:38"}, CheckName.CREATED, "time zone"),
        ({"created": "2023-13-24T23:36:38Z"}, CheckName.CREATED, "time zone"),
        ({"created": "2099-01-01T00:00:00Z"}, CheckName.CREATED, "later than now"),
        ({"expires": "2024-01-01T00:00:00Z"}, CheckName.EXPIRES, "expired"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"]}, CheckName.SIGNATURE, "match"),
    ],
)
def test_malformed_proof_fails_the_named_check_with_a_reason(
    changes: dict[str, Any], failed: CheckName, reason: str
) -> None:
    result = verify_proof(_with_proof(**changes), RESOLVER, now=NOW)
    assert not result.verified
    check = result.check(failed)
    assert check is not None and not check.ok
    assert reason in check.reason_en
    assert HANGUL.search(check.reason_ko)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([VECTOR["signed_credential"]], "not list"),
        (VECTOR["unsigned_credential"], "no proof"),
        ({**VECTOR["unsigned_credential"], "proof": []}, "set of 0 proofs"),
        ({**VECTOR["unsigned_credential"], "proof": "z2Hn"}, "str, not a JSON object"),
    ],
)
def test_document_without_a_single_proof_object_is_refused(document: Any, reason: str) -> None:
    result = verify_proof(document, RESOLVER, now=NOW)
    assert not result.verified
    assert [check.name for check in result.checks] == [CheckName.DOCUMENT]
    assert reason in result.checks[0].reason_en


def test_unsafe_integer_in_document_fails_the_signature_with_a_reason() -> None:
    secured = copy.deepcopy(VECTOR["signed_credential"])
    secured["credentialSubject"]["alumniOf"] = 2**60
    signature = verify_proof(secured, RESOLVER, now=NOW).check(CheckName.SIGNATURE)
    assert signature is not None and not signature.ok
    assert "RFC 8785" in signature.reason_en


def test_vc_1_1_context_is_refused_as_a_wrong_context() -> None:
    old = {**VECTOR["unsigned_credential"], "@context": ["https://www.w3.org/2018/credentials/v1"]}
    result = verify_credential(_signed(old), RESOLVER, now=NOW)
    assert _failed_names(result) == [CheckName.CREDENTIAL]
    assert "VC Data Model 1.1" in result.failures[0].reason_en


def test_credential_missing_issuer_and_subject_lists_both_problems() -> None:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
    }
    result = verify_credential(_signed(unsigned), RESOLVER, now=NOW)
    assert _failed_names(result) == [CheckName.CREDENTIAL]
    assert "issuer" in result.failures[0].reason_en
    assert "credentialSubject" in result.failures[0].reason_en


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x', "truncated"),
        ("", "truncated"),
        ('{"a": 1, "a": 2}', "more than once"),
        ('{"a": NaN}', "NaN"),
        ('{"a": 12345678901234567890123}', "2**53"),
        ('{"a": 1} x', "Extra data"),
        ("[1, 2]", "JSON object"),
        (b"\xff{}", "UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "nested"),
    ],
)
def test_verify_json_turns_bad_text_into_a_reason_not_an_exception(
    text: str | bytes, reason: str
) -> None:
    result = verify_json(text, RESOLVER, now=NOW)
    assert [check.name for check in result.checks] == [CheckName.JSON]
    assert reason in result.checks[0].reason_en
    assert not result.verified


def test_verify_json_of_the_spec_file_text_verifies() -> None:
    text = canonical_json(VECTOR["signed_credential"]).decode()
    assert verify_json(text, RESOLVER, now=NOW).verified
    assert parse_json(text.encode()) == VECTOR["signed_credential"]


def test_truncating_the_spec_credential_anywhere_never_raises() -> None:
    text = canonical_json(VECTOR["signed_credential"]).decode()
    for end in range(len(text)):
        assert not verify_json(text[:end], RESOLVER, now=NOW).verified


def test_raise_for_failure_names_every_failed_check_in_both_languages() -> None:
    result = verify_proof(_with_proof(cryptosuite="x", proofPurpose="y"), RESOLVER, now=NOW)
    with pytest.raises(ProofVerificationFailed) as raised:
        result.raise_for_failure()
    assert "cryptosuite" in raised.value.message_en and "proof-purpose" in raised.value.message_en
    assert HANGUL.search(raised.value.message_ko)


def test_an_empty_check_list_is_a_failure_not_a_pass() -> None:
    assert not DataIntegrityResult(()).verified
    with pytest.raises(ProofVerificationFailed):
        DataIntegrityResult(()).raise_for_failure()


def test_naive_verification_time_is_a_programming_error() -> None:
    with pytest.raises(InvalidInput):
        verify_proof(VECTOR["signed_credential"], RESOLVER, now=datetime(2026, 1, 1))


# -- Signing ---------------------------------------------------------------------------------


def test_signing_refuses_a_did_key_that_names_another_key() -> None:
    with pytest.raises(ProofGenerationError):
        create_proof(VECTOR["unsigned_credential"], SigningKey.generate(), SPEC_VM)


def test_signing_refuses_an_already_secured_document() -> None:
    with pytest.raises(ProofGenerationError):
        create_proof(VECTOR["signed_credential"], SPEC_KEY, SPEC_VM)


def test_signing_refuses_a_naive_creation_time() -> None:
    with pytest.raises(ProofGenerationError):
        create_proof(VECTOR["unsigned_credential"], SPEC_KEY, SPEC_VM, created=datetime(2026, 1, 1))


def test_creation_time_defaults_to_now_to_the_second() -> None:
    secured = create_proof(VECTOR["unsigned_credential"], SPEC_KEY, SPEC_VM)
    created = datetime.fromisoformat(secured["proof"]["created"])
    assert abs(created - datetime.now(UTC)) < timedelta(seconds=5)
    assert verify_credential(secured, RESOLVER).verified


def test_document_without_context_signs_without_proof_context() -> None:
    secured = _signed({"title": "시청 공지", "count": 3})
    assert "@context" not in secured["proof"]
    assert verify_proof(secured, RESOLVER, now=NOW).verified


# -- Attacks ---------------------------------------------------------------------------------


def test_proof_signed_by_another_key_than_the_one_named_fails() -> None:
    issuer_vm = "did:web:issuer.seoul.example#key-1"
    real, forger = SigningKey.generate(), SigningKey.generate()
    forged = create_proof(VECTOR["unsigned_credential"], forger, issuer_vm, created=NOW)
    resolver = DictResolver({issuer_vm: real.public})
    result = verify_credential(forged, resolver, now=NOW)
    assert _failed_names(result) == [CheckName.SIGNATURE]
    genuine = create_proof(VECTOR["unsigned_credential"], real, issuer_vm, created=NOW)
    assert verify_credential(genuine, resolver, now=NOW).verified


def test_swapping_in_another_did_key_fails_the_signature() -> None:
    other = _vm(SigningKey.generate())
    result = verify_proof(_with_proof(verificationMethod=other), RESOLVER, now=NOW)
    assert _failed_names(result) == [CheckName.SIGNATURE]


def test_unknown_key_in_a_registry_resolver_fails_with_its_reason() -> None:
    result = verify_proof(VECTOR["signed_credential"], DictResolver({}), now=NOW)
    check = result.check(CheckName.VERIFICATION_METHOD)
    assert check is not None and "no key" in check.reason_en


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Every value (kind "value") and every member name (kind "key") in a JSON document."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(value, dict):
        for name, item in value.items():
            found.append(((*path, name), "key"))
            found += _paths(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    else:
        found.append((path, "value"))
    return found


SIGNED_PATHS = _paths(VECTOR["signed_credential"])
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SIGNED_PATHS), JSON_SCALARS, st.text(min_size=1))
def test_any_single_change_after_signing_fails_verification(
    target: tuple[tuple[Any, ...], str], replacement: Any, new_name: str
) -> None:
    path, kind = target
    secured = copy.deepcopy(VECTOR["signed_credential"])
    parent = secured
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if kind == "value":
        if parent[last] == replacement and type(parent[last]) is type(replacement):
            replacement = [replacement]
        parent[last] = replacement
    else:
        if new_name in parent:
            new_name = new_name + "\x00"
        parent[new_name] = parent.pop(last)
    assert not verify_proof(secured, RESOLVER, now=NOW).verified


JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text().filter(lambda name: name != "proof"), JSON_VALUES))
def test_any_json_object_signs_and_verifies(document: dict[str, Any]) -> None:
    key = SigningKey.generate()
    secured = create_proof(document, key, _vm(key), created=SPEC_CREATED)
    assert verify_proof(secured, RESOLVER, now=NOW).verified
    assert verify_proof(parse_json(canonical_json(secured)), RESOLVER, now=NOW).verified


# -- Presentations ---------------------------------------------------------------------------

HOLDER = SigningKey.from_seed(bytes(range(32)))
HOLDER_VM = _vm(HOLDER)
CHALLENGE = "c0ffee-5e0u1-2026"
DOMAIN = "https://verifier.seoul.example"


def _presentation(*credentials: dict[str, Any], **options: Any) -> dict[str, Any]:
    chosen = credentials or (VECTOR["signed_credential"],)
    settings_ = {"challenge": CHALLENGE, "domain": DOMAIN, "created": NOW} | options
    return create_presentation(list(chosen), HOLDER, HOLDER_VM, **settings_)


def test_presentation_verifies_with_its_own_challenge_and_domain() -> None:
    presentation = _presentation(VECTOR["signed_credential"], _signed())
    assert presentation["holder"] == HOLDER_VM.partition("#")[0]
    assert presentation["proof"]["proofPurpose"] == AUTHENTICATION
    result = verify_presentation(
        presentation, RESOLVER, challenge=CHALLENGE, domain=DOMAIN, now=NOW
    )
    assert result.verified, result.failures()
    assert len(result.credentials) == 2
    result.raise_for_failure()


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1).filter(lambda text: text != CHALLENGE))
def test_presentation_replayed_with_another_challenge_fails(challenge: str) -> None:
    result = verify_presentation(
        _presentation(), RESOLVER, challenge=challenge, domain=DOMAIN, now=NOW
    )
    assert [(where, check.name) for where, check in result.failures()] == [
        ("proof", CheckName.CHALLENGE)
    ]


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1).filter(lambda text: text != DOMAIN))
def test_presentation_replayed_to_another_domain_fails(domain: str) -> None:
    result = verify_presentation(
        _presentation(), RESOLVER, challenge=CHALLENGE, domain=domain, now=NOW
    )
    assert [(where, check.name) for where, check in result.failures()] == [
        ("proof", CheckName.DOMAIN)
    ]
    with pytest.raises(ProofVerificationFailed) as raised:
        result.raise_for_failure()
    assert "replay" in raised.value.message_en


def test_presentation_with_its_challenge_rewritten_fails_the_signature() -> None:
    presentation = _presentation()
    presentation["proof"]["challenge"] = "verifier-b-nonce"
    result = verify_presentation(
        presentation, RESOLVER, challenge="verifier-b-nonce", domain=DOMAIN, now=NOW
    )
    assert [check.name for _, check in result.failures()] == [CheckName.SIGNATURE]


def test_holder_cannot_launder_a_tampered_credential_in_a_presentation() -> None:
    tampered = copy.deepcopy(VECTOR["signed_credential"])
    tampered["credentialSubject"]["alumniOf"] = "The School of Counterfeits"
    result = verify_presentation(
        _presentation(tampered), RESOLVER, challenge=CHALLENGE, domain=DOMAIN, now=NOW
    )
    assert result.proof.verified
    assert [(where, check.name) for where, check in result.failures()] == [
        ("credential 0", CheckName.SIGNATURE)
    ]


def test_credential_proof_does_not_pass_as_a_presentation_proof() -> None:
    unsigned = {k: v for k, v in _presentation().items() if k != "proof"}
    asserted = create_proof(
        unsigned, HOLDER, HOLDER_VM, ASSERTION_METHOD, NOW, challenge=CHALLENGE, domain=DOMAIN
    )
    result = verify_presentation(asserted, RESOLVER, challenge=CHALLENGE, domain=DOMAIN, now=NOW)
    assert [check.name for _, check in result.failures()] == [CheckName.PROOF_PURPOSE]


def test_presentation_under_another_holders_name_fails() -> None:
    unsigned = {k: v for k, v in _presentation().items() if k != "proof"}
    unsigned["holder"] = did_key_from_public(SigningKey.generate().public)
    impostor = create_proof(
        unsigned, HOLDER, HOLDER_VM, AUTHENTICATION, NOW, challenge=CHALLENGE, domain=DOMAIN
    )
    result = verify_presentation(impostor, RESOLVER, challenge=CHALLENGE, domain=DOMAIN, now=NOW)
    assert [(where, check.name) for where, check in result.failures()] == [("", CheckName.HOLDER)]


def test_presentation_of_a_vc_1_1_context_is_refused() -> None:
    unsigned = {k: v for k, v in _presentation().items() if k != "proof"}
    unsigned["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    old = create_proof(
        unsigned, HOLDER, HOLDER_VM, AUTHENTICATION, NOW, challenge=CHALLENGE, domain=DOMAIN
    )
    result = verify_presentation(old, RESOLVER, challenge=CHALLENGE, domain=DOMAIN, now=NOW)
    assert [check.name for _, check in result.failures()] == [CheckName.PRESENTATION]


def test_presentation_refuses_unsigned_credentials_and_missing_nonce() -> None:
    with pytest.raises(ProofGenerationError):
        _presentation(VECTOR["unsigned_credential"])
    with pytest.raises(ProofGenerationError):
        _presentation(challenge="")
    with pytest.raises(InvalidInput):
        verify_presentation(_presentation(), RESOLVER, challenge="", domain=DOMAIN)


def test_domain_may_be_a_set_of_strings_in_any_order() -> None:
    secured = _with_proof()
    secured["proof"]["domain"] = ["https://a.example", "https://b.example"]
    result = verify_proof(secured, RESOLVER, domain=["https://b.example", "https://a.example"])
    domain = result.check(CheckName.DOMAIN)
    assert domain is not None and domain.ok
    assert _failed_names(result) == [CheckName.SIGNATURE]  # the domain was added after signing


@settings(max_examples=50, deadline=None)
@given(claims=st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=5))
def test_the_canonical_form_given_at_signing_is_the_secured_documents(
    claims: dict[str, str],
) -> None:
    key = SigningKey.from_seed(bytes(32))
    did = did_key_from_public(key.public)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": did, **{k: v for k, v in claims.items() if k != "id"}},
    }
    secured, canonical = create_proof_canonical(document, key, verification_method_id(did))
    assert canonical == canonical_json(secured)
    assert verify_credential(secured, DidKeyResolver()).verified
