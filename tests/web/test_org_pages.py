"""The organization and operator app pages: both languages, what each role is offered, the forms
and what they do, the client secret shown once, and on a 360 px phone in headless Chromium an
owner who creates an organization, invites a colleague and registers an app."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from blockcity.http.sessions import SESSION_COOKIE
from blockcity.identity.model import Role
from blockcity.identity.operators import ClientStatus
from blockcity.node import Node
from tests.identity.orgs_world import PASSWORD, World
from tests.web.browser import Contexts, assert_no_horizontal_scroll


@pytest.fixture
def node(world_pair: tuple[World, Node]) -> Node:
    """Replaces the shared fixture's node, so ``client`` and ``live_server`` serve this world."""
    return world_pair[1]


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', page)
    assert found, "the page has no <html lang>"
    return found[1]


def _pages(world: World) -> list[tuple[str, str, str, str]]:
    """(who, path, Korean, English) for every page of this area."""
    app, _ = world.app(["ledger:read"])
    return [
        ("owner", "/orgs", "내 기관", "My organizations"),
        ("owner", "/orgs/new", "새 기관 만들기", "Create an organization"),
        ("owner", f"/orgs/{world.org.id}", "직원 초대", "Invite staff"),
        ("clerk", "/me/invitations", "받은 초대", "My invitations"),
        ("owner", f"/orgs/{world.org.id}/operators", "앱 등록", "Register an app"),
        ("owner", f"/operators/{app.client_id}/log", "접근 기록", "Access log"),
        ("admin", "/admin/operators", "운영 앱 승인", "Operator app licensing"),
    ]


def test_every_page_renders_in_korean_by_default_and_in_english_on_request(
    world: World, client: TestClient
) -> None:
    for who, path, korean, english in _pages(world):
        world.sign_in(client, getattr(world, who))
        client.cookies.delete("lang")
        ko = client.get(path)
        assert ko.status_code == 200, path
        assert _lang(ko.text) == "ko" and korean in ko.text and english not in ko.text, path
        en = client.get(path, params={"lang": "en"})
        assert _lang(en.text) == "en" and english in en.text and korean not in en.text, path
        assert 'href="/static/orgs.css' in en.text
    assert client.get("/static/orgs.css").status_code == 200


def test_every_form_carries_the_sessions_csrf_token(world: World, client: TestClient) -> None:
    world.seoul_pass.organizations.invite(world.owner, world.org.id, "stranger", "clerk")
    for who, path, _, _ in _pages(world):
        csrf = world.sign_in(client, getattr(world, who))
        page = client.get(path).text
        forms = re.findall(r'<form[^>]*method="post".*?</form>', page, re.S)
        for form in forms:
            assert f'name="csrf" value="{csrf}"' in form, (path, form[:80])


def test_pages_ask_whoever_is_not_signed_in_to_sign_in(world: World, client: TestClient) -> None:
    for path in ("/orgs", "/orgs/new", f"/orgs/{world.org.id}", "/me/invitations"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (401, 303), path
        if response.status_code == 303:
            assert response.headers["location"].startswith("/signin")
        assert world.org.name not in response.text


def test_creating_an_organization_makes_the_creator_its_owner(
    world: World, client: TestClient
) -> None:
    csrf = world.sign_in(client, world.stranger)
    form = {"csrf": csrf, "name": "북촌 공방", "kind": "business", "business_number": "2208162517"}
    response = client.post("/orgs/new", data=form)
    assert response.status_code == 200
    assert "기관을 만들었습니다" in response.text and "220-81-62517" in response.text
    assert "직원 초대" in response.text
    mine = world.seoul_pass.organizations.of(world.stranger)
    assert ("북촌 공방", Role.OWNER) in [(o.name, r) for o, r in mine]


def test_a_mistyped_business_number_shows_the_form_again_with_what_was_typed(
    world: World, client: TestClient
) -> None:
    csrf = world.sign_in(client, world.stranger)
    before = world.snapshot()
    form = {"csrf": csrf, "name": "북촌 공방", "kind": "charity", "business_number": "220-81-62518"}
    response = client.post("/orgs/new", data=form)
    assert response.status_code == 400
    assert "올바른 사업자등록번호가 아닙니다" in response.text
    assert 'value="북촌 공방"' in response.text and 'value="charity" selected' in response.text
    assert world.snapshot() == before


def test_an_invited_person_accepts_and_appears_on_the_staff_list(
    world: World, client: TestClient
) -> None:
    csrf = world.sign_in(client, world.owner)
    sent = client.post(
        f"/orgs/{world.org.id}/invitations",
        data={"csrf": csrf, "username": "stranger", "role": "manager"},
    )
    assert "초대를 보냈습니다" in sent.text and "stranger님 초대 취소" in sent.text
    csrf = world.sign_in(client, world.stranger)
    assert "답을 기다리는 초대가 1건" in client.get("/orgs").text
    invitations = client.get("/me/invitations").text
    assert "owner님이 관리자 역할로 초대했습니다" in invitations
    (invitation_id,) = re.findall(r"/me/invitations/([0-9a-f-]{36})/accept", invitations)
    joined = client.post(f"/me/invitations/{invitation_id}/accept", data={"csrf": csrf})
    assert "이 기관의 직원이 되었습니다" in joined.text
    assert world.seoul_pass.organizations.role_of(world.stranger.id, world.org.id) is Role.MANAGER


def test_inviting_an_unknown_username_says_so_on_the_organizations_page(
    world: World, client: TestClient
) -> None:
    csrf = world.sign_in(client, world.manager)
    response = client.post(
        f"/orgs/{world.org.id}/invitations",
        data={"csrf": csrf, "username": "no-such-person", "role": "clerk"},
    )
    assert response.status_code == 404
    assert "아이디 'no-such-person'인 사람이 없습니다" in html.unescape(response.text)
    assert 'value="no-such-person"' in response.text and world.org.name in response.text


def test_each_role_is_offered_only_what_it_may_do(world: World, client: TestClient) -> None:
    world.sign_in(client, world.clerk)
    clerk_page = client.get(f"/orgs/{world.org.id}").text
    assert "직원 초대" not in clerk_page and "/staff/" in clerk_page
    assert "이 기관에서 나가기" in clerk_page and "내보내기" not in clerk_page
    assert "운영 앱 (API 이용)" not in clerk_page

    world.sign_in(client, world.manager)
    manager_page = client.get(f"/orgs/{world.org.id}").text
    assert "clerk님 내보내기" in manager_page and "owner님 내보내기" not in manager_page
    # A manager can only make clerks, so a clerk's role offers them nothing to change.
    assert "clerk님의 새 역할" not in manager_page and "owner님의 새 역할" not in manager_page
    assert "manager님의 새 역할" in manager_page

    world.sign_in(client, world.owner)
    owner_page = client.get(f"/orgs/{world.org.id}").text
    assert "manager님 내보내기" in owner_page
    assert "유일한 소유자" in owner_page and "이 기관에서 나가기" not in owner_page


def test_a_confirmation_is_shown_only_for_known_outcomes(world: World, client: TestClient) -> None:
    world.sign_in(client, world.owner)
    assert "역할을 바꿨습니다" in client.get(f"/orgs/{world.org.id}?done=role").text
    crafted = client.get(f"/orgs/{world.org.id}", params={"done": "<script>alert(1)</script>"})
    assert crafted.status_code == 200 and "<script>alert" not in crafted.text


def test_the_client_secret_is_shown_once_and_works_after_approval(
    world: World, client: TestClient
) -> None:
    csrf = world.sign_in(client, world.manager)
    created = client.post(
        f"/orgs/{world.org.id}/operators",
        data={"csrf": csrf, "name": "급여 앱", "scopes": ["ledger:read", "operators:log:read"]},
    )
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    (client_id,) = re.findall(r'id="client-id">([^<]+)<', created.text)
    (secret,) = re.findall(r'id="client-secret">([^<]+)<', created.text)
    assert "지금 한 번만 보여 줍니다" in created.text and "승인 대기" in created.text
    again = client.get(f"/orgs/{world.org.id}/operators")
    assert client_id in again.text and secret not in again.text

    denied = client.post(
        "/api/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert denied.json()["error"] == "unauthorized_client"
    csrf = world.sign_in(client, world.admin)
    approved = client.post(f"/admin/operators/{client_id}/approve", data={"csrf": csrf})
    assert "앱을 승인했습니다" in approved.text
    token = client.post(
        "/api/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert token.status_code == 200
    log = client.get(f"/operators/{client_id}/log").text
    assert "POST /api/v1/oauth/token" in log and ">200<" in log and ">400<" in log


def test_the_licensing_desk_lists_waiting_apps_first(world: World, client: TestClient) -> None:
    operators = world.seoul_pass.operators
    world.app(["ledger:read"])
    world.clock.advance(minutes=1)
    waiting, _ = operators.register(world.owner, "대기 앱", ["ledger:read"], world.org.id)
    world.sign_in(client, world.admin)
    desk = client.get("/admin/operators").text
    assert desk.index("대기 앱") < desk.index("Payroll app")
    assert f"/admin/operators/{waiting.client_id}/approve" in desk
    assert world.org.name in desk


def test_an_organization_revokes_its_own_app_from_its_page(
    world: World, client: TestClient
) -> None:
    app, _ = world.app(["ledger:read"])
    csrf = world.sign_in(client, world.owner)
    response = client.post(
        f"/orgs/{world.org.id}/operators/{app.client_id}/revoke", data={"csrf": csrf}
    )
    assert "앱을 취소했습니다" in response.text
    assert world.seoul_pass.operators.get(world.owner, app.client_id).status is ClientStatus.REVOKED


def test_an_administrator_registers_a_city_app_that_is_active_at_once(
    world: World, client: TestClient
) -> None:
    csrf = world.sign_in(client, world.admin)
    response = client.post(
        "/admin/operators", data={"csrf": csrf, "name": "서울 포털", "scopes": "ledger:write"}
    )
    assert response.status_code == 201 and "사용 중" in response.text
    missing = client.post("/admin/operators", data={"csrf": csrf, "name": "No scopes"})
    assert missing.status_code == 400 and "범위를 하나 이상 고르세요" in missing.text


# In a browser on a phone


def _phone(contexts: Contexts, live_server: str, world: World, username: str) -> Page:
    account = world.seoul_pass.accounts.by_username(username)
    assert account is not None
    token, _ = world.seoul_pass.sessions.start(account.id)
    context = contexts.phone()
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
    return context.new_page()


@pytest.mark.browser
def test_on_a_phone_an_owner_creates_an_organization_invites_and_registers_an_app(
    contexts: Contexts, live_server: str, world: World, tmp_path: Path
) -> None:
    newcomer = world.seoul_pass.accounts.create("jiwoo", PASSWORD, "한지우")
    owner = _phone(contexts, live_server, world, "stranger")
    owner.goto(live_server + "/orgs")
    expect(owner.get_by_role("heading", level=1)).to_have_text("내 기관")
    owner.get_by_role("link", name="새 기관 만들기").click()
    owner.get_by_label("기관 이름").fill("성수 수제화")
    owner.get_by_label("기관 종류").select_option("business")
    owner.get_by_label("사업자등록번호 (선택)").fill("124-81-00998")
    assert_no_horizontal_scroll(owner)
    owner.get_by_role("button", name="기관 만들기").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("성수 수제화")
    expect(owner.get_by_role("status")).to_contain_text("당신이 소유자입니다")

    owner.get_by_label("초대할 사람의 아이디").fill("jiwoo")
    owner.get_by_label("역할", exact=True).select_option("clerk")
    owner.get_by_role("button", name="초대 보내기").click()
    expect(owner.get_by_role("button", name="jiwoo님 초대 취소")).to_be_visible()
    assert_no_horizontal_scroll(owner)

    invitee = _phone(contexts, live_server, world, "jiwoo")
    invitee.goto(live_server + "/me/invitations")
    invitee.get_by_role("button", name="성수 수제화 초대 수락").click()
    expect(invitee.get_by_role("status")).to_contain_text("직원이 되었습니다")
    assert_no_horizontal_scroll(invitee)

    owner.reload()
    expect(owner.get_by_text("한지우")).to_be_visible()
    owner.get_by_role("link", name="운영 앱 (API 이용)").click()
    owner.get_by_label("앱 이름").fill("수제화 예약 앱")
    owner.get_by_label("ledger:read").check()
    owner.get_by_role("button", name="앱 등록하기").click()
    expect(owner.get_by_role("alert")).to_contain_text("한 번만")
    expect(owner.locator("#client-secret")).not_to_be_empty()
    assert_no_horizontal_scroll(owner)
    owner.screenshot(path=tmp_path / "operator-secret-360.png", full_page=True)
    joined = world.seoul_pass.organizations.of(newcomer)
    assert [(o.name, r) for o, r in joined] == [("성수 수제화", Role.CLERK)]
