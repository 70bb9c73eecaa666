"""The candidate rule, called with plain values as the candidates service calls it."""

import pytest

from moderation_hub.standards.agreement import Criterion, Rule, figures, meets

EXS, GDS = 2, 3
SPELLING, PUNCTUATION, HANDWRITING = Criterion("S1", "spells"), Criterion("P1", "punctuates"), Criterion("H1", "joins")


def test_two_moderators_on_the_agreed_standard_with_every_criterion_shared_meet_the_default_rule() -> None:
    found = figures(EXS, [EXS, EXS], {SPELLING: ["met", "met"], PUNCTUATION: ["not_met", "not_met"]})
    assert (found.moderators, found.agreeing, found.overall_agreement) == (2, 2, 1.0)
    assert [(c.code, c.agreement, c.raters) for c in found.criteria] == [("S1", 1.0, 2), ("P1", 1.0, 2)]
    assert meets(Rule(), found)


def test_one_moderator_off_the_agreed_standard_fails_the_default_rule_but_meets_a_two_thirds_rule() -> None:
    found = figures(EXS, [EXS, EXS, GDS], {})
    assert not meets(Rule(), found)
    assert meets(Rule(min_overall_percent=66), found)


def test_a_criterion_read_differently_fails_the_threshold_and_its_figure_is_the_engines_percent_agreement() -> None:
    found = figures(EXS, [EXS, EXS, EXS], {SPELLING: ["met", "met", "not_met"]})
    assert found.criteria[0].agreement == pytest.approx(1 / 3)  # one agreeing pair of three
    assert found.lowest_criterion == found.criteria[0]
    assert not meets(Rule(), found)
    assert meets(Rule(min_criterion_percent=33), found)


def test_a_criterion_judged_once_has_no_agreement_and_does_not_count() -> None:
    found = figures(EXS, [EXS, EXS], {HANDWRITING: ["met"]})
    assert found.criteria == ()
    assert found.lowest_criterion is None
    assert meets(Rule(), found)


def test_too_few_moderators_never_meet_the_rule_and_a_single_one_never_does_whatever_it_says() -> None:
    single = figures(EXS, [EXS], {})
    assert not meets(Rule(min_moderators=2), single)
    assert not meets(Rule(min_moderators=1), single)  # agreement needs two judgements
    assert not meets(Rule(min_moderators=3), figures(EXS, [EXS, EXS], {}))
