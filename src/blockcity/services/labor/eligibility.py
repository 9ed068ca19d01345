"""Which jobs may appear on a certificate of employment asked for on a given day (LSA Art. 39,
Enforcement Decree Art. 19): a pure function from a contract's period, the request date and a
rule in force to a verdict that names, in Korean and English, each reason a job is left out.

The period of employment is the contract's, as its latest concluded version states it: an
amendment is a new version of the same employment, so it never restarts the count, and a
termination's end date is where the employment stopped. Days are counted inclusively from the
start to the end, or to the request date while the job goes on; the request window runs from
the day after leaving for the rule's years (Civil Act Arts. 157 and 160).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, computed_field

from blockcity.services.labor.model import Period
from blockcity.services.labor.rules import Certificate

Figure = int | str


class Bar(enum.StrEnum):
    """Why a job cannot go on a certificate requested that day."""

    NO_PERIOD = "labor-certificate-no-period"
    NOT_STARTED = "labor-certificate-not-started"
    TOO_SHORT = "labor-certificate-too-short"
    TOO_LATE = "labor-certificate-too-late"


class Refusal(BaseModel):
    """One reason, with the dates and counts behind it."""

    model_config = ConfigDict(frozen=True)

    code: Bar
    message_ko: str
    message_en: str
    figures: dict[str, Figure]


class Eligibility(BaseModel):
    """Whether a job may go on a certificate requested on ``requested_on``, and if not, why."""

    model_config = ConfigDict(frozen=True)

    requested_on: date
    start: date | None
    end: date | None
    """The contract's end, when one is agreed (it may still be ahead)."""
    days: int
    """Consecutive days of employment counted up to the request date."""
    eligible_from: date | None
    """The first request date on which the job has lasted long enough; None if it never will."""
    eligible_until: date | None
    """The last day a certificate may be asked for; None while no end is agreed."""
    refusals: tuple[Refusal, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def eligible(self) -> bool:
        return not self.refusals


def certificate_eligibility(
    period: Period | None, requested_on: date, rule: Certificate | None = None
) -> Eligibility:
    """Whether a job with ``period`` may appear on a certificate asked for on ``requested_on``
    under ``rule`` (by default, the one in force that day), with every reason it may not."""
    rule = rule or Certificate.on(requested_on)
    if period is None:
        refusal = Refusal(
            code=Bar.NO_PERIOD,
            message_en="the contract states no period of employment, so its length cannot be "
            f"counted ({rule.basis})",
            message_ko=f"계약서에 근로계약기간이 없어 근무 기간을 셀 수 없습니다({rule.basis_ko})",
            figures={},
        )
        return Eligibility(
            requested_on=requested_on,
            start=None,
            end=None,
            days=0,
            eligible_from=None,
            eligible_until=None,
            refusals=(refusal,),
        )
    minimum = rule.min_continuous_days
    start, end = period.start, period.end
    counted_to = requested_on if end is None else min(end, requested_on)
    days = max(0, (counted_to - start).days + 1)
    long_enough_on = start + timedelta(days=minimum - 1)
    eligible_from = long_enough_on if end is None or end >= long_enough_on else None
    eligible_until = None if end is None else _years_after(end, rule.request_years_after_end)
    refusals: list[Refusal] = []
    if requested_on < start:
        refusals.append(_not_started(start, eligible_from, minimum, rule))
    elif days < minimum:
        refusals.append(_too_short(start, end, counted_to, days, eligible_from, minimum, rule))
    if end is not None and eligible_until is not None and requested_on > eligible_until:
        refusals.append(_too_late(end, eligible_until, rule))
    return Eligibility(
        requested_on=requested_on,
        start=start,
        end=end,
        days=days,
        eligible_from=eligible_from,
        eligible_until=eligible_until,
        refusals=tuple(refusals),
    )


def _years_after(left_on: date, years: int) -> date:
    """The last day of a period of ``years`` years after leaving on ``left_on``: the day of
    leaving is not counted (Civil Act Art. 157), and the period ends the day before the same
    date ``years`` later, or on the last day of February when that date is 29 February in a
    common year (Art. 160(2) and (3))."""
    first = left_on + timedelta(days=1)
    try:
        return first.replace(year=first.year + years) - timedelta(days=1)
    except ValueError:
        return date(first.year + years, 2, 28)


def _not_started(
    start: date, eligible_from: date | None, minimum: int, rule: Certificate
) -> Refusal:
    basis, basis_ko = rule.basis, rule.basis_ko
    when_en = (
        f"; it can be asked for from {eligible_from}"
        if eligible_from
        else ", and its contract ends before it reaches that"
    )
    when_ko = (
        f" {eligible_from}부터 요청할 수 있습니다."
        if eligible_from
        else " 계약이 그 전에 끝나 요건을 채울 수 없습니다."
    )
    return Refusal(
        code=Bar.NOT_STARTED,
        message_en=f"this job starts on {start} and has not begun; a certificate needs at "
        f"least {minimum} consecutive days of work ({basis}){when_en}",
        message_ko=f"이 근무는 {start}에 시작하며 아직 시작되지 않았습니다. 사용증명서는 "
        f"{minimum}일 이상 계속 근무한 경우에 받을 수 있습니다({basis_ko}).{when_ko}",
        figures=_figures(start=start, eligible_from=eligible_from, min_days=minimum),
    )


def _too_short(
    start: date,
    end: date | None,
    counted_to: date,
    days: int,
    eligible_from: date | None,
    minimum: int,
    rule: Certificate,
) -> Refusal:
    basis, basis_ko = rule.basis, rule.basis_ko
    need_en = f"a certificate needs at least {minimum} consecutive days ({basis})"
    need_ko = f"사용증명서는 {minimum}일 이상 계속 근무한 경우에 받을 수 있습니다({basis_ko})"
    if end is not None and end == counted_to:
        message_en = f"this job lasted {days} days ({start} to {end}); {need_en}"
        message_ko = f"이 근무는 {days}일({start}~{end})입니다. {need_ko}."
    elif end is not None and eligible_from is None:
        total = (end - start).days + 1
        message_en = (
            f"this job has lasted {days} days so far ({start} to {counted_to}) and its "
            f"contract ends on {end}, after {total} days; {need_en}"
        )
        message_ko = (
            f"이 근무는 지금까지 {days}일({start}~{counted_to})이고 계약이 {end}에 끝나 모두 "
            f"{total}일입니다. {need_ko}."
        )
    else:
        message_en = (
            f"this job has lasted {days} days so far ({start} to {counted_to}); {need_en}; "
            f"it can be asked for from {eligible_from}"
        )
        message_ko = (
            f"이 근무는 지금까지 {days}일({start}~{counted_to})입니다. {need_ko}. "
            f"{eligible_from}부터 요청할 수 있습니다."
        )
    return Refusal(
        code=Bar.TOO_SHORT,
        message_en=message_en,
        message_ko=message_ko,
        figures=_figures(
            start=start,
            counted_to=counted_to,
            days=days,
            min_days=minimum,
            eligible_from=eligible_from,
        ),
    )


def _too_late(end: date, eligible_until: date, rule: Certificate) -> Refusal:
    years = rule.request_years_after_end
    closed_on = eligible_until + timedelta(days=1)
    return Refusal(
        code=Bar.TOO_LATE,
        message_en=f"this job ended on {end}; a certificate may be asked for within {years} "
        f"years after leaving, that is until {eligible_until}, and not since {closed_on} "
        f"({rule.basis})",
        message_ko=f"이 근무는 {end}에 끝났습니다. 사용증명서는 퇴직 후 {years}년 이내, 곧 "
        f"{eligible_until}까지 요청할 수 있어 {closed_on}부터는 받을 수 없습니다"
        f"({rule.basis_ko}).",
        figures=_figures(
            end=end, eligible_until=eligible_until, closed_on=closed_on, years_after_end=years
        ),
    )


def _figures(**values: date | int | None) -> dict[str, Figure]:
    """Dates as ISO text and counts as numbers, without the ones that do not apply."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in values.items()
        if value is not None
    }


__all__ = ["Bar", "Eligibility", "Refusal", "certificate_eligibility"]
