"""Check runs and commit statuses: how pao reports a verdict on a commit.

GitHub takes at most 50 annotations per call, so a check run with more is
created with the first 50 and updated with the rest, 50 at a time; each
update repeats the title and summary, which GitHub requires. Summary and
text are cut to GitHub's limit with a marker saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pao.forge.github._base import RepoCalls
from pao.forge.github.limits import (
    ANNOTATION_MESSAGE_LIMIT,
    ANNOTATION_TITLE_LIMIT,
    ANNOTATIONS_PER_CALL,
    CHECK_TEXT_LIMIT,
    STATUS_DESCRIPTION_LIMIT,
    truncate,
)
from pao.forge.github.models import Annotation, CheckOutput, CheckRun

__all__ = ["CHECK_NAME", "CheckCalls"]

CHECK_NAME = "pao/validate"

CheckStatus = Literal["queued", "in_progress", "completed"]
Conclusion = Literal[
    "success",
    "failure",
    "neutral",
    "cancelled",
    "skipped",
    "timed_out",
    "action_required",
]
StatusState = Literal["error", "failure", "pending", "success"]


def _batches(annotations: Sequence[Annotation]) -> list[Sequence[Annotation]]:
    step = ANNOTATIONS_PER_CALL
    return [annotations[i : i + step] for i in range(0, len(annotations), step)]


def _annotation(annotation: Annotation) -> dict[str, Any]:
    data = annotation.to_api()
    data["message"] = truncate(data["message"], ANNOTATION_MESSAGE_LIMIT)
    if "title" in data:
        data["title"] = truncate(data["title"], ANNOTATION_TITLE_LIMIT, marker="…")
    return data


def _output(output: CheckOutput, annotations: Sequence[Annotation]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": truncate(output.title, ANNOTATION_TITLE_LIMIT, marker="…"),
        "summary": truncate(output.summary, CHECK_TEXT_LIMIT),
    }
    if output.text is not None:
        data["text"] = truncate(output.text, CHECK_TEXT_LIMIT)
    if annotations:
        data["annotations"] = [_annotation(a) for a in annotations]
    return data


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return truncate(flat, STATUS_DESCRIPTION_LIMIT, marker="…")


def _fields(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class CheckCalls(RepoCalls):
    def create_check_run(
        self,
        *,
        head_sha: str,
        name: str = CHECK_NAME,
        status: CheckStatus = "in_progress",
        conclusion: Conclusion | None = None,
        output: CheckOutput | None = None,
        details_url: str | None = None,
        external_id: str | None = None,
    ) -> CheckRun:
        """Create a check run on *head_sha*; ``completed`` needs a conclusion."""
        batches = _batches(output.annotations) if output else []
        body = _fields(
            name=name,
            head_sha=head_sha,
            status=status,
            conclusion=conclusion,
            details_url=details_url,
            external_id=external_id,
            output=_output(output, batches[0] if batches else ()) if output else None,
        )
        data = self.transport.request("POST", f"{self.path}/check-runs", body=body)
        run = CheckRun.from_api(data.data)
        if output is not None:
            self._add_annotations(run.id, output, batches[1:])
        return run

    def update_check_run(
        self,
        check_run_id: int,
        *,
        status: CheckStatus | None = None,
        conclusion: Conclusion | None = None,
        output: CheckOutput | None = None,
        details_url: str | None = None,
    ) -> CheckRun:
        """Change a check run; annotations in *output* add to those it has."""
        batches = _batches(output.annotations) if output else []
        body = _fields(
            status=status,
            conclusion=conclusion,
            details_url=details_url,
            output=_output(output, batches[0] if batches else ()) if output else None,
        )
        path = f"{self.path}/check-runs/{check_run_id}"
        run = CheckRun.from_api(self.transport.request("PATCH", path, body=body).data)
        if output is not None:
            self._add_annotations(run.id, output, batches[1:])
        return run

    def find_check_run(
        self, head_sha: str, *, name: str = CHECK_NAME
    ) -> CheckRun | None:
        """The latest check run *name* on *head_sha*, if there is one."""
        path = f"{self.path}/commits/{head_sha}/check-runs"
        params = {"check_name": name, "filter": "latest"}
        for item in self.transport.paginate(path, params=params, key="check_runs"):
            return CheckRun.from_api(item)
        return None

    def _add_annotations(
        self,
        check_run_id: int,
        output: CheckOutput,
        batches: Sequence[Sequence[Annotation]],
    ) -> None:
        path = f"{self.path}/check-runs/{check_run_id}"
        for batch in batches:
            body = {"output": _output(output, batch)}
            self.transport.request("PATCH", path, body=body)

    def create_status(
        self,
        sha: str,
        *,
        state: StatusState,
        context: str,
        description: str = "",
        target_url: str | None = None,
    ) -> None:
        """Set the commit status *context* on *sha* (used where no check
        run fits, such as a catalog push's verdict)."""
        body = _fields(
            state=state,
            context=context,
            description=_one_line(description) or None,
            target_url=target_url,
        )
        self.transport.request("POST", f"{self.path}/statuses/{sha}", body=body)
