"""The labour-law figures of one year and the required items of each standard form, loaded from
the JSON files in ``data/`` and validated once: rules are data, never literals in code.

Each data file cites its source (FACTS.md section and law article); ``LaborRules.for_year``
refuses a year that has no file, naming the years that do.
"""

from __future__ import annotations

import enum
import functools
import json
import re
from datetime import date, time
from importlib import resources
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from blockcity.errors import BlockcityError
from blockcity.services.labor.model import FormKind, RequiredItem, Severity

_DATA = resources.files("blockcity.services.labor") / "data"
_YEAR_FILE = re.compile(r"^year-(\d{4})\.json$")

Positive = Annotated[int, Field(gt=0)]
Source = Annotated[str, Field(min_length=1)]


class NoRulesForYear(BlockcityError):
    """The law figures of a year are not in the package (yet)."""

    code = "labor-no-rules-for-year"
    status = 422
    title_ko = "해당 연도의 노동법 기준이 없습니다"
    title_en = "No labour-law rules for that year"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class MinimumWage(_Data):
    hourly: Positive
    monthly: Positive
    monthly_hours: Positive
    source: Source

    @model_validator(mode="after")
    def _monthly_is_hourly_times_hours(self) -> Self:
        if self.hourly * self.monthly_hours != self.monthly:
            raise ValueError("minimum_wage.monthly must equal hourly x monthly_hours")
        return self


class WeeklyHoliday(_Data):
    threshold_hours: Positive
    full_time_weekly_hours: Positive
    paid_hours_at_full_time: Positive
    max_hours: Positive
    source: Source


class MonthConversion(_Data):
    days_per_year: Positive
    days_per_week: Positive
    months_per_year: Positive
    source: Source


class BreakRule(_Data):
    min_worked_minutes: Positive
    break_minutes: Positive


class Breaks(_Data):
    rules: Annotated[tuple[BreakRule, ...], Field(min_length=1)]
    source: Source

    @model_validator(mode="after")
    def _ascending(self) -> Self:
        thresholds = [rule.min_worked_minutes for rule in self.rules]
        needs = [rule.break_minutes for rule in self.rules]
        if thresholds != sorted(set(thresholds)) or needs != sorted(set(needs)):
            raise ValueError("breaks.rules must ascend in both worked and break minutes")
        return self


class Hours(_Data):
    statutory_daily: Positive
    statutory_weekly: Positive
    overtime_weekly_max: Positive
    source: Source


class MinorHours(_Data):
    daily: Positive
    weekly: Positive
    extra_daily_by_agreement: Positive
    extra_weekly_by_agreement: Positive
    source: Source


class Premiums(_Data):
    overtime_percent: Positive
    night_percent: Positive
    holiday_percent_up_to_threshold: Positive
    holiday_percent_over_threshold: Positive
    holiday_threshold_hours: Positive
    part_time_excess_percent: Positive
    night_start: time
    night_end: time
    source: Source


class Workplace(_Data):
    full_rules_from_headcount: Positive
    source: Source


class Retention(_Data):
    """How long the employer keeps a contract once the employment has ended (LSA Art. 42)."""

    years_after_end: Positive
    source: Source


class Certificate(_Data):
    """Which jobs a certificate of employment covers (LSA Art. 39, Decree Art. 19): those of at
    least ``min_continuous_days`` days, asked for while employed or within
    ``request_years_after_end`` years after leaving."""

    in_force_from: date | None
    """When this version of the Decree took effect; None for the one in force before any
    contract the platform holds."""
    in_force_note: Source | None = None
    min_continuous_days: Positive
    request_years_after_end: Positive
    basis: Source
    """The article the refusals cite, in English."""
    basis_ko: Source
    source: Source

    @classmethod
    def on(cls, requested_on: date) -> Certificate:
        """The rule in force on ``requested_on``: the law on the day the worker asks decides,
        and it changes when the Decree is amended, not with the calendar year."""
        in_force = [
            version
            for version in _certificate_versions()
            if version.in_force_from is None or version.in_force_from <= requested_on
        ]
        return in_force[-1]


class _CertificateVersions(_Data):
    about: Source
    versions: Annotated[tuple[Certificate, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _in_order_from_the_first(self) -> Self:
        first, *later = self.versions
        if first.in_force_from is not None:
            raise ValueError("the first certificate rule is the one in force from the start")
        dates = [version.in_force_from for version in later]
        if any(d is None for d in dates) or dates != sorted(dates):  # type: ignore[type-var]
            raise ValueError("later certificate rules need in-force dates in ascending order")
        return self


@functools.cache
def _certificate_versions() -> tuple[Certificate, ...]:
    text = (_DATA / "certificate.json").read_text(encoding="utf-8")
    return _CertificateVersions.model_validate_json(text).versions


class Applies(enum.StrEnum):
    """When a form item is required: some exist only where the law they state applies."""

    ALWAYS = "always"
    WEEKLY_HOLIDAY_ELIGIBLE = "weekly_holiday_eligible"
    """Only from the weekly-holiday threshold (LSA Art. 18(3))."""
    ANNUAL_LEAVE_ELIGIBLE = "annual_leave_eligible"
    """Only from that threshold and at workplaces of 5+ (LSA Art. 18(3), Decree Art. 7)."""


class FormItem(_Data):
    item: RequiredItem
    basis: Source
    basis_ko: Source
    severity: Severity
    applies: Applies

    @model_validator(mode="after")
    def _error_or_warning(self) -> Self:
        if self.severity is Severity.INFO:
            raise ValueError("a required item is an error or a warning when missing")
        return self


class StandardForm(_Data):
    kind: FormKind
    title_ko: Source
    title_en: Source
    source: Source
    items: Annotated[tuple[FormItem, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _each_item_once(self) -> Self:
        names = [item.item for item in self.items]
        if len(names) != len(set(names)):
            raise ValueError(f"form {self.kind}: an item is listed twice")
        return self


class LaborRules(_Data):
    """Everything the contract check needs for contracts of one year."""

    year: Positive
    minimum_wage: MinimumWage
    weekly_holiday: WeeklyHoliday
    month_conversion: MonthConversion
    breaks: Breaks
    hours: Hours
    minors: MinorHours
    premiums: Premiums
    workplace: Workplace
    retention: Retention
    forms: dict[FormKind, StandardForm]

    @model_validator(mode="after")
    def _every_form(self) -> Self:
        missing = set(FormKind) - set(self.forms)
        if missing:
            raise ValueError(f"no data for forms {sorted(missing)}")
        return self

    @classmethod
    def for_year(cls, year: int) -> LaborRules:
        """The rules of ``year``; ``NoRulesForYear`` lists the years that have data."""
        return _load_year(year)


def available_years() -> list[int]:
    """The years that have a data file, ascending."""
    return sorted(
        int(match.group(1))
        for entry in _DATA.iterdir()
        if (match := _YEAR_FILE.match(entry.name)) is not None
    )


@functools.cache
def _load_year(year: int) -> LaborRules:
    years = available_years()
    if year not in years:
        listed = ", ".join(str(y) for y in years)
        raise NoRulesForYear(
            f"There are no labour-law rules for {year}; rules exist for {listed}. "
            "Choose a contract year among them, or add the year's data file.",
            f"{year}년의 노동법 기준이 없습니다. 기준이 있는 연도는 {listed}입니다. "
            "그중 한 해로 계약하거나 그 해의 기준 파일을 추가하세요.",
            year=year,
            available_years=years,
        )
    data = json.loads((_DATA / f"year-{year}.json").read_text(encoding="utf-8"))
    if data.get("year") != year:
        raise ValueError(f"year-{year}.json holds the year {data.get('year')}")
    forms = {
        kind.value: json.loads((_DATA / f"form-{kind.value}.json").read_text(encoding="utf-8"))
        for kind in FormKind
    }
    # Validated as JSON so that strict mode takes arrays, enum values and "HH:MM" times as
    # JSON spells them, and still refuses "15" for 15.
    return LaborRules.model_validate_json(json.dumps({**data, "forms": forms}))
