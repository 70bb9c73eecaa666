"""Agreement statistics: a pure engine (NumPy and SciPy only, no Flask, no database) and moderation measures.

Ratings are a units x raters table (rows are samples, columns are raters), as lists of lists or a NumPy
array, with None or NaN where a rater gave no rating; categories may be numbers or text. ``categories``,
when given, fixes the order and the set of the scale; otherwise it is the sorted distinct values seen.

Each coefficient returns a float; its ``_with_ci`` companion returns an :class:`Estimate` with a standard
error and a 95% interval. Data that do not define a coefficient (chance agreement 1, no unit rated twice)
raise :class:`UndefinedCoefficientError`, a ValueError; no function returns NaN.
"""

from moderation_hub.statistics.agreement import (
    adjacent_agreement,
    adjacent_agreement_with_ci,
    brennan_prediger,
    brennan_prediger_with_ci,
    fleiss_kappa,
    fleiss_kappa_with_ci,
    gwet_ac,
    gwet_ac_with_ci,
    percent_agreement,
    percent_agreement_with_ci,
)
from moderation_hub.statistics.cohen import cohen_kappa, cohen_kappa_with_ci
from moderation_hub.statistics.estimate import Estimate
from moderation_hub.statistics.krippendorff import BOOTSTRAP_SEED, krippendorff_alpha, krippendorff_alpha_with_ci
from moderation_hub.statistics.moderation import (
    ConfusionMatrix,
    CriterionAgreement,
    ModerationReport,
    ModeratorAgreement,
    ModeratorSeverity,
    ReliabilityNote,
    Severity,
    TeacherAgreement,
    confusion_matrices,
    criterion_agreement,
    moderation_report,
    moderator_agreement,
    moderator_severity,
    teacher_agreement,
)
from moderation_hub.statistics.ratings import UndefinedCoefficientError
from moderation_hub.statistics.round_ratings import (
    CRITERION_STATUSES,
    CriterionJudgements,
    ModeratorJudgements,
    RoundRatings,
)

__all__ = [
    "BOOTSTRAP_SEED",
    "CRITERION_STATUSES",
    "ConfusionMatrix",
    "CriterionAgreement",
    "CriterionJudgements",
    "Estimate",
    "ModerationReport",
    "ModeratorAgreement",
    "ModeratorJudgements",
    "ModeratorSeverity",
    "ReliabilityNote",
    "RoundRatings",
    "Severity",
    "TeacherAgreement",
    "UndefinedCoefficientError",
    "adjacent_agreement",
    "adjacent_agreement_with_ci",
    "brennan_prediger",
    "brennan_prediger_with_ci",
    "cohen_kappa",
    "cohen_kappa_with_ci",
    "confusion_matrices",
    "criterion_agreement",
    "fleiss_kappa",
    "fleiss_kappa_with_ci",
    "gwet_ac",
    "gwet_ac_with_ci",
    "krippendorff_alpha",
    "krippendorff_alpha_with_ci",
    "moderation_report",
    "moderator_agreement",
    "moderator_severity",
    "percent_agreement",
    "percent_agreement_with_ci",
    "teacher_agreement",
]
