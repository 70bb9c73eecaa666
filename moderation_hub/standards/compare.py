"""Two exemplars side by side, and boundary pairs: one exemplar just at a standard and one just below it.

Readers see a pair only when they may read both exemplars (``permissions.readable_exemplars``, in SQL). An LA lead
marks pairs of their authority's published exemplars (``mark_pair``); the library proposes pairs from the agreement
figures (``proposed_pairs``): same framework and year group, adjacent standards, the least agreed first.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.education import year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import LocalAuthority
from moderation_hub.permissions import readable_exemplars
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import BoundaryPair, Exemplar, ExemplarState

EXEMPLAR_CODE = re.compile(r"[0-9a-f]{16}")  # as models.new_exemplar_code makes them
PARTNERS_PER_PAGE = 25
PAIRS_SHOWN = 20
PROPOSALS_SHOWN = 20
PROPOSAL_DEPTH = 5  # the least agreed exemplars of each cell that proposals pair up


@dataclass(frozen=True)
class Listed:
    code: str
    year_label: str
    standard_code: str
    standard_label: str
    agreement: float | None


@dataclass(frozen=True)
class Pair:
    id: int
    title: str  # the framework's title and version
    year_label: str
    at: Listed
    below: Listed
    note: str


# Readers.


def partners(user: User, exemplar: Exemplar, page_number: int) -> tuple[Paging, list[Listed]] | None:
    """Exemplars to compare ``exemplar`` with: those ``user`` may read of its framework and year group, in the
    scale's order, a page at a time; None for a page that is not there."""
    readable = readable_exemplars(user).subquery()
    same = and_(
        readable.c.framework_id == exemplar.framework_id,
        readable.c.year_group == exemplar.year_group,
        readable.c.id != exemplar.id,
    )
    total = db.session.scalar(select(func.count()).select_from(readable).where(same)) or 0
    page = paging(total, PARTNERS_PER_PAGE, page_number)
    if page is None:
        return None
    statement = (
        select(readable.c.code, readable.c.year_group, readable.c.overall_agreement, Standard.code, Standard.label)
        .join(Standard, Standard.id == readable.c.standard_id)
        .where(same)
        .order_by(Standard.position, readable.c.code)
        .offset(page.offset)
        .limit(page.per_page)
    )
    return page, [_listed(*row) for row in db.session.execute(statement)]


def _listed(code: str, year: int, agreement: float | None, standard_code: str, standard_label: str) -> Listed:
    return Listed(code, year_group_label(year), standard_code, standard_label, agreement)


def readable_pairs(user: User, *, framework_ids: list[int] | None = None, exemplar_id: int | None = None) -> list[Pair]:
    """Boundary pairs whose two exemplars ``user`` may both read: of these frameworks, or with this exemplar."""
    statement = _pairs(readable_exemplars(user))
    if framework_ids is not None:
        statement = statement.where(Framework.id.in_(framework_ids))
    if exemplar_id is not None:
        statement = statement.where(or_(BoundaryPair.at_id == exemplar_id, BoundaryPair.below_id == exemplar_id))
    return [_pair(row) for row in db.session.execute(statement.limit(PAIRS_SHOWN))]


def pair_between(user: User, first: Exemplar, second: Exemplar) -> Pair | None:
    """The boundary pair the two exemplars make, either way round, if they make one."""
    statement = _pairs(readable_exemplars(user)).where(
        or_(
            and_(BoundaryPair.at_id == first.id, BoundaryPair.below_id == second.id),
            and_(BoundaryPair.at_id == second.id, BoundaryPair.below_id == first.id),
        )
    )
    row = db.session.execute(statement).first()
    return _pair(row) if row is not None else None


def _pairs(exemplars: Select[Any]) -> Select[Any]:
    """The boundary pairs both of whose exemplars ``exemplars`` selects. Driven from the pairs (few) with the
    exemplars as two semi-joins on their ids: joining two copies of the exemplar query to each other led
    PostgreSQL to pair every exemplar with every other before it reached the pairs (9 s at 1,000 exemplars)."""
    ids = exemplars.with_only_columns(Exemplar.id)
    at, below = aliased(Exemplar), aliased(Exemplar)
    at_standard, below_standard = aliased(Standard), aliased(Standard)
    return (
        select(
            BoundaryPair.id,
            BoundaryPair.note,
            Framework.title,
            Framework.version,
            at.year_group,
            at.code.label("at_code"),
            at.overall_agreement.label("at_agreement"),
            at_standard.code.label("at_standard"),
            at_standard.label.label("at_label"),
            below.code.label("below_code"),
            below.overall_agreement.label("below_agreement"),
            below_standard.code.label("below_standard"),
            below_standard.label.label("below_label"),
        )
        .join(at, at.id == BoundaryPair.at_id)
        .join(below, below.id == BoundaryPair.below_id)
        .join(Framework, Framework.id == at.framework_id)
        .join(at_standard, at_standard.id == at.standard_id)
        .join(below_standard, below_standard.id == below.standard_id)
        .where(BoundaryPair.at_id.in_(ids), BoundaryPair.below_id.in_(ids))
        .order_by(Framework.subject, at.year_group, at_standard.position, BoundaryPair.id)
    )


def _pair(row: Any) -> Pair:
    year = row.year_group
    return Pair(
        row.id,
        f"{row.title} (version {row.version})",
        year_group_label(year),
        _listed(row.at_code, year, row.at_agreement, row.at_standard, row.at_label),
        _listed(row.below_code, year, row.below_agreement, row.below_standard, row.below_label),
        row.note,
    )


# The LA lead.


def marked_pairs(authority: LocalAuthority) -> list[Pair]:
    """The authority's boundary pairs of exemplars that are published now (a withdrawn one's pair waits unseen)."""
    published = select(Exemplar).where(Exemplar.authority_id == authority.id, Exemplar.state == ExemplarState.PUBLISHED)
    return [_pair(row) for row in db.session.execute(_pairs(published))]


def proposed_pairs(authority: LocalAuthority) -> list[Pair]:
    """Pairs the library proposes from the agreement figures: two published exemplars of the authority in the same
    framework and year group at adjacent standards, not yet paired, the least agreed first (moderators who split
    put an exemplar near its boundary). Only the ``PROPOSAL_DEPTH`` least agreed of each (framework, year group,
    standard) are paired up, so the work is bounded by the cells, not by the square of their exemplars."""
    agreement = func.coalesce(Exemplar.overall_agreement, 1.0)
    nearest = select(
        Exemplar.id,
        Exemplar.code,
        Exemplar.framework_id,
        Exemplar.year_group,
        Exemplar.standard_id,
        Exemplar.overall_agreement,
        func.row_number()
        .over(
            partition_by=(Exemplar.framework_id, Exemplar.year_group, Exemplar.standard_id),
            order_by=(agreement, Exemplar.code),
        )
        .label("rank"),
    ).where(Exemplar.authority_id == authority.id, Exemplar.state == ExemplarState.PUBLISHED)
    at, below = nearest.subquery("at_nearest"), nearest.subquery("below_nearest")
    at_standard, below_standard = aliased(Standard), aliased(Standard)
    paired = select(BoundaryPair.id).where(BoundaryPair.at_id == at.c.id, BoundaryPair.below_id == below.c.id).exists()
    split = func.coalesce(at.c.overall_agreement, 1.0) + func.coalesce(below.c.overall_agreement, 1.0)
    statement = (
        select(
            at.c.id,  # a proposal has no pair id: the view offers to mark it instead
            literal("").label("note"),
            Framework.title,
            Framework.version,
            at.c.year_group,
            at.c.code.label("at_code"),
            at.c.overall_agreement.label("at_agreement"),
            at_standard.code.label("at_standard"),
            at_standard.label.label("at_label"),
            below.c.code.label("below_code"),
            below.c.overall_agreement.label("below_agreement"),
            below_standard.code.label("below_standard"),
            below_standard.label.label("below_label"),
        )
        .select_from(at)
        .join(below, and_(below.c.framework_id == at.c.framework_id, below.c.year_group == at.c.year_group))
        .join(at_standard, at_standard.id == at.c.standard_id)
        .join(below_standard, below_standard.id == below.c.standard_id)
        .join(Framework, Framework.id == at.c.framework_id)
        .where(
            at.c.rank <= PROPOSAL_DEPTH,
            below.c.rank <= PROPOSAL_DEPTH,
            below_standard.position == at_standard.position - 1,
            ~paired,
        )
        .order_by(split, at.c.code, below.c.code)
        .limit(PROPOSALS_SHOWN)
    )
    return [_pair(row) for row in db.session.execute(statement)]


def mark_pair(authority: LocalAuthority, at: Exemplar, below: Exemplar, note: str, user: User) -> BoundaryPair:
    """Record ``at`` (just at its standard) and ``below`` (just below it) as a boundary pair of ``authority``."""
    if at.authority_id != authority.id or below.authority_id != authority.id:
        raise StandardsError("Both exemplars must be in this authority's standards file")
    if at.state is not ExemplarState.PUBLISHED or below.state is not ExemplarState.PUBLISHED:
        raise StandardsError("Both exemplars must be published")
    if at.framework_id != below.framework_id or at.year_group != below.year_group:
        raise StandardsError("A boundary pair is two exemplars of the same framework and year group")
    if below.standard.position != at.standard.position - 1:
        raise StandardsError(
            f"The exemplar just below must be at the standard below {at.standard.code}, not {below.standard.code}"
        )
    existing = db.session.scalar(
        select(BoundaryPair.id).where(BoundaryPair.at_id == at.id, BoundaryPair.below_id == below.id)
    )
    if existing is not None:
        raise StandardsError("These two exemplars are already a boundary pair")
    pair = BoundaryPair(authority_id=authority.id, at_id=at.id, below_id=below.id, note=note, marked_by_id=user.id)
    db.session.add(pair)
    db.session.flush()
    record(user.id, "standards.boundary_pair_marked", pair, at=at.code, below=below.code)
    return pair


def remove_pair(pair: BoundaryPair, user: User) -> None:
    record(user.id, "standards.boundary_pair_removed", pair, at=pair.at.code, below=pair.below.code)
    db.session.delete(pair)
    db.session.flush()


def curated_exemplar(authority: LocalAuthority, code: str) -> Exemplar | None:
    """One of the authority's exemplars by its code, for the LA lead marking a pair."""
    if not EXEMPLAR_CODE.fullmatch(code):
        return None
    return db.session.scalar(select(Exemplar).where(Exemplar.authority_id == authority.id, Exemplar.code == code))
