"""Every form route refuses hostile and broken input by naming the field, and never answers 500.

The forms are found as a browser finds them: on the pages each role can open in the authorisation matrix's
world (a round in judging) plus a draft sample. Each form is posted as shown, with one field at a time made
hostile (NUL, overlong, bidi override, zero-width space), garbled ("abc") or missing. A POST route that no
page offers must be listed in ``NOT_WALKED`` with the reason, so a new route cannot be missed.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import TestResponse

from moderation_hub.rounds.models import ModerationRound
from moderation_hub.samples.models import FileStatus, Page, SourceFile
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.conftest import matrix_ids

HOSTILE = {
    "NUL": "a\x00b",
    "overlong": "x" * 20_000,
    "bidi override": "Y6\u202e41-0",
    "zero-width space": "Y6\u200b-014",
}
GARBLED = "abc"
FOLLOW = {"rounds.judge"}
_HREF = re.compile(r'href="(/[^"#?]*)')

# Pages each role opens to find forms; ``{...}`` are the matrix's ids.
PAGES: dict[str, tuple[str, ...]] = {
    "anonymous": ("/sign-in", "/forgotten-password"),
    "teacher_a": (
        "/schools/{school_a}/samples/new",
        "/samples/{draft}",
        "/samples/{draft}/edit",
        "/samples/{draft}/evidence",
        "/pages/{draft_page}",
        "/account/password",
        "/conflicts",
    ),
    "la_lead": (
        "/rounds/new",
        "/rounds/{round}",
        "/rounds/{round}/edit",
        "/rounds/{round}/moderators/add",
        "/rounds/{round}/schools/{part_a}/request",
        "/rounds/{round}/entries/{entry_a}/allocation",
        "/rounds/{round}/judgements/{judgement}/reopen",
        "/people/invite",
        "/people/{teacher_a}",
        "/authorities/{authority}/schools/new",
        "/authorities/{authority}/clusters",
        "/clusters/{cluster}/edit",
        "/schools/{school_a}/edit",
        "/schools/{school_a}/settings",
        "/frameworks/import",
        "/authorities/{authority}/standards/rule",
        "/authorities/{authority}/standards/outside",
        "/authorities/{authority}/standards/pairs",
        "/downloads/new/judgements-xlsx?round={round}",
    ),
    "lead_a": ("/rounds/{round}/schools/{part_a}/samples", "/schools/{school_a}/standards"),
    "moderator": ("/rounds/{round}/judging",),
}

# POST routes no page above offers a form for, and why.
NOT_WALKED = {
    "accounts.reset_password": "needs a token from an email; tests/functional/accounts covers its form",
    "accounts.accept_invitation": "needs a token from an email; tests/functional/accounts covers its form",
    "samples.upload": "file uploads are checked by the upload sandbox's own tests",
    "samples.redact_proposals": "takes boxes proposed by find-text, whose query is walked",
    "samples.remove_annotation": "a button on an annotation, which this world has none of",
    "samples.remove_redaction": "a button on a redaction, which this world has none of",
    "samples.remove_file": "a button on a file of a draft sample, which this world has none of",
    "samples.remove_piece": "a button on a piece, which this world has none of",
    "rounds.remove_comment": "a button on a comment, which this world has none of",
    "rounds.reveal_entry": "the outcome form exists only after reveal; tests/functional/rounds covers it",
    "rounds.add_school": "its page offers schools only while the round is set up; the matrix round is judging",
    "rounds.remove_school": "offered only while the round is set up; the matrix round is judging",
    "rounds.drop_moderator": "offered only while the round is set up; the matrix round is judging",
    "rounds.allocate": "offered only while samples are collected; the matrix round is judging",
    "rounds.withdraw_entry": "offered only while samples are collected; the matrix round is judging",
    "samples.submit": "a button offered once the draft has a judgement and pieces; takes only a version",
    "rounds.enter_sample": "offered only while samples are collected; the matrix round is judging",
    "standards.promote": "a button on a candidate, which this world has none of; standards/test_hostile_input.py posts",
    "standards.draft": "needs an exemplar; tests/functional/standards/test_hostile_input.py walks its form",
    "standards.publish": "needs an exemplar; tests/functional/standards/test_hostile_input.py posts it",
    "standards.check": "needs an exemplar; tests/functional/standards/test_hostile_input.py walks its form",
    "standards.permission": "needs an exemplar; tests/functional/standards/test_hostile_input.py walks its form",
    "standards.withdraw": "needs an exemplar; tests/functional/standards/test_hostile_input.py posts it",
    "standards.remove_flag": "a button on a never-publish flag, which this world has none of",
    "standards.remove_pair": "a button on a boundary pair, which this world has none of; "
    "standards/test_compare.py posts it",
    "standards.booklet": "its form shows only with exemplars to print, which this world has none of; "
    "standards/test_booklet_pages.py posts hostile choices",
    "rounds.advance": "offered only when nothing holds the round up; the matrix round waits for judgements. It takes "
    "only a version; tests/functional/rounds/test_round_flow.py posts it",
}


@dataclass
class FormField:
    name: str
    kind: str  # text, prose, password, hidden, select, radio, checkbox, date
    value: str = ""
    label: str = ""
    choices: list[str] = field(default_factory=list)


@dataclass
class PostedForm:
    action: str
    endpoint: str = ""
    token: str = ""
    fields: dict[str, FormField] = field(default_factory=dict)

    def as_shown(self) -> dict[str, object]:
        """What a browser posts for the form untouched: each field's shown or first value."""
        data: dict[str, object] = {}
        for item in self.fields.values():
            if item.kind == "date":
                data[item.name] = ["", "", ""]
            elif item.kind in ("radio", "select") and not item.value and item.choices:
                data[item.name] = item.choices[-1]
            elif item.kind != "checkbox" or item.value:
                data[item.name] = item.value
        return data


class _FormParser(HTMLParser):
    """The POST forms of a page, with their fields as a browser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[PostedForm] = []
        self._form: PostedForm | None = None
        self._select: FormField | None = None
        self._label_for: str | None = None
        self.labels: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "label" or (tag == "legend" and self._form is not None):
            self._label_for = attributes.get("for", "") if tag == "label" else "legend"
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self._form = PostedForm(attributes.get("action", ""))
            self.forms.append(self._form)
        if self._form is not None and attributes.get("name") == "csrf_token":
            self._form.token = attributes.get("value", "")
            return
        if self._form is None or not (name := attributes.get("name")):
            if tag == "option" and self._select is not None:
                self._option(attributes)
            return
        if tag == "textarea":
            self._form.fields[name] = FormField(name, "prose")
        elif tag == "select":
            self._select = self._form.fields.setdefault(name, FormField(name, "select"))
        elif tag == "input":
            self._input(name, attributes)

    def _input(self, name: str, attributes: dict[str, str]) -> None:
        assert self._form is not None
        kind = attributes.get("type", "text")
        if kind in ("submit", "file", "button"):
            return
        known = self._form.fields.get(name)
        if (
            known is not None
            and known.kind in ("text", "date")
            and attributes.get("id", "").endswith(("-month", "-year"))
        ):
            known.kind = "date"
            return
        if kind in ("radio", "checkbox"):
            item = self._form.fields.setdefault(name, FormField(name, kind))
            item.choices.append(attributes.get("value", "on"))
            if "checked" in attributes:
                item.value = attributes.get("value", "on")
            return
        kind = kind if kind in ("hidden", "password") else "text"
        self._form.fields[name] = FormField(name, kind, attributes.get("value", ""), attributes.get("aria-label", ""))

    def _option(self, attributes: dict[str, str]) -> None:
        assert self._select is not None
        self._select.choices.append(attributes.get("value", ""))
        if "selected" in attributes:
            self._select.value = attributes.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._label_for is not None and data.strip():
            self.labels.setdefault(self._label_for, data.strip())
            self._label_for = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class _Walk:
    app: Flask
    failures: list[str] = field(default_factory=list)
    walked: set[tuple[str, str]] = field(default_factory=set)

    def get_endpoint(self, url: str) -> str | None:
        try:
            return self.app.url_map.bind("localhost").match(
                url.split("?", maxsplit=1)[0].split("#", maxsplit=1)[0], method="GET"
            )[0]
        except (NotFound, MethodNotAllowed):
            return None

    def endpoint(self, url: str) -> str | None:
        try:
            return self.app.url_map.bind("localhost").match(url.split("?", maxsplit=1)[0], method="POST")[0]
        except (NotFound, MethodNotAllowed):
            return None

    def post(self, client: FlaskClient, form: PostedForm, data: dict[str, object], case: str, named: str | None):
        """Post ``data``; when ``named``, it must be refused (4xx, or shown again) with that field named."""
        response = client.post(form.action, data={**data, "csrf_token": form.token})
        where = f"{form.action} {case}"
        if response.status_code >= 500:
            self.failures.append(f"{where}: answered {response.status_code}")
        elif named is not None and (problem := self._problem(client, response, form.fields[named])):
            self.failures.append(f"{where}: {problem}")

    @staticmethod
    def _problem(client: FlaskClient, response: TestResponse, item: FormField) -> str | None:
        if response.status_code in (302, 303):
            # Some buttons refuse by flashing the problem on the page they return to.
            shown = client.get(response.headers["Location"]).get_data(as_text=True)
            return None if "govuk-error-summary" in shown else f"accepted (answered {response.status_code})"
        if not _names(response.get_data(as_text=True), item):
            return f"answered {response.status_code} without naming the field"
        return None

    def walk(self, client: FlaskClient, form: PostedForm) -> None:
        shown = form.as_shown()
        for item in form.fields.values():
            # Hidden fields carry what the page set (a version, a button's value): tampering only must not break.
            named = None if item.kind == "hidden" else item.name
            for case, value in _hostile_cases(item):
                self.post(client, form, {**shown, item.name: value}, f"{item.name}={case}", named)
            if item.kind in ("select", "radio", "hidden", "date"):
                garbled = [GARBLED] * 3 if item.kind == "date" else GARBLED
                self.post(client, form, {**shown, item.name: garbled}, f"{item.name} garbled", named)
            # Which fields are required the page does not say; a missing one must never break.
            missing = {key: value for key, value in shown.items() if key != item.name}
            self.post(client, form, missing, f"{item.name} missing", None)


def _hostile_cases(item: FormField) -> list[tuple[str, str]]:
    """Prose may hold bidi and zero-width characters (right-to-left scripts, emoji); passwords anything."""
    if item.kind == "prose":
        return [(case, HOSTILE[case]) for case in ("NUL", "overlong")]
    return list(HOSTILE.items()) if item.kind in ("text", "hidden") else []


def _names(body: str, item: FormField) -> bool:
    """The answer points at the field: an error summary link or message for it, a message starting with its
    label, or a JSON error naming it."""
    marks = [f'href="#{item.name}', f'id="{item.name}-error"', f'"field":"{item.name}"', f'"field": "{item.name}"']
    if item.label:
        marks.append(f"{item.label} must")
    return any(mark in body for mark in marks)


def _draft_page(world: World, page: Page, session: Session) -> Page:
    """A draft sample of school A with one page, so the sample's editing forms are offered."""
    sample = create_sample(world.school_a, page.sample.framework, SampleDetails("Y6-901", 6, 2025), world.teacher_a)
    source = SourceFile(
        school_file_name="draft.jpg", kind="jpeg", byte_size=1, sha256="1" * 64, page_count=1, status=FileStatus.READY
    )
    sample.files.append(source)
    keys = {name: getattr(page, name) for name in ("master_key", "display_key", "thumbnail_key")}
    draft = Page(sample=sample, source_file=source, position=0, index_in_file=0, width=1, height=1, **keys)
    session.add(draft)
    session.flush()
    return draft


def test_every_form_refuses_bad_input_by_name_and_never_answers_500(
    app: Flask,
    world: World,
    framework_slug: str,
    page_a: Page,
    round_a: ModerationRound,
    session: Session,
) -> None:
    draft = _draft_page(world, page_a, session)
    ids = {**matrix_ids(world, framework_slug, page_a, round_a), "draft": draft.sample_id, "draft_page": draft.id}
    walk = _Walk(app)
    for role, pages in PAGES.items():
        client = https_client(app)
        if role != "anonymous":
            sign_in(client, getattr(world, role).email)
        links = [page.format(**ids) for page in pages]
        for url in links:
            html = client.get(url).get_data(as_text=True)
            # The judging pages are reached from the queue, whatever their URLs look like.
            links += [href for href in _HREF.findall(html) if walk.get_endpoint(href) in FOLLOW and href not in links]
            parser = _FormParser()
            parser.feed(html)
            for form in parser.forms:
                for item in form.fields.values():
                    item.label = item.label or parser.labels.get(item.name, "")
                form.action = form.action or url
                endpoint = walk.endpoint(form.action)
                if endpoint is None or endpoint in ("accounts.sign_out",) or (role, endpoint) in walk.walked:
                    continue
                walk.walked.add((role, endpoint))
                form.endpoint = endpoint
                walk.walk(client, form)
    walked = {endpoint for _role, endpoint in walk.walked}
    not_walked = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and rule.endpoint not in walked | set(NOT_WALKED) | {"accounts.sign_out"}
    }
    assert walk.failures == [], "\n".join(walk.failures)
    assert not_walked == set(), "POST routes neither walked nor listed in NOT_WALKED"
