"""Attendance pages (issue 6 item 1): the employer's worksites and their rotating QR display, the
worker's scan landing page on a phone with big clock-in and clock-out buttons, the month of a
contract (confirmations, corrections both parties sign, the timesheet and its PDF).

Handlers parse forms, call one ``node.attendance`` command and render. Without script the scan
page posts a plain form and the server's time is used; ``static/attendance.js`` posts the scan
with the phone's time instead and, when the phone is offline, queues it until it is back online.
The script also offers the worker to record their phone's location with each scan: their consent
(and its withdrawal) goes to the vault's consent register, and the month page shows each kept
location with its distance from the worksite. Signing a correction is the PIN step-up and
custodial signature of ``web.labor``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from blockcity.documents import Lang
from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.http.sessions import NotSignedIn, SignedIn, signed_in
from blockcity.node import Node
from blockcity.services.attendance import (
    AttendanceRecord,
    ContractTerms,
    CorrectionReason,
    Flag,
    Location,
    RecordKind,
    WindowMismatch,
)
from blockcity.services.attendance.model import SEOUL
from blockcity.services.attendance.qr import scanned_in_time
from blockcity.services.labor.model import Weekday
from blockcity.services.labor.records import Contract, ContractState
from blockcity.web.i18n import Translator
from blockcity.web.organizations import signed_in_form
from blockcity.web.passkeys import DEVICE_COOKIE
from blockcity.web.rendering import HtmlErrorRoute, page_language, redirect, seoul_time
from blockcity.web.wallet import qr_svg
from blockcity.web.workplace import WorkplacePages

_KINDS = {"in": RecordKind.CLOCK_IN, "out": RecordKind.CLOCK_OUT}
CsrfField = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=40)]

DONE = {
    "created": "attendance.done.created",
    "confirmed": "attendance.done.confirmed",
    "proposed": "attendance.done.proposed",
    "signed": "attendance.done.signed",
    "positioned": "attendance.done.positioned",
}


def _month(text: str | None, today: date) -> tuple[int, int]:
    """``YYYY-MM`` as the browser's month field sends it; this month when absent."""
    if not text:
        return today.year, today.month
    year, _, month = text.strip().partition("-")
    well_formed = len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()
    if well_formed and 1 <= int(month) <= 12:
        return int(year), int(month)
    raise InvalidInput("give the month as YYYY-MM", "월은 YYYY-MM 형식으로 적으세요")


def _shift_month(year: int, month: int, step: int) -> str:
    index = year * 12 + month - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(SEOUL).strftime("%H:%M") if moment is not None else "-"


def _device_time(text: str, now: datetime) -> datetime:
    """The phone's time of a scan as milliseconds since the Unix epoch (``Date.now()``);
    the server's ``now`` when the script sent none."""
    if not text:
        return now
    if not (text.isascii() and text.isdigit() and len(text) <= 15):
        raise InvalidInput(
            "the phone's time is not a number of milliseconds",
            "휴대전화 시각이 올바른 값이 아닙니다",
        )
    return datetime.fromtimestamp(int(text) / 1000, UTC)


def _scan_location(latitude: str, longitude: str, accuracy: str) -> Location | None:
    """The phone's reading sent with a scan, or None when it sent none or one that is not a
    place on Earth: the scan is then recorded without it rather than lost."""
    if not latitude or not longitude:
        return None
    try:
        return Location(float(latitude), float(longitude), float(accuracy) if accuracy else None)
    except (ValueError, InvalidInput):
        return None


def _coordinate(text: str, field_en: str, field_ko: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            f"give the {field_en} as a number of degrees, such as 37.5665",
            f"{field_ko}를 37.5665처럼 도 단위 숫자로 적으세요",
        ) from None


def _local(day: date, text: str) -> datetime:
    """A Seoul wall-clock ``HH:MM`` on ``day`` as an aware time."""
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        raise InvalidInput("give times as HH:MM", "시각은 HH:MM 형식으로 적으세요") from None
    return datetime.combine(day, clock.replace(second=0, microsecond=0), SEOUL)


def _weekday(day: date, lang: str) -> str:
    weekday = list(Weekday)[day.weekday()]
    return weekday.label_ko if lang == "ko" else weekday.label_en


def _json_error(exc: BlockcityError, lang: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "code": exc.code, "message": exc.message(lang)},
        status_code=exc.status,
        headers={"Cache-Control": "no-store"},
    )


def router(node: Node) -> APIRouter:
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    seoul_pass = node.seoul_pass
    workplace = WorkplacePages(seoul_pass)
    labor = node.labor
    attendance = node.attendance

    def today() -> date:
        return attendance.clock().astimezone(SEOUL).date()

    me_or_sign_in = workplace.me_or_sign_in

    employer_orgs = workplace.employer_orgs

    is_employer = workplace.is_employer

    has_pin = workplace.has_pin

    page = workplace.page

    def latest_contract(found: SignedIn, contract_id: str) -> Contract:
        return labor.history(found.account, contract_id)[-1]

    # The employer's worksites and their QR display.

    @pages.get("/labor/worksites", response_class=HTMLResponse)
    def worksites(request: Request) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        organizations = employer_orgs(found.account)
        chosen = request.query_params.get("org")
        current = next((o for o in organizations if o.id == chosen), None) or (
            organizations[0] if organizations else None
        )
        sites: list[Any] = []
        workplaces: list[str] = []
        staff: dict[str, list[tuple[Contract, str]]] = {}
        if current is not None:
            sites = attendance.worksites(found.account, current.id)
            concluded = [
                c
                for c in labor.for_organization(found.account, current.id)
                if c.state is ContractState.CONCLUDED
            ]
            workplaces = sorted({c.draft.workplace for c in concluded if c.draft.workplace})
            for contract in concluded:
                worker = seoul_pass.accounts.by_did(contract.worker_did)
                name = worker.display_name if worker else contract.worker_did
                staff.setdefault(contract.draft.workplace or "", []).append((contract, name))
        return page(
            request,
            "attendance/worksites.html",
            found,
            organizations=organizations,
            current=current,
            sites=sites,
            positions={site.id: attendance.worksite_position(site.id) for site in sites},
            workplaces=workplaces,
            staff=staff,
            done=DONE.get(request.query_params.get("done", "")),
        )

    @pages.post("/labor/worksites")
    def create_worksite(
        request: Request,
        csrf: CsrfField = "",
        organization_id: Annotated[str, Form(max_length=100)] = "",
        label: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        label = label.strip()
        if not label:
            raise InvalidInput(
                "name the worksite as the contracts name the workplace",
                "계약서의 근무장소와 같은 이름으로 사업장을 적으세요",
            )
        attendance.worksite(found.account, organization_id, label)
        return redirect(f"/labor/worksites?org={quote(organization_id)}&done=created")

    @pages.post("/labor/worksite/{worksite_id}/position")
    def register_position(
        request: Request,
        worksite_id: str,
        csrf: CsrfField = "",
        latitude: Short = "",
        longitude: Short = "",
    ) -> Response:
        """The employer registers where the worksite is, so scans far from it stand out."""
        found = signed_in_form(request, seoul_pass, csrf)
        position = Location(
            _coordinate(latitude, "latitude", "위도"), _coordinate(longitude, "longitude", "경도")
        )
        attendance.set_worksite_position(found.account, worksite_id, position)
        site = attendance.worksite_by_id(found.account, worksite_id)
        return redirect(f"/labor/worksites?org={quote(site.organization_id)}&done=positioned")

    def display(found: SignedIn, worksite_id: str) -> dict[str, Any]:
        url, window, left = attendance.display(found.account, worksite_id)
        return {"url": url, "window": window, "seconds_left": left, "svg": str(qr_svg(url))}

    @pages.get("/labor/worksite/{worksite_id}/qr", response_class=HTMLResponse)
    def qr_page(request: Request, worksite_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        site = attendance.worksite_by_id(found.account, worksite_id)
        return page(request, "attendance/qr.html", found, site=site, shown=display(found, site.id))

    @pages.get("/labor/worksite/{worksite_id}/qr.json")
    def qr_json(request: Request, worksite_id: str) -> Response:
        lang = page_language(request)
        found = signed_in(request, seoul_pass)
        try:
            if found is None:
                raise NotSignedIn()
            shown = display(found, worksite_id)
        except BlockcityError as exc:
            return _json_error(exc, lang)
        return JSONResponse(shown, headers={"Cache-Control": "no-store"})

    # The worker's scan: the landing page the QR code opens, and the two ways to post it.

    def scan_page(
        request: Request, found: SignedIn, worksite_id: str, window: int, code: str
    ) -> HTMLResponse:
        site = attendance.check_code(worksite_id, window, code)
        if not scanned_in_time(window, attendance.clock(), attendance.policy):
            raise WindowMismatch(
                "this QR code has expired; scan the code on the display now",
                "이 QR 코드는 만료되었습니다. 지금 화면에 표시된 코드를 찍으세요",
            )
        choices = attendance.contracts_at(found.account, site.id)
        if not choices:
            raise NotFound(
                "you have no concluded contract at this worksite",
                "이 사업장에서 체결한 근로계약이 없습니다",
            )
        described = []
        for terms in choices:
            contract = latest_contract(found, terms.contract_id)
            described.append((terms, contract))
        return page(
            request,
            "attendance/scan.html",
            found,
            site=site,
            window=window,
            code=code,
            choices=described,
            endpoint="/attendance/scans",
            location_on=attendance.location_consent(found.account, site.id) is not None,
            consent_endpoint="/attendance/location-consent",
        )

    @pages.get("/a/{worksite_id}/{window}/{code}", response_class=HTMLResponse)
    def scan(request: Request, worksite_id: str, window: int, code: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return scan_page(request, found, worksite_id, window, code)

    def record_scan(
        found: SignedIn,
        worksite_id: str,
        window: int,
        code: str,
        contract_id: str,
        kind: str,
        device_at: datetime | None,
        location: Location | None = None,
    ) -> tuple[AttendanceRecord, ContractTerms]:
        if kind not in _KINDS:
            raise InvalidInput("choose clock-in or clock-out", "출근이나 퇴근을 고르세요")
        record = attendance.clock_in_out(
            found.account,
            contract_id,
            _KINDS[kind],
            worksite_id,
            window,
            code,
            device_at,
            location,
        )
        return record, attendance.contract_terms(found.account, contract_id)

    @pages.post("/a/{worksite_id}/{window}/{code}", response_class=HTMLResponse)
    def scan_form(
        request: Request,
        worksite_id: str,
        window: int,
        code: str,
        csrf: CsrfField = "",
        contract: Short = "",
        kind: Short = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        record, terms = record_scan(found, worksite_id, window, code, contract, kind, None)
        return page(request, "attendance/scanned.html", found, record=record, terms=terms)

    @pages.post("/attendance/scans")
    def scan_json(
        request: Request,
        csrf: CsrfField = "",
        worksite: Short = "",
        window: Short = "",
        code: Short = "",
        contract: Short = "",
        kind: Short = "",
        device_at: Short = "",
        latitude: Short = "",
        longitude: Short = "",
        accuracy: Short = "",
    ) -> Response:
        """The script's post (a scan made now, or one queued while offline, with the location
        the phone read at the scan if the worker opted in): JSON either way, so the phone can
        tell a refusal (drop it, say why) from a failure to reach us (keep it)."""
        lang = page_language(request)
        try:
            found = signed_in_form(request, seoul_pass, csrf)
            if not (window.isascii() and window.isdigit() and len(window) <= 18):
                raise InvalidInput(
                    "the QR window is not a number", "QR 코드 값이 올바르지 않습니다"
                )
            moment = _device_time(device_at, attendance.clock())
            place = _scan_location(latitude, longitude, accuracy)
            record, _ = record_scan(
                found, worksite, int(window), code, contract, kind, moment, place
            )
        except BlockcityError as exc:
            return _json_error(exc, lang)
        t = Translator(lang)
        late = Flag.LATE_SYNC in record.flags
        return JSONResponse(
            {
                "ok": True,
                "kind": record.kind.value,
                "message": t("attendance.scan.done." + record.kind.value),
                "server_time": seoul_time(record.at.isoformat()),
                "device_time": seoul_time(record.device_at.isoformat()),
                "late": late,
                "late_text": t("attendance.flag.late_sync") if late else "",
                "location_recorded": record.location is not None,
            },
            headers={"Cache-Control": "no-store"},
        )

    @pages.post("/attendance/location-consent")
    def location_consent(
        request: Request,
        csrf: CsrfField = "",
        worksite: Short = "",
        choice: Short = "",
    ) -> Response:
        """The worker turns recording their location at this worksite on or off: the consent
        register of the vault keeps both, so either can be shown later. JSON, since the scan
        page must not reload (its QR code would have expired)."""
        lang = page_language(request)
        try:
            found = signed_in_form(request, seoul_pass, csrf)
            if choice == "on":
                attendance.allow_location(found.account, worksite)
            elif choice == "off":
                attendance.withdraw_location(found.account, worksite)
            else:
                raise InvalidInput(
                    "choose to turn location recording on or off",
                    "위치 기록을 켤지 끌지 고르세요",
                )
        except BlockcityError as exc:
            return _json_error(exc, lang)
        on = attendance.location_consent(found.account, worksite) is not None
        return JSONResponse(
            {
                "ok": True,
                "on": on,
                "message": Translator(lang)("attendance.location." + ("on" if on else "off")),
            },
            headers={"Cache-Control": "no-store"},
        )

    # One contract's month: the timesheet, confirmations and corrections.

    def month_page(
        request: Request,
        found: SignedIn,
        contract_id: str,
        month_text: str | None,
        *,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        terms = attendance.contract_terms(found.account, contract_id)
        year, month = _month(month_text, today())
        sheet = attendance.timesheet(found.account, contract_id, year, month)
        first = date(year, month, 1)
        last = date.fromisoformat(_shift_month(year, month, 1) + "-01") - timedelta(days=1)
        records = attendance.records(found.account, contract_id, first, last)
        locations = attendance.locations(found.account, contract_id, first, last)
        contract = latest_contract(found, contract_id)
        worker = seoul_pass.accounts.by_did(terms.worker_did)
        lang = page_language(request)
        return page(
            request,
            "attendance/month.html",
            found,
            status=status,
            terms=terms,
            contract=contract,
            worker_name=worker.display_name if worker else terms.worker_did,
            sheet=sheet,
            records=records,
            locations=locations,
            month=f"{year:04d}-{month:02d}",
            previous=_shift_month(year, month, -1),
            following=_shift_month(year, month, 1),
            is_employer=is_employer(found.account, terms.organization_id),
            is_worker=found.account.did == terms.worker_did,
            corrections=attendance.corrections(found.account, contract_id),
            reasons=[
                (r.value, r.label_ko if lang == "ko" else r.label_en) for r in CorrectionReason
            ],
            has_pin=has_pin(request, found.account),
            hm=_hm,
            clock=_clock,
            weekday=lambda day: _weekday(day, lang),
            done=DONE.get(request.query_params.get("done", "")),
            endpoint="/attendance/scans",
            **context,
        )

    def month_url(contract_id: str, month: str, done: str) -> str:
        return f"/labor/contracts/{contract_id}/attendance?month={month}&done={done}"

    @pages.get("/labor/contracts/{contract_id}/attendance", response_class=HTMLResponse)
    def month_view(request: Request, contract_id: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        return month_page(request, found, contract_id, request.query_params.get("month"))

    @pages.post("/labor/contracts/{contract_id}/attendance/confirm")
    def confirm(
        request: Request,
        contract_id: str,
        day: Annotated[date, Form()],
        csrf: CsrfField = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        attendance.confirm(found.account, contract_id, day)
        return redirect(month_url(contract_id, f"{day:%Y-%m}", "confirmed"))

    @pages.post(
        "/labor/contracts/{contract_id}/attendance/corrections", response_class=HTMLResponse
    )
    def propose(
        request: Request,
        contract_id: str,
        day: Annotated[date, Form()],
        reason: Annotated[CorrectionReason, Form()],
        csrf: CsrfField = "",
        start: Short = "",
        end: Short = "",
        note: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        try:
            begins = _local(day, start)
            ends = _local(day, end)
            if ends <= begins:
                # A night shift ends on the next day.
                ends += timedelta(days=1)
            attendance.propose_correction(
                found.account, contract_id, day, begins, ends, reason, note
            )
        except InvalidInput as exc:
            return month_page(
                request,
                found,
                contract_id,
                f"{day:%Y-%m}",
                status=exc.status,
                propose_error=exc.message(page_language(request)),
            )
        return redirect(month_url(contract_id, f"{day:%Y-%m}", "proposed"))

    @pages.post("/labor/attendance/corrections/{correction_id}/sign", response_class=HTMLResponse)
    def sign_correction(
        request: Request,
        correction_id: str,
        csrf: CsrfField = "",
        pin: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        found = signed_in_form(request, seoul_pass, csrf)
        correction = attendance.correction(found.account, correction_id)
        month = f"{correction.day:%Y-%m}"
        try:
            # DESIGN.md §4: the custodial key signs only after a fresh step-up on this device.
            seoul_pass.pins.step_up(found.token, request.cookies.get(DEVICE_COOKIE), pin)
            record = seoul_pass.signing.sign_with_custodial_key(
                found.token, bytes.fromhex(correction.digest)
            ).record
            attendance.sign_correction(found.account, correction_id, record)
        except BlockcityError as exc:
            if exc.status >= 500 or exc.status == 404:
                raise
            return month_page(
                request,
                found,
                correction.contract_id,
                month,
                status=exc.status,
                sign_error=(correction_id, exc.message(page_language(request))),
            )
        return redirect(month_url(correction.contract_id, month, "signed"))

    @pages.get("/labor/contracts/{contract_id}/attendance/{month}.pdf")
    def timesheet_pdf(request: Request, contract_id: str, month: str) -> Response:
        found = me_or_sign_in(request)
        if isinstance(found, Response):
            return found
        year, number = _month(month, today())
        lang: Lang = "en" if page_language(request) == "en" else "ko"
        data = attendance.timesheet_pdf(found.account, contract_id, year, number, lang)
        name = f"timesheet-{contract_id[:8]}-{year:04d}-{number:02d}.pdf"
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return pages


__all__ = ["router"]
