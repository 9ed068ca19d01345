"""The Seoul Pass identity credential on the credentials side: the city issues it through
``Credentials`` and revokes it in its status list, on behalf of identity proofing
(``blockcity.identity.proofing``), which knows only its ``IdentityCredentialIssuer`` protocol.

It also folds the checks of the certificates issued before the credential
(``SeoulPassIdentityCertificate``) into the one verifier's ``Verdict``, so ``blockcity verify``
and the verify page and API keep accepting them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from blockcity.credentials.anchor import LedgerTrust
from blockcity.credentials.checks import Verdict
from blockcity.credentials.enrolment import enrol_issuer
from blockcity.credentials.registry import IssuerRegistry, Submit
from blockcity.credentials.service import Credentials, IssueRequest
from blockcity.credentials.verifier import DocumentVerifier
from blockcity.crypto import KeyResolver, SigningKey
from blockcity.identity.dids import DidRegistry
from blockcity.identity.proofing import (
    IDENTITY_CREDENTIAL_TYPE,
    CertificateCheck,
    IdentityCredential,
    RevocationIndex,
    verify_certificate,
)
from blockcity.ledger.log import Ledger

CITY_NAME_KO = "서울특별시"
CITY_NAME_EN = "Seoul Metropolitan Government"

_enrolling = threading.Lock()
"""One enrolment at a time: two first issuances must not both register the city's DID."""


class CityIdentityCredentials:
    """The city as issuer of identity credentials under its did:web, enrolled in the DID and
    trusted-issuer registries on first use (the city's own key, held by the platform)."""

    def __init__(
        self,
        credentials: Credentials,
        dids: DidRegistry,
        issuers: IssuerRegistry,
        submit: Submit,
        city: tuple[str, SigningKey],
        did: str,
        clock: Callable[[], datetime],
    ) -> None:
        """``city`` is the city's root key id and key (it signs registry entries); ``did`` is
        the city's did:web, which issues the credentials."""
        self._credentials = credentials
        self._dids = dids
        self._issuers = issuers
        self._submit = submit
        self._city = city
        self.did = did
        self._clock = clock

    def issuer_kid(self) -> str:
        """The key id the city issues identity credentials with: its did:web is registered,
        its key held and the registry trusts it for the type, unless all of that is done."""
        with _enrolling:
            now = self._clock()
            registered = any(record.did == self.did for record in self._dids.dids())
            trusted = self._issuers.decide(self.did, IDENTITY_CREDENTIAL_TYPE, now).trusted
            held = self._credentials.issuer_kids(self.did)
            if registered and trusted and held:
                return held[-1]
            return enrol_issuer(
                self._submit,
                self._city,
                self._dids,
                self._credentials,
                self.did,
                [] if trusted else [IDENTITY_CREDENTIAL_TYPE],
                name_ko=CITY_NAME_KO,
                name_en=CITY_NAME_EN,
                valid_from=now,
                key=None if held else self._city[1],
                at=now,
            )

    def issue(self, subject_did: str, claims: Mapping[str, Any]) -> IdentityCredential:
        issued = self._credentials.issue(
            IssueRequest(self.issuer_kid(), IDENTITY_CREDENTIAL_TYPE, subject_did, claims)
        )
        return IdentityCredential(issued.id, issued.document, issued.digest)

    def revoke(self, credential_id: str) -> None:
        self._credentials.set_status(credential_id, "revoke", issuer=self.did)


def certificate_verifier(
    ledger: Ledger, city_dids: Callable[[], Iterable[str]]
) -> DocumentVerifier:
    """The one verifier's check of a version 1 certificate: against ``ledger`` (the verifier's
    own copy) and the city's DIDs as ``city_dids`` names them when a certificate comes in."""
    revocations = RevocationIndex(ledger)

    def verify(document: dict[str, Any], keys: KeyResolver, trust: LedgerTrust | None) -> Verdict:
        result = verify_certificate(
            document, city_dids(), ledger, revocations=revocations, resolver=keys
        )
        return certificate_verdict(result, document)

    return verify


def certificate_verdict(result: CertificateCheck, document: dict[str, Any]) -> Verdict:
    """A version 1 certificate's checks as the one verifier reports them, with what the
    certificate says for display."""
    if not result.checks[0].ok:
        return Verdict("identity-certificate", result.checks)
    summary = {
        "issuer": document.get("issuer"),
        "types": [document.get("type")],
        "valid_from": document.get("issued_at"),
        "subject": {"id": document.get("subject"), "commitment": document.get("commitment")},
    }
    return Verdict("identity-certificate", result.checks, summary)


__all__ = [
    "CITY_NAME_EN",
    "CITY_NAME_KO",
    "CityIdentityCredentials",
    "certificate_verdict",
    "certificate_verifier",
]
