"""Words agree with their count: one way, for every page and message."""

import pytest

from moderation_hub.wording import counted, plural


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0 samples"), (1, "1 sample"), (2, "2 samples"), (21, "21 samples")],
)
def test_a_regular_noun_takes_an_s_unless_there_is_exactly_one(number: int, expected: str) -> None:
    assert counted(number, "sample") == expected


def test_an_irregular_plural_and_its_verb_are_named() -> None:
    assert counted(1, "criterion", "criteria") == "1 criterion"
    assert counted(3, "criterion", "criteria") == "3 criteria"
    assert counted(1, "judgement has", "judgements have") == "1 judgement has"
    assert counted(4, "judgement has", "judgements have") == "4 judgements have"


def test_plural_gives_the_word_alone() -> None:
    assert plural(1, "it", "them") == "it"
    assert plural(2, "page") == "pages"
