"""The wage-statement service on a running node: issuing anchors the statement's digest, the
worker signs receipt or objects and the employer answers, strangers see nothing, and the
worker's dispute bundle verifies offline with the one verifier, and fails when tampered with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from blockcity.crypto import canonical_json
from blockcity.documents import open_sealed_pdf
from blockcity.errors import NotFound
from blockcity.services.wages.dispute import export_record
from blockcity.services.wages.entries import ObjectionCategory
from blockcity.services.wages.service import StatementExists
from tests.identity.orgs_world import PASSWORD
from tests.services.labor.service_world import LaborWorld, labor_world
from tests.services.wages.shifts import on

TAXES = {"income_tax": 45_000, "local_income_tax": 4_500}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LaborWorld]:
    with labor_world(tmp_path / "node") as w:
        # Mon-Fri 09:00-18:00 through March, as node.attendance.shifts would give them.
        w.node.wages.shifts = lambda contract_id, start, end: [
            s for s in on(range(5), "09:00", "18:00", 60) if start <= s.day <= end
        ]
        yield w


def _issued(world: LaborWorld) -> tuple[str, str]:
    concluded = world.conclude()
    issued = world.node.wages.issue(
        world.manager.account, concluded.contract.id, 2026, 3, TAXES, industry="construction"
    )
    return concluded.contract.id, issued.id


def test_issued_statement_is_anchored_by_digest_only(world: LaborWorld) -> None:
    contract_id, statement_id = _issued(world)
    issued = world.node.wages.get(world.worker.account, statement_id)
    entry = json.loads(world.node.ledger.entry(issued.ledger_index).data)
    assert entry["type"] == "wages.statement.issued"
    assert entry["body"]["statement_digest"] == issued.digest
    # Digests and DIDs only: no amount and no name reach the ledger.
    assert "2300000" not in json.dumps(entry) and "김민지" not in json.dumps(entry)
    # Fixed-term from 2 March, monthly 2,300,000: 30 of 31 days employed,
    # 2,300,000 x 30 / 31 = 2,225,806.45 -> 2,225,807.
    assert issued.statement.item("base").amount == 2_225_807  # type: ignore[union-attr]
    with pytest.raises(StatementExists):
        world.node.wages.issue(
            world.manager.account, contract_id, 2026, 3, TAXES, industry="construction"
        )


def test_pdf_carries_the_statement_and_its_anchor(world: LaborWorld) -> None:
    _, statement_id = _issued(world)
    pdf = world.node.wages.pdf(world.worker.account, statement_id, "김민지")
    sealed = open_sealed_pdf(pdf)
    assert sealed.intact
    attached = json.loads(sealed.attachment.payload)
    assert attached["statement"]["id"] == statement_id
    assert attached["anchor"]["index"] >= 0


def test_a_stranger_is_told_the_statement_does_not_exist(world: LaborWorld) -> None:
    _, statement_id = _issued(world)
    stranger = world.node.seoul_pass.accounts.create("outsider", PASSWORD, "남")
    with pytest.raises(NotFound):
        world.node.wages.get(stranger, statement_id)
    with pytest.raises(NotFound):
        world.node.wages.object(stranger, statement_id, ObjectionCategory.HOURS, "틀렸어요")


def test_receipt_objection_and_answer_are_each_on_the_ledger(world: LaborWorld) -> None:
    _, statement_id = _issued(world)
    wages = world.node.wages
    issued = wages.get(world.worker.account, statement_id)
    record = world.worker.sign(bytes.fromhex(issued.digest))
    acknowledged = wages.acknowledge(world.worker.account, statement_id, record)
    assert acknowledged.acknowledgement == record
    objection = wages.object(
        world.worker.account, statement_id, ObjectionCategory.HOURS, "3월 12일 연장근로 누락"
    )
    org = world.world.org.id
    assert [o.id for o in wages.open_objections(world.manager.account, org)] == [objection.id]
    world.world.clock.advance(days=8)
    assert wages.open_objections(world.manager.account, org)[0].overdue
    answered = wages.answer(world.manager.account, objection.id, "확인 후 4월에 정산합니다")
    assert answered.answer is not None and not answered.overdue
    assert wages.open_objections(world.manager.account, org) == []


def test_dispute_bundle_verifies_offline_and_a_changed_amount_fails(world: LaborWorld) -> None:
    contract_id, statement_id = _issued(world)
    wages = world.node.wages
    issued = wages.get(world.worker.account, statement_id)
    wages.acknowledge(
        world.worker.account, statement_id, world.worker.sign(bytes.fromhex(issued.digest))
    )
    wages.object(world.worker.account, statement_id, ObjectionCategory.DEDUCTION, "소득세 확인")
    node = world.node
    bundle = export_record(
        world.worker.account,
        contract_id,
        labor=node.labor,
        attendance=node.attendance,
        wages=wages,
        today=date(2026, 4, 15),
    )
    verdict = node.verifier().verify(bundle)
    names = [c.name for c in verdict.checks]
    assert verdict.valid, verdict.to_dict("en")
    assert {"contract", "signatures", "attendance", "statements", "ledger"} <= set(names)

    tampered = json.loads(bundle)
    tampered["statements"][0]["statement"]["net_pay"] += 100_000
    failed = node.verifier().verify(canonical_json(tampered))
    assert not failed.valid
    assert next(c.name for c in failed.failures) == "statements"

    forged = json.loads(bundle)
    forged["contract"][0]["document"]["terms"]["wage"]["amount"] = 3_000_000
    assert "contract" in [c.name for c in node.verifier().verify(canonical_json(forged)).failures]


def test_only_the_worker_exports_their_record(world: LaborWorld) -> None:
    contract_id, _ = _issued(world)
    stranger = world.node.seoul_pass.accounts.create("outsider", PASSWORD, "남")
    node = world.node
    with pytest.raises(NotFound):
        export_record(
            stranger,
            contract_id,
            labor=node.labor,
            attendance=node.attendance,
            wages=node.wages,
            today=date(2026, 4, 15) + timedelta(days=0),
        )
