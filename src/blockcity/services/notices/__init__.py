"""Public notices: the city's announcements anchored on the ledger so that anyone can check
that a notice was published when it says and has not been changed since."""

from blockcity.services.notices.commands import publish_notice
from blockcity.services.notices.entries import NOTICE_PUBLISHED, NoticePublished, register

__all__ = ["NOTICE_PUBLISHED", "NoticePublished", "publish_notice", "register"]
