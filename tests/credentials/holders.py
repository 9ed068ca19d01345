"""The organizations world with credentials in it, for the API and web tests of issue 4: the
world's organization is the demo café (a trusted issuer of career certificates), and a holder
with a Seoul Pass account holds one certificate from it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from blockcity.credentials.service import IssuedCredential
from blockcity.demo import DEMO_ORGANIZATION_DID, seed_demo_dids, seed_demo_issuers
from blockcity.identity.model import Account
from blockcity.node import Node
from tests.credentials.issuing import issue_career
from tests.identity.orgs_world import PASSWORD, World, world_node

HOLDER_PASSWORD = PASSWORD


@dataclass
class CredentialWorld:
    world: World
    node: Node
    holder: Account
    credential: IssuedCredential
    """The holder's career certificate, issued by ``world.org`` (the demo café)."""


@contextmanager
def credential_world(path: Path) -> Iterator[CredentialWorld]:
    with world_node(path) as (world, node):
        # Issuer enrolment signs its registry entries at the real time, which the ledger
        # checks against its own clock: bring the world's clock to now first.
        world.clock.now = datetime.now(UTC)
        seed_demo_dids(node)
        seed_demo_issuers(node)
        world.seoul_pass.organizations.set_did(world.org.id, DEMO_ORGANIZATION_DID)
        holder = world.seoul_pass.accounts.create("holder", PASSWORD, "정소지")
        credential = issue_career(node, holder=holder.did)
        yield CredentialWorld(world, node, holder, credential)
