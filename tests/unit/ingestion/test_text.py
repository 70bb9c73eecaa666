"""Boxes, the searchable text left after redaction, and the boxes proposed for a typed name."""

import math

import pytest

from moderation_hub.ingestion.geometry import Box, Word
from moderation_hub.ingestion.text import find_words, text_outside


def line(*texts: str, y: float = 0.1, x: float = 0.1, width: float = 0.08, height: float = 0.02) -> list[Word]:
    """Words set side by side on one line, each ``width`` wide with a small gap."""
    return [
        Word(text, x + i * (width + 0.01), y, x + i * (width + 0.01) + width, y + height)
        for i, text in enumerate(texts)
    ]


@pytest.mark.parametrize(
    "corners",
    [(-0.1, 0, 0.5, 0.5), (0, 0, 1.1, 0.5), (0.5, 0, 0.5, 0.5), (0.6, 0, 0.5, 0.5), (0, 0, math.nan, 0.5)],
)
def test_a_box_must_lie_inside_the_page_with_a_positive_size(corners: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="box"):
        Box(*corners)


def test_clamped_keeps_the_part_on_the_page() -> None:
    assert Box.clamped(-0.2, -0.1, 0.5, 1.3) == Box(0, 0, 0.5, 1)
    with pytest.raises(ValueError, match="inside the page"):
        Box.clamped(1.1, 0, 1.5, 0.5)


def test_pixel_edges_round_outwards_and_never_vanish() -> None:
    assert Box(0.101, 0.2, 0.299, 0.3).to_pixels(100, 10) == (10, 2, 30, 3)
    assert Box(0.5, 0.5, 0.5001, 0.5001).to_pixels(10, 10) == (5, 5, 6, 6)


def test_text_outside_drops_every_word_a_redaction_touches() -> None:
    words = line("Name:", "Amy", "Jones", "Year", "6")
    name = Box(words[1].x0 + 0.01, 0.09, words[2].x0 + 0.001, 0.13)  # only grazes "Jones"
    text, kept = text_outside(words, [name])
    assert text == "Name: Year 6"
    assert [word.text for word in kept] == ["Name:", "Year", "6"]


def test_text_outside_with_no_redactions_keeps_everything() -> None:
    assert text_outside(line("a", "b"), [])[0] == "a b"


def test_find_words_ignores_case_punctuation_accents_and_possessives() -> None:
    words = line("AMY", "Jones,", "Zoë's", "amy's", "Amyas", "Jonesy")
    assert len(find_words(words, "amy")) == 2
    assert len(find_words(words, "  Amy   JONES ")) == 1
    assert len(find_words(words, "Zoe")) == 1
    assert find_words(words, "Jo") == []
    assert find_words(words, "   ") == []


def test_a_two_word_name_on_one_line_gets_one_padded_box_covering_both() -> None:
    words = line("by", "Amy", "Jones", "today")
    (box,) = find_words(words, "Amy Jones")
    amy, jones = words[1], words[2]
    assert box.x0 < amy.x0 and box.y0 < amy.y0 and box.x1 > jones.x1 and box.y1 > jones.y1
    # It covers the name and neither neighbour.
    assert [word.text for word in words if word.is_under(box)] == ["Amy", "Jones"]


def test_a_name_split_over_two_lines_gets_a_box_on_each_line() -> None:
    words = line("written", "by", "Amy", y=0.1) + line("Jones", "in", "Year", y=0.13)
    boxes = find_words(words, "Amy Jones")
    assert len(boxes) == 2
    assert {word.text for word in words if any(word.is_under(box) for box in boxes)} == {"Amy", "Jones"}


def test_a_proposed_box_near_the_edge_stays_on_the_page() -> None:
    (box,) = find_words([Word("Amy", 0.0, 0.0, 0.05, 0.02)], "Amy")
    assert (box.x0, box.y0) == (0, 0)
