"""The one check type every verification reports: its rule that nothing checked is no pass,
its renaming when a detailed step stands for a broader check, and its public JSON shape."""

from __future__ import annotations

import ast
from pathlib import Path

import blockcity.checks
from blockcity.checks import Check, all_passed

SIGNED = Check.pass_("signature", "signed by the city", "서울시가 서명했습니다")
EXPIRED = Check.fail("validity", "expired on 2026-01-01", "2026-01-01에 유효 기간이 끝났습니다")


def test_no_checks_is_not_a_pass() -> None:
    assert not all_passed([])
    assert not all_passed(iter(()))


def test_all_passed_needs_every_check_to_pass() -> None:
    assert all_passed([SIGNED])
    assert not all_passed([SIGNED, EXPIRED])
    assert not all_passed(check for check in (EXPIRED, SIGNED))


def test_renamed_keeps_the_outcome_and_both_reasons() -> None:
    folded = EXPIRED.renamed("credential-0:validity")
    assert folded == Check(
        "credential-0:validity",
        False,
        "expired on 2026-01-01",
        "2026-01-01에 유효 기간이 끝났습니다",
    )
    assert SIGNED.renamed("issuer-key").ok


def test_reason_is_korean_unless_english_is_asked_for() -> None:
    assert EXPIRED.reason() == "2026-01-01에 유효 기간이 끝났습니다"
    assert EXPIRED.reason("en") == "expired on 2026-01-01"


def test_to_dict_is_the_shape_the_cli_api_and_web_page_show() -> None:
    assert EXPIRED.to_dict("en") == {
        "name": "validity",
        "ok": False,
        "reason": "expired on 2026-01-01",
        "reason_en": "expired on 2026-01-01",
        "reason_ko": "2026-01-01에 유효 기간이 끝났습니다",
    }
    assert list(SIGNED.to_dict()) == ["name", "ok", "reason", "reason_en", "reason_ko"]
    assert SIGNED.to_dict()["reason"] == "서울시가 서명했습니다"


def test_the_module_imports_nothing_of_ours_so_every_layer_may_use_it() -> None:
    tree = ast.parse(Path(blockcity.checks.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imported and not [name for name in imported if name and name.startswith("blockcity")]
