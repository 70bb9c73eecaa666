"""On S3 as on local storage, one page's image reaches the school, a moderator judging it and the panel at its
reveal through the app alone: three unrelated ETags, none S3's own or any piece of the key, no redirect to the
bucket, and each view's browser revalidates with its own tag without the object being read."""

import re

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import services
from moderation_hub.rounds.models import Judgement, RoundEntry, RoundKind, RoundState
from moderation_hub.samples.models import Page
from moderation_hub.storage import storage_of
from tests.conftest import https_client, sign_in
from tests.factories import World, make_ready_sample
from tests.functional.rounds.conftest import judging_url
from tests.storage_server import S3Server

STRIP_THUMBNAIL = re.compile(r'class="mh-page-strip__thumbnail" src="([^"]+)"')


@pytest.fixture
def judged(s3_app: Flask, session: Session, world: World, ks2_writing: Framework) -> Judgement:
    """School A's sample, its page stored on S3, allocated to the moderator in a round that is judging."""
    with s3_app.app_context():
        sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "EXS")
    round_ = services.create_round(
        world.authority,
        services.RoundSettings("Year 6 writing", RoundKind.LA_MODERATION, 2025, [ks2_writing.id]),
        world.la_lead,
    )
    services.add_school(round_, world.school_a, world.la_lead)
    services.add_moderator(round_, world.moderator, None, world.la_lead)
    round_.state = RoundState.JUDGING
    entry = RoundEntry(round=round_, sample=sample, school_id=sample.school_id, blind_code="QX7K2M")
    judgement = Judgement(entry=entry, moderator_id=world.moderator.id)
    session.add_all([entry, judgement])
    session.flush()
    return judgement


def _image_url(client: FlaskClient, page_url: str, bucket_origin: str) -> str:
    """The page's thumbnail as a browser finds it in the view's page strip; the page loads nothing from the bucket."""
    html = client.get(page_url).text
    assert bucket_origin not in html
    match = STRIP_THUMBNAIL.search(html)
    assert match, page_url
    return match.group(1)


def _revealed_page_url(client: FlaskClient, round_id: int) -> str:
    """The sample's page in the reveal, followed from the round's reveal list as the panel follows it."""
    links = re.findall(rf'href="(/rounds/{round_id}/reveal/[^"/#?]+)"', client.get(f"/rounds/{round_id}/reveal").text)
    assert len(set(links)) == 1, links
    return links[0]


def _etag(client: FlaskClient, url: str) -> str:
    """The image's ETag in this view, once the app has sent the image itself: never a redirect."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content_type == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, max-age=300, immutable"  # as the local backend's
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    return response.headers["ETag"]


def _pieces(key: str) -> set[str]:
    """Every run of eight characters of the key: no URL or tag may carry even a piece of it."""
    return {key[start : start + 8] for start in range(len(key) - 7)}


def test_one_image_on_s3_has_an_unrelated_etag_in_each_view_and_never_sends_the_browser_to_the_bucket(
    s3_app: Flask, s3_server: S3Server, session: Session, world: World, judged: Judgement
) -> None:
    page: Page = judged.entry.sample.pages[0]
    school, moderator, panel = (https_client(s3_app) for _ in range(3))
    sign_in(school, world.teacher_a.email)
    sign_in(moderator, world.moderator.email)
    sign_in(panel, world.la_lead.email)
    bucket = s3_server.endpoint_url
    urls = [_image_url(school, f"/pages/{page.id}", bucket), _image_url(moderator, judging_url(judged), bucket)]
    tags = [_etag(school, urls[0]), _etag(moderator, urls[1])]
    judged.entry.round.state = RoundState.REVEAL
    session.flush()
    urls.append(_image_url(panel, _revealed_page_url(panel, judged.entry.round_id), bucket))
    tags.append(_etag(panel, urls[2]))

    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint_url, region_name=s3_server.region)
    stored = {"Bucket": s3_server.bucket, "Key": f"{storage_of(s3_app).prefix}/{page.thumbnail_key}"}
    s3_tag = s3.head_object(**stored)["ETag"]
    assert len(set(tags)) == 3
    assert s3_tag not in tags
    keys = (page.master_key, page.display_key, page.thumbnail_key)
    for text in (*urls, *tags):
        assert not any(piece in text for key in keys for piece in _pieces(key)), text

    # With the object gone, a browser holding its own view's tag still gets 304: the app answered without reading
    # it. Another view's tag is no match, so that browser is sent the image, which is no longer there.
    s3.delete_object(**stored)
    assert school.get(urls[0], headers={"If-None-Match": tags[0]}).status_code == 304
    assert panel.get(urls[2], headers={"If-None-Match": tags[2]}).status_code == 304
    assert panel.get(urls[2], headers={"If-None-Match": tags[0]}).status_code == 404
