"""``/api/v1/labor`` for operator apps: the law check, and an employer's app drafting, sending,
reading and countersigning its organization's contracts while the worker signs on their phone;
scopes, another organization's contract, bad drafts and a year without rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.documents import open_sealed_pdf
from blockcity.services.labor import ContractDraft, FormKind, LaborRules, RequiredItem, Severity
from tests.services.labor.drafts import complete
from tests.services.labor.service_world import LaborWorld, Signer, labor_world
from tests.services.labor.test_forms import _WITHOUT

LABOR = "/api/v1/labor/contracts"
ALL = ["labor:check", "labor:read", "labor:write"]


@dataclass
class Api:
    lw: LaborWorld
    http: TestClient

    def token(self, scopes: list[str], organization_id: str | None = None) -> dict[str, str]:
        client, secret = self.lw.world.app(scopes, organization_id)
        answer = self.http.post(
            "/api/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client.client_id, secret),
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def draft(self, form: FormKind = FormKind.FIXED_TERM, **changes: Any) -> dict[str, Any]:
        data = complete(form, **changes)
        data["employer"] = {"organization_id": self.lw.world.org.id}
        data["worker_did"] = self.lw.worker.account.did
        return data


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with labor_world(tmp_path / "data") as lw, TestClient(create_app(lw.node)) as http:
        yield Api(lw, http)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    """One world and a check-only token for the many checks that store nothing."""
    path = tmp_path_factory.mktemp("labor-api") / "data"
    with labor_world(path) as lw, TestClient(create_app(lw.node)) as http:
        api = Api(lw, http)
        yield api, api.token(["labor:check"])


def test_whole_flow_through_the_api_with_an_operator_token(api: Api) -> None:
    headers = api.token(ALL)
    checked = api.http.post(f"{LABOR}/check", json=api.draft(), headers=headers)
    assert checked.status_code == 200 and checked.json()["ready_to_send"] is True
    drafted = api.http.post(LABOR, json=api.draft(), headers=headers)
    assert drafted.status_code == 201, drafted.text
    contract_id = drafted.json()["id"]
    assert drafted.json()["state"] == "draft" and drafted.json()["pdfs"] == {}

    sent = api.http.post(
        f"{LABOR}/{contract_id}/send", json={"phone": "010-4821-7395"}, headers=headers
    )
    assert sent.status_code == 200, sent.text
    link = sent.json()["url"]
    assert link.startswith("http") and "/labor/invite/" in link
    # The worker opens the link on their phone and signs with Seoul Pass.
    opened = api.lw.node.labor.open_invitation(link.rsplit("/", 1)[1])
    worker_signed = api.lw.worker_signs(opened, link.rsplit("/", 1)[1])

    assert worker_signed.digest is not None
    record = api.lw.manager.sign(bytes.fromhex(worker_signed.digest))
    concluded = api.http.post(
        f"{LABOR}/{contract_id}/countersign", json={"record": record.to_dict()}, headers=headers
    )
    assert concluded.status_code == 200, concluded.text
    body = concluded.json()
    assert body["state"] == "concluded" and body["ledger_index"] is not None
    assert api.lw.node.ledger.store.entry(body["ledger_index"]) is not None

    for copy in ("worker", "employer"):
        pdf = api.http.get(body["pdfs"][copy], headers=headers)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert open_sealed_pdf(pdf.content) is not None
    listed = api.http.get(LABOR, headers=headers).json()["items"]
    assert [item["id"] for item in listed] == [contract_id]
    history = api.http.get(f"{LABOR}/{contract_id}", headers=headers).json()["versions"]
    assert [v["state"] for v in history] == ["concluded"]

    client_id = api.lw.node.seoul_pass.operators.everyone(api.lw.world.admin)[0].client_id
    log, _ = api.lw.node.seoul_pass.operators.access_log(api.lw.world.owner, client_id)
    assert {(r.method, r.status, r.scope) for r in log} >= {
        ("POST", 200, "labor:check"),
        ("POST", 201, "labor:write"),
        ("GET", 200, "labor:read"),
    }


def test_a_token_without_the_scope_is_refused_and_no_token_is_unauthorized(api: Api) -> None:
    reader = api.token(["labor:read"])
    refused = api.http.post(LABOR, json=api.draft(), headers=reader)
    assert refused.status_code == 403
    assert 'error="insufficient_scope", scope="labor:write"' in refused.headers["www-authenticate"]
    assert refused.headers["content-type"] == "application/problem+json"
    assert api.http.post(f"{LABOR}/check", json=api.draft(), headers=reader).status_code == 403
    assert api.http.get(LABOR).status_code == 401
    assert api.lw.node.labor.for_organization(api.lw.world.owner, api.lw.world.org.id) == []


def test_another_organizations_contract_is_not_found_everywhere(api: Api) -> None:
    world = api.lw.world
    theirs_draft = api.draft()
    theirs_draft["employer"] = {"organization_id": world.other_org.id}
    theirs = api.lw.node.labor.draft(
        world.stranger, world.other_org.id, ContractDraft.parse(theirs_draft)
    )
    record = api.lw.manager.sign(bytes(32)).to_dict()
    headers = api.token(ALL)
    base = f"{LABOR}/{theirs.id}"
    answers = [
        api.http.get(base, headers=headers),
        api.http.post(f"{base}/send", json={"phone": "010-4821-7395"}, headers=headers),
        api.http.post(f"{base}/countersign", json={"record": record}, headers=headers),
        api.http.get(f"{base}/versions/1/pdf", headers=headers),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert {a.json()["code"] for a in answers} == {"not-found"}
    assert api.lw.node.labor.history(world.stranger, theirs.id)[0].state.value == "draft"
    # Drafting in another organization's name is refused too.
    refused = api.http.post(LABOR, json=theirs_draft, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid-input"


_CASES = [
    (form, item.item, item.severity)
    for form in FormKind
    for item in LaborRules.for_year(2026).forms[form].items
]


@pytest.mark.parametrize(("form", "item", "severity"), _CASES, ids=lambda v: str(v))
def test_check_names_every_missing_required_item(
    shared: tuple[Api, dict[str, str]], form: FormKind, item: RequiredItem, severity: Severity
) -> None:
    api, headers = shared
    answer = api.http.post(
        f"{LABOR}/check", json=api.draft(form, **_WITHOUT[item]), headers=headers
    )
    assert answer.status_code == 200, answer.text
    found = {f["code"]: f for f in answer.json()["findings"]}
    finding = found[f"missing.{item.value}"]
    assert finding["severity"] == severity.value
    assert finding["message_ko"] and finding["message_en"]
    assert answer.json()["ready_to_send"] is (severity is not Severity.ERROR)


def test_a_draft_missing_a_required_item_cannot_be_sent(api: Api) -> None:
    headers = api.token(ALL)
    data = api.draft(FormKind.FIXED_TERM, **_WITHOUT[RequiredItem.WORKPLACE])
    drafted = api.http.post(LABOR, json=data, headers=headers)
    assert drafted.status_code == 201
    assert drafted.json()["check"]["ready_to_send"] is False
    refused = api.http.post(
        f"{LABOR}/{drafted.json()['id']}/send", json={"phone": "010-4821-7395"}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "labor-contract-not-ready"
    assert refused.json()["findings"] == ["missing.workplace"]


def test_a_malformed_draft_names_the_field(api: Api) -> None:
    headers = api.token(ALL)
    data = api.draft(wage={"kind": "hourly", "amount": "lots"})
    for path in (f"{LABOR}/check", LABOR):
        answer = api.http.post(path, json=data, headers=headers)
        assert answer.status_code == 400
        assert answer.json()["code"] == "labor-invalid-contract-draft"
        assert any("wage" in problem["field"] for problem in answer.json()["problems"])


def test_a_year_without_rules_is_a_clear_error(api: Api) -> None:
    headers = api.token(ALL)
    data = api.draft(period={"start": "2023-03-02", "end": "2023-12-31"})
    answer = api.http.post(f"{LABOR}/check", json=data, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "labor-no-rules-for-year"
    assert "2026" in answer.json()["detail"]
    assert api.http.post(LABOR, json=data, headers=headers).status_code == 422


def test_signed_in_employers_may_check_and_other_people_may_not(api: Api) -> None:
    world = api.lw.world
    world.sign_in(api.http, world.manager)
    assert api.http.post(f"{LABOR}/check", json=api.draft()).status_code == 200
    world.sign_in(api.http, world.clerk)
    assert api.http.post(f"{LABOR}/check", json=api.draft()).status_code == 403
    api.http.cookies.clear()
    assert api.http.post(f"{LABOR}/check", json=api.draft()).status_code == 401


def _worker_signed(api: Api, headers: dict[str, str]) -> tuple[str, bytes]:
    drafted = api.http.post(LABOR, json=api.draft(), headers=headers).json()
    link = api.http.post(
        f"{LABOR}/{drafted['id']}/send", json={"email": "minji@example.com"}, headers=headers
    ).json()["url"]
    token = link.rsplit("/", 1)[1]
    signed = api.lw.worker_signs(api.lw.node.labor.open_invitation(token), token)
    assert signed.digest is not None
    return drafted["id"], bytes.fromhex(signed.digest)


def test_only_an_owner_or_manager_countersigns_and_only_this_document(api: Api) -> None:
    headers = api.token(ALL)
    contract_id, digest = _worker_signed(api, headers)
    url = f"{LABOR}/{contract_id}/countersign"
    clerk = Signer(api.lw.node, api.lw.world.clerk)
    for record in (clerk.sign(digest), api.lw.worker.sign(digest)):
        refused = api.http.post(url, json={"record": record.to_dict()}, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["code"] == "labor-not-allowed"
    other = api.lw.manager.sign(bytes(32))
    refused = api.http.post(url, json={"record": other.to_dict()}, headers=headers)
    assert refused.status_code == 422
    assert (
        api.http.get(f"{url.rsplit('/', 1)[0]}", headers=headers).json()["versions"][0]["state"]
        == "worker_signed"
    )
    # The owner's own signature concludes it.
    owner = Signer(api.lw.node, api.lw.world.owner)
    done = api.http.post(url, json={"record": owner.sign(digest).to_dict()}, headers=headers)
    assert done.status_code == 200 and done.json()["state"] == "concluded"


def test_an_app_of_the_city_has_no_contracts(api: Api) -> None:
    operators = api.lw.node.seoul_pass.operators
    client, secret = operators.register(api.lw.world.admin, "City app", ALL)
    token = api.http.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client.client_id, secret),
    ).json()["access_token"]
    answer = api.http.get(LABOR, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"


def test_worker_certificate_with_a_job_too_short_answers_problem_json_per_job(api: Api) -> None:
    lw = api.lw
    # Begun on 5 January (57 days by the world's 2 March) and on 20 February (9 + 2 = 11 days).
    long = lw.conclude(lw.long_enough_draft()).contract.id
    short_draft = lw.draft(FormKind.REGULAR, period={"start": "2026-02-20", "end": None})
    short = lw.conclude(short_draft).contract.id
    csrf = lw.world.sign_in(api.http, lw.worker.account)
    career = api.http.get("/api/v1/labor/career")
    assert career.status_code == 200
    verdicts = {job["contract_id"]: job["eligibility"] for job in career.json()["items"]}
    assert verdicts[long]["eligible"] is True and verdicts[long]["days"] == 57
    assert verdicts[short]["eligible"] is False and verdicts[short]["days"] == 11

    body = {"contracts": [long, short], "items": ["employer", "period"]}
    assert api.http.post("/api/v1/labor/career/certificate", json=body).status_code == 403
    headers = {"x-csrf-token": csrf, "Accept-Language": "en"}
    refused = api.http.post("/api/v1/labor/career/certificate", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "labor-certificate-not-eligible"
    assert "11 days so far (2026-02-20 to 2026-03-02)" in problem["detail"]
    (job,) = problem["jobs"]
    assert job["contract_id"] == short and job["eligible_from"] == "2026-03-21"
    (refusal,) = job["refusals"]
    assert refusal["code"] == "labor-certificate-too-short"
    assert "11일(2026-02-20~2026-03-02)" in refusal["message_ko"]
    assert refusal["figures"] == {
        "start": "2026-02-20",
        "counted_to": "2026-03-02",
        "days": 11,
        "min_days": 30,
        "eligible_from": "2026-03-21",
    }

    issued = api.http.post(
        "/api/v1/labor/career/certificate",
        json={"contracts": [long], "items": ["employer", "period"]},
        headers=headers,
    )
    assert issued.status_code == 200 and issued.content.startswith(b"%PDF")
    assert issued.headers["x-credential-id"].startswith("urn:uuid:")
