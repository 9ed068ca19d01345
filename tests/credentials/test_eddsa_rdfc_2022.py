"""eddsa-rdfc-2022 Data Integrity proofs against the W3C vc-di-eddsa vectors (Alumni and
Employment Authorization) and the 1EdTech Open Badges 3.0 vector: canonical N-Quads, hashes and
proofValues byte for byte; tampering, unshipped or altered contexts, undefined terms and poison
graphs refused, all without touching the network."""

from __future__ import annotations

import copy
import hashlib
import socket
import subprocess
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blockcity.credentials import rdfc
from blockcity.credentials.dataintegrity import (
    RDFC_CRYPTOSUITE,
    CheckName,
    DataIntegrityResult,
    ProofGenerationError,
    create_proof,
    verify_credential,
    verify_proof,
)
from blockcity.crypto import DidKeyResolver, SigningKey, VerifyKey
from blockcity.errors import NotFound
from tests.vectors import load

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SIGNED_AT = datetime(2026, 2, 27, 14, 30, tzinfo=UTC)
VECTOR_NAMES = (
    "credentials/vc-di-eddsa-rdfc-2022.json",
    "credentials/vc-di-eddsa-rdfc-2022-employment.json",
    "credentials/openbadges-3.0-eddsa-rdfc-2022.json",
)
VECTORS = {name: load(name) for name in VECTOR_NAMES}
ALUMNI = VECTORS["credentials/vc-di-eddsa-rdfc-2022.json"]
BADGE = VECTORS["credentials/openbadges-3.0-eddsa-rdfc-2022.json"]
SHIPPED = resources.files("blockcity.credentials") / "contexts"

# The check each negative case of a vector must fail on; every such case must be listed here.
NEGATIVE_FAILS_ON = {
    "tampered_credentialSubject": CheckName.SIGNATURE,
    "tampered_achievement_name": CheckName.SIGNATURE,
}


class VectorKeys:
    """The vectors' keys by verification method: did:key offline, the badge issuer's https URL
    from the vector's own key pair (an issuer's did:web document would say the same)."""

    def __init__(self) -> None:
        pair = BADGE["key_pair"]
        self._keys = {
            pair["verificationMethod"]: VerifyKey.from_raw(bytes.fromhex(pair["public_key_hex"]))
        }

    def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
        if kid.startswith("did:key:"):
            return DidKeyResolver().resolve(kid, at)
        if kid not in self._keys:
            raise NotFound(f"no key {kid}", f"키 {kid} 없음")
        return self._keys[kid]


RESOLVER = VectorKeys()


def _key(vector: dict[str, Any]) -> SigningKey:
    return SigningKey.from_seed(bytes.fromhex(vector["key_pair"]["secret_seed_hex"]))


def _unsecured(vector: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The signed credential split as a verifier sees it: document, proof without its value."""
    document = copy.deepcopy(vector["signed_credential"])
    proof = document.pop("proof")
    del proof["proofValue"]
    return document, proof


def _failed(result: DataIntegrityResult, name: CheckName) -> str:
    check = result.check(name)
    assert check is not None and not check.ok, result.checks
    return check.reason_en


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection or resolve a name fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# -- The vectors, byte for byte ----------------------------------------------------------------


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_vector_document_and_proof_config_canonicalize_to_the_published_nquads(name: str) -> None:
    vector = VECTORS[name]
    document, proof = _unsecured(vector)
    expected = vector["intermediate"]
    assert rdfc.canonicalize(document) == expected["canonical_document_nquads"]
    # vc-di-eddsa §3.2.5 step 4: the proof configuration is read under the document's @context.
    config = {**proof, "@context": document["@context"]}
    assert rdfc.canonicalize(config) == expected["canonical_proof_config_nquads"]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_vector_hash_data_is_sha256_of_proof_config_then_of_document(name: str) -> None:
    vector = VECTORS[name]
    expected = vector["intermediate"]
    by_hand = (
        hashlib.sha256(expected["canonical_proof_config_nquads"].encode()).digest()
        + hashlib.sha256(expected["canonical_document_nquads"].encode()).digest()
    )
    assert by_hand.hex() == expected["hash_data_hex"]
    assert rdfc.proof_hash_data(*_unsecured(vector)) == by_hand


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_vector_signed_credential_verifies_with_every_check_named(
    name: str, no_network: None
) -> None:
    vector = VECTORS[name]
    result = verify_credential(vector["signed_credential"], RESOLVER, now=NOW)
    assert result.verified, result.failures
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
    cryptosuite = result.check(CheckName.CRYPTOSUITE)
    assert cryptosuite is not None and cryptosuite.reason_en == RDFC_CRYPTOSUITE


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_signing_reproduces_the_vector_proof_value_byte_for_byte(name: str) -> None:
    vector = VECTORS[name]
    options = vector["proof_options"]
    created = datetime.fromisoformat(options["created"])
    secured = create_proof(
        vector["unsigned_credential"],
        _key(vector),
        options["verificationMethod"],
        created=created,
        cryptosuite=RDFC_CRYPTOSUITE,
    )
    assert secured["proof"]["proofValue"] == vector["expected_proofValue"]
    assert secured == vector["signed_credential"]
    # Unlike eddsa-jcs-2022 (§3.3.1 step 2), the rdfc proof carries no copy of the @context.
    assert "@context" not in secured["proof"]


def test_every_negative_case_of_the_vectors_is_covered() -> None:
    listed = {
        case["name"]
        for vector in VECTORS.values()
        for case in vector.get("negative_cases", [])
        if not case["expected_verified"]
    }
    assert listed == set(NEGATIVE_FAILS_ON)


@pytest.mark.parametrize(
    "case",
    [case for vector in VECTORS.values() for case in vector.get("negative_cases", [])],
    ids=lambda case: case["name"],
)
def test_vector_case_gives_the_expected_outcome(case: dict[str, Any]) -> None:
    result = verify_proof(case["document"], RESOLVER, now=NOW)
    assert result.verified is case["expected_verified"]
    if not case["expected_verified"]:
        assert result.failures[0].name == NEGATIVE_FAILS_ON[case["name"]]


# -- Tampering ---------------------------------------------------------------------------------


def test_changed_credential_subject_value_fails_the_signature() -> None:
    tampered = copy.deepcopy(ALUMNI["signed_credential"])
    tampered["credentialSubject"]["alumniOf"] = "The School of Counterfeits"
    result = verify_credential(tampered, RESOLVER, now=NOW)
    assert not result.verified
    assert [check.name for check in result.failures] == [CheckName.SIGNATURE]
    assert "changed after signing" in _failed(result, CheckName.SIGNATURE)


def test_changed_blank_node_claim_in_the_employment_vector_fails_the_signature() -> None:
    tampered = copy.deepcopy(VECTORS[VECTOR_NAMES[1]]["signed_credential"])
    tampered["credentialSubject"]["employmentAuthorizationDocument"]["lprCategory"] = "C10"
    result = verify_credential(tampered, RESOLVER, now=NOW)
    assert [check.name for check in result.failures] == [CheckName.SIGNATURE]


def test_changed_proof_created_time_fails_the_signature() -> None:
    tampered = copy.deepcopy(ALUMNI["signed_credential"])
    tampered["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert [c.name for c in verify_proof(tampered, RESOLVER, now=NOW).failures] == [
        CheckName.SIGNATURE
    ]


def test_jcs_proof_value_relabelled_as_rdfc_fails_the_signature() -> None:
    jcs = load("credentials/vc-di-eddsa-jcs-2022.json")["signed_credential"]
    relabelled = copy.deepcopy(jcs)
    relabelled["proof"]["cryptosuite"] = RDFC_CRYPTOSUITE
    result = verify_proof(relabelled, DidKeyResolver(), now=NOW)
    assert [check.name for check in result.failures] == [CheckName.SIGNATURE]


def test_undefined_property_is_refused_not_silently_left_unsigned() -> None:
    # Neither the v2 base context (no @vocab since the Recommendation) nor the Open Badges
    # context defines this term: JSON-LD would drop it, and the signature would still pass
    # over a credential that now shows an extra, unsigned claim.
    added = copy.deepcopy(BADGE["signed_credential"])
    added["credentialSubject"]["favouriteColour"] = "red"
    result = verify_credential(added, RESOLVER, now=NOW)
    assert not result.verified
    reason = _failed(result, CheckName.SIGNATURE)
    assert "favouriteColour" in reason and "not defined" in reason


def test_undefined_type_is_refused_not_silently_left_unsigned() -> None:
    added = copy.deepcopy(BADGE["signed_credential"])
    added["type"].append("GoldStarCredential")
    reason = _failed(verify_credential(added, RESOLVER, now=NOW), CheckName.SIGNATURE)
    assert "GoldStarCredential" in reason


def test_examples_context_vocab_keeps_any_added_term_signed() -> None:
    # The examples/v2 context maps every undefined term (@vocab), so the change is signed data
    # and breaks the signature instead of being dropped.
    added = copy.deepcopy(ALUMNI["signed_credential"])
    added["credentialSubject"]["nickname"] = "Ex"
    result = verify_credential(added, RESOLVER, now=NOW)
    assert "changed after signing" in _failed(result, CheckName.SIGNATURE)


@settings(max_examples=25, deadline=None)
@given(text=st.text(min_size=1, max_size=40))
def test_any_signed_school_name_verifies_and_any_other_fails(text: str) -> None:
    unsigned = copy.deepcopy(ALUMNI["unsigned_credential"])
    unsigned["credentialSubject"]["alumniOf"] = text
    secured = create_proof(
        unsigned,
        _key(ALUMNI),
        ALUMNI["key_pair"]["verificationMethod"],
        created=SIGNED_AT,
        cryptosuite=RDFC_CRYPTOSUITE,
    )
    assert verify_credential(secured, RESOLVER, now=NOW).verified
    secured["credentialSubject"]["alumniOf"] = text + "!"
    assert not verify_credential(secured, RESOLVER, now=NOW).verified


# -- Contexts: shipped, pinned, never fetched --------------------------------------------------


def test_unknown_context_url_fails_the_context_check_with_its_name(no_network: None) -> None:
    foreign = copy.deepcopy(ALUMNI["signed_credential"])
    foreign["@context"][1] = "https://contexts.example/alumni/v1"
    result = verify_credential(foreign, RESOLVER, now=NOW)
    reason = _failed(result, CheckName.CONTEXT)
    assert "https://contexts.example/alumni/v1" in reason and "not shipped" in reason
    assert "not checked" in _failed(result, CheckName.SIGNATURE)


def test_unknown_context_appended_after_the_signed_ones_is_refused_too(no_network: None) -> None:
    # An rdfc proof carries no @context, so every context of the document is signed material.
    appended = copy.deepcopy(ALUMNI["signed_credential"])
    appended["@context"].append("https://contexts.example/later/v1")
    assert "later/v1" in _failed(verify_proof(appended, RESOLVER, now=NOW), CheckName.CONTEXT)


def test_unknown_context_nested_in_a_scoped_context_is_refused_without_fetching(
    no_network: None,
) -> None:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"Nested": {"@id": "https://ex.org/Nested", "@context": "https://ctx.example/n/v1"}},
        ],
        "type": ["VerifiableCredential", "Nested"],
    }
    with pytest.raises(rdfc.UnknownContext) as raised:
        rdfc.canonicalize(document)
    assert raised.value.detail["url"] == "https://ctx.example/n/v1"
    assert "not shipped" in raised.value.message_en and "내장" in raised.value.message_ko


def test_every_shipped_context_is_pinned_and_the_base_context_has_the_w3c_digest() -> None:
    store = rdfc.shipped_contexts()
    # VC DM 2.0 §B.1 publishes this SHA-256 for https://www.w3.org/ns/credentials/v2.
    base = store.files["https://www.w3.org/ns/credentials/v2"]
    assert hashlib.sha256(base).hexdigest() == (
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    )
    for name, vector in VECTORS.items():
        for url, pin in vector.get("required_offline_contexts", {}).items():
            assert url in store, name
            # The Open Badges vector names the bytes of a repository version this project could
            # not retrieve; the shipped 3.0.3 file defines the same terms (the vector's N-Quads
            # and proofValue come out byte for byte above), so only its own pin is checked.
            if url != "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json":
                assert hashlib.sha256(store.files[url]).hexdigest() == pin["sha256_of_file_bytes"]
    shipped = {path.name for path in SHIPPED.iterdir() if path.name.endswith(".jsonld")}
    assert len(shipped) == len(store.files)


def _copy_shipped(tmp_path: Path) -> Path:
    copied = tmp_path / "contexts"
    copied.mkdir()
    for path in SHIPPED.iterdir():
        if path.name.endswith((".jsonld", ".json")):
            (copied / path.name).write_bytes(path.read_bytes())
    return copied


def test_an_unaltered_copy_of_the_contexts_canonicalizes_as_the_shipped_ones(
    tmp_path: Path,
) -> None:
    store = rdfc.ContextStore.load(_copy_shipped(tmp_path))
    document, _ = _unsecured(BADGE)
    assert rdfc.canonicalize(document, store) == BADGE["intermediate"]["canonical_document_nquads"]


def test_a_shipped_context_whose_bytes_were_altered_fails_the_pin(tmp_path: Path) -> None:
    copied = _copy_shipped(tmp_path)
    target = copied / "credentials-v2.jsonld"
    # One term quietly remapped: a context host (or a local attacker) changing what "name" means.
    target.write_bytes(target.read_bytes().replace(b"schema.org/name", b"schema.org/nome", 1))
    with pytest.raises(rdfc.ContextPinMismatch) as raised:
        rdfc.ContextStore.load(copied)
    message = raised.value.message_en
    assert "credentials-v2.jsonld" in message and "59955ced" in message
    assert raised.value.status == 500 and raised.value.detail["file"] == "credentials-v2.jsonld"


def test_verification_with_an_altered_install_raises_instead_of_judging_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = _copy_shipped(tmp_path)
    target = copied / "ob-v3p0-context-3.0.3.jsonld"
    target.write_bytes(target.read_bytes() + b" ")
    monkeypatch.setattr(rdfc, "shipped_contexts", lambda: rdfc.ContextStore.load(copied))
    with pytest.raises(rdfc.ContextPinMismatch):
        verify_credential(BADGE["signed_credential"], RESOLVER, now=NOW)


def test_a_missing_shipped_context_file_fails_the_pin(tmp_path: Path) -> None:
    copied = _copy_shipped(tmp_path)
    (copied / "citizenship-v4rc1.jsonld").unlink()
    with pytest.raises(rdfc.ContextPinMismatch, match=r"citizenship-v4rc1\.jsonld"):
        rdfc.ContextStore.load(copied)


# -- Other refusals ----------------------------------------------------------------------------


def test_poison_graph_of_indistinguishable_blank_nodes_is_refused_quickly() -> None:
    # RDFC-1.0 §4.8: eight blank nodes each linked to all the others look alike to every first
    # degree hash, so Hash N-Degree Quads would try 7! orderings from each; the budget is
    # 32 deep hashes per blank node (8 * 32 = 256).
    clique = {
        "@context": {"@vocab": "https://ex.org/"},
        "@graph": [
            {"@id": f"_:b{i}", "knows": [{"@id": f"_:b{j}"} for j in range(8) if j != i]}
            for i in range(8)
        ],
    }
    with pytest.raises(rdfc.JsonLdRefused, match="more than 256 deep hashes"):
        rdfc.canonicalize(clique)


def test_invalid_json_ld_is_refused_with_the_processor_reason() -> None:
    with pytest.raises(rdfc.JsonLdRefused, match="not valid JSON-LD"):
        rdfc.canonicalize({"@context": 5, "name": "x"})


def test_rdfc_signing_refuses_a_document_whose_context_is_not_shipped(no_network: None) -> None:
    unsigned = copy.deepcopy(ALUMNI["unsigned_credential"])
    unsigned["@context"][1] = "https://contexts.example/alumni/v1"
    with pytest.raises(ProofGenerationError, match=r"contexts\.example/alumni/v1"):
        create_proof(
            unsigned,
            _key(ALUMNI),
            ALUMNI["key_pair"]["verificationMethod"],
            cryptosuite=RDFC_CRYPTOSUITE,
        )


def test_signing_with_an_unknown_cryptosuite_is_refused() -> None:
    with pytest.raises(ProofGenerationError, match="ecdsa-rdfc-2019"):
        create_proof(
            ALUMNI["unsigned_credential"],
            _key(ALUMNI),
            ALUMNI["key_pair"]["verificationMethod"],
            cryptosuite="ecdsa-rdfc-2019",
        )


def test_the_jcs_path_never_loads_the_json_ld_processor() -> None:
    script = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from blockcity.credentials.dataintegrity import verify_credential\n"
        "from blockcity.crypto import DidKeyResolver\n"
        "from tests.vectors import load\n"
        "vector = load('credentials/vc-di-eddsa-jcs-2022.json')\n"
        "now = datetime(2026, 3, 1, tzinfo=UTC)\n"
        "result = verify_credential(vector['signed_credential'], DidKeyResolver(), now=now)\n"
        "assert result.verified\n"
        "print('pyld' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
