"""Tests for the C2SP tlog-tiles layout: the spec's vectors, canonical paths and round trips."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.ledger.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    encode_index,
    entries_path,
    parse_tile_path,
    tile_path,
    tiles_for_size,
)
from tests.vectors import load

VECTORS = load("ledger/tlog_tiles_vectors.json")["vectors"]


@pytest.mark.parametrize("vector", [v for v in VECTORS if "index" in v], ids=lambda v: v["path"])
def test_index_is_encoded_as_in_spec(vector: dict[str, Any]) -> None:
    assert encode_index(vector["index"]) == vector["path"]


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if "tree_size" in v], ids=lambda v: str(v["tree_size"])
)
def test_tiles_for_size_match_spec_example(vector: dict[str, Any]) -> None:
    want = [(t["level"], t["full_tiles"], t["partial_width"]) for t in vector["tiles"]]
    assert tiles_for_size(vector["tree_size"]) == want


def test_tile_is_2_to_the_height_hashes_wide() -> None:
    assert 2**TILE_HEIGHT == TILE_WIDTH == 256


def test_empty_tree_has_no_tiles() -> None:
    assert tiles_for_size(0) == []


@given(st.integers(1, 2**48))
def test_tiles_for_size_follows_the_partial_width_formula(tree_size: int) -> None:
    for level, full_tiles, partial_width in tiles_for_size(tree_size):
        hashes = tree_size // 256**level
        assert partial_width == hashes % 256
        assert full_tiles == hashes // 256
    assert tree_size // 256 ** len(tiles_for_size(tree_size)) == 0


@pytest.mark.parametrize(
    ("path", "built"),
    [
        ("tile/0/x001/x234/067", tile_path(0, 1234067)),
        ("tile/1/000.p/17", tile_path(1, 0, 17)),
        ("tile/63/x001/000.p/255", tile_path(63, 1000, 255)),
        ("tile/entries/273.p/112", entries_path(273, 112)),
        ("tile/entries/000", entries_path(0)),
    ],
)
def test_paths_follow_spec_layout(path: str, built: str) -> None:
    assert built == path


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("tile/0/x001/x234/067", (0, 1234067, 256)),
        ("tile/2/000.p/1", (2, 0, 1)),
        ("tile/entries/x001/000.p/8", (None, 1000, 8)),
    ],
)
def test_canonical_path_is_parsed(path: str, want: tuple[int | None, int, int]) -> None:
    assert parse_tile_path(path) == want


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/x000/001",  # leading zero element: 1 has one name, "001"
        "tile/0/1",  # index elements are three digits
        "tile/0/0001",
        "tile/0/001/002",  # all but the last element start with "x"
        "tile/0/x001",  # the last element has no "x"
        "tile/0/x01/000",
        "tile/00/000",  # level has no leading zeroes
        "tile/64/000",  # level is at most 63
        "tile/-1/000",
        "tile/0/000.p/256",  # a full tile has no ".p" suffix
        "tile/0/000.p/0",  # empty tiles are never served
        "tile/0/000.p/08",  # width has no leading zeroes
        "tile/0/000.p/",
        "tile/0/000.p/8/",
        "tile/0/000/",
        "/tile/0/000",
        "tiles/0/000",
        "tile/entry/000",
        "tile/0/\u0660\u0660\u0660",  # Arabic-Indic digits are not ASCII digits
        "",
    ],
)
def test_malformed_path_is_rejected(path: str) -> None:
    with pytest.raises(ValueError, match=r"path|level|width|index"):
        parse_tile_path(path)


@given(
    st.none() | st.integers(0, 63),
    st.integers(0, 10**15),
    st.integers(1, TILE_WIDTH),
)
def test_path_round_trips_through_parse(level: int | None, index: int, width: int) -> None:
    path = entries_path(index, width) if level is None else tile_path(level, index, width)
    assert parse_tile_path(path) == (level, index, width)


@given(st.integers(0, 10**15))
def test_encoded_index_decodes_to_the_same_number(index: int) -> None:
    elements = encode_index(index).split("/")
    assert int("".join(e.removeprefix("x") for e in elements)) == index


@pytest.mark.parametrize(
    "build",
    [
        lambda: encode_index(-1),
        lambda: tile_path(64, 0),
        lambda: tile_path(-1, 0),
        lambda: tile_path(0, 0, 0),
        lambda: tile_path(0, 0, 257),
        lambda: entries_path(0, 0),
        lambda: tiles_for_size(-1),
    ],
)
def test_out_of_range_arguments_are_refused(build: Any) -> None:
    with pytest.raises(ValueError):
        build()
