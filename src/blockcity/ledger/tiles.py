"""C2SP tlog-tiles layout: tile and entry-bundle paths, and which tiles a tree size needs.

Pure path and index arithmetic (c2sp.org/tlog-tiles); reading and writing tiles lives elsewhere.
"""

from __future__ import annotations

import re

TILE_WIDTH = 256
"""Hashes in a full tile."""
TILE_HEIGHT = 8
"""Merkle tree levels spanned by one tile: 2**TILE_HEIGHT == TILE_WIDTH."""
MAX_LEVEL = 63
"""tlog-tiles: <L> is a decimal integer between 0 and 63."""

# tlog-tiles, "Merkle Tree": <L> and <W> have no leading zeroes; <N> is zero-padded 3-digit
# elements, all but the last prefixed with "x". [0-9] rather than \d: only ASCII digits count.
_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]*)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]*))?"
)


def encode_index(n: int) -> str:
    """Encode a tile index as tlog-tiles path elements: 1234067 -> "x001/x234/067"."""
    if n < 0:
        raise ValueError(f"tile index {n} is negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def _width_suffix(width: int) -> str:
    """Return "" for a full tile and ".p/<W>" for a partial one (tlog-tiles, "Partial Tiles")."""
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"tile width {width} is not between 1 and {TILE_WIDTH}")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """Return "tile/<L>/<N>[.p/<W>]" for the hash tile at ``level`` and ``index``."""
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"tile level {level} is not between 0 and {MAX_LEVEL}")
    return f"tile/{level}/{encode_index(index)}{_width_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """Return "tile/entries/<N>[.p/<W>]" for the entry bundle at ``index``."""
    return f"tile/entries/{encode_index(index)}{_width_suffix(width)}"


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """Parse a canonical tile or entry-bundle path into (level, index, width).

    Level is None for an entry bundle; width is TILE_WIDTH for a full tile. Raises ValueError for
    any path that `tile_path` or `entries_path` would not produce, so one tile has one name.
    """
    match = _PATH.fullmatch(path)
    if match is None:
        raise ValueError(f"not a tlog-tiles path: {path!r}")
    groups = match["index"].split("/")
    if len(groups) > 1 and groups[0] == "x000":
        raise ValueError(f"tile index in {path!r} has a leading zero element")
    index = int("".join(g.removeprefix("x") for g in groups))
    level = None if match["level"] == "entries" else int(match["level"])
    if level is not None and level > MAX_LEVEL:
        raise ValueError(f"tile level in {path!r} is above {MAX_LEVEL}")
    if match["width"] is None:
        return level, index, TILE_WIDTH
    width = int(match["width"])
    if width >= TILE_WIDTH:
        raise ValueError(f"partial tile width in {path!r} is not between 1 and {TILE_WIDTH - 1}")
    return level, index, width


def tiles_for_size(tree_size: int) -> list[tuple[int, int, int]]:
    """List (level, full_tiles, partial_width) for each level a tree of ``tree_size`` uses.

    tlog-tiles, "Partial Tiles": level l holds floor(s / 256**l) hashes, so that many // 256 full
    tiles and a partial tile of the remainder (0 meaning none).
    """
    if tree_size < 0:
        raise ValueError(f"tree size {tree_size} is negative")
    tiles = []
    level = 0
    hashes = tree_size
    while hashes:
        full, partial = divmod(hashes, TILE_WIDTH)
        tiles.append((level, full, partial))
        hashes = full
        level += 1
    return tiles
