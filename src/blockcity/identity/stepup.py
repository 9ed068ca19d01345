"""What a session must show before a sensitive action: a recent sign-in to enrol a passkey or a
PIN, a recent step-up (PIN or passkey) to sign with the custodial key (DESIGN.md section 4).

Enrolment asks for a recent sign-in because a stolen session cookie must not be enough to add
a lasting way in (a passkey or PIN of the thief's own); signing asks for a step-up because the
custodial key signs in the person's name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from blockcity.errors import BlockcityError
from blockcity.identity.sessions import STEP_UP_LIFETIME, Session, Sessions

RECENT_SIGN_IN = timedelta(minutes=10)
"""How long after signing in (with a password or a passkey) a session may enrol a passkey or
PIN without stepping up first: long enough to sign up and enrol in one go."""


class SessionEnded(BlockcityError):
    code = "session-ended"
    status = 401
    title_ko = "로그인이 끝났습니다"
    title_en = "Signed out"

    def __init__(self) -> None:
        super().__init__(
            "your session has ended or is not valid; sign in again",
            "로그인이 끝났거나 올바르지 않습니다. 다시 로그인하세요",
        )


class StepUpRequired(BlockcityError):
    code = "step-up-required"
    status = 403
    title_ko = "본인 확인이 필요합니다"
    title_en = "Confirmation required"

    def __init__(self) -> None:
        minutes = int(STEP_UP_LIFETIME.total_seconds() // 60)
        super().__init__(
            "signing with your Seoul Pass key needs a fresh confirmation: confirm with your PIN "
            f"or your passkey, then sign within {minutes} minutes",
            "서울패스 키로 서명하려면 방금 본인 확인을 해야 합니다. PIN이나 패스키로 확인한 뒤 "
            f"{minutes}분 안에 서명하세요",
        )


class RecentSignInRequired(BlockcityError):
    code = "recent-sign-in-required"
    status = 403
    title_ko = "다시 로그인해야 합니다"
    title_en = "Sign in again"

    def __init__(self) -> None:
        minutes = int(RECENT_SIGN_IN.total_seconds() // 60)
        super().__init__(
            "for your safety, adding a passkey or a PIN needs a recent sign-in: sign out, sign "
            f"in again with your password or passkey, and do it within {minutes} minutes",
            "안전을 위해 패스키나 PIN을 등록하려면 최근에 로그인했어야 합니다. 로그아웃한 뒤 "
            f"비밀번호나 패스키로 다시 로그인하고 {minutes}분 안에 등록하세요",
        )


def current_session(sessions: Sessions, token: str) -> Session:
    """The live session behind ``token``; raises SessionEnded if there is none."""
    session = sessions.get(token)
    if session is None:
        raise SessionEnded()
    return session


def require_recent_sign_in(session: Session, now: datetime) -> None:
    if now - session.created_at <= RECENT_SIGN_IN or session.stepped_up(now):
        return
    raise RecentSignInRequired()


def require_step_up(session: Session, now: datetime) -> None:
    if not session.stepped_up(now):
        raise StepUpRequired()
