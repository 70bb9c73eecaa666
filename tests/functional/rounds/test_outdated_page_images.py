"""A page's images that may not show its latest redactions (the worker has yet to burn them in, or could not)
are never sent to a reader outside its school. Submission waits for every page's images, and a submitted
sample's redactions cannot change, so this is a second line of defence: here the flag is set by hand.
"""

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.samples.models import Page
from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld, judging_url


def test_a_moderator_never_gets_the_images_of_a_page_whose_redactions_are_not_burned_in(
    client: FlaskClient, world: World, judging_round: RoundWorld, session: Session
) -> None:
    judgement = next(
        j for e in judging_round.round.entries for j in e.live_judgements if j.moderator_id == world.moderator.id
    )
    page: Page = judgement.entry.sample.pages[0]
    sign_in(client, world.moderator.email)
    urls = [f"{judging_url(judgement)}/pages/1/{variant}.jpg" for variant in ("display", "thumbnail")]
    assert [client.get(url).status_code for url in urls] == [200, 200]

    page.images_outdated, page.remake_failure = True, "it took too long. To try again"
    session.flush()

    assert [client.get(url).status_code for url in urls] == [404, 404]
    school = https_client(client.application)
    sign_in(school, judgement.entry.sample.created_by.email)
    assert school.get(f"/pages/{page.id}/display.jpg").status_code == 200  # its own school still sees it
