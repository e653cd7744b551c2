"""Plain text to Atlassian Document Format."""

from __future__ import annotations

from pao.actions.jira import text_to_adf
from pao.standins.jira_model import is_adf_document


def test_paragraphs_and_line_breaks() -> None:
    document = text_to_adf("First line\nsecond line\n\n\nNext paragraph")

    assert document == {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "First line"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "second line"},
                ],
            },
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "Next paragraph"}],
            },
        ],
    }


def test_bullet_and_ordered_lists() -> None:
    document = text_to_adf("Steps:\n1. plan\n2. apply\n\n- a\n* b")

    intro, ordered, bullets = document["content"]
    assert intro["content"] == [{"type": "text", "text": "Steps:"}]
    assert ordered["type"] == "orderedList"
    assert [
        item["content"][0]["content"][0]["text"] for item in ordered["content"]
    ] == [
        "plan",
        "apply",
    ]
    assert bullets["type"] == "bulletList"
    assert len(bullets["content"]) == 2


def test_fenced_code_is_kept_verbatim() -> None:
    document = text_to_adf('Run:\n```json\n{"a": 1}\n\n- not a list\n```\nafter')

    _, code, after = document["content"]
    assert code == {
        "type": "codeBlock",
        "attrs": {"language": "json"},
        "content": [{"type": "text", "text": '{"a": 1}\n\n- not a list'}],
    }
    assert after["content"] == [{"type": "text", "text": "after"}]


def test_windows_line_ends_and_empty_text() -> None:
    assert text_to_adf("a\r\nb")["content"][0]["content"][1] == {"type": "hardBreak"}
    assert text_to_adf("") == {"type": "doc", "version": 1, "content": []}
    assert text_to_adf("```\n```")["content"] == [{"type": "codeBlock", "content": []}]


def test_every_result_is_a_valid_document() -> None:
    samples = ["x", "- a\n- b", "```\ncode", "1) one\n\ntext\n  - nested", "\n\n"]

    assert all(is_adf_document(text_to_adf(sample)) for sample in samples)
