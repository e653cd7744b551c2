"""Check runs and commit statuses: annotation paging and size limits."""

from __future__ import annotations

from forge.github.fake_github import FakeGitHub
from pao.core.diagnostics import Diagnostic, Severity
from pao.forge.github import (
    CHECK_NAME,
    CHECK_TEXT_LIMIT,
    Annotation,
    CheckOutput,
    GitHubRepo,
)


def _annotations(count: int) -> tuple[Annotation, ...]:
    return tuple(
        Annotation(
            path=f"requests/db/r{i}.yaml",
            start_line=i + 1,
            end_line=i + 1,
            level="failure",
            message=f"problem {i}",
            title="bad-field",
            start_column=3,
        )
        for i in range(count)
    )


def test_a_check_run_with_120_annotations_takes_three_calls_of_at_most_50(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    output = CheckOutput("3 errors", "Fix them.", annotations=_annotations(120))

    run = repo.create_check_run(
        head_sha="a" * 40, status="completed", conclusion="failure", output=output
    )

    calls = [c for c in fake.calls if "check-runs" in c.path]
    assert [c.method for c in calls] == ["POST", "PATCH", "PATCH"]
    sizes = [len(c.body["output"].get("annotations", [])) for c in calls]
    assert sizes == [50, 50, 20]
    assert all(c.body["output"]["title"] == "3 errors" for c in calls)
    sent = fake.annotations[run.id]
    assert [a["start_line"] for a in sent] == list(range(1, 121))
    assert run.name == CHECK_NAME
    assert run.conclusion == "failure"


def test_summary_and_text_are_cut_to_githubs_limit_with_a_marker(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    output = CheckOutput("plan", "s" * 70_000, text="t" * 65_535)

    repo.create_check_run(head_sha="a" * 40, output=output)

    sent = fake.calls[-1].body["output"]
    assert len(sent["summary"]) == CHECK_TEXT_LIMIT
    assert sent["summary"].endswith("(truncated)")
    assert sent["text"] == "t" * 65_535


def test_update_check_run_completes_it(fake: FakeGitHub, repo: GitHubRepo) -> None:
    run = repo.create_check_run(head_sha="a" * 40, status="queued")

    done = repo.update_check_run(
        run.id,
        status="completed",
        conclusion="success",
        output=CheckOutput("ok", "All requests are valid."),
    )

    assert (done.status, done.conclusion) == ("completed", "success")
    assert fake.check_runs[run.id]["output"]["summary"] == "All requests are valid."


def test_annotation_from_a_diagnostic_keeps_file_line_column_and_code() -> None:
    diagnostic = Diagnostic(
        "requests/db/a.yaml", 4, 7, Severity.WARNING, "deprecated", "use v2"
    )

    annotation = Annotation.from_diagnostic(diagnostic).to_api()

    assert annotation == {
        "path": "requests/db/a.yaml",
        "start_line": 4,
        "end_line": 4,
        "start_column": 7,
        "end_column": 7,
        "annotation_level": "warning",
        "message": "use v2",
        "title": "deprecated",
    }


def test_multi_line_annotations_carry_no_columns() -> None:
    annotation = Annotation("a.yaml", 1, 3, "notice", "m", start_column=2)

    assert "start_column" not in annotation.to_api()


def test_create_status_flattens_and_shortens_the_description(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    repo.create_status(
        "c" * 40,
        state="failure",
        context="pao/catalog",
        description="2 invalid\nitems " + "x" * 200,
        target_url="https://pao.acme.example/api/v1/catalog/validation-errors",
    )

    sha, body = fake.statuses[0]
    assert sha == "c" * 40
    assert body["description"].startswith("2 invalid items x")
    assert len(body["description"]) == 140
