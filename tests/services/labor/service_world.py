"""A running node with an employer's staff, a worker who can sign with Seoul Pass, and helpers
that walk a contract through the service: what the contract-flow tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blockcity.identity.model import Account
from blockcity.identity.passwords import Passwords
from blockcity.identity.signing import SignatureRecord
from blockcity.node import Node
from blockcity.services.labor import ContractDraft, FormKind
from blockcity.services.labor.contracts import Concluded
from blockcity.services.labor.records import Contract, PersonalDetails
from tests.identity.orgs_world import FAST, PASSWORD, World, world_node
from tests.services.labor.drafts import complete

PIN = "250814"
PERSONAL = {
    "name": "김민지",
    "birth_date": "1998-04-17",
    "phone": "010-4821-7395",
    "bank_name": "신한은행",
    "account_number": "110-482-739512",
    "account_holder": "김민지",
}


class Signer:
    """A signed-in person with a PIN on their device, signing with their custodial key."""

    def __init__(self, node: Node, account: Account) -> None:
        self.node = node
        self.account = account
        self.token, _ = node.seoul_pass.sessions.start(account.id)
        self.device = node.seoul_pass.pins.enrol(self.token, None, PIN)

    def sign(self, digest: bytes) -> SignatureRecord:
        self.node.seoul_pass.pins.step_up(self.token, self.device, PIN)
        return self.node.seoul_pass.signing.sign_with_custodial_key(self.token, digest).record


@dataclass
class LaborWorld:
    node: Node
    world: World
    worker: Signer
    manager: Signer
    """A manager of ``world.org``."""

    def draft(self, form: FormKind = FormKind.FIXED_TERM, **changes: Any) -> ContractDraft:
        data = complete(form, **changes)
        data["employer"] = {"organization_id": self.world.org.id}
        data["worker_did"] = self.worker.account.did
        return ContractDraft.parse(data)

    def long_enough_draft(self, form: FormKind = FormKind.FIXED_TERM) -> ContractDraft:
        """A draft whose job began on 5 January 2026: on the world's first day (2 March) it has
        lasted 57 days, long enough for a certificate (Decree Art. 19: 30 days)."""
        return self.draft(form, period={"start": "2026-01-05", "end": "2026-12-31"})

    def personal(self) -> PersonalDetails:
        return PersonalDetails.parse(PERSONAL, today=self.world.clock().date())

    def sent(self, draft: ContractDraft | None = None) -> tuple[Contract, str]:
        labor = self.node.labor
        contract = labor.draft(self.manager.account, self.world.org.id, draft or self.draft())
        invitation = labor.send(self.manager.account, contract.id, {"phone": "010-4821-7395"})
        return labor.open_invitation(invitation.token), invitation.token

    def worker_signs(self, contract: Contract, token: str) -> Contract:
        assert contract.digest is not None
        record = self.worker.sign(bytes.fromhex(contract.digest))
        return self.node.labor.worker_sign(token, self.worker.account, self.personal(), record)

    def countersign(self, contract: Contract) -> Concluded:
        assert contract.digest is not None
        record = self.manager.sign(bytes.fromhex(contract.digest))
        return self.node.labor.countersign(self.manager.account, contract.id, record)

    def conclude(self, draft: ContractDraft | None = None) -> Concluded:
        contract, token = self.sent(draft)
        return self.countersign(self.worker_signs(contract, token))

    def send_version(self, contract: Contract) -> Concluded:
        invitation = self.node.labor.send(
            self.manager.account, contract.id, {"email": "minji@example.com"}
        )
        opened = self.node.labor.open_invitation(invitation.token)
        return self.countersign(self.worker_signs(opened, invitation.token))


@contextmanager
def labor_world(path: Path) -> Iterator[LaborWorld]:
    with world_node(path) as (world, node):
        # PINs are hashed like passwords; cheap hashing keeps the signers quick to make.
        node.seoul_pass.pins._passwords = Passwords(FAST)
        worker = node.seoul_pass.accounts.create("minji", PASSWORD, "김민지")
        yield LaborWorld(node, world, Signer(node, worker), Signer(node, world.manager))
