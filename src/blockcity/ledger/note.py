"""Signed notes (C2SP signed-note, golang.org/x/mod/sumdb/note): text signed by named keys.

Checkpoints and witness cosignatures are signed notes. This module parses, signs and verifies
them byte for byte as the Go implementation does, with Ed25519 keys (type 0x01) and
timestamped Ed25519 witness keys (type 0x04, C2SP tlog-cosignature).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from blockcity.errors import InvalidInput, VerificationFailed

# Go's note.Open refuses more than 100 signature lines; signed-note "Format" requires at least
# 16 to be accepted.
MAX_SIGNATURES = 100
# signed-note "Format": a size limit is equivalent to a signature limit. 1 MiB leaves room for
# 100 signatures of even post-quantum size and bounds the work an unauthenticated note causes.
MAX_NOTE_SIZE = 1 << 20
# tlog-cosignature "Format": the timestamp MUST NOT exceed 2^63 - 1.
MAX_TIMESTAMP = 2**63 - 1

_ED25519_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_TIMESTAMP_SIZE = 8
_SIGNATURE_PREFIX = "\u2014 "  # em dash, space (signed-note "Format")
# signed-note "Format": no ASCII control characters other than newline.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")
_KEY_ID_HEX = re.compile("[0-9a-fA-F]{8}")


class KeyType(enum.IntEnum):
    """Signature type identifier bytes this module supports (signed-note "Signature types")."""

    ED25519 = 0x01
    COSIGNATURE_V1 = 0x04


class InvalidKey(InvalidInput):
    """A key, key string or key list that cannot be used: the configuration needs fixing."""

    code = "note-invalid-key"
    title_ko = "키가 올바르지 않습니다"
    title_en = "Invalid key"


class UnsignableNote(InvalidInput):
    """The text or signer list cannot make a note that verifiers would accept."""

    code = "note-unsignable"
    title_ko = "서명할 수 없는 노트입니다"
    title_en = "Note cannot be signed"


class NoteVerificationError(VerificationFailed):
    """A signed note was refused; the subclasses say why."""

    code = "note-verification-failed"
    title_ko = "서명된 노트를 검증하지 못했습니다"
    title_en = "Signed note verification failed"


class MalformedNote(NoteVerificationError):
    """The input is not a signed note: encoding, size, separator or a signature line is wrong."""

    code = "note-malformed"


class InvalidNoteSignature(NoteVerificationError):
    """A signature by a trusted key does not verify: the note was altered or forged."""

    code = "note-invalid-signature"

    def __init__(self, name: str, key_id: bytes) -> None:
        super().__init__(
            f"the signature by trusted key {name}+{key_id.hex()} does not verify",
            f"신뢰하는 키 {name}+{key_id.hex()}의 서명이 검증되지 않습니다",
            name=name,
            key_id=key_id.hex(),
        )


class UnverifiedNote(NoteVerificationError):
    """The note is well formed but no trusted key signed it; ``note`` holds what was parsed."""

    code = "note-unverified"

    def __init__(self, note: Note) -> None:
        super().__init__(
            "the note has no signature from any trusted key",
            "신뢰하는 키의 서명이 노트에 없습니다",
        )
        self.note = note


def cosignature_message(text: str, timestamp: int) -> bytes:
    """Return the bytes a cosignature/v1 signs (tlog-cosignature "Ed25519 signed message")."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


@dataclass(frozen=True)
class Verifier:
    """A public key trusted to sign notes, written as a verifier key "<name>+<id>+<key>"."""

    name: str
    key_type: KeyType
    public_key: bytes
    key_id: bytes = field(init=False)
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name(self.name)
        object.__setattr__(self, "key_type", _key_type(self.key_type))
        if len(self.public_key) != _ED25519_SIZE:
            raise InvalidKey(
                f"an Ed25519 public key is 32 bytes, got {len(self.public_key)}",
                f"Ed25519 공개 키는 32바이트여야 하는데 {len(self.public_key)}바이트입니다",
            )
        object.__setattr__(self, "key_id", _key_id(self.name, self._typed_key))
        object.__setattr__(self, "_key", Ed25519PublicKey.from_public_bytes(self.public_key))

    @classmethod
    def from_key(cls, vkey: str) -> Verifier:
        """Parse a verifier key, checking its key ID as Go's ``note.NewVerifier`` does."""
        name, _, rest = vkey.partition("+")
        key_id_hex, _, key_b64 = rest.partition("+")
        typed_key = _decode_base64(key_b64)
        if not _KEY_ID_HEX.fullmatch(key_id_hex) or not typed_key:
            raise InvalidKey(
                "a verifier key must look like <name>+<8 hex digits>+<base64 key>",
                "검증 키는 <이름>+<16진수 8자리>+<base64 키> 형식이어야 합니다",
            )
        _check_name(name)
        _check_key_id(bytes.fromhex(key_id_hex), _key_id(name, typed_key))
        return cls(name, _key_type(typed_key[0]), typed_key[1:])

    @property
    def key(self) -> str:
        """The verifier key string: "<name>+<hex key ID>+base64(type || public key)"."""
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(self._typed_key).decode()}"

    @property
    def _typed_key(self) -> bytes:
        return bytes([self.key_type]) + self.public_key

    def verify(self, text: str, signature: bytes) -> bool:
        """Report whether ``signature`` (the bytes after the key ID) signs the note ``text``."""
        message = text.encode()
        if self.key_type is KeyType.COSIGNATURE_V1:
            # tlog-cosignature "Format": u64 big-endian timestamp || Ed25519 signature.
            if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE:
                return False
            timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
            if timestamp > MAX_TIMESTAMP:
                return False
            message = cosignature_message(text, timestamp)
            signature = signature[_TIMESTAMP_SIZE:]
        if len(signature) != _ED25519_SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, eq=False)
class Signer:
    """A named Ed25519 private key that signs notes (key type 0x01)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)
    verifier: Verifier = field(init=False)

    def __post_init__(self) -> None:
        public_key = self.private_key.public_key().public_bytes_raw()
        object.__setattr__(self, "verifier", Verifier(self.name, KeyType.ED25519, public_key))

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        """Make the signer whose Ed25519 private key is the 32-byte RFC 8032 seed ``seed``."""
        return cls(name, _private_key_from_seed(seed))

    @classmethod
    def generate(cls, name: str) -> Signer:
        """Make a signer with a fresh random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_signer_key(cls, skey: str) -> Signer:
        """Parse Go's "PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)" (``NewSigner``)."""
        private, _, rest = skey.partition("+")
        key, _, rest = rest.partition("+")
        name, _, rest = rest.partition("+")
        key_id_hex, _, key_b64 = rest.partition("+")
        typed_seed = _decode_base64(key_b64)
        if (
            (private, key) != ("PRIVATE", "KEY")
            or not _KEY_ID_HEX.fullmatch(key_id_hex)
            or not typed_seed
        ):
            raise InvalidKey(
                "a signer key must look like PRIVATE+KEY+<name>+<8 hex digits>+<base64 seed>",
                "서명 키는 PRIVATE+KEY+<이름>+<16진수 8자리>+<base64 시드> 형식이어야 합니다",
            )
        if typed_seed[0] != KeyType.ED25519:
            raise InvalidKey(
                f"a signer key must have key type 0x01 (Ed25519), got 0x{typed_seed[0]:02x}",
                f"서명 키의 유형은 0x01(Ed25519)이어야 하는데 0x{typed_seed[0]:02x}입니다",
            )
        signer = cls.from_seed(name, typed_seed[1:])
        # The key ID hashes the public key, so it can only be checked after deriving it.
        _check_key_id(bytes.fromhex(key_id_hex), signer.key_id)
        return signer

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID, SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
        return self.verifier.key_id

    def verifier_key(self) -> str:
        """The verifier key string to give to those who verify this signer's notes."""
        return self.verifier.key

    def signer_key(self) -> str:
        """Go's encoded signer key; anyone holding it can sign as this signer."""
        typed_seed = bytes([KeyType.ED25519]) + self.private_key.private_bytes_raw()
        encoded = base64.b64encode(typed_seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{encoded}"

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``message``."""
        return self.private_key.sign(message)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: the key's name and ID, and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The signature line, "— <name> base64(key ID || signature)\\n"."""
        encoded = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, its distinct signatures, and the trusted keys that signed it.

    ``signatures`` keeps note order and holds one entry per trusted key plus every distinct
    line from unknown keys; ``verified`` names the trusted keys whose signatures verified.
    """

    text: str
    signatures: tuple[Signature, ...]
    verified: tuple[str, ...]


def sign_note(text: str, signers: Signer | Sequence[Signer]) -> str:
    """Sign ``text`` (ending in a newline) and return the signed note."""
    return _assemble(text, (), signers)


def add_signatures(note: str, signers: Signer | Sequence[Signer]) -> str:
    """Add signatures to a signed note, as Go's ``note.Sign`` does to an opened note.

    Existing lines are kept, except one by the same key as a new signer, which is replaced. The
    note is only parsed, not verified: verify it first if the new signatures vouch for it.
    """
    text, existing = _parse(note)
    return _assemble(text, existing, signers)


def verify_note(note: str | bytes, verifier_keys: Iterable[str | Verifier]) -> Note:
    """Open a signed note, checking every signature by a trusted key.

    Follows signed-note "Signatures": lines from unknown keys are ignored; a trusted key's
    signature that fails refuses the whole note (`InvalidNoteSignature`); so does a note that no
    trusted key signed (`UnverifiedNote`). Bad syntax raises `MalformedNote`.
    """
    trusted = _trusted(verifier_keys)
    text, lines = _parse(note)
    signatures: list[Signature] = []
    verified: list[str] = []
    seen_lines: set[Signature] = set()
    seen_keys: set[tuple[str, bytes]] = set()
    for sig in lines:
        # Go drops repeated lines, and keeps one signature per trusted key, so that no key
        # counts twice.
        if sig in seen_lines:
            continue
        seen_lines.add(sig)
        key = (sig.name, sig.key_id)
        verifier = trusted.get(key)
        if verifier is None:
            signatures.append(sig)
            continue
        # Go checks only a key's first signature; signed-note says a known key's signature MUST
        # be verified, so we check them all.
        if not verifier.verify(text, sig.signature):
            raise InvalidNoteSignature(sig.name, sig.key_id)
        if key not in seen_keys:
            seen_keys.add(key)
            signatures.append(sig)
            if sig.name not in verified:
                verified.append(sig.name)
    opened = Note(text, tuple(signatures), tuple(verified))
    if not verified:
        raise UnverifiedNote(opened)
    return opened


def _assemble(text: str, existing: Sequence[Signature], signers: Signer | Sequence[Signer]) -> str:
    signer_list = [signers] if isinstance(signers, Signer) else list(signers)
    if not signer_list:
        raise UnsignableNote("a note needs at least one signer", "서명자가 한 명 이상 필요합니다")
    if not text.endswith("\n"):
        raise UnsignableNote(
            "the note text must end with a newline", "노트 본문은 줄바꿈으로 끝나야 합니다"
        )
    if _CONTROL.search(text) or not _is_utf8(text):
        raise UnsignableNote(
            "the note text must be UTF-8 without control characters other than newline",
            "노트 본문은 줄바꿈 외의 제어 문자가 없는 UTF-8이어야 합니다",
        )
    message = text.encode()
    new = {(s.name, s.key_id): Signature(s.name, s.key_id, s.sign(message)) for s in signer_list}
    kept = [sig for sig in dict.fromkeys(existing) if (sig.name, sig.key_id) not in new]
    lines = [*kept, *new.values()]
    signed = text + "\n" + "".join(sig.line() for sig in lines)
    # Never produce a note that verify_note would refuse.
    if len(lines) > MAX_SIGNATURES or len(signed.encode()) > MAX_NOTE_SIZE:
        raise UnsignableNote(
            f"the signed note would exceed {MAX_SIGNATURES} signatures or {MAX_NOTE_SIZE} bytes",
            f"서명된 노트가 서명 {MAX_SIGNATURES}개 또는 {MAX_NOTE_SIZE}바이트를 넘게 됩니다",
        )
    return signed


def _parse(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines (signed-note "Format")."""
    try:
        raw = note.encode() if isinstance(note, str) else note
        msg = raw.decode()
    except UnicodeError:
        raise _malformed("the note is not valid UTF-8", "노트가 올바른 UTF-8이 아닙니다") from None
    if len(raw) > MAX_NOTE_SIZE:
        raise _malformed(
            f"the note is larger than {MAX_NOTE_SIZE} bytes",
            f"노트가 {MAX_NOTE_SIZE}바이트보다 큽니다",
        )
    if _CONTROL.search(msg):
        raise _malformed(
            "the note contains a control character other than newline",
            "노트에 줄바꿈 외의 제어 문자가 있습니다",
        )
    # The text may contain blank lines; the last one separates it from the signatures.
    split = msg.rfind("\n\n")
    if split < 0:
        raise _malformed(
            "the note has no blank line before its signatures", "노트에 서명 앞의 빈 줄이 없습니다"
        )
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block.endswith("\n"):
        raise _malformed(
            "the signature block is empty or does not end with a newline",
            "서명 부분이 비어 있거나 줄바꿈으로 끝나지 않습니다",
        )
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise _malformed(
            f"the note has more than {MAX_SIGNATURES} signatures",
            f"노트의 서명이 {MAX_SIGNATURES}개를 넘습니다",
        )
    return text, [_parse_signature_line(line) for line in lines]


def _parse_signature_line(line: str) -> Signature:
    name, _, encoded = line.removeprefix(_SIGNATURE_PREFIX).partition(" ")
    raw = _decode_base64(encoded)
    # Go: a 4-byte key ID followed by at least one byte of signature.
    if not line.startswith(_SIGNATURE_PREFIX) or raw is None or len(raw) < 5 or not _valid(name):
        raise _malformed(
            f"{line[:80]!r} is not a signature line '— <name> <base64>'",
            f"{line[:80]!r} 줄은 '— <이름> <base64>' 형식의 서명 줄이 아닙니다",
        )
    return Signature(name, raw[:4], raw[4:])


def _trusted(verifier_keys: Iterable[str | Verifier]) -> dict[tuple[str, bytes], Verifier]:
    trusted: dict[tuple[str, bytes], Verifier] = {}
    for key in verifier_keys:
        verifier = key if isinstance(key, Verifier) else Verifier.from_key(key)
        # Go's VerifierList reports this as an ambiguous key: someone tampered with the list.
        if trusted.setdefault((verifier.name, verifier.key_id), verifier) != verifier:
            raise InvalidKey(
                f"two different keys share the name {verifier.name!r} and key ID "
                f"{verifier.key_id.hex()}; the list of trusted keys is ambiguous",
                f"서로 다른 두 키가 이름 {verifier.name!r}과 키 ID {verifier.key_id.hex()}를 "
                "함께 사용합니다. 신뢰하는 키 목록이 모호합니다",
            )
    return trusted


def _key_id(name: str, typed_key: bytes) -> bytes:
    """signed-note "Signatures": SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + typed_key).digest()[:4]


def _valid(name: str) -> bool:
    """signed-note "Format": non-empty, no Unicode spaces, no "+" (nor control characters)."""
    return (
        name != ""
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and not _CONTROL.search(name)
        and _is_utf8(name)
    )


def _check_name(name: str) -> None:
    if not _valid(name):
        raise InvalidKey(
            f"key name {name!r} is invalid: it must be non-empty, without spaces, '+' or "
            "control characters",
            f"키 이름 {name!r}이(가) 올바르지 않습니다: 비어 있지 않아야 하며 공백, '+', "
            "제어 문자를 포함할 수 없습니다",
        )


def _check_key_id(claimed: bytes, computed: bytes) -> None:
    if claimed != computed:
        raise InvalidKey(
            f"key ID {claimed.hex()} does not match the name and key (expected {computed.hex()})",
            f"키 ID {claimed.hex()}가 이름과 키로 계산한 값({computed.hex()})과 다릅니다",
        )


def _key_type(value: int) -> KeyType:
    try:
        return KeyType(value)
    except ValueError:
        raise _unsupported_type(value) from None


def _unsupported_type(value: int) -> InvalidKey:
    return InvalidKey(
        f"unsupported key type 0x{value:02x} (supported: 0x01 Ed25519, 0x04 cosignature/v1)",
        f"지원하지 않는 키 유형 0x{value:02x}입니다 (지원: 0x01 Ed25519, 0x04 cosignature/v1)",
    )


def _private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != _ED25519_SIZE:
        raise InvalidKey(
            f"an Ed25519 seed is 32 bytes, got {len(seed)}",
            f"Ed25519 시드는 32바이트여야 하는데 {len(seed)}바이트입니다",
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _decode_base64(encoded: str) -> bytes | None:
    """Decode standard base64 (RFC 4648 section 4), refusing any but the canonical encoding.

    Go's decoder also accepts non-zero padding bits; refusing them gives each signature and key
    exactly one spelling, so equal lines mean equal bytes.
    """
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode() == encoded else None


def _is_utf8(text: str) -> bool:
    """Lone surrogates are the only Python strings without a UTF-8 encoding."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _malformed(message_en: str, message_ko: str) -> MalformedNote:
    return MalformedNote(f"malformed note: {message_en}", f"노트 형식 오류: {message_ko}")
