"""The bulk path: many drafts and links at once, each worker signing their own contract, and the
employer countersigning the batch after one step-up, anchored in shared durable blocks; every
item keeps the checks of the one-at-a-time path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.identity.signing import SignatureRecord, SignatureRejected
from blockcity.ledger.audit import audit
from blockcity.services.labor import ContractDraft, FormKind
from blockcity.services.labor.contracts import ContractNotReady, NotAllowed, WrongContractState
from blockcity.services.labor.records import Contract, ContractState
from tests.identity.orgs_world import PASSWORD
from tests.services.labor.service_world import PIN, LaborWorld, Signer, labor_world


@pytest.fixture
def lw(tmp_path: Path) -> Iterator[LaborWorld]:
    with labor_world(tmp_path / "data") as world:
        yield world


def signed_batch(lw: LaborWorld, size: int) -> list[Contract]:
    """``size`` contracts, each with its own worker, drafted and sent in bulk and each signed
    by that worker with their own key."""
    labor = lw.node.labor
    workers = [
        Signer(lw.node, lw.node.seoul_pass.accounts.create(f"worker{n}", PASSWORD, "노동자"))
        for n in range(size)
    ]
    drafts = []
    for worker in workers:
        lw.worker = worker
        drafts.append(lw.draft())
    drafted = labor.draft_many(lw.manager.account, lw.world.org.id, drafts)
    invitations = labor.send_many(
        lw.manager.account, [(c.id, {"phone": "010-4821-7395"}) for c in drafted]
    )
    signed = []
    for worker, invitation in zip(workers, invitations, strict=True):
        lw.worker = worker
        signed.append(lw.worker_signs(labor.open_invitation(invitation.token), invitation.token))
    return signed


def foreign_draft(lw: LaborWorld) -> ContractDraft:
    """A lawful draft whose employer is the other organization."""
    data = lw.draft().model_dump(mode="json")
    return ContractDraft.parse({**data, "employer": {"organization_id": lw.world.other_org.id}})


def height(lw: LaborWorld) -> int:
    latest = lw.node.ledger.store.latest_block()
    assert latest is not None
    return latest.height


def employer_records(lw: LaborWorld, contracts: list[Contract]) -> list[SignatureRecord]:
    """The manager's countersignatures, all made after a single PIN step-up."""
    lw.node.seoul_pass.pins.step_up(lw.manager.token, lw.manager.device, PIN)
    sign = lw.node.seoul_pass.signing.sign_with_custodial_key
    records = []
    for contract in contracts:
        assert contract.digest is not None
        records.append(sign(lw.manager.token, bytes.fromhex(contract.digest)).record)
    return records


def test_a_batch_is_concluded_after_one_step_up_and_anchored_in_shared_blocks(
    lw: LaborWorld,
) -> None:
    lw.conclude()  # the employer's first contract registers its did:web, in blocks of its own
    contracts = signed_batch(lw, 6)
    blocks_before = height(lw)
    records = employer_records(lw, contracts)
    results = lw.node.labor.countersign_many(
        lw.manager.account, [(c.id, r) for c, r in zip(contracts, records, strict=True)]
    )
    assert all(isinstance(r, Contract) and r.state is ContractState.CONCLUDED for r in results)
    indexes = {r.ledger_index for r in results if isinstance(r, Contract)}
    assert len(indexes) == 6 and None not in indexes
    # Six entries, fewer durable blocks: the batch shares them.
    assert height(lw) - blocks_before < 6
    report = audit(
        lw.node.ledger.store,
        lw.node.ledger.verifier_key(),
        lw.node.ledger.origin,
        lambda data: lw.node.validator.check(data, check_time=False),
    )
    assert report.ok, report.problems
    # The PDFs are made on demand.
    pdf = lw.node.labor.contract_pdf(lw.manager.account, contracts[0].id, 1, copy_for="worker")
    assert pdf.startswith(b"%PDF")


def test_a_bad_item_fails_alone_and_the_rest_are_concluded(lw: LaborWorld) -> None:
    good, swapped, unsigned_target = signed_batch(lw, 3)
    records = employer_records(lw, [good, swapped, unsigned_target])
    other_org = lw.node.labor.draft(
        lw.world.stranger,
        lw.world.other_org.id,
        foreign_draft(lw),
    )
    results = lw.node.labor.countersign_many(
        lw.manager.account,
        [
            (good.id, records[0]),
            # The signature over another contract's document does not sign this one.
            (swapped.id, records[2]),
            (other_org.id, records[0]),
            ("no-such-contract", records[0]),
        ],
    )
    assert isinstance(results[0], Contract) and results[0].state is ContractState.CONCLUDED
    assert isinstance(results[1], SignatureRejected)
    assert isinstance(results[2], NotFound) and isinstance(results[3], NotFound)
    assert lw.node.labor.history(lw.manager.account, swapped.id)[0].state is (
        ContractState.WORKER_SIGNED
    )


def test_countersigning_twice_or_before_the_worker_is_refused_per_item(lw: LaborWorld) -> None:
    (contract,) = signed_batch(lw, 1)
    (record,) = employer_records(lw, [contract])
    first, again = (
        lw.node.labor.countersign_many(lw.manager.account, [(contract.id, record)])[0]
        for _ in range(2)
    )
    assert isinstance(first, Contract)
    assert isinstance(again, WrongContractState)
    drafted = lw.node.labor.draft(lw.manager.account, lw.world.org.id, lw.draft())
    (early,) = lw.node.labor.countersign_many(lw.manager.account, [(drafted.id, record)])
    assert isinstance(early, BlockcityError)


def test_a_clerk_cannot_countersign_a_batch(lw: LaborWorld) -> None:
    (contract,) = signed_batch(lw, 1)
    clerk = Signer(lw.node, lw.world.clerk)
    assert contract.digest is not None
    record = clerk.sign(bytes.fromhex(contract.digest))
    (result,) = lw.node.labor.countersign_many(lw.world.clerk, [(contract.id, record)])
    assert isinstance(result, NotAllowed)


def test_a_draft_for_another_employer_refuses_the_whole_batch(lw: LaborWorld) -> None:
    foreign = foreign_draft(lw)
    with pytest.raises(InvalidInput):
        lw.node.labor.draft_many(lw.manager.account, lw.world.org.id, [lw.draft(), foreign])
    assert lw.node.labor.for_organization(lw.manager.account, lw.world.org.id) == []


def test_one_unready_contract_refuses_the_whole_send(lw: LaborWorld) -> None:
    ready, unready = lw.node.labor.draft_many(
        lw.manager.account,
        lw.world.org.id,
        [lw.draft(), lw.draft(FormKind.FIXED_TERM, workplace=None)],
    )
    with pytest.raises(ContractNotReady):
        lw.node.labor.send_many(
            lw.manager.account,
            [(ready.id, {"phone": "010-4821-7395"}), (unready.id, {"phone": "010-4821-7395"})],
        )
    assert lw.node.labor.history(lw.manager.account, ready.id)[0].state is ContractState.DRAFT
    assert lw.node.labor.outbox.pending() == []
