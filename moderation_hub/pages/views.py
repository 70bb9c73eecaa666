"""The start page, each person's dashboard, the accessibility statement and the health check."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from werkzeug.wrappers import Response

from moderation_hub.db import db
from moderation_hub.pages.dashboard import build_dashboard
from moderation_hub.permissions import Permission, authorize

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    return render_template("pages/home.html")


@blueprint.get("/dashboard")
@login_required
def dashboard() -> str:
    authorize(Permission.DASHBOARD_VIEW)
    return render_template("pages/dashboard.html", dashboard=build_dashboard(current_user))


@blueprint.get("/accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")


@blueprint.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "reachable"}, 200
