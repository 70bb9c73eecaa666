"""Signing in and out, the account page, passwords, invitations and people admin."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from moderation_hub.accounts import people as people_service
from moderation_hub.accounts import services
from moderation_hub.accounts.forms import (
    AcceptInvitationForm,
    ActiveForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgottenPasswordForm,
    InviteForm,
    NewPasswordForm,
    SignInForm,
)
from moderation_hub.accounts.models import Membership, User
from moderation_hub.accounts.services import AccountError
from moderation_hub.accounts.sessions import end_all_sessions
from moderation_hub.db import db, get_or_404
from moderation_hub.extensions import client_address, limiter
from moderation_hub.forms import first_problem
from moderation_hub.permissions import Permission, authorize
from moderation_hub.templating import render_form_page

blueprint = Blueprint("accounts", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"


def _failed_attempt(response: Response) -> bool:
    return response.status_code == 400


def _account_key() -> str:
    return "sign-in-account:" + services.normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute URL here would make sign-in an open redirect."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.dashboard")


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"],
    key_func=lambda: "sign-in-address:" + client_address(),
    methods=["POST"],
    deduct_when=_failed_attempt,
)
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
)
def sign_in() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append(SIGN_IN_FAILED)
    if form.is_submitted():
        return render_template("accounts/sign_in.html", form=form), 400
    return render_template("accounts/sign_in.html", form=form)


@blueprint.post("/sign-out")
@login_required
def sign_out() -> Response:
    _require_confirmation()
    end_all_sessions(current_user)
    logout_user()
    flash("You have signed out on every device.", "success")
    return redirect(url_for("accounts.sign_in"))


@blueprint.get("/account")
@login_required
def account() -> str:
    return render_template("accounts/account.html", user=current_user)


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int] | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data or "", form.password.data or "")
        except AccountError as error:
            field = form.current_password if "current" in str(error) else form.password
            field.errors.append(str(error))
        else:
            # The new session token ended every session, this one included: sign this one in again.
            login_user(current_user._get_current_object())
            flash("Your password has been changed. You have been signed out on every other device.", "success")
            return redirect(url_for("accounts.account"))
    return render_form_page("accounts/change_password.html", form)


@blueprint.route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgotten_password() -> tuple[str, int] | str:
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data or "")
        # The same answer whether or not the account exists.
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_form_page("accounts/forgotten_password.html", form)


@blueprint.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | tuple[str, int] | str:
    try:
        user = services.user_for_reset_token(token)
    except AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data or "")
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_form_page("accounts/reset_password.html", form)


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | tuple[str, int] | str:
    try:
        invitation = services.open_invitation(token)
    except AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.display_name.data or "", form.password.data or "")
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            logout_user()
            login_user(user)
            flash("Your account is ready.", "success")
            return redirect(url_for("pages.dashboard"))
    return render_form_page("accounts/accept_invitation.html", form, invitation=invitation)


@blueprint.get("/people")
@login_required
def people() -> str:
    authorize(Permission.PEOPLE_LIST)
    return render_template(
        "accounts/people.html",
        people=people_service.people_for(current_user),
        invitations=people_service.pending_invitations_for(current_user),
    )


@blueprint.route("/people/invite", methods=["GET", "POST"])
@login_required
def invite() -> Response | tuple[str, int] | str:
    authorize(Permission.PEOPLE_INVITE)
    form = _invite_form(people_service.invitation_choices(current_user))
    if form.validate_on_submit():
        try:
            grant = people_service.grant_for(form.role.data or "", form.school.data or "", form.authority.data or "")
        except AccountError as error:
            form.role.errors.append(str(error))
        else:
            if not people_service.may_grant(current_user, grant):
                abort(404)
            invitation = services.invite(form.email.data or "", grant, current_user)
            flash(_invite_message(form.email.data or "", grant, invitation is None), "success")
            return redirect(url_for("accounts.people"))
    return render_form_page("accounts/invite.html", form)


@blueprint.get("/people/<int:user_id>")
@login_required
def person(user_id: int) -> str:
    subject = _person_or_404(user_id)
    return render_template(
        "accounts/person.html",
        person=subject,
        revocable={m.id for m in subject.memberships if people_service.may_revoke(current_user, m)},
        form=ConfirmForm(),
    )


@blueprint.post("/people/<int:user_id>/end-sessions")
@login_required
def end_sessions(user_id: int) -> Response:
    subject = _person_or_404(user_id)
    _require_confirmation()
    end_all_sessions(subject)
    flash(f"{subject.display_name} has been signed out on every device.", "success")
    return redirect(url_for("accounts.person", user_id=subject.id))


@blueprint.post("/people/<int:user_id>/active")
@login_required
def set_active(user_id: int) -> Response:
    subject = _person_or_404(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash(first_problem(form), "error")
        return redirect(url_for("accounts.person", user_id=subject.id))
    if subject.id == current_user.id:
        abort(400, "You cannot deactivate your own account.")
    activate = form.active.chosen
    services.set_active(subject, active=activate)
    flash(f"{subject.display_name}'s account has been {'reactivated' if activate else 'deactivated'}.", "success")
    return redirect(url_for("accounts.person", user_id=subject.id))


@blueprint.post("/people/<int:user_id>/roles/<int:membership_id>/revoke")
@login_required
def revoke_role(user_id: int, membership_id: int) -> Response:
    subject = _person_or_404(user_id)
    membership = db.session.get(Membership, membership_id)
    if (
        membership is None
        or membership.user_id != subject.id
        or not people_service.may_revoke(current_user, membership)
    ):
        abort(404)
    _require_confirmation()
    services.revoke_role(subject, membership)
    flash(
        f"{subject.display_name} is no longer {membership.role.label.lower()} for {membership.scope_name}.", "success"
    )
    return redirect(url_for("accounts.person", user_id=subject.id))


def _person_or_404(user_id: int) -> User:
    subject = get_or_404(User, user_id)
    authorize(Permission.PERSON_MANAGE, subject)
    return subject


def _require_confirmation() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _invite_form(choices: people_service.InvitationChoices) -> InviteForm:
    form = InviteForm()
    form.role.choices = [SelectChoice(role.value, role.label) for role in choices.roles]
    form.school.choices = [SelectChoice("", "Choose a school")] + [
        SelectChoice(str(school.id), f"{school.name} ({school.urn})") for school in choices.schools
    ]
    form.authority.choices = [SelectChoice("", "Choose a local authority")] + [
        SelectChoice(str(authority.id), authority.name) for authority in choices.authorities
    ]
    if len(choices.authorities) == 1 and not form.is_submitted():
        form.authority.data = str(choices.authorities[0].id)
    return form


def _invite_message(email: str, grant: services.RoleGrant, existing_account: bool) -> str:
    role = f"{grant.role.label.lower()} for {grant.scope_name}"
    if existing_account:
        return f"{email} already had an account: they are now {role}, and we have emailed them."
    return f"We have sent an invitation to {email} to join as {role}."
