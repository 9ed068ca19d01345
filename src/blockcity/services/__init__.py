"""The city's services, one package each; every service registers its ledger entry types here."""

from __future__ import annotations

from blockcity.ledger.entries import EntryTypes
from blockcity.services import attendance, notices
from blockcity.services.labor import entries as labor_entries
from blockcity.services.wages import entries as wages_entries


def register_entry_types(types: EntryTypes) -> None:
    """Fill ``types`` with every service's entry types."""
    notices.register(types)
    labor_entries.register(types)
    attendance.register(types)
    wages_entries.register(types)
