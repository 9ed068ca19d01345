"""Selective-disclosure shares through HTTP: the holder ticks claims, the link shows only
those (the others' values never reach the page) as a freshly made SD-JWT VC presentation that
verifies green; the downloadable presentation is bound to the verifier's nonce and audience,
so replaying it elsewhere fails, and tampering or revocation turn it red."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from blockcity.app import create_app
from blockcity.cli.main import app as cli
from blockcity.credentials.anchor import CredentialIssued, sd_jwt_digest
from blockcity.credentials.shares import Shares
from blockcity.crypto import b64url_decode, b64url_encode
from tests.credentials.holders import CredentialWorld
from tests.web.account_helpers import csrf_token
from tests.web.test_wallet_pages import checks_of

NONCE = "verifier-nonce-7f3a"
AUDIENCE = "https://hr.example.com/verify"


@pytest.fixture
def http(cw: CredentialWorld) -> Iterator[TestClient]:
    with TestClient(create_app(cw.node), follow_redirects=False) as client:
        yield client


def share_claims(http: TestClient, cw: CredentialWorld, claims: list[str]) -> str:
    """The holder shares only ``claims`` of their career certificate; returns the link path."""
    cw.world.sign_in(http, cw.holder)
    token = csrf_token(http.get("/wallet").text)
    made = http.post(
        "/wallet/shares",
        data={
            "credential_id": cw.credential.id,
            "lifetime": "1h",
            "csrf_token": token,
            "choose": "1",
            "claim": claims,
        },
    )
    assert made.status_code == 201, made.text
    found = re.search(r'id="share-link" href="[^"]*(/s/[^"]+)"', made.text)
    assert found
    http.cookies.clear()
    return found[1]


def download(http: TestClient, link: str, nonce: str = NONCE) -> dict[str, Any]:
    answer = http.post(f"{link}/presentation", data={"nonce": nonce, "audience": AUDIENCE})
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    bundle: dict[str, Any] = answer.json()
    return bundle


def cli_verify(cw: CredentialWorld, tmp_path: Path, data: bytes, *options: str) -> tuple[int, str]:
    path = tmp_path / "presentation.json"
    path.write_bytes(data)
    result = CliRunner().invoke(
        cli,
        ["verify", str(path), "--lang", "en", "--data", str(cw.node.config.data_dir), *options],
    )
    return result.exit_code, result.stdout + result.stderr


def test_the_wallet_offers_each_claim_with_its_korean_label(
    http: TestClient, cw: CredentialWorld
) -> None:
    cw.world.sign_in(http, cw.holder)
    page = http.get("/wallet").text
    values = re.findall(r'name="claim" value="([^"]+)" checked', page)
    assert values == ["employer", "duties", "period.start", "period.end"]
    for label in ("사업장", "업무 내용", "근무 시작일", "근무 종료일"):
        assert f">{label}</label>" in page


def test_a_share_of_two_claims_shows_only_them_and_verifies_green(
    http: TestClient, cw: CredentialWorld
) -> None:
    link = share_claims(http, cw, ["employer", "period.start"])
    page = http.get(link)
    assert page.status_code == 200
    assert 'data-valid="true"' in page.text
    assert "마포 카페" in page.text and "2025-03-01" in page.text
    # The withheld claims' values are nowhere in the page, not even hidden.
    assert "바리스타" not in page.text and "2025-12-31" not in page.text
    # 4 claims, 2 shown: 4 - 2 = 2 withheld.
    assert 'data-withheld="2"' in page.text
    checks = checks_of(page.text)
    assert checks["signature"] and checks["key-binding"] and checks["ledger"] and checks["status"]
    assert page.headers["referrer-policy"] == "no-referrer"


def test_ticking_every_claim_shares_the_whole_credential(
    http: TestClient, cw: CredentialWorld
) -> None:
    link = share_claims(http, cw, ["employer", "duties", "period.start", "period.end"])
    page = http.get(link).text
    assert 'data-valid="true"' in page and "바리스타" in page
    assert "data-withheld" not in page
    assert cw.node.credentials.sd_jwt(cw.credential.id) is None


def test_ticking_nothing_or_a_claim_the_credential_lacks_is_refused(
    http: TestClient, cw: CredentialWorld
) -> None:
    cw.world.sign_in(http, cw.holder)
    token = csrf_token(http.get("/wallet").text)
    base = {"credential_id": cw.credential.id, "csrf_token": token, "choose": "1"}
    assert http.post("/wallet/shares", data=base).status_code == 400
    wage = http.post("/wallet/shares", data={**base, "claim": ["wage"]})
    assert wage.status_code == 400
    assert cw.node.credentials.sd_jwt(cw.credential.id) is None


def test_the_sd_jwt_is_issued_by_the_vc_issuer_and_anchored_on_the_ledger(
    http: TestClient, cw: CredentialWorld
) -> None:
    share_claims(http, cw, ["employer"])
    sd_jwt = cw.node.credentials.sd_jwt(cw.credential.id)
    assert sd_jwt is not None
    header = json.loads(b64url_decode(sd_jwt.split(".")[0]))
    payload = json.loads(b64url_decode(sd_jwt.split(".")[1]))
    assert header["typ"] == "dc+sd-jwt"
    assert header["kid"] == cw.credential.document["proof"]["verificationMethod"]
    assert payload["iss"] == cw.credential.issuer
    assert payload["vct"].endswith("/vct/CareerCertificate")
    assert payload["credentialStatus"] == cw.credential.document["credentialStatus"]
    # Every subject claim is hidden behind a digest: employer, duties, period at the top.
    assert {"employer", "duties", "period"}.isdisjoint(payload) and len(payload["_sd"]) == 3
    holder_key = cw.world.seoul_pass.accounts.custodial_key(cw.holder.id)
    assert payload["cnf"]["jwk"]["x"] == b64url_encode(holder_key.public.raw)
    anchor = cw.node.credentials.anchor_for_digest(sd_jwt_digest(sd_jwt))
    assert anchor is not None
    body = CredentialIssued.model_validate(json.loads(anchor.entry)["body"])
    assert body.format == "sd-jwt" and body.digest == sd_jwt_digest(sd_jwt)
    assert body.types == ["CareerCertificate"]


def test_the_downloaded_presentation_verifies_with_its_nonce_and_audience(
    http: TestClient, cw: CredentialWorld, tmp_path: Path
) -> None:
    link = share_claims(http, cw, ["employer", "period.end"])
    bundle = download(http, link)
    data = json.dumps(bundle).encode()
    code, out = cli_verify(cw, tmp_path, data, "--nonce", NONCE, "--audience", AUDIENCE)
    assert code == 0, out
    assert "✔ ledger" in out and "✔ status" in out and "✔ key-binding" in out


def test_replaying_the_presentation_to_another_verifier_fails_key_binding(
    http: TestClient, cw: CredentialWorld, tmp_path: Path
) -> None:
    link = share_claims(http, cw, ["employer"])
    data = json.dumps(download(http, link)).encode()
    other = ("--nonce", NONCE, "--audience", "https://elsewhere.example/verify")
    code, out = cli_verify(cw, tmp_path, data, *other)
    assert code == 1
    assert "✘ key-binding" in out
    code, out = cli_verify(cw, tmp_path, data, "--nonce", "another", "--audience", AUDIENCE)
    assert code == 1 and "✘ key-binding" in out


def test_a_tampered_disclosure_fails_the_signature_check(
    http: TestClient, cw: CredentialWorld
) -> None:
    link = share_claims(http, cw, ["duties"])
    bundle = download(http, link)
    jwt, disclosure, *rest = bundle["sdJwt"].split("~")
    salt, name, value = json.loads(b64url_decode(disclosure))
    assert (name, value) == ("duties", "바리스타")
    forged = b64url_encode(json.dumps([salt, name, "점장"]).encode())
    bundle["sdJwt"] = "~".join([jwt, forged, *rest])
    verdict = cw.node.verifier().verify(json.dumps(bundle).encode(), nonce=NONCE, audience=AUDIENCE)
    assert not verdict.valid
    assert not {c.name: c.ok for c in verdict.checks}["signature"]


def test_revoking_the_credential_turns_the_selective_share_red(
    http: TestClient, cw: CredentialWorld
) -> None:
    link = share_claims(http, cw, ["employer"])
    assert 'data-valid="true"' in http.get(link).text
    cw.node.credentials.set_status(cw.credential.id, "revoke", issuer=cw.credential.issuer)
    page = http.get(link).text
    assert 'data-valid="false"' in page
    checks = checks_of(page)
    assert not checks["status"] and checks["signature"] and checks["key-binding"]


def test_a_whole_credential_share_offers_no_presentation(
    http: TestClient, cw: CredentialWorld
) -> None:
    link = share_claims(http, cw, ["employer", "duties", "period.start", "period.end"])
    assert 'id="presentation-form"' not in http.get(link).text
    answer = http.post(f"{link}/presentation", data={"nonce": NONCE, "audience": AUDIENCE})
    assert answer.status_code == 404


def test_a_revoked_share_link_makes_no_presentation(http: TestClient, cw: CredentialWorld) -> None:
    link = share_claims(http, cw, ["employer"])
    share = cw.node.credentials.db.one("SELECT id FROM credential_shares")
    assert share is not None
    Shares(cw.node.credentials.db).revoke(cw.holder.did, share["id"])
    answer = http.post(f"{link}/presentation", data={"nonce": NONCE, "audience": AUDIENCE})
    assert answer.status_code == 410
