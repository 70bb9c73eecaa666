"""Search of the standards file at 100,000 published exemplars (issue 15): the real service against bare full-text
queries on the same index.

Builds, in a database of its own (a temporary SQLite file and, when ``TEST_DATABASE_URL`` is set, a database made
for it on that PostgreSQL server, ``search_bench_<random>``, dropped at the end), three authorities and 100,000
published exemplars written with bulk inserts (SQLAlchemy Core, executemany in chunks): each a sample of the
demo's frameworks (every phase, key stage and year group they cover, at one of their standards), a live
permission (three in five for its authority, the rest for everyone signed in), and one revision whose content is
shaped as publication makes it: pieces, pages of pupil's writing with numbered annotations, the evidence grid of
the framework's statements and commentary statement by statement, with a summary commentary drawn from a
vocabulary of a few hundred assessment phrases and a Zipf-distributed vocabulary of children's writing. Each
revision's index row is written from ``search_index.searchable``, as publication writes it.

Then 200 queries, varied (one common word, a rare one, two or three words, a quoted phrase, a word found nowhere;
none, one or two filters; the first page or the second), each run:

- through the service, ``search.search`` as the page calls it, for the authority's LA lead: the policy
  (``readable_exemplars``: live permission, scope, never-publish flags, blind holds), the filters, the rank, the
  count, the page of 20 and its snippets;
- bare: the same words as a MATCH (FTS5) or ``@@`` (PostgreSQL) on the index alone, ranked the same way, 20 rows.

Every query is run once first (caches warm), then each is timed once each way, alternating. It prints the
median and 95th percentile of both per database and, as its last line, ``search overhead ratio: X``: the largest
over the databases of p95 service / p95 bare (target at most 2.0).

Run: ``.venv/bin/python benchmarks/standards_search.py`` (SQLite), or with PostgreSQL as well:
``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/standards_search.py``.
``--exemplars`` changes the number (default 100,000).
"""

import sys
from pathlib import Path

# Import from the project, not from beside this script: benchmarks/statistics.py would stand in for the
# standard library's statistics module, which the app's libraries import.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import datetime as dt
import itertools
import os
import random
import secrets
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection

from benchmarks.scratch import benchmark_app, scratch_database
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.accounts.passwords import hash_password
from moderation_hub.db import Base, db
from moderation_hub.education import SchoolPhase, SchoolType
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.samples.models import SampleState, WorkSample
from moderation_hub.standards import search
from moderation_hub.standards.models import (
    Exemplar,
    ExemplarRevision,
    ExemplarSource,
    ExemplarState,
    PublicationPermission,
    PublicationScope,
)
from moderation_hub.standards.search_index import index_insert, index_row, searchable

SEED = 20261208
QUERIES = 200
CHUNK = 5_000
AUTHORITIES = 3
SCHOOLS_PER_AUTHORITY = 40
TARGET = 2.0
MADE = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)

_FEATURES = """
    fronted adverbials, expanded noun phrases, relative clauses, modal verbs, semicolons, dashes, brackets
    for parenthesis, the passive voice, cohesive devices, paragraphs, dialogue, inverted commas, subordinate
    clauses, a range of sentence openers, precise vocabulary, figurative language, similes, metaphors,
    personification, the subjunctive, formal register, informal register, bullet points, headings and
    subheadings, apostrophes for possession, contracted forms, colons before a list, hyphens to avoid
    ambiguity, ellipsis for suspense, rhetorical questions, adverbs of time, conjunctions, prepositions,
    progressive verb forms, present perfect, consistent tense, capital letters, full stops, question marks,
    exclamation marks, commas in lists, commas after fronted adverbials, joined handwriting, phonically
    plausible spellings, common exception words, suffixes, prefixes, homophones, a clear viewpoint,
    atmosphere, characterisation, setting description, a shift of formality, persuasive devices, a balanced
    argument
"""
FEATURES = tuple(" ".join(phrase.split()) for phrase in _FEATURES.split(","))
_QUALITIES = """
    consistently, with some accuracy, confidently, independently, in most pieces, occasionally, with growing
    control, precisely, to good effect, deliberately, inconsistently, securely
"""
QUALITIES = tuple(" ".join(phrase.split()) for phrase in _QUALITIES.split(","))
JUDGEMENTS = (
    "This secures the standard across the collection.",
    "It is not yet consistent enough for the next standard.",
    "The evidence is strongest in the narrative pieces.",
    "Non-fiction pieces show the same control.",
    "Spelling errors remain in longer words but do not impede meaning.",
    "The pupil edits for effect, as the drafts show.",
    "Punctuation is mostly accurate, with some slips under pressure.",
    "The collection meets every statement at this standard.",
)
_STORY = """
    the and a to was he she it of in they said then we I my went there with on dragon castle forest river
    storm village lighthouse cave tunnel secret door key map treasure friend mum dad school teacher dog cat
    rabbit hedgehog owl fox wolf giant witch wizard knight princess king queen robot spaceship planet moon
    star night morning suddenly quietly carefully slowly quickly bravely ran jumped climbed whispered
    shouted looked found opened closed heard saw felt dark cold bright huge tiny ancient mysterious
    glittering shadowy enormous frightened excited nervous happy sad because although however meanwhile
    eventually finally after before when while water cycle evaporation condensation rain cloud bean diary
    plant seed grew skate park letter council uniform speech flood report trip museum volcano lava
    earthquake Romans Vikings Egyptians pyramid mummy invasion shield sword
"""
STORY_WORDS = tuple(_STORY.split())
RARE_WORDS = ("quixotic", "marmalade", "ziggurat", "kaleidoscope", "albatross", "xylophone", "bioluminescent")


@dataclass(frozen=True)
class FrameworkFacts:
    id: int
    years: list[int]
    standards: list[tuple[int, str]]  # (id, code)
    statements: list[tuple[str, str]]  # (code, statement)
    facets: dict[str, str]


# The data -------------------------------------------------------------------------------------------------


def build(exemplars: int) -> tuple[int, list[FrameworkFacts]]:
    """Schema, frameworks, people and ``exemplars`` published exemplars; the LA lead's user id and the frameworks."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, nothing secret
    Base.metadata.create_all(db.engine)
    import_demo_frameworks()
    db.session.commit()
    frameworks = _frameworks()
    db.session.commit()  # SQLite: the session's transaction holds the write lock the bulk inserts need
    with db.engine.begin() as connection:
        lead_id, authorities, schools = _people(connection)
        _exemplars(
            connection,
            rng,
            count=exemplars,
            frameworks=frameworks,
            authorities=authorities,
            schools=schools,
            lead_id=lead_id,
        )
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return lead_id, frameworks


def _frameworks() -> list[FrameworkFacts]:
    facts = []
    for framework in db.session.scalars(sa.select(Framework).order_by(Framework.id)):
        if not framework.year_groups or not framework.standards:
            continue
        facts.append(
            FrameworkFacts(
                id=framework.id,
                years=framework.year_groups,
                standards=[(standard.id, standard.code) for standard in framework.standards],
                statements=[(criterion.code, criterion.statement) for criterion in framework.criteria],
                facets={
                    "phase": framework.phase.value,
                    "key_stage": framework.key_stage.value if framework.key_stage else "",
                    "subject": framework.subject,
                    "framework": str(framework.id),
                },
            )
        )
    return facts


def _people(connection: Connection) -> tuple[int, list[int], dict[int, list[int]]]:
    authorities = _insert_returning(
        connection,
        LocalAuthority,
        [
            {"name": f"Authority {n}", "code": f"BENCH{n}", "kind": "local_authority", "created_at": MADE}
            for n in range(AUTHORITIES)
        ],
    )
    schools: dict[int, list[int]] = {}
    for index, authority_id in enumerate(authorities):
        schools[authority_id] = _insert_returning(
            connection,
            School,
            [
                {
                    "authority_id": authority_id,
                    "urn": f"{900000 + index * 1000 + n}",
                    "name": f"Benchmark Primary School {index}-{n}",
                    "phase": SchoolPhase.PRIMARY,
                    "school_type": SchoolType.PRIMARY,
                    "keep_originals": False,
                    "created_at": MADE,
                }
                for n in range(SCHOOLS_PER_AUTHORITY)
            ],
        )
    (lead_id,) = _insert_returning(
        connection,
        User,
        [
            {
                "email": "la.lead@search.bench.test",
                "display_name": "Search Bench",
                "password_hash": hash_password("benchmark-search-otter-lamp"),
                "session_token": secrets.token_urlsafe(24),
                "is_active": True,
                "created_at": MADE,
                "last_signed_in_at": None,
            }
        ],
    )
    connection.execute(
        sa.insert(Membership.__table__),
        [
            {
                "user_id": lead_id,
                "role": Role.LA_LEAD,
                "school_id": None,
                "authority_id": authorities[0],
                "created_at": MADE,
            }
        ],
    )
    return lead_id, authorities, schools


class Writer:
    """Words for commentary and pupils' writing: assessment phrases, and a Zipf-distributed story vocabulary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.story_weights = list(itertools.accumulate(1 / rank for rank in range(1, len(STORY_WORDS) + 1)))

    def sentence(self) -> str:
        feature, quality = self.rng.choice(FEATURES), self.rng.choice(QUALITIES)
        letter = "ABCDEF"[self.rng.randrange(6)]
        return f"The pupil uses {feature} {quality} in piece {letter}."

    def commentary(self) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(3, 6))]
        sentences.insert(self.rng.randrange(len(sentences)), self.rng.choice(JUDGEMENTS))
        if self.rng.random() < 0.01:
            sentences.append(f"A {self.rng.choice(RARE_WORDS)} appears in the story.")
        return " ".join(sentences)

    def story(self, words: int) -> str:
        chosen = self.rng.choices(STORY_WORDS, cum_weights=self.story_weights, k=words)
        return " ".join(chosen).capitalize() + "."


def _exemplars(
    connection: Connection,
    rng: random.Random,
    *,
    count: int,
    frameworks: list[FrameworkFacts],
    authorities: list[int],
    schools: dict[int, list[int]],
    lead_id: int,
) -> None:
    writer = Writer(rng)
    for first in range(0, count, CHUNK):
        numbers = range(first, min(count, first + CHUNK))
        plan = [(rng.choice(frameworks), authorities[rng.randrange(AUTHORITIES)]) for _ in numbers]
        samples = _insert_returning(
            connection,
            WorkSample,
            [
                {
                    "school_id": rng.choice(schools[authority]),
                    "framework_id": framework.id,
                    "pupil_code": f"S{number:06d}",
                    "year_group": rng.choice(framework.years),
                    "academic_year": 2025,
                    "teacher_judgement_id": rng.choice(framework.standards)[0],
                    "commentary": "",
                    "state": SampleState.SUBMITTED,
                    "created_by_id": lead_id,
                    "created_at": MADE,
                    "updated_at": MADE,
                    "submitted_at": MADE,
                    "version": 1,
                }
                for number, (framework, authority) in zip(numbers, plan, strict=True)
            ],
        )
        sample_rows = connection.execute(
            sa.select(WorkSample.id, WorkSample.year_group, WorkSample.teacher_judgement_id).where(
                WorkSample.id.in_(samples)
            )
        ).all()
        facts = {row.id: row for row in sample_rows}
        connection.execute(
            sa.insert(PublicationPermission.__table__),
            [
                {
                    "sample_id": sample_id,
                    "given_by": "Parent (signed form)",
                    "given_on": MADE.date(),
                    "scope": PublicationScope.AUTHORITY if rng.random() < 0.6 else PublicationScope.INSTALLATION,
                    "expires_on": None,
                    "recorded_by_id": lead_id,
                    "recorded_at": MADE,
                }
                for sample_id in samples
            ],
        )
        exemplar_ids = _insert_returning(
            connection,
            Exemplar,
            [
                {
                    "code": f"{sample_id:016x}",
                    "authority_id": authority,
                    "sample_id": sample_id,
                    "framework_id": framework.id,
                    "standard_id": facts[sample_id].teacher_judgement_id,
                    "year_group": facts[sample_id].year_group,
                    "state": ExemplarState.PUBLISHED,
                    "source": ExemplarSource.OUTSIDE,
                    "round_name": "",
                    "criterion_agreement": [],
                    "outside_note": "Moderated at the cluster meeting.",
                    "draft_commentary": "",
                    "revisions_made": 1,
                    "created_by_id": lead_id,
                    "created_at": MADE,
                    "version": 1,
                }
                for sample_id, (framework, authority) in zip(samples, plan, strict=True)
            ],
        )
        revisions = [
            {
                "exemplar_id": exemplar_id,
                "number": 1,
                "commentary": writer.commentary(),
                "content": _content(rng, writer, framework),
                "published_by_id": lead_id,
                "published_at": MADE,
            }
            for exemplar_id, (framework, _) in zip(exemplar_ids, plan, strict=True)
        ]
        connection.execute(sa.insert(ExemplarRevision.__table__), revisions)
        _index(connection, revisions)
        print(f"  {numbers.stop:,} exemplars written", file=sys.stderr)


def _content(rng: random.Random, writer: Writer, framework: FrameworkFacts) -> dict[str, Any]:
    statements = rng.sample(framework.statements, min(len(framework.statements), rng.randint(3, 6)))
    pages = [
        {
            "position": position,
            "piece": "ABC"[(position - 1) // 2],
            "text": writer.story(rng.randint(60, 160)),
            "annotations": [
                {"number": position * 10 + n, "comment": writer.sentence(), "criteria": [rng.choice(statements)[0]]}
                for n in range(rng.randint(1, 3))
            ],
        }
        for position in range(1, rng.randint(2, 6) + 1)
    ]
    return {
        "pupil": "Pupil A",
        "pieces": [{"letter": letter, "title": writer.story(4)} for letter in "ABC"],
        "pages": pages,
        "grid": {"columns": ["A", "B", "C"], "rows": [{"code": c, "statement": s, "cells": []} for c, s in statements]},
        "commentary": {
            "statements": [{"code": c, "statement": s, "text": writer.sentence()} for c, s in statements[:3]],
            "why_not_next": rng.choice(JUDGEMENTS),
        },
    }


def _index(connection: Connection, revisions: list[dict[str, Any]]) -> None:
    """Each revision's index row, from the text ``search_index.searchable`` finds in it, as publication writes it."""
    rows = [index_row(row["exemplar_id"], searchable(ExemplarRevision(**row))) for row in revisions]
    connection.execute(index_insert(connection.dialect.name), rows)


def _insert_returning(connection: Connection, model: type[Base], rows: Iterable[dict[str, Any]]) -> list[int]:
    table = model.__table__
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, list(rows)).scalars())


# The queries ----------------------------------------------------------------------------------------------


def queries(rng: random.Random, frameworks: list[FrameworkFacts]) -> list[tuple[str, dict[str, str], int]]:
    """200 searches: (words, filters, page)."""
    common = ("dragon", "pupil", "piece", "the", "suddenly", "forest")
    made = []
    for number in range(QUERIES):
        kind = number % 8
        feature = rng.choice(FEATURES)
        words = {
            0: rng.choice(common),
            1: rng.choice(RARE_WORDS),
            2: f"{rng.choice(STORY_WORDS)} {rng.choice(STORY_WORDS)}",
            3: f'"{feature}"',
            4: f"{feature.split()[-1]} {rng.choice(QUALITIES).split()[-1]}",
            5: f"{rng.choice(STORY_WORDS)} {rng.choice(FEATURES).split()[0]} {rng.choice(STORY_WORDS)}",
            6: "unicornicopia",
            7: rng.choice(FEATURES).split()[-1],
        }[kind]
        framework = rng.choice(frameworks)
        choices = {
            "phase": framework.facets["phase"],
            "subject": framework.facets["subject"],
            "framework": framework.facets["framework"],
            "year": str(rng.choice(framework.years)),
            "standard": rng.choice(framework.standards)[1],
        }
        if framework.facets["key_stage"]:
            choices["key_stage"] = framework.facets["key_stage"]
        filters = dict(rng.sample(sorted(choices.items()), rng.choice((0, 0, 1, 1, 2))))
        made.append((words, filters, 2 if rng.random() < 0.2 else 1))
    return made


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(database: str, database_url: str, folder: Path, exemplars: int) -> float:
    app = benchmark_app(database_url, folder, "standards-search-benchmark")
    with app.app_context():
        started = time.perf_counter()
        lead_id, frameworks = build(exemplars)
        print(f"{database}: {exemplars:,} exemplars built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        lead = db.session.execute(sa.select(User).where(User.id == lead_id)).scalar_one()
        planned = queries(random.Random(SEED + 1), frameworks)  # noqa: S311 - reproducible queries
        parsed = [(search.parse(words), filters, page) for words, filters, page in planned]
        service_times, bare_times, found = [], [], 0
        for query, filters, page in parsed:  # warm
            search.search(lead, query, filters, page)
            db.session.execute(search.bare(query)).all()
        for query, filters, page in parsed:
            started = time.perf_counter()
            results = search.search(lead, query, filters, page)
            service_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            db.session.execute(search.bare(query)).all()
            bare_times.append(time.perf_counter() - started)
            found += results.paging.total if results else 0
        db.session.rollback()
    service = (percentile(service_times, 0.5), percentile(service_times, 0.95))
    bare = (percentile(bare_times, 0.5), percentile(bare_times, 0.95))
    print(f"\n{database}, {exemplars:,} exemplars, {QUERIES} queries (load average {os.getloadavg()[0]:.1f})")
    print(f"  service: p50 {service[0] * 1000:8.1f} ms   p95 {service[1] * 1000:8.1f} ms")
    print(f"  bare:    p50 {bare[0] * 1000:8.1f} ms   p95 {bare[1] * 1000:8.1f} ms")
    print(f"  results the service counted over all queries: {found:,}")
    return service[1] / bare[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--exemplars", type=int, default=100_000)
    exemplars = parser.parse_args().exemplars
    databases = [("SQLite", None)]
    if server_url := os.environ.get("TEST_DATABASE_URL"):
        databases.append(("PostgreSQL", server_url))
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="standards-search-") as temporary:
        for database, server in databases:
            folder = Path(temporary) / database
            folder.mkdir()
            place = scratch_database(server, folder, "standards-search")
            with place as database_url:
                ratios[database] = measure(database, database_url, folder, exemplars)
    print()
    for database, ratio in ratios.items():
        print(f"{database}: p95 service / p95 bare = {ratio:.2f} (target at most {TARGET})")
    print(f"search overhead ratio: {max(ratios.values()):.2f}")


if __name__ == "__main__":
    main()
