"""Samples need a framework; these fixtures give the world one (the demo KS2 writing framework)."""

import pytest
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.samples.models import WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.factories import World


@pytest.fixture
def ks2_writing(app: object, session: Session) -> Framework:
    results = import_demo_frameworks()
    return next(result.framework for result in results if result.framework.slug == "ks2-writing-ta")


@pytest.fixture
def sample_a(world: World, ks2_writing: Framework) -> WorkSample:
    """A draft Year 6 sample at school A."""
    return create_sample(world.school_a, ks2_writing, SampleDetails("Y6-001", 6, 2025), world.teacher_a)
