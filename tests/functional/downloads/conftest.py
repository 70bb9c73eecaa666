"""A revealed round (the reports' twelve samples from schools A and B, judged by two moderators) for prepared
downloads, and helpers to ask for one as a browser does."""

import re

from flask.testing import FlaskClient

from tests.conftest import post_form
from tests.functional.reports.conftest import fair_moderator, revealed_round  # noqa: F401 - fixtures used here
from tests.functional.rounds.conftest import ks2_writing  # noqa: F401 - a fixture used here

PROGRESS = re.compile(r"^/downloads/(\d+)$")


def ask(client: FlaskClient, kind: str, **arguments: int) -> int:
    """Ask for a download from its page, as a browser does; the id of the download it leads to."""
    query = "&".join(f"{name}={value}" for name, value in arguments.items())
    response = post_form(client, f"/downloads/new/{kind}?{query}", {})
    assert response.status_code == 303, response.status_code
    match = PROGRESS.match(response.location.removeprefix("https://localhost"))
    assert match, response.location
    return int(match.group(1))
