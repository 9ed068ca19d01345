"""Labour contract pages (issue 5): the employer's dashboard, drafting from a standard form with
the law check shown in plain words, sending a signing link, countersigning and the PDFs; the
worker's signing page on a phone; the worker's career page and certificates.

Handlers parse forms, call one ``node.labor`` command and render. Signing is the Seoul Pass
custodial key after a PIN step-up on this device, both done here in one form post so that the
pages need no script. Every form carries the session's CSRF token.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from blockcity.documents import Lang
from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.http.sessions import SignedIn
from blockcity.identity.signing import SignatureRecord
from blockcity.node import Node
from blockcity.services.labor import (
    ContractCheck,
    ContractDraft,
    FormKind,
    Weekday,
    weekly_contract_minutes,
)
from blockcity.services.labor.contracts import CareerJob, JobsNotEligible, NotAllowed
from blockcity.services.labor.documents import term_rows
from blockcity.services.labor.entries import DeclineReason
from blockcity.services.labor.model import InvalidContractDraft, StandardSchedule
from blockcity.services.labor.records import (
    Contract,
    ContractState,
    InvalidPersonalDetails,
    PersonalDetails,
    TerminationReason,
)
from blockcity.web.organizations import signed_in_form
from blockcity.web.passkeys import DEVICE_COOKIE
from blockcity.web.rendering import HtmlErrorRoute, page_language, redirect
from blockcity.web.wallet import qr_svg
from blockcity.web.workplace import EMPLOYER_ROLES, WorkplacePages

_SEOUL = ZoneInfo("Asia/Seoul")
CsrfField = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=500)]

PERSONAL_FIELDS = (
    "name",
    "birth_date",
    "phone",
    "bank_name",
    "account_number",
    "account_holder",
)
CERTIFICATE_ITEMS = (
    "employer",
    "period",
    "duties",
    "position",
    "workplace",
    "wage",
    "hours",
    "reason_for_leaving",
)
"""The certificate items offered, in the order of the standard certificate form; days worked
is left out until attendance exists (the service refuses it until then)."""

DONE = {
    "drafted": "labor.done.drafted",
    "signed": "labor.done.signed",
    "concluded": "labor.done.concluded",
    "amended": "labor.done.amended",
    "terminated": "labor.done.terminated",
}


async def _form(request: Request) -> FormData:
    """The whole posted form: the drafting form has more fields than parameters could name."""
    return await request.form()


def _flat(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _amount(text: str) -> str:
    """Amounts as people type them (10,320 or 10 320) as plain digits."""
    return text.replace(",", "").replace(" ", "")


def _draft_data(values: dict[str, str], form: FormKind) -> dict[str, Any]:
    """The drafting form's fields as a ``ContractDraft`` mapping; an empty field is an item not
    stated yet, which the law check then names."""

    def given(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    def number(name: str) -> str | None:
        value = given(name)
        return _amount(value) if value else None

    data: dict[str, Any] = {"form": form.value, "headcount": number("headcount") or "1"}
    if given("period_start"):
        data["period"] = {"start": given("period_start"), "end": given("period_end")}
    for name in ("workplace", "duties", "annual_leave", "weekly_holiday", "pay_method"):
        if given(name):
            data[name] = given(name)
    if form is FormKind.SHORT_TIME:
        days = {
            day.value: {
                "start": given(f"day_{day.value}_start"),
                "end": given(f"day_{day.value}_end"),
                "break_minutes": number(f"day_{day.value}_break"),
            }
            for day in Weekday
            if values.get(f"day_{day.value}_on")
        }
        if days:
            data["schedule"] = {"kind": "per_weekday", "workdays": days}
        if given("excess_premium"):
            data["excess_hours_premium_percent"] = number("excess_premium")
    else:
        workdays = [day.value for day in Weekday if values.get(f"workday_{day.value}")]
        if workdays or given("start") or given("end"):
            data["schedule"] = {
                "kind": "standard",
                "workdays": workdays,
                "start": given("start"),
                "end": given("end"),
                "break_minutes": number("break_minutes"),
            }
    if given("wage_amount"):
        data["wage"] = {"kind": given("wage_kind"), "amount": number("wage_amount")}
    if values.get("bonus") == "yes":
        data["bonus"] = {"paid": True, "amount": number("bonus_amount")}
    elif values.get("bonus") == "no":
        data["bonus"] = {"paid": False}
    # An empty allowance line states "no other allowances" (the form's item 5 answered).
    data["allowances"] = (
        [{"name": given("allowance_name"), "amount": number("allowance_amount")}]
        if given("allowance_name") or given("allowance_amount")
        else []
    )
    cycle = given("pay_cycle")
    if cycle:
        data["pay_day"] = {
            "cycle": cycle,
            "day_of_month": number("pay_day_of_month") if cycle == "monthly" else None,
            "weekday": given("pay_weekday") if cycle == "weekly" else None,
        }
    data["social_insurance"] = {
        name: bool(values.get(f"ins_{name}"))
        for name in ("employment", "industrial_accident", "national_pension", "health")
    }
    if form is FormKind.UNDER_18:
        data["guardian_consent"] = bool(values.get("guardian_consent"))
        data["family_relation_certificate"] = bool(values.get("family_relation_certificate"))
    if form is FormKind.PUBLIC_JOB and given("programme"):
        data["programme"] = given("programme")
    return _without_none(data)


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    """An empty field is an item not stated: leave it out rather than send None."""
    return {
        key: _without_none(value) if isinstance(value, dict) else value
        for key, value in data.items()
        if value is not None
    }


def _values_from_draft(draft: ContractDraft) -> dict[str, str]:
    """A stored draft as the drafting form's fields, to amend it."""
    values: dict[str, str] = {"headcount": str(draft.headcount)}
    if draft.period is not None:
        values["period_start"] = draft.period.start.isoformat()
        values["period_end"] = draft.period.end.isoformat() if draft.period.end else ""
    for name in ("workplace", "duties", "annual_leave", "programme"):
        values[name] = getattr(draft, name) or ""
    values["weekly_holiday"] = draft.weekly_holiday.value if draft.weekly_holiday else ""
    values["pay_method"] = draft.pay_method.value if draft.pay_method else ""
    if isinstance(draft.schedule, StandardSchedule):
        for day in draft.schedule.workdays:
            values[f"workday_{day.value}"] = "on"
        values["start"] = f"{draft.schedule.start:%H:%M}"
        values["end"] = f"{draft.schedule.end:%H:%M}"
        values["break_minutes"] = str(draft.schedule.break_minutes or "")
    elif draft.schedule is not None:
        for day, work in draft.schedule.days().items():
            values[f"day_{day.value}_on"] = "on"
            values[f"day_{day.value}_start"] = f"{work.start:%H:%M}"
            values[f"day_{day.value}_end"] = f"{work.end:%H:%M}"
            values[f"day_{day.value}_break"] = str(work.break_minutes or "")
    if draft.excess_hours_premium_percent is not None:
        values["excess_premium"] = str(draft.excess_hours_premium_percent)
    if draft.wage is not None:
        values["wage_kind"] = draft.wage.kind.value
        values["wage_amount"] = str(draft.wage.amount)
    if draft.bonus is not None:
        values["bonus"] = "yes" if draft.bonus.paid else "no"
        values["bonus_amount"] = str(draft.bonus.amount or "")
    if draft.allowances:
        values["allowance_name"] = draft.allowances[0].name
        values["allowance_amount"] = str(draft.allowances[0].amount)
    if draft.pay_day is not None:
        values["pay_cycle"] = draft.pay_day.cycle.value
        values["pay_day_of_month"] = str(draft.pay_day.day_of_month or "")
        values["pay_weekday"] = draft.pay_day.weekday.value if draft.pay_day.weekday else ""
    if draft.social_insurance is not None:
        for name, on in draft.social_insurance.model_dump().items():
            if on:
                values[f"ins_{name}"] = "on"
    for name in ("guardian_consent", "family_relation_certificate"):
        if getattr(draft, name):
            values[name] = "on"
    return values


def _hours_per_week(contract: Contract) -> str | None:
    schedule = contract.draft.schedule
    if schedule is None:
        return None
    minutes = weekly_contract_minutes(schedule.days())
    return f"{minutes // 60}:{minutes % 60:02d}"


def router(node: Node) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass
    workplace = WorkplacePages(seoul_pass)
    labor = node.labor

    def today() -> date:
        return labor.clock().astimezone(_SEOUL).date()

    me_or_sign_in = workplace.me_or_sign_in

    employer_orgs = workplace.employer_orgs

    has_pin = workplace.has_pin

    def sign(request: Request, found: SignedIn, pin: str, contract: Contract) -> SignatureRecord:
        """The signer's Seoul Pass signature over the exact document shown, after a PIN step-up
        on this device (DESIGN.md §4: a custodial key only after a fresh step-up)."""
        if contract.digest is None:
            raise NotAllowed("this version has no document to sign", "서명할 문서가 없습니다")
        seoul_pass.pins.step_up(found.token, request.cookies.get(DEVICE_COOKIE), pin)
        stored = seoul_pass.signing.sign_with_custodial_key(
            found.token, bytes.fromhex(contract.digest)
        )
        return stored.record

    page = workplace.page

    # The employer's side.

    @pages.get("/labor", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        organizations = employer_orgs(found.account)
        chosen = request.query_params.get("org")
        current = next((o for o in organizations if o.id == chosen), None) or (
            organizations[0] if organizations else None
        )
        by_state: dict[str, list[Contract]] = defaultdict(list)
        if current is not None:
            for contract in labor.for_organization(found.account, current.id):
                by_state[contract.state.value].append(contract)
        return page(
            request,
            "labor/dashboard.html",
            found,
            organizations=organizations,
            current=current,
            states=[state.value for state in ContractState],
            by_state=by_state,
            mine=labor.for_worker(found.account),
        )

    def draft_form(
        request: Request,
        found: SignedIn,
        *,
        action: str,
        form: FormKind,
        organization: Any,
        values: dict[str, str],
        check: ContractCheck | None = None,
        error: BlockcityError | None = None,
        amending: Contract | None = None,
    ) -> HTMLResponse:
        lang = page_language(request)
        return page(
            request,
            "labor/new.html",
            found,
            status=error.status if error else 200,
            action=action,
            form=form.value,
            organization=organization,
            values=values,
            weekdays=[
                (day.value, day.label_ko if lang == "ko" else day.label_en) for day in Weekday
            ],
            check=check,
            error=error.message(lang) if error else None,
            problems=error.detail.get("problems", []) if error else [],
            amending=amending,
        )

    def employer_org(found: SignedIn, organization_id: str) -> Any:
        for organization in employer_orgs(found.account):
            if organization.id == organization_id:
                return organization
        # Not an owner or manager there: the same answer as for an organization that does not
        # exist, so the page reveals nothing about other organizations.
        raise NotFound("no such organization", "그런 기관이 없습니다")

    @pages.get("/labor/new", response_class=HTMLResponse)
    def new_contract(request: Request) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        organizations = employer_orgs(found.account)
        chosen = request.query_params.get("form", "")
        organization_id = request.query_params.get("org", "")
        if chosen not in {kind.value for kind in FormKind} or not organization_id:
            return page(
                request,
                "labor/choose.html",
                found,
                organizations=organizations,
                forms=[kind.value for kind in FormKind],
            )
        organization = employer_org(found, organization_id)
        defaults = {
            "headcount": "5",
            "annual_leave": "근로기준법에서 정하는 바에 따라 부여함",
            "weekly_holiday": "sun",
            "pay_method": "account",
            "pay_cycle": "monthly",
            "pay_day_of_month": "10",
            "bonus": "no",
            "wage_kind": "hourly" if chosen == FormKind.SHORT_TIME else "monthly",
            **{f"ins_{n}": "on" for n in ("employment", "industrial_accident")},
        }
        return draft_form(
            request,
            found,
            action="/labor/new",
            form=FormKind(chosen),
            organization=organization,
            values=defaults,
        )

    def parse_draft(
        found: SignedIn, values: dict[str, str], form: FormKind, organization_id: str
    ) -> ContractDraft:
        worker = values.get("worker", "").strip()
        account = (
            seoul_pass.accounts.by_did(worker)
            if worker.startswith("did:")
            else seoul_pass.accounts.by_username(worker)
        )
        if account is None:
            raise InvalidContractDraft(
                "worker: no Seoul Pass account has this username or DID; ask the worker for it",
                "근로자: 그런 서울패스 아이디나 DID가 없습니다. 근로자에게 확인하세요",
                problems=[{"field": "worker", "field_ko": "근로자", "en": "", "ko": ""}],
            )
        data = _draft_data(values, form)
        data["employer"] = {"organization_id": organization_id}
        data["worker_did"] = account.did
        return ContractDraft.parse(data)

    @pages.post("/labor/new", response_class=HTMLResponse)
    def create_contract(request: Request, form: Annotated[FormData, Depends(_form)]) -> Response:
        values = _flat(form)
        found = signed_in_form(request, seoul_pass, values.get("csrf", ""))
        kind = _form_kind(values.get("form", ""))
        organization = employer_org(found, values.get("organization_id", ""))

        def again(**context: Any) -> HTMLResponse:
            return draft_form(
                request,
                found,
                action="/labor/new",
                form=kind,
                organization=organization,
                values=values,
                **context,
            )

        try:
            draft = parse_draft(found, values, kind, organization.id)
        except InvalidInput as exc:
            return again(error=exc)
        check = labor.check(draft)
        if check.errors:
            return again(check=check)
        contract = labor.draft(found.account, organization.id, draft)
        return redirect(f"/labor/contracts/{contract.id}?done=drafted")

    # One contract: both parties see it; the forms offered depend on who looks.

    def contract_page(
        request: Request, found: SignedIn, contract_id: str, **context: Any
    ) -> HTMLResponse:
        history = labor.history(found.account, contract_id)
        latest = history[-1]
        role = seoul_pass.organizations.role_of(found.account.id, latest.organization_id)
        is_employer = role in EMPLOYER_ROLES
        concluded = [v for v in history if v.state is ContractState.CONCLUDED]
        lang = page_language(request)
        return page(
            request,
            "labor/contract.html",
            found,
            latest=latest,
            history=history,
            rows=term_rows(latest),
            is_employer=is_employer,
            is_worker=found.account.did == latest.worker_did,
            concluded=concluded,
            has_pin=has_pin(request, found.account),
            reasons=[
                (r.value, r.label_ko if lang == "ko" else r.label_en) for r in TerminationReason
            ],
            done=DONE.get(request.query_params.get("done", "")),
            **context,
        )

    @pages.get("/labor/contracts/{contract_id}", response_class=HTMLResponse)
    def contract(request: Request, contract_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return contract_page(request, found, contract_id)

    @pages.post("/labor/contracts/{contract_id}/send", response_class=HTMLResponse)
    def send(
        request: Request,
        contract_id: str,
        csrf: CsrfField = "",
        channel: Annotated[str, Form(max_length=10)] = "",
        contact: Annotated[str, Form(max_length=254)] = "",
    ) -> HTMLResponse:
        found = signed_in_form(request, seoul_pass, csrf)
        try:
            invitation = labor.send(found.account, contract_id, {channel: contact})
        except InvalidInput as exc:
            return contract_page(
                request, found, contract_id, send_error=exc.message(page_language(request))
            )
        return page(
            request,
            "labor/sent.html",
            found,
            invitation=invitation,
            qr=qr_svg(invitation.url),
            channel=channel,
            contact=contact,
        )

    @pages.post("/labor/contracts/{contract_id}/countersign", response_class=HTMLResponse)
    def countersign(
        request: Request,
        contract_id: str,
        csrf: CsrfField = "",
        pin: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        latest = labor.history(found.account, contract_id)[-1]
        try:
            record = sign(request, found, pin, latest)
        except BlockcityError as exc:
            if exc.status >= 500 or exc.status == 404:
                raise
            return contract_page(
                request, found, contract_id, sign_error=exc.message(page_language(request))
            )
        labor.countersign(found.account, contract_id, record)
        return redirect(f"/labor/contracts/{contract_id}?done=concluded")

    @pages.get("/labor/contracts/{contract_id}/versions/{version}/{copy}.pdf")
    def contract_pdf(request: Request, contract_id: str, version: int, copy: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        data = labor.contract_pdf(found.account, contract_id, version, copy_for=copy)
        return _pdf(data, f"contract-{contract_id[:8]}-v{version}-{copy}.pdf")

    @pages.get("/labor/contracts/{contract_id}/amend", response_class=HTMLResponse)
    def amend_form(request: Request, contract_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        latest = labor.history(found.account, contract_id)[-1]
        organization = employer_org(found, latest.organization_id)
        worker = seoul_pass.accounts.by_did(latest.worker_did)
        values = _values_from_draft(latest.draft)
        values["worker"] = worker.username if worker else latest.worker_did
        return draft_form(
            request,
            found,
            action=f"/labor/contracts/{contract_id}/amend",
            form=latest.draft.form,
            organization=organization,
            values=values,
            amending=latest,
        )

    @pages.post("/labor/contracts/{contract_id}/amend", response_class=HTMLResponse)
    def amend(
        request: Request, contract_id: str, form: Annotated[FormData, Depends(_form)]
    ) -> Response:
        values = _flat(form)
        found = signed_in_form(request, seoul_pass, values.get("csrf", ""))
        latest = labor.history(found.account, contract_id)[-1]
        organization = employer_org(found, latest.organization_id)

        def again(**context: Any) -> HTMLResponse:
            return draft_form(
                request,
                found,
                action=f"/labor/contracts/{contract_id}/amend",
                form=latest.draft.form,
                organization=organization,
                values=values,
                amending=latest,
                **context,
            )

        try:
            draft = parse_draft(found, values, latest.draft.form, organization.id)
        except InvalidInput as exc:
            return again(error=exc)
        check = labor.check(draft)
        if check.errors:
            return again(check=check)
        labor.amend(found.account, contract_id, draft)
        return redirect(f"/labor/contracts/{contract_id}?done=amended")

    @pages.post("/labor/contracts/{contract_id}/terminate")
    def terminate(
        request: Request,
        contract_id: str,
        end_date: Annotated[date, Form()],
        reason: Annotated[TerminationReason, Form()],
        csrf: CsrfField = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        labor.terminate(found.account, contract_id, end_date, reason)
        return redirect(f"/labor/contracts/{contract_id}?done=terminated")

    # The worker's side: the signing link, opened on a phone.

    def invitation_page(
        request: Request,
        found: SignedIn,
        token: str,
        *,
        values: dict[str, str] | None = None,
        error: BlockcityError | None = None,
        invalid: list[str] | None = None,
    ) -> HTMLResponse:
        contract = labor.open_invitation(token)
        if contract.worker_did != found.account.did:
            raise NotAllowed(
                "this signing link is for another person's Seoul Pass account",
                "이 서명 링크는 다른 사람의 서울패스 계정을 위한 것입니다",
            )
        lang = page_language(request)
        return page(
            request,
            "labor/invite.html",
            found,
            status=error.status if error else 200,
            contract=contract,
            token=token,
            rows=term_rows(contract),
            values=values or {"name": found.account.display_name},
            error=error.message(lang) if error else None,
            invalid=invalid or [],
            has_pin=has_pin(request, found.account),
            reasons=[r.value for r in DeclineReason],
        )

    @pages.get("/labor/invite/{token}", response_class=HTMLResponse)
    def invitation(request: Request, token: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return invitation_page(request, found, token)

    @pages.post("/labor/invite/{token}/sign", response_class=HTMLResponse)
    def worker_sign(
        request: Request,
        token: str,
        csrf: CsrfField = "",
        name: Text = "",
        birth_date: Text = "",
        phone: Text = "",
        bank_name: Text = "",
        account_number: Text = "",
        account_holder: Text = "",
        pin: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        values = {
            "name": name,
            "birth_date": birth_date,
            "phone": phone,
            "bank_name": bank_name,
            "account_number": account_number,
            "account_holder": account_holder,
        }
        try:
            personal = PersonalDetails.parse(values, today=today())
        except InvalidPersonalDetails as exc:
            problems = exc.detail.get("problems")
            invalid = [str(field) for field in problems] if isinstance(problems, list) else []
            return invitation_page(request, found, token, values=values, error=exc, invalid=invalid)
        contract = labor.open_invitation(token)
        try:
            record = sign(request, found, pin, contract)
        except BlockcityError as exc:
            if exc.status >= 500 or exc.status == 404:
                raise
            return invitation_page(request, found, token, values=values, error=exc)
        signed = labor.worker_sign(token, found.account, personal, record)
        return redirect(f"/labor/contracts/{signed.id}?done=signed")

    @pages.post("/labor/invite/{token}/decline", response_class=HTMLResponse)
    def decline(
        request: Request,
        token: str,
        reason: Annotated[DeclineReason, Form()],
        csrf: CsrfField = "",
    ) -> HTMLResponse:
        found = signed_in_form(request, seoul_pass, csrf)
        declined = labor.decline(token, found.account, reason)
        return page(request, "labor/declined.html", found, contract=declined)

    # The worker's career.

    def career_page(
        request: Request, found: SignedIn, error: JobsNotEligible | None = None
    ) -> HTMLResponse:
        """Each concluded job, grouped by employer, with whether a certificate asked for today
        may cover it (Decree Art. 19); the others' checkboxes are disabled and say why."""
        jobs = labor.career(found.account)
        by_employer: dict[str, list[CareerJob]] = defaultdict(list)
        for job in jobs:
            by_employer[job.contract.organization_id].append(job)
        return page(
            request,
            "labor/career.html",
            found,
            status=error.status if error else 200,
            jobs=jobs,
            employers=list(by_employer.values()),
            hours={job.contract.id: _hours_per_week(job.contract) for job in jobs},
            items=CERTIFICATE_ITEMS,
            error=error.message(page_language(request)) if error else None,
        )

    @pages.get("/career", response_class=HTMLResponse)
    def career(request: Request) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return career_page(request, found)

    @pages.post("/career/certificate")
    def certificate(
        request: Request,
        csrf: CsrfField = "",
        contract: Annotated[list[str] | None, Form()] = None,
        item: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        lang: Lang = "en" if page_language(request) == "en" else "ko"
        try:
            data, credential_id = labor.career_certificate(
                found.account, contract or [], set(item or []), lang
            )
        except JobsNotEligible as exc:
            return career_page(request, found, exc)
        response = _pdf(data, "career-certificate.pdf")
        response.headers["X-Credential-Id"] = credential_id
        return response

    return pages


def _form_kind(text: str) -> FormKind:
    try:
        return FormKind(text)
    except ValueError:
        raise InvalidInput(
            "choose one of the standard forms", "표준 양식 중 하나를 고르세요"
        ) from None


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
