"""The eddsa-rdfc-2022 transformation and hashing: JSON-LD documents put in RDF Dataset
Canonicalization (RDFC-1.0) form, offline, with contexts served only from pinned package files.

Specs: W3C Data Integrity EdDSA Cryptosuites v1.0 (vc-di-eddsa) §3.2.3 Transformation, §3.2.4
Hashing and §3.2.5 Proof Configuration; W3C RDF Dataset Canonicalization (RDFC-1.0); W3C VC Data
Integrity 1.0 §2.4.1 (contexts are validated, never trusted from the network) and §2.4.3 (a
JSON-LD processor must fail, not silently drop data it cannot map). pyld does the JSON-LD
expansion and the canonicalization; ``dataintegrity`` dispatches here for this cryptosuite and
does every other check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from hashlib import sha256
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyld import jsonld
from pyld.canon import URDNA2015

from blockcity.errors import BlockcityError, VerificationFailed

MANIFEST = "manifest.json"

# RDFC-1.0 §4.4 (and its security considerations): a "poison" dataset of many
# indistinguishable blank nodes makes Hash N-Degree Quads explore every permutation. A real
# credential needs a few deep hashes per blank node at most; past this budget the document is
# refused instead of tying up the verifier.
DEEP_HASHES_PER_BLANK_NODE = 32

# RFC 3986 §3.1: an absolute IRI starts with a scheme. Anything else after expansion is a
# relative reference that RDF conversion would silently drop (JSON-LD 1.1 §8.1.2).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class UnknownContext(VerificationFailed):
    """A document names a JSON-LD context that is not shipped with blockcity."""

    code = "unknown-jsonld-context"
    title_ko = "알 수 없는 JSON-LD 컨텍스트입니다"
    title_en = "Unknown JSON-LD context"


class JsonLdRefused(VerificationFailed):
    """A document cannot be canonicalized exactly: bad JSON-LD, or data it would drop."""

    code = "jsonld-refused"
    title_ko = "JSON-LD 문서를 정규화할 수 없습니다"
    title_en = "JSON-LD document refused"


class ContextPinMismatch(BlockcityError):
    """A shipped context file is missing, unreadable or not the pinned bytes: a damaged install."""

    code = "jsonld-context-pin-mismatch"
    status = 500
    title_ko = "내장 JSON-LD 컨텍스트가 손상되었습니다"
    title_en = "Shipped JSON-LD context damaged"


class _Pin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(pattern=r"^https://")
    file: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    source: str = Field(min_length=1)


class _Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    about: str
    contexts: tuple[_Pin, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class ContextStore:
    """The JSON-LD context documents a canonicalization may load, by URL, already pin-checked.

    Build it with ``load``; ``shipped_contexts()`` is the one read from the package.
    """

    files: Mapping[str, bytes]

    @classmethod
    def load(cls, directory: Traversable) -> ContextStore:
        """Read ``manifest.json`` in ``directory`` and every context file it pins.

        Every file is checked against its SHA-256 now, before any document is canonicalized,
        so a changed file can never be half-used. Raises ContextPinMismatch naming the file.
        """
        try:
            manifest = _Manifest.model_validate_json((directory / MANIFEST).read_bytes())
        except (OSError, ValidationError) as exc:
            raise ContextPinMismatch(
                f"the JSON-LD context manifest {MANIFEST} cannot be read: {exc}; reinstall "
                "blockcity",
                f"JSON-LD 컨텍스트 목록 {MANIFEST}을 읽을 수 없습니다: {exc}; blockcity를 다시 "
                "설치하세요",
            ) from exc
        files: dict[str, bytes] = {}
        for pin in manifest.contexts:
            try:
                raw = (directory / pin.file).read_bytes()
            except OSError as exc:
                raise ContextPinMismatch(
                    f"the shipped context file {pin.file} for {pin.url} cannot be read: {exc}",
                    f"{pin.url}의 내장 컨텍스트 파일 {pin.file}을 읽을 수 없습니다: {exc}",
                    file=pin.file,
                ) from exc
            digest = sha256(raw).hexdigest()
            if digest != pin.sha256:
                raise ContextPinMismatch(
                    f"the shipped context file {pin.file} for {pin.url} has SHA-256 {digest}, "
                    f"not the pinned {pin.sha256}: it was changed; reinstall blockcity",
                    f"{pin.url}의 내장 컨텍스트 파일 {pin.file}의 SHA-256이 {digest}로, 고정값 "
                    f"{pin.sha256}과 다릅니다: 파일이 바뀌었습니다; blockcity를 다시 설치하세요",
                    file=pin.file,
                    url=pin.url,
                )
            if not isinstance(json.loads(raw), dict):
                raise ContextPinMismatch(
                    f"the shipped context file {pin.file} is not a JSON object",
                    f"내장 컨텍스트 파일 {pin.file}이 JSON 객체가 아닙니다",
                    file=pin.file,
                )
            files[pin.url] = raw
        return cls(MappingProxyType(files))

    def __contains__(self, url: object) -> bool:
        return url in self.files

    def load_document(self, url: str, options: object = None) -> dict[str, Any]:
        """A pyld document loader: the pinned context for ``url``, or UnknownContext.

        Nothing is ever fetched. Each call parses a fresh copy, so nothing pyld does to a
        returned document can leak into the next canonicalization.
        """
        raw = self.files.get(url)
        if raw is None:
            raise UnknownContext(
                f"JSON-LD context {url} is not shipped with blockcity; eddsa-rdfc-2022 proofs "
                f"are checked offline against pinned contexts only ({', '.join(self.files)})",
                f"JSON-LD 컨텍스트 {url}는 blockcity에 내장되어 있지 않습니다; eddsa-rdfc-2022 "
                f"증명은 고정된 내장 컨텍스트로만 오프라인 확인합니다 ({', '.join(self.files)})",
                url=url,
            )
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(raw)}


@cache
def shipped_contexts() -> ContextStore:
    """The contexts shipped in ``blockcity/credentials/contexts``, pin-checked once a process."""
    return ContextStore.load(resources.files("blockcity.credentials") / "contexts")


def unshipped_contexts(context: object, contexts: ContextStore | None = None) -> list[str]:
    """The context URLs named directly in ``context`` (one value or a list) that are not shipped."""
    store = shipped_contexts() if contexts is None else contexts
    values = context if isinstance(context, list) else [context]
    return [value for value in values if isinstance(value, str) and value not in store]


def canonicalize(document: dict[str, Any], contexts: ContextStore | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD ``document``.

    Raises UnknownContext for a context URL that is not shipped, and JsonLdRefused for invalid
    JSON-LD, for a property or type the contexts do not define (it would be dropped unsigned),
    or for a dataset too costly to canonicalize.
    """
    store = shipped_contexts() if contexts is None else contexts
    dropped: list[str | None] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    # No base IRI: a relative id or type must stay relative so that it is refused below (pyld
    # would otherwise resolve it against a made-up http://example.org/base/ and sign that).
    options = {"documentLoader": store.load_document, "base": None}
    try:
        expanded = processor.expand(document, options)
        problems = [
            f"property {name or '(unnamed)'!r} is not defined by the document's contexts"
            for name in dropped
        ]
        problems += _relative_references(expanded)
        if problems:
            raise JsonLdRefused(
                "the document holds data its JSON-LD contexts do not define, which would not be "
                "signed: " + "; ".join(problems[:5]),
                "문서에 JSON-LD 컨텍스트가 정의하지 않은 데이터가 있어 서명 대상에서 빠집니다: "
                + "; ".join(problems[:5]),
            )
        dataset = processor.to_rdf(expanded, options)
        canonical: str = _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})
    except jsonld.JsonLdError as exc:
        own = _own_cause(exc)
        if own is not None:
            raise own from exc
        detail = str(exc.args[0]) if exc.args else type(exc).__name__
        raise JsonLdRefused(
            f"the document is not valid JSON-LD: {detail}",
            f"문서가 올바른 JSON-LD가 아닙니다: {detail}",
        ) from exc
    return canonical


def proof_hash_data(
    unsecured_document: dict[str, Any],
    proof_config: dict[str, Any],
    contexts: ContextStore | None = None,
) -> bytes:
    """The 64 bytes an eddsa-rdfc-2022 signature covers (vc-di-eddsa §3.2.4 Hashing).

    SHA-256 of the canonical proof configuration (the proof without its proofValue, under the
    document's @context, §3.2.5 step 4), followed by SHA-256 of the canonical document without
    its proof (§3.2.3). Raises UnknownContext or JsonLdRefused as ``canonicalize`` does.
    """
    config = {**proof_config, "@context": unsecured_document.get("@context")}
    return (
        sha256(canonicalize(config, contexts).encode()).digest()
        + sha256(canonicalize(unsecured_document, contexts).encode()).digest()
    )


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]  # pyld ships no type hints
    """pyld's URDNA2015 (the algorithm RDFC-1.0 standardised) with a budget on deep hashing."""

    def __init__(self) -> None:
        super().__init__()
        self._deep_hashes = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._deep_hashes += 1
        budget = DEEP_HASHES_PER_BLANK_NODE * len(self.blank_node_info)
        if self._deep_hashes > budget:
            raise JsonLdRefused(
                f"the document has {len(self.blank_node_info)} blank nodes too alike to tell "
                "apart cheaply (more than "
                f"{budget} deep hashes, RDFC-1.0 §4.8); refused as a possible denial of service",
                f"문서의 빈 노드 {len(self.blank_node_info)}개가 서로 너무 비슷해 구별 비용이 "
                f"큽니다 (깊은 해시 {budget}회 초과); 서비스 거부 공격일 수 있어 거부합니다",
            )
        return super().hash_n_degree_quads(id_, issuer)


def _relative_references(node: object) -> list[str]:
    """Node ids and types left relative after expansion, which RDF conversion would drop."""
    found: list[str] = []
    if isinstance(node, list):
        for item in node:
            found += _relative_references(item)
    elif isinstance(node, dict):
        if "@value" in node:
            # A literal: its @type is a datatype IRI or @json; its value is data, not nodes.
            datatype = node.get("@type")
            if isinstance(datatype, str) and not _is_reference(datatype):
                found.append(f"datatype {datatype!r} is not an absolute IRI")
            return found
        node_id = node.get("@id")
        if isinstance(node_id, str) and not _is_reference(node_id):
            found.append(f"id {node_id!r} is not an absolute IRI")
        types = node.get("@type", [])
        for value in types if isinstance(types, list) else [types]:
            if isinstance(value, str) and not _is_reference(value):
                found.append(f"type {value!r} is not defined by the document's contexts")
        for key, value in node.items():
            if key not in ("@id", "@type"):
                found += _relative_references(value)
    return found


def _is_reference(value: str) -> bool:
    # Blank node identifiers and keywords (@json) are kept by RDF conversion too.
    return value.startswith(("_:", "@")) or _ABSOLUTE_IRI.match(value) is not None


def _own_cause(exc: BaseException) -> BlockcityError | None:
    """Our own error behind a JsonLdError (pyld wraps what a document loader raises)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, BlockcityError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
