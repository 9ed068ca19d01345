"""The one verifier for every document the platform issues: a VC or VP as JSON, a credential
bundle (credential + ledger anchor + status lists), an SD-JWT presentation, or a PDF with the
credential embedded as its one attachment.

It reports the same named checks whatever came in (DESIGN.md §5; STYLE.md "verification reads
like a checklist"): ``format``, ``document`` (PDFs), ``signature``, ``issuer-key``, ``issuer``,
``validity``, ``status``, ``ledger``, ``witnesses`` and ``consistency`` (when a newer checkpoint
is known), ``key-binding`` and ``holder`` (presentations). It never raises for bad input, never
fetches anything from the network, and needs only what its ``VerifierContext`` trusts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

from blockcity.credentials import dataintegrity as di
from blockcity.credentials import sdjwt
from blockcity.credentials.anchor import (
    BUNDLE_TYPE,
    Anchor,
    LedgerTrust,
    check_anchor,
    credential_digest,
    sd_jwt_digest,
)
from blockcity.credentials.checks import Check, Verdict
from blockcity.credentials.registry import IssuerRegistry
from blockcity.credentials.statuslist import StatusListCache
from blockcity.crypto import DidKeyResolver, KeyResolver
from blockcity.errors import BlockcityError, InvalidInput

MAX_INPUT_BYTES = 20 * 1024 * 1024
"""The largest file the verifier reads: certificates are a few hundred kilobytes."""
PDF_MEDIA_TYPE = "application/pdf"
DocumentVerifier = Callable[[dict[str, Any], KeyResolver, "LedgerTrust | None"], Verdict]
"""Verifies a JSON document of a ``type`` a service defines (a worker's dispute record, say),
with the verifier's key resolver and ledger trust. Services plug theirs in through
``VerifierContext.documents``, so this layer needs to know none of them."""
_KB_MAX_AGE = timedelta(minutes=10)
STATUS_MAX_AGE = timedelta(days=2)
"""The oldest status list copy a verifier relies on; an older one fails the status check as
stale (the platform re-publishes its lists every 12 hours, each valid for a day)."""

AnchorLookup = Callable[[str], Anchor | None]
"""A credential digest -> its anchor on the verifier's own copy of the ledger, if any."""
StatusSource = Callable[[str], dict[str, Any] | None]
"""A status list URL -> the current signed list, when the verifier holds it locally."""


@dataclass
class VerifierContext:
    """What the verifier trusts and where it may look, all of it local."""

    keys: KeyResolver = field(default_factory=DidKeyResolver)
    """Resolves DID URLs to keys as of a time (the DID registry on a node; did:key offline)."""
    ledger: LedgerTrust | None = None
    issuers: IssuerRegistry | None = None
    trusted_issuers: frozenset[str] = frozenset()
    """DIDs the person verifying trusts directly (``--trust-key``), registry or not."""
    anchors: AnchorLookup | None = None
    status_lists: StatusSource | None = None
    status_cache: StatusListCache = field(
        default_factory=lambda: StatusListCache(max_age=STATUS_MAX_AGE)
    )
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    max_bytes: int = MAX_INPUT_BYTES
    documents: Mapping[str, DocumentVerifier] = field(default_factory=dict)
    """Verifiers of the services' own JSON documents, by their ``type``."""


class Verifier:
    def __init__(self, context: VerifierContext) -> None:
        self.context = context

    def verify(
        self,
        data: bytes,
        *,
        nonce: str | None = None,
        audience: str | None = None,
    ) -> Verdict:
        """Verify a file's bytes; ``nonce`` and ``audience`` are what this verifier asked a
        holder to bind a presentation to (a VP's challenge and domain, an SD-JWT's KB)."""
        if len(data) > self.context.max_bytes:
            return _unreadable(
                f"the file is {len(data) / 1048576:.1f} MB; the verifier reads files up to "
                f"{self.context.max_bytes // 1048576} MB (a certificate is far smaller)",
                f"파일이 {len(data) / 1048576:.1f}MB입니다. 검증기는 "
                f"{self.context.max_bytes // 1048576}MB까지만 읽습니다 (증명서는 훨씬 작습니다)",
            )
        if data.startswith(b"%PDF-"):
            return self._verify_pdf(data)
        try:
            text = data.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError:
            return _unreadable(
                "the file is neither a PDF, JSON nor an SD-JWT (it is not UTF-8 text)",
                "파일이 PDF도, JSON도, SD-JWT도 아닙니다 (UTF-8 텍스트가 아닙니다)",
            )
        if text.startswith("{"):
            return self._verify_json(text, nonce=nonce, audience=audience)
        if "~" in text and "." in text.split("~", 1)[0]:
            return self._verify_sd_jwt(text, None, nonce=nonce, audience=audience)
        return _unreadable(
            "the file is neither a PDF, a JSON credential nor an SD-JWT",
            "파일이 PDF도, JSON 자격증명도, SD-JWT도 아닙니다",
        )

    # Containers.

    def _verify_pdf(self, data: bytes) -> Verdict:
        # Imported here: a verifier of JSON credentials (the benchmark, the API's common case)
        # should not pay for loading pypdf.
        from blockcity.documents.seal import open_sealed_pdf

        try:
            sealed = open_sealed_pdf(data, max_bytes=self.context.max_bytes)
        except BlockcityError as exc:
            return _unreadable(exc.message_en, exc.message_ko, kind="pdf")
        try:
            payload = sealed.attachment.payload.decode("utf-8")
            bundle = di.parse_json(payload)
        except (UnicodeDecodeError, InvalidInput) as exc:
            reason = exc.message_en if isinstance(exc, InvalidInput) else str(exc)
            return _unreadable(
                f"the PDF's attachment is not a credential: {reason}",
                f"PDF의 첨부 파일이 자격증명이 아닙니다: {reason}",
                kind="pdf",
            )
        inner = self._verify_document(bundle, nonce=None, audience=None)
        credential = bundle.get("credential", bundle)
        document = _check_pdf(sealed.intact, sealed.base_digest, credential)
        checks = (inner.checks[0], document, *inner.checks[1:])
        return Verdict("pdf", checks, inner.summary)

    def _verify_json(self, text: str, *, nonce: str | None, audience: str | None) -> Verdict:
        try:
            document = di.parse_json(text)
        except InvalidInput as exc:
            return _unreadable(exc.message_en, exc.message_ko)
        return self._verify_document(document, nonce=nonce, audience=audience)

    def _verify_document(
        self, document: dict[str, Any], *, nonce: str | None, audience: str | None
    ) -> Verdict:
        if document.get("type") == BUNDLE_TYPE:
            return self._verify_bundle(document, nonce=nonce, audience=audience)
        service_document = self.context.documents.get(str(document.get("type")))
        if service_document is not None:
            return service_document(document, self.context.keys, self.context.ledger)
        types = _types(document)
        if di.VERIFIABLE_PRESENTATION in types:
            return self._verify_presentation(document, nonce=nonce, audience=audience)
        if di.VERIFIABLE_CREDENTIAL in types:
            return self._verify_credential(document, None, [])
        return _unreadable(
            "the JSON is neither a verifiable credential, a presentation nor a credential "
            "bundle (its type names none of them)",
            "JSON이 검증 가능한 자격증명도, 프레젠테이션도, 자격증명 묶음도 아닙니다 "
            "(type에 해당 유형이 없습니다)",
        )

    def _verify_bundle(
        self, bundle: dict[str, Any], *, nonce: str | None, audience: str | None
    ) -> Verdict:
        try:
            anchor = Anchor.from_dict(bundle["anchor"]) if "anchor" in bundle else None
        except InvalidInput as exc:
            return _unreadable(exc.message_en, exc.message_ko)
        stapled = bundle.get("statusLists", [])
        stapled = stapled if isinstance(stapled, list) else []
        if isinstance(bundle.get("sdJwt"), str):
            return self._verify_sd_jwt(bundle["sdJwt"], anchor, nonce=nonce, audience=audience)
        credential = bundle.get("credential")
        if not isinstance(credential, dict):
            return _unreadable(
                "the bundle carries no credential", "자격증명 묶음에 자격증명이 없습니다"
            )
        return self._verify_credential(credential, anchor, stapled)

    # Credentials.

    def _verify_credential(
        self, credential: dict[str, Any], anchor: Anchor | None, stapled: Sequence[object]
    ) -> Verdict:
        now = self.context.clock()
        result = di.verify_credential(credential, self.context.keys, now=now)
        shape = [c for c in result.checks if c.name in _SHAPE_CHECKS]
        summary = _summary(credential)
        if any(not c.ok for c in shape):
            failed = next(c for c in shape if not c.ok)
            return Verdict("credential", (failed.renamed("format"),), summary)
        issuer = _identifier(credential.get("issuer"))
        checks = [
            Check.pass_(
                "format",
                f"a W3C verifiable credential ({', '.join(summary['types'])})",
                f"W3C 검증 가능한 자격증명입니다 ({', '.join(summary['types'])})",
            ),
            _fold_signature(result),
            _issuer_key(result, issuer),
        ]
        ledger_checks, anchored_at = self._ledger(
            anchor, credential_digest(credential), issuer, result.verification_method
        )
        checks.append(
            self._issuer_trust(issuer, summary["types"], anchored_at or result.created, anchor)
        )
        checks.append(_validity(credential, now))
        checks.append(self._status(credential, issuer, stapled, now))
        checks.extend(ledger_checks)
        return Verdict("credential", tuple(checks), summary)

    def _ledger(
        self, anchor: Anchor | None, digest: str, issuer: str | None, vm: str | None
    ) -> tuple[list[Check], datetime | None]:
        if anchor is None and self.context.anchors is not None:
            anchor = self.context.anchors(digest)
        if anchor is None:
            if issuer in self.context.trusted_issuers:
                return [
                    Check.pass_(
                        "ledger",
                        "not anchored on this ledger; accepted because you trust the issuer "
                        "directly (--trust-key)",
                        "이 원장에 기록되어 있지 않지만, 발급자를 직접 신뢰하도록 지정해 "
                        "받아들입니다 (--trust-key)",
                    )
                ], None
            return [
                Check.fail(
                    "ledger",
                    "the credential carries no ledger anchor and this verifier has no record of "
                    "it: verify the PDF or the bundle the holder received, which carry the proof",
                    "자격증명에 원장 기록 증명이 없고 이 검증기에도 기록이 없습니다. 소지자가 받은 "
                    "PDF나 묶음 파일로 검증하십시오",
                )
            ], None
        if self.context.ledger is None:
            return [
                Check.fail(
                    "ledger",
                    "this verifier does not know the ledger's public key, so the anchor cannot "
                    "be checked: run it with the ledger's data folder",
                    "이 검증기는 원장의 공개키를 몰라 기록 증명을 확인할 수 없습니다. 원장 데이터 "
                    "폴더를 지정해 실행하십시오",
                )
            ], None
        return check_anchor(
            anchor,
            digest=digest,
            issuer=issuer or "",
            verification_method=vm,
            trust=self.context.ledger,
        )

    def _issuer_trust(
        self,
        issuer: str | None,
        types: Sequence[str],
        at: datetime | None,
        anchor: Anchor | None,
    ) -> Check:
        if issuer is None:
            return Check.fail("issuer", "the credential names no issuer", "발급자가 없습니다")
        if issuer in self.context.trusted_issuers:
            return Check.pass_(
                "issuer",
                f"{issuer} is trusted by you directly (--trust-key)",
                f"{issuer}는 직접 신뢰하도록 지정한 발급자입니다 (--trust-key)",
            )
        specific = [t for t in types if t != di.VERIFIABLE_CREDENTIAL]
        if not specific:
            return Check.fail(
                "issuer",
                "the credential has no type beyond VerifiableCredential, so no issuer can be "
                "trusted for it",
                "자격증명에 VerifiableCredential 외의 유형이 없어 발급자 신뢰를 판단할 수 없습니다",
            )
        when = at or self.context.clock()
        if self.context.issuers is None:
            return Check.fail(
                "issuer",
                "this verifier holds no registry of trusted issuers: run it with the ledger's "
                "data folder, or name the issuer with --trust-key",
                "이 검증기에는 신뢰 발급자 목록이 없습니다. 원장 데이터 폴더를 지정하거나 "
                "--trust-key로 발급자를 지정하십시오",
            )
        decisions = [self.context.issuers.decide(issuer, t, when) for t in specific]
        refused = next((d for d in decisions if not d.trusted), None)
        if refused is not None:
            return Check.fail("issuer", refused.reason_en, refused.reason_ko)
        first = decisions[0]
        return Check.pass_("issuer", first.reason_en, first.reason_ko)

    def _status(
        self,
        credential: dict[str, Any],
        issuer: str | None,
        stapled: Sequence[object],
        now: datetime,
    ) -> Check:
        entries = credential.get("credentialStatus")
        if entries is None:
            return Check.pass_(
                "status",
                "the credential has no status entry: its issuer cannot revoke or suspend it",
                "상태 항목이 없는 자격증명입니다. 발급자가 폐지하거나 정지할 수 없습니다",
            )
        entries = entries if isinstance(entries, list) else [entries]
        cache = self.context.status_cache
        self._load_status_lists(entries, issuer, stapled, now)
        found_en: list[str] = []
        found_ko: list[str] = []
        for entry in entries:
            result = cache.check(entry, now=now)
            if not result.ok:
                return result.failures()[-1].renamed("status")
            age = _age(result.age_seconds)
            found_en.append(f"not {_purpose_en(result.purpose)} (list as of {age[0]})")
            found_ko.append(f"{_purpose_ko(result.purpose)} 아님 ({age[1]} 기준 목록)")
        return Check.pass_("status", "; ".join(found_en), "; ".join(found_ko))

    def _load_status_lists(
        self,
        entries: Iterable[object],
        issuer: str | None,
        stapled: Sequence[object],
        now: datetime,
    ) -> None:
        wanted = {
            e["statusListCredential"]
            for e in entries
            if isinstance(e, dict) and isinstance(e.get("statusListCredential"), str)
        }
        copies: list[tuple[dict[str, Any], datetime]] = []
        for item in stapled:
            if isinstance(item, dict) and isinstance(item.get("credential"), dict):
                fetched = _read_time(item.get("fetchedAt"))
                if fetched is not None and item["credential"].get("id") in wanted:
                    copies.append((item["credential"], min(fetched, now)))
        # The verifier's own copy goes last: fetched now, it outranks a copy stapled earlier.
        for url in wanted:
            local = self.context.status_lists(url) if self.context.status_lists else None
            if local is not None:
                copies.append((local, now))
        cache = self.context.status_cache
        for list_credential, fetched_at in copies:
            # Bitstring Status List §3.2 step 4: a list counts only if its issuer signed it.
            if _identifier(list_credential.get("issuer")) != issuer:
                continue
            if cache.holds(list_credential) or (
                di.verify_credential(list_credential, self.context.keys, now=now).verified
            ):
                cache.put(list_credential, fetched_at=fetched_at)

    # Presentations.

    def _verify_presentation(
        self, presentation: dict[str, Any], *, nonce: str | None, audience: str | None
    ) -> Verdict:
        if not nonce or not audience:
            return Verdict(
                "presentation",
                (
                    Check.pass_(
                        "format", "a W3C verifiable presentation", "W3C 프레젠테이션입니다"
                    ),
                    Check.fail(
                        "key-binding",
                        "a presentation is checked against the challenge and domain this "
                        "verifier gave the holder: pass them (--nonce, --audience)",
                        "프레젠테이션은 검증자가 소지자에게 준 challenge와 domain으로 확인합니다. "
                        "값을 지정하십시오 (--nonce, --audience)",
                    ),
                ),
            )
        result = di.verify_presentation(
            presentation,
            self.context.keys,
            challenge=nonce,
            domain=audience,
            now=self.context.clock(),
        )
        checks = [
            Check.pass_("format", "a W3C verifiable presentation", "W3C 프레젠테이션입니다"),
            _fold(
                "key-binding",
                result.proof.checks,
                "the holder signed this presentation for this verifier's challenge and domain",
                "소지자가 이 검증자의 challenge와 domain에 맞춰 서명했습니다",
            ),
            _fold(
                "holder",
                result.checks,
                "the holder named in the presentation signed it",
                "프레젠테이션에 적힌 소지자가 서명했습니다",
            ),
        ]
        embedded = presentation.get("verifiableCredential", [])
        embedded = embedded if isinstance(embedded, list) else [embedded]
        summaries = []
        for index, credential in enumerate(embedded):
            if not isinstance(credential, dict):
                checks.append(
                    Check.fail(
                        "format",
                        f"credential {index} is not a JSON object",
                        f"{index}번째 자격증명이 JSON 객체가 아닙니다",
                    )
                )
                continue
            inner = self._verify_credential(credential, None, [])
            summaries.append(inner.summary)
            checks.extend(c.renamed(f"credential-{index}:{c.name}") for c in inner.checks)
        if not embedded:
            checks.append(
                Check.fail(
                    "format",
                    "the presentation carries no credential",
                    "프레젠테이션에 자격증명이 없습니다",
                )
            )
        return Verdict("presentation", tuple(checks), {"credentials": summaries})

    def _verify_sd_jwt(
        self, text: str, anchor: Anchor | None, *, nonce: str | None, audience: str | None
    ) -> Verdict:
        if not nonce or not audience:
            return Verdict(
                "sd-jwt",
                (
                    Check.pass_("format", "an SD-JWT presentation", "SD-JWT 프레젠테이션입니다"),
                    Check.fail(
                        "key-binding",
                        "an SD-JWT is checked against the nonce and audience this verifier gave "
                        "the holder: pass them (--nonce, --audience)",
                        "SD-JWT는 검증자가 소지자에게 준 nonce와 audience로 확인합니다. 값을 "
                        "지정하십시오 (--nonce, --audience)",
                    ),
                ),
            )
        now = self.context.clock()
        result = sdjwt.verify_presentation(
            text,
            sdjwt.DidIssuerKeys(self.context.keys),
            expected_nonce=nonce,
            expected_audience=audience,
            now=now,
            max_kb_age=_KB_MAX_AGE,
        )
        by_name = {c.name: c for c in result.checks}
        if "format" in by_name and not by_name["format"].ok:
            return Verdict("sd-jwt", (by_name["format"],))
        payload = result.payload or {}
        issuer = payload.get("iss") if isinstance(payload.get("iss"), str) else None
        kid = None
        try:
            header = json.loads(base64.urlsafe_b64decode(_padded(text.split(".", 1)[0])))
            kid = header.get("kid") if isinstance(header, dict) else None
        except ValueError:
            kid = None
        checks = [
            Check.pass_("format", "an SD-JWT VC presentation", "SD-JWT VC 프레젠테이션입니다"),
            _fold_sd(
                result,
                _SD_SIGNATURE_CHECKS,
                "signature",
                "the issuer's signature and every disclosure check out",
                "발급자 서명과 공개된 항목이 모두 맞습니다",
            ),
            _fold_sd(
                result,
                _SD_BINDING_CHECKS,
                "key-binding",
                "the holder bound this presentation to this verifier's nonce and audience",
                "소지자가 이 검증자의 nonce와 audience에 맞춰 제시했습니다",
            ),
            _fold_sd(
                result,
                ("validity",),
                "validity",
                "within its validity period",
                "유효 기간 안입니다",
            ),
        ]
        vct = str(payload.get("vct") or "")
        credential_type = vct.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        ledger_checks, anchored_at = self._ledger(
            anchor, sd_jwt_digest(text), issuer, kid if isinstance(kid, str) else None
        )
        iat = payload.get("iat")
        issued = datetime.fromtimestamp(iat, UTC) if isinstance(iat, int) else None
        checks.append(self._issuer_trust(issuer, [credential_type], anchored_at or issued, anchor))
        status = payload.get("credentialStatus")
        if status is not None:
            checks.append(self._status({"credentialStatus": status}, issuer, [], now))
        checks.extend(ledger_checks)
        summary = {
            "issuer": issuer,
            "types": [credential_type],
            "subject": {k: v for k, v in payload.items() if k not in _JWT_CLAIMS},
        }
        return Verdict("sd-jwt", tuple(checks), summary)


_SHAPE_CHECKS = {di.CheckName.JSON, di.CheckName.DOCUMENT, di.CheckName.CREDENTIAL}
_SD_SIGNATURE_CHECKS = ("typ", "issuer-signature", "sd-alg", "disclosures", "vct")
_SD_BINDING_CHECKS = ("key-binding", "kb-signature", "nonce", "audience", "kb-freshness", "sd-hash")
_JWT_CLAIMS = {"iss", "iat", "nbf", "exp", "cnf", "vct", "_sd_alg", "credentialStatus"}


def _unreadable(en: str, ko: str, *, kind: str = "unreadable") -> Verdict:
    return Verdict(kind, (Check.fail("format", en, ko),))


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)


def _types(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _identifier(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _summary(credential: dict[str, Any]) -> dict[str, Any]:
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    return {
        "id": credential.get("id"),
        "issuer": _identifier(issuer),
        "issuer_name": issuer.get("name") if isinstance(issuer, dict) else None,
        "types": [t for t in _types(credential) if t != di.VERIFIABLE_CREDENTIAL] or ["?"],
        "valid_from": credential.get("validFrom"),
        "valid_until": credential.get("validUntil"),
        "subject": subject if isinstance(subject, dict) else {},
    }


def _fold(name: str, checks: Iterable[Check], en: str, ko: str) -> Check:
    done = list(checks)
    failed = next((c for c in done if not c.ok), None)
    if failed is not None:
        return failed.renamed(name)
    if not done:
        return Check.fail(name, "nothing was checked", "아무것도 확인하지 못했습니다")
    return Check.pass_(name, en, ko)


def _fold_signature(result: di.DataIntegrityResult) -> Check:
    relevant = [
        c
        for c in result.checks
        if c.name not in _SHAPE_CHECKS and c.name != di.CheckName.VERIFICATION_METHOD
    ]
    return _fold(
        "signature",
        relevant,
        "the issuer's Ed25519 signature (eddsa-jcs-2022) covers this exact credential",
        "발급자의 Ed25519 서명(eddsa-jcs-2022)이 이 자격증명 그대로에 맞습니다",
    )


def _issuer_key(result: di.DataIntegrityResult, issuer: str | None) -> Check:
    resolved = result.check(di.CheckName.VERIFICATION_METHOD)
    vm = result.verification_method
    if resolved is None or not resolved.ok:
        if resolved is None:
            return Check.fail("issuer-key", "the proof names no key", "증명에 키가 없습니다")
        return resolved.renamed("issuer-key")
    if vm is None or vm.split("#", 1)[0] != issuer:
        return Check.fail(
            "issuer-key",
            f"the credential was signed with {vm}, which is not a key of its issuer {issuer}",
            f"자격증명이 발급자 {issuer}의 키가 아닌 {vm}로 서명되었습니다",
        )
    when = result.created.strftime("%Y-%m-%d %H:%M UTC") if result.created else "?"
    return Check.pass_(
        "issuer-key",
        f"{vm} was a valid key of the issuer when it signed ({when})",
        f"{vm}는 서명 시점({when})에 발급자의 유효한 키였습니다",
    )


def _fold_sd(
    result: sdjwt.SdJwtVerification, names: Sequence[str], name: str, en: str, ko: str
) -> Check:
    done = [c for c in result.checks if c.name in names]
    failed = next((c for c in done if not c.ok), None)
    if failed is not None:
        return failed.renamed(name)
    if not result.ok:
        stopped = result.failures[-1] if result.failures else None
        return Check.fail(
            name,
            f"not checked: {stopped.reason_en}" if stopped else "not checked",
            f"확인하지 못했습니다: {stopped.reason_ko}" if stopped else "확인하지 못했습니다",
        )
    return Check.pass_(name, en, ko)


def _read_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _validity(credential: dict[str, Any], now: datetime) -> Check:
    starts = credential.get("validFrom")
    ends = credential.get("validUntil")
    start = _read_time(starts) if starts is not None else None
    end = _read_time(ends) if ends is not None else None
    if (starts is not None and start is None) or (ends is not None and end is None):
        return Check.fail(
            "validity",
            "validFrom or validUntil is not a date-time with a time zone",
            "validFrom 또는 validUntil이 시간대가 있는 날짜-시각이 아닙니다",
        )
    if start is not None and now < start:
        return Check.fail(
            "validity",
            f"not valid yet: valid from {starts}",
            f"아직 유효하지 않습니다: {starts}부터 유효합니다",
        )
    if end is not None and now >= end:
        return Check.fail("validity", f"expired on {ends}", f"{ends}에 유효 기간이 끝났습니다")
    until_en = f" until {ends}" if end else ", with no end date"
    until_ko = f" {ends}까지" if end else " (종료일 없음)"
    return Check.pass_(
        "validity",
        f"valid from {starts}{until_en}",
        f"{starts}부터{until_ko} 유효합니다",
    )


def _check_pdf(intact: bool, base_digest: bytes, credential: object) -> Check:
    if not intact:
        return Check.fail(
            "document",
            "the PDF was changed after it was issued (its bytes differ from what the issuer "
            "sealed)",
            "PDF가 발급된 뒤 바뀌었습니다 (발급자가 봉인한 내용과 다릅니다)",
        )
    expected = "sha256-" + base64.b64encode(base_digest).decode("ascii")
    related = credential.get("relatedResource", []) if isinstance(credential, dict) else []
    related = related if isinstance(related, list) else [related]
    for item in related:
        if (
            isinstance(item, dict)
            and item.get("mediaType") == PDF_MEDIA_TYPE
            and item.get("digestSRI") == expected
        ):
            return Check.pass_(
                "document",
                "the PDF's pages are exactly the ones the credential vouches for",
                "PDF의 내용이 자격증명이 보증하는 그대로입니다",
            )
    return Check.fail(
        "document",
        "the credential does not vouch for this PDF's pages: the visible document was replaced",
        "자격증명이 이 PDF의 내용을 보증하지 않습니다. 보이는 문서가 바뀌었습니다",
    )


def _age(seconds: int | None) -> tuple[str, str]:
    if seconds is None or seconds < 60:
        return "now", "지금"
    if seconds < 3600:
        return f"{seconds // 60} min ago", f"{seconds // 60}분 전"
    if seconds < 86400:
        return f"{seconds // 3600} h ago", f"{seconds // 3600}시간 전"
    return f"{seconds // 86400} days ago", f"{seconds // 86400}일 전"


def _purpose_en(purpose: str | None) -> str:
    return {"revocation": "revocation", "suspension": "suspension"}.get(purpose or "", "status")


def _purpose_ko(purpose: str | None) -> str:
    return {"revocation": "폐지", "suspension": "정지"}.get(purpose or "", "상태 이상")


def pdf_digest_sri(base_pdf: bytes) -> str:
    """The ``digestSRI`` a credential carries for the PDF pages it vouches for."""
    return "sha256-" + base64.b64encode(sha256(base_pdf).digest()).decode("ascii")


__all__ = [
    "BUNDLE_TYPE",
    "MAX_INPUT_BYTES",
    "Verifier",
    "VerifierContext",
    "pdf_digest_sri",
]
