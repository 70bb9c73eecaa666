"""Whether a revealed sample's agreed outcome rests on blind judgements that agree, by the authority's rule.

Pure: plain values in, figures out. Per-criterion agreement is the statistics engine's percent agreement over one
unit (the sample) rated by its moderators, so it means here what it means in the reports.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from moderation_hub.statistics import percent_agreement


@dataclass(frozen=True)
class Rule:
    """The authority's rule; the defaults are the issue's: two moderators, all on the agreed standard, 80%."""

    min_moderators: int = 2
    min_overall_percent: int = 100
    min_criterion_percent: int = 80


@dataclass(frozen=True)
class CriterionFigure:
    code: str
    statement: str
    agreement: float  # share of agreeing pairs of verdicts, 0 to 1
    raters: int


@dataclass(frozen=True)
class Figures:
    moderators: int  # submitted blind judgements
    agreeing: int  # of them, on the agreed standard
    criteria: tuple[CriterionFigure, ...]  # criteria judged by two or more moderators, in the framework's order

    @property
    def overall_agreement(self) -> float:
        return self.agreeing / self.moderators if self.moderators else 0.0

    @property
    def lowest_criterion(self) -> CriterionFigure | None:
        return min(self.criteria, key=lambda figure: figure.agreement, default=None)


@dataclass(frozen=True)
class Criterion:
    code: str
    statement: str


def figures(agreed: int, standards: Sequence[int | None], verdicts: Mapping[Criterion, Sequence[str]]) -> Figures:
    """``standards``: each submitted judgement's standard; ``verdicts``: each criterion's verdicts, in order."""
    criteria = tuple(
        CriterionFigure(criterion.code, criterion.statement, percent_agreement([list(given)]), len(given))
        for criterion, given in verdicts.items()
        if len(given) >= 2
    )
    return Figures(len(standards), sum(1 for standard in standards if standard == agreed), criteria)


def meets(rule: Rule, found: Figures) -> bool:
    """At least ``min_moderators`` judgements, enough of them on the agreed standard, and every criterion judged
    twice or more at or above the threshold. Criteria judged once have no agreement to measure and do not count."""
    if found.moderators < max(rule.min_moderators, 2):
        return False
    if found.agreeing * 100 < rule.min_overall_percent * found.moderators:
        return False
    return all(figure.agreement * 100 >= rule.min_criterion_percent - 1e-9 for figure in found.criteria)
