"""Concluded labour contracts as attendance sees them: who works where on which hours, read
from the labour contract service (``Node.labor``)."""

from __future__ import annotations

from blockcity.identity.accounts import Accounts
from blockcity.services.attendance.model import ContractTerms
from blockcity.services.labor.contracts import LaborContracts
from blockcity.services.labor.records import Contract, ContractState


class LaborContractSource:
    def __init__(self, labor: LaborContracts, accounts: Accounts) -> None:
        self.labor = labor
        self.accounts = accounts

    def terms(self, contract_id: str) -> ContractTerms | None:
        """The latest concluded version of the contract, or None if it was never concluded."""
        concluded = [
            version
            for version in self.labor.history_unchecked(contract_id)
            if version.state is ContractState.CONCLUDED
        ]
        return _terms(concluded[-1]) if concluded else None

    def contract_ids(self, worker_did: str) -> list[str]:
        account = self.accounts.by_did(worker_did)
        if account is None:
            return []
        return [
            contract.id
            for contract in self.labor.for_worker(account)
            if contract.state is ContractState.CONCLUDED
        ]


def _terms(contract: Contract) -> ContractTerms:
    draft = contract.draft
    return ContractTerms(
        contract_id=contract.id,
        organization_id=contract.organization_id,
        worker_did=contract.worker_did,
        workplace=draft.workplace or "",
        days=draft.schedule.days() if draft.schedule is not None else {},
        period=draft.period,
    )
