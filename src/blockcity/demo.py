"""Demo data written into an empty ledger on first start, so a new user sees a living explorer."""

from __future__ import annotations

from hashlib import sha256

from blockcity.credentials.enrolment import enrol_issuer
from blockcity.credentials.identity import CITY_NAME_EN, CITY_NAME_KO
from blockcity.credentials.service import IssueRequest
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.errors import NotFound, StorageError
from blockcity.identity.dids import register_did
from blockcity.identity.proofing import IDENTITY_CREDENTIAL_TYPE
from blockcity.keystore import load_or_create_seed
from blockcity.node import CITY_DID_WEB, CityIdentity, Node
from blockcity.services.notices import NoticePublished, publish_notice

DEMO_ORGANIZATION_DID = "did:web:seoul.blockcity.example:org:mapo-cafe"
"""A demo small business whose key the node holds, so the demo can sign as an employer."""

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


def demo_organization_key(node: Node) -> SigningKey:
    """The demo café's signing key, sealed under the master key in the data folder."""
    if node.master is None:
        raise StorageError(
            "the demo organization's key needs a node opened for writing",
            "데모 기관의 키는 쓰기용으로 연 노드에서만 쓸 수 있습니다",
        )
    seed = load_or_create_seed(node.config.data_dir / "keys" / "demo-org.seed", node.master)
    return SigningKey.from_seed(seed)


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


_NAMES = {
    CITY_DID_WEB: (CITY_NAME_KO, CITY_NAME_EN),
    DEMO_ORGANIZATION_DID: ("마포 카페", "Mapo Café"),
}


def _demo_keys(node: Node, city: CityIdentity) -> dict[str, SigningKey]:
    return {CITY_DID_WEB: city.key, DEMO_ORGANIZATION_DID: demo_organization_key(node)}


def seed_demo_dids(node: Node) -> int:
    """Register the city's did:web and the demo café's, each unless already registered (the
    city's may be, by a first identity credential); return how many entries were written.

    Kept apart from ``seed_demo`` so that the ledger every test starts from keeps its three
    notices; ``blockcity serve --demo`` writes both.
    """
    if node.city is None:
        return 0
    city = node.city
    registered = {record.did for record in node.dids.dids()}
    written = 0
    for did, key in _demo_keys(node, city).items():
        if did in registered:
            continue
        register_did(
            node.submit,
            (city.kid, city.key),
            did,
            [("key-1", key.public)],
            name_ko=_NAMES[did][0],
            name_en=_NAMES[did][1],
            at=node.ledger.clock(),
        )
        written += 1
    return written


DEMO_CREDENTIAL_TYPES = {
    CITY_DID_WEB: ("CareerCertificate", IDENTITY_CREDENTIAL_TYPE),
    DEMO_ORGANIZATION_DID: ("CareerCertificate",),
}
"""Which credentials the demo issuers are trusted for: the city for public-job career
certificates and identity credentials, the café for its part-timers' career certificates."""


def seed_demo_issuers(node: Node) -> int:
    """Make the city and the demo café trusted issuers of their types, each type unless the
    registry trusts them for it already; return how many registry entries were written. Needs
    ``seed_demo_dids`` first."""
    if node.city is None:
        return 0
    city = node.city
    keys = _demo_keys(node, city)
    written = 0
    for did, types in DEMO_CREDENTIAL_TYPES.items():
        now = node.ledger.clock()
        missing = [t for t in types if not node.issuers.decide(did, t, now).trusted]
        if not missing and node.credentials.issuer_kids(did):
            continue
        enrol_issuer(
            node.submit,
            (city.kid, city.key),
            node.dids,
            node.credentials,
            did,
            missing,
            name_ko=_NAMES[did][0],
            name_en=_NAMES[did][1],
            valid_from=now,
            key=keys[did],
            at=now,
        )
        written += len(missing)
    return written


DEMO_CREDENTIAL_ID = "urn:uuid:5eed0c0d-0000-4000-8000-000000000001"
"""A sample career certificate the demo café issued, to try the verifier on at once:
``/verify/c/urn:uuid:5eed0c0d-0000-4000-8000-000000000001``."""


def seed_demo_credential(node: Node) -> int:
    """Issue the sample career certificate to a demo holder unless it exists; return 1 if
    written. Needs ``seed_demo_issuers`` first."""
    try:
        node.credentials.get(DEMO_CREDENTIAL_ID)
        return 0
    except NotFound:
        pass
    holder = did_key_from_public(
        SigningKey.from_seed(sha256(b"blockcity demo holder").digest()).public
    )
    node.credentials.issue(
        IssueRequest(
            node.credentials.issuer_signer(DEMO_ORGANIZATION_DID)[0],
            "CareerCertificate",
            holder,
            {
                "employer": "마포 카페",
                "position": "바리스타",
                "duties": "음료 제조, 매장 관리",
                "period": {"start": "2025-03-01", "end": "2025-12-31"},
            },
            credential_id=DEMO_CREDENTIAL_ID,
        )
    )
    return 1
