"""A moderator's own report: their judgements against the agreed outcomes, and nobody else's."""

import io
import zipfile

from flask.testing import FlaskClient

from tests.conftest import sign_in
from tests.factories import World
from tests.functional.reports.conftest import RevealedRound, csv_figures, figure, page_tables


def _everything_they_can_download(client: FlaskClient) -> list[str]:
    page = client.get("/reports/me").get_data(as_text=True)
    _, charts = page_tables(page)
    bodies = [page, client.get("/reports/me.csv").get_data(as_text=True)]
    with zipfile.ZipFile(io.BytesIO(client.get("/reports/me.xlsx").data)) as workbook:
        bodies += [workbook.read(name).decode() for name in workbook.namelist()]
    bodies += [client.get(url).get_data(as_text=True) for url in charts.values()]
    return bodies


def test_moderator_sees_only_their_own_figures(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    harsh, fair = revealed_round.harsh, revealed_round.fair
    sign_in(client, harsh.email)
    rows = csv_figures(client, "/reports/me.csv")
    assert figure(rows, "my_overall", "All your judgements", "exact")["value"] == str(round(1 / 12, 6))
    assert figure(rows, "my_overall", "All your judgements", "severity")["value"] == "Severe"
    assert {row["section"] for row in rows} == {"report", "my_overall", "my_rounds", "my_confusion"}
    for body in _everything_they_can_download(client):
        assert fair.display_name not in body
        assert fair.email not in body
        assert world.school_a.name not in body  # a moderator's report needs no school


def test_the_other_moderator_gets_their_own_report(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    sign_in(client, revealed_round.fair.email)
    rows = csv_figures(client, "/reports/me.csv")
    assert figure(rows, "my_overall", "All your judgements", "exact")["value"] == "1.0"
    assert figure(rows, "my_overall", "All your judgements", "severity")["value"] == "In line"
    assert all(revealed_round.harsh.display_name not in body for body in _everything_they_can_download(client))


def test_someone_who_has_not_moderated_has_an_empty_report(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    sign_in(client, world.teacher_a.email)
    page = client.get("/reports/me").get_data(as_text=True)
    assert "There is nothing to report yet" in page
    assert client.get("/reports/me/charts/my_confusion.svg").status_code == 404
    rows = csv_figures(client, "/reports/me.csv")
    assert {row["section"] for row in rows} == {"report"}
