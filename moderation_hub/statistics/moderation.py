"""Moderation measures: how accurate schools' judgements are, and how consistently moderators judge.

Built on the agreement engine and vectorised with NumPy (one pass over the judgements per measure, no
Python loop over samples), so a local authority's round of 10,000 samples takes well under a second.

Every figure carries ``n`` and reliability notes so a page can say when it is unreliable; a figure the data
cannot give is None, and ``unavailable`` maps its field name to the reason. Nothing is ever NaN.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.special import stdtrit

from moderation_hub.statistics.agreement import (
    fleiss_kappa_from_counts,
    gwet_ac_from_counts,
    percent_agreement_from_counts,
)
from moderation_hub.statistics.cohen import KappaTables, kappa_from_tables
from moderation_hub.statistics.estimate import CONFIDENCE, Estimate, normal_estimate, wilson_estimate
from moderation_hub.statistics.krippendorff import alpha_from_counts_with_ci
from moderation_hub.statistics.ratings import CategoryCounts, UndefinedCoefficientError
from moderation_hub.statistics.round_ratings import CRITERION_STATUSES, NONE, PreparedRound, RoundRatings, prepare
from moderation_hub.statistics.severity import Severities, benjamini_hochberg
from moderation_hub.statistics.severity import estimate as estimate_severities
from moderation_hub.statistics.weights import WeightName, adjacency_weights, weight_matrix

MIN_SAMPLES = 10  # below this a group's agreement figures are shown as indicative only
MIN_MODERATOR_JUDGEMENTS = 10  # below this a moderator's severity is not assessed
FALSE_DISCOVERY_RATE = 0.05  # of the moderators flagged, the share expected to be fair at most
SKEWED_SHARE = 0.8  # one category above this share of judgements makes kappa-type figures unstable
KAPPA_WEIGHTS: WeightName = "quadratic"  # the usual weighted kappa for graded judgements (Fleiss & Cohen 1973)
ALL = "all"  # the group label of figures over every sample

Grouping = Literal["all", "school", "round", "year"]


class ReliabilityNote(StrEnum):
    """Why a figure should be read with care."""

    FEW_SAMPLES = "few_samples"
    SKEWED_PREVALENCE = "skewed_prevalence"  # of standards
    SKEWED_STATUS = "skewed_status"  # of a criterion's statuses: met, not met, insufficient evidence
    TOO_FEW_JUDGEMENTS = "too_few_judgements"

    @property
    def explanation(self) -> str:
        paradox = "which makes kappa low and unstable even when agreement is high (Feinstein & Cicchetti 1990)"
        return {
            ReliabilityNote.FEW_SAMPLES: f"fewer than {MIN_SAMPLES} samples: treat the figure as indicative",
            ReliabilityNote.SKEWED_PREVALENCE: f"over {SKEWED_SHARE:.0%} of judgements are one standard, {paradox}",
            ReliabilityNote.SKEWED_STATUS: (
                f"over {SKEWED_SHARE:.0%} of judgements are one status (met, not met or not enough evidence), {paradox}"
            ),
            ReliabilityNote.TOO_FEW_JUDGEMENTS: (
                f"fewer than {MIN_MODERATOR_JUDGEMENTS} judgements shared with another moderator: "
                "severity is not assessed"
            ),
        }[self]


class Severity(StrEnum):
    """Direction of a moderator's severity when it stands out across the moderators tested (see severity.py)."""

    SEVERE = "severe"  # judges below the others, once their own severity is taken out
    LENIENT = "lenient"  # judges above them
    IN_LINE = "in_line"  # not shown to differ at the false discovery rate


@dataclass(frozen=True)
class TeacherAgreement:
    """Schools' judgements against agreed outcomes for one group (a school, round, year, or ``ALL``).

    ``exact`` and ``adjacent`` are proportions of samples (Wilson intervals); ``weighted_kappa`` is Cohen's
    kappa with quadratic weights on scale positions. ``n`` counts samples with both judgements.
    """

    group: Hashable
    n: int
    exact: Estimate | None
    adjacent: Estimate | None
    weighted_kappa: Estimate | None
    notes: tuple[ReliabilityNote, ...]
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfusionMatrix:
    """``counts[i][j]``: samples the school judged at ``scale[i]`` whose agreed outcome is ``scale[j]``."""

    group: Hashable
    scale: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    n: int


@dataclass(frozen=True)
class ModeratorAgreement:
    """Agreement among moderators on overall judgements; ``n`` counts samples judged by two or more.

    ``scale`` is the part of the scale the coefficients are computed on: from the lowest standard a moderator
    gave to the highest (empty when nobody judged). AC1's chance agreement and AC2's quadratic weights depend
    on the number of categories, so standards below or above every judgement (the pre-key-stage standards of
    a KS2 scale, say) would otherwise inflate them; percent agreement, kappa and alpha do not change.
    """

    n: int
    scale: tuple[str, ...]
    judgements: int
    percent: Estimate | None
    fleiss_kappa: Estimate | None
    gwet_ac1: Estimate | None
    gwet_ac2: Estimate | None  # quadratic weights
    krippendorff_alpha: Estimate | None  # ordinal
    notes: tuple[ReliabilityNote, ...]
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionAgreement:
    """Agreement among moderators on one criterion's status (met / not met / insufficient evidence)."""

    criterion_id: Hashable
    n: int
    percent: Estimate | None
    gwet_ac1: Estimate | None
    fleiss_kappa: Estimate | None
    notes: tuple[ReliabilityNote, ...]
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModeratorSeverity:
    """One moderator: agreement with agreed outcomes, and severity against the other moderators.

    ``n``, ``exact`` and ``adjacent`` count the moderator's judgements of samples with an agreed outcome.
    ``mean_difference`` is the severity of severity.py, in scale steps with a t interval (its ``n`` counts
    the judgements another moderator shared); ``p_value`` tests it against 0 and ``q_value`` is that p-value
    adjusted by Benjamini-Hochberg across the moderators assessed. ``severity`` is None when fewer than
    MIN_MODERATOR_JUDGEMENTS judgements were compared, and a direction when ``q_value`` is at most
    FALSE_DISCOVERY_RATE.
    """

    moderator_id: Hashable
    n: int
    exact: Estimate | None
    adjacent: Estimate | None
    mean_difference: Estimate | None
    p_value: float | None
    q_value: float | None
    severity: Severity | None
    notes: tuple[ReliabilityNote, ...]
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModerationReport:
    """Every moderation measure for one set of samples (a round, or several for the trends)."""

    scale: tuple[str, ...]
    teacher_overall: TeacherAgreement
    teacher_by_school: tuple[TeacherAgreement, ...]
    teacher_by_round: tuple[TeacherAgreement, ...]
    teacher_by_year: tuple[TeacherAgreement, ...]
    confusion: ConfusionMatrix
    confusion_by_school: tuple[ConfusionMatrix, ...]
    moderators: ModeratorAgreement
    criteria: tuple[CriterionAgreement, ...]
    moderator_severity: tuple[ModeratorSeverity, ...]


def moderation_report(data: RoundRatings) -> ModerationReport:
    """Every measure in this module for one set of samples, checking and converting the data once."""
    prepared = prepare(data)
    overall = _TeacherTables.build(prepared, "all")
    by_school = _TeacherTables.build(prepared, "school")
    return ModerationReport(
        scale=prepared.scale,
        teacher_overall=overall.agreement()[0],
        teacher_by_school=by_school.agreement(),
        teacher_by_round=_TeacherTables.build(prepared, "round").agreement(),
        teacher_by_year=_TeacherTables.build(prepared, "year").agreement(),
        confusion=overall.confusion()[0],
        confusion_by_school=by_school.confusion(),
        moderators=_moderator_agreement(prepared),
        criteria=_criterion_agreement(prepared),
        moderator_severity=_moderator_severity(prepared),
    )


def teacher_agreement(data: RoundRatings, by: Grouping = "all") -> tuple[TeacherAgreement, ...]:
    """School judgement against agreed outcome, per school, round or academic year (sorted), or overall.

    This is the headline "how accurate are our schools' judgements". Grouping by round or year gives the
    trend; it is empty when the data carry no round ids or years.
    """
    return _TeacherTables.build(prepare(data), by).agreement()


def confusion_matrices(data: RoundRatings, by: Grouping = "all") -> tuple[ConfusionMatrix, ...]:
    """School judgement x agreed outcome counts, per group."""
    return _TeacherTables.build(prepare(data), by).confusion()


def moderator_agreement(data: RoundRatings) -> ModeratorAgreement:
    """Percent agreement, Fleiss' kappa, AC1, AC2 and ordinal alpha among moderators, with intervals."""
    return _moderator_agreement(prepare(data))


def criterion_agreement(data: RoundRatings) -> tuple[CriterionAgreement, ...]:
    """Per-criterion agreement among moderators, least consistent first (lowest AC1; undefined last)."""
    return _criterion_agreement(prepare(data))


def moderator_severity(data: RoundRatings) -> tuple[ModeratorSeverity, ...]:
    """Each moderator's agreement with agreed outcomes and severity, by moderator id."""
    return _moderator_severity(prepare(data))


@dataclass(frozen=True, eq=False)
class _TeacherTables:
    """One school-judgement x agreed-outcome contingency table per group, and what they share."""

    scale: tuple[str, ...]
    groups: npt.NDArray[Any]
    tables: npt.NDArray[np.int64]  # (groups, q, q)

    @classmethod
    def build(cls, prepared: PreparedRound, by: Grouping) -> "_TeacherTables":
        size = len(prepared.scale)
        groups, group = _groups(prepared, by)
        if len(groups) == 0:
            return cls(prepared.scale, groups, np.zeros((0, size, size), dtype=np.int64))
        both = (prepared.teacher != NONE) & (prepared.agreed != NONE)
        cells = (group[both] * size + prepared.teacher[both]) * size + prepared.agreed[both]
        tables = np.bincount(cells, minlength=len(groups) * size * size).reshape(len(groups), size, size)
        return cls(prepared.scale, groups, tables)

    def agreement(self) -> tuple[TeacherAgreement, ...]:
        size = len(self.scale)
        kappa = kappa_from_tables(self.tables, weight_matrix(KAPPA_WEIGHTS, np.arange(size, dtype=np.float64)))
        exact = np.trace(self.tables, axis1=1, axis2=2)
        adjacent = (self.tables * adjacency_weights(size)).sum(axis=(1, 2))
        return tuple(
            self._row(index, int(exact[index]), int(adjacent[index]), kappa) for index in range(len(self.groups))
        )

    def confusion(self) -> tuple[ConfusionMatrix, ...]:
        return tuple(
            ConfusionMatrix(_plain(group), self.scale, tuple(map(tuple, table.tolist())), int(table.sum()))
            for group, table in zip(self.groups, self.tables, strict=True)
        )

    def _row(self, index: int, exact: int, adjacent: int, kappa: KappaTables) -> TeacherAgreement:
        table = self.tables[index]
        n = int(table.sum())
        unavailable: dict[str, str] = {}
        if n == 0:
            reason = "no sample has both a school judgement and an agreed outcome"
            unavailable.update(exact=reason, adjacent=reason, weighted_kappa=reason)
            weighted = None
        elif not kappa.defined[index]:
            unavailable["weighted_kappa"] = "every judgement is the same standard: chance agreement is 1"
            weighted = None
        else:
            weighted = normal_estimate(
                float(kappa.values[index]),
                float(kappa.variances[index]),
                n,
                "quadratic-weighted Cohen's kappa, Fleiss, Cohen & Everitt (1969) variance",
            )
        shares = (table.sum(axis=0) + table.sum(axis=1)) / (2 * n) if n else np.zeros(1)
        return TeacherAgreement(
            group=_plain(self.groups[index]),
            n=n,
            exact=wilson_estimate(exact, n),
            adjacent=wilson_estimate(adjacent, n),
            weighted_kappa=weighted,
            notes=_notes(n, shares),
            unavailable=unavailable,
        )


def _groups(prepared: PreparedRound, by: Grouping) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """The sorted group labels and each sample's group; "all" is one group even with no samples."""
    if by == "all":
        return np.array([ALL], dtype=object), np.zeros(prepared.samples, dtype=np.int64)
    keys = {"school": prepared.school_ids, "round": prepared.round_ids, "year": prepared.academic_years}
    if by not in keys:
        raise ValueError(f"by must be 'all', 'school', 'round' or 'year', not {by!r}")
    chosen = keys[by]
    if chosen is None:
        return np.array([], dtype=object), np.zeros(prepared.samples, dtype=np.int64)
    return np.unique(chosen, return_inverse=True)


def _moderator_agreement(prepared: PreparedRound) -> ModeratorAgreement:
    counts, scale = _used_span(
        _counts(prepared.judged_sample, prepared.judged_standard, prepared.samples, len(prepared.scale)),
        prepared.scale,
    )
    table = CategoryCounts(counts, scale)
    unavailable: dict[str, str] = {}
    paired = int(np.count_nonzero(counts.sum(axis=1) >= 2))
    return ModeratorAgreement(
        n=paired,
        scale=scale,
        judgements=int(prepared.judged_sample.size),
        percent=_attempt("percent", lambda: percent_agreement_from_counts(table), unavailable),
        fleiss_kappa=_attempt("fleiss_kappa", lambda: fleiss_kappa_from_counts(table), unavailable),
        gwet_ac1=_attempt("gwet_ac1", lambda: gwet_ac_from_counts(table), unavailable),
        gwet_ac2=_attempt("gwet_ac2", lambda: gwet_ac_from_counts(table, KAPPA_WEIGHTS), unavailable),
        krippendorff_alpha=_attempt(
            "krippendorff_alpha", lambda: alpha_from_counts_with_ci(table, "ordinal"), unavailable
        ),
        notes=_notes(paired, _shares(counts)),
        unavailable=unavailable,
    )


def _used_span(
    counts: npt.NDArray[np.float64], scale: tuple[str, ...]
) -> tuple[npt.NDArray[np.float64], tuple[str, ...]]:
    """The counts and standards from the lowest standard used to the highest; unused standards between them stay,
    so that two standards either side of one nobody gave are still two steps apart."""
    used = np.flatnonzero(counts.sum(axis=0))
    if used.size == 0:
        return counts, scale
    low, high = int(used[0]), int(used[-1]) + 1
    return counts[:, low:high], scale[low:high]


def _criterion_agreement(prepared: PreparedRound) -> tuple[CriterionAgreement, ...]:
    criteria, criterion = np.unique(prepared.criterion_ids, return_inverse=True)
    samples, size = prepared.samples, len(CRITERION_STATUSES)
    cells = (criterion * samples + prepared.criterion_sample) * size + prepared.criterion_status
    counts = np.bincount(cells, minlength=len(criteria) * samples * size).reshape(len(criteria), samples, size)
    rows = [_criterion_row(_plain(identifier), table) for identifier, table in zip(criteria, counts, strict=True)]
    return tuple(sorted(rows, key=_least_consistent_first))


def _criterion_row(identifier: Hashable, counts: npt.NDArray[np.int64]) -> CriterionAgreement:
    kept = counts[counts.sum(axis=1) > 0].astype(np.float64)
    table = CategoryCounts(kept, CRITERION_STATUSES)
    unavailable: dict[str, str] = {}
    paired = int(np.count_nonzero(kept.sum(axis=1) >= 2))
    return CriterionAgreement(
        criterion_id=identifier,
        n=paired,
        percent=_attempt("percent", lambda: percent_agreement_from_counts(table), unavailable),
        gwet_ac1=_attempt("gwet_ac1", lambda: gwet_ac_from_counts(table), unavailable),
        fleiss_kappa=_attempt("fleiss_kappa", lambda: fleiss_kappa_from_counts(table), unavailable),
        notes=_notes(paired, _shares(kept), ReliabilityNote.SKEWED_STATUS),
        unavailable=unavailable,
    )


def _least_consistent_first(row: CriterionAgreement) -> tuple[bool, float, float, str]:
    ac1 = row.gwet_ac1.value if row.gwet_ac1 else 0.0
    percent = row.percent.value if row.percent else 0.0
    return row.gwet_ac1 is None, ac1, percent, str(row.criterion_id)


def _moderator_severity(prepared: PreparedRound) -> tuple[ModeratorSeverity, ...]:
    totals = _ModeratorTotals.build(prepared)
    return tuple(totals.row(index) for index in range(len(totals.moderators)))


@dataclass(frozen=True, eq=False)
class _ModeratorTotals:
    """Per moderator: agreement with agreed outcomes from one bincount each, and the joint severities."""

    moderators: npt.NDArray[Any]
    n: npt.NDArray[np.int64]
    exact: npt.NDArray[np.float64]
    adjacent: npt.NDArray[np.float64]
    severities: Severities
    q_values: npt.NDArray[np.float64]  # NaN where not assessed
    steps: int

    @classmethod
    def build(cls, prepared: PreparedRound) -> "_ModeratorTotals":
        moderators, moderator = np.unique(prepared.judged_by, return_inverse=True)
        agreed = prepared.agreed[prepared.judged_sample]
        known = agreed != NONE
        who = moderator[known]
        difference = prepared.judged_standard[known] - agreed[known]
        count = len(moderators)
        severities = estimate_severities(
            prepared.judged_sample, moderator, prepared.judged_standard, prepared.agreed, count
        )
        assessed = severities.n >= MIN_MODERATOR_JUDGEMENTS
        q_values = np.full(count, np.nan)
        q_values[assessed] = benjamini_hochberg(severities.p_value[assessed])
        return cls(
            moderators=moderators,
            n=np.bincount(who, minlength=count),
            exact=np.bincount(who, weights=difference == 0, minlength=count),
            adjacent=np.bincount(who, weights=np.abs(difference) <= 1, minlength=count),
            severities=severities,
            q_values=q_values,
            steps=len(prepared.scale) - 1,
        )

    def row(self, index: int) -> ModeratorSeverity:
        n, compared = int(self.n[index]), int(self.severities.n[index])
        assessed = compared >= MIN_MODERATOR_JUDGEMENTS
        severity = float(self.severities.severity[index])
        return ModeratorSeverity(
            moderator_id=_plain(self.moderators[index]),
            n=n,
            exact=wilson_estimate(int(self.exact[index]), n),
            adjacent=wilson_estimate(int(self.adjacent[index]), n),
            mean_difference=_mean_difference(severity, float(self.severities.variance[index]), compared, self.steps),
            p_value=float(self.severities.p_value[index]) if compared > 1 else None,
            q_value=float(self.q_values[index]) if assessed else None,
            severity=_direction(severity, float(self.q_values[index])) if assessed else None,
            notes=() if assessed else (ReliabilityNote.TOO_FEW_JUDGEMENTS,),
            unavailable=_severity_unavailable(compared),
        )


def _severity_unavailable(compared: int) -> dict[str, str]:
    unavailable = {}
    if compared == 0:
        unavailable["mean_difference"] = (
            "no other moderator judged this moderator's samples with an agreed outcome: there is no one to compare with"
        )
    if compared < MIN_MODERATOR_JUDGEMENTS:
        unavailable["severity"] = f"fewer than {MIN_MODERATOR_JUDGEMENTS} judgements shared with another moderator"
    return unavailable


def _mean_difference(mean: float, variance: float, n: int, steps: int) -> Estimate | None:
    """The severity in scale steps with a t interval on n - 1 degrees of freedom."""
    method = "mean of (moderator - the others' judgements less their severity) in scale steps, t interval"
    if n == 0:
        return None
    if n == 1:
        return Estimate(mean, None, None, None, method, n)
    error = float(np.sqrt(variance / n))
    margin = float(stdtrit(n - 1, 1 - (1 - CONFIDENCE) / 2)) * error
    return Estimate(mean, error, max(mean - margin, -steps), min(mean + margin, steps), method, n)


def _direction(severity: float, q_value: float) -> Severity:
    if q_value > FALSE_DISCOVERY_RATE:
        return Severity.IN_LINE
    return Severity.SEVERE if severity < 0 else Severity.LENIENT


def _counts(
    units: npt.NDArray[np.int64], codes: npt.NDArray[np.int64], total: int, size: int
) -> npt.NDArray[np.float64]:
    """Counts by unit and category from long-form judgements, keeping only units someone judged."""
    counts = np.bincount(units * size + codes, minlength=total * size).reshape(total, size)
    return counts[counts.sum(axis=1) > 0].astype(np.float64)


def _shares(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    total = counts.sum()
    return counts.sum(axis=0) / total if total else np.zeros(1)


def _notes(
    n: int, shares: npt.NDArray[np.float64], skewed: ReliabilityNote = ReliabilityNote.SKEWED_PREVALENCE
) -> tuple[ReliabilityNote, ...]:
    """Few samples, and ``skewed`` when one category holds over SKEWED_SHARE of the judgements."""
    notes = []
    if n < MIN_SAMPLES:
        notes.append(ReliabilityNote.FEW_SAMPLES)
    if shares.max() > SKEWED_SHARE:
        notes.append(skewed)
    return tuple(notes)


def _attempt(name: str, compute: Callable[[], Estimate], unavailable: dict[str, str]) -> Estimate | None:
    """The estimate, or None with the reason recorded when the data do not define it."""
    try:
        return compute()
    except UndefinedCoefficientError as error:
        unavailable[name] = str(error)
        return None


def _plain(value: Any) -> Hashable:
    return value.item() if isinstance(value, np.generic) else value
