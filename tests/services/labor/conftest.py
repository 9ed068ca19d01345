"""The 2026 rules, loaded once for the labour tests."""

from __future__ import annotations

import pytest

from blockcity.services.labor import LaborRules


@pytest.fixture(scope="session")
def rules() -> LaborRules:
    return LaborRules.for_year(2026)
