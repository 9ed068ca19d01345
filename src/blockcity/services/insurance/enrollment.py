"""Insurers as issuing agencies: an insurer confirms a worker's enrollment with a credential.

Each insurer (NPS, NHIS, COMWEL) is an organization with a did:web that the city trusts, in the
trusted-issuer registry, to issue ``InsuranceEnrollmentCredential``. When it has processed an
employer's acquisition report, it issues the worker a credential saying which insurance covers
them since when and through which employer: DIDs and dates only, so the credential can be shown
to anyone (a bank, a labor office) without revealing pay or identity.
"""

from __future__ import annotations

from collections.abc import Sequence

from blockcity.credentials.service import Credentials, IssuedCredential, IssueRequest
from blockcity.errors import InvalidInput
from blockcity.services.insurance.model import INSURER_OF, Insurer
from blockcity.services.insurance.reports import AcquisitionReport

ENROLLMENT_CREDENTIAL = "InsuranceEnrollmentCredential"


def confirm_enrollment(
    credentials: Credentials,
    insurer: Insurer,
    insurer_did: str,
    reports: Sequence[AcquisitionReport],
) -> list[IssuedCredential]:
    """Issue one enrollment credential per report, signed by the platform-held key of
    ``insurer_did``, the organization that is ``insurer``. Every report must be filed with that
    insurer; the ledger refuses the credentials unless the city trusts the insurer for them."""
    if not reports:
        raise InvalidInput(
            "give at least one acquisition report to confirm",
            "확인할 취득 신고를 하나 이상 주십시오",
        )
    kid, _ = credentials.issuer_signer(insurer_did)
    requests = []
    for report in reports:
        if report.insurer != insurer or INSURER_OF[report.insurance] != insurer:
            raise InvalidInput(
                f"the {report.insurance} report is filed with {report.insurer}, not {insurer}",
                f"{report.insurance} 신고는 {insurer}가 아니라 {report.insurer}에 하는 것입니다",
            )
        requests.append(
            IssueRequest(
                kid,
                ENROLLMENT_CREDENTIAL,
                report.worker_did,
                {
                    "insurance": report.insurance.value,
                    "insurer": report.insurer.value,
                    "employer": report.employer_did,
                    "enrolledOn": report.acquired_on.isoformat(),
                },
            )
        )
    issued = credentials.issue_many(requests)
    failures = [result for result in issued if not isinstance(result, IssuedCredential)]
    if failures:
        raise failures[0]
    return [result for result in issued if isinstance(result, IssuedCredential)]
