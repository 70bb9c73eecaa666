"""Exemplars and the framework versions they were judged against.

A framework's new version is a new row with the same slug (``frameworks.services.import_framework``). An exemplar
keeps the version it was judged against for good: its standard is a point on that version's scale, and moving it to
the new scale would claim a judgement nobody made. So an exemplar on an older version is marked as such wherever it
is shown, and listed for its authority to re-judge.
"""

from dataclasses import dataclass

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import aliased

from moderation_hub.db import db
from moderation_hub.education import year_group_label
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import LocalAuthority
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.standards.models import Exemplar, ExemplarState

TO_REJUDGE_PER_PAGE = 50


def newest_versions() -> Subquery:
    """Each framework slug and its newest version number, as a subquery to join on."""
    return (
        select(Framework.slug, func.max(Framework.version).label("newest"))
        .group_by(Framework.slug)
        .subquery("newest_framework_version")
    )


def newer_version(framework: Framework) -> Framework | None:
    """The newest version of ``framework`` when it is newer than this one; else None."""
    statement = (
        select(Framework)
        .where(Framework.slug == framework.slug, Framework.version > framework.version)
        .order_by(Framework.version.desc())
        .limit(1)
    )
    return db.session.scalar(statement)


@dataclass(frozen=True)
class ToRejudge:
    code: str
    state: ExemplarState
    framework_title: str
    judged_version: int
    newest_version: int
    year_label: str
    standard_code: str


@dataclass(frozen=True)
class ToRejudgePage:
    paging: Paging
    exemplars: list[ToRejudge]


def to_rejudge(authority: LocalAuthority, page_number: int) -> ToRejudgePage | None:
    """The authority's exemplars (drafts and published, not withdrawn) judged against a framework version that
    has a newer one, a page at a time, oldest judgement first; None for a page that is not there. Two statements
    whatever their number."""
    newest = newest_versions()
    judged = aliased(Framework)
    conditions = (
        Exemplar.authority_id == authority.id,
        Exemplar.state != ExemplarState.WITHDRAWN,
        judged.version < newest.c.newest,
    )
    base = (
        select(Exemplar.id).join(judged, judged.id == Exemplar.framework_id).join(newest, newest.c.slug == judged.slug)
    )
    total = db.session.scalar(select(func.count()).select_from(base.where(*conditions).subquery())) or 0
    found = paging(total, TO_REJUDGE_PER_PAGE, page_number)
    if found is None:
        return None
    statement = (
        select(
            Exemplar.code,
            Exemplar.state,
            Exemplar.year_group,
            judged.title,
            judged.version,
            newest.c.newest,
            Standard.code.label("standard_code"),
        )
        .join(judged, judged.id == Exemplar.framework_id)
        .join(newest, newest.c.slug == judged.slug)
        .join(Standard, Standard.id == Exemplar.standard_id)
        .where(*conditions)
        .order_by(judged.title, judged.version, Exemplar.year_group, Standard.position, Exemplar.code)
        .offset(found.offset)
        .limit(found.per_page)
    )
    rows = [
        ToRejudge(
            row.code,
            row.state,
            row.title,
            row.version,
            row.newest,
            year_group_label(row.year_group),
            row.standard_code,
        )
        for row in db.session.execute(statement)
    ]
    return ToRejudgePage(found, rows)
