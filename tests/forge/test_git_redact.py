"""Credentials in remote URLs never reach messages, reprs or logs."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from gitutil import RemoteRepo
from pao.forge.git import GitRepo, GitUnavailable, mask_text, mask_url

SECRET = "ghs_S3cr3tT0k3n"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            f"https://x-access-token:{SECRET}@github.com/acme/r.git",
            "https://x-access-token:***@github.com/acme/r.git",
        ),
        (
            f"https://{SECRET}@github.com/acme/r.git",
            "https://***@github.com/acme/r.git",
        ),
        ("ssh://git@github.com/acme/r.git", "ssh://git@github.com/acme/r.git"),
        (f"ssh://git:{SECRET}@host/r.git", "ssh://git:***@host/r.git"),
        ("git@github.com:acme/r.git", "git@github.com:acme/r.git"),
        ("https://github.com/acme/r.git", "https://github.com/acme/r.git"),
        ("/srv/git/requests.git", "/srv/git/requests.git"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_mask_text_masks_urls_and_known_secrets() -> None:
    text = f"fatal: unable to access 'https://u:{SECRET}@h/r/': token {SECRET} bad"

    masked = mask_text(text, [SECRET])

    assert SECRET not in masked
    assert "https://u:***@h/r/" in masked


def test_percent_encoded_secret_is_masked_in_both_forms(tmp_path: Path) -> None:
    url = "http://bot:p%40ss%2Fword@127.0.0.1:9/r.git"

    with pytest.raises(GitUnavailable) as caught:
        GitRepo.clone_or_open(url, workdir=tmp_path / "c", timeout=5)

    rendered = _everything(caught.value)
    assert "p%40ss%2Fword" not in rendered
    assert "p@ss/word" not in rendered


def _everything(error: BaseException) -> str:
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    parts += [str(getattr(error, name, "")) for name in ("command", "stderr")]
    return "\n".join(parts)


def test_unreachable_remote_with_token_never_shows_it(tmp_path: Path) -> None:
    # Port 9 (discard) on the loopback refuses the connection at once.
    url = f"http://x-access-token:{SECRET}@127.0.0.1:9/acme/requests.git"

    with capture_logs() as logs, pytest.raises(GitUnavailable) as caught:
        GitRepo.clone_or_open(url, workdir=tmp_path / "c", timeout=5)

    rendered = _everything(caught.value)
    assert SECRET not in rendered
    assert "x-access-token:***@127.0.0.1:9" in str(caught.value)
    assert SECRET not in repr(logs)
    assert not (tmp_path / "c").exists()


def test_failed_reclone_logs_and_raises_masked(
    remote: RemoteRepo, repo: GitRepo, tmp_path: Path
) -> None:
    head = repo.head_sha()
    url = f"http://x-access-token:{SECRET}@127.0.0.1:9/acme/requests.git"

    with capture_logs() as logs, pytest.raises(GitUnavailable) as caught:
        GitRepo.clone_or_open(url, workdir=repo.workdir, timeout=5)

    assert [entry["event"] for entry in logs] == ["git.reclone"]
    assert logs[0]["repo"] == "http://x-access-token:***@127.0.0.1:9/acme/requests.git"
    assert SECRET not in repr(logs) + _everything(caught.value)
    # The clone of the other remote is still there, untouched.
    assert repo.head_sha() == head
    assert GitRepo.clone_or_open(remote.url, workdir=repo.workdir).head_sha() == head


def test_repr_and_str_are_masked() -> None:
    from pao.forge.git._command import GitCommand

    url = f"https://x-access-token:{SECRET}@github.com/acme/r.git"
    cmd = GitCommand(
        Path("/nonexistent"), secrets=[SECRET], timeout=1, label=mask_url(url)
    )
    repo = GitRepo(cmd, url=url, branch="main")

    shown = repr(repo) + str(repo) + repo.url

    assert SECRET not in shown
    assert "x-access-token:***@github.com" in shown
