"""A revealed local-authority round, written straight into an empty database with bulk inserts, for
``benchmarks/la_round.py``.

One authority of 120 primary schools in 12 clusters; 300 moderators (260 teachers at the schools, 40 LA
moderators with no school); one LA lead; one assessment lead per school, who made the school's samples. One
round of the demo's KS2 writing framework (6 standards, 18 criteria), revealed: every sample judged by k = 3
moderators from other schools (loads within one of each other), every criterion of every judgement given a
verdict, every judgement submitted, and 95% of the samples given an agreed outcome (the panel's median). Each
sample has one uploaded file of three pages (rows only: no page's image is stored, as no page the benchmark
times reads one). The audit log holds what a real round writes: each sample entered, each judgement opened and
submitted (with its before and after), each outcome agreed.

School 1 always sends ``REFERENCE_SCHOOL_SAMPLES`` samples, whatever the round's size, so that its outcome page
shows the same number of samples at every size; the others share the rest, some sending more than others.

Every row goes in through SQLAlchemy Core: ``insert()`` with a list of dicts (executemany, in chunks), never an
ORM object per row; the ids needed further on come back from ``RETURNING`` in the order the rows were given.
Only the framework is imported through the app's own service, as the demo imports it.
"""

import datetime as dt
import hashlib
import random
import secrets
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.accounts.passwords import hash_password
from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import Base, db
from moderation_hub.education import KeyStage, Phase, SchoolPhase, SchoolType
from moderation_hub.frameworks.models import Criterion, Framework
from moderation_hub.frameworks.services import demo_framework_files, import_framework_file
from moderation_hub.organisations.models import Cluster, LocalAuthority, School, SchoolKeyStage
from moderation_hub.rounds.models import (
    CriterionJudgement,
    EntryReason,
    Judgement,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundKind,
    RoundModerator,
    RoundSchool,
    RoundState,
    SampleRequestKind,
    Verdict,
    round_framework,
)
from moderation_hub.samples.models import FileStatus, Page, SampleState, SourceFile, WorkSample

SEED = 20261207
FRAMEWORK_SLUG = "ks2-writing-ta"  # the demo framework with 18 criteria
SCHOOLS, CLUSTERS, TEACHER_MODERATORS, LA_MODERATORS, K = 120, 12, 260, 40, 3
REFERENCE_SCHOOL_SAMPLES = 46
PAGES_PER_SAMPLE = 3
AGREED_SHARE = 0.95
CHUNK = 10_000  # rows per executemany
PASSWORD = "benchmark-round-lantern-heron"  # noqa: S105 - the throwaway accounts of a scratch database
LA_LEAD_EMAIL = "la.lead@bench.moderation-hub.test"
ACADEMIC_YEAR = 2025
OPENED = dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.UTC)  # the round's judging opened; everything else follows
BLIND_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
AGREED_RATIONALE = "Panel: agreed on the strength of the collection as a whole."
RATIONALES = (
    "The collection shows a secure grasp of the statements at this standard across pieces written for different "
    "purposes.",
    "Paragraphs are organised and linked; punctuation is mostly accurate, though speech punctuation slips in the "
    "longer narrative.",
    "Vocabulary is chosen for effect in the persuasive letter; the recount relies on simpler sentence structures.",
    "Spelling of words from the year 5/6 list is largely correct; handwriting is joined and legible throughout.",
)


@dataclass(frozen=True)
class BuiltRound:
    """What the benchmark needs to find its pages, and what was written."""

    round_id: int
    authority_id: int
    reference_taking_part_id: int  # the school with REFERENCE_SCHOOL_SAMPLES samples
    middle_entry_code: str  # a blind code in the middle of the index
    samples: int
    judgements: int
    verdicts: int
    audit_events: int


def build_round(samples: int) -> BuiltRound:
    """Create the schema in the app context's (empty) database and write a revealed round of ``samples`` samples."""
    rng = random.Random(SEED + samples)  # noqa: S311 - reproducible test data, nothing secret
    Base.metadata.create_all(db.engine)
    framework_file = next(path for path in demo_framework_files() if path.stem == FRAMEWORK_SLUG)
    import_framework_file(framework_file.read_bytes())
    db.session.commit()
    with db.engine.begin() as connection:
        framework = _framework(connection)
        people = _people(connection, rng)
        round_id, taking_part_ids = _round(connection, people, framework)
        sample_ids, school_of = _samples(connection, rng, people, framework, samples)
        _pages(connection, sample_ids, school_of, people)
        entries = _entries(
            connection,
            rng,
            round_id=round_id,
            people=people,
            framework=framework,
            sample_ids=sample_ids,
            school_of=school_of,
        )
        judgements = _judgements(connection, rng, people, framework, entries=entries, school_of=school_of)
        verdicts = _verdicts(connection, rng, framework, judgements)
        events = _audit(connection, round_id, people, entries=entries, judgements=judgements, framework=framework)
    if db.engine.dialect.name == "postgresql":
        # As autovacuum does soon after a bulk load: without it the planner takes every table for empty.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    codes = sorted(entry.code for entry in entries)
    return BuiltRound(
        round_id=round_id,
        authority_id=people.authority_id,
        reference_taking_part_id=taking_part_ids[0],
        middle_entry_code=codes[len(codes) // 2],
        samples=samples,
        judgements=len(judgements),
        verdicts=verdicts,
        audit_events=events,
    )


# The framework and the people ------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkFacts:
    id: int
    standard_ids: list[int]  # by position, lowest first
    standard_codes: list[str]
    criteria: list[tuple[int, int]]  # (criterion id, position of its standard)


@dataclass(frozen=True)
class People:
    authority_id: int
    lead_id: int
    school_ids: list[int]
    cluster_of: dict[int, int]
    school_lead: dict[int, int]  # school id -> its assessment lead, who made its samples
    moderators: list[int]
    moderator_school: dict[int, int | None]


def _framework(connection: Connection) -> FrameworkFacts:
    framework_id = connection.scalar(sa.select(Framework.id).where(Framework.slug == FRAMEWORK_SLUG))
    standards = connection.execute(
        sa.text("SELECT id, code FROM framework_standard WHERE framework_id = :id ORDER BY position"),
        {"id": framework_id},
    ).all()
    position = {standard_id: index for index, (standard_id, _) in enumerate(standards)}
    criteria = connection.execute(
        sa.select(Criterion.id, Criterion.standard_id)
        .where(Criterion.framework_id == framework_id)
        .order_by(Criterion.position)
    ).all()
    return FrameworkFacts(
        id=framework_id,
        standard_ids=[standard_id for standard_id, _ in standards],
        standard_codes=[code for _, code in standards],
        criteria=[(criterion_id, position[standard_id]) for criterion_id, standard_id in criteria],
    )


def _people(connection: Connection, rng: random.Random) -> People:
    created = OPENED - dt.timedelta(days=400)
    authority_id = _insert_returning(
        connection,
        LocalAuthority,
        [{"name": "Benchmark County Council", "code": "LABENCH", "kind": "local_authority", "created_at": created}],
    )[0]
    cluster_ids = _insert_returning(
        connection,
        Cluster,
        [
            {"authority_id": authority_id, "name": f"Cluster {number:02d}", "created_at": created}
            for number in range(1, CLUSTERS + 1)
        ],
    )
    school_rows = [
        {
            "authority_id": authority_id,
            "cluster_id": cluster_ids[rng.randrange(CLUSTERS)],
            "urn": f"{800000 + number}",
            "name": f"{rng.choice(SCHOOL_WORDS)} {rng.choice(SCHOOL_PLACES)} Primary School {number}",
            "phase": SchoolPhase.PRIMARY,
            "school_type": SchoolType.PRIMARY,
            "keep_originals": False,
            "created_at": created,
        }
        for number in range(1, SCHOOLS + 1)
    ]
    school_ids = _insert_returning(connection, School, school_rows)
    cluster_of = {school_id: row["cluster_id"] for school_id, row in zip(school_ids, school_rows, strict=True)}
    _insert(
        connection,
        SchoolKeyStage,
        [{"school_id": s, "key_stage": stage} for s in school_ids for stage in (KeyStage.KS1, KeyStage.KS2)],
    )

    password_hash = hash_password(PASSWORD)
    lead_id = _user(connection, LA_LEAD_EMAIL, "Priya Bench", password_hash)
    user_rows = [_user_row(f"lead{n}@school{n}.bench.test", f"Lead of school {n}", password_hash) for n in school_ids]
    user_rows += [_user_row(f"moderator{n}@bench.test", f"Moderator {n:03d}", password_hash) for n in range(1, 301)]
    user_ids = _insert_returning(connection, User, user_rows)
    school_lead = dict(zip(school_ids, user_ids[:SCHOOLS], strict=True))
    moderators = user_ids[SCHOOLS:]
    moderator_school: dict[int, int | None] = {
        moderator: (rng.choice(school_ids) if index < TEACHER_MODERATORS else None)
        for index, moderator in enumerate(moderators)
    }
    memberships = [_membership(lead_id, Role.LA_LEAD, authority_id=authority_id)]
    memberships += [_membership(user, Role.ASSESSMENT_LEAD, school_id=school) for school, user in school_lead.items()]
    for moderator, school in moderator_school.items():
        memberships.append(_membership(moderator, Role.MODERATOR, authority_id=authority_id))
        if school is not None:
            memberships.append(_membership(moderator, Role.TEACHER, school_id=school))
    _insert(connection, Membership, memberships)
    return People(authority_id, lead_id, school_ids, cluster_of, school_lead, moderators, moderator_school)


SCHOOL_WORDS = ("St Anne's", "Oakfield", "Riverside", "Hillcrest", "Meadow", "Larkspur", "Willow", "Heron")
SCHOOL_PLACES = ("Church of England", "Community", "Junior and Infant", "Academy", "Park", "Green")


def _user_row(email: str, name: str, password_hash: str) -> dict[str, Any]:
    return {
        "email": email,
        "display_name": name,
        "password_hash": password_hash,
        "session_token": secrets.token_urlsafe(24),
        "is_active": True,
        "created_at": OPENED - dt.timedelta(days=300),
        "last_signed_in_at": None,
    }


def _user(connection: Connection, email: str, name: str, password_hash: str) -> int:
    return _insert_returning(connection, User, [_user_row(email, name, password_hash)])[0]


def _membership(
    user_id: int, role: Role, *, school_id: int | None = None, authority_id: int | None = None
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "role": role,
        "school_id": school_id,
        "authority_id": authority_id,
        "created_at": OPENED - dt.timedelta(days=300),
    }


# The round, its samples and their pages ---------------------------------------------------------------


def _round(connection: Connection, people: People, framework: FrameworkFacts) -> tuple[int, list[int]]:
    round_id = _insert_returning(
        connection,
        ModerationRound,
        [
            {
                "authority_id": people.authority_id,
                "cluster_id": None,
                "name": "Year 6 writing: LA moderation (benchmark)",
                "kind": RoundKind.LA_MODERATION,
                "state": RoundState.REVEAL,
                "academic_year": ACADEMIC_YEAR,
                "judgements_per_sample": K,
                "submission_deadline": (OPENED - dt.timedelta(days=7)).date(),
                "judging_opens": OPENED.date(),
                "judging_closes": (OPENED + dt.timedelta(days=21)).date(),
                "hide_school": True,
                "hide_teacher": True,
                "hide_teacher_judgement": True,
                "hide_evidence": True,
                "hide_annotations": True,
                "show_moderator_names": False,
                "exclude_own_cluster": False,
                "require_other_phase": False,
                "auto_agree": False,
                "seed": 12345,
                "lead_id": people.lead_id,
                "created_at": OPENED - dt.timedelta(days=60),
                "version": 7,
            }
        ],
    )[0]
    connection.execute(sa.insert(round_framework), [{"round_id": round_id, "framework_id": framework.id}])
    taking_part_ids = _insert_returning(
        connection,
        RoundSchool,
        [
            {
                "round_id": round_id,
                "school_id": school_id,
                "request_kind": SampleRequestKind.COUNT,
                "requested_count": 3,
                "requested_codes": [],
                "widened_standard_ids": [],
            }
            for school_id in people.school_ids
        ],
    )
    _insert(
        connection,
        RoundModerator,
        [
            {
                "round_id": round_id,
                "user_id": moderator,
                "phase": Phase.PRIMARY,
                "active": True,
                "added_at": OPENED - dt.timedelta(days=30),
            }
            for moderator in people.moderators
        ],
    )
    return round_id, taking_part_ids


def _school_of_each_sample(rng: random.Random, school_ids: Sequence[int], samples: int) -> list[int]:
    """School 1 sends REFERENCE_SCHOOL_SAMPLES; the rest share the others, in proportion to a weight each."""
    reference, others = school_ids[0], school_ids[1:]
    weights = [rng.uniform(0.5, 1.5) for _ in others]
    rest = samples - REFERENCE_SCHOOL_SAMPLES
    counts = [int(rest * weight / sum(weights)) for weight in weights]
    for index in range(rest - sum(counts)):
        counts[index % len(counts)] += 1
    schools = [reference] * REFERENCE_SCHOOL_SAMPLES
    for school_id, count in zip(others, counts, strict=True):
        schools += [school_id] * count
    return schools


def _samples(
    connection: Connection, rng: random.Random, people: People, framework: FrameworkFacts, samples: int
) -> tuple[list[int], dict[int, int]]:
    schools = _school_of_each_sample(rng, people.school_ids, samples)
    made = OPENED - dt.timedelta(days=20)
    rows = []
    for number, school_id in enumerate(schools, 1):
        # The teacher's standard: mostly WTS, EXS or GDS (positions 3-5), a few pre-key-stage.
        teacher = min(5, max(0, round(rng.gauss(4.0, 0.9))))
        rows.append(
            {
                "school_id": school_id,
                "framework_id": framework.id,
                "pupil_code": f"P{number:05d}",
                "year_group": 6,
                "academic_year": ACADEMIC_YEAR,
                "teacher_judgement_id": framework.standard_ids[teacher],
                "commentary": "Collection of five pieces written across the spring term; all independent.",
                "state": SampleState.SUBMITTED,
                "created_by_id": people.school_lead[school_id],
                "created_at": made,
                "updated_at": made,
                "submitted_at": made + dt.timedelta(days=1),
                "version": 3,
            }
        )
    sample_ids = _insert_returning(connection, WorkSample, rows)
    return sample_ids, dict(zip(sample_ids, schools, strict=True))


def _pages(connection: Connection, sample_ids: Sequence[int], school_of: dict[int, int], people: People) -> None:
    made = OPENED - dt.timedelta(days=19)
    files = [
        {
            "sample_id": sample_id,
            "piece_id": None,
            "school_file_name": f"writing-{sample_id}.pdf",
            "kind": "pdf",
            "byte_size": 1_500_000,
            "sha256": hashlib.sha256(str(sample_id).encode()).hexdigest(),
            "page_count": PAGES_PER_SAMPLE,
            "status": FileStatus.READY,
            "failure_reason": None,
            "upload_key": None,
            "original_key": None,
            "attempts": 1,
            "queued_at": made,
            "uploaded_by_id": people.school_lead[school_of[sample_id]],
            "created_at": made,
        }
        for sample_id in sample_ids
    ]
    file_ids = _insert_returning(connection, SourceFile, files)
    _insert(
        connection,
        Page,
        (
            {
                "sample_id": sample_id,
                "source_file_id": file_id,
                "position": position,
                "index_in_file": position,
                "width": 1240,
                "height": 1754,
                "master_key": secrets.token_hex(16),
                "display_key": secrets.token_hex(16),
                "thumbnail_key": secrets.token_hex(16),
                "text": "",
                "words": [],
                "needs_redaction": False,
                "images_outdated": False,
                "remake_attempts": 0,
                "remake_failure": None,
                "created_at": made,
            }
            for sample_id, file_id in zip(sample_ids, file_ids, strict=True)
            for position in range(PAGES_PER_SAMPLE)
        ),
    )


# Entries, judgements, verdicts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: int
    sample_id: int
    code: str
    attainment: float  # the pupil's true standard, as a position on the scale
    agreed: int | None  # position of the agreed standard


@dataclass(frozen=True)
class JudgementFacts:
    id: int
    entry: Entry
    moderator_id: int
    position: int  # of the standard given
    submitted_at: dt.datetime


def _blind_codes(rng: random.Random, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(rng.choice(BLIND_ALPHABET) for _ in range(6)))
    shuffled = sorted(codes)
    rng.shuffle(shuffled)
    return shuffled


def _entries(
    connection: Connection,
    rng: random.Random,
    *,
    round_id: int,
    people: People,
    framework: FrameworkFacts,
    sample_ids: Sequence[int],
    school_of: dict[int, int],
) -> list[Entry]:
    teacher_position = dict(
        connection.execute(
            sa.select(WorkSample.id, WorkSample.teacher_judgement_id).where(WorkSample.id.in_(sample_ids))
        ).all()
    )
    position_of = {standard_id: index for index, standard_id in enumerate(framework.standard_ids)}
    codes = _blind_codes(rng, len(sample_ids))
    attainments = [position_of[teacher_position[s]] - 0.2 + rng.gauss(0, 0.5) for s in sample_ids]
    # The panel's median of three noisy readings of the pupil's attainment; 5% still undecided.
    agreed = [
        _clamp(statistics.median(a + rng.gauss(0, 0.4) for _ in range(K))) if rng.random() < AGREED_SHARE else None
        for a in attainments
    ]
    added, decided = OPENED - dt.timedelta(days=14), OPENED + dt.timedelta(days=28)
    rows = [
        {
            "round_id": round_id,
            "sample_id": sample_id,
            "school_id": school_of[sample_id],
            "blind_code": code,
            "reason": EntryReason.REQUESTED,
            "added_by_id": people.school_lead[school_of[sample_id]],
            "added_at": added,
            "agreed_standard_id": framework.standard_ids[position] if position is not None else None,
            "agreed_rationale": AGREED_RATIONALE if position is not None else "",
            "agreed_by_id": people.lead_id if position is not None else None,
            "agreed_at": decided + dt.timedelta(seconds=index) if position is not None else None,
            "auto_agreed": False,
            "version": 2 if position is not None else 1,
        }
        for index, (sample_id, code, position) in enumerate(zip(sample_ids, codes, agreed, strict=True))
    ]
    entry_ids = _insert_returning(connection, RoundEntry, rows)
    return [
        Entry(entry_id, sample_id, code, attainment, position)
        for entry_id, sample_id, code, attainment, position in zip(
            entry_ids, sample_ids, codes, attainments, agreed, strict=True
        )
    ]


def _clamp(position: float) -> int:
    return min(5, max(0, round(position)))


def _judgements(
    connection: Connection,
    rng: random.Random,
    people: People,
    framework: FrameworkFacts,
    *,
    entries: Sequence[Entry],
    school_of: dict[int, int],
) -> list[JudgementFacts]:
    """k moderators per sample, none from its school, dealt from a deck of every moderator shuffled again each time
    it runs out: loads stay within one or two, and panels mix as a real allocation's do."""
    deck: list[int] = []
    rows, facts = [], []
    for entry in entries:
        chosen: list[int] = []
        skipped: list[int] = []
        while len(chosen) < K:
            if not deck:
                deck = rng.sample(people.moderators, len(people.moderators))
            moderator = deck.pop()
            if moderator in chosen or people.moderator_school[moderator] == school_of[entry.sample_id]:
                skipped.append(moderator)
            else:
                chosen.append(moderator)
        deck += skipped  # dealt first to the next sample
        for moderator in chosen:
            position = _clamp(entry.attainment + rng.gauss(0, 0.45))
            submitted = OPENED + dt.timedelta(minutes=rng.randrange(20 * 24 * 60))
            rows.append(
                {
                    "entry_id": entry.id,
                    "moderator_id": moderator,
                    "state": JudgementState.SUBMITTED,
                    "standard_id": framework.standard_ids[position],
                    "rationale": " ".join(rng.sample(RATIONALES, 2)),
                    "allocated_at": OPENED - dt.timedelta(days=1),
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "version": 3,
                }
            )
            facts.append((entry, moderator, position, submitted))
    ids = _insert_returning(connection, Judgement, rows)
    return [
        JudgementFacts(judgement_id, entry, moderator, position, submitted)
        for judgement_id, (entry, moderator, position, submitted) in zip(ids, facts, strict=True)
    ]


def _verdict(rng: random.Random, criterion_position: int, given: int) -> Verdict:
    """Met at and below the standard given, mostly not met above it, with some noise and a few gaps."""
    roll = rng.random()
    if roll < 0.03:
        return Verdict.INSUFFICIENT
    met = criterion_position <= given
    return Verdict.MET if met != (roll > 0.9) else Verdict.NOT_MET


def _verdicts(
    connection: Connection, rng: random.Random, framework: FrameworkFacts, judgements: Sequence[JudgementFacts]
) -> int:
    rows = (
        {
            "judgement_id": judgement.id,
            "criterion_id": criterion_id,
            "verdict": _verdict(rng, criterion_position, judgement.position),
            "note": "",
        }
        for judgement in judgements
        for criterion_id, criterion_position in framework.criteria
    )
    return _insert(connection, CriterionJudgement, rows)


# The audit log ------------------------------------------------------------------------------------------


def _audit(
    connection: Connection,
    round_id: int,
    people: People,
    *,
    entries: Sequence[Entry],
    judgements: Sequence[JudgementFacts],
    framework: FrameworkFacts,
) -> int:
    """The round's events in the order they happened: samples entered, judgements opened and submitted,
    outcomes agreed."""
    rows: list[dict[str, Any]] = [
        _event(OPENED - dt.timedelta(days=60), people.lead_id, "round.created", ("moderation_round", round_id), {})
    ]
    for index, entry in enumerate(entries):
        rows.append(
            _event(
                OPENED - dt.timedelta(days=14, seconds=-index),
                people.lead_id,
                "round.sample_entered",
                ("moderation_round", round_id),
                {"entry_id": entry.id},
            )
        )
    rows.append(
        _event(
            OPENED - dt.timedelta(days=1),
            people.lead_id,
            "round.allocated",
            ("moderation_round", round_id),
            {"judgements_created": len(judgements)},
        )
    )
    criteria_ids = [str(criterion_id) for criterion_id, _ in framework.criteria]
    for judgement in sorted(judgements, key=lambda j: j.submitted_at):
        opened = judgement.submitted_at - dt.timedelta(minutes=25)
        code = framework.standard_codes[judgement.position]
        before = {"state": "not_started", "standard": None, "rationale": "", "criteria": {}}
        after = {
            "state": "submitted",
            "standard": code,
            "rationale": "(as given)",
            "criteria": dict.fromkeys(criteria_ids, "met"),
        }
        rows.append(_event(opened, judgement.moderator_id, "judgement.viewed", ("judgement", judgement.id), {}))
        rows.append(
            _event(
                judgement.submitted_at,
                judgement.moderator_id,
                "judgement.submitted",
                ("judgement", judgement.id),
                {"before": before, "after": after},
            )
        )
    for entry in entries:
        if entry.agreed is None:
            continue
        after = {"standard": framework.standard_codes[entry.agreed], "rationale": "Panel", "auto_agreed": False}
        before = {"standard": None, "rationale": "", "auto_agreed": False}
        rows.append(
            _event(
                OPENED + dt.timedelta(days=28),
                people.lead_id,
                "round.outcome_agreed",
                ("round_entry", entry.id),
                {"before": before, "after": after},
            )
        )
    for row in rows:  # every event is on the round, one of its entries or one of its judgements
        row["round_id"] = round_id
    return _insert(connection, AuditEvent, rows)


def _event(
    moment: dt.datetime, actor_id: int, action: str, subject: tuple[str, int], details: dict[str, Any]
) -> dict[str, Any]:
    subject_type, subject_id = subject
    return {
        "occurred_at": moment,
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "details": details,
    }


# Bulk inserts ------------------------------------------------------------------------------------------


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(connection: Connection, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    """executemany in chunks of CHUNK rows; returns how many rows went in."""
    table = model.__table__
    written = 0
    for chunk in _chunks(rows):
        connection.execute(sa.insert(table), chunk)
        written += len(chunk)
    return written


def _insert_returning(connection: Connection, model: type[Base], rows: Iterable[dict[str, Any]]) -> list[int]:
    """executemany in chunks, with the new rows' ids in the order the rows were given."""
    table = model.__table__
    ids: list[int] = []
    for chunk in _chunks(rows):
        statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids += connection.execute(statement, chunk).scalars().all()
    return ids
