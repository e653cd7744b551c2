"""Two actions setting the same workspace's variables at once."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import pytest

from pao.actions import ActionContext, PermanentActionError
from pao.actions.http import HttpSender
from pao.actions.terraform import TerraformClient, TerraformVariable
from pao.actions.terraform.client import Workspace
from pao.actions.terraform.variables import sync_variables
from pao.actions.vendor_config import TerraformConfig
from pao.standins import TerraformStandin

TOKEN = "tfc-race-token"


class StaleListClient(TerraformClient):
    """Reads the variable list as it was before another writer's create."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stale_reads = 1

    def variables(
        self, workspace: Workspace, *, ctx: ActionContext
    ) -> list[dict[str, Any]]:
        if self.stale_reads:
            self.stale_reads -= 1
            return []
        return super().variables(workspace, ctx=ctx)


@pytest.fixture
def tfc() -> Iterator[TerraformStandin]:
    standin = TerraformStandin(token=TOKEN, organization="acme", step_seconds=None)
    with standin.serve():
        yield standin


def client(tfc: TerraformStandin, sender: HttpSender) -> StaleListClient:
    config = TerraformConfig(
        url=tfc.url,
        organization="acme",
        token=lambda: TOKEN,
        repositories=MappingProxyType({}),
    )
    return StaleListClient(config, sender=sender)


def test_a_variable_created_meanwhile_is_updated_instead(
    tfc: TerraformStandin, sender: HttpSender, ctx: ActionContext
) -> None:
    tfc.add_workspace("dns-prod")
    other = client(tfc, sender)
    other.stale_reads = 0
    racing = client(tfc, sender)
    workspace = other.workspace_named("acme", "dns-prod", ctx=ctx)
    sync_variables(
        other, workspace, {"zone": TerraformVariable(value="a.example")}, ctx=ctx
    )

    sync_variables(
        racing, workspace, {"zone": TerraformVariable(value="b.example")}, ctx=ctx
    )

    assert tfc.workspace("dns-prod").variable_values() == {"zone": "b.example"}


def test_other_refusals_to_create_still_fail(
    tfc: TerraformStandin, sender: HttpSender, ctx: ActionContext
) -> None:
    tfc.add_workspace("dns-prod")
    racing = client(tfc, sender)
    workspace = racing.workspace_named("acme", "dns-prod", ctx=ctx)
    racing.stale_reads = 0
    tfc.fail_next(403, method="POST")

    with pytest.raises(PermanentActionError):
        sync_variables(
            racing, workspace, {"zone": TerraformVariable(value="c.example")}, ctx=ctx
        )
