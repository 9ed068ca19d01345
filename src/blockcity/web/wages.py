"""Wage-statement pages (issue 6 items 2 and 4): the employer issues a contract's monthly
statement (entering the withheld taxes) and answers objections; the worker reads every item with
its hours and method, signs receipt with Seoul Pass or objects, downloads the PDF, and exports
the full record of a contract for a dispute.

Handlers parse forms, call one ``node.wages`` command and render. Signing receipt is the same
PIN step-up and custodial signature as signing a contract (``web.labor``), over the statement's
digest. Every form carries the session's CSRF token; another person's statement is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.http.sessions import SignedIn
from blockcity.identity.model import Account
from blockcity.identity.signing import SignatureRecord
from blockcity.node import Node
from blockcity.services.insurance import InsuranceRules, InsuranceRulesMissing
from blockcity.services.labor.records import Contract, ContractState
from blockcity.services.wages.dispute import export_record
from blockcity.services.wages.entries import ObjectionCategory
from blockcity.services.wages.service import IssuedStatement, Objection
from blockcity.web.organizations import signed_in_form
from blockcity.web.passkeys import DEVICE_COOKIE
from blockcity.web.rendering import HtmlErrorRoute, page_language, redirect
from blockcity.web.workplace import WorkplacePages

_SEOUL = ZoneInfo("Asia/Seoul")
_TAX_FIELDS = ("income_tax", "local_income_tax")
_MAX_WON = 10**12
"""No monthly tax reaches a trillion won: a longer number is a typing slip, not an amount."""

CsrfField = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=40)]
LongText = Annotated[str, Form(max_length=2000)]

DONE = {
    "issued": "wages.done.issued",
    "acknowledged": "wages.done.acknowledged",
    "objected": "wages.done.objected",
    "answered": "wages.done.answered",
}


def _month(text: str) -> tuple[int, int] | None:
    """``YYYY-MM`` as the browser's month field sends it."""
    year, _, month = text.strip().partition("-")
    well_formed = len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()
    if well_formed and 1 <= int(month) <= 12:
        return int(year), int(month)
    return None


def _won(text: str) -> int | None:
    """An amount as people type it (45,000 or 45 000) in whole won, or None if it is not one."""
    digits = text.replace(",", "").replace(" ", "").strip()
    if digits.isascii() and digits.isdigit() and int(digits) < _MAX_WON:
        return int(digits)
    return None


def _industries(chosen: tuple[int, int], today: date, lang: str) -> list[tuple[str, str]]:
    """The industries the chosen month's industrial-accident table lists, as (key, label); this
    year's when the month chosen has no rates on file (the issue form then says so)."""
    try:
        rules = InsuranceRules.for_date(date(*chosen, 1))
    except InsuranceRulesMissing:
        rules = InsuranceRules.for_date(today)
    table = rules.year.industrial_accident.industries
    return [(key, item.name_ko if lang == "ko" else item.name_en) for key, item in table.items()]


def router(node: Node) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass
    workplace = WorkplacePages(seoul_pass)
    labor = node.labor

    def today() -> date:
        return labor.clock().astimezone(_SEOUL).date()

    me_or_sign_in = workplace.me_or_sign_in

    is_employer = workplace.is_employer

    has_pin = workplace.has_pin

    def page(
        request: Request, template: str, found: SignedIn, status: int = 200, **context: Any
    ) -> HTMLResponse:
        categories = [c.value for c in ObjectionCategory]
        return workplace.page(request, template, found, status, categories=categories, **context)

    def worker_name(issued: IssuedStatement) -> str:
        """The worker's Seoul Pass display name for the PDF: the statement itself names the
        worker by DID only, so no name is stored with it."""
        account = seoul_pass.accounts.by_did(issued.worker_did)
        return account.display_name if account else ""

    # One contract's statements: the employer's issue form and the worker's list and export.

    def contract_wages_page(
        request: Request,
        found: SignedIn,
        contract_id: str,
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        invalid: dict[str, str] | None = None,
        error: str | None = None,
    ) -> HTMLResponse:
        latest = labor.history(found.account, contract_id)[-1]
        employer = is_employer(found.account, latest.organization_id)
        worker = found.account.did == latest.worker_did
        if employer:
            statements = [
                s
                for s in node.wages.for_organization(found.account, latest.organization_id)
                if s.contract_id == contract_id
            ]
        elif worker:
            statements = node.wages.for_worker(found.account, contract_id)
        else:
            # A clerk of the organization: statements are for the owner, managers and worker.
            raise NotFound("no such contract", "그런 근로계약서가 없습니다")
        now = today()
        default_month = f"{now.year:04d}-{now.month:02d}"
        chosen = _month((values or {}).get("month", "")) or (now.year, now.month)
        return page(
            request,
            "wages/contract.html",
            found,
            status=status,
            latest=latest,
            concluded=_concluded(labor.history(found.account, contract_id)),
            is_employer=employer,
            is_worker=worker,
            statements=statements,
            objections=(
                _contract_objections(statements, node.wages.open_objections, found, latest)
                if employer
                else []
            ),
            industries=_industries(chosen, now, page_language(request)) if employer else [],
            values=values or {"month": default_month, "industry": ""},
            invalid=invalid or {},
            error=error,
            done=DONE.get(request.query_params.get("done", "")),
        )

    @pages.get("/labor/contracts/{contract_id}/wages", response_class=HTMLResponse)
    def contract_wages(request: Request, contract_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return contract_wages_page(request, found, contract_id)

    @pages.post("/labor/contracts/{contract_id}/wages", response_class=HTMLResponse)
    def issue(
        request: Request,
        contract_id: str,
        csrf: CsrfField = "",
        month: Short = "",
        income_tax: Short = "",
        local_income_tax: Short = "",
        industry: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        # Someone who may not see the contract gets the 404 page, not a form error.
        labor.history(found.account, contract_id)
        values = {
            "month": month,
            "income_tax": income_tax,
            "local_income_tax": local_income_tax,
            "industry": industry,
        }
        invalid: dict[str, str] = {}
        period = _month(month)
        if period is None:
            invalid["month"] = "wages.issue.month.error"
        amounts = {name: _won(values[name]) for name in _TAX_FIELDS}
        for name, amount in amounts.items():
            if amount is None:
                invalid[name] = "wages.issue.tax.error"
        if not industry:
            invalid["industry"] = "wages.issue.industry.error"
        if invalid or period is None:
            return contract_wages_page(
                request, found, contract_id, status=400, values=values, invalid=invalid
            )
        try:
            issued = node.wages.issue(
                found.account, contract_id, *period, amounts, industry=industry
            )
        except BlockcityError as exc:
            # Any refusal now (a month with no rates on file included) belongs on the form.
            if exc.status >= 500:
                raise
            return contract_wages_page(
                request,
                found,
                contract_id,
                status=exc.status,
                values=values,
                error=exc.message(page_language(request)),
            )
        return redirect(f"/wages/{issued.id}?done=issued")

    @pages.post("/labor/contracts/{contract_id}/dispute-record")
    def dispute_record(request: Request, contract_id: str, csrf: CsrfField = "") -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        now = today()
        data = export_record(
            found.account,
            contract_id,
            labor=labor,
            attendance=node.attendance,
            wages=node.wages,
            today=now,
        )
        filename = f"blockcity-dispute-record-{contract_id[:8]}-{now.isoformat()}.json"
        return Response(
            data,
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    # Lists: the worker's statements, the organization's statements and open objections.

    @pages.get("/wages", response_class=HTMLResponse)
    def my_statements(request: Request) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return page(
            request,
            "wages/mine.html",
            found,
            statements=node.wages.for_worker(found.account),
            employers={c.id: c.employer_name for c in labor.for_worker(found.account)},
        )

    @pages.get("/wages/organizations/{organization_id}", response_class=HTMLResponse)
    def organization_statements(request: Request, organization_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        if not is_employer(found.account, organization_id):
            raise NotFound("no such organization", "그런 기관이 없습니다")
        organization = seoul_pass.organizations.get(found.account, organization_id)
        return page(
            request,
            "wages/organization.html",
            found,
            organization=organization,
            statements=node.wages.for_organization(found.account, organization_id),
            objections=node.wages.open_objections(found.account, organization_id),
        )

    # One statement.

    def statement_page(
        request: Request,
        found: SignedIn,
        statement_id: str,
        *,
        status: int = 200,
        sign_error: str | None = None,
        object_error: str | None = None,
        answer_error: tuple[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> HTMLResponse:
        issued = node.wages.get(found.account, statement_id)
        return page(
            request,
            "wages/statement.html",
            found,
            status=status,
            issued=issued,
            statement=issued.statement,
            worker=worker_name(issued),
            is_worker=found.account.did == issued.worker_did,
            is_employer=is_employer(found.account, issued.organization_id),
            has_pin=has_pin(request, found.account),
            sign_error=sign_error,
            object_error=object_error,
            answer_error=answer_error,
            values=values or {},
            done=DONE.get(request.query_params.get("done", "")),
        )

    @pages.get("/wages/{statement_id}", response_class=HTMLResponse)
    def statement(request: Request, statement_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return statement_page(request, found, statement_id)

    @pages.get("/wages/{statement_id}/statement.pdf")
    def statement_pdf(request: Request, statement_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        issued = node.wages.get(found.account, statement_id)
        data = node.wages.pdf(found.account, statement_id, worker_name(issued))
        period = issued.statement.period.start
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="wage-statement-{period:%Y-%m}-{statement_id[:8]}.pdf"'
                ),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    def sign_receipt(request: Request, found: SignedIn, pin: str, digest: str) -> SignatureRecord:
        """The worker's Seoul Pass signature over the statement digest, after a PIN step-up on
        this device (DESIGN.md §4), exactly as a contract is signed."""
        seoul_pass.pins.step_up(found.token, request.cookies.get(DEVICE_COOKIE), pin)
        return seoul_pass.signing.sign_with_custodial_key(found.token, bytes.fromhex(digest)).record

    @pages.post("/wages/{statement_id}/acknowledge", response_class=HTMLResponse)
    def acknowledge(
        request: Request,
        statement_id: str,
        csrf: CsrfField = "",
        pin: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        issued = node.wages.get(found.account, statement_id)
        if issued.worker_did != found.account.did:
            # Staff of the employer may read the statement but only its worker signs receipt.
            raise NotFound(
                "no such wage statement (or it is not yours to sign)",
                "그런 임금명세서가 없습니다 (또는 서명할 권한이 없습니다)",
            )
        try:
            record = sign_receipt(request, found, pin, issued.digest)
            node.wages.acknowledge(found.account, statement_id, record)
        except BlockcityError as exc:
            if exc.status >= 500 or exc.status == 404:
                raise
            return statement_page(
                request,
                found,
                statement_id,
                status=exc.status,
                sign_error=exc.message(page_language(request)),
            )
        return redirect(f"/wages/{statement_id}?done=acknowledged")

    @pages.post("/wages/{statement_id}/object", response_class=HTMLResponse)
    def object_to(
        request: Request,
        statement_id: str,
        csrf: CsrfField = "",
        category: Short = "",
        text: LongText = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        values = {"category": category, "text": text}
        try:
            chosen = _category(category)
            node.wages.object(found.account, statement_id, chosen, text)
        except BlockcityError as exc:
            if exc.status >= 500 or exc.status == 404:
                raise
            return statement_page(
                request,
                found,
                statement_id,
                status=exc.status,
                object_error=exc.message(page_language(request)),
                values=values,
            )
        return redirect(f"/wages/{statement_id}?done=objected")

    @pages.post("/wages/objections/{objection_id}/answer", response_class=HTMLResponse)
    def answer(
        request: Request,
        objection_id: str,
        csrf: CsrfField = "",
        statement_id: Annotated[str, Form(max_length=40)] = "",
        text: LongText = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        try:
            answered = node.wages.answer(found.account, objection_id, text)
        except BlockcityError as exc:
            if exc.status >= 500 or exc.status == 404 or not statement_id:
                raise
            return statement_page(
                request,
                found,
                statement_id,
                status=exc.status,
                answer_error=(objection_id, exc.message(page_language(request))),
                values={f"answer_{objection_id}": text},
            )
        return redirect(f"/wages/{answered.statement_id}?done=answered")

    return pages


def _concluded(history: list[Contract]) -> bool:
    return any(version.state is ContractState.CONCLUDED for version in history)


def _contract_objections(
    statements: list[IssuedStatement],
    open_objections: Callable[[Account, str], list[Objection]],
    found: SignedIn,
    latest: Contract,
) -> list[tuple[Objection, IssuedStatement]]:
    """The organization's unanswered objections that concern this contract's statements."""
    by_id = {s.id: s for s in statements}
    return [
        (objection, by_id[objection.statement_id])
        for objection in open_objections(found.account, latest.organization_id)
        if objection.statement_id in by_id
    ]


def _category(text: str) -> ObjectionCategory:
    try:
        return ObjectionCategory(text)
    except ValueError:
        raise InvalidInput(
            "choose what the objection is about from the list",
            "이의 제기 사유를 목록에서 고르세요",
        ) from None
