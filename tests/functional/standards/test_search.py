"""Search of the standards file: the words of every part of an exemplar, filtered, ranked, escaped, paged, within the
reader's scope, and gone at once when the exemplar is; the same on SQLite and PostgreSQL (each test runs on both)."""

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundState
from moderation_hub.standards import publication, search, search_index
from moderation_hub.standards.models import Exemplar, ExemplarRevision, PublicationScope
from tests.conftest import https_client
from tests.factories import World, make_entry, make_round, make_user
from tests.functional.conftest import statements_on
from tests.functional.standards.conftest import (
    PUPIL_TEXT,
    Library,
    judged_sample,
    publish_through_services,
    revealed_round,
    signed_in,
)

MIGRATION = Path(__file__).parents[3] / "migrations" / "versions"


def revised(session: Session, exemplar: Exemplar, commentary: str, **content: object) -> ExemplarRevision:
    """A new revision of a published exemplar, as publication makes one (its content changed by ``content``)."""
    current = exemplar.current
    assert current is not None
    exemplar.revisions_made += 1
    revision = ExemplarRevision(
        number=exemplar.revisions_made, commentary=commentary, content={**current.content, **content}
    )
    exemplar.revisions.append(revision)
    session.flush()
    search_index.index_revision(exemplar, revision)
    return revision


def codes(world: World, words: str, **filters: str) -> list[str]:
    found = search.search(world.teacher_b, search.parse(words), filters, 1)
    assert found is not None
    return [item.code for item in found.found]


def another(session: Session, world: World, framework: Framework, pupil: str, agreed: str = "EXS") -> Exemplar:
    round_ = revealed_round(session, world, framework, f"Round of {pupil}")
    entry = judged_sample(
        session, world, framework, round_, pupil, {world.moderator: agreed, world.teacher_b: agreed}, agreed=agreed
    )
    exemplar = publish_through_services(world, entry, PublicationScope.AUTHORITY)
    session.flush()
    return exemplar


def test_search_finds_the_words_of_commentary_statements_annotations_and_the_pupils_work(
    session: Session, world: World, framework: Framework, library: Library
) -> None:
    code = library.exemplar.code
    statement = next(row for row in library.exemplar.current.content["grid"]["rows"])["statement"]  # type: ignore[union-attr]
    for words in ("fronted adverbials", "Fronted adverbial used well", statement, "dragon", '"village waited"'):
        assert codes(world, words) == [code], words
    assert codes(world, "dragon unicorn") == []  # every word must appear
    assert codes(world, '"waited village"') == []  # a phrase's words in its order


def test_case_accents_and_punctuation_fold_the_same_way_in_the_index_and_the_query(
    session: Session, world: World, library: Library
) -> None:
    revised(session, library.exemplar, "Uses a café's menu as a model; Year-6 register. STRAẞE")
    for words in ("CAFE", "café", "Cafe\u0301", "year 6", "year-6", '"year 6"', "strasse", "cafe s menu"):
        assert codes(world, words) == [library.exemplar.code], words
    assert codes(world, "year-7") == []


def test_the_best_match_comes_first(session: Session, world: World, framework: Framework, library: Library) -> None:
    second = another(session, world, framework, "Y6-002")
    third = another(session, world, framework, "Y6-003")
    revised(session, second, "Semicolons, semicolons and more semicolons: the semicolons mark every clause.")
    revised(session, third, "One semicolon in a long commentary about many other things the pupil does well.")
    assert codes(world, "semicolons") == [second.code]
    assert codes(world, "semicolon") == [third.code]  # no stemming: a word is found as written
    # Commentary weighs more than the pupil's own words: the dragon is in every exemplar's page text.
    revised(session, third, "The dragon is described vividly: the dragon's scales, the dragon's breath.")
    assert codes(world, "dragon")[0] == third.code
    assert sorted(codes(world, "dragon")) == sorted([library.exemplar.code, second.code, third.code])


def test_filters_narrow_the_results_by_each_facet(
    session: Session, world: World, framework: Framework, library: Library
) -> None:
    greater = another(session, world, framework, "Y6-GDS", agreed="GDS")
    both = sorted([library.exemplar.code, greater.code])
    assert sorted(codes(world, "dragon")) == both
    assert codes(world, "dragon", standard="GDS") == [greater.code]
    assert sorted(codes(world, "dragon", phase="primary", key_stage="KS2", subject=framework.subject)) == both
    assert sorted(codes(world, "dragon", year="6", framework=str(framework.id))) == both
    assert codes(world, "dragon", year="2") == codes(world, "dragon", phase="secondary") == []
    assert codes(world, "dragon", framework="0") == codes(world, "dragon", key_stage="KS9") == []
    assert codes(world, "dragon", year="six") == codes(world, "dragon", year="\x00") == []


def test_the_page_shows_filters_count_and_snippets_escaped_with_the_words_marked(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    revised(session, library.exemplar, 'The <script>alert("x")</script> dragon & its <b>hoard</b>')
    reader = signed_in(app, world.teacher_b)
    response = reader.get("/standards/search?q=dragon+hoard&standard=EXS")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 exemplar found" in body and 'role="status"' in body and 'role="search"' in body
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>dragon</mark> &amp; its &lt;b&gt;<mark>hoard</mark>"
        in body
    )
    assert "<script>alert" not in body and "<b>hoard" not in body
    assert f'href="/standards/{library.exemplar.code}"' in body
    assert '<label class="govuk-label" for="standard">' in body
    assert 'action="/standards/search"' in reader.get("/standards").get_data(as_text=True)  # the browse page leads here
    empty = reader.get("/standards/search").get_data(as_text=True)
    assert "found" not in empty and "Words to find" in empty


HOSTILE = [
    '"',
    '""',
    '"dragon',
    "dragon OR hill",
    "NEAR(dragon hill)",
    "dragon*",
    "*",
    "-dragon",
    "dragon AND NOT hill",
    "commentary:dragon",
    "^dragon",
    "dragon'",
    "'",
    "\\",
    "(((",
    "dragon & | ! <-> hill",
    "dragon:*",
    "'dragon' | 'x'",
    "x" * 5000,
    "word " * 200,
    "%",
    "_",
    "\u00a0\u3000",
    "🐉 dragon",
]


@pytest.mark.parametrize("words", HOSTILE)
def test_no_query_is_syntax_to_the_database(app: Flask, world: World, library: Library, words: str) -> None:
    found = search.search(world.teacher_b, search.parse(words), {}, 1) if search.parse(words) else None
    assert found is None or found.paging.total in (0, 1)
    response = signed_in(app, world.teacher_b).get("/standards/search", query_string={"q": words})
    assert response.status_code in (200, 400)
    if len(words) <= search.LONGEST_QUERY:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("words", "filters"),
    [
        ("dragon\x00", {}),
        ("\x1b[31mdragon", {}),
        ("\u202edragon", {}),
        ("dra\u200bgon", {}),
        ("dragon", {"year": "\x00"}),
        ("dragon", {"phase": "everything"}),
        ("dragon", {"framework": "1 OR 1=1"}),
        ("x" * 201, {}),
    ],
)
def test_what_the_text_rules_refuse_is_answered_400_with_its_reason(
    app: Flask, world: World, library: Library, words: str, filters: dict[str, str]
) -> None:
    response = signed_in(app, world.teacher_b).get("/standards/search", query_string={"q": words, **filters})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)


def test_scope_authority_installation_and_a_blind_moderator(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    round_ = revealed_round(session, world, framework, "Wider round")
    everyone = judged_sample(session, world, framework, round_, "ALL", {world.moderator: "EXS", world.teacher_b: "EXS"})
    wide = publish_through_services(world, everyone, PublicationScope.INSTALLATION)
    session.flush()

    def found_by(person: object) -> list[str]:
        result = search.search(person, search.parse("dragon"), {}, 1)  # type: ignore[arg-type]
        assert result is not None
        return sorted(item.code for item in result.found)

    assert found_by(world.teacher_b) == found_by(world.la_lead) == sorted([library.exemplar.code, wide.code])
    assert found_by(world.teacher_c) == found_by(world.other_la_lead) == [wide.code]  # another authority
    blind = make_user(session, email="blind.searcher@example.org")
    open_round = make_round(session, world.authority, framework, RoundState.JUDGING, name="Open round")
    make_entry(session, open_round, library.sample, {blind: None})
    session.flush()
    assert found_by(blind) == [wide.code]
    page = signed_in(app, blind).get("/standards/search?q=dragon").get_data(as_text=True)
    assert library.exemplar.code not in page and "1 exemplar found" in page


def test_the_public_searches_public_exemplars_only_where_the_installation_allows_it(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    round_ = revealed_round(session, world, framework, "Public round")
    entry = judged_sample(session, world, framework, round_, "PUB", {world.moderator: "EXS", world.teacher_b: "EXS"})
    public = publish_through_services(world, entry, PublicationScope.PUBLIC)
    session.flush()
    anonymous = https_client(app)
    assert anonymous.get("/standards/search?q=dragon").status_code == 302  # off by default: to sign in
    app.config["STANDARDS_PUBLIC"] = True
    body = anonymous.get("/standards/search?q=dragon").get_data(as_text=True)
    assert public.code in body and library.exemplar.code not in body and "1 exemplar found" in body


def _withdraw(session: Session, world: World, library: Library, _monkeypatch: pytest.MonkeyPatch) -> None:
    publication.withdraw_permission(library.sample, world.lead_a)


def _expire(session: Session, world: World, library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    today = clock.today()
    permission = publication.live_permission(library.sample)
    assert permission is not None
    permission.expires_on = today
    monkeypatch.setattr(clock, "today", lambda: today + dt.timedelta(days=1))


def _flag(session: Session, world: World, library: Library, _monkeypatch: pytest.MonkeyPatch) -> None:
    publication.flag_never_publish(world.school_a, library.sample.pupil_code, world.lead_a)


def _index_rows(session: Session) -> int:
    return session.execute(text("SELECT count(*) FROM exemplar_search")).scalar_one()


@pytest.mark.parametrize("end", [_withdraw, _expire, _flag], ids=["withdrawn", "expired", "never publish"])
def test_when_permission_ends_search_finds_nothing_at_once(
    app: Flask, session: Session, world: World, library: Library, end: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = signed_in(app, world.teacher_b)
    assert library.exemplar.code in reader.get("/standards/search?q=dragon").get_data(as_text=True)
    assert _index_rows(session) == 1
    end(session, world, library, monkeypatch)  # type: ignore[operator]
    session.flush()
    body = reader.get("/standards/search?q=dragon").get_data(as_text=True)
    assert library.exemplar.code not in body and "0 exemplars found" in body
    assert codes(world, "dragon") == []
    publication.delete_lapsed_copies()  # the hourly sweep, for an expiry: the row goes with the copy
    session.flush()
    assert _index_rows(session) == 0


def test_results_come_a_page_at_a_time_equal_matches_by_code_and_past_the_last_page_is_404(
    app: Flask, session: Session, world: World, framework: Framework, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RESULTS_PER_PAGE", 2)
    others = [another(session, world, framework, f"Y6-P{number}") for number in range(2)]
    everyone = sorted([library.exemplar.code, *(exemplar.code for exemplar in others)])
    first, second = (search.search(world.teacher_b, search.parse("dragon"), {}, page) for page in (1, 2))
    assert first is not None and second is not None
    assert [item.code for item in first.found + second.found] == everyone
    assert first.paging.total == second.paging.total == 3 and first.paging.pages == 2
    assert search.search(world.teacher_b, search.parse("dragon"), {}, 3) is None
    reader = signed_in(app, world.teacher_b)
    body = reader.get("/standards/search?q=dragon&page=2").get_data(as_text=True)
    assert "3 exemplars found, page 2 of 2" in body
    assert reader.get("/standards/search?q=dragon&page=3").status_code == 404
    assert reader.get("/standards/search?q=dragon&page=0").status_code == 404


def test_the_search_page_runs_as_many_statements_for_three_results_as_for_one(
    app: Flask, session: Session, connection: Connection, world: World, framework: Framework, library: Library
) -> None:
    reader = signed_in(app, world.teacher_b)

    def counted() -> int:
        with statements_on(connection, "SELECT") as statements:
            assert reader.get("/standards/search?q=dragon&year=6").status_code == 200
        return len(statements)

    one = counted()
    for number in range(2):
        another(session, world, framework, f"Y6-S{number}")
    assert counted() == one


def test_the_index_exists_under_create_all_exactly_as_the_migration_makes_it(session: Session) -> None:
    (path,) = MIGRATION.glob("*_standards_search_index_*.py")
    spec = importlib.util.spec_from_file_location("search_index_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.CREATE == search_index.CREATE
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        made = session.scalar(text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": search_index.TABLE})
        assert made == search_index.CREATE["sqlite"][0]
    else:
        index = session.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = :name AND indexname LIKE 'ix_%'"),
            {"name": search_index.TABLE},
        )
        assert index is not None and "USING gin (document)" in index
        kind = session.scalar(
            text(
                "SELECT data_type FROM information_schema.columns WHERE table_name = :name AND column_name = 'document'"
            ),
            {"name": search_index.TABLE},
        )
        assert kind == "tsvector"


def test_the_searchable_text_of_a_revision_includes_commentary_by_statement(library: Library) -> None:
    revision = library.exemplar.current
    assert revision is not None
    content = {
        **revision.content,
        "commentary": {
            "statements": [{"code": "EXS.1", "statement": "s", "text": "Quoted in piece B"}],
            "why_not_next": "Not yet GDS",
        },
    }
    found = search_index.searchable(ExemplarRevision(commentary="Summary", content=content))
    assert "Quoted in piece B" in found.commentary and "Not yet GDS" in found.commentary
    assert PUPIL_TEXT in found.page_text and "Fronted adverbial used well" in found.annotations
