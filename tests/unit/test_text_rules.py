"""A list of codes, one a line, is checked line by line as one-line text is; its line breaks are its own."""

import pytest

from moderation_hub.text_rules import TextKind, checked_text, text_problem


def test_a_list_keeps_its_line_breaks_as_one_kind() -> None:
    assert checked_text("Pupil codes", "Y6-001\r\nY6-002\rY6-003\n", TextKind.LINES) == "Y6-001\nY6-002\nY6-003\n"


@pytest.mark.parametrize(
    ("value", "refused_for"),
    [
        ("Y6-001\nY6\u200b-002", "must not contain invisible characters"),
        ("Y6-001\nY6\u202e-002", "must not contain invisible characters"),
        ("Y6-001\tY6-002", "must have one item a line, without control characters"),
        ("Y6-001\n\x00", "must have one item a line, without control characters"),
    ],
)
def test_each_line_of_a_list_refuses_what_one_line_refuses(value: str, refused_for: str) -> None:
    assert (text_problem(value, TextKind.LINES) or "").startswith(refused_for)
