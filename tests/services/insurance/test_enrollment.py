"""An insurer confirms enrollment with a credential: trusted for that type by the city,
verifiable by anyone, carrying DIDs and dates only; an insurer the city does not trust, or a
report for another insurer, gets nothing issued."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from blockcity.credentials.enrolment import enrol_issuer
from blockcity.credentials.registry import IssuerNotTrusted
from blockcity.errors import InvalidInput
from blockcity.node import Node
from blockcity.services.insurance import (
    AcquisitionReport,
    EmploymentFacts,
    InsuranceRules,
    Insurer,
    WorkerFacts,
    acquisition_reports,
    coverage,
)
from blockcity.services.insurance.enrollment import ENROLLMENT_CREDENTIAL, confirm_enrollment
from tests.credentials.issuing import CAFE, Clock, bundle_bytes, failed, holder_did, issuing_node

NPS = "did:web:seoul.blockcity.example:org:nps"
COMWEL = "did:web:seoul.blockcity.example:org:comwel"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    clock = Clock()
    with issuing_node(tmp_path / "data", clock) as opened:
        assert opened.city is not None
        for did, name, types in (
            (NPS, "국민연금공단", [ENROLLMENT_CREDENTIAL]),
            (COMWEL, "근로복지공단", []),
        ):
            enrol_issuer(
                opened.submit,
                (opened.city.kid, opened.city.key),
                opened.dids,
                opened.credentials,
                did,
                types,
                name_ko=name,
                name_en=name,
                valid_from=clock.now,
                at=clock.now,
            )
        yield opened


def reports(worker: str) -> list[AcquisitionReport]:
    on = date(2026, 3, 10)
    rules = InsuranceRules.for_date(on)
    return list(
        acquisition_reports(
            employer_did=CAFE,
            worker_did=worker,
            worker_vault_ref="vault:3f9c2a7b41d84e0c9b1a",
            acquired_on=on,
            monthly_pay=2_156_880,
            coverage=coverage(
                WorkerFacts(age=30, age_at_hire=30),
                EmploymentFacts(start=on, weekly_hours=Decimal(40), days_per_week=5),
                rules,
            ),
            rules=rules,
        )
    )


def test_the_pension_service_confirms_enrollment_with_a_credential_anyone_can_verify(
    node: Node,
) -> None:
    worker = holder_did()
    pension = [r for r in reports(worker) if r.insurer is Insurer.NPS]
    [issued] = confirm_enrollment(node.credentials, Insurer.NPS, NPS, pension)
    assert issued.holder == worker
    assert issued.document["credentialSubject"] == {
        "id": worker,
        "insurance": "national_pension",
        "insurer": "nps",
        "employer": CAFE,
        "enrolledOn": "2026-03-10",
    }
    verdict = node.verifier().verify(bundle_bytes(node, issued.id))
    assert verdict.valid, failed(verdict)
    assert "2156880" not in bundle_bytes(node, issued.id).decode()


def test_an_insurer_the_city_does_not_trust_for_enrollment_issues_nothing(node: Node) -> None:
    employment = [r for r in reports(holder_did()) if r.insurer is Insurer.COMWEL]
    with pytest.raises(IssuerNotTrusted):
        confirm_enrollment(node.credentials, Insurer.COMWEL, COMWEL, employment)
    assert node.credentials.issued_by(COMWEL) == []


def test_a_report_filed_with_another_insurer_is_refused(node: Node) -> None:
    wrong = [r for r in reports(holder_did()) if r.insurer is Insurer.COMWEL]
    with pytest.raises(InvalidInput, match="filed with comwel"):
        confirm_enrollment(node.credentials, Insurer.NPS, NPS, wrong)
    with pytest.raises(InvalidInput):
        confirm_enrollment(node.credentials, Insurer.NPS, NPS, [])
    assert node.credentials.issued_by(NPS) == []
