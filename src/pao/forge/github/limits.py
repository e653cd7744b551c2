"""GitHub's size limits on what pao writes, and how pao stays under them."""

from __future__ import annotations

__all__ = [
    "ANNOTATIONS_PER_CALL",
    "ANNOTATION_MESSAGE_LIMIT",
    "ANNOTATION_TITLE_LIMIT",
    "CHECK_TEXT_LIMIT",
    "COMMENT_LIMIT",
    "STATUS_DESCRIPTION_LIMIT",
    "TRUNCATED",
    "truncate",
]

# Check-run output: "summary" and "text" take at most 65535 characters, and
# one create or update call takes at most 50 annotations.
CHECK_TEXT_LIMIT = 65535
ANNOTATIONS_PER_CALL = 50
# An annotation's message may take 64 KB; at most four UTF-8 bytes per
# character keeps this many characters below that.
ANNOTATION_MESSAGE_LIMIT = 16000
ANNOTATION_TITLE_LIMIT = 255
# Issue comment bodies: "maximum is 65536 characters".
COMMENT_LIMIT = 65536
# Commit status descriptions are short, one line.
STATUS_DESCRIPTION_LIMIT = 140

TRUNCATED = "\n\n… (truncated)"


def truncate(text: str, limit: int, *, marker: str = TRUNCATED) -> str:
    """*text*, or its start followed by *marker*, in at most *limit* chars."""
    if len(text) <= limit:
        return text
    if len(marker) >= limit:
        return text[:limit]
    return text[: limit - len(marker)] + marker
