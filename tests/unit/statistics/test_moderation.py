"""Moderation measures on small rounds whose answers can be counted by hand, and their agreement with the engine."""

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from moderation_hub.statistics import (
    CriterionJudgements,
    ModeratorJudgements,
    ReliabilityNote,
    RoundRatings,
    Severity,
    cohen_kappa_with_ci,
    confusion_matrices,
    criterion_agreement,
    fleiss_kappa_with_ci,
    gwet_ac_with_ci,
    krippendorff_alpha_with_ci,
    moderation_report,
    moderator_agreement,
    moderator_severity,
    teacher_agreement,
)

SCALE = ("WTS", "EXS", "GDS")
SCHOOLS = [101] * 8 + [102] * 4
TEACHER = [0, 1, 1, 2, 1, 1, 2, 0, 1, None, 2, 0]
AGREED = [0, 1, 2, 2, 1, 0, 2, 0, 1, 1, 0, None]
ROUNDS = [1] * 6 + [2] * 6


def small_round(judgements: ModeratorJudgements | None = None, **changes: Any) -> RoundRatings:
    """Twelve samples from two schools; three moderators judged each of the first six."""
    judgements = judgements or ModeratorJudgements(
        sample_indices=[0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5],
        moderator_ids=[7, 8, 9] * 6,
        standard_indices=[0, 0, 0, 1, 1, 2, 2, 2, 1, 2, 2, 2, 1, 1, 1, 0, 1, 0],
    )
    data = RoundRatings(
        scale=SCALE,
        school_ids=SCHOOLS,
        teacher_judgements=TEACHER,
        agreed_outcomes=AGREED,
        moderator_judgements=judgements,
        round_ids=ROUNDS,
        academic_years=["2024-25"] * 12,
    )
    return dataclasses.replace(data, **changes)


def test_schools_are_compared_with_agreed_outcomes_where_both_exist() -> None:
    (overall,) = teacher_agreement(small_round())
    assert (overall.group, overall.n) == ("all", 10)
    assert overall.exact is not None
    assert overall.adjacent is not None
    assert (overall.exact.value, overall.adjacent.value) == (0.7, 0.9)
    assert overall.notes == ()
    first, second = teacher_agreement(small_round(), by="school")
    assert (first.group, first.n, first.exact and first.exact.value) == (101, 8, 0.75)
    assert (second.group, second.n, second.exact and second.exact.value) == (102, 2, 0.5)
    assert ReliabilityNote.FEW_SAMPLES in second.notes


def test_weighted_kappa_is_quadratic_cohen_kappa_on_scale_positions() -> None:
    (overall,) = teacher_agreement(small_round())
    both = [(t, a) for t, a in zip(TEACHER, AGREED, strict=True) if t is not None and a is not None]
    expected = cohen_kappa_with_ci([t for t, _ in both], [a for _, a in both], "quadratic", [0, 1, 2])
    assert overall.weighted_kappa is not None
    assert math.isclose(overall.weighted_kappa.value, expected.value)
    assert overall.weighted_kappa.standard_error == pytest.approx(expected.standard_error)


def test_confusion_matrix_rows_are_school_judgements_and_columns_agreed_outcomes() -> None:
    (overall,) = confusion_matrices(small_round())
    assert overall.scale == SCALE
    assert overall.counts == ((2, 0, 0), (1, 3, 1), (1, 0, 2))
    assert overall.n == 10
    assert [matrix.group for matrix in confusion_matrices(small_round(), by="school")] == [101, 102]


def test_trends_follow_rounds_and_years() -> None:
    by_round = teacher_agreement(small_round(), by="round")
    assert [(row.group, row.n) for row in by_round] == [(1, 6), (2, 4)]
    assert [row.group for row in teacher_agreement(small_round(), by="year")] == ["2024-25"]
    assert teacher_agreement(small_round(round_ids=None), by="round") == ()


def test_kappa_is_reported_missing_with_a_reason_when_everyone_says_the_same() -> None:
    same = small_round(teacher_judgements=[1] * 12, agreed_outcomes=[1] * 12)
    (overall,) = teacher_agreement(same)
    assert overall.weighted_kappa is None
    assert "chance agreement is 1" in overall.unavailable["weighted_kappa"]
    assert overall.exact is not None
    assert overall.exact.value == 1.0
    assert ReliabilityNote.SKEWED_PREVALENCE in overall.notes


def test_moderator_agreement_matches_the_engine_on_the_wide_table() -> None:
    data = small_round()
    result = moderator_agreement(data)
    table = [[0, 0, 0], [1, 1, 2], [2, 2, 1], [2, 2, 2], [1, 1, 1], [0, 1, 0]]
    assert (result.n, result.judgements) == (6, 18)
    assert result.fleiss_kappa == fleiss_kappa_with_ci(table, [0, 1, 2])
    assert result.gwet_ac1 == gwet_ac_with_ci(table, categories=[0, 1, 2])
    assert result.gwet_ac2 == gwet_ac_with_ci(table, "quadratic", [0, 1, 2])
    assert result.krippendorff_alpha == krippendorff_alpha_with_ci(table, "ordinal", [0, 1, 2])
    assert ReliabilityNote.FEW_SAMPLES in result.notes


def test_moderator_coefficients_span_only_the_standards_moderators_used() -> None:
    """Two pre-key-stage standards below WTS nobody gave: AC2's quadratic weights and AC1's chance agreement
    are those of WTS to GDS, as if the scale began at WTS; unused EXS+ between EXS and GDS keeps its step."""
    wide = ("PK1", "PK2", "WTS", "EXS", "EXS+", "GDS")
    table = [[2, 2, 2], [3, 3, 5], [5, 5, 3], [5, 5, 5], [3, 3, 3], [2, 3, 2]]
    judgements = ModeratorJudgements(
        np.repeat(np.arange(6), 3).tolist(), [7, 8, 9] * 6, [standard for row in table for standard in row]
    )
    result = moderator_agreement(small_round(judgements, scale=wide))
    assert result.scale == ("WTS", "EXS", "EXS+", "GDS")
    used = [[standard - 2 for standard in row] for row in table]
    assert result.gwet_ac2 == gwet_ac_with_ci(used, "quadratic", [0, 1, 2, 3])
    assert result.gwet_ac1 == gwet_ac_with_ci(used, categories=[0, 1, 2, 3])
    assert result.gwet_ac2 != gwet_ac_with_ci(table, "quadratic", list(range(6)))


def test_a_criterion_mostly_met_is_noted_as_one_status_not_one_standard() -> None:
    criteria = CriterionJudgements(
        sample_indices=[0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
        moderator_ids=[7, 8] * 6,
        criterion_ids=[1] * 12,
        statuses=["met"] * 11 + ["insufficient"],
    )
    (row,) = criterion_agreement(small_round(criterion_judgements=criteria))
    assert ReliabilityNote.SKEWED_STATUS in row.notes
    assert ReliabilityNote.SKEWED_PREVALENCE not in row.notes
    assert "one status (met, not met or not enough evidence)" in ReliabilityNote.SKEWED_STATUS.explanation


def test_severity_flags_moderators_who_stand_out_from_the_others() -> None:
    """Twelve samples agreed at EXS: moderator 7 always says WTS, 8 scatters round EXS, 10 always says GDS,
    and 9 judged only three (too few to assess)."""
    samples = list(range(12))
    judgements = ModeratorJudgements(
        sample_indices=samples * 3 + [0, 1, 2],
        moderator_ids=[7] * 12 + [8] * 12 + [10] * 12 + [9] * 3,
        standard_indices=[0] * 12 + [1] * 6 + [2] * 3 + [0] * 3 + [2] * 12 + [2] * 3,
    )
    rows = moderator_severity(small_round(judgements, agreed_outcomes=[1] * 12))
    by_id = {row.moderator_id: row for row in rows}
    assert [row.moderator_id for row in rows] == [7, 8, 9, 10]
    assert by_id[7].severity is Severity.SEVERE
    assert by_id[7].mean_difference is not None
    assert by_id[7].mean_difference.value == pytest.approx(-1.0)
    assert by_id[7].mean_difference.ci_high is not None
    assert by_id[7].mean_difference.ci_high < 0
    assert by_id[8].severity is Severity.IN_LINE
    assert by_id[10].severity is Severity.LENIENT
    assert by_id[9].severity is None
    assert by_id[9].notes == (ReliabilityNote.TOO_FEW_JUDGEMENTS,)
    assert "fewer than 10" in by_id[9].unavailable["severity"]
    assert by_id[8].exact is not None
    assert by_id[8].exact.value == 0.5


def test_criteria_are_listed_least_consistent_first() -> None:
    """Criterion 1: every moderator says met, so kappa is undefined but AC1 is 1; criterion 2 splits them."""
    criteria = CriterionJudgements(
        sample_indices=[0, 0, 1, 1, 2, 2] * 2,
        moderator_ids=[7, 8] * 6,
        criterion_ids=[1] * 6 + [2] * 6,
        statuses=["met"] * 6 + ["met", "not_met", "insufficient", "insufficient", "not_met", "met"],
    )
    first, second = criterion_agreement(small_round(criterion_judgements=criteria))
    assert (first.criterion_id, second.criterion_id) == (2, 1)
    assert first.gwet_ac1 is not None
    assert second.gwet_ac1 is not None
    assert first.gwet_ac1.value < second.gwet_ac1.value == 1.0
    assert second.fleiss_kappa is None
    assert "chance agreement is 1" in second.unavailable["fleiss_kappa"]
    assert second.n == 3


def test_a_round_without_judgements_reports_reasons_not_numbers() -> None:
    empty = RoundRatings(
        scale=SCALE,
        school_ids=[],
        teacher_judgements=[],
        agreed_outcomes=[],
        moderator_judgements=ModeratorJudgements([], [], []),
    )
    report = moderation_report(empty)
    assert report.teacher_overall.n == 0
    assert report.teacher_overall.exact is None
    assert "no sample" in report.teacher_overall.unavailable["exact"]
    assert report.moderators.percent is None
    assert report.moderators.unavailable["percent"] == "there are no ratings"
    assert (report.criteria, report.moderator_severity, report.teacher_by_round) == ((), (), ())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"school_ids": [1, 2]}, "school_ids has 2 entries for 12 samples"),
        ({"teacher_judgements": [3] * 12}, "teacher_judgements must be positions on the scale"),
        ({"scale": ("WTS", "WTS")}, "distinct standards"),
        (
            {"moderator_judgements": ModeratorJudgements([0, 0], [7, 7], [1, 2])},
            "judged the same sample twice",
        ),
        ({"moderator_judgements": ModeratorJudgements([0], [7], [5])}, "standard_indices must lie between"),
        ({"moderator_judgements": ModeratorJudgements([0, 1], [7], [1])}, "differ in length"),
        ({"criterion_judgements": CriterionJudgements([0], [7], [1], ["maybe"])}, "'maybe' is not one of"),
        (
            {"criterion_judgements": CriterionJudgements([0, 0], [7, 7], [1, 1], [0, 1])},
            "same criterion of a sample twice",
        ),
    ],
)
def test_inconsistent_data_is_refused_with_the_field_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        moderation_report(small_round(**changes))


def test_the_report_never_contains_nan() -> None:
    rng = np.random.default_rng(5)
    samples = 200
    truth = rng.integers(0, 3, samples)
    moderators = np.stack([rng.permutation(12)[:3] for _ in range(samples)])
    judged = np.clip(truth[:, None] + rng.integers(-1, 2, (samples, 3)), 0, 2)
    data = RoundRatings(
        scale=SCALE,
        school_ids=rng.integers(0, 15, samples),
        teacher_judgements=np.where(rng.random(samples) < 0.1, -1, np.clip(truth + rng.integers(-1, 2, samples), 0, 2)),
        agreed_outcomes=np.where(rng.random(samples) < 0.1, -1, truth),
        moderator_judgements=ModeratorJudgements(np.repeat(np.arange(samples), 3), moderators.ravel(), judged.ravel()),
        criterion_judgements=CriterionJudgements(
            np.repeat(np.arange(samples), 3),
            moderators.ravel(),
            rng.integers(0, 4, samples * 3),
            rng.integers(0, 3, samples * 3),
        ),
        round_ids=rng.integers(1, 4, samples),
        academic_years=np.where(rng.random(samples) < 0.5, "2023-24", "2024-25"),
    )
    assert all(math.isfinite(number) for number in numbers_in(moderation_report(data)))


def numbers_in(value: object) -> list[float]:
    """Every float anywhere inside a result."""
    if isinstance(value, float):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [number for item in dataclasses.astuple(value) for number in numbers_in(item)]
    if isinstance(value, tuple | list):
        return [number for item in value for number in numbers_in(item)]
    if isinstance(value, dict):
        return [number for item in value.values() for number in numbers_in(item)]
    return []
