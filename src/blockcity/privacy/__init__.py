"""The personal-data vault (DESIGN.md §6): per-person encryption, salted commitments for the
ledger, consent, erasure by crypto-shredding, and a hash-chained access log anchored on the
ledger."""

from blockcity.privacy.access_log import (
    ACCESS_LOG_ANCHORED,
    AccessLog,
    LogEvent,
    LogVerification,
    register_entry_types,
)
from blockcity.privacy.commitments import Commitment, commit, open_commitment
from blockcity.privacy.consent import Consent, ConsentNotFound, Consents
from blockcity.privacy.vault import (
    Erased,
    ErasureReport,
    Opening,
    RecordBroken,
    RecordInfo,
    RecordNotFound,
    UnderRetention,
    Vault,
    WrongMasterKey,
)

__all__ = [
    "ACCESS_LOG_ANCHORED",
    "AccessLog",
    "Commitment",
    "Consent",
    "ConsentNotFound",
    "Consents",
    "Erased",
    "ErasureReport",
    "LogEvent",
    "LogVerification",
    "Opening",
    "RecordBroken",
    "RecordInfo",
    "RecordNotFound",
    "UnderRetention",
    "Vault",
    "WrongMasterKey",
    "commit",
    "open_commitment",
    "register_entry_types",
]
