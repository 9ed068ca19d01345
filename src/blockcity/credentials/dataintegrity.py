"""Data Integrity proofs with the eddsa-jcs-2022 cryptosuite: sign and verify JSON documents,
W3C verifiable credentials and verifiable presentations offline; eddsa-rdfc-2022 proofs too, for
JSON-LD interoperability, hashed by ``rdfc`` against pinned contexts shipped in the package.

Specs: W3C Data Integrity EdDSA Cryptosuites v1.0 (vc-di-eddsa) §3.3 for the eddsa-jcs-2022
algorithms and §3.2 for eddsa-rdfc-2022; W3C Verifiable Credential Data Integrity 1.0
(vc-data-integrity) §2.1 for the proof properties and §4.3 for the checks every verifier makes;
W3C Verifiable Credentials Data Model 2.0 (VC DM 2.0) §4 for the shape of credentials and
presentations.

Verification never raises for bad input: it returns every check it made, each with a reason a
person can act on, in English and Korean.
"""

from __future__ import annotations

import enum
import json
import re
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any, NoReturn

from blockcity.checks import Check, all_passed
from blockcity.crypto import (
    MAX_SAFE_INTEGER,
    DidKeyResolver,
    KeyResolver,
    SigningKey,
    VerifyKey,
    b58btc_decode,
    b58btc_encode,
    canonical_json,
    canonical_object,
)
from blockcity.crypto.keys import SIGNATURE_SIZE
from blockcity.errors import BlockcityError, InvalidInput, VerificationFailed

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
# vc-di-eddsa §3.2: the same Ed25519 proof over RDFC-1.0 canonical N-Quads instead of RFC 8785
# JSON. Its hashing lives in ``rdfc``, imported only when such a proof is met, so that the
# eddsa-jcs-2022 path never loads a JSON-LD processor.
RDFC_CRYPTOSUITE = "eddsa-rdfc-2022"
CRYPTOSUITES = (CRYPTOSUITE, RDFC_CRYPTOSUITE)

# Verification relationships (Controlled Identifiers v1.0 §2.3): a credential's issuer asserts
# with ``assertionMethod``; a holder proves control in a presentation with ``authentication``.
ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
VERIFIABLE_PRESENTATION = "VerifiablePresentation"

# How far a proof's ``created`` may lie ahead of the verifier's clock before it counts as "in the
# future": the same tolerance the ledger gives entry times (EntryValidator.max_skew).
CLOCK_SKEW = timedelta(minutes=10)

# Multibase (draft-multiformats-multibase) prefixes people paste by mistake, so the refusal can
# name what was found instead of only what was expected.
_MULTIBASE_NAMES = {
    "u": "base64url",
    "U": "padded base64url",
    "m": "base64",
    "M": "padded base64",
    "f": "base16 (hex)",
    "F": "base16 (upper-case hex)",
    "b": "base32",
}

# A 64-byte value needs at most 88 base58 digits (64 * log 256 / log 58 < 88); longer text can
# never be an Ed25519 signature, and base58 decoding is quadratic, so it is refused unread.
_MAX_SIGNATURE_DIGITS = 88

# XML Schema 1.1 Part 2 §3.4.28 dateTimeStamp, which Data Integrity §2.1 requires for
# ``created`` and ``expires``: a dateTime whose time zone is mandatory.
_DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
)

_shown = reprlib.Repr()
_shown.maxstring = 80
_shown.maxother = 80


class ProofGenerationError(InvalidInput):
    """A proof could not be made from the given document and options (PROOF_GENERATION_ERROR)."""

    code = "proof-generation-error"
    title_ko = "증명을 만들 수 없습니다"
    title_en = "Proof could not be created"


class ProofVerificationFailed(VerificationFailed):
    """A secured document failed one or more Data Integrity checks."""

    code = "proof-verification-failed"
    title_ko = "증명 검증에 실패했습니다"
    title_en = "Proof verification failed"


class CheckName(enum.StrEnum):
    """Stable names of the checks a verification reports, for code and for display."""

    JSON = "json"
    DOCUMENT = "document"
    CREDENTIAL = "credential"
    PRESENTATION = "presentation"
    HOLDER = "holder"
    PROOF_TYPE = "proof-type"
    CRYPTOSUITE = "cryptosuite"
    PROOF_VALUE = "proof-value"
    CONTEXT = "context"
    VERIFICATION_METHOD = "verification-method"
    SIGNATURE = "signature"
    PROOF_PURPOSE = "proof-purpose"
    CHALLENGE = "challenge"
    DOMAIN = "domain"
    CREATED = "created"
    EXPIRES = "expires"


def _raise_failures(failures: list[tuple[str, Check]]) -> NoReturn:
    if not failures:
        raise ProofVerificationFailed("no checks were made", "아무 검사도 하지 않았습니다")
    raise ProofVerificationFailed(
        "; ".join(f"{where}{check.name}: {check.reason_en}" for where, check in failures),
        "; ".join(f"{where}{check.name}: {check.reason_ko}" for where, check in failures),
        checks=[str(check.name) for _, check in failures],
    )


@dataclass(frozen=True, slots=True)
class DataIntegrityResult:
    """Every check made on one secured document, in order, and what the proof claimed."""

    checks: tuple[Check, ...]
    verification_method: str | None = None
    created: datetime | None = None

    @property
    def verified(self) -> bool:
        return all_passed(self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def check(self, name: CheckName) -> Check | None:
        """The check called ``name``, or None if it was not made."""
        return next((check for check in self.checks if check.name == name), None)

    def raise_for_failure(self) -> None:
        """Raise ProofVerificationFailed naming every failed check, unless all passed."""
        if not self.verified:
            _raise_failures([("", check) for check in self.failures])


@dataclass(frozen=True, slots=True)
class PresentationResult:
    """The checks on a presentation itself, on its proof, and on each credential it carries."""

    checks: tuple[Check, ...]
    proof: DataIntegrityResult
    credentials: tuple[DataIntegrityResult, ...]

    @property
    def verified(self) -> bool:
        return (
            all_passed(self.checks)
            and self.proof.verified
            and all(credential.verified for credential in self.credentials)
        )

    def failures(self) -> list[tuple[str, Check]]:
        """Each failed check with where it was made: "", "proof" or "credential N"."""
        found = [("", check) for check in self.checks if not check.ok]
        found += [("proof", check) for check in self.proof.failures]
        for index, credential in enumerate(self.credentials):
            found += [(f"credential {index}", check) for check in credential.failures]
        return found

    def raise_for_failure(self) -> None:
        if not self.verified:
            _raise_failures([(f"{where} " if where else "", c) for where, c in self.failures()])


# -- Creating proofs ------------------------------------------------------------------------


def proof_hash_data(unsecured_document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    """The 64 bytes an eddsa-jcs-2022 signature covers (vc-di-eddsa §3.3.4 Hashing).

    SHA-256 of the RFC 8785 form of the proof configuration, followed by SHA-256 of the RFC
    8785 form of the document without its proof. Raises InvalidInput if either holds something
    JSON cannot carry exactly (an unsafe integer, a lone surrogate).
    """
    return (
        sha256(canonical_json(proof_config)).digest()
        + sha256(canonical_json(unsecured_document)).digest()
    )


def create_proof(
    document: dict[str, Any],
    key: SigningKey,
    verification_method: str,
    proof_purpose: str = ASSERTION_METHOD,
    created: datetime | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    *,
    cryptosuite: str = CRYPTOSUITE,
) -> dict[str, Any]:
    """A copy of ``document`` secured with an eddsa-jcs-2022 proof (vc-di-eddsa §3.3.1).

    ``created`` defaults to now and is written to the second, in UTC. When the document has an
    ``@context`` the proof carries a copy (§3.3.1 step 2), so the context is signed twice over
    and a verifier can tell if a context was later put in front of it. The input is not changed.

    With ``cryptosuite=RDFC_CRYPTOSUITE`` the proof is eddsa-rdfc-2022 instead (§3.2.1): the
    document must be JSON-LD whose contexts are all shipped, and the proof carries no @context.
    """
    options = _proof_options(
        document, key, verification_method, proof_purpose, created, challenge, domain, cryptosuite
    )
    if cryptosuite == RDFC_CRYPTOSUITE:
        from blockcity.credentials import rdfc  # see RDFC_CRYPTOSUITE: only when asked for

        try:
            data = rdfc.proof_hash_data(document, options)
        except VerificationFailed as exc:
            raise ProofGenerationError(exc.message_en, exc.message_ko) from exc
        signature = key.sign(data)
        return {**document, "proof": {**options, "proofValue": "z" + b58btc_encode(signature)}}
    members = {name: canonical_json(value) for name, value in document.items()}
    return _sign_jcs(document, members, options, key)[0]


def create_proof_canonical(
    document: dict[str, Any],
    key: SigningKey,
    verification_method: str,
    *,
    created: datetime | None = None,
) -> tuple[dict[str, Any], bytes]:
    """``create_proof`` (eddsa-jcs-2022, assertionMethod) and the RFC 8785 form of the
    secured document, made from the members already serialized for signing: an issuer that
    anchors the credential's digest does not serialize it twice."""
    options = _proof_options(
        document, key, verification_method, ASSERTION_METHOD, created, None, None, CRYPTOSUITE
    )
    members = {name: canonical_json(value) for name, value in document.items()}
    secured, secured_members = _sign_jcs(document, members, options, key)
    return secured, canonical_object(secured_members)


def _sign_jcs(
    document: dict[str, Any],
    members: dict[str, bytes],
    options: dict[str, Any],
    key: SigningKey,
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Sign ``document`` (its members in RFC 8785 form) with eddsa-jcs-2022 (§3.3.1, §3.3.4);
    return it secured and its members with the proof's."""
    if "@context" in document:
        context = document["@context"]
        options["@context"] = list(context) if isinstance(context, list) else context
    data = sha256(canonical_json(options)).digest() + sha256(canonical_object(members)).digest()
    proof = {**options, "proofValue": "z" + b58btc_encode(key.sign(data))}
    return {**document, "proof": proof}, {**members, "proof": canonical_json(proof)}


def _proof_options(
    document: dict[str, Any],
    key: SigningKey,
    verification_method: str,
    proof_purpose: str,
    created: datetime | None,
    challenge: str | None,
    domain: str | None,
    cryptosuite: str,
) -> dict[str, Any]:
    """The proof configuration (Data Integrity §2.1), after checking what the caller gave."""
    if cryptosuite not in CRYPTOSUITES:
        raise ProofGenerationError(
            f"cryptosuite {_shown.repr(cryptosuite)} cannot be issued; use one of "
            f"{', '.join(CRYPTOSUITES)}",
            f"cryptosuite {_shown.repr(cryptosuite)}로는 발급할 수 없습니다; "
            f"{', '.join(CRYPTOSUITES)} 중 하나를 쓰세요",
        )
    if not isinstance(document, dict):
        raise ProofGenerationError(
            f"only a JSON object can carry a proof, not {type(document).__name__}",
            f"JSON 객체에만 증명을 붙일 수 있습니다 ({type(document).__name__} 형식은 안 됩니다)",
        )
    if "proof" in document:
        # Proof sets and chains (Data Integrity §2.1.1, §2.1.2) are not issued here.
        raise ProofGenerationError(
            "the document already carries a proof; sign the unsecured document",
            "문서에 이미 증명이 있습니다; 증명이 없는 문서에 서명하세요",
        )
    for name, value in (("verification_method", verification_method), ("purpose", proof_purpose)):
        if not isinstance(value, str) or not value:
            raise ProofGenerationError(
                f"the proof's {name} must be non-empty text",
                f"증명의 {name} 값은 비어 있지 않은 문자열이어야 합니다",
            )
    # A did:key names its own key: catch a mismatch now rather than issue proofs that no
    # verifier will ever accept.
    if (
        verification_method.startswith("did:key:")
        and DidKeyResolver().resolve(verification_method) != key.public
    ):
        raise ProofGenerationError(
            f"{verification_method} names another key than the one signing",
            f"{verification_method}는 서명하는 키와 다른 키를 가리킵니다",
        )
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": _format_time(datetime.now(UTC) if created is None else created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    for name, text in (("challenge", challenge), ("domain", domain)):
        if text is not None:
            if not isinstance(text, str) or not text:
                raise ProofGenerationError(
                    f"the proof's {name} must be non-empty text",
                    f"증명의 {name} 값은 비어 있지 않은 문자열이어야 합니다",
                )
            options[name] = text
    return options


def create_presentation(
    credentials: Sequence[dict[str, Any]],
    holder_key: SigningKey,
    holder_vm: str,
    challenge: str,
    domain: str,
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """A verifiable presentation of ``credentials``, signed by the holder for one verifier.

    The proof has purpose ``authentication`` and binds the verifier's ``challenge`` (a fresh
    nonce) and ``domain`` (who it is for), so it cannot be replayed elsewhere (Data Integrity
    §2.1; VC DM 2.0 §4.13). The holder is the DID of ``holder_vm``.
    """
    for name, text in (("challenge", challenge), ("domain", domain)):
        if not isinstance(text, str) or not text:
            raise ProofGenerationError(
                f"a presentation needs the verifier's {name}: non-empty text",
                f"프레젠테이션에는 검증자가 준 {name} 값(비어 있지 않은 문자열)이 필요합니다",
            )
    for index, credential in enumerate(credentials):
        if not isinstance(credential, dict) or "proof" not in credential:
            raise ProofGenerationError(
                f"credential {index} is not a secured credential (a JSON object with a proof)",
                f"{index}번째 자격증명은 증명이 있는 JSON 객체가 아닙니다",
            )
    presentation = {
        "@context": [VC_V2_CONTEXT],
        "type": [VERIFIABLE_PRESENTATION],
        "holder": holder_vm.partition("#")[0],
        "verifiableCredential": list(credentials),
    }
    return create_proof(
        presentation,
        holder_key,
        holder_vm,
        proof_purpose=AUTHENTICATION,
        created=created,
        challenge=challenge,
        domain=domain,
    )


def _format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ProofGenerationError(
            "a proof's creation time must carry a time zone",
            "증명 생성 시각에는 시간대가 있어야 합니다",
        )
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


# -- Reading JSON ---------------------------------------------------------------------------


def parse_json(text: str | bytes) -> dict[str, Any]:
    """Parse a secured document strictly: one JSON object (RFC 8259) that is also I-JSON.

    Refuses invalid UTF-8, truncated or otherwise invalid JSON, duplicate member names
    (RFC 7493 §2.3), NaN and Infinity, and integers beyond ±(2**53 - 1) (RFC 7493 §2.2): each
    would let a signer and a verifier read different documents.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"the document is not valid UTF-8 (byte {exc.start})",
                f"문서가 올바른 UTF-8이 아닙니다 ({exc.start}번째 바이트)",
            ) from exc
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_safe_int,
        )
    except json.JSONDecodeError as exc:
        # The scanner reports an unclosed string where the string starts, not at the end.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise InvalidInput(
                f"the JSON ends early, after {len(text)} characters: the document looks "
                "truncated; send the whole file",
                f"JSON이 {len(text)}자에서 끝났습니다: 문서가 잘린 것 같습니다; "
                "파일 전체를 보내세요",
            ) from exc
        raise InvalidInput(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            f"올바른 JSON이 아닙니다: {exc.lineno}행 {exc.colno}열 ({exc.msg})",
        ) from exc
    except RecursionError as exc:
        raise InvalidInput("JSON is nested too deeply", "JSON의 중첩이 너무 깊습니다") from exc
    if not isinstance(value, dict):
        raise InvalidInput(
            f"a secured document is a JSON object, not a {type(value).__name__}",
            f"보안 문서는 JSON 객체여야 합니다 ({type(value).__name__} 형식은 안 됩니다)",
        )
    return value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        names = [name for name, _ in pairs]
        twice = next(name for name in names if names.count(name) > 1)
        raise InvalidInput(
            f"JSON object has the member name {twice!r} more than once (RFC 7493 §2.3)",
            f"JSON 객체에 멤버 이름 {twice!r}가 두 번 이상 나옵니다",
        )
    return result


def _refuse_constant(name: str) -> NoReturn:
    raise InvalidInput(
        f"{name} is not a JSON number (RFC 8259 §6)",
        f"{name}은(는) JSON 숫자가 아닙니다 (RFC 8259 §6)",
    )


def _safe_int(text: str) -> int:
    # Bounded by length first: Python refuses to read integers past 4300 digits at all.
    value = int(text) if len(text) <= 20 else MAX_SAFE_INTEGER + 1
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise InvalidInput(
            "a JSON integer is beyond ±(2**53 - 1), the range I-JSON (RFC 7493 §2.2) allows",
            "JSON 정수가 I-JSON(RFC 7493 §2.2)이 허용하는 ±(2**53 - 1) 범위를 벗어났습니다",
        )
    return value


# -- Verifying proofs -----------------------------------------------------------------------


def verify_proof(
    secured: dict[str, Any],
    resolver: KeyResolver,
    *,
    expected_purpose: str = ASSERTION_METHOD,
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
    now: datetime | None = None,
) -> DataIntegrityResult:
    """Check a document's eddsa-jcs-2022 or eddsa-rdfc-2022 proof (vc-di-eddsa §3.3.2 and
    §3.2.2, Data Integrity §4.3).

    The checks are made in order and all reported; the signature is computed only when the
    proof's form, context and key check out. ``challenge`` and ``domain`` are checked when
    given. ``now`` (default: the current time) must carry a time zone. An eddsa-rdfc-2022 proof
    also needs every context it names shipped with blockcity (``rdfc.shipped_contexts``); a
    damaged shipped context raises ``rdfc.ContextPinMismatch`` rather than fail one document.
    """
    now = _checked_now(now)
    problem = _proof_problem(secured)
    if problem is not None:
        return DataIntegrityResult((problem,))
    proof: dict[str, Any] = secured["proof"]
    created, created_check = _check_time(proof, "created", now)
    vm = proof.get("verificationMethod")
    vm_name = vm if isinstance(vm, str) else None
    key, vm_check = _resolve(vm, resolver, created)
    signature, value_check = _decode_proof_value(proof.get("proofValue"))
    context_check = _check_context(secured.get("@context"), proof)
    if context_check.ok and proof.get("cryptosuite") == RDFC_CRYPTOSUITE:
        signed_context = proof.get("@context", secured.get("@context"))
        context_check = _unshipped_context_check(signed_context) or context_check
    checks = [
        _check_proof_type(proof.get("type")),
        _check_cryptosuite(proof.get("cryptosuite")),
        value_check,
        context_check,
        vm_check,
    ]
    blocking = [str(check.name) for check in checks if not check.ok]
    if blocking or key is None or signature is None:
        checks.append(
            Check.fail(
                CheckName.SIGNATURE,
                f"not checked: fix {', '.join(blocking)} first",
                f"확인하지 않았습니다: 먼저 {', '.join(blocking)} 문제를 해결하세요",
            )
        )
    else:
        checks.append(_check_signature(secured, proof, key, signature))
    checks.append(_check_purpose(proof.get("proofPurpose"), expected_purpose))
    if challenge is not None:
        checks.append(_check_challenge(proof.get("challenge"), challenge))
    if domain is not None:
        checks.append(_check_domain(proof.get("domain"), domain))
    checks.append(created_check)
    if "expires" in proof:
        checks.append(_check_time(proof, "expires", now)[1])
    return DataIntegrityResult(tuple(checks), verification_method=vm_name, created=created)


def verify_credential(
    credential: dict[str, Any], resolver: KeyResolver, *, now: datetime | None = None
) -> DataIntegrityResult:
    """Check a VC DM 2.0 credential's shape and its issuer's eddsa-jcs-2022 (or -rdfc-2022) proof.

    Trust in the issuer, validity dates, status and ledger inclusion are separate checks.
    """
    result = verify_proof(credential, resolver, expected_purpose=ASSERTION_METHOD, now=now)
    if not isinstance(credential, dict):
        return result
    shape = _check_shape(credential, CheckName.CREDENTIAL, VERIFIABLE_CREDENTIAL)
    return DataIntegrityResult((shape, *result.checks), result.verification_method, result.created)


def verify_json(
    text: str | bytes, resolver: KeyResolver, *, now: datetime | None = None
) -> DataIntegrityResult:
    """``verify_credential`` for a credential given as JSON text, read with ``parse_json``.

    Text that does not parse gives one failed ``json`` check, never an exception.
    """
    try:
        credential = parse_json(text)
    except InvalidInput as exc:
        return DataIntegrityResult((Check.fail(CheckName.JSON, exc.message_en, exc.message_ko),))
    return verify_credential(credential, resolver, now=now)


def verify_presentation(
    presentation: dict[str, Any],
    resolver: KeyResolver,
    *,
    challenge: str,
    domain: str,
    now: datetime | None = None,
) -> PresentationResult:
    """Check a presentation made for this verifier, and every credential in it.

    The holder's proof must have purpose ``authentication`` and answer this verifier's own
    ``challenge`` and ``domain``; a presentation that names a holder must be signed by a key of
    that holder. Each embedded credential is checked with ``verify_credential``.
    """
    if not challenge or not domain:
        raise InvalidInput(
            "verifying a presentation needs the challenge and domain this verifier issued",
            "프레젠테이션을 검증하려면 이 검증자가 발급한 challenge와 domain이 필요합니다",
        )
    proof = verify_proof(
        presentation,
        resolver,
        expected_purpose=AUTHENTICATION,
        challenge=challenge,
        domain=domain,
        now=now,
    )
    if not isinstance(presentation, dict):
        return PresentationResult((), proof, ())
    checks = (
        _check_shape(presentation, CheckName.PRESENTATION, VERIFIABLE_PRESENTATION),
        _check_holder(presentation.get("holder"), proof.verification_method),
    )
    embedded = presentation.get("verifiableCredential", [])
    embedded = embedded if isinstance(embedded, list) else [embedded]
    credentials = tuple(verify_credential(credential, resolver, now=now) for credential in embedded)
    return PresentationResult(checks, proof, credentials)


def _checked_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise InvalidInput(
            "the verification time must carry a time zone",
            "검증 시각에는 시간대가 있어야 합니다",
        )
    return now


def _proof_problem(secured: object) -> Check | None:
    """Why ``secured`` holds no single proof object to check, or None if it does."""
    if not isinstance(secured, dict):
        return Check.fail(
            CheckName.DOCUMENT,
            f"a secured document is a JSON object, not {type(secured).__name__}",
            f"보안 문서는 JSON 객체여야 합니다 ({type(secured).__name__} 형식은 안 됩니다)",
        )
    proof = secured.get("proof")
    if proof is None:
        return Check.fail(
            CheckName.DOCUMENT,
            "the document has no proof: it is not signed",
            "문서에 증명(proof)이 없습니다: 서명되지 않은 문서입니다",
        )
    if isinstance(proof, list):
        # Data Integrity §2.1.1 proof sets: several independent proofs, whose policy (all? any?
        # which issuers?) this verifier does not guess.
        return Check.fail(
            CheckName.DOCUMENT,
            f"the document carries a set of {len(proof)} proofs; only a single proof is supported",
            f"문서에 증명이 {len(proof)}개 있습니다; 증명이 하나인 문서만 지원합니다",
        )
    if not isinstance(proof, dict):
        return Check.fail(
            CheckName.DOCUMENT,
            f"the document's proof is a {type(proof).__name__}, not a JSON object",
            f"문서의 proof가 JSON 객체가 아니라 {type(proof).__name__} 형식입니다",
        )
    return None


def _check_proof_type(value: object) -> Check:
    if value == PROOF_TYPE:
        return Check.pass_(CheckName.PROOF_TYPE, PROOF_TYPE, PROOF_TYPE)
    found = _shown.repr(value)
    return Check.fail(
        CheckName.PROOF_TYPE,
        f"proof type {found} is not supported; expected {PROOF_TYPE}",
        f"증명 형식 {found}는 지원하지 않습니다; {PROOF_TYPE}이어야 합니다",
    )


def _check_cryptosuite(value: object) -> Check:
    if value in CRYPTOSUITES:
        return Check.pass_(CheckName.CRYPTOSUITE, str(value), str(value))
    expected = " or ".join(CRYPTOSUITES)
    if value is None:
        return Check.fail(
            CheckName.CRYPTOSUITE,
            f"the proof names no cryptosuite; expected {expected}",
            f"증명에 cryptosuite가 없습니다; {expected}이어야 합니다",
        )
    found = _shown.repr(value)
    return Check.fail(
        CheckName.CRYPTOSUITE,
        f"cryptosuite {found} is not supported here; this verifier checks {expected}",
        f"cryptosuite {found}는 지원하지 않습니다; 이 검증기는 {expected}만 확인합니다",
    )


def _decode_proof_value(value: object) -> tuple[bytes | None, Check]:
    """The 64-byte signature in ``proofValue`` (multibase base58btc, vc-di-eddsa §2.2.1)."""
    if not isinstance(value, str) or not value:
        return None, Check.fail(
            CheckName.PROOF_VALUE,
            "the proof has no proofValue (the signature) as text",
            "증명에 서명 값(proofValue) 문자열이 없습니다",
        )
    if value[0] != "z":
        base = _MULTIBASE_NAMES.get(value[0])
        found = f"{value[0]!r} ({base})" if base else repr(value[0])
        return None, Check.fail(
            CheckName.PROOF_VALUE,
            f"proofValue must be multibase base58btc, starting with 'z'; it starts with {found}",
            f"proofValue는 'z'로 시작하는 멀티베이스 base58btc여야 합니다 "
            f"(받은 값은 {found}로 시작)",
        )
    if len(value) - 1 > _MAX_SIGNATURE_DIGITS:
        return None, Check.fail(
            CheckName.PROOF_VALUE,
            f"proofValue has {len(value) - 1} base58 digits, too many for a "
            f"{SIGNATURE_SIZE}-byte Ed25519 signature",
            f"proofValue의 base58 자릿수({len(value) - 1})가 {SIGNATURE_SIZE}바이트 Ed25519 "
            "서명에 비해 너무 많습니다",
        )
    try:
        signature = b58btc_decode(value[1:])
    except InvalidInput as exc:
        return None, Check.fail(
            CheckName.PROOF_VALUE,
            f"proofValue: {exc.message_en}",
            f"proofValue: {exc.message_ko}",
        )
    if len(signature) != SIGNATURE_SIZE:
        return None, Check.fail(
            CheckName.PROOF_VALUE,
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature is "
            f"{SIGNATURE_SIZE} bytes (RFC 8032 §5.1.6)",
            f"proofValue를 해독하면 {len(signature)}바이트입니다; Ed25519 서명은 "
            f"{SIGNATURE_SIZE}바이트입니다",
        )
    return signature, Check.pass_(
        CheckName.PROOF_VALUE,
        f"a {SIGNATURE_SIZE}-byte signature in base58btc",
        f"base58btc로 쓴 {SIGNATURE_SIZE}바이트 서명",
    )


def _as_list(context: object) -> list[object]:
    # JSON-LD 1.1 §3.1: an @context is one value or an array of them.
    return context if isinstance(context, list) else [context]


def _check_context(document_context: object, proof: dict[str, Any]) -> Check:
    if "@context" not in proof:
        return Check.pass_(
            CheckName.CONTEXT,
            "the proof carries no @context; the document's own @context is signed",
            "증명에 @context가 없습니다; 문서의 @context가 그대로 서명됩니다",
        )
    signed = _as_list(proof["@context"])
    if document_context is None:
        return Check.fail(
            CheckName.CONTEXT,
            "the proof carries an @context but the document has none",
            "증명에는 @context가 있는데 문서에는 없습니다",
        )
    actual = _as_list(document_context)
    # vc-di-eddsa §3.3.2 step 4.1: the document's @context must start with the proof's, in the
    # same order; step 4.2 then signs the proof's @context in its place.
    if actual[: len(signed)] != signed:
        return Check.fail(
            CheckName.CONTEXT,
            f"the document's @context {_shown.repr(actual)} does not start with the signed "
            f"@context {_shown.repr(signed)} in the same order",
            f"문서의 @context {_shown.repr(actual)}가 서명된 @context {_shown.repr(signed)}로 "
            "같은 순서로 시작하지 않습니다",
        )
    extra = len(actual) - len(signed)
    if extra:
        return Check.pass_(
            CheckName.CONTEXT,
            f"the signed @context comes first; {extra} context(s) added after it are not "
            "covered by this proof",
            f"서명된 @context가 먼저 옵니다; 그 뒤에 추가된 context {extra}개는 이 증명이 "
            "보장하지 않습니다",
        )
    return Check.pass_(
        CheckName.CONTEXT,
        "the document's @context is the signed one",
        "문서의 @context가 서명된 것과 같습니다",
    )


def _unshipped_context_check(context: object) -> Check | None:
    """A failed context check if an eddsa-rdfc-2022 proof covers a context not shipped."""
    from blockcity.credentials import rdfc  # see RDFC_CRYPTOSUITE: only for such proofs

    # Data Integrity §2.4.1: a JSON-LD context decides what the signed bytes mean, so an
    # eddsa-rdfc-2022 proof is only checked against pinned copies, never fetched ones.
    missing = rdfc.unshipped_contexts(context)
    if missing:
        return Check.fail(
            CheckName.CONTEXT,
            f"JSON-LD context {', '.join(missing)} is not shipped with blockcity; "
            "eddsa-rdfc-2022 proofs are checked offline against pinned contexts only",
            f"JSON-LD 컨텍스트 {', '.join(missing)}는 blockcity에 내장되어 있지 않습니다; "
            "eddsa-rdfc-2022 증명은 고정된 내장 컨텍스트로만 오프라인 확인합니다",
        )
    return None


def _resolve(
    vm: object, resolver: KeyResolver, at: datetime | None
) -> tuple[VerifyKey | None, Check]:
    if not isinstance(vm, str) or not vm:
        return None, Check.fail(
            CheckName.VERIFICATION_METHOD,
            "the proof names no verificationMethod (the URL of the key that signed it)",
            "증명에 서명 키의 URL(verificationMethod)이 없습니다",
        )
    try:
        # The key the signer held when it says it signed; anchoring the credential in the
        # ledger is what keeps a later-compromised key from back-dating ``created``.
        key = resolver.resolve(vm, at)
    except BlockcityError as exc:
        return None, Check.fail(
            CheckName.VERIFICATION_METHOD,
            f"key {vm} cannot be resolved: {exc.message_en}",
            f"키 {vm}를 찾을 수 없습니다: {exc.message_ko}",
        )
    return key, Check.pass_(
        CheckName.VERIFICATION_METHOD, f"key {vm} resolved", f"키 {vm}를 찾았습니다"
    )


def _check_signature(
    secured: dict[str, Any], proof: dict[str, Any], key: VerifyKey, signature: bytes
) -> Check:
    # vc-di-eddsa §3.3.2 (and §3.2.2) steps 1-8: the document without its proof (with the
    # proof's @context in place of its own), and the proof without its proofValue, hashed as at
    # creation.
    unsecured = {name: value for name, value in secured.items() if name != "proof"}
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    if "@context" in options:
        unsecured["@context"] = options["@context"]
    try:
        if options.get("cryptosuite") == RDFC_CRYPTOSUITE:
            from blockcity.credentials import rdfc  # see RDFC_CRYPTOSUITE: only for such proofs

            form = "RDFC-1.0"
            data = rdfc.proof_hash_data(unsecured, options)
        else:
            form = "RFC 8785"
            data = proof_hash_data(unsecured, options)
    except (InvalidInput, VerificationFailed) as exc:
        return Check.fail(
            CheckName.SIGNATURE,
            f"the document cannot be put in {form} canonical form: {exc.message_en}",
            f"문서를 {form} 정규형으로 바꿀 수 없습니다: {exc.message_ko}",
        )
    if key.verify(signature, data):
        return Check.pass_(
            CheckName.SIGNATURE,
            "the Ed25519 signature covers this document and proof",
            "Ed25519 서명이 이 문서와 증명에 맞습니다",
        )
    return Check.fail(
        CheckName.SIGNATURE,
        "the signature does not match: the document or its proof was changed after signing, "
        "or another key signed it",
        "서명이 맞지 않습니다: 서명 후 문서나 증명이 바뀌었거나 다른 키로 서명되었습니다",
    )


def _check_purpose(value: object, expected: str) -> Check:
    if value == expected:
        return Check.pass_(CheckName.PROOF_PURPOSE, expected, expected)
    if not isinstance(value, str):
        return Check.fail(
            CheckName.PROOF_PURPOSE,
            f"the proof states no proofPurpose; expected {expected}",
            f"증명에 proofPurpose가 없습니다; {expected}이어야 합니다",
        )
    # Data Integrity §4.3 MISMATCHED_PROOF_PURPOSE_ERROR: e.g. a holder's login proof must not
    # pass as an issuer's assertion.
    found = _shown.repr(value)
    return Check.fail(
        CheckName.PROOF_PURPOSE,
        f"the proof was made for {found}, but this verification needs {expected}",
        f"이 증명의 용도는 {found}인데, 이 검증에는 {expected} 용도가 필요합니다",
    )


def _check_challenge(value: object, expected: str) -> Check:
    if value == expected:
        return Check.pass_(
            CheckName.CHALLENGE,
            "the proof answers this verifier's challenge",
            "증명이 이 검증자의 challenge에 응답합니다",
        )
    if value is None:
        return Check.fail(
            CheckName.CHALLENGE,
            "the proof carries no challenge, but this verifier issued one",
            "이 검증자가 challenge를 보냈지만 증명에 challenge가 없습니다",
        )
    return Check.fail(
        CheckName.CHALLENGE,
        "the proof answers another challenge than the one this verifier issued: it may be a "
        "replay; ask the holder for a fresh presentation",
        "증명이 이 검증자가 보낸 것과 다른 challenge에 응답합니다: 재사용된 것일 수 있습니다; "
        "새 프레젠테이션을 요청하세요",
    )


def _check_domain(value: object, expected: str | Sequence[str]) -> Check:
    wanted = {expected} if isinstance(expected, str) else set(expected)
    if isinstance(value, str):
        found: set[str] | None = {value}
    elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        found = set(value)
    else:
        found = None
    # Data Integrity §4.3 INVALID_DOMAIN_ERROR: the same strings, a single string counting as
    # a set of one.
    if found == wanted:
        return Check.pass_(
            CheckName.DOMAIN,
            f"the proof is for {_shown.repr(sorted(wanted))}",
            f"증명의 대상이 {_shown.repr(sorted(wanted))}입니다",
        )
    if found is None:
        return Check.fail(
            CheckName.DOMAIN,
            "the proof names no domain (or not as text), so it was not made for this verifier",
            "증명에 domain이 없거나 문자열이 아니므로 이 검증자를 위한 것이 아닙니다",
        )
    return Check.fail(
        CheckName.DOMAIN,
        f"the proof was made for {_shown.repr(sorted(found))}, not for "
        f"{_shown.repr(sorted(wanted))}: it may be a replay from another verifier",
        f"증명의 대상은 {_shown.repr(sorted(found))}이며 {_shown.repr(sorted(wanted))}가 "
        "아닙니다: 다른 검증자에게 보낸 것을 재사용한 것일 수 있습니다",
    )


def _check_time(proof: dict[str, Any], name: str, now: datetime) -> tuple[datetime | None, Check]:
    """Read ``created`` or ``expires`` (Data Integrity §2.1) and compare it with ``now``."""
    check = CheckName(name)
    value = proof.get(name)
    if value is None:
        return None, Check.pass_(
            check,
            f"the proof states no {name} time (optional, Data Integrity §2.1)",
            f"증명에 {name} 시각이 없습니다 (선택 항목)",
        )
    moment = _read_time(value)
    if moment is None:
        found = _shown.repr(value)
        return None, Check.fail(
            check,
            f"{name} {found} is not a date and time with a time zone, such as "
            "2026-01-31T09:00:00Z (XML Schema dateTimeStamp)",
            f"{name} 값 {found}는 2026-01-31T09:00:00Z처럼 시간대가 있는 날짜와 시각이 아닙니다",
        )
    if name == "created" and moment > now + CLOCK_SKEW:
        return moment, Check.fail(
            check,
            f"the proof says it was created at {value}, later than now ({_format_time(now)}); "
            "check the signer's clock",
            f"증명의 생성 시각 {value}가 현재({_format_time(now)})보다 늦습니다; 서명자 기기의 "
            "시계를 확인하세요",
        )
    if name == "expires" and moment <= now:
        return moment, Check.fail(
            check,
            f"the proof expired at {value}; ask for a new one",
            f"증명이 {value}에 만료되었습니다; 새 증명을 요청하세요",
        )
    return moment, Check.pass_(check, f"{name} {value}", f"{name} {value}")


def _read_time(value: object) -> datetime | None:
    if not isinstance(value, str) or _DATE_TIME_STAMP.fullmatch(value) is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # a well-formed string naming no real moment, such as month 13
        return None


def _shape_problems(document: dict[str, Any], required_type: str) -> list[tuple[str, str]]:
    """What keeps ``document`` from being a VC DM 2.0 credential or presentation."""
    problems: list[tuple[str, str]] = []
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else None
    if first == VC_V1_CONTEXT:
        problems.append(
            (
                f"this is a VC Data Model 1.1 document ({VC_V1_CONTEXT}); only VC Data Model 2.0 "
                "is accepted",
                f"VC 데이터 모델 1.1 문서입니다 ({VC_V1_CONTEXT}); VC 데이터 모델 2.0만 받습니다",
            )
        )
    elif first != VC_V2_CONTEXT:
        # VC DM 2.0 §4.3: @context is an ordered set whose first item is the v2 context.
        problems.append(
            (
                f"@context must be a list starting with {VC_V2_CONTEXT}",
                f"@context는 {VC_V2_CONTEXT}로 시작하는 목록이어야 합니다",
            )
        )
    types = document.get("type")
    if required_type not in (types if isinstance(types, list) else [types]):
        problems.append(
            (f"type must include {required_type}", f"type에 {required_type}가 있어야 합니다")
        )
    if required_type == VERIFIABLE_CREDENTIAL:
        # VC DM 2.0 §4.7 and §4.8: an issuer (a URL or an object with an id) and claims.
        if _identifier(document.get("issuer")) is None:
            problems.append(
                (
                    "issuer must be a URL, or an object whose id is one",
                    "issuer는 URL이거나 URL을 id로 가진 객체여야 합니다",
                )
            )
        subject = document.get("credentialSubject")
        subjects = subject if isinstance(subject, list) else [subject]
        if not subjects or not all(isinstance(item, dict) for item in subjects):
            problems.append(
                (
                    "credentialSubject must be an object or a list of objects",
                    "credentialSubject는 객체이거나 객체의 목록이어야 합니다",
                )
            )
    else:
        # VC DM 2.0 §4.13: verifiableCredential holds one or more credential objects.
        embedded = document.get("verifiableCredential", [])
        embedded = embedded if isinstance(embedded, list) else [embedded]
        if not all(isinstance(item, dict) for item in embedded):
            problems.append(
                (
                    "verifiableCredential must hold credential objects",
                    "verifiableCredential에는 자격증명 객체가 들어 있어야 합니다",
                )
            )
    return problems


def _check_shape(document: dict[str, Any], check: CheckName, required_type: str) -> Check:
    problems = _shape_problems(document, required_type)
    if problems:
        return Check.fail(
            check, "; ".join(en for en, _ in problems), "; ".join(ko for _, ko in problems)
        )
    return Check.pass_(
        check,
        f"a {required_type} in VC Data Model 2.0 form",
        f"VC 데이터 모델 2.0 형식의 {required_type}",
    )


def _identifier(value: object) -> str | None:
    """The id of an issuer or holder: the value itself, or its ``id`` member."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _check_holder(holder: object, verification_method: str | None) -> Check:
    if holder is None:
        return Check.pass_(
            CheckName.HOLDER,
            "the presentation names no holder",
            "프레젠테이션에 holder가 없습니다",
        )
    holder_id = _identifier(holder)
    if holder_id is None:
        return Check.fail(
            CheckName.HOLDER,
            "holder must be a URL, or an object whose id is one",
            "holder는 URL이거나 URL을 id로 가진 객체여야 합니다",
        )
    signer = verification_method.partition("#")[0] if verification_method else None
    # Without this, anyone could present under another person's name with their own key.
    if signer != holder_id:
        return Check.fail(
            CheckName.HOLDER,
            f"the presentation names holder {holder_id} but was signed by {signer or 'no key'}",
            f"프레젠테이션의 holder는 {holder_id}인데 서명한 것은 {signer or '키 없음'}입니다",
        )
    return Check.pass_(
        CheckName.HOLDER,
        f"signed by the holder {holder_id}",
        f"holder {holder_id}가 서명했습니다",
    )
