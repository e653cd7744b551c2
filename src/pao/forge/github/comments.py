"""Pull-request conversation: comments, pao's sticky comment, reactions.

pao keeps one comment per pull request (the plan) and edits it in place.
It finds it again by a hidden marker such as ``<!-- pao:plan -->`` in a
comment pao itself wrote, so a marker pasted by someone else is ignored.
"""

from __future__ import annotations

from typing import Literal

from pao.forge.github._base import RepoCalls
from pao.forge.github.limits import COMMENT_LIMIT, truncate
from pao.forge.github.models import Comment

__all__ = ["CommentCalls", "Reaction", "fit_comment"]

Reaction = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]


def fit_comment(body: str, *, pointer: str | None = None) -> str:
    """*body* cut to GitHub's comment limit, ending with *pointer* (where
    the whole text can be read) when it had to be cut."""
    where = f" — the full text is at {pointer}" if pointer else ""
    return truncate(body, COMMENT_LIMIT, marker=f"\n\n… (truncated{where})")


def _with_marker(marker: str, body: str) -> str:
    return body if marker in body else f"{marker}\n{body}"


class CommentCalls(RepoCalls):
    def list_comments(self, number: int) -> list[Comment]:
        """The conversation comments of issue or pull request *number*."""
        items = self.transport.paginate(
            f"{self.path}/issues/{number}/comments", conditional=True
        )
        return [Comment.from_api(item) for item in items]

    def create_comment(self, number: int, body: str) -> Comment:
        path = f"{self.path}/issues/{number}/comments"
        payload = {"body": fit_comment(body)}
        data = self.transport.request("POST", path, body=payload).data
        return Comment.from_api(data)

    def edit_comment(self, comment_id: int, body: str) -> Comment:
        path = f"{self.path}/issues/comments/{comment_id}"
        payload = {"body": fit_comment(body)}
        data = self.transport.request("PATCH", path, body=payload).data
        return Comment.from_api(data)

    def find_sticky_comment(self, number: int, *, marker: str) -> Comment | None:
        """pao's own comment holding *marker*, if it wrote one."""
        login = self._login()
        for comment in self.list_comments(number):
            if comment.user == login and marker in comment.body:
                return comment
        return None

    def upsert_sticky_comment(
        self,
        number: int,
        *,
        marker: str,
        body: str,
        pointer: str | None = None,
    ) -> Comment:
        """Create pao's *marker* comment, or edit it when its body differs.

        The body starts with *marker* and is cut to GitHub's limit, pointing
        to *pointer* (say, the check run) for the rest.
        """
        wanted = fit_comment(_with_marker(marker, body), pointer=pointer)
        found = self.find_sticky_comment(number, marker=marker)
        if found is None:
            return self.create_comment(number, wanted)
        if found.body == wanted:
            return found
        return self.edit_comment(found.id, wanted)

    def add_reaction(self, comment_id: int, content: Reaction = "eyes") -> None:
        """React to a comment; reacting twice with the same content is a no-op."""
        path = f"{self.path}/issues/comments/{comment_id}/reactions"
        self.transport.request("POST", path, body={"content": content})
