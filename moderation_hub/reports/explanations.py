"""What each figure means and when to be careful with it, in plain English, for pages, downloads and the PDF.

The thresholds come from the statistics engine, so the words and the flags beside figures always agree.
"""

from dataclasses import dataclass

from moderation_hub.statistics.moderation import MIN_MODERATOR_JUDGEMENTS, MIN_SAMPLES, SKEWED_SHARE


@dataclass(frozen=True)
class Explanation:
    means: str  # what the figure shows
    careful: str  # when it is unreliable


ABOUT_FIGURES = (
    "Every figure gives n, the number of samples it rests on, and a 95% confidence interval (CI): the range "
    "the figure would plausibly fall in if the same schools and moderators judged other, similar work. A wide "
    "interval means the figure could easily be quite different next time; two figures whose intervals overlap "
    f"a lot are not shown to differ. Figures from fewer than {MIN_SAMPLES} samples are marked as indicative "
    "only. A figure the data cannot give is shown as 'Not available', with the reason."
)

_FEW = (
    f"With fewer than {MIN_SAMPLES} samples a single judgement moves the figure a long way: read the interval, "
    "not the figure."
)

KAPPA_PARADOX = (
    "Why Gwet's AC1 is shown beside kappa: kappa subtracts the agreement expected by chance, and works that out "
    "from how often each standard was given. When nearly every sample is at one standard (say, the expected "
    f"standard, more than {SKEWED_SHARE:.0%} of judgements), chance agreement looks very high and kappa can be "
    "low, or even negative, although the moderators agreed on almost every sample. This is the kappa paradox "
    "(Feinstein and Cicchetti, 1990). Gwet's AC1 estimates chance agreement in a way that stays stable when one "
    "standard dominates. When kappa is low but AC1 and percent agreement are high, the judgements agree: look at "
    "how the standards were spread rather than at kappa."
)

_SKEWED = (
    f"When more than {SKEWED_SHARE:.0%} of judgements are one standard, weighted kappa can be low even though "
    "almost every judgement matched (the kappa paradox): exact agreement is then the better guide."
)

_AGAINST_OUTCOME = (
    "Exact agreement is the share of samples whose school judgement was the standard the panel agreed. "
    "Adjacent agreement also counts a judgement one step away on the scale. Weighted kappa corrects agreement "
    "for chance and gives partial credit to near misses (quadratic weights): 1 is perfect agreement, 0 no "
    "better than chance."
)

_TREND = (
    "Rounds differ in their schools, samples and moderators, so a change between two points is evidence of a "
    "trend only when it is larger than their intervals. "
)

EXPLANATIONS = {
    "overall": Explanation(
        means=f"How often schools' own judgements matched the agreed outcome, over every sample. {_AGAINST_OUTCOME}",
        careful=f"{_FEW} {_SKEWED}",
    ),
    "schools": Explanation(
        means=(
            "Each school's judgements against the agreed outcomes, so you can see which schools' judgements were "
            f"most and least secure. {_AGAINST_OUTCOME}"
        ),
        careful=(
            f"Most schools enter only a few samples, so most school figures rest on fewer than {MIN_SAMPLES} "
            f"and their intervals are wide; compare schools by their intervals, not their figures. {_SKEWED}"
        ),
    ),
    "rounds": Explanation(
        means=f"Agreement of schools' judgements with the agreed outcomes in each round, oldest first. {_TREND}",
        careful=f"{_FEW} Frameworks are reported separately, so a round appears here only for this framework.",
    ),
    "years": Explanation(
        means=f"Agreement of schools' judgements with the agreed outcomes in each academic year. {_TREND}",
        careful=f"{_FEW} A year with a different mix of schools or pupils can move the figure on its own.",
    ),
    "confusion": Explanation(
        means=(
            "Each cell counts the samples the school judged at the row's standard and the panel agreed at the "
            "column's standard. The diagonal (outlined in the chart) is agreement. Cells to the right of the "
            "diagonal are samples the school judged below the agreed outcome; cells to the left, above it."
        ),
        careful=(
            "A handful of samples in one cell can be one school or one teacher; look at the school figures before "
            "drawing a conclusion about a standard."
        ),
    ),
    "moderators": Explanation(
        means=(
            "How far moderators agreed with each other, before the panel met, on the samples that two or more "
            "of them judged. Percent agreement (as a proportion) is the share of pairs of moderators who gave the "
            "same standard. Fleiss' kappa and Gwet's AC1 correct it for chance agreement in different ways; "
            "Gwet's AC2 and Krippendorff's ordinal alpha also give partial credit to near misses. 1 is perfect "
            "agreement, 0 no better than chance."
        ),
        careful=f"{_FEW} {KAPPA_PARADOX}",
    ),
    "criteria": Explanation(
        means=(
            "For each criterion (a 'the pupil can' statement), how consistently moderators recorded it as met, "
            "not met or without enough evidence, on samples two or more of them judged. The least consistent "
            "come first: they are the statements moderators read differently, which may need discussion or "
            "exemplars."
        ),
        careful=(
            f"{_FEW} A statement that nearly every moderator marks as met can have a low kappa with high "
            "agreement (the kappa paradox); that is why the order follows Gwet's AC1."
        ),
    ),
    "severity": Explanation(
        means=(
            "Each moderator's judgements against the agreed outcomes. The mean difference is in steps of the "
            "scale: below zero, the moderator judged below the agreed outcome (severe); above zero, above it "
            "(lenient). A moderator is flagged only when the 95% interval of the mean difference excludes zero. "
            "The agreed outcome is partly made from the moderators' own judgements, so agreement with it "
            "flatters everyone a little."
        ),
        careful=(
            f"Severity is not assessed from fewer than {MIN_MODERATOR_JUDGEMENTS} judgements. A moderator who "
            "judged only one school's samples may reflect that school, not their own standard."
        ),
    ),
    "my_overall": Explanation(
        means=(
            "How often your judgements matched the outcome the panel agreed, and whether you tend to judge "
            "below it (severe) or above it (lenient). Exact agreement is the share of samples where your "
            "standard was the agreed one; adjacent agreement also counts one step away. The mean difference is "
            "in steps of the scale, below zero when you judged below the agreed outcome. You are flagged only "
            "when its 95% interval excludes zero."
        ),
        careful=(
            f"Severity is not assessed from fewer than {MIN_MODERATOR_JUDGEMENTS} judgements. The agreed outcome "
            f"was partly made from your own judgement, so agreement with it flatters a little. {_SKEWED}"
        ),
    ),
    "my_rounds": Explanation(
        means=f"Your agreement with the agreed outcomes in each round you judged, oldest first. {_TREND}",
        careful=_FEW,
    ),
    "my_confusion": Explanation(
        means=(
            "Each cell counts the samples you judged at the row's standard whose agreed outcome is the column's "
            "standard. The diagonal (outlined in the chart) is agreement; cells to the right of it are samples "
            "you judged below the agreed outcome, cells to the left above it."
        ),
        careful="A few samples in one cell may come from one school; look for a pattern across rounds.",
    ),
}
