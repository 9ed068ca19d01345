"""The web pages through HTTP: both languages, the explorer, search, proofs and error pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.config import Config
from blockcity.ledger import merkle
from blockcity.ledger.entries import summarize
from blockcity.ledger.log import InclusionProof
from blockcity.node import Node
from blockcity.services.notices import NoticePublished, publish_notice
from blockcity.web.i18n import messages
from blockcity.web.pages import BLOCKS_PER_PAGE


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', page)
    assert found, "the page has no <html lang>"
    return found[1]


def _add_blocks(node: Node, count: int) -> None:
    """Publish ``count`` notices one at a time, so each is sealed in its own block."""
    assert node.city is not None
    for i in range(count):
        notice = NoticePublished(
            publisher=node.city.did, title_ko=f"공지 {i}", title_en=f"Notice {i}"
        )
        publish_notice(node.submit, node.city.kid, node.city.key, notice)


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    empty = Node.open(Config(data_dir=tmp_path / "empty"))
    try:
        with TestClient(create_app(empty)) as test_client:
            yield test_client
    finally:
        empty.close()


PAGES = [
    ("/", "최신 체크포인트", "Latest checkpoint"),
    ("/ledger", "원장 탐색기", "Ledger explorer"),
    ("/ledger/blocks/0", "서명된 체크포인트", "Signed checkpoint"),
    ("/ledger/entries/0", "직접 확인하는 방법", "Check it yourself"),
]


@pytest.mark.parametrize(("path", "korean", "english"), PAGES)
def test_every_page_renders_in_korean_by_default_and_in_english_on_request(
    client: TestClient, path: str, korean: str, english: str
) -> None:
    ko = client.get(path)
    assert ko.status_code == 200
    assert ko.headers["content-type"].startswith("text/html")
    assert _lang(ko.text) == "ko"
    assert korean in ko.text
    assert english not in ko.text

    en = client.get(path, params={"lang": "en"})
    assert en.status_code == 200
    assert _lang(en.text) == "en"
    assert english in en.text
    assert korean not in en.text


def test_the_language_choice_is_remembered_in_a_cookie_until_switched_back(
    client: TestClient,
) -> None:
    chosen = client.get("/", params={"lang": "en"})
    assert "lang=en" in chosen.headers["set-cookie"]
    assert _lang(client.get("/ledger").text) == "en"

    back = client.get("/ledger", params={"lang": "ko"})
    assert _lang(back.text) == "ko"
    assert _lang(client.get("/").text) == "ko"


def test_pages_stay_korean_for_an_english_browser_until_the_switch(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _lang(page.text) == "ko"
    page = client.get("/", params={"lang": "en"}, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _lang(page.text) == "en"


def test_the_language_switch_links_to_the_same_page_in_the_other_language(
    client: TestClient,
) -> None:
    page = client.get("/ledger/blocks/1", params={"cursor": "1"}).text
    assert 'href="/ledger/blocks/1?cursor=1&amp;lang=en"' in page
    assert ">English</a>" in page
    english = client.get("/ledger/blocks/1", params={"lang": "en"}).text
    assert 'href="/ledger/blocks/1?lang=ko"' in english
    assert ">한국어</a>" in english


def test_home_shows_the_latest_checkpoint_with_its_cosignature(
    client: TestClient, node: Node
) -> None:
    latest = node.ledger.latest_block
    assert latest is not None
    page = client.get("/").text
    assert latest.root.hex() in page
    assert f'href="/ledger/blocks/{latest.height}"' in page
    assert re.search(r"증인 연서명</dt>\s*<dd>1</dd>", page)
    assert "원장 서명 검증됨" in page
    assert 'href="/api/v1/docs"' in page
    assert 'href="/ledger"' in page


def test_an_empty_ledger_says_so_instead_of_failing(empty_client: TestClient) -> None:
    home = empty_client.get("/")
    assert home.status_code == 200
    assert "아직 블록이 없습니다" in home.text
    explorer = empty_client.get("/ledger", params={"lang": "en"})
    assert explorer.status_code == 200
    assert "No blocks yet." in explorer.text


def test_explorer_lists_blocks_newest_first_in_seoul_time(client: TestClient, node: Node) -> None:
    latest = node.ledger.latest_block
    assert latest is not None
    page = client.get("/ledger").text
    heights = [int(h) for h in re.findall(r'href="/ledger/blocks/(\d+)"', page)]
    assert heights == list(range(latest.height, -1, -1))
    seoul = datetime.fromisoformat(latest.time).astimezone(ZoneInfo("Asia/Seoul"))
    assert f"{seoul:%Y-%m-%d %H:%M:%S} KST" in page
    assert f'<time datetime="{latest.time}" title=' in page
    assert f'title="{node.ledger.block(latest.height).hash.hex()}"' in page


def test_explorer_pages_through_older_blocks_with_a_cursor(client: TestClient, node: Node) -> None:
    _add_blocks(node, BLOCKS_PER_PAGE)
    latest = node.ledger.latest_block
    assert latest is not None and latest.height >= BLOCKS_PER_PAGE

    first = client.get("/ledger").text
    shown = [int(h) for h in re.findall(r'href="/ledger/blocks/(\d+)" aria-label', first)]
    assert shown == list(range(latest.height, latest.height - BLOCKS_PER_PAGE, -1))
    older = re.search(r'href="(/ledger\?cursor=(\d+))" rel="next"', first)
    assert older and int(older[2]) == latest.height - BLOCKS_PER_PAGE

    second = client.get(older[1]).text
    rest = [int(h) for h in re.findall(r'href="/ledger/blocks/(\d+)" aria-label', second)]
    assert rest == list(range(int(older[2]), -1, -1))
    assert 'rel="next"' not in second
    assert 'href="/ledger">« 최신 블록' in second


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ({"q": "1"}, "/ledger/entries/1"),
        ({"q": " #2 "}, "/ledger/entries/2"),
        ({"q": "1", "kind": "block"}, "/ledger/blocks/1"),
        ({"q": "b2"}, "/ledger/blocks/2"),
        ({"q": "B 2"}, "/ledger/blocks/2"),
        ({"q": "block #1"}, "/ledger/blocks/1"),
        ({"q": "블록 0"}, "/ledger/blocks/0"),
    ],
)
def test_search_sends_numbers_to_entries_and_b_numbers_or_block_choice_to_blocks(
    client: TestClient, query: dict[str, str], target: str
) -> None:
    found = client.get("/ledger/search", params=query, follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == target


def test_search_by_entry_id_opens_that_entry_in_any_letter_case(
    client: TestClient, node: Node
) -> None:
    entry_id = summarize(node.ledger.entry(2).data).id
    assert entry_id is not None
    for text in (entry_id, entry_id.upper()):
        found = client.get("/ledger/search", params={"q": text}, follow_redirects=False)
        assert found.status_code == 303
        assert found.headers["location"] == "/ledger/entries/2"
    page = client.get("/ledger/search", params={"q": entry_id})
    assert page.status_code == 200
    assert "항목 #2" in page.text


@pytest.mark.parametrize(
    ("query", "korean", "english"),
    [
        (
            {"q": "hello"},
            "항목 번호, 항목 ID(UUID), 블록 높이 중 어느 것도 아닙니다",
            "is not an entry",
        ),
        ({"q": "  "}, "검색어가 비어 있습니다", "The search box is empty"),
        (
            {"q": "1", "kind": "person"},
            "항목(entry) 또는 블록(block)",
            "must be an entry or a block",
        ),
        ({"q": "b99999999999999999999"}, "블록 높이은(는) 0 이상", "A block height is a whole"),
    ],
)
def test_bad_search_input_gets_a_400_page_that_says_what_to_type(
    client: TestClient, query: dict[str, str], korean: str, english: str
) -> None:
    ko = client.get("/ledger/search", params=query)
    assert ko.status_code == 400
    assert ko.headers["content-type"].startswith("text/html")
    assert korean in ko.text
    assert "항목 번호(예: 42)" in ko.text
    assert '<form class="search"' in ko.text

    en = client.get("/ledger/search", params={**query, "lang": "en"})
    assert en.status_code == 400
    assert _lang(en.text) == "en"
    assert english in en.text


@pytest.mark.parametrize(
    "path", ["/ledger/blocks/abc", "/ledger/blocks/-1", "/ledger/entries/1e3", "/ledger?cursor=x"]
)
def test_malformed_numbers_in_urls_get_a_400_page(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "0 이상" in page.text


@pytest.mark.parametrize(
    ("path", "korean", "english"),
    [
        ("/ledger/blocks/999", "높이 999의 블록이 없습니다", "no block at height 999"),
        ("/ledger/entries/999", "항목 번호 999는 크기 3인 트리 밖에 있습니다", "outside the tree"),
        (
            "/ledger/search?q=00000000-0000-4000-8000-000000000000",
            "id가 00000000-0000-4000-8000-000000000000인 항목이 없습니다",
            "no entry with id",
        ),
        ("/static/missing.js", "missing.js 파일이 없습니다", "There is no file missing.js"),
    ],
)
def test_unknown_things_get_a_friendly_404_page_in_the_chosen_language(
    client: TestClient, path: str, korean: str, english: str
) -> None:
    ko = client.get(path)
    assert ko.status_code == 404
    assert ko.headers["content-type"].startswith("text/html")
    assert "찾을 수 없습니다" in ko.text
    assert korean in ko.text
    assert "원장 탐색기로 가기" in ko.text

    en = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert en.status_code == 404
    assert "Not found" in en.text
    assert english in en.text


def test_block_page_shows_header_checkpoint_and_entries(client: TestClient, node: Node) -> None:
    stored = node.ledger.block(1)
    previous = node.ledger.block(0)
    page = client.get("/ledger/blocks/1").text
    assert "<h1>블록 #1</h1>" in page
    assert previous.hash.hex() in page
    assert 'href="/ledger/blocks/0" rel="prev"' in page
    assert 'href="/ledger/blocks/2" rel="next"' in page
    assert stored.hash.hex() in page
    assert f'<pre class="note">{html.escape(stored.checkpoint)}' in page
    assert "— witness.demo.blockcity.example " in page
    assert "원장 서명 검증됨" in page
    for index in range(stored.first_index, stored.tree_size):
        assert f'href="/ledger/entries/{index}"' in page
    assert "notices.notice.published" in page


def test_first_block_says_it_has_no_previous_block(client: TestClient) -> None:
    page = client.get("/ledger/blocks/0").text
    assert "없음 (첫 블록)" in page
    assert 'rel="prev"' not in page


def test_entry_page_shows_the_entry_and_both_proofs_verified(
    client: TestClient, node: Node
) -> None:
    stored = node.ledger.entry(0)
    page = client.get("/ledger/entries/0").text
    assert "<h1>항목 #0</h1>" in page
    assert "이 항목은 크기 1인 트리에 포함되어 있습니다 (증명 검증됨)" in page
    assert "이 항목은 크기 3인 트리에 포함되어 있습니다 (증명 검증됨)" in page
    assert 'class="verdict bad"' not in page
    assert merkle.leaf_hash(stored.data).hex() in page
    assert "블록체인 원장 개설" in page
    assert f"{summarize(stored.data).id}" in page
    assert node.city is not None and html.escape(node.city.kid) in page
    assert "/api/v1/ledger/proofs/inclusion?index=0&amp;tree_size=1" in page
    assert "/api/v1/ledger/proofs/inclusion?index=0&amp;tree_size=3" in page
    assert "/api/v1/ledger/checkpoint" in page
    assert "blockcity ledger verifier-key" in page
    assert node.ledger.verifier_key() in page

    english = client.get("/ledger/entries/0", params={"lang": "en"}).text
    assert "This entry is included in the tree of size 3 (proof verified)" in english


def test_entry_in_the_latest_block_has_one_proof(client: TestClient, node: Node) -> None:
    page = client.get(f"/ledger/entries/{node.ledger.size - 1}").text
    assert page.count('class="proof"') == 1
    assert "이 항목의 블록 = 최신 블록" in page


def test_a_proof_that_does_not_verify_is_shown_in_red(
    client: TestClient, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = node.ledger.inclusion_proof

    def tampered(index: int, tree_size: int | None = None) -> InclusionProof:
        proof = real(index, tree_size)
        return replace(proof, path=[bytes(32) for _ in proof.path])

    monkeypatch.setattr(node.ledger, "inclusion_proof", tampered)
    page = client.get("/ledger/entries/0").text
    assert "크기 3인 트리에 포함되어 있음을 확인하지 못했습니다 (증명 검증 실패)" in page
    # A tree of one leaf needs no path, so the proof against block 0 still verifies.
    assert "크기 1인 트리에 포함되어 있습니다 (증명 검증됨)" in page
    assert page.count('class="verdict bad"') == 2


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["content-language"] == "ko"


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "focus-visible" in css.text


def test_korean_and_english_have_the_same_messages() -> None:
    assert messages("ko").keys() == messages("en").keys()
    assert all(messages("ko").values()) and all(messages("en").values())
