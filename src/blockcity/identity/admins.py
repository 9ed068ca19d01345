"""Platform administrators: accounts of the city that license operator apps and read their access
logs. The first one is created when the platform is installed; nobody can sign up as one."""

from __future__ import annotations

from blockcity.errors import Conflict
from blockcity.identity.accounts import Accounts
from blockcity.identity.model import Account, AccountKind


def create_first_admin(
    accounts: Accounts, username: str, password: str, display_name: str
) -> Account:
    """The platform's first administrator; refused once any administrator exists, so this
    cannot be used later to add one behind the others' backs."""
    if accounts.db.one("SELECT 1 FROM accounts WHERE kind = ?", (AccountKind.ADMIN.value,)):
        raise Conflict(
            "the platform already has an administrator; this sets up only the first one",
            "이미 관리자가 있습니다. 이 기능은 첫 관리자를 만들 때만 씁니다",
        )
    return accounts.create(username, password, display_name, kind=AccountKind.ADMIN)
