"""Moderator severity: each moderator against the others' judgements, and flags that control false discoveries."""

import numpy as np
import numpy.typing as npt
import pytest
from scipy.special import stdtrit

from moderation_hub.statistics import ModeratorJudgements, RoundRatings, Severity, moderator_severity
from moderation_hub.statistics.severity import benjamini_hochberg

SCALE = ("PK", "WTS", "EXS", "EXS+", "GDS")
THRESHOLDS = (-1.5, -0.5, 0.5, 1.5)  # latent attainment -> standard


def judged_round(
    panels: npt.NDArray[np.int64], bias: npt.NDArray[np.float64], rng: np.random.Generator
) -> RoundRatings:
    """Each sample (a row of ``panels``) judged by its panel, each moderator shifted by their ``bias`` in steps;
    the agreed outcome is the panel's median, as a panel that settles on the middle view would agree."""
    samples = panels.shape[0]
    attainment = rng.normal(0, 0.8, size=(samples, 1))
    seen = attainment + bias[panels] + rng.normal(0, 0.4, panels.shape)
    standards = np.digitize(seen, THRESHOLDS)
    return RoundRatings(
        scale=SCALE,
        school_ids=np.zeros(samples, dtype=np.int64),
        teacher_judgements=[None] * samples,
        agreed_outcomes=np.median(standards, axis=1).astype(np.int64),
        moderator_judgements=ModeratorJudgements(
            np.repeat(np.arange(samples), panels.shape[1]), panels.ravel(), standards.ravel()
        ),
    )


def against_agreed_outcome_flags_lenient(data: RoundRatings, moderator: int) -> bool:
    """The old method: the moderator's mean difference from the agreed outcome, 95% t interval above zero."""
    judgements = data.moderator_judgements
    mine = np.asarray(judgements.moderator_ids) == moderator
    differences = (
        np.asarray(judgements.standard_indices)[mine]
        - np.asarray(data.agreed_outcomes)[np.asarray(judgements.sample_indices)[mine]]
    )
    margin = stdtrit(differences.size - 1, 0.975) * differences.std(ddof=1) / np.sqrt(differences.size)
    return bool(differences.mean() - margin > 0)


def test_a_fair_moderator_sitting_with_harsh_panel_mates_is_not_flagged_lenient() -> None:
    """Moderator 0 is fair but judges only with 1 and 2, who are a step harsh and outvote them on the agreed
    outcome; fair 5 likewise sits only with the lenient 3 and 4. The four marked moderators also judge with
    fair moderators 6 to 13, which is what shows who is out of line."""
    rng = np.random.default_rng(13)
    bias = np.array([0.0, -1.0, -1.0, 1.0, 1.0, 0.0] + [0.0] * 8)
    fair = np.arange(6, 14)
    panels = [[0, 1, 2]] * 16 + [[5, 3, 4]] * 16
    panels += [[marked, *rng.choice(fair, 2, replace=False)] for marked in (1, 2, 3, 4) for _ in range(16)]
    panels += [list(rng.choice(fair, 3, replace=False)) for _ in range(48)]
    data = judged_round(np.array(panels), bias, rng)

    assert against_agreed_outcome_flags_lenient(data, 0)
    rows = {row.moderator_id: row for row in moderator_severity(data)}
    for sat_with_marked in (0, 5):
        difference = rows[sat_with_marked].mean_difference
        assert difference is not None
        assert abs(difference.value) < 0.2
        assert rows[sat_with_marked].severity is Severity.IN_LINE
    assert [rows[moderator].severity for moderator in (1, 2)] == [Severity.SEVERE] * 2
    assert [rows[moderator].severity for moderator in (3, 4)] == [Severity.LENIENT] * 2


def test_two_moderators_who_always_sit_together_are_placed_by_the_agreed_outcomes() -> None:
    """Their difference says only that one judges below the other; the agreed outcomes (the fair one's every
    time) say which: the fair one has severity 0 exactly, the other the mean of their gaps."""
    agreed = [1, 2, 2, 3, 1, 2, 3, 2, 2, 1, 3, 2]
    harsh = [agreed[0]] + [standard - 1 for standard in agreed[1:]]
    data = RoundRatings(
        scale=SCALE,
        school_ids=[0] * 12,
        teacher_judgements=[None] * 12,
        agreed_outcomes=agreed,
        moderator_judgements=ModeratorJudgements(list(range(12)) * 2, [7] * 12 + [8] * 12, harsh + agreed),
    )
    severe, fair = moderator_severity(data)
    assert severe.mean_difference is not None
    assert fair.mean_difference is not None
    assert severe.mean_difference.value == pytest.approx(-11 / 12)
    assert fair.mean_difference.value == pytest.approx(0.0, abs=1e-12)
    assert (severe.severity, fair.severity) == (Severity.SEVERE, Severity.IN_LINE)


def test_moderators_in_meetings_that_share_no_sample_are_each_placed_as_if_their_meeting_were_alone() -> None:
    """A round of cluster meetings: three panels that never judge the same sample form three groups, each with
    its own level, and each moderator's figures are those their meeting alone gives."""
    rng = np.random.default_rng(7)
    bias = np.array([0.0, -1.0, 0.0, 1.0, 0.0, 0.0, -1.0])
    meetings = ([[0, 1]] * 12, [[2, 3]] * 12, [[4, 5, 6]] * 12)
    alone = [judged_round(np.array(panels), bias, rng) for panels in meetings]
    together = RoundRatings(
        scale=SCALE,
        school_ids=np.zeros(36, dtype=np.int64),
        teacher_judgements=[None] * 36,
        agreed_outcomes=np.concatenate([np.asarray(data.agreed_outcomes) for data in alone]),
        moderator_judgements=ModeratorJudgements(
            np.concatenate(
                [np.asarray(data.moderator_judgements.sample_indices) + 12 * i for i, data in enumerate(alone)]
            ),
            np.concatenate([np.asarray(data.moderator_judgements.moderator_ids) for data in alone]),
            np.concatenate([np.asarray(data.moderator_judgements.standard_indices) for data in alone]),
        ),
    )
    expected = {row.moderator_id: row for data in alone for row in moderator_severity(data)}
    rows = {row.moderator_id: row for row in moderator_severity(together)}
    assert rows.keys() == expected.keys() == set(range(7))
    for moderator, row in rows.items():
        difference, alone_difference = row.mean_difference, expected[moderator].mean_difference
        assert difference is not None and alone_difference is not None
        assert difference.value == pytest.approx(alone_difference.value, abs=1e-9)


def test_on_rounds_of_fair_moderators_false_flags_stay_at_the_nominal_rate() -> None:
    """A hundred rounds of 30 fair moderators in random panels of three. Each moderator's p-value is honest
    (about 5% fall below 0.05: the uncorrected test would flag one fair moderator in twenty), and the false
    discovery rate, which for a round with no true flag is the chance of any flag, stays near its nominal 5%."""
    rng = np.random.default_rng(2025)
    moderators, samples, rounds = 30, 200, 100
    below, any_flag, flagged = [], [], []
    for _ in range(rounds):
        panels = rng.random((samples, moderators)).argsort(axis=1)[:, :3]
        rows = moderator_severity(judged_round(panels, np.zeros(moderators), rng))
        below.append(np.mean([row.p_value is not None and row.p_value < 0.05 for row in rows]))
        marked = [row.severity in (Severity.SEVERE, Severity.LENIENT) for row in rows]
        any_flag.append(any(marked))
        flagged.append(np.mean(marked))
    assert 0.03 <= np.mean(below) <= 0.07
    assert np.mean(any_flag) <= 0.1
    assert np.mean(flagged) <= 0.005


def test_benjamini_hochberg_matches_the_published_step_up_procedure() -> None:
    """R's p.adjust(c(0.5, 0.01, 0.001, 0.69, 0.02, 0.05, 0.0025), "BH"); at 0.05 it rejects the 2nd, 3rd, 5th
    and 7th, as HDLSSkST's BenHoch documents."""
    p_values = np.array([0.5, 0.01, 0.001, 0.69, 0.02, 0.05, 0.0025])
    adjusted = benjamini_hochberg(p_values)
    assert adjusted == pytest.approx([7 / 12, 0.07 / 3, 0.007, 0.69, 0.035, 0.07, 0.00875])
    assert (adjusted <= 0.05).tolist() == [False, True, True, False, True, False, True]
    assert benjamini_hochberg(np.array([])).size == 0
