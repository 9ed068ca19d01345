"""The labour contract draft an employer fills from a MOEL standard form, before anyone signs.

Parties appear by DID and organization id only: names, addresses and accounts of people go to
the personal-data vault, never into this model (DESIGN.md §6). Items the law requires may be
left empty while drafting; the check (``check.py``) says which are missing before sending.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, time
from typing import Annotated, Any, Literal, NewType, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from blockcity.errors import InvalidInput

Won = NewType("Won", int)
"""An amount of money in Korean won; always an integer."""

MINUTES_PER_DAY = 24 * 60

_DID_KEY = r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$"
_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class FormKind(enum.StrEnum):
    """The MOEL standard forms blockcity drafts from (FACTS.md §1.3), plus the city's
    public-job participant form."""

    REGULAR = "regular"
    FIXED_TERM = "fixed_term"
    SHORT_TIME = "short_time"
    UNDER_18 = "under_18"
    PUBLIC_JOB = "public_job"


class Weekday(enum.StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def label_ko(self) -> str:
        return _WEEKDAY_KO[self]

    @property
    def label_en(self) -> str:
        return _WEEKDAY_EN[self]


_WEEKDAY_KO = dict(
    zip(
        Weekday, ["월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"], strict=True
    )
)
_WEEKDAY_EN = dict(
    zip(
        Weekday,
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        strict=True,
    )
)


class Severity(enum.StrEnum):
    ERROR = "error"
    """The draft cannot be sent until this is fixed."""
    WARNING = "warning"
    """Lawful as written, but the employer should know or act."""
    INFO = "info"
    """What the law gives the worker under this contract, in figures."""


class RequiredItem(enum.StrEnum):
    """An item a standard form must state; the form data says which law requires it."""

    PERIOD_START = "period_start"
    PERIOD_END = "period_end"
    WORKPLACE = "workplace"
    DUTIES = "duties"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS_AND_HOURS_PER_DAY = "working_days_and_hours_per_day"
    BREAK_TIMES = "break_times"
    WEEKLY_HOLIDAY = "weekly_holiday"
    ANNUAL_LEAVE = "annual_leave"
    WAGE = "wage"
    WAGE_COMPONENTS = "wage_components"
    PAY_DAY = "pay_day"
    PAY_METHOD = "pay_method"
    SOCIAL_INSURANCE = "social_insurance"
    GUARDIAN_CONSENT = "guardian_consent"
    FAMILY_RELATION_CERTIFICATE = "family_relation_certificate"
    PROGRAMME_NAME = "programme_name"


class WageKind(enum.StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    MONTHLY = "monthly"


class PayCycle(enum.StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DAILY = "daily"


class PayMethod(enum.StrEnum):
    DIRECT = "direct"
    """Handed to the worker in person."""
    ACCOUNT = "account"
    """Deposited into an account in the worker's own name."""


def _rule_error(message_en: str, message_ko: str) -> PydanticCustomError:
    """A validation error that carries its Korean message for ``ContractDraft.parse``."""
    return PydanticCustomError("labor_rule", message_en, {"ko": message_ko})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Model):
    start: date
    end: date | None = None
    """None: a contract without a fixed term."""

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise _rule_error(
                "The end date is before the start date; set an end on or after the start.",
                "종료일이 시작일보다 앞섭니다. 시작일 이후로 종료일을 정하세요.",
            )
        return self


class WorkDay(_Model):
    """One working day: when work starts and ends and how long the break is. An end at or
    before the start means the shift runs past midnight."""

    start: time
    end: time
    break_minutes: Annotated[int, Field(ge=0)] | None = None
    """None: the break time is not stated yet (a required item of every form)."""

    @field_validator("start", "end")
    @classmethod
    def _whole_minutes(cls, value: time) -> time:
        if value.second or value.microsecond or value.tzinfo is not None:
            raise _rule_error(
                "Give times as HH:MM local time, without seconds or a time zone.",
                "시각은 초와 시간대 없이 HH:MM 형식으로 적으세요.",
            )
        return value

    @property
    def span_minutes(self) -> int:
        """Minutes from start to end, breaks included."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return (end - start) % MINUTES_PER_DAY or MINUTES_PER_DAY

    @property
    def worked_minutes(self) -> int:
        """Working time excludes breaks (LSA Art. 50(1)); an unstated break counts as none."""
        return self.span_minutes - (self.break_minutes or 0)

    @model_validator(mode="after")
    def _break_within_day(self) -> Self:
        if self.break_minutes is not None and self.break_minutes >= self.span_minutes:
            raise _rule_error(
                "The break is as long as the whole working day; shorten the break or the day.",
                "휴게시간이 근무시간 전체만큼 깁니다. 휴게시간이나 근무시간을 고치세요.",
            )
        return self


class StandardSchedule(_Model):
    """The same hours on each listed working day: the regular and fixed-term forms' layout."""

    kind: Literal["standard"] = "standard"
    workdays: Annotated[frozenset[Weekday], Field(min_length=1)]
    start: time
    end: time
    break_minutes: Annotated[int, Field(ge=0)] | None = None

    def days(self) -> dict[Weekday, WorkDay]:
        day = WorkDay(start=self.start, end=self.end, break_minutes=self.break_minutes)
        return {weekday: day for weekday in Weekday if weekday in self.workdays}

    @model_validator(mode="after")
    def _valid_day(self) -> Self:
        # Builds the day once so that a bad break or time fails here, at the field that has it.
        self.days()
        return self


class WeekdaySchedule(_Model):
    """Hours per weekday: the short-time form's table (Fixed-term Act Art. 17 item 6)."""

    kind: Literal["per_weekday"] = "per_weekday"
    workdays: Annotated[dict[Weekday, WorkDay], Field(min_length=1)]

    def days(self) -> dict[Weekday, WorkDay]:
        return {weekday: self.workdays[weekday] for weekday in Weekday if weekday in self.workdays}


Schedule = Annotated[StandardSchedule | WeekdaySchedule, Field(discriminator="kind")]


class Wage(_Model):
    kind: WageKind
    amount: Annotated[Won, Field(gt=0)]
    """Won per hour, day or month, before deductions."""


class Bonus(_Model):
    paid: bool
    amount: Annotated[Won, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _amount_when_paid(self) -> Self:
        if self.paid and self.amount is None:
            raise _rule_error(
                "A bonus is paid but its amount is missing; give the amount in won.",
                "상여금이 있는데 금액이 없습니다. 금액을 원 단위로 적으세요.",
            )
        if not self.paid and self.amount is not None:
            raise _rule_error(
                "No bonus is paid but an amount is given; remove the amount or mark it paid.",
                "상여금이 없다고 했는데 금액이 있습니다. 금액을 지우거나 상여금 있음으로 고치세요.",
            )
        return self


class Allowance(_Model):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    amount: Annotated[Won, Field(gt=0)]


class PayDay(_Model):
    cycle: PayCycle
    day_of_month: Annotated[int, Field(ge=1, le=31)] | None = None
    weekday: Weekday | None = None

    @model_validator(mode="after")
    def _day_fits_cycle(self) -> Self:
        wanted = {
            PayCycle.MONTHLY: (self.day_of_month is not None, self.weekday is None),
            PayCycle.WEEKLY: (self.weekday is not None, self.day_of_month is None),
            PayCycle.DAILY: (self.day_of_month is None, self.weekday is None),
        }[self.cycle]
        if not all(wanted):
            raise _rule_error(
                "Give a day of the month for monthly pay, a weekday for weekly pay, "
                "and neither for daily pay.",
                "월급 지급은 매월 며칠인지, 주급은 무슨 요일인지 적고, 일급은 둘 다 비워 두세요.",
            )
        return self


class SocialInsurance(_Model):
    """The standard form's four checkboxes (FACTS.md §1.3 item 8)."""

    employment: bool
    industrial_accident: bool
    national_pension: bool
    health: bool


class Employer(_Model):
    organization_id: Annotated[str, Field(pattern=_UUID)]
    did: Annotated[str, Field(pattern=_DID, max_length=200)] | None = None


Text = Annotated[str, Field(min_length=1, max_length=500)]


class ContractDraft(_Model):
    """A contract as drafted; every item a form requires may still be missing (None)."""

    form: FormKind
    employer: Employer
    worker_did: Annotated[str, Field(pattern=_DID_KEY, max_length=200)]
    headcount: Annotated[int, Field(ge=1)]
    """Employees usually at the workplace: the LSA's hours and premium rules need 5 or more."""
    period: Period | None = None
    workplace: Text | None = None
    duties: Text | None = None
    schedule: Schedule | None = None
    weekly_holiday: Weekday | None = None
    wage: Wage | None = None
    bonus: Bonus | None = None
    allowances: tuple[Allowance, ...] | None = None
    """None: not stated yet; empty: stated as none."""
    pay_day: PayDay | None = None
    pay_method: PayMethod | None = None
    annual_leave: Text | None = None
    social_insurance: SocialInsurance | None = None
    excess_hours_premium_percent: Annotated[int, Field(ge=0, le=500)] | None = None
    """Short-time form: the premium for hours beyond the agreed hours."""
    guardian_consent: bool = False
    family_relation_certificate: bool = False
    programme: Text | None = None
    """Public-job form: the city programme the participant joins."""

    @model_validator(mode="after")
    def _form_specific_items(self) -> Self:
        if self.form is not FormKind.UNDER_18 and (
            self.guardian_consent or self.family_relation_certificate
        ):
            raise _rule_error(
                "Guardian consent and the family relation certificate belong to the under-18 "
                "form; choose form 'under_18' or remove them.",
                "친권자 동의서와 가족관계증명서는 연소근로자 계약서에만 있습니다. 연소근로자 "
                "양식을 고르거나 두 항목을 지우세요.",
            )
        if self.form is not FormKind.PUBLIC_JOB and self.programme is not None:
            raise _rule_error(
                "A programme name belongs to the public-job form; choose form 'public_job' "
                "or remove it.",
                "사업명은 공공일자리 계약서에만 있습니다. 공공일자리 양식을 고르거나 사업명을 "
                "지우세요.",
            )
        if self.form is FormKind.SHORT_TIME and isinstance(self.schedule, StandardSchedule):
            raise _rule_error(
                "A short-time contract states the hours of each working day; give the "
                "schedule per weekday (kind 'per_weekday').",
                "단시간근로자 계약서는 근로일별 근로시간을 적어야 합니다. 요일별 근무표"
                "(per_weekday)로 적으세요.",
            )
        return self

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ContractDraft:
        """Validate ``data``; raise ``InvalidContractDraft`` naming each bad field and the fix."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidContractDraft.from_validation(exc) from None


class InvalidContractDraft(InvalidInput):
    """A contract draft that is malformed; each problem names its field and how to fix it."""

    code = "labor-invalid-contract-draft"
    title_ko = "근로계약서 초안이 올바르지 않습니다"
    title_en = "The contract draft is not valid"

    @classmethod
    def from_validation(cls, exc: ValidationError) -> InvalidContractDraft:
        problems = [_problem(error) for error in exc.errors(include_url=False)]
        return cls(
            "; ".join(f"{p['field']}: {p['en']}" for p in problems),
            "; ".join(f"{p['field_ko']}: {p['ko']}" for p in problems),
            problems=problems,
        )


_FIELD_KO = {
    "form": "양식",
    "employer": "사용자",
    "organization_id": "기관 ID",
    "did": "DID",
    "worker_did": "근로자 DID",
    "headcount": "상시 근로자 수",
    "period": "근로계약기간",
    "start": "시작",
    "end": "종료",
    "workplace": "근무장소",
    "duties": "업무의 내용",
    "schedule": "근로시간",
    "workdays": "근무일",
    "break_minutes": "휴게시간(분)",
    "weekly_holiday": "주휴일",
    "wage": "임금",
    "kind": "종류",
    "amount": "금액",
    "bonus": "상여금",
    "paid": "지급 여부",
    "allowances": "기타 수당",
    "name": "이름",
    "pay_day": "임금지급일",
    "cycle": "지급 주기",
    "day_of_month": "지급일",
    "weekday": "요일",
    "pay_method": "지급방법",
    "annual_leave": "연차유급휴가",
    "social_insurance": "사회보험",
    "excess_hours_premium_percent": "초과근로 가산임금률",
    "guardian_consent": "친권자 동의서",
    "family_relation_certificate": "가족관계증명서",
    "programme": "사업명",
}

# Korean wording for pydantic's own error types; ours carry theirs in ``ctx["ko"]``.
_TYPE_KO = {
    "missing": "이 항목이 필요합니다.",
    "extra_forbidden": "알 수 없는 항목입니다. 지우세요.",
    "int_type": "정수를 적으세요.",
    "int_parsing": "정수를 적으세요.",
    "int_from_float": "소수가 아닌 정수를 적으세요.",
    "bool_type": "true 또는 false를 적으세요.",
    "bool_parsing": "true 또는 false를 적으세요.",
    "string_type": "글자를 적으세요.",
    "string_too_short": "비어 있습니다. 내용을 적으세요.",
    "string_too_long": "너무 깁니다. 줄여 주세요.",
    "string_pattern_mismatch": "형식이 맞지 않습니다.",
    "greater_than": "더 큰 값을 적으세요.",
    "greater_than_equal": "더 큰 값을 적으세요.",
    "less_than_equal": "더 작은 값을 적으세요.",
    "too_short": "적어도 하나는 적으세요.",
    "enum": "허용된 값 중 하나를 고르세요.",
    "literal_error": "허용된 값 중 하나를 고르세요.",
    "union_tag_invalid": "허용된 종류 중 하나를 고르세요.",
    "union_tag_not_found": "종류(kind)를 적으세요.",
    "date_parsing": "날짜를 YYYY-MM-DD 형식으로 적으세요.",
    "date_from_datetime_parsing": "날짜를 YYYY-MM-DD 형식으로 적으세요.",
    "date_type": "날짜를 YYYY-MM-DD 형식으로 적으세요.",
    "time_parsing": "시각을 HH:MM 형식으로 적으세요.",
    "time_type": "시각을 HH:MM 형식으로 적으세요.",
    "model_type": "항목들의 묶음(객체)을 적으세요.",
    "dict_type": "요일별 항목들의 묶음(객체)을 적으세요.",
}


def _problem(error: ErrorDetails) -> dict[str, str]:
    loc = [str(part) for part in error["loc"]]
    ctx = error.get("ctx") or {}
    ko = ctx.get("ko") or _TYPE_KO.get(error["type"], "값이 올바르지 않습니다.")
    return {
        "field": ".".join(loc) or "(draft)",
        "field_ko": " > ".join(_FIELD_KO.get(part, part) for part in loc) or "(초안)",
        "en": error["msg"],
        "ko": str(ko),
    }
