"""``/api/v1/labor``: labour contracts for operator apps (issue 5). The law check of a draft is
open to apps with ``labor:check`` and to signed-in employers; an app licensed by an employer
drafts, sends and reads that organization's contracts (``labor:write``, ``labor:read``).

The worker still signs on their own phone through Seoul Pass: sending answers the signing link
for the app to pass on. The employer's countersignature is a Seoul Pass signature record made
by an owner or manager of the organization, checked like ``/api/v1/signatures/verify`` does;
the app only carries it. Another organization's contract answers 404, like an unknown one.

A signed-in worker (session cookie) reads their career, each job with whether a certificate
asked for today may cover it (Decree Art. 19), and downloads a certificate of employment; a
request naming a job it cannot cover answers 422 with each such job's reasons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from blockcity.api.credentials import optional_operator
from blockcity.api.oauth import OperatorCall, OperatorRoute, require_scope
from blockcity.api.problems import problem, request_language
from blockcity.api.sessions import session_caller
from blockcity.errors import BlockcityError
from blockcity.http.sessions import CSRF_HEADER
from blockcity.identity.authz import Forbidden, OperatorActor
from blockcity.identity.model import Role
from blockcity.identity.signing import SignatureRecord
from blockcity.node import Node
from blockcity.services.labor import ContractCheck, ContractDraft, InvalidContractDraft
from blockcity.services.labor.contracts import CareerJob, ContractNotReady, JobsNotEligible
from blockcity.services.labor.documents import CAREER_ITEMS
from blockcity.services.labor.records import Contract

CHECK = "labor:check"
READ = "labor:read"
WRITE = "labor:write"
_DRAFT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A contract draft: form, employer, worker_did, period, "
                    "workplace, duties, schedule, wage and the other items of the standard "
                    "form (blockcity.services.labor.ContractDraft).",
                }
            }
        },
    }
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Contact(_Strict):
    """Where the signing link goes: the worker's mobile number or e-mail address, one of them."""

    phone: str | None = Field(None, max_length=40, examples=["010-4821-7395"])
    email: str | None = Field(None, max_length=254)


class Countersignature(_Strict):
    record: dict[str, Any] = Field(
        description="The Seoul Pass signature record of an owner or manager of the employer "
        "over the contract version's digest, as Seoul Pass gave it."
    )


class InvitationOut(BaseModel):
    contract_id: str
    version: int
    url: str = Field(description="The worker's single-use signing link, to send them.")
    expires_at: datetime
    outbox_id: int = Field(description="The message queued for the platform's SMS/mail gateway.")


class ContractOut(BaseModel):
    id: str
    version: int
    kind: str
    state: str
    organization_id: str
    employer_name: str
    employer_did: str
    worker_did: str
    draft: dict[str, Any]
    check: dict[str, Any]
    digest: str | None = Field(description="SHA-256 of the document both parties sign.")
    created_at: datetime
    sent_at: datetime | None
    ledger_index: int | None
    decline_reason: str | None
    termination_reason: str | None
    pdfs: dict[str, str] = Field(
        description="Where the signed PDF copies are, once the version is concluded."
    )

    @classmethod
    def of(cls, contract: Contract) -> ContractOut:
        base = f"/api/v1/labor/contracts/{contract.id}/versions/{contract.version}/pdf"
        concluded = contract.state.value == "concluded"
        return cls(
            id=contract.id,
            version=contract.version,
            kind=contract.kind.value,
            state=contract.state.value,
            organization_id=contract.organization_id,
            employer_name=contract.employer_name,
            employer_did=contract.employer_did,
            worker_did=contract.worker_did,
            draft=contract.draft.model_dump(mode="json"),
            check=contract.check.model_dump(mode="json"),
            digest=contract.digest,
            created_at=contract.created_at,
            sent_at=contract.sent_at,
            ledger_index=contract.ledger_index,
            decline_reason=contract.decline_reason.value if contract.decline_reason else None,
            termination_reason=(
                contract.termination_reason.value if contract.termination_reason else None
            ),
            pdfs={copy: f"{base}?copy={copy}" for copy in ("worker", "employer")}
            if concluded
            else {},
        )


class CertificateRequest(_Strict):
    contracts: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1,
        max_length=50,
        description="Ids of the worker's concluded contracts, all with one employer.",
    )
    items: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1,
        max_length=len(CAREER_ITEMS),
        description="What the certificate states, and nothing else (LSA Art. 39(2)): among "
        + ", ".join(f"`{item}`" for item in sorted(CAREER_ITEMS))
        + ".",
    )
    lang: Literal["ko", "en"] = "ko"


class CareerJobOut(BaseModel):
    contract_id: str
    version: int
    employer_name: str
    employer_did: str
    duties: str | None
    eligibility: dict[str, Any] = Field(
        description="Whether a certificate asked for today may cover the job (`eligible`), the "
        "days counted, and each reason it may not (`refusals`, Korean and English)."
    )

    @classmethod
    def of(cls, job: CareerJob) -> CareerJobOut:
        return cls(
            contract_id=job.contract.id,
            version=job.contract.version,
            employer_name=job.contract.employer_name,
            employer_did=job.contract.employer_did,
            duties=job.contract.draft.duties,
            eligibility=job.eligibility.model_dump(mode="json"),
        )


def _organization(call: OperatorCall) -> OperatorActor:
    """The app's actor; the city's own apps belong to no employer, so they hold no contracts."""
    if call.grant.organization_id is None:
        raise Forbidden(
            "this app belongs to no organization, so it has no labor contracts; an employer "
            "registers its own app for that",
            "이 앱은 기관에 속하지 않아 근로계약서가 없습니다. 사업장이 자기 앱을 등록해야 합니다",
        )
    return call.actor


def _listing_problem(request: Request, exc: BlockcityError, key: str) -> JSONResponse:
    """The problem+json of ``exc`` with its list detail ``key`` kept: the codes of the findings
    that block sending, each malformed field, or each job a certificate cannot cover and why,
    for a program to act on one by one."""
    lang = request_language(request)
    return problem(
        request, exc.status, exc.code, exc.title(lang), exc.message(lang), **{key: exc.detail[key]}
    )


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/labor", tags=["labor"], route_class=OperatorRoute)
    labor = node.labor

    @api.post(
        "/contracts/check",
        summary="Check a contract draft against the law of the year it starts in",
        description=(
            "The body is a contract draft. Answers the findings in Korean and English "
            "(errors block sending, warnings explain) and `ready_to_send`. For operator apps "
            f"(bearer token with scope `{CHECK}`) and for signed-in owners and managers of an "
            "organization (session cookie). 400 names each malformed field; 422 for a year "
            "whose rules are not in the platform."
        ),
        openapi_extra=_DRAFT_BODY,
    )
    def check(
        request: Request,
        body: dict[str, Any],
        operator: OperatorCall | None = Depends(optional_operator(CHECK)),
    ) -> JSONResponse:
        if operator is None:
            # The check stores and changes nothing, so a session needs no CSRF token here.
            found = session_caller(request, node.seoul_pass, csrf=False)
            roles = {role for _, role in node.seoul_pass.organizations.of(found.account)}
            if not roles & {Role.OWNER, Role.MANAGER}:
                raise Forbidden(
                    "the contract check is for employers: owners and managers of an organization",
                    "근로계약서 확인은 사업장의 소유자와 관리자가 쓸 수 있습니다",
                )
        try:
            parsed = ContractDraft.parse(body)
        except InvalidContractDraft as exc:
            return _listing_problem(request, exc, "problems")
        result: ContractCheck = labor.check(parsed)
        return JSONResponse(result.model_dump(mode="json"))

    @api.post(
        "/contracts",
        status_code=201,
        summary="Draft a contract for the app's organization (checked against the law)",
        response_model=ContractOut,
        description=f"Scope `{WRITE}`. The draft's employer must be the app's organization.",
        openapi_extra=_DRAFT_BODY,
    )
    def draft(
        request: Request, body: dict[str, Any], call: OperatorCall = Depends(require_scope(WRITE))
    ) -> JSONResponse:
        actor = _organization(call)
        assert actor.organization_id is not None  # _organization refuses apps without one
        try:
            parsed = ContractDraft.parse(body)
        except InvalidContractDraft as exc:
            return _listing_problem(request, exc, "problems")
        drafted = labor.draft(actor, actor.organization_id, parsed)
        return JSONResponse(ContractOut.of(drafted).model_dump(mode="json"), status_code=201)

    @api.get(
        "/contracts",
        summary="The app's organization's contracts, each as its latest concluded version",
        description=f"Scope `{READ}`.",
    )
    def contracts(call: OperatorCall = Depends(require_scope(READ))) -> dict[str, Any]:
        actor = _organization(call)
        assert actor.organization_id is not None  # _organization refuses apps without one
        found = labor.for_organization(actor, actor.organization_id)
        return {"items": [ContractOut.of(contract) for contract in found]}

    @api.get(
        "/contracts/{contract_id}",
        summary="Every version of one of the organization's contracts, oldest first",
        description=f"Scope `{READ}`. Another organization's contract answers 404.",
    )
    def contract(
        contract_id: str, call: OperatorCall = Depends(require_scope(READ))
    ) -> dict[str, Any]:
        versions = labor.history(_organization(call), contract_id[:64])
        return {"versions": [ContractOut.of(version) for version in versions]}

    @api.post(
        "/contracts/{contract_id}/send",
        summary="Send the latest version to the worker: answers their signing link",
        response_model=InvitationOut,
        description=(
            f"Scope `{WRITE}`. Refused (409) while the law check finds errors. The worker opens "
            "the link on their phone and signs with Seoul Pass; a message with the link is "
            "queued for the platform's SMS or mail gateway too."
        ),
    )
    def send(
        request: Request,
        contract_id: str,
        body: Contact,
        call: OperatorCall = Depends(require_scope(WRITE)),
    ) -> InvitationOut | JSONResponse:
        contact = {key: value for key, value in body.model_dump().items() if value is not None}
        try:
            invitation = labor.send(_organization(call), contract_id[:64], contact)
        except ContractNotReady as exc:
            return _listing_problem(request, exc, "findings")
        return InvitationOut(
            contract_id=invitation.contract_id,
            version=invitation.version,
            url=invitation.url,
            expires_at=invitation.expires_at,
            outbox_id=invitation.outbox_id,
        )

    @api.post(
        "/contracts/{contract_id}/countersign",
        summary="Hand in the employer's countersignature: the version is concluded and anchored",
        description=(
            f"Scope `{WRITE}`. `record` is a Seoul Pass signature record by an owner or manager "
            "of the organization over the worker-signed version's `digest` (403 if by anyone "
            "else, 400 if it does not verify). The signed PDFs are then at `pdfs`."
        ),
    )
    def countersign(
        contract_id: str, body: Countersignature, call: OperatorCall = Depends(require_scope(WRITE))
    ) -> ContractOut:
        actor = _organization(call)
        record = SignatureRecord.from_dict(body.record)
        return ContractOut.of(labor.countersign_for(actor, contract_id[:64], record))

    @api.get(
        "/contracts/{contract_id}/versions/{version}/pdf",
        summary="A concluded version's signed PDF: the worker's or the employer's copy",
        description=f"Scope `{READ}`. Each download reads the worker's details and is logged.",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    def pdf(
        contract_id: str,
        version: int,
        copy: Literal["worker", "employer"] = Query("employer"),
        call: OperatorCall = Depends(require_scope(READ)),
    ) -> Response:
        data = labor.contract_pdf(_organization(call), contract_id[:64], version, copy_for=copy)
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="contract-{contract_id[:64]}'
                f'-v{version}-{copy}.pdf"',
                "Cache-Control": "no-store",
            },
        )

    @api.get(
        "/career",
        summary="The signed-in worker's jobs and whether each may go on a certificate today",
        description="Session cookie. Each concluded contract, with the days of employment "
        "counted to today and, for a job a certificate cannot cover (Enforcement Decree of the "
        "Labor Standards Act, Art. 19), every reason in Korean and English.",
    )
    def career(request: Request) -> dict[str, Any]:
        jobs = labor.career(session_caller(request, node.seoul_pass, csrf=False).account)
        return {"items": [CareerJobOut.of(job) for job in jobs]}

    @api.post(
        "/career/certificate",
        summary="A certificate of employment (LSA Art. 39) for some of the worker's jobs",
        description=(
            f"Session cookie and the `{CSRF_HEADER}` header. Answers the sealed PDF carrying "
            "its credential (`X-Credential-Id`). 422 `labor-certificate-not-eligible` when a "
            "job cannot go on a certificate today, with `jobs`: each one's reasons; 404 for a "
            "contract that is not the worker's."
        ),
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    def certificate(request: Request, body: CertificateRequest) -> Response:
        account = session_caller(request, node.seoul_pass, csrf=True).account
        try:
            data, credential_id = labor.career_certificate(
                account, body.contracts, set(body.items), body.lang
            )
        except JobsNotEligible as exc:
            return _listing_problem(request, exc, "jobs")
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": 'attachment; filename="career-certificate.pdf"',
                "Cache-Control": "no-store",
                "X-Credential-Id": credential_id,
            },
        )

    return api


__all__ = ["CHECK", "READ", "WRITE", "CareerJobOut", "CertificateRequest", "ContractOut", "router"]
