"""Demo data written into an empty ledger on first start, so a new user sees a living explorer."""

from __future__ import annotations

from blockcity.node import Node
from blockcity.services.notices import NoticePublished, publish_notice

_NOTICES = [
    (
        "블록체인 원장 개설",
        "Blockchain ledger opened",
        "서울시 행정 서비스의 기록이 이 원장에 남습니다. 누구나 검증할 수 있습니다.",
        "Records of the city's services are kept on this ledger; anyone can verify them.",
    ),
    (
        "전자 근로계약 시범 운영 안내",
        "Electronic labor contracts: pilot",
        "공공일자리 참여자는 휴대전화로 근로계약을 체결할 수 있습니다.",
        "Public-job participants can sign their labor contract on their phone.",
    ),
    (
        "2026년 최저임금 시간급 10,320원",
        "2026 minimum wage: 10,320 KRW an hour",
        "2026년 1월 1일부터 적용됩니다.",
        "In force from 1 January 2026.",
    ),
]


def seed_demo(node: Node) -> int:
    """Publish the demo notices if the ledger is empty; return how many were written."""
    if node.ledger.size or node.city is None:
        return 0
    city = node.city
    for title_ko, title_en, summary_ko, summary_en in _NOTICES:
        publish_notice(
            node.submit,
            city.kid,
            city.key,
            NoticePublished(
                publisher=city.did,
                title_ko=title_ko,
                title_en=title_en,
                summary_ko=summary_ko,
                summary_en=summary_en,
            ),
        )
    return len(_NOTICES)
