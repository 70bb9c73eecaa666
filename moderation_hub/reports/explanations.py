"""What each figure means and when to be careful with it, in plain English, for pages, downloads and the PDF.

The thresholds come from the statistics engine, so the words and the flags beside figures always agree.
"""

from dataclasses import dataclass

from moderation_hub.statistics.moderation import (
    FALSE_DISCOVERY_RATE,
    MIN_MODERATOR_JUDGEMENTS,
    MIN_SAMPLES,
    SKEWED_SHARE,
)


@dataclass(frozen=True)
class Explanation:
    means: str  # what the figure shows
    careful: str  # when it is unreliable


ABOUT_FIGURES = (
    "Every figure gives n, the number of samples it rests on, and a 95% confidence interval (CI): the values of "
    "the underlying figure, what these schools and moderators would score over many more samples like these, "
    "that the samples seen are consistent with. Intervals made this way contain the underlying figure 95 times "
    "in 100. A wide interval means the samples pin the figure down only loosely. It is not the range the next "
    "round's figure will fall in: that figure would have sampling error of its own, so it varies more. Two "
    "figures whose intervals overlap a lot are not shown to differ. Figures from fewer than "
    f"{MIN_SAMPLES} samples are marked as indicative only. A figure the data cannot give is shown as "
    "'Not available', with the reason."
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

_SEVERITY = (
    "Each judgement is compared with the other moderators' judgements of the same sample, each less that "
    "moderator's own severity, so a moderator's own judgement never counts in what they are measured against, "
    "and sitting with harsh or lenient panel-mates does not move their figure. The mean of these differences "
    "is in steps of the scale: below zero judges below the others (severe), above zero above them (lenient); "
    "overall the figures are set against the agreed outcomes. Testing every moderator would flag about one "
    "fair moderator in twenty by chance, so the flags control the false discovery rate (Benjamini and "
    f"Hochberg's procedure): of the moderators flagged, at most {FALSE_DISCOVERY_RATE:.0%} are expected to be "
    "fair. A moderator whose 95% interval only just excludes zero may therefore be shown in line."
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
            f"A school's figure rests on its own samples only; from fewer than {MIN_SAMPLES} it is marked "
            f"indicative and its interval is wide. Compare schools by their intervals, not their figures. {_SKEWED}"
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
            "of them judged. Percent agreement (as a proportion) is worked out sample by sample: the share of "
            "the pairs of moderators who judged a sample that gave it the same standard, then averaged over the "
            "samples, so each sample counts once however many moderators judged it. Fleiss' kappa and Gwet's "
            "AC1 correct it for chance agreement in different ways; Gwet's AC2 and Krippendorff's ordinal alpha "
            "also give partial credit to near misses. 1 is perfect agreement, 0 no better than chance. The "
            "coefficients are computed over the standards moderators used, from the lowest given to the "
            "highest: standards nobody gave beyond them (the pre-key-stage standards of a KS2 scale, say) would "
            "otherwise make a near miss look nearer, and AC1 and AC2 higher."
        ),
        careful=f"{_FEW} {KAPPA_PARADOX}",
    ),
    "criteria": Explanation(
        means=(
            "For each criterion (a 'the pupil can' statement), how consistently moderators recorded it as met, "
            "not met or without enough evidence, on samples two or more of them judged. Percent agreement is the "
            "share of pairs of moderators who recorded the same status on a sample, averaged over samples. The "
            "least consistent come first: they are the statements moderators read differently, which may need "
            "discussion or exemplars."
        ),
        careful=(
            f"{_FEW} A statement that nearly every moderator marks as met can have a low kappa with high "
            "agreement (the kappa paradox); that is why the order follows Gwet's AC1."
        ),
    ),
    "severity": Explanation(
        means=(
            "Exact and adjacent agreement compare each moderator's judgements with the agreed outcomes. The "
            f"mean difference is their severity. {_SEVERITY}"
        ),
        careful=(
            f"Severity is not assessed from fewer than {MIN_MODERATOR_JUDGEMENTS} judgements that another "
            "moderator also judged. A moderator who judged only one school's samples may reflect that school, "
            "not their own standard. The agreed outcome is partly made from each moderator's own judgement, so "
            "agreement with it flatters everyone a little."
        ),
    ),
    "my_overall": Explanation(
        means=(
            "How often your judgements matched the outcome the panel agreed, and whether you tend to judge "
            "below the other moderators (severe) or above them (lenient). Exact agreement is the share of "
            "samples where your standard was the agreed one; adjacent agreement also counts one step away. The "
            f"mean difference is your severity. {_SEVERITY}"
        ),
        careful=(
            f"Severity is not assessed from fewer than {MIN_MODERATOR_JUDGEMENTS} judgements that another "
            "moderator also judged. The agreed outcome was partly made from your own judgement, so agreement "
            f"with it flatters a little. {_SKEWED}"
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
