"""The exemplar page and the curation page's list to re-judge cost the same SQL statements however many revisions an
exemplar has and however many exemplars are on an older framework version."""

import dataclasses
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import framework_spec, import_framework
from moderation_hub.standards import publication
from moderation_hub.standards.commentary import Commentary
from tests.factories import World, make_exemplar
from tests.functional.conftest import statements_on
from tests.functional.standards.conftest import Library, signed_in


def _count(client: object, connection: Connection, url: str) -> int:
    client.get(url)  # type: ignore[attr-defined]  # warm: the first request loads the session's user
    with statements_on(connection) as statements:
        assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    return len(statements)


def test_the_exemplar_page_costs_the_same_with_one_revision_as_with_five(
    app: Flask, session: Session, connection: Connection, world: World, library: Library
) -> None:
    exemplar = library.exemplar
    client = signed_in(app, world.teacher_b)
    views: list[dict[str, object]] = [{}, {"view": "unannotated"}]

    def url(query: dict[str, object]) -> str:
        return f"/standards/{exemplar.code}" + (f"?{urlencode(query)}" if query else "")

    counts = [[_count(client, connection, url(query))] for query in views]
    for number in range(4):
        written = Commentary(f"Summary {number}", "Not GDS", {"EXS.1": f"Piece A, page 1, reading {number}"})
        publication.save_commentary(exemplar, written, exemplar.version, world.la_lead)
    session.flush()
    assert len(exemplar.revisions) == 5
    for query, found in zip(views, counts, strict=True):
        found.append(_count(client, connection, url(query)))
        found.append(_count(client, connection, url({**query, "revision": 2})))
    assert all(len(set(found)) == 1 for found in counts), counts


def test_the_curation_page_costs_the_same_with_one_exemplar_to_rejudge_as_with_seven(
    app: Flask, session: Session, connection: Connection, world: World, framework: Framework, library: Library
) -> None:
    spec = framework_spec(framework)
    import_framework(dataclasses.replace(spec, version=spec.version + 1))
    session.flush()
    client = signed_in(app, world.la_lead)
    url = f"/authorities/{world.authority.id}/standards"
    one = _count(client, connection, url)
    assert "To re-judge (1)" in client.get(url).get_data(as_text=True)
    for code in ("WTS", "EXS", "GDS", "EXS", "WTS", "GDS"):
        make_exemplar(session, world.school_a, world.teacher_a, framework, code)
    session.flush()
    assert "To re-judge (7)" in client.get(url).get_data(as_text=True)
    assert _count(client, connection, url) == one
