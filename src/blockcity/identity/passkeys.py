"""Passkeys (WebAuthn Level 2, through py_webauthn): enrolment, sign-in, step-up, and the
assertions whose challenge is a document digest.

Sign-in uses discoverable credentials (resident keys) with an empty allow list: the person taps
"sign in with a passkey" and their device offers the passkeys it holds for this site. No
username is asked first, so the sign-in page never tells anyone which accounts exist or which
passkeys they have, and there is nothing to mistype.

Every challenge is random (32 bytes) except a signing challenge, which is the document's
SHA-256 digest; each is stored here for 5 minutes, bound to its ceremony, relying party and
(except at sign-in) account, and deleted the first time a response names it, whatever the
outcome, so an assertion can never be used twice. A digest equal to a live sign-in or step-up
challenge is never signed, so a signature can never double as a sign-in. User verification
(fingerprint, face or screen lock) is required throughout, and a signature counter that fails
to move forward (a cloned authenticator) is refused.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
import secrets
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account
from blockcity.identity.sessions import Session, Sessions
from blockcity.identity.stepup import current_session, require_recent_sign_in

Clock = Callable[[], datetime]

CHALLENGE_BYTES = 32
CHALLENGE_LIFETIME = timedelta(minutes=5)
CEREMONY_TIMEOUT_MS = 120_000
"""What the browser is told to wait for the person; the stored challenge outlives it."""
MAX_PASSKEYS = 20
"""Per account: enough for every device a person owns, few enough to list on one page."""
NAME_MAX = 40
MAX_CREDENTIAL_JSON = 16_384
"""Bytes of a browser's credential response we accept: real ones are under 2 KB."""

_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

SCHEMA = """
CREATE TABLE IF NOT EXISTS passkeys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    credential_id BLOB NOT NULL UNIQUE,
    public_key BLOB NOT NULL,
    sign_count INTEGER NOT NULL,
    transports TEXT NOT NULL,
    name TEXT NOT NULL,
    rp_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    removed_at TEXT
);
CREATE INDEX IF NOT EXISTS passkeys_by_account ON passkeys(account_id);
CREATE TABLE IF NOT EXISTS webauthn_challenges (
    id INTEGER PRIMARY KEY,
    challenge BLOB NOT NULL,
    ceremony TEXT NOT NULL,
    account_id TEXT REFERENCES accounts(id),
    rp_id TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webauthn_challenges_by_value ON webauthn_challenges(challenge);
"""


class Ceremony(enum.StrEnum):
    """What a challenge was issued for; a response is accepted only for that purpose."""

    REGISTER = "register"
    SIGN_IN = "sign-in"
    STEP_UP = "step-up"
    SIGN = "sign"


class PasskeyRejected(BlockcityError):
    """An assertion (sign-in, step-up or signature) that must not be accepted."""

    code = "passkey-rejected"
    status = 401
    title_ko = "패스키를 확인할 수 없습니다"
    title_en = "Passkey not accepted"


class PasskeyNotEnrolled(BlockcityError):
    """A registration response that could not be accepted."""

    code = "passkey-not-enrolled"
    status = 400
    title_ko = "패스키를 등록하지 못했습니다"
    title_en = "Passkey not enrolled"


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """The site a passkey belongs to: its RP ID (a domain) and the origin pages are served from.

    The web layer builds it from the request; browsers allow WebAuthn only in a secure context
    (https, or http on localhost) and only for a domain name, never an IP address.
    """

    id: str
    origin: str
    name: str = "Seoul Pass"

    def __post_init__(self) -> None:
        _check_rp_id(self.id)
        parts = urlsplit(self.origin)
        host = parts.hostname or ""
        local = host == "localhost" or host.endswith(".localhost")
        secure = parts.scheme == "https" or (parts.scheme == "http" and local)
        if not secure or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise InvalidInput(
                f"passkeys work only on https pages (or http://localhost); {self.origin!r} "
                "is not such an origin",
                f"패스키는 https 페이지(또는 http://localhost)에서만 쓸 수 있습니다. "
                f"{self.origin!r}는 해당하지 않습니다",
            )
        if host != self.id and not host.endswith("." + self.id):
            raise InvalidInput(
                f"the origin {self.origin!r} is not on the domain {self.id!r}",
                f"출처 {self.origin!r}가 도메인 {self.id!r}에 속하지 않습니다",
            )


@dataclass(frozen=True, slots=True)
class Passkey:
    id: str
    """Ours, for URLs; the authenticator's own id is ``credential_id``."""
    account_id: str
    credential_id: bytes
    public_key: bytes
    """The credential's public key as a COSE_Key (RFC 9053), as the authenticator gave it."""
    sign_count: int
    transports: tuple[str, ...]
    name: str
    rp_id: str
    origin: str
    """The origin it was enrolled on; its assertions must come from there."""
    created_at: datetime
    last_used_at: datetime | None
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Assertion:
    """A verified assertion: the passkey that made it and its exact bytes, kept as proof."""

    passkey: Passkey
    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _check_rp_id(rp_id: str) -> None:
    try:
        ipaddress.ip_address(rp_id)
    except ValueError:
        pass
    else:
        raise InvalidInput(
            f"passkeys need a domain name, not the address {rp_id}: open this site at "
            "http://localhost or at its domain name",
            f"패스키는 주소({rp_id})가 아니라 도메인 이름에서만 쓸 수 있습니다. "
            "http://localhost나 사이트의 도메인 이름으로 접속하세요",
        )
    labels = rp_id.split(".")
    if len(rp_id) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InvalidInput(
            f"{rp_id[:80]!r} is not a domain name that passkeys can belong to",
            f"{rp_id[:80]!r}는 패스키가 속할 수 있는 도메인 이름이 아닙니다",
        )


def user_handle(account_id: str) -> bytes:
    """The WebAuthn user handle of an account: its random UUID's 16 bytes, no personal data."""
    return uuid.UUID(account_id).bytes


def check_passkey_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX or _CONTROL.search(name):
        raise InvalidInput(
            f"name the passkey with 1 to {NAME_MAX} characters, say after the device it is on",
            f"패스키 이름을 1~{NAME_MAX}자로 정하세요. 예: 어느 기기에 있는지",
        )
    return name


def _credential_size(credential: Mapping[str, Any]) -> None:
    if len(json.dumps(dict(credential), default=str)) > MAX_CREDENTIAL_JSON:
        raise InvalidInput(
            "the passkey response is too large to be a real one",
            "패스키 응답이 너무 커서 올바른 응답일 수 없습니다",
        )


class Passkeys:
    def __init__(
        self, db: IdentityDB, accounts: Accounts, sessions: Sessions, clock: Clock = _utc_now
    ) -> None:
        self.db = db
        self.accounts = accounts
        self.sessions = sessions
        self.clock = clock
        db.schema(SCHEMA)

    # Enrolment

    def registration_options(self, token: str, rp: RelyingParty) -> dict[str, Any]:
        """Options for ``navigator.credentials.create()`` for the session's account.

        Needs a recent sign-in: a stolen session cookie must not be enough to add a passkey.
        """
        session = self._recent(token)
        account = self.accounts.get(session.account_id)
        existing = self.list(account.id)
        if len(existing) >= MAX_PASSKEYS:
            raise Conflict(
                f"you already have {MAX_PASSKEYS} passkeys; remove one you no longer use first",
                f"패스키가 이미 {MAX_PASSKEYS}개입니다. 쓰지 않는 패스키를 먼저 삭제하세요",
            )
        options = generate_registration_options(
            rp_id=rp.id,
            rp_name=rp.name,
            user_name=account.username,
            user_id=user_handle(account.id),
            user_display_name=account.display_name,
            challenge=self._issue(Ceremony.REGISTER, account.id, rp),
            timeout=CEREMONY_TIMEOUT_MS,
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                require_resident_key=True,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=[_descriptor(p) for p in existing],
        )
        return options_to_json_dict(options)

    def register(
        self, token: str, credential: Mapping[str, Any], name: str, rp: RelyingParty
    ) -> Passkey:
        """Check the browser's response to ``registration_options`` and keep the passkey."""
        session = self._recent(token)
        name = check_passkey_name(name)
        _credential_size(credential)
        try:
            parsed = parse_registration_credential_json(dict(credential))
            challenge = parse_client_data_json(parsed.response.client_data_json).challenge
        except (WebAuthnException, ValueError, TypeError) as exc:
            raise PasskeyNotEnrolled(
                "the browser's passkey response is malformed; try again",
                "브라우저의 패스키 응답 형식이 잘못되었습니다. 다시 시도하세요",
            ) from exc
        if not self._consume(Ceremony.REGISTER, session.account_id, challenge, rp):
            raise PasskeyNotEnrolled(
                "this passkey request expired or was already used; start again",
                "패스키 등록 요청이 만료되었거나 이미 사용되었습니다. 처음부터 다시 하세요",
            )
        try:
            verified = verify_registration_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=rp.id,
                expected_origin=rp.origin,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, IndexError, TypeError) as exc:
            raise PasskeyNotEnrolled(
                "the passkey could not be verified: it must be made on this site and unlocked "
                "with your fingerprint, face or screen lock",
                "패스키를 확인하지 못했습니다. 이 사이트에서 만들고 지문, 얼굴 또는 화면 잠금으로 "
                "확인해야 합니다",
            ) from exc
        transports = [t.value for t in parsed.response.transports or []]
        passkey_id = str(uuid.uuid4())
        now = self.clock()
        with self.db.transaction() as tx:
            if tx.execute(
                "SELECT 1 FROM passkeys WHERE credential_id = ?", (verified.credential_id,)
            ).fetchone():
                raise Conflict(
                    "this passkey is already enrolled",
                    "이 패스키는 이미 등록되어 있습니다",
                )
            tx.execute(
                "INSERT INTO passkeys (id, account_id, credential_id, public_key, sign_count, "
                "transports, name, rp_id, origin, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    passkey_id,
                    session.account_id,
                    verified.credential_id,
                    verified.credential_public_key,
                    verified.sign_count,
                    json.dumps(transports),
                    name,
                    rp.id,
                    rp.origin,
                    now.isoformat(),
                ),
            )
        return self._get(passkey_id)

    def list(self, account_id: str) -> list[Passkey]:
        """The account's passkeys in use, oldest first."""
        rows = self.db.query(
            "SELECT * FROM passkeys WHERE account_id = ? AND removed_at IS NULL "
            "ORDER BY created_at, id",
            (account_id,),
        )
        return [_passkey(row) for row in rows]

    def remove(self, account_id: str, passkey_id: str) -> None:
        """Stop accepting a passkey of ``account_id``.

        Its public key is kept, so signatures it made before its removal still verify. The same
        NotFound answers an unknown id and another account's passkey, so ids reveal nothing.
        """
        with self.db.transaction() as tx:
            removed = tx.execute(
                "UPDATE passkeys SET removed_at = ? "
                "WHERE id = ? AND account_id = ? AND removed_at IS NULL",
                (self.clock().isoformat(), passkey_id, account_id),
            ).rowcount
        if removed != 1:
            raise NotFound("you have no such passkey", "그런 패스키가 없습니다")

    def by_credential_id(self, credential_id: bytes) -> Passkey | None:
        """A passkey by the authenticator's credential id, removed ones included."""
        row = self.db.one("SELECT * FROM passkeys WHERE credential_id = ?", (credential_id,))
        return _passkey(row) if row else None

    # Sign-in and step-up

    def sign_in_options(self, rp: RelyingParty) -> dict[str, Any]:
        """Options for ``navigator.credentials.get()`` with discoverable credentials."""
        return self.assertion_options(Ceremony.SIGN_IN, None, self._random(), rp)

    def sign_in(self, credential: Mapping[str, Any], rp: RelyingParty) -> Account:
        """The account whose passkey made this assertion. As after a password sign-in, the
        caller then starts a brand-new session for it (``Sessions.start``)."""
        assertion = self.verify_assertion(Ceremony.SIGN_IN, None, credential, rp)
        return self.accounts.get(assertion.passkey.account_id)

    def step_up_options(self, token: str, rp: RelyingParty) -> dict[str, Any]:
        session = current_session(self.sessions, token)
        return self.assertion_options(Ceremony.STEP_UP, session.account_id, self._random(), rp)

    def step_up(self, token: str, credential: Mapping[str, Any], rp: RelyingParty) -> None:
        """Record a fresh step-up for the session after a valid passkey assertion."""
        session = current_session(self.sessions, token)
        self.verify_assertion(Ceremony.STEP_UP, session.account_id, credential, rp)
        self.sessions.step_up(token)

    # Assertions, for sign-in, step-up and signing

    def assertion_options(
        self,
        ceremony: Ceremony,
        account_id: str | None,
        challenge: bytes,
        rp: RelyingParty,
    ) -> dict[str, Any]:
        """Options for ``navigator.credentials.get()``: for one account, its passkeys; for
        sign-in (no account), an empty list so that the device offers its discoverable ones."""
        allowed = []
        if account_id is not None:
            allowed = [_descriptor(p) for p in self.list(account_id)]
            if not allowed:
                raise PasskeyNotEnrolled(
                    "you have no passkey yet: enrol one in My passkeys first",
                    "아직 패스키가 없습니다. 먼저 '내 패스키'에서 등록하세요",
                )
        options = generate_authentication_options(
            rp_id=rp.id,
            challenge=self._issue(ceremony, account_id, rp, challenge),
            timeout=CEREMONY_TIMEOUT_MS,
            allow_credentials=allowed,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return options_to_json_dict(options)

    def verify_assertion(
        self,
        ceremony: Ceremony,
        account_id: str | None,
        credential: Mapping[str, Any],
        rp: RelyingParty,
    ) -> Assertion:
        """Check an assertion against a challenge issued for ``ceremony`` (and ``account_id``)
        and consume that challenge; move the passkey's counter forward."""
        _credential_size(credential)
        parsed = _parse_assertion(credential)
        try:
            challenge = parse_client_data_json(parsed.response.client_data_json).challenge
        except (WebAuthnException, ValueError, TypeError) as exc:
            raise _malformed() from exc
        if not self._consume(ceremony, account_id, challenge, rp):
            raise PasskeyRejected(
                "this passkey request expired or was already used; start again",
                "패스키 요청이 만료되었거나 이미 사용되었습니다. 처음부터 다시 하세요",
            )
        passkey = self.by_credential_id(parsed.raw_id)
        if passkey is None or passkey.removed_at is not None:
            raise PasskeyRejected(
                "this passkey is not enrolled here (or was removed); sign in another way",
                "이 패스키는 등록되어 있지 않거나 삭제되었습니다. 다른 방법으로 로그인하세요",
            )
        if account_id is not None and passkey.account_id != account_id:
            raise PasskeyRejected(
                "this passkey belongs to another account; use one of your own",
                "이 패스키는 다른 계정의 것입니다. 본인의 패스키를 쓰세요",
            )
        handle = parsed.response.user_handle
        if handle is not None and handle != user_handle(passkey.account_id):
            raise PasskeyRejected(
                "the passkey answered for another account", "패스키가 다른 계정으로 응답했습니다"
            )
        if passkey.rp_id != rp.id:
            raise PasskeyRejected(
                f"this passkey belongs to {passkey.rp_id}, not to {rp.id}",
                f"이 패스키는 {rp.id}가 아니라 {passkey.rp_id}의 것입니다",
            )
        authenticator_data = parsed.response.authenticator_data
        # WebAuthn L2 §6.1.1: a counter that does not move forward (once either side is
        # non-zero) means two copies of the private key exist.
        counter = int.from_bytes(authenticator_data[33:37], "big")
        if (counter or passkey.sign_count) and counter <= passkey.sign_count:
            raise PasskeyRejected(
                "this passkey's signature counter went backwards, a sign that it was copied; "
                "it was refused. Remove it in My passkeys and enrol it again",
                "이 패스키의 서명 횟수가 뒤로 돌아갔습니다. 복제되었을 수 있어 거부했습니다. "
                "'내 패스키'에서 삭제하고 다시 등록하세요",
            )
        try:
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=rp.id,
                expected_origin=passkey.origin,
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, IndexError, TypeError) as exc:
            raise PasskeyRejected(
                "the passkey's answer did not verify: it must come from this site and be "
                "unlocked with your fingerprint, face or screen lock",
                "패스키 응답을 확인하지 못했습니다. 이 사이트에서 지문, 얼굴 또는 화면 잠금으로 "
                "확인해야 합니다",
            ) from exc
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE id = ?",
                (verified.new_sign_count, self.clock().isoformat(), passkey.id),
            )
        return Assertion(
            passkey=self._get(passkey.id),
            authenticator_data=authenticator_data,
            client_data_json=parsed.response.client_data_json,
            signature=parsed.response.signature,
        )

    # Challenges

    def _random(self) -> bytes:
        return secrets.token_bytes(CHALLENGE_BYTES)

    def _issue(
        self,
        ceremony: Ceremony,
        account_id: str | None,
        rp: RelyingParty,
        challenge: bytes | None = None,
    ) -> bytes:
        challenge = challenge if challenge is not None else self._random()
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM webauthn_challenges WHERE expires_at < ?", (now.isoformat(),))
            # A signing challenge is a digest someone chose, not a random value. Were it equal
            # to a live sign-in or step-up challenge (which anyone can obtain), the signature's
            # assertion would also answer that challenge: such a digest is not signed.
            clash = (
                ceremony is Ceremony.SIGN
                and tx.execute(
                    "SELECT 1 FROM webauthn_challenges WHERE challenge = ? AND ceremony != ?",
                    (challenge, Ceremony.SIGN.value),
                ).fetchone()
                is not None
            )
            if not clash:
                tx.execute(
                    "INSERT INTO webauthn_challenges (challenge, ceremony, account_id, rp_id, "
                    "expires_at) VALUES (?, ?, ?, ?, ?)",
                    (
                        challenge,
                        ceremony.value,
                        account_id,
                        rp.id,
                        (now + CHALLENGE_LIFETIME).isoformat(),
                    ),
                )
        if clash:
            raise Conflict(
                "this digest equals a pending sign-in request, so it was not signed: someone may "
                "be trying to use your signature to sign in as you",
                "이 다이제스트가 진행 중인 로그인 요청과 같아 서명하지 않았습니다. 누군가 서명을 "
                "이용해 대신 로그인하려는 것일 수 있습니다",
            )
        return challenge

    def _consume(
        self, ceremony: Ceremony, account_id: str | None, challenge: bytes, rp: RelyingParty
    ) -> bool:
        """Delete the challenge's first matching row; True if it was there and still valid.

        Committed before the response is checked, so a failed attempt uses it up too.
        """
        with self.db.transaction() as tx:
            row = tx.execute(
                "DELETE FROM webauthn_challenges WHERE id = ("
                "SELECT id FROM webauthn_challenges WHERE challenge = ? AND ceremony = ? "
                "AND account_id IS ? AND rp_id = ? ORDER BY expires_at DESC LIMIT 1"
                ") RETURNING expires_at",
                (challenge, ceremony.value, account_id, rp.id),
            ).fetchone()
        return row is not None and datetime.fromisoformat(row["expires_at"]) > self.clock()

    def _recent(self, token: str) -> Session:
        session = current_session(self.sessions, token)
        require_recent_sign_in(session, self.clock())
        return session

    def _get(self, passkey_id: str) -> Passkey:
        row = self.db.one("SELECT * FROM passkeys WHERE id = ?", (passkey_id,))
        if row is None:
            raise NotFound("you have no such passkey", "그런 패스키가 없습니다")
        return _passkey(row)


def _parse_assertion(credential: Mapping[str, Any]) -> AuthenticationCredential:
    try:
        return parse_authentication_credential_json(dict(credential))
    except (WebAuthnException, ValueError, TypeError) as exc:
        raise _malformed() from exc


def _malformed() -> PasskeyRejected:
    return PasskeyRejected(
        "the browser's passkey response is malformed; try again",
        "브라우저의 패스키 응답 형식이 잘못되었습니다. 다시 시도하세요",
    )


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in passkey.transports:
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _passkey(row: sqlite3.Row) -> Passkey:
    return Passkey(
        id=row["id"],
        account_id=row["account_id"],
        credential_id=bytes(row["credential_id"]),
        public_key=bytes(row["public_key"]),
        sign_count=row["sign_count"],
        transports=tuple(json.loads(row["transports"])),
        name=row["name"],
        rp_id=row["rp_id"],
        origin=row["origin"],
        created_at=datetime.fromisoformat(row["created_at"]),
        last_used_at=_time(row["last_used_at"]),
        removed_at=_time(row["removed_at"]),
    )
