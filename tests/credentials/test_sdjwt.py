"""SD-JWT and SD-JWT VC: the RFC 9901 example, our own Ed25519 issue-present-verify round
trip, and the attacks a verifier must refuse (tampering, foreign keys, replay)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blockcity.credentials.sdjwt import (
    ClaimPath,
    DidIssuerKeys,
    JwsPublicKey,
    PinnedIssuerKeys,
    SdJwtInvalid,
    SdJwtVerification,
    issue_sd_jwt,
    present,
    verify_presentation,
)
from blockcity.crypto import (
    DidKeyResolver,
    SigningKey,
    b64url_decode,
    b64url_encode,
    did_key_from_public,
    verification_method_id,
)
from tests.vectors import load

RFC = load("credentials/sd-jwt-rfc9901.json")
RFC_ISSUER = "https://issuer.example.com"
RFC_NONCE = RFC["kb_jwt"]["expected_nonce"]
RFC_AUDIENCE = RFC["kb_jwt"]["expected_aud"]
RFC_NOW = datetime.fromtimestamp(RFC["kb_jwt"]["payload"]["iat"] + 30, UTC)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NONCE = "n-7f3a9c"
AUDIENCE = "https://verifier.seoul.example/jobs"
KB_AGE = timedelta(minutes=5)


def _public(jwk: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in jwk.items() if name != "d"}


def _p256_private(jwk: dict[str, str]) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(jwk["d"]), "big"), ec.SECP256R1())


RFC_KEYS = PinnedIssuerKeys({RFC_ISSUER: JwsPublicKey.from_jwk(_public(RFC["issuer_key_jwk"]))})
RFC_HOLDER = _p256_private(RFC["holder_key_jwk"])


def _verify_rfc(text: str, **overrides: Any) -> SdJwtVerification:
    options: dict[str, Any] = {
        "expected_nonce": RFC_NONCE,
        "expected_audience": RFC_AUDIENCE,
        "now": RFC_NOW,
        "max_kb_age": KB_AGE,
        "accepted_types": {"example+sd-jwt"},
    }
    options.update(overrides)
    return verify_presentation(text, RFC_KEYS, **options)


def _failed(result: SdJwtVerification) -> str:
    assert not result.ok
    assert result.payload is None
    return result.failures[0].name


def _sha256_b64url(text: str) -> str:
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


def _embedded_digests(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = list(value.get("_sd", []))
        if set(value) == {"..."}:
            found.append(value["..."])
        for name, item in value.items():
            if name != "_sd":
                found += _embedded_digests(item)
        return found
    if isinstance(value, list):
        return [d for item in value for d in _embedded_digests(item)]
    return []


# The RFC 9901 §5 example (ES256 issuer and holder).


def test_rfc9901_presentation_is_accepted_with_exactly_the_disclosed_claims() -> None:
    result = _verify_rfc(RFC["sd_jwt_kb_presentation"])

    assert result.ok, result.failures
    assert result.payload == RFC["expected_processed_payload_presentation"]
    assert [c.name for c in result.checks] == [
        "format",
        "typ",
        "issuer-signature",
        "sd-alg",
        "disclosures",
        "validity",
        "key-binding",
        "kb-signature",
        "nonce",
        "audience",
        "kb-freshness",
        "sd-hash",
    ]


def test_rfc9901_every_disclosure_digest_is_in_the_issuer_payload_once() -> None:
    embedded = _embedded_digests(RFC["issuer_jwt_payload"])
    for disclosure in RFC["disclosures"]:
        digest = _sha256_b64url(disclosure["encoded"])
        assert digest == disclosure["sha256_b64url"]
        assert embedded.count(digest) == 1
        assert json.loads(b64url_decode(disclosure["encoded"])) == disclosure["decoded"]


def test_rfc9901_issued_sd_jwt_presented_in_full_by_its_es256_holder_yields_all_claims() -> None:
    everything: list[ClaimPath] = [
        (name,) for name in RFC["expected_processed_payload_all_disclosed"]
    ]
    text = present(
        RFC["sd_jwt_issuance"],
        everything,
        RFC_HOLDER,
        nonce=RFC_NONCE,
        audience=RFC_AUDIENCE,
        iat=RFC_NOW,
    )
    result = _verify_rfc(text)

    assert result.ok, result.failures
    assert result.payload == RFC["expected_processed_payload_all_disclosed"]


def test_rfc9901_presentation_for_another_nonce_is_rejected() -> None:
    result = _verify_rfc(RFC["sd_jwt_kb_presentation"], expected_nonce="0987654321")
    assert _failed(result) == "nonce"


def test_rfc9901_presentation_replayed_to_another_verifier_is_rejected() -> None:
    result = _verify_rfc(
        RFC["sd_jwt_kb_presentation"], expected_audience="https://other.example.org"
    )
    assert _failed(result) == "audience"


def test_rfc9901_disclosure_not_in_the_payload_is_rejected() -> None:
    jwt, *disclosures, kb = RFC["sd_jwt_kb_presentation"].split("~")
    foreign = RFC["negative_cases"][0]["disclosure"]
    text = "~".join([jwt, *disclosures, foreign, kb])
    assert _failed(_verify_rfc(text)) == "disclosures"


def test_rfc9901_dropping_a_disclosure_but_keeping_the_kb_jwt_breaks_sd_hash() -> None:
    jwt, *disclosures, kb = RFC["sd_jwt_kb_presentation"].split("~")
    text = "~".join([jwt, *disclosures[1:], kb])
    assert _failed(_verify_rfc(text)) == "sd-hash"


def test_rfc9901_stale_key_binding_is_rejected() -> None:
    result = _verify_rfc(RFC["sd_jwt_kb_presentation"], now=RFC_NOW + timedelta(hours=1))
    assert _failed(result) == "kb-freshness"


def test_rfc9901_credential_after_exp_is_rejected() -> None:
    after = datetime.fromtimestamp(RFC["issuer_jwt_payload"]["exp"] + 3600, UTC)
    result = _verify_rfc(RFC["sd_jwt_kb_presentation"], now=after)
    assert _failed(result) == "validity"


def test_rfc9901_example_typ_is_not_an_sd_jwt_vc() -> None:
    result = verify_presentation(
        RFC["sd_jwt_kb_presentation"],
        RFC_KEYS,
        expected_nonce=RFC_NONCE,
        expected_audience=RFC_AUDIENCE,
        now=RFC_NOW,
        max_kb_age=KB_AGE,
    )
    assert _failed(result) == "typ"


def test_rfc9901_issuer_not_on_the_trust_list_is_rejected() -> None:
    stranger = JwsPublicKey.from_jwk(_public(RFC["holder_key_jwk"]))
    result = verify_presentation(
        RFC["sd_jwt_kb_presentation"],
        PinnedIssuerKeys({RFC_ISSUER: stranger}),
        expected_nonce=RFC_NONCE,
        expected_audience=RFC_AUDIENCE,
        now=RFC_NOW,
        max_kb_age=KB_AGE,
        accepted_types={"example+sd-jwt"},
    )
    assert _failed(result) == "issuer-signature"


# Our own SD-JWT VC: Ed25519 issuer on did:key, Ed25519 holder.

CITY = SigningKey.from_seed(bytes(range(32)))
CITY_DID = did_key_from_public(CITY.public)
CITY_KID = verification_method_id(CITY_DID)
HOLDER = SigningKey.from_seed(bytes(range(32, 64)))
HOLDER_JWK = JwsPublicKey.of(HOLDER).jwk()
ISSUERS = DidIssuerKeys(DidKeyResolver())

CLAIMS: dict[str, Any] = {
    "vct": "https://seoul.example/credentials/employment",
    "iss": CITY_DID,
    "iat": int(NOW.timestamp()) - 86400,
    "exp": int(NOW.timestamp()) + 365 * 86400,
    "given_name": "지민",
    "family_name": "김",
    "employer": "Mapo Bakery",
    "wage": 2_156_880,
    "period": {"start": "2025-03-01", "end": "2026-02-28"},
    "skills": ["baking", "forklift"],
}
DISCLOSABLE: list[ClaimPath] = [
    ("given_name",),
    ("family_name",),
    ("employer",),
    ("wage",),
    ("period",),
    ("period", "start"),
    ("period", "end"),
    ("skills", 0),
    ("skills", 1),
]


def _counter_salts() -> Any:
    counter = iter(range(1_000_000))
    return lambda size: next(counter).to_bytes(size, "big")


def _issue(**overrides: Any) -> str:
    options: dict[str, Any] = {"salt_source": _counter_salts()}
    options.update(overrides)
    return issue_sd_jwt(CLAIMS, DISCLOSABLE, CITY, CITY_KID, HOLDER_JWK, **options)


ISSUED = _issue()


def _present(disclose: list[ClaimPath], **overrides: Any) -> str:
    options: dict[str, Any] = {"nonce": NONCE, "audience": AUDIENCE, "iat": NOW}
    options.update(overrides)
    sd_jwt = options.pop("sd_jwt", ISSUED)
    holder = options.pop("holder", HOLDER)
    return present(sd_jwt, disclose, holder, **options)


def _verify(text: str, **overrides: Any) -> SdJwtVerification:
    options: dict[str, Any] = {
        "expected_nonce": NONCE,
        "expected_audience": AUDIENCE,
        "now": NOW,
        "max_kb_age": KB_AGE,
    }
    options.update(overrides)
    return verify_presentation(text, ISSUERS, **options)


def _header_and_payload(jwt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = jwt.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def _jwt(key: SigningKey, header: dict[str, Any], payload: dict[str, Any]) -> str:
    signing_input = ".".join(
        b64url_encode(json.dumps(part).encode()) for part in ({"alg": "EdDSA", **header}, payload)
    )
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"


def _disclosure(*content: Any) -> str:
    return b64url_encode(json.dumps(list(content)).encode())


def _sd(*disclosures: str) -> list[str]:
    return [_sha256_b64url(d) for d in disclosures]


def _crafted(payload: dict[str, Any], disclosures: list[str]) -> str:
    """An SD-JWT a (malicious or buggy) issuer really signed: only the structure is wrong."""
    full = {"vct": CLAIMS["vct"], "iss": CITY_DID, "_sd_alg": "sha-256", **payload}
    full["cnf"] = {"jwk": HOLDER_JWK}
    jwt = _jwt(CITY, {"typ": "dc+sd-jwt", "kid": CITY_KID}, full)
    return "~".join([jwt, *disclosures, ""])


def test_round_trip_discloses_employer_and_period_but_hides_the_wage() -> None:
    result = _verify(_present([("employer",), ("period",)]))

    assert result.ok, result.failures
    assert result.payload == {
        "vct": CLAIMS["vct"],
        "iss": CITY_DID,
        "iat": CLAIMS["iat"],
        "exp": CLAIMS["exp"],
        "employer": "Mapo Bakery",
        "period": {"start": "2025-03-01", "end": "2026-02-28"},
        "skills": [],
        "cnf": {"jwk": HOLDER_JWK},
    }


def test_issuer_payload_shows_no_hidden_value_and_sorted_digests() -> None:
    _, payload = _header_and_payload(ISSUED.split("~")[0])
    text = json.dumps(payload, ensure_ascii=False)

    for hidden in ("지민", "Mapo", "2156880", "2025-03-01", "baking"):
        assert hidden not in text
    assert payload["_sd"] == sorted(payload["_sd"])
    assert payload["_sd_alg"] == "sha-256"
    assert set(payload) == {"vct", "iss", "iat", "exp", "_sd", "_sd_alg", "cnf", "skills"}


def test_issuance_header_is_eddsa_dc_sd_jwt_with_the_did_key_id() -> None:
    header, _ = _header_and_payload(ISSUED.split("~")[0])
    assert header == {"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": CITY_KID}
    assert ISSUED.endswith("~") and ISSUED.count("~") == len(DISCLOSABLE) + 1


def test_issuance_with_the_same_salts_is_byte_for_byte_reproducible() -> None:
    assert _issue() == ISSUED


def test_disclosing_a_nested_claim_also_sends_its_parent_but_not_its_siblings() -> None:
    result = _verify(_present([("period", "start"), ("skills", 1)]))

    assert result.ok, result.failures
    assert result.payload is not None
    assert result.payload["period"] == {"start": "2025-03-01"}
    assert result.payload["skills"] == ["forklift"]
    assert "wage" not in result.payload and "given_name" not in result.payload


def test_decoy_digests_pad_each_sd_array_and_still_verify() -> None:
    issued = _issue(decoy_digests=3)
    _, payload = _header_and_payload(issued.split("~")[0])
    assert len(payload["_sd"]) == 5 + 3

    result = _verify(_present([("wage",)], sd_jwt=issued))
    assert result.ok, result.failures
    assert result.payload is not None and result.payload["wage"] == 2_156_880


def test_legacy_vc_sd_jwt_typ_is_accepted() -> None:
    result = _verify(_present([("employer",)], sd_jwt=_issue(typ="vc+sd-jwt")))
    assert result.ok, result.failures


def test_presenting_nothing_still_verifies_the_always_visible_claims() -> None:
    result = _verify(_present([]))
    assert result.ok, result.failures
    assert result.payload is not None and "employer" not in result.payload


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from([*DISCLOSABLE, ("skills",)])))
def test_any_choice_of_claims_verifies_and_reveals_exactly_that_choice(
    chosen: set[ClaimPath],
) -> None:
    result = _verify(_present(sorted(chosen, key=repr)))
    assert result.ok, result.failures

    def wanted(path: ClaimPath) -> bool:
        return any(path[: len(c)] == c or c[: len(path)] == path for c in chosen)

    expected: dict[str, Any] = {k: CLAIMS[k] for k in ("vct", "iss", "iat", "exp")}
    expected["cnf"] = {"jwk": HOLDER_JWK}
    for name in ("given_name", "family_name", "employer", "wage"):
        if wanted((name,)):
            expected[name] = CLAIMS[name]
    if wanted(("period",)):
        expected["period"] = {
            part: value
            for part, value in CLAIMS["period"].items()
            if ("period",) in chosen or ("period", part) in chosen
        }
    expected["skills"] = [s for i, s in enumerate(CLAIMS["skills"]) if wanted(("skills", i))]
    assert result.payload == expected


# Attacks on our own credentials.


def test_presentation_replayed_to_another_audience_is_rejected() -> None:
    text = _present([("employer",)])
    assert _failed(_verify(text, expected_audience="https://evil.example")) == "audience"


def test_presentation_replayed_for_another_nonce_is_rejected() -> None:
    text = _present([("employer",)])
    assert _failed(_verify(text, expected_nonce="n-other")) == "nonce"


def test_altered_disclosure_is_rejected() -> None:
    jwt, wage, kb = _present([("wage",)]).split("~")
    salt, name, _ = json.loads(b64url_decode(wage))
    forged = _disclosure(salt, name, 9_999_999)
    assert _failed(_verify(f"{jwt}~{forged}~{kb}")) == "disclosures"


def test_disclosure_taken_from_another_credential_is_rejected() -> None:
    other = _issue(salt_source=lambda size: b"\xff" * size)
    foreign = other.split("~")[1]
    jwt = ISSUED.split("~")[0]
    # The holder even signs over the foreign disclosure: the digest check still refuses it.
    text = present(f"{jwt}~", [], HOLDER, nonce=NONCE, audience=AUDIENCE, iat=NOW)
    kb = text.rsplit("~", 1)[1]
    assert _failed(_verify(f"{jwt}~{foreign}~{kb}")) == "disclosures"


def test_tampered_issuer_payload_fails_the_issuer_signature() -> None:
    jwt, *rest = _present([("employer",)]).split("~")
    header, payload, signature = jwt.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["exp"] += 10 * 365 * 86400
    forged = ".".join([header, b64url_encode(json.dumps(claims).encode()), signature])
    assert _failed(_verify("~".join([forged, *rest]))) == "issuer-signature"


def test_credential_signed_by_another_key_in_the_citys_name_is_rejected() -> None:
    mallory = SigningKey.generate()
    forged = issue_sd_jwt(CLAIMS, DISCLOSABLE, mallory, CITY_KID, HOLDER_JWK)
    assert _failed(_verify(_present([("wage",)], sd_jwt=forged))) == "issuer-signature"


def test_key_id_of_another_did_than_the_issuer_is_rejected() -> None:
    mallory = SigningKey.generate()
    mallory_kid = verification_method_id(did_key_from_public(mallory.public))
    forged = issue_sd_jwt(CLAIMS, DISCLOSABLE, mallory, mallory_kid, HOLDER_JWK)
    result = _verify(_present([("wage",)], sd_jwt=forged))
    assert _failed(result) == "issuer-signature"
    assert "does not belong to the issuer" in result.failures[0].reason_en


def test_alg_none_is_rejected() -> None:
    jwt, *rest = _present([("employer",)]).split("~")
    _, payload, _ = jwt.split(".")
    header = {"alg": "none", "typ": "dc+sd-jwt", "kid": CITY_KID}
    unsigned = f"{b64url_encode(json.dumps(header).encode())}.{payload}."
    result = _verify("~".join([unsigned, *rest]))
    assert _failed(result) == "issuer-signature"
    assert "'none'" in result.failures[0].reason_en


def test_stolen_credential_presented_with_the_thiefs_key_is_rejected() -> None:
    honest = _present([("employer",)])
    sd_jwt = honest[: honest.rfind("~") + 1]
    thief = SigningKey.generate()
    kb = honest[honest.rfind("~") + 1 :]
    header, payload, _ = kb.split(".")
    forged_kb = f"{header}.{payload}.{b64url_encode(thief.sign(f'{header}.{payload}'.encode()))}"
    assert _failed(_verify(sd_jwt + forged_kb)) == "kb-signature"


def test_presentation_without_key_binding_is_rejected() -> None:
    honest = _present([("employer",)])
    assert _failed(_verify(honest[: honest.rfind("~") + 1])) == "key-binding"


def test_kb_jwt_with_another_typ_is_rejected() -> None:
    honest = _present([("employer",)])
    sd_jwt = honest[: honest.rfind("~") + 1]
    _, payload, _ = honest[len(sd_jwt) :].split(".")
    kb = _jwt(HOLDER, {"typ": "JWT"}, json.loads(b64url_decode(payload)))
    assert _failed(_verify(sd_jwt + kb)) == "key-binding"


def test_duplicate_disclosure_is_rejected() -> None:
    jwt, employer, _ = _present([("employer",)]).split("~")
    result = _verify(f"{jwt}~{employer}~{employer}~")
    assert _failed(result) == "format"


def test_expired_credential_is_rejected() -> None:
    text = _present([("employer",)], iat=NOW + timedelta(days=400))
    result = _verify(text, now=NOW + timedelta(days=400))
    assert _failed(result) == "validity"


# RFC 9901 §7.1 structure rules, on SD-JWTs the issuer really signed.


def test_disclosed_claim_colliding_with_a_plain_claim_is_rejected() -> None:
    employer = _disclosure("salt-1", "employer", "Mallory Corp")
    text = _crafted({"employer": "Mapo Bakery", "_sd": _sd(employer)}, [employer])
    assert _failed(_verify(text)) == "disclosures"


def test_two_disclosures_of_the_same_claim_name_are_rejected() -> None:
    first = _disclosure("salt-1", "employer", "Mapo Bakery")
    second = _disclosure("salt-2", "employer", "Mallory Corp")
    text = _crafted({"_sd": _sd(first, second)}, [first, second])
    assert _failed(_verify(text)) == "disclosures"


def test_disclosure_named_sd_is_rejected() -> None:
    bad = _disclosure("salt-1", "_sd", ["x"])
    text = _crafted({"_sd": _sd(bad)}, [bad])
    assert _failed(_verify(text)) == "disclosures"


def test_ellipsis_in_an_object_is_rejected() -> None:
    text = _crafted({"period": {"...": "abc", "start": "2025-03-01"}}, [])
    assert _failed(_verify(text)) == "disclosures"


def test_digest_appearing_twice_is_rejected() -> None:
    employer = _disclosure("salt-1", "employer", "Mapo Bakery")
    text = _crafted({"_sd": _sd(employer), "team": {"_sd": _sd(employer)}}, [employer])
    assert _failed(_verify(text)) == "disclosures"


def test_array_element_disclosure_referenced_from_sd_is_rejected() -> None:
    element = _disclosure("salt-1", "baking")
    text = _crafted({"_sd": _sd(element)}, [element])
    assert _failed(_verify(text)) == "disclosures"


def test_claim_disclosure_used_as_an_array_element_is_rejected() -> None:
    claim = _disclosure("salt-1", "skill", "baking")
    text = _crafted({"skills": [{"...": _sd(claim)[0]}]}, [claim])
    assert _failed(_verify(text)) == "disclosures"


def test_sd_that_is_not_a_list_of_strings_is_rejected() -> None:
    assert _failed(_verify(_crafted({"_sd": "abc"}, []))) == "disclosures"


def test_recursive_disclosure_inside_a_disclosure_is_processed() -> None:
    start = _disclosure("salt-1", "start", "2025-03-01")
    period = _disclosure("salt-2", "period", {"_sd": _sd(start), "end": "2026-02-28"})
    issued = _crafted({"_sd": _sd(period)}, [period, start])
    result = _verify(_present([("period", "start")], sd_jwt=issued))
    assert result.ok, result.failures
    assert result.payload is not None
    assert result.payload["period"] == {"start": "2025-03-01", "end": "2026-02-28"}


def test_sd_jwt_vc_without_vct_is_rejected() -> None:
    issued = _crafted({}, [])
    jwt = issued.split("~")[0]
    header, payload = _header_and_payload(jwt)
    del payload["vct"]
    text = _present(
        [], sd_jwt=_jwt(CITY, {k: v for k, v in header.items() if k != "alg"}, payload) + "~"
    )
    assert _failed(_verify(text)) == "vct"


# Bad input: a clear failed check, never an exception.


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not an sd-jwt",
        "a.b.c",
        "eyJhbGciOiJFZERTQSJ9~",
        "%%%.%%%.%%%~",
        ISSUED[: len(ISSUED) // 2],
        "~" * 5,
        "x" * 2_000_000,
    ],
)
def test_malformed_input_fails_the_format_check(text: str) -> None:
    result = _verify(text)
    assert _failed(result) in {"format"}
    assert result.failures[0].reason_en and result.failures[0].reason_ko


def test_non_text_input_fails_the_format_check() -> None:
    assert _failed(_verify(b"bytes")) == "format"  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_single_character_change_breaks_verification(data: st.DataObject) -> None:
    text = PRESENTED
    index = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from("AQgw-_~.x"))
    if text[index] == replacement:
        return
    mutated = text[:index] + replacement + text[index + 1 :]
    assert not _verify(mutated).ok


PRESENTED = _present([("employer",), ("period", "end")])


# Refusals at issuance and presentation.


@pytest.mark.parametrize("path", [("vct",), ("iss",), ("exp",)])
def test_claims_sd_jwt_vc_keeps_visible_cannot_be_made_disclosable(path: ClaimPath) -> None:
    with pytest.raises(SdJwtInvalid):
        issue_sd_jwt(CLAIMS, [path], CITY, CITY_KID, HOLDER_JWK)


@pytest.mark.parametrize("path", [("salary",), ("period", "middle"), ("skills", 2), ()])
def test_disclosable_path_must_name_an_existing_claim(path: ClaimPath) -> None:
    with pytest.raises(SdJwtInvalid):
        issue_sd_jwt(CLAIMS, [path], CITY, CITY_KID, HOLDER_JWK)


def test_sd_jwt_vc_needs_vct() -> None:
    claims = {k: v for k, v in CLAIMS.items() if k != "vct"}
    with pytest.raises(SdJwtInvalid):
        issue_sd_jwt(claims, [], CITY, CITY_KID, HOLDER_JWK)


def test_reserved_claim_names_are_refused_at_issuance() -> None:
    with pytest.raises(SdJwtInvalid):
        issue_sd_jwt({**CLAIMS, "period": {"...": 1}}, [], CITY, CITY_KID, HOLDER_JWK)


def test_private_holder_jwk_is_refused() -> None:
    with pytest.raises(SdJwtInvalid, match="private"):
        issue_sd_jwt(CLAIMS, [], CITY, CITY_KID, RFC["holder_key_jwk"])


def test_only_the_bound_holder_can_present() -> None:
    with pytest.raises(SdJwtInvalid, match="cnf"):
        _present([("employer",)], holder=SigningKey.generate())


def test_presenting_an_unknown_claim_is_refused() -> None:
    with pytest.raises(SdJwtInvalid, match="names no claim"):
        _present([("salary",)])


def test_a_presentation_cannot_be_presented_again() -> None:
    with pytest.raises(SdJwtInvalid, match="already a presentation"):
        _present([], sd_jwt=PRESENTED)


def test_disclosing_an_empty_path_is_refused() -> None:
    with pytest.raises(SdJwtInvalid, match="non-empty"):
        _present([()])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("eyJ~.-_AQxz0\u00e9\ud800 ")))
def test_arbitrary_text_never_raises_and_never_verifies(text: str) -> None:
    result = _verify(text)
    assert not result.ok and result.failures


@pytest.mark.parametrize(
    "claims",
    [
        {"sd_hash": "\u00e9", "nonce": NONCE},
        {"nonce": "\ud800"},
        {"nonce": NONCE, "aud": [AUDIENCE]},
        {"nonce": NONCE, "aud": AUDIENCE, "iat": "yesterday"},
    ],
)
def test_odd_key_binding_claims_fail_a_check_without_raising(claims: dict[str, Any]) -> None:
    sd_jwt = PRESENTED[: PRESENTED.rfind("~") + 1]
    payload = {"nonce": NONCE, "aud": AUDIENCE, "iat": int(NOW.timestamp())}
    payload["sd_hash"] = _sha256_b64url(sd_jwt)
    payload.update(claims)
    result = _verify(sd_jwt + _jwt(HOLDER, {"typ": "kb+jwt"}, payload))
    assert _failed(result) in {"nonce", "audience", "kb-freshness", "sd-hash"}


def test_a_verifier_without_a_nonce_gets_no_pass() -> None:
    text = _present([("employer",)], nonce="")
    assert _failed(_verify(text, expected_nonce="")) == "nonce"


@pytest.mark.parametrize(
    "jwk",
    [
        {
            "kty": "EC",
            "crv": "P-256",
            "x": RFC["holder_key_jwk"]["x"],
            "y": RFC["issuer_key_jwk"]["y"],
        },
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "OKP", "crv": "X25519", "x": HOLDER_JWK["x"]},
        "not a jwk",
    ],
)
def test_unusable_holder_jwks_are_refused_with_a_reason(jwk: Any) -> None:
    with pytest.raises(SdJwtInvalid) as raised:
        issue_sd_jwt(CLAIMS, [], CITY, CITY_KID, jwk)
    assert raised.value.message_ko != ""
