"""Issuing credentials on the platform: sign, anchor, keep, revoke, publish status, share.

Organizations that issue through the platform hold their issuing key here, sealed under the
node's master key (the same custody as Seoul Pass's custodial keys). Each credential is a W3C
VC 2.0 with an eddsa-jcs-2022 proof; its digest is anchored on the ledger in the same call, so
``issue`` returns only once the anchor is durable. Credentials carry a revocation and a
suspension entry at one random index of the issuer's Bitstring Status Lists; the signed lists
are re-published (and their digests anchored) when they change.

The credential documents stay in this service's SQLite file; the ledger holds digests only.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any, Literal

from blockcity.credentials.anchor import (
    BUNDLE_TYPE,
    STATUS_LIST_PUBLISHED,
    Anchor,
    StatusListPublished,
    credential_digest,
    issued_entry,
    sd_jwt_digest,
)
from blockcity.credentials.dataintegrity import (
    VC_V2_CONTEXT,
    create_proof,
    create_proof_canonical,
)
from blockcity.credentials.registry import IssuerRegistry
from blockcity.credentials.sdjwt import ClaimPath, JwsPublicKey, issue_sd_jwt, present
from blockcity.credentials.statuslist import (
    MIN_ENTRIES,
    StatusList,
    status_entry,
    status_list_credential,
)
from blockcity.crypto import SigningKey, b64url_decode, b64url_encode
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.identity.db import IdentityDB
from blockcity.ledger.blocks import format_time
from blockcity.ledger.entries import SignedHere, sign_here
from blockcity.ledger.log import Ledger, Receipt

STATUS_LIST_VALIDITY = timedelta(days=1)
"""How long a published status list is good for; verifiers treat older copies as stale."""
_REPUBLISH_AFTER = STATUS_LIST_VALIDITY / 2
_LIST_FULL_AT = MIN_ENTRIES // 2
"""Past this many indexes a list is closed and a new one opened, so a random free index is
always found in a few tries and the list still hides each holder among many."""

StatusAction = Literal["revoke", "suspend", "reinstate"]

_PAGE_SIZE = 16_384
"""A credential is about 2 KB of JSON: 16 KB pages hold seven, where 4 KB pages hold one."""
_CACHE_KIB = 65_536
"""The status and id indexes take random keys; a 64 MB page cache keeps them in memory."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS issuer_keys (
    kid TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    sealed BLOB NOT NULL,
    name_ko TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS status_groups (
    id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS status_lists (
    url TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES status_groups(id),
    purpose TEXT NOT NULL,
    encoded TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    published TEXT,
    published_at TEXT
);
CREATE TABLE IF NOT EXISTS issued_credentials (
    id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    holder TEXT NOT NULL,
    types TEXT NOT NULL,
    document TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    ledger_index INTEGER NOT NULL,
    status_group TEXT NOT NULL,
    status_index INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    issued_at TEXT NOT NULL,
    UNIQUE (status_group, status_index)
);
CREATE TABLE IF NOT EXISTS issued_sd_jwts (
    digest TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL REFERENCES issued_credentials(id),
    sd_jwt TEXT NOT NULL,
    ledger_index INTEGER NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sd_jwts_by_credential ON issued_sd_jwts(credential_id, issued_at);
CREATE INDEX IF NOT EXISTS issued_by_holder ON issued_credentials(holder, issued_at);
CREATE INDEX IF NOT EXISTS issued_by_issuer ON issued_credentials(issuer, issued_at);
"""


class UnknownIssuerKey(NotFound):
    code = "unknown-issuer-key"
    title_ko = "발급 키가 없습니다"
    title_en = "No issuing key"


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """One credential to issue: its type, to whom, what it says, and for how long."""

    issuer_kid: str
    credential_type: str
    holder: str
    claims: Mapping[str, Any]
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    related: Sequence[Mapping[str, str]] = ()
    """VC 2.0 ``relatedResource`` items, e.g. the digest of the PDF the credential vouches for."""
    credential_id: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    id: str
    issuer: str
    holder: str
    types: tuple[str, ...]
    document: dict[str, Any]
    digest: str
    ledger_index: int
    state: str
    issued_at: datetime

    @property
    def credential_type(self) -> str:
        return self.types[-1]


@dataclass
class _Group:
    id: str
    used: set[int] = field(default_factory=set)


class Credentials:
    def __init__(
        self,
        path: Path,
        master: MasterKey,
        ledger: Ledger,
        submit_many: Callable[[Sequence[bytes | SignedHere]], list[Receipt | BlockcityError]],
        issuers: IssuerRegistry,
        *,
        public_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = IdentityDB(path, page_size=_PAGE_SIZE, cache_kib=_CACHE_KIB)
        self.db.schema(SCHEMA)
        self.master = master
        self.ledger = ledger
        self.submit_many = submit_many
        self.issuers = issuers
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self._keys: dict[str, tuple[SigningKey, str]] = {}
        """Issuing keys opened from their sealed form, with the issuer's name, by key id."""
        self._groups: dict[str, _Group] = {}
        self._status_templates: dict[str, list[dict[str, Any]]] = {}
        self._published: dict[str, tuple[dict[str, Any], datetime]] = {}
        """Status list URL -> the signed list last published and when: verifying a batch of
        credentials reads each list once, not once per credential."""
        self._lock = threading.Lock()

    # Issuing keys.

    def add_issuer_key(self, kid: str, key: SigningKey, *, name_ko: str, name_en: str) -> None:
        """Hold ``key`` as ``kid`` (a DID URL registered for its DID) to issue with."""
        if "#" not in kid:
            raise InvalidInput(
                f"an issuing key id is a DID URL with a #fragment, not {kid!r}",
                f"발급 키 id는 #조각이 있는 DID URL이어야 합니다 (받은 값: {kid!r})",
            )
        sealed = self.master.seal(key.seed, _key_purpose(kid))
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO issuer_keys (kid, issuer, sealed, name_ko, name_en) VALUES "
                "(?, ?, ?, ?, ?) ON CONFLICT(kid) DO UPDATE SET sealed = excluded.sealed, "
                "name_ko = excluded.name_ko, name_en = excluded.name_en",
                (kid, kid.split("#", 1)[0], sealed, name_ko, name_en),
            )
        self._keys.pop(kid, None)

    def has_issuer_key(self, kid: str) -> bool:
        return self.db.one("SELECT 1 FROM issuer_keys WHERE kid = ?", (kid,)) is not None

    def issuer_kids(self, issuer: str) -> list[str]:
        rows = self.db.query("SELECT kid FROM issuer_keys WHERE issuer = ? ORDER BY kid", (issuer,))
        return [row["kid"] for row in rows]

    def issuer_signer(self, issuer: str) -> tuple[str, SigningKey]:
        """The newest key the platform holds for ``issuer``, as a (key id, key) pair to sign
        ledger entries with: services reuse this custody instead of keeping keys of their own."""
        kids = self.issuer_kids(issuer)
        if not kids:
            raise UnknownIssuerKey(
                f"the platform holds no key of {issuer}; an administrator enrols it first",
                f"플랫폼에 {issuer}의 키가 없습니다. 관리자가 먼저 등록해야 합니다",
            )
        return kids[-1], self._key(kids[-1])[0]

    def _key(self, kid: str) -> tuple[SigningKey, str]:
        held = self._keys.get(kid)
        if held is not None:
            return held
        row = self.db.one("SELECT sealed, name_ko FROM issuer_keys WHERE kid = ?", (kid,))
        if row is None:
            raise UnknownIssuerKey(
                f"the platform holds no issuing key {kid}; an administrator enrols the issuer",
                f"플랫폼에 발급 키 {kid}가 없습니다. 관리자가 발급 기관으로 등록해야 합니다",
            )
        key = SigningKey.from_seed(self.master.open(row["sealed"], _key_purpose(kid)))
        self._keys[kid] = (key, row["name_ko"])
        return key, row["name_ko"]

    # Issuing.

    def issue(self, request: IssueRequest) -> IssuedCredential:
        result = self.issue_many([request])[0]
        if isinstance(result, BlockcityError):
            raise result
        return result

    def issue_many(
        self, requests: Sequence[IssueRequest]
    ) -> list[IssuedCredential | BlockcityError]:
        """Sign each credential, anchor all of them in as few blocks as the sequencer makes,
        and keep those the ledger acknowledged. Errors stay per request."""
        now = self.clock()
        prepared: list[tuple[dict[str, Any], str, str, int] | BlockcityError] = []
        entries: list[SignedHere] = []
        for request in requests:
            try:
                credential, canonical, group, index = self._sign(request, now)
                digest = b64url_encode(sha256(canonical).digest())
                key, _ = self._key(request.issuer_kid)
                entries.append(
                    issued_entry(
                        (request.issuer_kid, key),
                        digest,
                        credential["type"][1:],
                        at=now,
                    )
                )
                prepared.append((credential, digest, group, index))
            except BlockcityError as exc:
                prepared.append(exc)
        receipts = iter(self.submit_many(entries))
        results: list[IssuedCredential | BlockcityError] = []
        rows = []
        for request, item in zip(requests, prepared, strict=True):
            if isinstance(item, BlockcityError):
                results.append(item)
                continue
            credential, digest, group, index = item
            receipt = next(receipts)
            if isinstance(receipt, BlockcityError):
                self._release(group, index)
                results.append(receipt)
                continue
            issued = IssuedCredential(
                credential["id"],
                request.issuer_kid.split("#", 1)[0],
                request.holder,
                tuple(credential["type"]),
                credential,
                digest,
                receipt.index,
                "active",
                now,
            )
            results.append(issued)
            rows.append(
                (
                    issued.id,
                    issued.issuer,
                    issued.holder,
                    json.dumps(issued.types),
                    # In the issuer's member order, not RFC 8785's: pages show claims as written.
                    json.dumps(credential, ensure_ascii=False),
                    digest,
                    receipt.index,
                    group,
                    index,
                    format_time(now),
                )
            )
        if rows:
            with self.db.transaction() as tx:
                tx.executemany(
                    "INSERT INTO issued_credentials (id, issuer, holder, types, document, digest, "
                    "ledger_index, status_group, status_index, issued_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                groups: dict[str, int] = {}
                for row in rows:
                    groups[row[7]] = groups.get(row[7], 0) + 1
                for group_id, count in groups.items():
                    tx.execute(
                        "UPDATE status_groups SET used = used + ?, open = (used + ? < ?) "
                        "WHERE id = ?",
                        (count, count, _LIST_FULL_AT, group_id),
                    )
        return results

    def _sign(self, request: IssueRequest, now: datetime) -> tuple[dict[str, Any], bytes, str, int]:
        """The secured credential, its RFC 8785 form, and its status list group and index."""
        _check_type(request.credential_type)
        if not request.holder.startswith("did:"):
            raise InvalidInput(
                f"the holder must be a DID, not {request.holder!r}",
                f"소지자는 DID여야 합니다 (받은 값: {request.holder!r})",
            )
        if "id" in request.claims:
            raise InvalidInput(
                "the claims must not carry 'id': it is the holder's DID",
                "클레임에 'id'를 넣을 수 없습니다. 소지자의 DID가 들어갑니다",
            )
        key, issuer_name = self._key(request.issuer_kid)
        issuer = request.issuer_kid.split("#", 1)[0]
        valid_from = request.valid_from or now
        if request.valid_until is not None and request.valid_until <= valid_from:
            raise InvalidInput(
                "validUntil must come after validFrom", "validUntil은 validFrom보다 뒤여야 합니다"
            )
        group, index = self._allocate(issuer)
        try:
            document: dict[str, Any] = {
                "@context": [VC_V2_CONTEXT],
                "id": request.credential_id or f"urn:uuid:{uuid.uuid4()}",
                "type": ["VerifiableCredential", request.credential_type],
                "issuer": {"id": issuer, "name": issuer_name},
                "validFrom": format_time(valid_from.replace(microsecond=0)),
                "credentialSubject": {"id": request.holder, **request.claims},
                "credentialStatus": self._status_entries(group, index),
            }
            if request.valid_until is not None:
                document["validUntil"] = format_time(request.valid_until.replace(microsecond=0))
            if request.related:
                document["relatedResource"] = [dict(item) for item in request.related]
            secured, canonical = create_proof_canonical(
                document, key, request.issuer_kid, created=_whole_second_up(now)
            )
            return secured, canonical, group, index
        except BlockcityError:
            self._release(group, index)
            raise

    def _status_entries(self, group: str, index: int) -> list[dict[str, Any]]:
        """The credential's revocation and suspension entries at ``index``. The first entry of
        a group is made (and checked) by ``status_entry``; later ones only change the index."""
        templates = self._status_templates.get(group)
        if templates is None:
            templates = [
                status_entry(self.status_list_url(group, purpose), 0, purpose)
                for purpose in ("revocation", "suspension")
            ]
            self._status_templates[group] = templates
        return [
            {
                **template,
                "id": f"{template['statusListCredential']}#{index}",
                "statusListIndex": str(index),
            }
            for template in templates
        ]

    def _allocate(self, issuer: str) -> tuple[str, int]:
        """A random unused index in the issuer's open status lists (Bitstring Status List §6.1:
        a sequential index would tell when, and in what order, credentials were issued)."""
        with self._lock:
            group = self._open_group(issuer)
            while True:
                index = secrets.randbelow(MIN_ENTRIES)
                if index not in group.used:
                    group.used.add(index)
                    return group.id, index

    def _release(self, group_id: str, index: int) -> None:
        with self._lock:
            group = self._groups.get(group_id)
            if group is not None:
                group.used.discard(index)

    def _open_group(self, issuer: str) -> _Group:
        held = self._groups.get(issuer)
        if held is not None and len(held.used) < _LIST_FULL_AT:
            return held
        row = self.db.one(
            "SELECT id FROM status_groups WHERE issuer = ? AND open = 1 "
            + ("AND id != ? " if held else "")
            + "ORDER BY rowid LIMIT 1",
            (issuer, held.id) if held else (issuer,),
        )
        if row is not None:
            used = {
                r["status_index"]
                for r in self.db.query(
                    "SELECT status_index FROM issued_credentials WHERE status_group = ?",
                    (row["id"],),
                )
            }
            group = _Group(row["id"], used)
        else:
            group = _Group(str(uuid.uuid4()))
            empty = StatusList(MIN_ENTRIES).encode()
            changed = format_time(self.clock())
            with self.db.transaction() as tx:
                tx.execute(
                    "INSERT INTO status_groups (id, issuer) VALUES (?, ?)", (group.id, issuer)
                )
                for purpose in ("revocation", "suspension"):
                    tx.execute(
                        "INSERT INTO status_lists (url, group_id, purpose, encoded, changed_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (
                            self.status_list_url(group.id, purpose),
                            group.id,
                            purpose,
                            empty,
                            changed,
                        ),
                    )
        if held is not None:
            with self.db.transaction() as tx:
                tx.execute("UPDATE status_groups SET open = 0 WHERE id = ?", (held.id,))
        self._groups[issuer] = group
        return group

    # Reading.

    def get(self, credential_id: str) -> IssuedCredential:
        row = self.db.one("SELECT * FROM issued_credentials WHERE id = ?", (credential_id,))
        if row is None:
            raise NotFound(
                f"no credential {credential_id} was issued here",
                f"여기서 발급한 자격증명 {credential_id}가 없습니다",
            )
        return _issued(row)

    def held_by(self, holder: str) -> list[IssuedCredential]:
        rows = self.db.query(
            "SELECT * FROM issued_credentials WHERE holder = ? ORDER BY issued_at DESC", (holder,)
        )
        return [_issued(row) for row in rows]

    def issued_by(self, issuer: str, limit: int = 100) -> list[IssuedCredential]:
        rows = self.db.query(
            "SELECT * FROM issued_credentials WHERE issuer = ? ORDER BY issued_at DESC LIMIT ?",
            (issuer, limit),
        )
        return [_issued(row) for row in rows]

    def bundle(self, credential_id: str) -> dict[str, Any]:
        """The credential with everything an offline verifier needs: its anchor (entry,
        inclusion proof, cosigned checkpoint) and the current signed status lists."""
        issued = self.get(credential_id)
        return {
            "type": BUNDLE_TYPE,
            "version": 1,
            "credential": issued.document,
            "anchor": Anchor.of(self.ledger, issued.ledger_index).to_dict(),
            "statusLists": [
                {
                    "credential": self.status_list(entry["statusListCredential"]),
                    "fetchedAt": format_time(self.clock()),
                }
                for entry in issued.document.get("credentialStatus", [])
            ],
        }

    def anchor_for_digest(self, digest: str) -> Anchor | None:
        """The anchor of a credential (VC or SD-JWT VC) issued here, proven against the latest
        checkpoint."""
        row = self.db.one(
            "SELECT ledger_index FROM issued_credentials WHERE digest = ? "
            "UNION ALL SELECT ledger_index FROM issued_sd_jwts WHERE digest = ?",
            (digest, digest),
        )
        return Anchor.of(self.ledger, row["ledger_index"]) if row is not None else None

    # Selective disclosure (SD-JWT VC).

    def vct(self, credential_type: str) -> str:
        """The SD-JWT VC type URL of a credential type (SD-JWT VC §3.2.2.1: a URI)."""
        return f"{self.public_url}/vct/{credential_type}"

    def issue_sd_jwt(self, credential_id: str, holder_jwk: Mapping[str, Any]) -> str:
        """The same credential as an SD-JWT VC bound to ``holder_jwk``, signed by the key that
        signed the VC, with every subject claim disclosable; anchored before it is returned.
        An SD-JWT already issued for that holder key is returned as it is."""
        issued = self.get(credential_id)
        if issued.state == "revoked":
            raise Conflict(
                "the credential is revoked; it cannot be shared any more",
                "폐지된 자격증명이라 더 이상 공유할 수 없습니다",
            )
        bound = JwsPublicKey.from_jwk(holder_jwk)
        held = self.sd_jwt(credential_id)
        if held is not None and _sd_jwt_holder(held) == bound:
            return held
        document = issued.document
        kid = document["proof"]["verificationMethod"]
        key, _ = self._key(kid)
        now = self.clock()
        subject = {k: v for k, v in document["credentialSubject"].items() if k != "id"}
        claims: dict[str, Any] = {
            "iss": issued.issuer,
            "iat": int(now.timestamp()),
            "nbf": int(_time(document["validFrom"]).timestamp()),
            "vct": self.vct(issued.credential_type),
            **subject,
        }
        if "validUntil" in document:
            claims["exp"] = int(_time(document["validUntil"]).timestamp())
        if "credentialStatus" in document:
            # Not disclosable: the verifier needs it to check revocation and suspension.
            claims["credentialStatus"] = document["credentialStatus"]
        sd_jwt = issue_sd_jwt(claims, _object_paths(subject), key, kid, bound.jwk())
        digest = sd_jwt_digest(sd_jwt)
        entry = issued_entry(
            (kid, key), digest, list(issued.types[1:]), credential_format="sd-jwt", at=now
        )
        receipt = self.submit_many([entry])[0]
        if isinstance(receipt, BlockcityError):
            raise receipt
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO issued_sd_jwts (digest, credential_id, sd_jwt, ledger_index, "
                "issued_at) VALUES (?, ?, ?, ?, ?)",
                (digest, credential_id, sd_jwt, receipt.index, format_time(now)),
            )
        return sd_jwt

    def sd_jwt(self, credential_id: str) -> str | None:
        """The newest SD-JWT VC issued here for ``credential_id``, if any."""
        row = self.db.one(
            "SELECT sd_jwt FROM issued_sd_jwts WHERE credential_id = ? "
            "ORDER BY issued_at DESC, rowid DESC LIMIT 1",
            (credential_id,),
        )
        return str(row["sd_jwt"]) if row is not None else None

    def sd_jwt_presentation(
        self,
        credential_id: str,
        disclose: Sequence[ClaimPath],
        holder_key: SigningKey,
        *,
        nonce: str,
        audience: str,
    ) -> dict[str, Any]:
        """A bundle holding a fresh presentation of the credential's SD-JWT VC, disclosing
        only ``disclose`` to ``audience`` in answer to ``nonce``, with the SD-JWT's anchor."""
        sd_jwt = self.sd_jwt(credential_id)
        if sd_jwt is None:
            raise NotFound(
                f"no SD-JWT was issued here for credential {credential_id}",
                f"자격증명 {credential_id}의 SD-JWT가 발급되지 않았습니다",
            )
        presentation = present(
            sd_jwt, disclose, holder_key, nonce=nonce, audience=audience, iat=self.clock()
        )
        anchor = self.anchor_for_digest(sd_jwt_digest(sd_jwt))
        assert anchor is not None  # stored only once anchored
        for entry in self.get(credential_id).document.get("credentialStatus", []):
            # Published now, so a verifier reading this node's data finds the current lists.
            self.status_list(entry["statusListCredential"])
        return {
            "type": BUNDLE_TYPE,
            "version": 1,
            "sdJwt": presentation,
            "anchor": anchor.to_dict(),
        }

    # Status.

    def status_list_url(self, group_id: str, purpose: str) -> str:
        return f"{self.public_url}/api/v1/credentials/status/{group_id}/{purpose}"

    def set_status(
        self, credential_id: str, action: StatusAction, *, issuer: str
    ) -> IssuedCredential:
        """Revoke (for good), suspend, or reinstate a suspended credential. Only the issuer may."""
        issued = self.get(credential_id)
        if issued.issuer != issuer:
            raise NotFound(
                f"no credential {credential_id} was issued by {issuer}",
                f"{issuer}가 발급한 자격증명 {credential_id}가 없습니다",
            )
        if issued.state == "revoked":
            raise Conflict(
                "the credential is revoked for good; issue a new one instead",
                "이 자격증명은 영구히 폐지되었습니다. 새로 발급하십시오",
            )
        state, purpose, bit = {
            "revoke": ("revoked", "revocation", 1),
            "suspend": ("suspended", "suspension", 1),
            "reinstate": ("active", "suspension", 0),
        }[action]
        if action == "reinstate" and issued.state != "suspended":
            raise Conflict(
                "only a suspended credential can be reinstated",
                "정지된 자격증명만 복원할 수 있습니다",
            )
        row = self.db.one(
            "SELECT status_group, status_index FROM issued_credentials WHERE id = ?",
            (credential_id,),
        )
        assert row is not None
        url = self.status_list_url(row["status_group"], purpose)
        with self.db.transaction() as tx:
            encoded = tx.execute(
                "SELECT encoded FROM status_lists WHERE url = ?", (url,)
            ).fetchone()["encoded"]
            bits = StatusList.decode(encoded)
            bits.set(row["status_index"], bit)
            tx.execute(
                "UPDATE status_lists SET encoded = ?, changed_at = ?, published = NULL "
                "WHERE url = ?",
                (bits.encode(), format_time(self.clock()), url),
            )
            tx.execute(
                "UPDATE issued_credentials SET state = ? WHERE id = ?", (state, credential_id)
            )
        self._published.pop(url, None)
        self.status_list(url)
        return self.get(credential_id)

    def status_list(self, url: str) -> dict[str, Any]:
        """The signed BitstringStatusListCredential served at ``url``; re-signed and its digest
        anchored whenever the list changed or half its validity has passed."""
        now = self.clock()
        held = self._published.get(url)
        if held is not None and now - held[1] < _REPUBLISH_AFTER:
            return held[0]
        row = self.db.one(
            "SELECT l.*, g.issuer FROM status_lists l JOIN status_groups g ON g.id = l.group_id "
            "WHERE l.url = ?",
            (url,),
        )
        if row is None:
            raise NotFound(f"no status list at {url}", f"{url}에 상태 목록이 없습니다")
        if row["published"] is not None and now - _time(row["published_at"]) < _REPUBLISH_AFTER:
            published: dict[str, Any] = json.loads(row["published"])
            self._published[url] = (published, _time(row["published_at"]))
            return published
        kids = self.issuer_kids(row["issuer"])
        if not kids:
            raise UnknownIssuerKey(
                f"no issuing key of {row['issuer']} is held to sign its status list",
                f"{row['issuer']}의 상태 목록에 서명할 발급 키가 없습니다",
            )
        key, _ = self._key(kids[-1])
        unsigned = status_list_credential(
            StatusList.decode(row["encoded"]),
            row["issuer"],
            url,
            row["purpose"],
            now,
            now + STATUS_LIST_VALIDITY,
        )
        signed = create_proof(unsigned, key, kids[-1], created=_whole_second_up(now))
        body = StatusListPublished(
            issuer=row["issuer"], list_url=url, digest=credential_digest(signed)
        )
        receipt = self.submit_many(
            [sign_here(STATUS_LIST_PUBLISHED.name, body.model_dump(), [(kids[-1], key)], at=now)]
        )[0]
        if isinstance(receipt, BlockcityError):
            raise receipt
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE status_lists SET published = ?, published_at = ? WHERE url = ?",
                (json.dumps(signed, ensure_ascii=False), format_time(now), url),
            )
        self._published[url] = (signed, now)
        return signed

    def close(self) -> None:
        self.db.close()


def _whole_second_up(moment: datetime) -> datetime:
    """Proofs state their time to the second; rounding down could date a signature before
    the key that made it was registered, so round up (within any verifier's clock skew)."""
    whole = moment.replace(microsecond=0)
    return whole + timedelta(seconds=1) if whole != moment else whole


def _key_purpose(kid: str) -> bytes:
    return f"issuer-key:{kid}".encode()


def _check_type(credential_type: str) -> None:
    if (
        not isinstance(credential_type, str)
        or not credential_type[:1].isalpha()
        or not credential_type.isalnum()
        or not credential_type.isascii()
        or len(credential_type) > 64
        or credential_type == "VerifiableCredential"
    ):
        raise InvalidInput(
            f"a credential type is one word of letters and digits, such as CareerCertificate, "
            f"not {credential_type!r}",
            f"자격증명 유형은 CareerCertificate처럼 영문자와 숫자로 된 한 단어여야 합니다 "
            f"(받은 값: {credential_type!r})",
        )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def claim_paths(subject: Mapping[str, Any]) -> list[ClaimPath]:
    """The paths of a credential subject's claims a holder can choose one by one: each value
    that is not an object, members of objects included; the holder's ``id`` is not a claim."""
    paths: list[ClaimPath] = []
    for name, value in subject.items():
        if name == "id":
            continue
        if isinstance(value, Mapping):
            paths.extend((name, *inner) for inner in claim_paths(value))
        else:
            paths.append((name,))
    return paths


def _object_paths(claims: Mapping[str, Any]) -> list[ClaimPath]:
    """Every claim and every member of every nested object, as disclosable paths."""
    paths: list[ClaimPath] = []
    for name, value in claims.items():
        paths.append((name,))
        if isinstance(value, Mapping):
            paths.extend((name, *inner) for inner in _object_paths(value))
    return paths


def _sd_jwt_holder(sd_jwt: str) -> JwsPublicKey:
    payload = json.loads(b64url_decode(sd_jwt.split(".", 2)[1]))
    return JwsPublicKey.from_jwk(payload["cnf"]["jwk"])


def _issued(row: Any) -> IssuedCredential:
    return IssuedCredential(
        row["id"],
        row["issuer"],
        row["holder"],
        tuple(json.loads(row["types"])),
        json.loads(row["document"]),
        row["digest"],
        row["ledger_index"],
        row["state"],
        _time(row["issued_at"]),
    )


__all__ = [
    "Credentials",
    "IssueRequest",
    "IssuedCredential",
    "UnknownIssuerKey",
    "claim_paths",
]
