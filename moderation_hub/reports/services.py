"""Reports as tables of figures with their notes: a round's, a school's, a moderator's own, an authority's.

Each report covers one framework at a time (see ``data``); ``framework_id`` picks it, and the first of the
scope's frameworks is shown when none is given. The statistics are the engine's; this module only names
rows and columns, orders them, and words the engine's reliability notes.
"""

import dataclasses
import datetime as dt
import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select

from moderation_hub.accounts.models import Role, User
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.permissions import Permission, can
from moderation_hub.reports import cache, data
from moderation_hub.reports.explanations import EXPLANATIONS, Explanation
from moderation_hub.reports.tables import Chart, ChartStyle, Kind, Measure, Row, Table, Value
from moderation_hub.rounds.models import ModerationRound, RoundModerator
from moderation_hub.statistics import (
    ConfusionMatrix,
    CriterionAgreement,
    ModerationReport,
    ModeratorAgreement,
    ModeratorSeverity,
    RoundRatings,
    Severity,
    TeacherAgreement,
    confusion_matrices,
    moderation_report,
    moderator_severity,
    teacher_agreement,
)
from moderation_hub.statistics.moderation import MIN_SAMPLES
from moderation_hub.wording import counted, plural


class ReportKind(enum.StrEnum):
    ROUND = "round"
    SCHOOL = "school"
    MODERATOR = "moderator"
    AUTHORITY = "authority"


class UnknownFrameworkError(LookupError):
    """The framework asked for has no samples in the report's scope."""


@dataclass(frozen=True)
class Headline:
    value: Value  # exact agreement with the agreed outcome
    n: int
    sentence: str  # follows the percentage: "of schools' judgements matched the agreed outcome"
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    kind: ReportKind
    title: str
    caption: str
    frameworks: tuple[Framework, ...]
    framework: Framework | None  # None: nothing to report yet
    scale: tuple[Standard, ...]
    samples: int
    headline: Headline | None
    tables: tuple[Table, ...]
    generated_at: dt.datetime
    kept_as: tuple[str, str] = ("", "")  # the figures' key and version in ``cache``: its charts are kept beside them

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)

    @staticmethod
    def explanation(table: Table) -> Explanation:
        """The table's explanation, with what its own data show after what the figures mean."""
        explanation = EXPLANATIONS[table.key]
        if not table.about_data:
            return explanation
        return dataclasses.replace(explanation, means=f"{explanation.means} {table.about_data}")


@dataclass(frozen=True)
class Figures:
    """What a report computes from its data: plain values, no database rows, so kept between requests."""

    samples: int
    headline: Headline
    tables: tuple[Table, ...]
    generated_at: dt.datetime


EXACT = Measure("exact", "Exact agreement", Kind.PROPORTION)
ADJACENT = Measure("adjacent", "Adjacent agreement (within one step)", Kind.PROPORTION)
WEIGHTED_KAPPA = Measure("weighted_kappa", "Weighted kappa", Kind.COEFFICIENT)
MEAN_DIFFERENCE = Measure("mean_difference", "Severity: mean difference from the other moderators", Kind.STEPS)
SEVERITY = Measure("severity", "Flag", Kind.TEXT)
SEVERITY_WORDS = {Severity.SEVERE: "Severe", Severity.LENIENT: "Lenient", Severity.IN_LINE: "In line"}
TWICE_JUDGED = "Samples judged by two or more (n)"
JUDGEMENTS = "Judgements (n)"
COEFFICIENTS = (
    ("percent", "Percent agreement (as a proportion)"),
    ("fleiss_kappa", "Fleiss' kappa"),
    ("gwet_ac1", "Gwet's AC1"),
    ("gwet_ac2", "Gwet's AC2 (quadratic weights over the standards used)"),
    ("krippendorff_alpha", "Krippendorff's alpha (ordinal)"),
)


# The four reports ------------------------------------------------------------------------------------


def round_report(round_: ModerationRound, framework_id: int | None) -> Report:
    return _report(
        ReportKind.ROUND,
        f"Agreement report: {round_.name}",
        f"{round_.authority.name}, {round_.academic_year_label}",
        data.round_scope(round_),
        framework_id=framework_id,
        tables_of=_round_tables,
    )


def school_report(school: School, framework_id: int | None) -> Report:
    return _report(
        ReportKind.SCHOOL,
        f"Agreement report: {school.name}",
        "Every moderation round with agreed outcomes",
        data.school_scope(school),
        framework_id=framework_id,
        tables_of=_school_tables,
        criteria=False,
    )


def moderator_report(moderator: User, framework_id: int | None) -> Report:
    """Everyone's judgements in the moderator's rounds are loaded, for their severity, but only the moderator's
    own judgements and figures are shown, and only their name is loaded."""
    return _report(
        ReportKind.MODERATOR,
        "Your judgements as a moderator",
        moderator.display_name,
        data.moderator_scope(moderator),
        framework_id=framework_id,
        tables_of=_moderator_tables,
        criteria=False,
    )


def authority_report(authority: LocalAuthority, framework_id: int | None) -> Report:
    return _report(
        ReportKind.AUTHORITY,
        f"Agreement overview: {authority.name}",
        "Every moderation round with agreed outcomes, across academic years",
        data.authority_scope(authority),
        framework_id=framework_id,
        tables_of=_authority_tables,
    )


def _report(
    kind: ReportKind,
    title: str,
    caption: str,
    scope: data.Scope,
    *,
    framework_id: int | None,
    tables_of: Callable[[data.LoadedRatings], tuple[Table, ...]],
    criteria: bool = True,
) -> Report:
    frameworks = tuple(data.frameworks_in(scope))
    framework = _chosen(frameworks, framework_id)
    if framework is None:
        return Report(kind, title, caption, frameworks, None, (), 0, None, (), utcnow())

    # The version is read before the figures, so figures are never older than the version they are kept under.
    key = f"{kind.value}/{scope.key[0]}/{scope.key[1]}/framework/{framework.id}"
    version = cache.version_of(data.version(scope, framework))
    figures = cache.computed(key, version, lambda: _figures(kind, scope, framework, tables_of, criteria=criteria))
    return Report(
        kind,
        title,
        caption,
        frameworks,
        framework,
        tuple(framework.standards),
        figures.samples,
        figures.headline,
        figures.tables,
        figures.generated_at,
        (key, version),
    )


def chart_svg(report: Report, table: Table) -> str:
    """The table's chart as SVG, for the page: drawn once per version of the report's figures and kept beside them."""

    def draw() -> str:
        from moderation_hub.reports import charts  # noqa: PLC0415 - loads Altair and vl-convert, for charts only

        return charts.svg(table)

    key, version = report.kept_as
    return cache.computed(f"{key}/chart/{table.key}/svg", version, draw)


def _figures(
    kind: ReportKind,
    scope: data.Scope,
    framework: Framework,
    tables_of: Callable[[data.LoadedRatings], tuple[Table, ...]],
    *,
    criteria: bool,
) -> Figures:
    loaded = data.load(scope, framework, criteria=criteria)
    tables = tables_of(loaded)
    return Figures(loaded.samples, _headline(kind, tables[0], len(loaded.rounds)), tables, utcnow())


def _chosen(frameworks: tuple[Framework, ...], framework_id: int | None) -> Framework | None:
    if framework_id is None:
        return frameworks[0] if frameworks else None
    chosen = next((framework for framework in frameworks if framework.id == framework_id), None)
    if chosen is None:
        raise UnknownFrameworkError(framework_id)
    return chosen


def _headline(kind: ReportKind, overall: Table, rounds: int) -> Headline:
    row = overall.rows[0]
    whose = {
        ReportKind.ROUND: "of schools' judgements matched the agreed outcome",
        ReportKind.SCHOOL: "of the school's judgements matched the agreed outcome",
        ReportKind.MODERATOR: "of your judgements matched the agreed outcome",
        ReportKind.AUTHORITY: f"of schools' judgements matched the agreed outcome, over {counted(rounds, 'round')}",
    }[kind]
    return Headline(overall.column(EXACT.key)[0], row.n, whose, row.notes)


def _round_tables(loaded: data.LoadedRatings) -> tuple[Table, ...]:
    report = moderation_report(loaded.ratings)
    return (
        _agreement_table(
            "overall", "Schools' judgements against the agreed outcomes", "Which samples", _overall(report)
        ),
        _schools_table(loaded, report.teacher_by_school),
        _confusion_table("confusion", "School's judgement", report.confusion),
        _moderators_table(report.moderators),
        _criteria_table(loaded, report.criteria),
        _severity_table(loaded, report.moderator_severity),
    )


def _school_tables(loaded: data.LoadedRatings) -> tuple[Table, ...]:
    ratings = loaded.ratings
    return (
        _agreement_table(
            "overall", "The school's judgements against the agreed outcomes", "Which samples", _overall_of(ratings)
        ),
        _rounds_table("rounds", loaded, teacher_agreement(ratings, "round")),
        _years_table(teacher_agreement(ratings, "year")),
        _confusion_table("confusion", "School's judgement", confusion_matrices(ratings)[0]),
    )


def _authority_tables(loaded: data.LoadedRatings) -> tuple[Table, ...]:
    report = moderation_report(loaded.ratings)
    return (
        _agreement_table(
            "overall", "Schools' judgements against the agreed outcomes", "Which samples", _overall(report)
        ),
        _rounds_table("rounds", loaded, report.teacher_by_round),
        _years_table(report.teacher_by_year),
        _schools_table(loaded, report.teacher_by_school),
        _confusion_table("confusion", "School's judgement", report.confusion),
        _moderators_table(report.moderators),
        _criteria_table(loaded, report.criteria),
        _severity_table(loaded, report.moderator_severity),
    )


def _moderator_tables(loaded: data.LoadedRatings) -> tuple[Table, ...]:
    as_judge = _as_judge(loaded.ratings, loaded.moderator_id)
    overall = teacher_agreement(as_judge, "all")[0]
    severities = moderator_severity(loaded.ratings)
    severity = next((row for row in severities if row.moderator_id == loaded.moderator_id), None)
    return (
        _my_overall_table(overall, severity),
        _rounds_table("my_rounds", loaded, teacher_agreement(as_judge, "round")),
        _confusion_table("my_confusion", "Your judgement", confusion_matrices(as_judge)[0]),
    )


def _as_judge(ratings: RoundRatings, moderator_id: int | None) -> RoundRatings:
    """The moderator's standards in the place of the schools': the engine's measures of a judgement against
    the agreed outcome (exact, adjacent, kappa, confusion, by round) then describe the moderator alone."""
    own: list[int | None] = [None] * len(ratings.teacher_judgements)
    judgements = ratings.moderator_judgements
    for sample, moderator, standard in zip(
        judgements.sample_indices, judgements.moderator_ids, judgements.standard_indices, strict=True
    ):
        if moderator == moderator_id:
            own[int(sample)] = int(standard)
    return dataclasses.replace(ratings, teacher_judgements=own)


def _overall(report: ModerationReport) -> list[tuple[str, TeacherAgreement]]:
    return [("All samples", report.teacher_overall)]


def _overall_of(ratings: RoundRatings) -> list[tuple[str, TeacherAgreement]]:
    return [("All samples", teacher_agreement(ratings, "all")[0])]


# Tables ----------------------------------------------------------------------------------------------


def _agreement_table(
    key: str, title: str, subject_label: str, groups: Iterable[tuple[str, TeacherAgreement]], chart: Chart | None = None
) -> Table:
    rows = [_agreement_row(subject, agreement) for subject, agreement in groups]
    return Table(key, title, subject_label, (EXACT, ADJACENT, WEIGHTED_KAPPA), _unique(rows), chart)


def _agreement_row(subject: str, agreement: TeacherAgreement) -> Row:
    return Row(
        subject,
        agreement.n,
        tuple(
            Value.of(getattr(agreement, measure.key), agreement.unavailable.get(measure.key, ""))
            for measure in (EXACT, ADJACENT, WEIGHTED_KAPPA)
        ),
        _sentences(note.explanation for note in agreement.notes),
    )


def _schools_table(loaded: data.LoadedRatings, by_school: tuple[TeacherAgreement, ...]) -> Table:
    named = sorted(((loaded.school_names[int(a.group)], a) for a in by_school), key=lambda pair: pair[0].lower())
    table = _agreement_table(
        "schools", "Each school's judgements", "School", named, Chart(ChartStyle.INTERVALS, "exact")
    )
    return dataclasses.replace(table, about_data=_few_samples(by_school))


def _few_samples(by_school: tuple[TeacherAgreement, ...]) -> str:
    """How many samples the schools' figures rest on, counted, since rounds differ."""
    sizes = sorted(agreement.n for agreement in by_school)
    if not sizes:
        return ""
    few = sum(size < MIN_SAMPLES for size in sizes)
    both = "with both a school judgement and an agreed outcome"
    spread = (
        f"every school has {counted(sizes[0], 'sample')} {both}"
        if sizes[0] == sizes[-1]
        else f"the schools have from {sizes[0]} to {sizes[-1]} samples {both}"
    )
    fewer = f"{plural(few, 'has', 'have')} fewer than {MIN_SAMPLES}"
    return f"Here {spread}; {few} of {counted(len(sizes), 'school')} {fewer}."


def _rounds_table(key: str, loaded: data.LoadedRatings, by_round: tuple[TeacherAgreement, ...]) -> Table:
    def label(agreement: TeacherAgreement) -> str:
        round_ = loaded.rounds[int(agreement.group)]
        return f"{round_.name} ({round_.academic_year_label})"

    title = "Your judgements in each round" if key == "my_rounds" else "Each round"
    rows = [(label(agreement), agreement) for agreement in by_round]
    return _agreement_table(key, title, "Round", rows, Chart(ChartStyle.TREND, "exact"))


def _years_table(by_year: tuple[TeacherAgreement, ...]) -> Table:
    rows = [(f"{int(a.group)}/{(int(a.group) + 1) % 100:02d}", a) for a in by_year]
    return _agreement_table("years", "Each academic year", "Academic year", rows, Chart(ChartStyle.TREND, "exact"))


def _confusion_table(key: str, rows_are: str, matrix: ConfusionMatrix) -> Table:
    measures = tuple(Measure(f"agreed_{code}", code, Kind.COUNT) for code in matrix.scale)
    rows = tuple(
        Row(code, sum(counts), tuple(Value(count) for count in counts))
        for code, counts in zip(matrix.scale, matrix.counts, strict=True)
    )
    whose = "Your judgements" if key == "my_confusion" else "Schools' judgements"
    title = f"{whose} by agreed outcome (confusion matrix)"
    chart = Chart(ChartStyle.MATRIX, "", "Agreed outcome")
    return Table(key, title, rows_are, measures, rows, chart, "Row total (n)")


def _span(scale: tuple[str, ...]) -> str:
    """Which standards the coefficients span, and what AC2's quadratic weights then give a one-step miss."""
    if len(scale) < 2:
        return ""
    credit = 1 - 1 / (len(scale) - 1) ** 2
    return (
        f"Here moderators gave standards from {scale[0]} to {scale[-1]} ({counted(len(scale), 'standard')}), so "
        f"in AC2 a disagreement of one step earns {credit:.0%} credit and one of {len(scale) - 1} steps none."
    )


def _moderators_table(agreement: ModeratorAgreement) -> Table:
    notes = _sentences(note.explanation for note in agreement.notes)
    rows = tuple(
        Row(label, agreement.n, (Value.of(getattr(agreement, key), agreement.unavailable.get(key, "")),), notes)
        for key, label in COEFFICIENTS
    )
    measure = Measure("estimate", "Estimate", Kind.COEFFICIENT)
    return Table(
        "moderators",
        "Agreement among moderators",
        "Coefficient",
        (measure,),
        rows,
        Chart(ChartStyle.INTERVALS, "estimate"),
        TWICE_JUDGED,
        _span(agreement.scale),
    )


def _criteria_table(loaded: data.LoadedRatings, criteria: tuple[CriterionAgreement, ...]) -> Table:
    measures = (
        Measure("gwet_ac1", "Gwet's AC1", Kind.COEFFICIENT),
        Measure("fleiss_kappa", "Fleiss' kappa", Kind.COEFFICIENT),
        Measure("percent", "Percent agreement", Kind.PROPORTION),
    )
    rows = [
        Row(
            loaded.criterion_labels.get(int(row.criterion_id), str(row.criterion_id)),
            row.n,
            tuple(Value.of(getattr(row, m.key), row.unavailable.get(m.key, "")) for m in measures),
            _sentences(note.explanation for note in row.notes),
        )
        for row in criteria  # the engine's order: least consistent first
    ]
    return Table(
        "criteria",
        "Agreement on each criterion, least consistent first",
        "Criterion",
        measures,
        _unique(rows),
        Chart(ChartStyle.INTERVALS, "gwet_ac1"),
        TWICE_JUDGED,
    )


def _severity_table(loaded: data.LoadedRatings, severities: tuple[ModeratorSeverity, ...]) -> Table:
    named = sorted(((loaded.moderator_names[int(s.moderator_id)], s) for s in severities), key=lambda p: p[0].lower())
    rows = [_severity_row(name, severity) for name, severity in named]
    return Table(
        "severity",
        "Each moderator against the agreed outcomes",
        "Moderator",
        (EXACT, ADJACENT, MEAN_DIFFERENCE, SEVERITY),
        _unique(rows),
        Chart(ChartStyle.INTERVALS, MEAN_DIFFERENCE.key),
        JUDGEMENTS,
    )


def _severity_row(subject: str, severity: ModeratorSeverity) -> Row:
    return Row(
        subject,
        severity.n,
        (
            Value.of(severity.exact, "no judgement of this moderator has an agreed outcome"),
            Value.of(severity.adjacent, "no judgement of this moderator has an agreed outcome"),
            Value.of(severity.mean_difference, severity.unavailable.get("mean_difference", "")),
            _severity_value(severity),
        ),
        _sentences(note.explanation for note in severity.notes),
        flagged=severity.severity in (Severity.SEVERE, Severity.LENIENT),
    )


def _severity_value(severity: ModeratorSeverity) -> Value:
    if severity.severity is None:
        return Value(None, reason=severity.unavailable.get("severity", "not assessed"))
    return Value(SEVERITY_WORDS[severity.severity])


def _my_overall_table(overall: TeacherAgreement, severity: ModeratorSeverity | None) -> Table:
    agreement = _agreement_row("All your judgements", overall)
    extra = (
        (Value.of(severity.mean_difference, severity.unavailable.get("mean_difference", "")), _severity_value(severity))
        if severity is not None
        else (Value(None, reason="no judgement has an agreed outcome"),) * 2
    )
    notes = agreement.notes + (_sentences(note.explanation for note in severity.notes) if severity else ())
    return Table(
        "my_overall",
        "Your judgements against the agreed outcomes",
        "Which judgements",
        (EXACT, ADJACENT, WEIGHTED_KAPPA, MEAN_DIFFERENCE, SEVERITY),
        (dataclasses.replace(agreement, values=agreement.values + extra, notes=notes, flagged=_flagged(severity)),),
        n_label=JUDGEMENTS,
    )


def _flagged(severity: ModeratorSeverity | None) -> bool:
    return severity is not None and severity.severity in (Severity.SEVERE, Severity.LENIENT)


def _sentences(notes: Iterable[str]) -> tuple[str, ...]:
    """The engine's notes ('fewer than 10 samples: ...') as sentences."""
    return tuple(f"{note[0].upper()}{note[1:]}." for note in notes)


def _unique(rows: list[Row]) -> tuple[Row, ...]:
    """Rows whose subjects repeat (two schools of one name) get a number, so charts keep them apart."""
    repeated = {subject for subject, count in Counter(row.subject for row in rows).items() if count > 1}
    seen: Counter[str] = Counter()
    unique = []
    for row in rows:
        seen[row.subject] += 1
        numbered = f"{row.subject} ({seen[row.subject]})"
        unique.append(dataclasses.replace(row, subject=numbered) if row.subject in repeated else row)
    return tuple(unique)


# What a person may open ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AvailableReports:
    moderates: bool  # has their own moderator's report: a moderator's role, or a place on a round's panel
    rounds: list[ModerationRound]
    schools: list[School]  # the schools the person leads assessment at
    authorities: list[LocalAuthority]  # with their schools, for the LA leads' school reports

    @property
    def empty(self) -> bool:
        return not (self.moderates or self.rounds or self.schools or self.authorities)


def available_reports(user: User) -> AvailableReports:
    led = user.authorities_with_role(Role.LA_LEAD)
    rounds_statement = (
        select(ModerationRound)
        .where(ModerationRound.state.in_(data.WITH_OUTCOMES))
        .order_by(ModerationRound.academic_year.desc(), ModerationRound.created_at.desc())
    )
    authorities_statement = select(LocalAuthority).order_by(LocalAuthority.name)
    if not user.is_site_admin:
        rounds_statement = rounds_statement.where(
            or_(ModerationRound.lead_id == user.id, ModerationRound.authority_id.in_(led))
        )
        authorities_statement = authorities_statement.where(LocalAuthority.id.in_(led))
    schools = select(School).where(School.id.in_(user.schools_with_role(Role.ASSESSMENT_LEAD))).order_by(School.name)
    on_a_panel = select(RoundModerator.id).where(RoundModerator.user_id == user.id).exists()
    return AvailableReports(
        moderates=bool(user.authorities_with_role(Role.MODERATOR)) or bool(db.session.scalar(select(on_a_panel))),
        rounds=[r for r in db.session.scalars(rounds_statement) if can(user, Permission.REPORT_ROUND, r)],
        schools=list(db.session.scalars(schools)),
        authorities=list(db.session.scalars(authorities_statement)),
    )
