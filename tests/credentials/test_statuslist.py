"""W3C Bitstring Status List v1.0: the spec's examples, round trips, the documents we build, the
status check and its cache, and the attacks (tampered, truncated, bombed or substituted lists)."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blockcity.credentials.statuslist import (
    MAX_BITSTRING_BYTES,
    MIN_ENTRIES,
    VC_V2_CONTEXT,
    StatusCheck,
    StatusList,
    StatusListCache,
    StatusState,
    check_status,
    status_entry,
    status_list_credential,
)
from blockcity.crypto.encoding import b64url_decode, b64url_encode
from blockcity.errors import BlockcityError, InvalidInput, PayloadTooLarge
from tests.vectors import load

VECTORS = load("credentials/bitstring-status-list.json")
SPEC = VECTORS["spec_example"]
GENERATED = VECTORS["generated_examples"]

ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
LIST_URL = "https://status.seoul.example/lists/revocation/1"
SUSPENSION_URL = "https://status.seoul.example/lists/suspension/1"
MESSAGE_URL = "https://status.seoul.example/lists/message/1"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MAX_AGE = timedelta(minutes=5)
MESSAGES = ("pending_review", "accepted", "rejected", "undefined")


def _gzip_text(data: bytes) -> str:
    return "u" + b64url_encode(gzip.compress(data, mtime=0))


def _list_credential(
    status_list: StatusList,
    url: str = LIST_URL,
    purpose: Any = "revocation",
    *,
    valid_for: timedelta = timedelta(days=1),
    messages: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    return status_list_credential(
        status_list, ISSUER, url, purpose, T0, T0 + valid_for, status_messages=messages
    )


def _check(entry: object, list_credential: object, *, after: timedelta = timedelta(0)) -> Any:
    return check_status(entry, list_credential, fetched_at=T0, now=T0 + after, max_age=MAX_AGE)


def _failed(result: StatusCheck) -> list[str]:
    return [check.name for check in result.failures()]


def _messages_of(error: BlockcityError) -> tuple[str, str]:
    return error.message_en, error.message_ko


# The W3C examples (compare decoded bits, never another implementation's GZIP bytes).


def test_spec_example_list_decodes_to_131072_zero_bits() -> None:
    encoded = SPEC["status_list_credential"]["credentialSubject"]["encodedList"]
    status_list = StatusList.decode(encoded)
    assert status_list.size == SPEC["decoded"]["bits"] == MIN_ENTRIES
    assert len(status_list.to_bytes()) == SPEC["decoded"]["uncompressed_bytes"]
    assert status_list.nonzero_indexes() == SPEC["decoded"]["set_bits"] == []
    assert status_list.get(94567) == SPEC["expected"]["status_at_94567"]


def test_spec_example_revocable_credential_is_not_revoked() -> None:
    result = _check(
        SPEC["revocable_credential"]["credentialStatus"], SPEC["status_list_credential"]
    )
    assert result.ok
    assert result.state is StatusState.OK
    assert result.status == 0
    assert result.purpose == "revocation"
    assert [check.name for check in result.checks] == [
        "entry",
        "list",
        "purpose",
        "freshness",
        "bitstring",
        "status",
    ]


def test_generated_revocation_list_has_exactly_its_set_indexes() -> None:
    example = GENERATED["revocation_list"]
    status_list = StatusList.decode(example["encodedList"])
    assert status_list.size == example["bits"]
    assert status_list.nonzero_indexes() == example["set_indices"]
    for index, value in example["expected"].items():
        assert status_list.get(int(index)) == value


def test_generated_message_list_reads_two_bit_values() -> None:
    example = GENERATED["message_list_statusSize_2"]
    status_list = StatusList.decode(example["encodedList"], status_size=example["statusSize"])
    assert status_list.size == example["entries"]
    for index, value in example["expected_values"].items():
        assert status_list.get(int(index)) == value
    assert status_list.nonzero_indexes() == [0, 5, 100000]


def test_list_below_the_minimum_length_is_refused() -> None:
    example = GENERATED["too_small_list_must_be_rejected"]
    with pytest.raises(InvalidInput, match="fewer than the 131072") as caught:
        StatusList.decode(example["encodedList"])
    assert caught.value.detail["spec_error"] == "STATUS_LIST_LENGTH_ERROR"


def test_one_bit_list_read_with_two_bit_entries_is_too_short() -> None:
    with pytest.raises(InvalidInput, match="65536 entries of 2 bit"):
        StatusList.decode(GENERATED["revocation_list"]["encodedList"], status_size=2)


@pytest.mark.parametrize("name", ["revocation_list", "message_list_statusSize_2"])
def test_reencoding_a_published_list_keeps_its_bits(name: str) -> None:
    example = GENERATED[name]
    size = example.get("statusSize", 1)
    status_list = StatusList.decode(example["encodedList"], status_size=size)
    assert StatusList.decode(status_list.encode(), status_size=size) == status_list


# Encoding.


def test_empty_list_of_131072_entries_encodes_small() -> None:
    encoded = StatusList().encode()
    assert encoded.startswith("u")
    assert len(encoded) < 100
    assert len(gzip.decompress(b64url_decode(encoded[1:]))) == 16384


def test_one_list_always_encodes_to_the_same_text() -> None:
    first, second = StatusList(), StatusList()
    for status_list in (first, second):
        status_list.set(7)
        status_list.set(99_999)
    assert first.encode() == second.encode()


def test_entry_zero_is_the_leftmost_bit_of_the_first_byte() -> None:
    status_list = StatusList()
    status_list.set(0)
    status_list.set(15)
    assert status_list.to_bytes()[:3] == bytes([0x80, 0x01, 0x00])


def test_multibit_entries_are_read_most_significant_bit_first() -> None:
    status_list = StatusList(status_size=2)
    status_list.set(0, 1)
    status_list.set(5, 2)
    assert status_list.to_bytes()[:2] == bytes([0b0100_0000, 0b0010_0000])


def test_three_bit_entries_spanning_bytes_round_trip() -> None:
    status_list = StatusList(status_size=3)
    values = {2: 7, 5: 5, 10: 1, MIN_ENTRIES - 1: 6}  # entries 2, 5 and 10 cross bytes
    for index, value in values.items():
        status_list.set(index, value)
    decoded = StatusList.decode(status_list.encode(), status_size=3)
    assert decoded.nonzero_indexes() == sorted(values)
    assert {index: decoded.get(index) for index in values} == values


def test_suspension_can_be_lifted_but_neighbours_stay() -> None:
    status_list = StatusList()
    status_list.set(8)
    status_list.set(9)
    status_list.set(8, 0)
    assert status_list.nonzero_indexes() == [9]


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=300))
def test_any_set_of_revoked_indexes_survives_encode_and_decode(indexes: set[int]) -> None:
    status_list = StatusList()
    for index in indexes:
        status_list.set(index)
    decoded = StatusList.decode(status_list.encode())
    assert decoded == status_list
    assert decoded.nonzero_indexes() == sorted(indexes)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda size: st.tuples(
            st.just(size),
            st.dictionaries(st.integers(0, MIN_ENTRIES - 1), st.integers(1, (1 << size) - 1)),
        )
    )
)
def test_any_multibit_statuses_survive_encode_and_decode(
    sized: tuple[int, dict[int, int]],
) -> None:
    status_size, values = sized
    status_list = StatusList(status_size=status_size)
    for index, value in values.items():
        status_list.set(index, value)
    decoded = StatusList.decode(status_list.encode(), status_size=status_size)
    assert decoded.nonzero_indexes() == sorted(values)
    assert all(decoded.get(index) == value for index, value in values.items())


# Making and changing lists: refused arguments.


@pytest.mark.parametrize("size", [0, MIN_ENTRIES - 8, 1000, True])
def test_a_list_smaller_than_131072_entries_cannot_be_made(size: int) -> None:
    with pytest.raises(InvalidInput, match="herd privacy"):
        StatusList(size)


@pytest.mark.parametrize("status_size", [0, 9, -1, True])
def test_status_size_outside_one_to_eight_is_refused(status_size: int) -> None:
    with pytest.raises(InvalidInput, match="statusSize"):
        StatusList(status_size=status_size)


def test_entry_count_that_leaves_a_partial_byte_is_refused() -> None:
    with pytest.raises(InvalidInput, match="whole bytes"):
        StatusList(MIN_ENTRIES + 1)


def test_list_too_large_for_verifiers_cannot_be_made() -> None:
    with pytest.raises(PayloadTooLarge):
        StatusList(MAX_BITSTRING_BYTES * 8 + 8)


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, 10**30])
def test_index_out_of_range_raises_range_error(index: int) -> None:
    status_list = StatusList()
    for action in (lambda: status_list.get(index), lambda: status_list.set(index)):
        with pytest.raises(InvalidInput, match="outside the list") as caught:
            action()
        assert caught.value.detail["spec_error"] == "RANGE_ERROR"


@pytest.mark.parametrize("index", [True, 1.0, "3"])
def test_index_that_is_not_a_whole_number_is_refused(index: Any) -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        StatusList().get(index)


@pytest.mark.parametrize(("status_size", "value"), [(1, 2), (2, 4), (2, -1), (1, True)])
def test_status_value_wider_than_its_entry_is_refused(status_size: int, value: Any) -> None:
    with pytest.raises(InvalidInput, match="status is a number"):
        StatusList(status_size=status_size).set(3, value)


# Decoding attacks: every one a BlockcityError with a reason in both languages.


def _valid_gzip() -> bytes:
    return b64url_decode(GENERATED["revocation_list"]["encodedList"][1:])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "starting with 'u'"),
        ("z" + GENERATED["revocation_list"]["encodedList"][1:], "starting with 'u'"),
        (GENERATED["revocation_list"]["encodedList"][1:], "StatusList2021"),
        (GENERATED["revocation_list"]["encodedList"] + "==", "not valid base64url"),
        ("uH4sI AAAA", "not valid base64url"),
        ("u" + b64url_encode(_valid_gzip()[:-9]), "truncated"),
        ("u" + b64url_encode(_valid_gzip()[:10]), "truncated"),
        ("u" + b64url_encode(_valid_gzip() + b"\x00"), "bytes after its GZIP member"),
        ("u" + b64url_encode(_valid_gzip() + _valid_gzip()), "bytes after its GZIP member"),
        ("u" + b64url_encode(zlib.compress(bytes(16384))), "does not GZIP-decompress"),
        ("u" + b64url_encode(b"not compressed at all"), "does not GZIP-decompress"),
        ("u", "does not GZIP-decompress|truncated"),
    ],
)
def test_malformed_encoded_list_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as caught:
        StatusList.decode(text)
    assert caught.value.detail["spec_error"] == "MALFORMED_VALUE_ERROR"
    english, korean = _messages_of(caught.value)
    assert english != korean


def test_flipped_byte_in_the_gzip_checksum_is_refused() -> None:
    tampered = bytearray(_valid_gzip())
    tampered[-6] ^= 0x01  # inside the CRC-32 of RFC 1952 §2.3.1
    with pytest.raises(InvalidInput, match="does not GZIP-decompress"):
        StatusList.decode("u" + b64url_encode(bytes(tampered)))


def test_gzip_bomb_is_refused_without_expanding_it_all() -> None:
    bomb = gzip.compress(bytes(MAX_BITSTRING_BYTES + 1), compresslevel=9, mtime=0)
    assert len(bomb) < 40_000
    with pytest.raises(PayloadTooLarge, match="GZIP bomb"):
        StatusList.decode("u" + b64url_encode(bomb))


def test_list_at_the_size_limit_is_accepted() -> None:
    decoded = StatusList.decode(_gzip_text(bytes(MAX_BITSTRING_BYTES)))
    assert decoded.size == MAX_BITSTRING_BYTES * 8


def test_encoded_list_longer_than_any_acceptable_list_is_refused_before_decoding() -> None:
    with pytest.raises(PayloadTooLarge, match="longer than any list"):
        StatusList.decode("u" + "A" * (MAX_BITSTRING_BYTES * 2))


def test_encoded_list_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must be text"):
        StatusList.decode(b"uH4sI")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.binary(max_size=60).map(lambda b: "u" + b64url_encode(b)))
def test_arbitrary_text_decodes_or_gives_a_reason(text: str) -> None:
    with pytest.raises(BlockcityError):
        StatusList.decode(text)


# The documents an issuer publishes and embeds.


def test_status_list_credential_has_the_spec_shape() -> None:
    status_list = StatusList()
    status_list.set(42)
    document = _list_credential(status_list)
    assert document == {
        "@context": [VC_V2_CONTEXT],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-03-01T09:00:00Z",
        "validUntil": "2026-03-02T09:00:00Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(),
        },
    }
    assert set(document) >= set(SPEC["status_list_credential"])
    assert set(document["credentialSubject"]) == set(
        SPEC["status_list_credential"]["credentialSubject"]
    )


def test_validity_dates_are_written_in_utc() -> None:
    seoul = timezone(timedelta(hours=9))
    document = status_list_credential(
        StatusList(),
        ISSUER,
        LIST_URL,
        "suspension",
        datetime(2026, 3, 1, 18, 0, 30, 999_999, tzinfo=seoul),
        datetime(2026, 3, 2, 18, 0, tzinfo=seoul),
    )
    assert document["validFrom"] == "2026-03-01T09:00:30Z"
    assert document["validUntil"] == "2026-03-02T09:00:00Z"


def test_message_list_credential_carries_its_size_and_messages() -> None:
    document = _list_credential(
        StatusList(status_size=2), MESSAGE_URL, "message", messages=MESSAGES
    )
    subject = document["credentialSubject"]
    assert subject["statusSize"] == 2
    assert subject["statusMessages"] == [
        {"status": "0x0", "message": "pending_review"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined"},
    ]


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"issuer": "https://seoul.go.kr"}, "must be a DID"),
        ({"list_id": "status/1"}, "http\\(s\\) URL"),
        ({"list_id": "ftp://status.seoul.example/1"}, "http\\(s\\) URL"),
        ({"list_id": LIST_URL + "#list"}, "#fragment"),
        ({"purpose": "refresh"}, "statusPurpose must be one of"),
        ({"valid_from": datetime(2026, 3, 1)}, "time zone"),
        ({"valid_until": T0}, "after validFrom"),
        ({"status_list": StatusList(status_size=2)}, "one bit without messages"),
        ({"status_messages": MESSAGES[:2]}, "one bit without messages"),
        ({"status_list": "uH4sI"}, "must be a StatusList"),
    ],
)
def test_status_list_credential_refuses_bad_arguments(
    arguments: dict[str, Any], reason: str
) -> None:
    call: dict[str, Any] = {
        "status_list": StatusList(),
        "issuer": ISSUER,
        "list_id": LIST_URL,
        "purpose": "revocation",
        "valid_from": T0,
        "valid_until": T0 + timedelta(days=1),
    }
    call.update(arguments)
    with pytest.raises(InvalidInput, match=reason):
        status_list_credential(**call)


@pytest.mark.parametrize("messages", [None, MESSAGES[:3], (*MESSAGES[:3], ""), "abcd"])
def test_message_list_needs_one_message_per_status_value(messages: Any) -> None:
    with pytest.raises(InvalidInput, match="exactly 4 non-empty messages"):
        _list_credential(StatusList(status_size=2), MESSAGE_URL, "message", messages=messages)


def test_status_entry_matches_the_spec_example() -> None:
    entry = status_entry("https://example.com/credentials/status/3", 94567, "revocation")
    assert entry == SPEC["revocable_credential"]["credentialStatus"]


def test_message_status_entry_commits_to_its_messages() -> None:
    entry = status_entry(MESSAGE_URL, 12, "message", status_size=2, status_messages=MESSAGES)
    assert entry["statusSize"] == 2
    assert [item["message"] for item in entry["statusMessage"]] == list(MESSAGES)
    assert entry["id"] != entry["statusListCredential"]


@pytest.mark.parametrize("index", [-1, True, "5", MAX_BITSTRING_BYTES * 8])
def test_status_entry_refuses_an_impossible_index(index: Any) -> None:
    with pytest.raises(InvalidInput):
        status_entry(LIST_URL, index, "revocation")


# Checking a credential's status.


def test_revoked_credential_is_reported_revoked() -> None:
    status_list = StatusList()
    status_list.set(1234)
    result = _check(status_entry(LIST_URL, 1234, "revocation"), _list_credential(status_list))
    assert not result.ok
    assert result.state is StatusState.REVOKED
    assert result.status == 1
    assert _failed(result) == ["status"]
    assert "revoked by its issuer" in result.failures()[0].reason_en
    assert "폐지" in result.failures()[0].reason("ko")


def test_neighbour_of_a_revoked_credential_is_still_valid() -> None:
    status_list = StatusList()
    status_list.set(1234)
    result = _check(status_entry(LIST_URL, 1235, "revocation"), _list_credential(status_list))
    assert result.ok
    assert result.state is StatusState.OK


def test_suspended_credential_is_valid_again_once_reinstated() -> None:
    status_list = StatusList()
    entry = status_entry(SUSPENSION_URL, 77, "suspension")
    status_list.set(77)
    suspended = _check(entry, _list_credential(status_list, SUSPENSION_URL, "suspension"))
    assert suspended.state is StatusState.SUSPENDED
    assert not suspended.ok
    status_list.set(77, 0)
    reinstated = _check(entry, _list_credential(status_list, SUSPENSION_URL, "suspension"))
    assert reinstated.state is StatusState.OK
    assert reinstated.ok


def test_message_status_reports_the_issuers_message() -> None:
    status_list = StatusList(status_size=2)
    status_list.set(12, 2)
    entry = status_entry(MESSAGE_URL, 12, "message", status_size=2, status_messages=MESSAGES)
    document = _list_credential(status_list, MESSAGE_URL, "message", messages=MESSAGES)
    result = _check(entry, document)
    assert result.state is StatusState.MESSAGE
    assert (result.status, result.status_message) == (2, "rejected")
    # §3.2 step 13: only status 0 is valid, whatever the purpose.
    assert not result.ok
    assert _check(
        status_entry(MESSAGE_URL, 13, "message", status_size=2, status_messages=MESSAGES), document
    ).status_message == ("pending_review")


def test_revocation_entry_checked_against_a_suspension_list_is_refused() -> None:
    status_list = StatusList()
    result = _check(
        status_entry(SUSPENSION_URL, 5, "revocation"),
        _list_credential(status_list, SUSPENSION_URL, "suspension"),
    )
    assert not result.ok
    assert _failed(result) == ["purpose"]
    assert result.status is None
    assert "the list is for suspension" in result.checks[-1].reason_en


def test_list_serving_several_purposes_answers_each() -> None:
    document = _list_credential(StatusList())
    document["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    assert _check(status_entry(LIST_URL, 5, "suspension"), document).ok


def test_index_beyond_the_list_is_refused_as_a_range_error() -> None:
    result = _check(
        status_entry(LIST_URL, MIN_ENTRIES, "revocation"), _list_credential(StatusList())
    )
    assert not result.ok
    assert _failed(result) == ["bitstring"]
    assert "RANGE_ERROR" in result.checks[-1].reason_en


def test_list_for_another_url_cannot_answer_for_this_credential() -> None:
    status_list = StatusList()
    entry = status_entry(LIST_URL, 5, "revocation")
    elsewhere = _list_credential(status_list, "https://status.seoul.example/lists/revocation/2")
    result = _check(entry, elsewhere)
    assert _failed(result) == ["list"]
    assert "but the credential points to" in result.checks[-1].reason_en


def test_tampered_encoded_list_fails_the_bitstring_check_without_raising() -> None:
    document = _list_credential(StatusList())
    document["credentialSubject"]["encodedList"] = document["credentialSubject"]["encodedList"][:-4]
    result = _check(status_entry(LIST_URL, 5, "revocation"), document)
    assert _failed(result) == ["bitstring"]
    assert result.state is StatusState.UNKNOWN


def test_entry_and_list_disagreeing_on_status_size_is_refused() -> None:
    entry = status_entry(MESSAGE_URL, 3, "message", status_size=1, status_messages=MESSAGES[:2])
    document = _list_credential(
        StatusList(status_size=2), MESSAGE_URL, "message", messages=MESSAGES
    )
    result = _check(entry, document)
    assert _failed(result) == ["bitstring"]
    assert "2-bit ones" in result.checks[-1].reason_en


def test_list_past_its_valid_until_is_flagged_stale_but_still_read() -> None:
    status_list = StatusList()
    status_list.set(9)
    document = _list_credential(status_list, valid_for=timedelta(minutes=1))
    result = _check(status_entry(LIST_URL, 9, "revocation"), document, after=timedelta(minutes=2))
    assert result.stale
    assert _failed(result) == ["freshness", "status"]
    assert "validUntil" in result.checks[3].reason_en
    assert result.state is StatusState.REVOKED


def test_copy_older_than_max_age_is_flagged_stale_with_its_age() -> None:
    result = _check(
        status_entry(LIST_URL, 9, "revocation"),
        _list_credential(StatusList()),
        after=MAX_AGE + timedelta(seconds=1),
    )
    assert result.stale
    assert result.age_seconds == 301
    assert _failed(result) == ["freshness"]
    assert "301 s old, older than the 300 s allowed" in result.checks[3].reason_en


def test_fresh_copy_reports_its_age_in_seconds() -> None:
    result = _check(
        status_entry(LIST_URL, 9, "revocation"),
        _list_credential(StatusList()),
        after=timedelta(seconds=42, milliseconds=900),
    )
    assert result.ok
    assert not result.stale
    assert result.age_seconds == 42
    assert result.checks[3].reason_en == "status as of 42 s ago"


def test_copy_fetched_in_the_future_is_flagged() -> None:
    result = check_status(
        status_entry(LIST_URL, 9, "revocation"),
        _list_credential(StatusList()),
        fetched_at=T0 + timedelta(hours=1),
        now=T0 + timedelta(minutes=1),
        max_age=MAX_AGE,
    )
    assert _failed(result) == ["freshness"]
    assert "in the future" in result.checks[3].reason_en


def test_list_not_yet_valid_is_flagged() -> None:
    document = _list_credential(StatusList())
    document["validFrom"] = "2026-03-01T10:00:00Z"
    result = _check(status_entry(LIST_URL, 9, "revocation"), document)
    assert _failed(result) == ["freshness"]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("https://example.com/status/3#1", "must be an object"),
        ({"type": "StatusList2021Entry"}, "BitstringStatusListEntry"),
        ({"statusPurpose": "refresh"}, "not one this verifier checks"),
        ({"statusListIndex": 94567}, "base-10"),
        ({"statusListIndex": "-1"}, "base-10"),
        ({"statusListIndex": "1e3"}, "base-10"),
        ({"statusListIndex": "٣"}, "base-10"),
        ({"statusListIndex": "9" * 400}, "base-10"),
        ({"statusListCredential": "status/3"}, "http(s) URL"),
        ({"statusSize": 2}, "statusMessage"),
        ({"statusSize": "2"}, "statusSize"),
        ({"statusMessage": [{"status": "0x0", "message": "a"}]}, "statusMessage"),
        (
            {"statusMessage": [{"status": "0", "message": "a"}, {"status": "0x1", "message": "b"}]},
            "hexadecimal",
        ),
        (
            {
                "statusMessage": [
                    {"status": "0x1", "message": "a"},
                    {"status": "0x1", "message": "b"},
                ]
            },
            "repeated",
        ),
    ],
)
def test_malformed_entry_fails_the_entry_check_with_its_reason(entry: Any, reason: str) -> None:
    if isinstance(entry, dict):
        entry = {**status_entry(LIST_URL, 9, "revocation"), **entry}
    result = _check(entry, _list_credential(StatusList()))
    assert not result.ok
    assert _failed(result) == ["entry"]
    assert reason in result.checks[0].reason_en
    assert result.checks[0].reason_en != result.checks[0].reason_ko


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(type=["VerifiableCredential"]),
        lambda d: d.pop("id"),
        lambda d: d.update(credentialSubject=[d["credentialSubject"]]),
        lambda d: d["credentialSubject"].update(type="StatusList2021"),
        lambda d: d["credentialSubject"].update(statusPurpose=[]),
        lambda d: d["credentialSubject"].pop("encodedList"),
        lambda d: d.update(validUntil="tomorrow"),
        lambda d: d.update(validUntil="2026-03-02T09:00:00"),
        lambda d: d["credentialSubject"].update(statusSize=0),
    ],
)
def test_document_that_is_not_a_status_list_fails_the_list_check(change: Any) -> None:
    document = _list_credential(StatusList())
    change(document)
    result = _check(status_entry(LIST_URL, 9, "revocation"), document)
    assert _failed(result) == ["list"]


def test_naive_clock_values_are_a_programming_error() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        check_status(
            status_entry(LIST_URL, 9, "revocation"),
            _list_credential(StatusList()),
            fetched_at=datetime(2026, 3, 1),
            now=T0,
            max_age=MAX_AGE,
        )


def test_a_result_without_checks_is_not_a_pass() -> None:
    assert not StatusCheck(()).ok


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "statusPurpose",
                "statusListIndex",
                "statusListCredential",
                "statusSize",
                "statusMessage",
            ]
        ),
        _JSON,
    )
)
def test_any_tampered_entry_gives_checks_never_an_exception(changes: dict[str, Any]) -> None:
    status_list = StatusList()
    status_list.set(9)
    entry = {**status_entry(LIST_URL, 9, "revocation"), **changes}
    result = _check(entry, _list_credential(status_list))
    assert result.checks
    if result.ok:
        assert result.state is StatusState.OK


# The verifier's cache.


def test_cache_reports_status_as_of_its_fetch() -> None:
    status_list = StatusList()
    status_list.set(9)
    cache = StatusListCache(max_age=MAX_AGE)
    cache.put(_list_credential(status_list), fetched_at=T0)
    result = cache.check(status_entry(LIST_URL, 9, "revocation"), now=T0 + timedelta(seconds=90))
    assert result.state is StatusState.REVOKED
    assert result.age_seconds == 90
    assert not result.stale


def test_cache_without_the_list_fails_retrieval() -> None:
    cache = StatusListCache(max_age=MAX_AGE)
    result = cache.check(status_entry(LIST_URL, 9, "revocation"), now=T0)
    assert _failed(result) == ["retrieval"]
    assert not result.ok


def test_cache_refuses_a_malformed_entry_before_looking_up() -> None:
    cache = StatusListCache(max_age=MAX_AGE)
    assert _failed(cache.check({"type": "BitstringStatusListEntry"}, now=T0)) == ["entry"]


def test_cache_flags_its_copy_stale_after_max_age() -> None:
    cache = StatusListCache(max_age=MAX_AGE)
    cache.put(_list_credential(StatusList()), fetched_at=T0)
    result = cache.check(status_entry(LIST_URL, 9, "revocation"), now=T0 + timedelta(hours=1))
    assert result.stale
    assert result.age_seconds == 3600


def test_newer_fetch_replaces_the_copy_and_shows_a_revocation() -> None:
    status_list = StatusList()
    cache = StatusListCache(max_age=MAX_AGE)
    entry = status_entry(LIST_URL, 9, "revocation")
    cache.put(_list_credential(status_list), fetched_at=T0)
    assert cache.check(entry, now=T0 + timedelta(seconds=10)).state is StatusState.OK
    status_list.set(9)
    cache.put(_list_credential(status_list), fetched_at=T0 + timedelta(seconds=20))
    assert cache.check(entry, now=T0 + timedelta(seconds=30)).state is StatusState.REVOKED


def test_older_copy_cannot_replace_a_fresher_one() -> None:
    revoked = StatusList()
    revoked.set(9)
    cache = StatusListCache(max_age=MAX_AGE)
    cache.put(_list_credential(revoked), fetched_at=T0 + timedelta(minutes=1))
    cache.put(_list_credential(StatusList()), fetched_at=T0)  # a stapled, older list
    result = cache.check(status_entry(LIST_URL, 9, "revocation"), now=T0 + timedelta(minutes=2))
    assert result.state is StatusState.REVOKED
    held = cache.get(LIST_URL)
    assert held is not None
    assert held.fetched_at == T0 + timedelta(minutes=1)


def test_cache_drops_the_list_fetched_longest_ago_when_full() -> None:
    cache = StatusListCache(max_age=MAX_AGE, max_lists=2)
    for number in range(3):
        url = f"https://status.seoul.example/lists/revocation/{number}"
        cache.put(_list_credential(StatusList(), url), fetched_at=T0 + timedelta(seconds=number))
    assert len(cache) == 2
    assert cache.get("https://status.seoul.example/lists/revocation/0") is None


def test_cache_decodes_each_list_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = StatusList.decode.__func__  # type: ignore[attr-defined]

    def counting(cls: type[StatusList], text: str, *, status_size: int = 1) -> StatusList:
        calls.append(status_size)
        return original(cls, text, status_size=status_size)  # type: ignore[no-any-return]

    monkeypatch.setattr(StatusList, "decode", classmethod(counting))
    cache = StatusListCache(max_age=MAX_AGE)
    cache.put(_list_credential(StatusList()), fetched_at=T0)
    for index in range(20):
        assert cache.check(status_entry(LIST_URL, index, "revocation"), now=T0).ok
    assert calls == [1]


@pytest.mark.parametrize(
    ("max_age", "max_lists"), [(timedelta(0), 10), (MAX_AGE, 0), (-MAX_AGE, 10)]
)
def test_cache_needs_a_positive_max_age_and_room(max_age: timedelta, max_lists: int) -> None:
    with pytest.raises(InvalidInput):
        StatusListCache(max_age=max_age, max_lists=max_lists)


def test_cache_refuses_a_list_without_a_url() -> None:
    document = _list_credential(StatusList())
    document.pop("id")
    with pytest.raises(InvalidInput, match="http\\(s\\) URL"):
        StatusListCache(max_age=MAX_AGE).put(document, fetched_at=T0)
