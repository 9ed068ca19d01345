"""The web pages' messages in Korean and English, kept as data in ``locales/<lang>/<area>.json``
(one file per area of the site, so areas grow independently) and loaded once; templates call
``t(key, **values)``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("ko", "en")
DEFAULT_LANGUAGE: Final = "ko"

_LOCALES = Path(__file__).parent / "locales"


def _load() -> dict[str, dict[str, str]]:
    catalogs: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        catalog: dict[str, str] = {}
        for path in sorted((_LOCALES / lang).glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
            ):
                raise ValueError(f"{lang}/{path.name} must map message keys to strings")
            clash = sorted(catalog.keys() & raw.keys())
            if clash:
                raise ValueError(f"{lang}/{path.name} redefines {clash}")
            catalog.update(raw)
        catalogs[lang] = catalog
    # A key missing in one language would show a raw key to someone: refuse to start instead.
    keys = {lang: set(catalog) for lang, catalog in catalogs.items()}
    reference = keys[DEFAULT_LANGUAGE]
    for lang, found in keys.items():
        if found != reference:
            missing = sorted(reference - found)
            extra = sorted(found - reference)
            raise ValueError(f"{lang} messages differ from ko: missing {missing}, extra {extra}")
    return catalogs


_CATALOGS: Final[Mapping[str, Mapping[str, str]]] = _load()


def messages(lang: str) -> Mapping[str, str]:
    """Every message of one language (``ko`` or ``en``)."""
    return _CATALOGS[lang]


class Translator:
    """``t("entry.included", size=8)``: the message in this language with its values filled."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
        self.lang = lang
        self._messages = _CATALOGS[lang]

    def __call__(self, key: str, /, **values: object) -> str:
        message = self._messages[key]
        return message.format(**values) if values else message
