"""Candidates for the standards file and their promotion: revealed samples whose agreed outcome rests on blind
judgements that agree by the authority's rule, and samples an LA lead adds that were moderated elsewhere.

The candidate list is built in a fixed number of statements whatever the authority's size: the overall rule is
counted in SQL, every criterion verdict of the entries left is read in one statement, the statistics engine
decides the criterion rule, and only the page shown is loaded whole.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.frameworks.models import Criterion, Standard
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.permissions import REVEALED
from moderation_hub.rounds.models import (
    CriterionJudgement,
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
)
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.samples.models import SampleState, WorkSample
from moderation_hub.standards import agreement
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import Exemplar, ExemplarSource, StandardsRule

CANDIDATES_PER_PAGE = 25
EXEMPLARS_PER_PAGE = 50


def rule_of(authority: LocalAuthority) -> StandardsRule:
    """The authority's rule, or an unsaved one with the defaults."""
    rule = db.session.scalar(select(StandardsRule).where(StandardsRule.authority_id == authority.id))
    defaults = agreement.Rule()
    return rule or StandardsRule(
        authority_id=authority.id,
        min_moderators=defaults.min_moderators,
        min_overall_percent=defaults.min_overall_percent,
        min_criterion_percent=defaults.min_criterion_percent,
        version=0,
    )


CHANGED_MEANWHILE = "Someone else changed the rule while you were looking at it. Reload and try again."


def save_rule(authority: LocalAuthority, settings: agreement.Rule, seen_version: int, user: User) -> StandardsRule:
    rule = rule_of(authority)
    if rule.version != seen_version:
        raise StandardsError(CHANGED_MEANWHILE)
    before = rule.snapshot()
    try:
        # Two saves that both read the same version: the second's UPDATE finds the version moved on, or (for
        # an authority's first rule) its INSERT meets the first's row; either way the second is refused.
        with db.session.begin_nested():
            rule.min_moderators = settings.min_moderators
            rule.min_overall_percent = settings.min_overall_percent
            rule.min_criterion_percent = settings.min_criterion_percent
            rule.updated_by_id = user.id
            if rule.id is None:
                rule.version = 1
                db.session.add(rule)
            db.session.flush()
    except (IntegrityError, StaleDataError) as error:
        raise StandardsError(CHANGED_MEANWHILE) from error
    record(user.id, "standards.rule_changed", rule, before=before, after=rule.snapshot())
    return rule


@dataclass(frozen=True)
class Candidate:
    entry: RoundEntry
    figures: agreement.Figures


@dataclass(frozen=True)
class CandidatePage:
    paging: Paging
    candidates: list[Candidate]


def candidates_page(authority: LocalAuthority, page_number: int) -> CandidatePage | None:
    """Page ``page_number`` of the authority's candidates, newest round first; None for a page that is not there."""
    rule = rule_of(authority)
    settings = agreement.Rule(rule.min_moderators, rule.min_overall_percent, rule.min_criterion_percent)
    counted = _counted(authority, settings)
    rows = db.session.execute(counted).all()
    found = _figures(counted, {row.id: row for row in rows})
    passing = [entry_id for entry_id in (row.id for row in rows) if agreement.meets(settings, found[entry_id])]
    page = paging(len(passing), CANDIDATES_PER_PAGE, page_number)
    if page is None:
        return None
    shown = passing[page.offset : page.offset + page.per_page]
    entries = {entry.id: entry for entry in db.session.scalars(_loaded(shown)).unique()}
    return CandidatePage(page, [Candidate(entries[entry_id], found[entry_id]) for entry_id in shown])


def _counted(authority: LocalAuthority, rule: agreement.Rule, entry_id: int | None = None) -> Select:
    """Entries of revealed blind rounds with an agreed outcome, not yet in the standards file, with their submitted
    judgements counted and those on the agreed standard; the overall rule applied in SQL."""
    moderators = func.count(Judgement.id)
    agreeing = func.sum(case((Judgement.standard_id == RoundEntry.agreed_standard_id, 1), else_=0))
    promoted = select(Exemplar.id).where(Exemplar.sample_id == RoundEntry.sample_id).exists()
    statement = (
        select(RoundEntry.id, RoundEntry.agreed_standard_id, moderators.label("moderators"))
        .join(ModerationRound, ModerationRound.id == RoundEntry.round_id)
        .join(Judgement, (Judgement.entry_id == RoundEntry.id) & (Judgement.state == JudgementState.SUBMITTED))
        .where(
            ModerationRound.authority_id == authority.id,
            ModerationRound.state.in_(REVEALED),
            ModerationRound.is_blind,
            RoundEntry.agreed_standard_id.is_not(None),
            ~promoted,
        )
        .group_by(RoundEntry.id, RoundEntry.agreed_standard_id, ModerationRound.academic_year, ModerationRound.id)
        .having(moderators >= max(rule.min_moderators, 2), agreeing * 100 >= rule.min_overall_percent * moderators)
        .order_by(ModerationRound.academic_year.desc(), ModerationRound.id.desc(), RoundEntry.blind_code)
    )
    return statement.where(RoundEntry.id == entry_id) if entry_id is not None else statement


def _figures(counted: Select, rows: dict) -> dict[int, agreement.Figures]:
    """Each counted entry's figures, from its standards and criterion verdicts read in two statements."""
    entry_ids = counted.with_only_columns(RoundEntry.id).order_by(None)
    standards: dict[int, list[int | None]] = defaultdict(list)
    for entry_id, standard_id in db.session.execute(
        select(Judgement.entry_id, Judgement.standard_id).where(
            Judgement.entry_id.in_(entry_ids), Judgement.state == JudgementState.SUBMITTED
        )
    ):
        standards[entry_id].append(standard_id)
    verdicts: dict[int, dict[agreement.Criterion, list[str]]] = defaultdict(lambda: defaultdict(list))
    statement = (
        select(Judgement.entry_id, Criterion.code, Criterion.statement, CriterionJudgement.verdict)
        .join(CriterionJudgement, CriterionJudgement.judgement_id == Judgement.id)
        .join(Criterion, Criterion.id == CriterionJudgement.criterion_id)
        .where(Judgement.entry_id.in_(entry_ids), Judgement.state == JudgementState.SUBMITTED)
        .order_by(Judgement.entry_id, Criterion.position, Criterion.id, Judgement.id)
    )
    for entry_id, code, text, verdict in db.session.execute(statement):
        verdicts[entry_id][agreement.Criterion(code, text)].append(str(verdict))
    return {
        entry_id: agreement.figures(row.agreed_standard_id, standards[entry_id], verdicts[entry_id])
        for entry_id, row in rows.items()
    }


def _loaded(entry_ids: list[int]) -> Select:
    return (
        select(RoundEntry)
        .where(RoundEntry.id.in_(entry_ids))
        .options(
            joinedload(RoundEntry.round),
            joinedload(RoundEntry.agreed_standard),
            joinedload(RoundEntry.school),
            joinedload(RoundEntry.sample).joinedload(WorkSample.framework),
        )
    )


def promote(entry: RoundEntry, user: User) -> Exemplar:
    """A candidate becomes a draft exemplar, with its provenance; refused unless it is still a candidate.

    The entry's row is held first, so a second promotion of it at the same moment waits, then finds it promoted."""
    db.session.execute(select(RoundEntry.id).where(RoundEntry.id == entry.id).with_for_update())
    authority = entry.round.authority
    rule = rule_of(authority)
    settings = agreement.Rule(rule.min_moderators, rule.min_overall_percent, rule.min_criterion_percent)
    counted = _counted(authority, settings, entry.id)
    rows = {row.id: row for row in db.session.execute(counted)}
    if entry.id not in rows:
        raise StandardsError("This sample is no longer a candidate: it is in the standards file, or its figures fell.")
    found = _figures(counted, rows)[entry.id]
    if not agreement.meets(settings, found):
        raise StandardsError("This sample's criterion agreement is below the rule.")
    sample = entry.sample
    exemplar = Exemplar(
        authority_id=authority.id,
        sample_id=sample.id,
        framework_id=sample.framework_id,
        standard_id=entry.agreed_standard_id,
        year_group=sample.year_group,
        source=ExemplarSource.ROUND,
        round_id=entry.round_id,
        round_name=entry.round.name,
        moderator_count=found.moderators,
        overall_agreement=found.overall_agreement,
        criterion_agreement=[
            {"code": c.code, "statement": c.statement, "agreement": c.agreement, "raters": c.raters}
            for c in found.criteria
        ],
        created_by_id=user.id,
    )
    db.session.add(exemplar)
    db.session.flush()
    record(user.id, "exemplar.promoted", exemplar, round_id=entry.round_id, entry_id=entry.id)
    return exemplar


def add_outside(
    authority: LocalAuthority,
    user: User,
    *,
    school: School,
    pupil_code: str,
    academic_year: int,
    standard: Standard,
    note: str,
) -> Exemplar:
    """A draft exemplar from a sample on the platform that was moderated elsewhere (marked so), at ``standard``."""
    if school.authority_id != authority.id:
        raise StandardsError("Choose a school in this authority", "school")
    sample = db.session.scalar(
        select(WorkSample).where(
            WorkSample.school_id == school.id,
            WorkSample.pupil_code == pupil_code,
            WorkSample.academic_year == academic_year,
        )
    )
    if sample is None or sample.state is not SampleState.SUBMITTED:
        raise StandardsError("Pupil code must name a sample the school has submitted in that year", "pupil_code")
    # Held, so that two LA leads adding it at once cannot both pass the check below.
    db.session.execute(select(WorkSample.id).where(WorkSample.id == sample.id).with_for_update())
    if standard.framework_id != sample.framework_id:
        raise StandardsError("Standard must be on the sample's framework", "standard")
    if db.session.scalar(select(Exemplar.id).where(Exemplar.sample_id == sample.id)) is not None:
        raise StandardsError("Pupil code names a sample already in the standards file", "pupil_code")
    exemplar = Exemplar(
        authority_id=authority.id,
        sample_id=sample.id,
        framework_id=sample.framework_id,
        standard_id=standard.id,
        year_group=sample.year_group,
        source=ExemplarSource.OUTSIDE,
        outside_note=note,
        created_by_id=user.id,
    )
    db.session.add(exemplar)
    db.session.flush()
    record(user.id, "exemplar.added_outside", exemplar, sample_id=sample.id)
    return exemplar


@dataclass(frozen=True)
class ExemplarPage:
    paging: Paging
    exemplars: list[Exemplar]


def authority_exemplars(authority: LocalAuthority, page_number: int) -> ExemplarPage | None:
    """The authority's exemplars, newest first, a page at a time; None for a page that is not there."""
    of_authority = Exemplar.authority_id == authority.id
    total = db.session.scalar(select(func.count(Exemplar.id)).where(of_authority)) or 0
    page = paging(total, EXEMPLARS_PER_PAGE, page_number)
    if page is None:
        return None
    statement = (
        select(Exemplar)
        .where(of_authority)
        .options(joinedload(Exemplar.framework), joinedload(Exemplar.standard))
        .order_by(Exemplar.created_at.desc(), Exemplar.id.desc())
        .offset(page.offset)
        .limit(page.per_page)
    )
    return ExemplarPage(page, list(db.session.scalars(statement)))
