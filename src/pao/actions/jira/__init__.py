"""Jira: the ``jira-ticket`` action, escalation incidents and comments.

The controller builds one :class:`JiraService` from the configuration
(:class:`pao.actions.vendor_config.JiraConfig`), registers a
:class:`JiraTicketExecutor` over it, posts state-change comments with
:meth:`JiraService.add_comment` and files escalations with
:func:`file_escalation`.
"""

from __future__ import annotations

from pao.actions.jira.adf import text_to_adf
from pao.actions.jira.client import JiraClient, explain_jira_error
from pao.actions.jira.escalation import escalation_label, file_escalation
from pao.actions.jira.incident import (
    SECTION_HEADINGS,
    ActionSummary,
    EscalationContext,
)
from pao.actions.jira.service import FoundIssue, JiraService, idempotency_label
from pao.actions.jira.ticket import (
    FAILURE_RESOLUTIONS,
    JiraTicketConfig,
    JiraTicketExecutor,
)

__all__ = [
    "FAILURE_RESOLUTIONS",
    "SECTION_HEADINGS",
    "ActionSummary",
    "EscalationContext",
    "FoundIssue",
    "JiraClient",
    "JiraService",
    "JiraTicketConfig",
    "JiraTicketExecutor",
    "escalation_label",
    "explain_jira_error",
    "file_escalation",
    "idempotency_label",
    "text_to_adf",
]
