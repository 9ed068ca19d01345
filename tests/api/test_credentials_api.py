"""``/api/v1/verify``, the status lists, a holder's bundle, the issuer's status change and the
issuer registry, with the attacks: another person's credential, another organization's staff,
a huge upload, and every kind of bad input (issue 4, item 8) answered clearly, never with 500."""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter

from blockcity.app import create_app
from blockcity.demo import CITY_DID_WEB, DEMO_ORGANIZATION_DID
from blockcity.http.sessions import CSRF_HEADER
from tests.credentials.holders import CredentialWorld, credential_world

VERIFY = "/api/v1/verify"


@pytest.fixture(scope="module")
def cw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CredentialWorld]:
    with credential_world(tmp_path_factory.mktemp("creds") / "data") as world:
        yield world


@pytest.fixture(scope="module")
def http(cw: CredentialWorld) -> Iterator[TestClient]:
    with TestClient(create_app(cw.node), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(autouse=True)
def signed_out(http: TestClient) -> None:
    http.cookies.clear()


def bundle(cw: CredentialWorld) -> dict[str, Any]:
    return cw.node.credentials.bundle(cw.credential.id)


def post_json(http: TestClient, document: object, **params: Any) -> Any:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return http.post(
        VERIFY, content=body, headers={"content-type": "application/json"}, params=params
    )


def failed(answer: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["reason"] for c in answer["checks"] if not c["ok"]}


# Verifying.


def test_a_valid_bundle_answers_200_with_every_check_passed(
    http: TestClient, cw: CredentialWorld
) -> None:
    answer = post_json(http, bundle(cw), lang="en")
    assert answer.status_code == 200
    result = answer.json()
    assert result["valid"] is True and result["kind"] == "credential"
    names = [c["name"] for c in result["checks"]]
    assert {"signature", "issuer", "validity", "status", "ledger"} <= set(names)
    assert result["summary"]["issuer"] == DEMO_ORGANIZATION_DID


def test_a_multipart_upload_and_a_changed_claim(http: TestClient, cw: CredentialWorld) -> None:
    changed = bundle(cw)
    changed["credential"]["credentialSubject"]["duties"] = "점장"
    answer = http.post(
        VERIFY,
        files={"file": ("c.json", json.dumps(changed).encode(), "application/json")},
        params={"lang": "en"},
    )
    assert answer.status_code == 200
    assert answer.json()["valid"] is False
    assert "signature" in failed(answer.json())


def test_trust_key_admits_an_issuer_outside_the_registry(
    http: TestClient, cw: CredentialWorld
) -> None:
    from tests.cli.test_verify_cli import outsider_credential

    did, credential = outsider_credential()
    assert "issuer" in failed(post_json(http, credential).json())
    trusted = post_json(http, credential, trust_key=did)
    assert trusted.json()["valid"] is True


def _with(document: dict[str, Any], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    change(copied["credential"])
    return copied


def _proof_value_too_short(credential: dict[str, Any]) -> None:
    credential["proof"]["proofValue"] = credential["proof"]["proofValue"][:40]


def _wrong_key_prefix(credential: dict[str, Any]) -> None:
    # A multibase Multikey starts with z6Mk (Ed25519); the bytes behind another prefix are not
    # an Ed25519 key.
    method = credential["proof"]["verificationMethod"]
    credential["proof"]["verificationMethod"] = method.replace("#", "#zQ3s", 1)


BAD_CREDENTIALS = {
    "wrong context": lambda c: c.__setitem__("@context", ["https://example.com/not-vc"]),
    "unknown cryptosuite": lambda c: c["proof"].__setitem__("cryptosuite", "eddsa-made-up"),
    "short proofValue": _proof_value_too_short,
    "wrong key prefix": _wrong_key_prefix,
}


@pytest.mark.parametrize("case", sorted(BAD_CREDENTIALS))
def test_a_malformed_credential_fails_with_a_reason_never_500(
    http: TestClient, cw: CredentialWorld, case: str
) -> None:
    answer = post_json(http, _with(bundle(cw), BAD_CREDENTIALS[case]), lang="en")
    assert answer.status_code in (200, 422), answer.text
    body = answer.json()
    if answer.status_code == 200:
        assert body["valid"] is False
        assert all(reason for reason in failed(body).values())
    else:
        assert answer.headers["content-type"] == "application/problem+json"
        assert body["detail"]


def _pdf(attachments: int) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    for n in range(attachments):
        writer.add_attachment(f"credential-{n}.json", b"{}")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


UNREADABLE = {
    "truncated JSON": b'{"type": "BlockcityCredentialBundle", "credential": {"id": ',
    "random bytes": os.urandom(2048),
    "a PDF with no attachment": _pdf(0),
    "a PDF with two attachments": _pdf(2),
    "plain text": b"hello, clerk",
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_input_is_a_422_problem_with_a_reason(http: TestClient, case: str) -> None:
    answer = http.post(
        VERIFY,
        content=UNREADABLE[case],
        headers={"content-type": "application/octet-stream"},
        params={"lang": "en"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "unreadable-document"
    assert problem["detail"] and "Traceback" not in problem["detail"]
    assert problem["checks"][0]["name"] == "format"


def test_a_50_mb_upload_is_refused_413_and_the_server_answers_the_next_request(
    http: TestClient, cw: CredentialWorld
) -> None:
    answer = http.post(
        VERIFY,
        content=b"%PDF-" + bytes(50 * 1024 * 1024),
        headers={"content-type": "application/pdf"},
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "payload-too-large"
    assert post_json(http, bundle(cw)).json()["valid"] is True


def test_a_pdf_of_a_few_megabytes_is_accepted_past_the_1_mib_app_cap(http: TestClient) -> None:
    # 3 MiB of padding after a header: over the app's 1 MiB cap, under the verifier's 20 MB.
    answer = http.post(
        VERIFY,
        content=b"%PDF-1.7\n" + bytes(3 * 1024 * 1024),
        headers={"content-type": "application/pdf"},
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "unreadable-document"


def test_other_routes_keep_the_1_mib_cap(http: TestClient) -> None:
    answer = http.post(
        "/api/v1/signatures/verify",
        content=bytes(2 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413


# Status lists and the registry.


def test_status_list_is_served_signed_and_cacheable(http: TestClient, cw: CredentialWorld) -> None:
    url = cw.credential.document["credentialStatus"][0]["statusListCredential"]
    path = url[url.index("/api/v1/") :]
    answer = http.get(path)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=300"
    listed = answer.json()
    assert listed["id"] == url and "proof" in listed
    assert listed["issuer"] == DEMO_ORGANIZATION_DID


def test_an_unknown_status_list_is_404(http: TestClient) -> None:
    assert http.get("/api/v1/credentials/status/nope/revocation").status_code == 404
    assert http.get("/api/v1/credentials/status/nope/other").status_code == 404


def test_issuers_lists_the_registry(http: TestClient) -> None:
    items = http.get("/api/v1/issuers").json()["items"]
    pairs = {(i["issuer"], i["credential_type"]) for i in items}
    assert (DEMO_ORGANIZATION_DID, "CareerCertificate") in pairs
    assert (CITY_DID_WEB, "SeoulPassIdentityCredential") in pairs


# The holder's bundle.


def test_the_holder_reads_their_bundle(http: TestClient, cw: CredentialWorld) -> None:
    cw.world.sign_in(http, cw.holder)
    answer = http.get(f"/api/v1/credentials/{cw.credential.id}/bundle")
    assert answer.status_code == 200
    assert answer.json()["credential"]["id"] == cw.credential.id
    assert post_json(http, answer.json()).json()["valid"] is True


def test_the_issuers_clerk_reads_the_bundle(http: TestClient, cw: CredentialWorld) -> None:
    cw.world.sign_in(http, cw.world.clerk)
    assert http.get(f"/api/v1/credentials/{cw.credential.id}/bundle").status_code == 200


def test_another_person_gets_404_exactly_as_for_an_unknown_id(
    http: TestClient, cw: CredentialWorld
) -> None:
    cw.world.sign_in(http, cw.world.stranger)
    theirs = http.get(f"/api/v1/credentials/{cw.credential.id}/bundle")
    unknown = http.get("/api/v1/credentials/urn:uuid:00000000-0000-0000-0000-000000000000/bundle")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["title"] == unknown.json()["title"]


def test_no_session_is_401(http: TestClient, cw: CredentialWorld) -> None:
    assert http.get(f"/api/v1/credentials/{cw.credential.id}/bundle").status_code == 401


# Changing status.


def status(http: TestClient, credential_id: str, action: str, csrf: str | None) -> Any:
    headers = {CSRF_HEADER: csrf} if csrf else {}
    return http.post(
        f"/api/v1/credentials/{credential_id}/status", json={"action": action}, headers=headers
    )


def test_a_stranger_revoking_gets_404_and_a_clerk_403_and_nothing_changes(
    http: TestClient, cw: CredentialWorld
) -> None:
    csrf = cw.world.sign_in(http, cw.world.stranger)
    assert status(http, cw.credential.id, "revoke", csrf).status_code == 404
    csrf = cw.world.sign_in(http, cw.world.clerk)
    assert status(http, cw.credential.id, "revoke", csrf).status_code == 403
    csrf = cw.world.sign_in(http, cw.holder)
    assert status(http, cw.credential.id, "revoke", csrf).status_code == 403
    assert cw.node.credentials.get(cw.credential.id).state == "active"


def test_status_change_without_the_csrf_header_is_refused(
    http: TestClient, cw: CredentialWorld
) -> None:
    cw.world.sign_in(http, cw.world.owner)
    assert status(http, cw.credential.id, "suspend", None).status_code == 403
    assert cw.node.credentials.get(cw.credential.id).state == "active"


def test_a_manager_suspends_and_reinstates_and_the_verifier_sees_it(
    http: TestClient, cw: CredentialWorld, tmp_path: Path
) -> None:
    from tests.credentials.issuing import issue_career

    issued = issue_career(cw.node, holder=cw.holder.did)
    csrf = cw.world.sign_in(http, cw.world.manager)
    answer = status(http, issued.id, "suspend", csrf)
    assert answer.status_code == 200 and answer.json()["state"] == "suspended"
    stored = cw.node.credentials.bundle(issued.id)
    assert "status" in failed(post_json(http, stored).json())
    assert status(http, issued.id, "reinstate", csrf).json()["state"] == "active"
    assert post_json(http, cw.node.credentials.bundle(issued.id)).json()["valid"] is True


def test_an_unknown_action_is_a_400_problem(http: TestClient, cw: CredentialWorld) -> None:
    csrf = cw.world.sign_in(http, cw.world.owner)
    answer = status(http, cw.credential.id, "destroy", csrf)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
