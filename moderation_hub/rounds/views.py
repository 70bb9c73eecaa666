"""Setting up and running a round: the lead's pages. Each state change is a POST button with the version seen."""

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField

from moderation_hub import clock
from moderation_hub.accounts.models import Role, User
from moderation_hub.db import db, get_or_404
from moderation_hub.education import Phase
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.permissions import Permission, authorize, can, readable_rounds
from moderation_hub.rounds import assign, judging, overview, services
from moderation_hub.rounds.access import attempt, part_of, round_for
from moderation_hub.rounds.blueprint import blueprint
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.forms import (
    ActionForm,
    AddModeratorForm,
    AddSchoolForm,
    AdvanceForm,
    OverrideForm,
    ReopenForm,
    RoundForm,
    SampleRequestForm,
    WidenForm,
)
from moderation_hub.rounds.models import (
    Judgement,
    ModerationRound,
    RoundEntry,
    RoundKind,
    RoundModerator,
    RoundSchool,
    RoundState,
    SampleRequestKind,
)
from moderation_hub.rounds.overview import Row
from moderation_hub.rounds.paging import Paging, paging
from moderation_hub.templating import render_form_page, show_error
from moderation_hub.text_rules import TextKind, text_problem

ROUNDS_PER_PAGE = 50


@blueprint.get("/rounds")
@login_required
def index() -> str:
    """The rounds the signed-in person may read, newest first, a page at a time: chosen by the policy's query,
    so the page costs the same statements however many rounds there are."""
    authorize(Permission.ROUND_LIST)
    readable = (
        select(ModerationRound)
        .where(ModerationRound.id.in_(readable_rounds(current_user)))
        .order_by(ModerationRound.created_at.desc(), ModerationRound.id.desc())
    )
    listed = overview.page_of(readable, ROUNDS_PER_PAGE, _number("page"))
    if listed is None:
        abort(404)
    page, rounds = listed
    return render_template("rounds/index.html", page=page, rounds=rounds)


def _authority_for_new_round() -> tuple[LocalAuthority, Cluster | None]:
    """LA leads run rounds for their authority; an assessment lead runs their own cluster's meeting."""
    led = current_user.authorities_with_role(Role.LA_LEAD)
    if led:
        return db.session.get_one(LocalAuthority, led[0]), None
    cluster = next(
        m.school.cluster
        for m in current_user.memberships
        if m.role is Role.ASSESSMENT_LEAD and m.school and m.school.cluster
    )  # ROUND_CREATE has checked there is one
    return cluster.authority, cluster


@blueprint.route("/rounds/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int] | str:
    authorize(Permission.ROUND_CREATE)
    authority, own_cluster = _authority_for_new_round()
    form = _round_form(RoundForm(), authority, own_cluster)
    if form.validate_on_submit():
        try:
            round_ = services.create_round(authority, _settings(form, own_cluster), current_user)
        except RoundError as error:
            show_error(form, error)
        else:
            flash("Round created. Add the schools and moderators next.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id))
    return render_form_page("rounds/edit.html", form, round_=None, authority=authority)


@blueprint.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id: int) -> Response | tuple[str, int] | str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    own_cluster = round_.cluster if not current_user.has_role(Role.LA_LEAD) else None
    form = _round_form(RoundForm(obj=round_), round_.authority, own_cluster)
    if request.method == "GET":
        form.frameworks.data = [framework.id for framework in round_.frameworks]
        form.cluster.data = round_.cluster_id or 0
        form.version.data = round_.version
    if form.validate_on_submit():
        try:
            services.update_round(round_, _settings(form, own_cluster), form.version.data or 0, current_user)
        except RoundError as error:
            show_error(form, error)
        else:
            flash("Round saved.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id))
    return render_form_page("rounds/edit.html", form, round_=round_, authority=round_.authority)


def _round_form(form: RoundForm, authority: LocalAuthority, own_cluster: Cluster | None) -> RoundForm:
    clusters = [own_cluster] if own_cluster else authority.clusters
    form.cluster.choices = [SelectChoice(0, "No cluster")] + [SelectChoice(c.id, c.name) for c in clusters]
    frameworks = db.session.scalars(select(Framework).order_by(Framework.title, Framework.version.desc()))
    form.frameworks.choices = [SelectChoice(f.id, f"{f.title} (version {f.version})") for f in frameworks]
    this_year = clock.current_academic_year()
    form.academic_year.choices = [
        SelectChoice(year, f"{year}/{(year + 1) % 100:02d}") for year in range(this_year, this_year - 3, -1)
    ]
    if own_cluster is not None:
        form.kind.choices = [SelectChoice(RoundKind.CLUSTER_MEETING.value, RoundKind.CLUSTER_MEETING.label)]
    return form


def _settings(form: RoundForm, own_cluster: Cluster | None) -> services.RoundSettings:
    kind = RoundKind(form.kind.data)
    cluster_id = own_cluster.id if own_cluster else (form.cluster.data or None)
    return services.RoundSettings(
        name=form.name.data or "",
        kind=kind,
        academic_year=form.academic_year.data,
        framework_ids=list(form.frameworks.data or []),
        cluster_id=cluster_id,
        judgements_per_sample=form.judgements_per_sample.data or 2,
        submission_deadline=form.submission_deadline.data,
        judging_opens=form.judging_opens.data,
        judging_closes=form.judging_closes.data,
        hide_school=form.hide_school.data,
        hide_teacher=form.hide_teacher.data,
        hide_teacher_judgement=form.hide_teacher_judgement.data,
        hide_evidence=form.hide_evidence.data,
        hide_annotations=form.hide_annotations.data,
        show_moderator_names=form.show_moderator_names.data,
        exclude_own_cluster=form.exclude_own_cluster.data,
        require_other_phase=form.require_other_phase.data,
        auto_agree=form.auto_agree.data,
    )


@blueprint.get("/rounds/<int:round_id>")
@login_required
def detail(round_id: int) -> Response | str:
    """The lead's page of the round: counts for the whole round; its samples, schools and moderators a page at a
    time (``page``, ``schools``, ``moderators``), so it costs the same whatever the round's size."""
    round_ = round_for(Permission.ROUND_READ, round_id)
    if not can(current_user, Permission.ROUND_MANAGE, round_):
        return _participant_home(round_)
    figures = overview.figures_of(round_)
    page = paging(figures.entries, overview.ENTRIES_PER_PAGE, _number("page"))
    schools = overview.page_of(overview.schools_of(round_), overview.SCHOOLS_PER_PAGE, _number("schools"))
    moderators = overview.page_of(overview.moderators_of(round_), overview.MODERATORS_PER_PAGE, _number("moderators"))
    if page is None or schools is None or moderators is None:
        abort(404)
    (schools_page, taking_part), (moderators_page, moderating) = schools, moderators
    return render_template(
        "rounds/detail.html",
        round_=round_,
        step=figures.step,
        outside_window=judging.window_notice(round_) is not None,
        advance_form=AdvanceForm(version=round_.version),
        action_form=ActionForm(version=round_.version),
        schools_page=schools_page,
        schools=taking_part,
        missing=services.missing_of(taking_part),
        entered=figures.entered,
        moderators_page=moderators_page,
        moderators=moderating,
        loads=figures.loads,
        page=page,
        entries=overview.entries_page(round_, page),
    )


def _number(name: str) -> int:
    """The page of a list a query argument asks for; the first when it says none."""
    return request.args.get(name, 1, type=int)


def _participant_home(round_: ModerationRound) -> Response:
    """Moderators go to their judging queue; a school's lead to their school's page of the round."""
    moderating = select(RoundModerator.id).where(
        RoundModerator.round_id == round_.id, RoundModerator.user_id == current_user.id
    )
    if db.session.scalar(moderating.limit(1)) is not None:
        return redirect(url_for("rounds.queue", round_id=round_.id))
    mine = db.session.scalars(
        select(RoundSchool.id)
        .where(
            RoundSchool.round_id == round_.id,
            RoundSchool.school_id.in_(current_user.schools_with_role(Role.ASSESSMENT_LEAD)),
        )
        .order_by(RoundSchool.id)
    ).first()  # ROUND_READ has checked there is one
    return redirect(url_for("rounds.school_samples", round_id=round_.id, taking_part_id=mine))


# Adding schools and moderators: those who may join are offered a page at a time, found by name, on pages of their
# own; an authority has hundreds of schools and people.


@blueprint.get("/rounds/<int:round_id>/schools/add")
@login_required
def choose_school(round_id: int) -> str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    form = AddSchoolForm()
    return _choosing_page(
        round_,
        form,
        field=form.school,
        found=overview.schools_to_add(round_),
        searched_in=(School.name, School.urn),
        choice=lambda school: SelectChoice(school.id, f"{school.name} (URN {school.urn})"),
        open_now=round_.state in (RoundState.SETUP, RoundState.COLLECTING),
    )


@blueprint.get("/rounds/<int:round_id>/moderators/add")
@login_required
def choose_moderator(round_id: int) -> str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    form = AddModeratorForm()
    return _choosing_page(
        round_,
        form,
        field=form.moderator,
        found=overview.people_to_add(round_),
        searched_in=(User.display_name, User.email),
        choice=lambda user: SelectChoice(user.id, f"{user.display_name} ({user.email})"),
        open_now=round_.state in (RoundState.SETUP, RoundState.COLLECTING, RoundState.JUDGING),
    )


def _choosing_page(
    round_: ModerationRound,
    form: AddSchoolForm | AddModeratorForm,
    *,
    field: SelectField,
    found: Select[tuple[Any]],
    searched_in: tuple[InstrumentedAttribute[str], ...],
    choice: Callable[[Any], SelectChoice],
    open_now: bool,
) -> str:
    """A page of those ``found`` who may join, as the choices of ``form``'s ``field``; what was typed in the search
    box (``q``) narrows them to those whose ``searched_in`` hold it."""
    search = _search()
    page, rows = _found_page(search, found, *searched_in)
    field.choices = [choice(row) for row in rows]
    return render_template(
        "rounds/add_to_round.html", round_=round_, form=form, page=page, **search._asdict(), open_now=open_now
    )


class _Search(NamedTuple):
    words: str  # what the search box (``q``) holds
    problem: str | None  # why it cannot be searched for, as the box's error message


def _search() -> _Search:
    words = request.args.get("q", "")
    problem = text_problem(words, TextKind.LINE) or (len(words) > 100 and "must be 100 characters or fewer")
    return _Search(words, f"What you search for {problem}" if problem else None)


def _found_page(
    search: _Search, found: Select[tuple[Row]], *searched_in: InstrumentedAttribute[str]
) -> tuple[Paging, list[Row]]:
    """The page (``page``) of those ``found`` whose ``searched_in`` hold what was searched for; 404 past the last."""
    words = "" if search.problem else search.words
    chosen = overview.page_of(overview.searched(found, words, *searched_in), overview.CHOICES_PER_PAGE, _number("page"))
    if chosen is None:
        abort(404)
    return chosen


@blueprint.post("/rounds/<int:round_id>/advance")
@login_required
def advance(round_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    form = AdvanceForm()
    if not form.validate_on_submit() or form.target.data not in RoundState.__members__.values():
        abort(400)
    target = RoundState(form.target.data)
    attempt(
        lambda: services.advance(round_, target, form.version.data or 0, current_user),
        f"The round is now '{target.label}'.",
    )
    return redirect(url_for("rounds.detail", round_id=round_.id))


@blueprint.post("/rounds/<int:round_id>/schools")
@login_required
def add_school(round_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    form = AddSchoolForm()
    posted = request.form.get("school", 0, type=int)
    form.school.choices = [
        SelectChoice(s.id, s.name) for s in _found(overview.schools_to_add(round_), School.id, posted)
    ]
    if not form.validate_on_submit():
        flash("Choose a school of the authority that is not taking part yet.", "error")
        return redirect(url_for("rounds.choose_school", round_id=round_.id))
    school = get_or_404(School, form.school.data)
    attempt(lambda: services.add_school(round_, school, current_user), f"{school.name} is taking part.")
    return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="schools"))


def _found(found: Select[tuple[Row]], id_column: InstrumentedAttribute[int], posted: int) -> list[Row]:
    """The posted choice when it is among those ``found``: one row asked for, not the whole list of them."""
    return list(db.session.scalars(found.where(id_column == posted)))


@blueprint.post("/rounds/<int:round_id>/schools/<int:taking_part_id>/remove")
@login_required
def remove_school(round_id: int, taking_part_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    taking_part = part_of(round_, RoundSchool, taking_part_id)
    _require_button()
    attempt(lambda: services.remove_school(taking_part, current_user), f"{taking_part.school.name} removed.")
    return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="schools"))


@blueprint.route("/rounds/<int:round_id>/schools/<int:taking_part_id>/request", methods=["GET", "POST"])
@login_required
def school_request(round_id: int, taking_part_id: int) -> Response | tuple[str, int] | str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    taking_part = part_of(round_, RoundSchool, taking_part_id)
    form = SampleRequestForm(data=_stored_request(taking_part))
    if form.validate_on_submit():
        try:
            services.set_request(
                taking_part,
                SampleRequestKind(form.kind.data),
                form.count.data or 0,
                (form.codes.data or "").split(),
                current_user,
            )
        except RoundError as error:
            show_error(form, error)
        else:
            flash(f"Request to {taking_part.school.name} saved.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="schools"))
    return _request_page(taking_part, form, _widen_form(round_))


def _request_page(taking_part: RoundSchool, form: SampleRequestForm, widen_form: WidenForm) -> tuple[str, int] | str:
    """A school's request and widening; a refused post of either form is shown again in it, its field named."""
    return render_form_page(
        "rounds/school_request.html",
        form,
        round_=taking_part.round,
        taking_part=taking_part,
        widen_form=widen_form,
        missing=services.missing_for(taking_part),
        entries=services.entries_of(taking_part),
    )


def _stored_request(taking_part: RoundSchool) -> dict[str, object]:
    """What the school is asked for, as the request form shows it."""
    return {
        "kind": taking_part.request_kind.value,
        "count": taking_part.requested_count,
        "codes": "\n".join(taking_part.requested_codes),
    }


def _widen_form(round_: ModerationRound) -> WidenForm:
    form = WidenForm()
    form.standard.choices = [
        SelectChoice(s.id, f"{s.framework.title}: {s.label}") for f in round_.frameworks for s in f.standards
    ]
    return form


@blueprint.post("/rounds/<int:round_id>/schools/<int:taking_part_id>/widen")
@login_required
def widen(round_id: int, taking_part_id: int) -> Response | tuple[str, int] | str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    taking_part = part_of(round_, RoundSchool, taking_part_id)
    form = _widen_form(round_)
    if not form.validate_on_submit():
        # The page answers the widening's post: the request form beside it shows what is stored.
        return _request_page(taking_part, SampleRequestForm(formdata=None, data=_stored_request(taking_part)), form)
    standard = get_or_404(Standard, form.standard.data)
    attempt(
        lambda: services.widen_sample(taking_part, standard, current_user),
        f"{taking_part.school.name}'s sample now includes every pupil it placed at {standard.label}.",
    )
    return redirect(url_for("rounds.school_request", round_id=round_.id, taking_part_id=taking_part.id))


@blueprint.post("/rounds/<int:round_id>/moderators")
@login_required
def add_moderator(round_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    form = AddModeratorForm()
    posted = request.form.get("moderator", 0, type=int)
    form.moderator.choices = [
        SelectChoice(u.id, u.display_name) for u in _found(overview.people_to_add(round_), User.id, posted)
    ]
    if not form.validate_on_submit():
        flash("Choose someone who can moderate in this round.", "error")
        return redirect(url_for("rounds.choose_moderator", round_id=round_.id))
    user = get_or_404(User, form.moderator.data)
    phase = Phase(form.phase.data) if form.phase.data else None
    attempt(
        lambda: services.add_moderator(round_, user, phase, current_user),
        f"{user.display_name} is moderating.",
    )
    return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="moderators"))


@blueprint.post("/rounds/<int:round_id>/moderators/<int:moderator_id>/drop")
@login_required
def drop_moderator(round_id: int, moderator_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    moderator = part_of(round_, RoundModerator, moderator_id)
    _require_button()
    attempt(
        lambda: assign.drop_moderator(moderator, current_user),
        f"{moderator.user.display_name} is no longer moderating; any unfinished work of theirs has gone to others.",
    )
    return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="moderators"))


@blueprint.post("/rounds/<int:round_id>/allocate")
@login_required
def allocate(round_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    _require_button()
    attempt(lambda: assign.allocate_round(round_, current_user), "Samples allocated.")
    return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="samples"))


@blueprint.route("/rounds/<int:round_id>/entries/<int:entry_id>/allocation", methods=["GET", "POST"])
@login_required
def override_allocation(round_id: int, entry_id: int) -> Response | tuple[str, int] | str:
    """The moderators of one sample: those chosen (``chosen`` in the address, the sample's own until the lead
    changes them), each with a way to take them off, and a page at a time of those who may be added, found by
    name or email; saved together, so ``assign.override`` checks the whole choice against the round's rules."""
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    entry = part_of(round_, RoundEntry, entry_id)
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            assign.override(entry, list(form.moderators.data or []), current_user)
        except RoundError as error:
            show_error(form, error)
        else:
            flash(f"Moderators of sample {entry.blind_code} saved.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="samples"))
    chosen = list(form.moderators.data or []) if request.method == "POST" else _chosen(entry)
    return _moderators_page(entry, form, chosen)


CHOSEN_AT_MOST = 20  # moderators a sample's page holds chosen at once; a round asks for at most 5 per sample


def _chosen(entry: RoundEntry) -> list[int]:
    """The moderators the lead has chosen so far (``chosen``: user ids, comma-separated), or the sample's own."""
    chosen = request.args.get("chosen")
    if chosen is None:
        return [judgement.moderator_id for judgement in entry.live_judgements]
    ids = chosen.split(",") if chosen else []
    if len(ids) > CHOSEN_AT_MOST or not all(re.fullmatch(r"[0-9]{1,9}", user_id) for user_id in ids):
        abort(400)
    return list(dict.fromkeys(int(user_id) for user_id in ids))


def _moderators_page(entry: RoundEntry, form: OverrideForm, chosen: list[int]) -> tuple[str, int] | str:
    round_ = entry.round
    found = {moderator.user_id: moderator for moderator in assign.active_moderators_among(round_, chosen)}
    chosen_moderators = [found[user_id] for user_id in chosen if user_id in found]
    search = _search()
    offered_for, kept_off = assign.offered_for(entry, list(found))
    page, offered = _found_page(search, offered_for, User.display_name, User.email)
    judgements = {judgement.moderator_id: judgement for judgement in entry.live_judgements}
    return render_form_page(
        "rounds/override.html",
        form,
        round_=round_,
        entry=entry,
        chosen=chosen_moderators,
        chosen_ids=[moderator.user_id for moderator in chosen_moderators],
        changed=set(found) != set(judgements),
        judgements=judgements,
        page=page,
        offered=offered,
        kept_off=kept_off,
        **search._asdict(),
        open_now=round_.state in (RoundState.COLLECTING, RoundState.JUDGING),
    )


@blueprint.route("/rounds/<int:round_id>/judgements/<int:judgement_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(round_id: int, judgement_id: int) -> Response | tuple[str, int] | str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    judgement = get_or_404(Judgement, judgement_id)
    if judgement.entry.round_id != round_.id:
        abort(404)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            judging.reopen(judgement, form.reason.data or "", current_user)
        except RoundError as error:
            show_error(form, error)
        else:
            flash(f"{judgement.moderator.display_name} can now change their judgement.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id, _anchor="samples"))
    return render_form_page("rounds/reopen.html", form, round_=round_, judgement=judgement)


def _require_button() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)
