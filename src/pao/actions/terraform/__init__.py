"""Terraform Cloud / Enterprise: the ``terraform`` action."""

from __future__ import annotations

from pao.actions.terraform.client import TerraformClient, Workspace, explain_tfc_error
from pao.actions.terraform.executor import (
    FAILED_STATES,
    SUCCEEDED_STATES,
    TerraformExecutor,
    TerraformRunConfig,
)
from pao.actions.terraform.variables import TerraformVariable, encode_value

__all__ = [
    "FAILED_STATES",
    "SUCCEEDED_STATES",
    "TerraformClient",
    "TerraformExecutor",
    "TerraformRunConfig",
    "TerraformVariable",
    "Workspace",
    "encode_value",
    "explain_tfc_error",
]
