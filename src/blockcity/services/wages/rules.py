"""The wage-statement figures of one year (rounding, the mandatory items, how long an objection
may wait), loaded from ``data/<year>.json`` and validated once; a year without a file is a
clear error naming the years that have one. The labour-law figures themselves (weekly holiday,
premiums, the 5-employee threshold) stay in ``services/labor/data`` and are reused as they are.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from blockcity.errors import BlockcityError

_DATA = resources.files("blockcity.services.wages") / "data"
_YEAR_FILE = re.compile(r"^(\d{4})\.json$")

Source = Annotated[str, Field(min_length=1)]
MandatoryItem = Literal[
    "worker",
    "pay_date",
    "total_pay",
    "pay_items",
    "calculation_methods",
    "premium_hours",
    "deductions",
]


class NoWageRulesForYear(BlockcityError):
    code = "wages-no-rules-for-year"
    status = 422
    title_ko = "해당 연도의 임금명세서 기준이 없습니다"
    title_en = "No wage-statement rules for that year"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rounding(_Data):
    pay_items: Literal["up"]
    source: Source


class Mandatory(_Data):
    value: Annotated[tuple[MandatoryItem, ...], Field(min_length=1)]
    source: Source


class Days(_Data):
    value: Annotated[int, Field(gt=0, le=90)]
    source: Source


class WageRules(_Data):
    year: Annotated[int, Field(ge=2021)]
    in_force_from: date
    in_force_source: Source
    rounding: Rounding
    mandatory_items: Mandatory
    objection_answer_days: Days

    @classmethod
    def for_year(cls, year: int) -> WageRules:
        return _load(year)


def available_years() -> list[int]:
    return sorted(
        int(match.group(1))
        for entry in _DATA.iterdir()
        if (match := _YEAR_FILE.match(entry.name)) is not None
    )


@functools.cache
def _load(year: int) -> WageRules:
    years = available_years()
    if year not in years:
        listed = ", ".join(str(y) for y in years)
        raise NoWageRulesForYear(
            f"There are no wage-statement rules for {year}; rules exist for {listed}. Add the "
            "year's data file before issuing statements for it.",
            f"{year}년의 임금명세서 기준이 없습니다. 기준이 있는 연도는 {listed}입니다. 그 해의 "
            "기준 파일을 먼저 추가하세요.",
            year=year,
            available_years=years,
        )
    rules = WageRules.model_validate_json((_DATA / f"{year}.json").read_text(encoding="utf-8"))
    if rules.year != year:
        raise ValueError(f"wages data file {year}.json holds the year {rules.year}")
    return rules
