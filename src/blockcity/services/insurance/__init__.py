"""The four social insurances (4대보험): who is covered, what each side pays each month, and the
acquisition and loss reports an employer files. Pure domain code: no HTTP, no ledger."""

from blockcity.services.insurance.contributions import (
    Contributions,
    Line,
    monthly_contributions,
    pension_base,
    stability_rate,
)
from blockcity.services.insurance.coverage import Coverage, Decision, EmploymentDecision, coverage
from blockcity.services.insurance.model import (
    INSURER_OF,
    EmployerFacts,
    EmploymentFacts,
    InsuranceKind,
    Insurer,
    WorkerFacts,
)
from blockcity.services.insurance.reports import (
    AcquisitionReport,
    LossReason,
    LossReport,
    acquisition_reports,
    loss_reports,
)
from blockcity.services.insurance.rules import (
    InsuranceRules,
    InsuranceRulesMissing,
    UnknownIndustry,
)

__all__ = [
    "INSURER_OF",
    "AcquisitionReport",
    "Contributions",
    "Coverage",
    "Decision",
    "EmployerFacts",
    "EmploymentDecision",
    "EmploymentFacts",
    "InsuranceKind",
    "InsuranceRules",
    "InsuranceRulesMissing",
    "Insurer",
    "Line",
    "LossReason",
    "LossReport",
    "UnknownIndustry",
    "WorkerFacts",
    "acquisition_reports",
    "coverage",
    "loss_reports",
    "monthly_contributions",
    "pension_base",
    "stability_rate",
]
