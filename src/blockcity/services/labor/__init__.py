"""Labour contracts (issue 5): drafts from the MOEL standard forms and the law checked while
drafting, as pure functions over a year's rules, and which jobs a certificate of employment
may cover (Decree Art. 19). The service that sends, signs, anchors and certifies contracts is
``contracts.LaborContracts`` (``Node.labor``)."""

from blockcity.services.labor.check import (
    ContractCheck,
    Finding,
    RulesYearMismatch,
    check_contract,
    monthly_standard_hours,
    night_minutes,
    overtime_minutes,
    required_break_minutes,
    weekly_contract_minutes,
    weekly_holiday_hours,
)
from blockcity.services.labor.eligibility import (
    Bar,
    Eligibility,
    Refusal,
    certificate_eligibility,
)
from blockcity.services.labor.model import (
    ContractDraft,
    FormKind,
    InvalidContractDraft,
    RequiredItem,
    Severity,
    WageKind,
    Weekday,
    Won,
)
from blockcity.services.labor.rules import (
    Certificate,
    LaborRules,
    NoRulesForYear,
    available_years,
)

__all__ = [
    "Bar",
    "Certificate",
    "ContractCheck",
    "ContractDraft",
    "Eligibility",
    "Finding",
    "FormKind",
    "InvalidContractDraft",
    "LaborRules",
    "NoRulesForYear",
    "Refusal",
    "RequiredItem",
    "RulesYearMismatch",
    "Severity",
    "WageKind",
    "Weekday",
    "Won",
    "available_years",
    "certificate_eligibility",
    "check_contract",
    "monthly_standard_hours",
    "night_minutes",
    "overtime_minutes",
    "required_break_minutes",
    "weekly_contract_minutes",
    "weekly_holiday_hours",
]
