"""Wage statements (issue 6): the statement of a pay period computed from the contract and the
attendance (``statement.compute_statement``, pure), issued, anchored and acknowledged or
objected to (``service.WageStatements``, ``Node.wages``), and the worker's dispute bundle
(``dispute``) that a labour office verifies offline."""

from blockcity.services.wages.rules import NoWageRulesForYear, WageRules
from blockcity.services.wages.statement import (
    ContractRef,
    Deduction,
    EmployerEntered,
    InsuranceInput,
    InvalidStatementInput,
    OtherDeduction,
    PayItem,
    PayPeriod,
    WageStatement,
    WorkedShift,
    compute_statement,
    employment_facts,
)

__all__ = [
    "ContractRef",
    "Deduction",
    "EmployerEntered",
    "InsuranceInput",
    "InvalidStatementInput",
    "NoWageRulesForYear",
    "OtherDeduction",
    "PayItem",
    "PayPeriod",
    "WageRules",
    "WageStatement",
    "WorkedShift",
    "compute_statement",
    "employment_facts",
]
