"""Samples need a framework; these fixtures give the world one (the demo KS2 writing framework)."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.samples.models import WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import upload
from tests.unit.ingestion import samples as files


@pytest.fixture
def ks2_writing(app: object, session: Session) -> Framework:
    results = import_demo_frameworks()
    return next(result.framework for result in results if result.framework.slug == "ks2-writing-ta")


@pytest.fixture
def sample_a(world: World, ks2_writing: Framework) -> WorkSample:
    """A draft Year 6 sample at school A."""
    return create_sample(world.school_a, ks2_writing, SampleDetails("Y6-001", 6, 2025), world.teacher_a)


@pytest.fixture
def essay(client: FlaskClient, world: World, sample_a: WorkSample, session: Session) -> WorkSample:
    """Sample A with the two-page essay PDF uploaded and processed, the teacher signed in."""
    sign_in(client, "teacher.a@example.org")
    assert upload(client, sample_a, ("essay.pdf", files.essay_pdf())).status_code == 302
    session.expire_all()
    assert [page.position for page in sample_a.pages] == [0, 1]
    return sample_a
