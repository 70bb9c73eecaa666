"""An exemplar keeps the framework version it was judged against. Once the framework has a newer version, the
exemplar is marked so on its page, in browse and on its draft, and listed on the curation page to re-judge; it never
moves to the new scale on its own."""

import dataclasses

from flask import Flask
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import framework_spec, import_framework
from moderation_hub.standards import publication, versions
from moderation_hub.standards.models import ExemplarState
from tests.factories import World
from tests.functional.standards.conftest import Library, signed_in

NEWER = "a newer version (2) exists"


def _new_version(session: Session, framework: Framework) -> Framework:
    spec = framework_spec(framework)
    title = spec.title.replace("(demo)", "(demo, revised)")
    created = import_framework(dataclasses.replace(spec, version=spec.version + 1, title=title)).framework
    session.flush()
    return created


def test_nothing_is_marked_while_the_version_judged_against_is_the_newest(
    app: Flask, world: World, library: Library
) -> None:
    code = library.exemplar.code
    assert versions.newer_version(library.exemplar.framework) is None
    assert NEWER not in signed_in(app, world.teacher_b).get(f"/standards/{code}").get_data(as_text=True)
    assert "Older framework version" not in signed_in(app, world.teacher_b).get("/standards").get_data(as_text=True)
    curation = signed_in(app, world.la_lead).get(f"/authorities/{world.authority.id}/standards")
    assert "To re-judge" not in curation.get_data(as_text=True)


def test_a_new_framework_version_marks_the_exemplar_everywhere_and_lists_it_to_rejudge(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    exemplar = library.exemplar
    judged_on, standard = exemplar.framework_id, exemplar.standard_id
    newer = _new_version(session, framework)
    assert newer.version == 2 and newer.id != judged_on

    reader = signed_in(app, world.teacher_b)
    page = reader.get(f"/standards/{exemplar.code}").get_data(as_text=True)
    assert f"Judged against Key stage 2 writing teacher assessment (demo) version 1; {NEWER}." in page
    assert "Pupil A: Year 6, Working at the expected standard (EXS)" in page  # still its old standard
    assert "(version 1)" in page and "demo, revised" not in page
    browse = reader.get("/standards").get_data(as_text=True)
    assert "Older framework version" in browse and "judged against" in browse and NEWER in browse
    practice = reader.get(f"/standards/{exemplar.code}?view=unannotated").get_data(as_text=True)
    assert NEWER in practice

    la_lead = signed_in(app, world.la_lead)
    curation = la_lead.get(f"/authorities/{world.authority.id}/standards").get_data(as_text=True)
    assert "To re-judge (1)" in curation
    assert f'href="/standards/drafts/{exemplar.code}"' in curation
    assert "judged against version 1; version 2 exists" in curation
    draft = la_lead.get(f"/standards/drafts/{exemplar.code}").get_data(as_text=True)
    assert "To re-judge: this exemplar was judged against version 1 of its framework, and version 2 now exists" in draft
    assert la_lead.get(f"/authorities/{world.authority.id}/standards?rejudge_page=2").status_code == 404

    # It never moves: same framework version, same standard, same published content.
    session.refresh(exemplar)
    assert (exemplar.framework_id, exemplar.standard_id) == (judged_on, standard)
    assert exemplar.current.content["framework"]["version"] == 1


def test_a_withdrawn_exemplar_is_not_listed_to_rejudge(
    session: Session, world: World, framework: Framework, library: Library
) -> None:
    _new_version(session, framework)
    assert [item.code for item in versions.to_rejudge(world.authority, 1).exemplars] == [library.exemplar.code]
    publication.withdraw_permission(library.sample, world.lead_a)
    session.flush()
    assert library.exemplar.state is ExemplarState.WITHDRAWN
    found = versions.to_rejudge(world.authority, 1)
    assert found is not None and found.paging.total == 0 and found.exemplars == []
