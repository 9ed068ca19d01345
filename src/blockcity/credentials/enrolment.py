"""Making an organization an issuer on the platform: its did:web registered by the city with a
key the platform holds for it, and the city's entries in the trusted-issuer registry.

This is the one place where the DID registry, the issuer registry and the issuing service meet;
each stays ignorant of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from blockcity.credentials.registry import Submit, authorize_issuer
from blockcity.credentials.service import Credentials
from blockcity.crypto import SigningKey
from blockcity.errors import Conflict
from blockcity.identity.dids import DidRegistry, register_did


def enrol_issuer(
    submit: Submit,
    city: tuple[str, SigningKey],
    dids: DidRegistry,
    credentials: Credentials,
    did: str,
    credential_types: Sequence[str],
    *,
    name_ko: str,
    name_en: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    key: SigningKey | None = None,
    at: datetime | None = None,
) -> str:
    """Make ``did`` an issuer of ``credential_types``; return the key id it issues with.

    A DID not yet registered is registered with ``key`` (a new one if None) as ``#key-1``. A
    registered DID must already have its key held by the platform (or be given it as ``key``).
    ``at`` is the entries' time (the node's clock); the real time when None.
    """
    registered = any(record.did == did for record in dids.dids())
    held = credentials.issuer_kids(did)
    if not registered:
        key = key or SigningKey.generate()
        register_did(
            submit, city, did, [("key-1", key.public)], name_ko=name_ko, name_en=name_en, at=at
        )
        kid = f"{did}#key-1"
        credentials.add_issuer_key(kid, key, name_ko=name_ko, name_en=name_en)
    elif key is not None:
        kid = next(
            (
                held_kid
                for held_kid in dids.did(did).kids
                if (record := dids.key(held_kid)) is not None and record.key == key.public
            ),
            "",
        )
        if not kid:
            raise Conflict(
                f"{did} is registered with other keys than the one given",
                f"{did}는 주어진 키가 아닌 다른 키로 등록되어 있습니다",
            )
        credentials.add_issuer_key(kid, key, name_ko=name_ko, name_en=name_en)
    elif held:
        kid = held[-1]
    else:
        raise Conflict(
            f"{did} is registered, but the platform holds none of its keys to issue with",
            f"{did}는 등록되어 있지만 플랫폼에 발급에 쓸 키가 없습니다",
        )
    for credential_type in credential_types:
        authorize_issuer(
            submit,
            city,
            did,
            credential_type,
            name_ko=name_ko,
            name_en=name_en,
            valid_from=valid_from,
            valid_until=valid_until,
            at=at,
        )
    return kid
