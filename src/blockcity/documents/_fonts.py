"""The Korean font our PDFs embed: NanumGothic Regular and Bold, shipped in ``fonts/`` under the
SIL Open Font License 1.1 (``fonts/OFL.txt``), registered with ReportLab once per process.

The TTFs are NanumGothic 3.021 (name table: "Copyright © 2011 NHN Corporation. All rights
reserved. Font designed by Sandoll Communications Inc."), byte for byte as in the
koreanize-matplotlib 0.1.1 wheel. OFL §2 lets us bundle them with software as long as the
licence travels with them, and its preamble puts documents made with the font outside the
licence, so our PDFs may embed subsets freely.
"""

from __future__ import annotations

import threading
from importlib.resources import files

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "NanumGothic"
BOLD = "NanumGothic-Bold"

_FILES = {REGULAR: "NanumGothic.ttf", BOLD: "NanumGothicBold.ttf"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the two faces with ReportLab (idempotent, thread-safe).

    Parsing the 4.6 MB TTFs takes a noticeable moment, so it happens on first use, not at
    import. ReportLab embeds only the glyphs a document uses (TrueType subsets, /FontFile2).
    """
    global _registered
    with _lock:
        if _registered:
            return
        folder = files("blockcity.documents") / "fonts"
        for face, filename in _FILES.items():
            with (folder / filename).open("rb") as handle:
                pdfmetrics.registerFont(TTFont(face, handle))
        _registered = True
