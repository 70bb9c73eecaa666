"""What every template may use: the navigation for the signed-in person's roles and the asset paths."""

from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from moderation_hub.permissions import Permission, can
from moderation_hub.wording import counted, plural


@dataclass(frozen=True)
class NavigationItem:
    text: str
    endpoint: str
    permission: Permission


NAVIGATION = (
    NavigationItem("Dashboard", "pages.dashboard", Permission.DASHBOARD_VIEW),
    NavigationItem("Work samples", "samples.index", Permission.SAMPLE_LIST),
    NavigationItem("Moderation rounds", "rounds.index", Permission.ROUND_LIST),
    NavigationItem("Reports", "reports.index", Permission.REPORT_LIST),
    NavigationItem("Standards file", "standards.browse", Permission.STANDARDS_BROWSE),
    NavigationItem("Frameworks", "frameworks.index", Permission.FRAMEWORK_READ),
    NavigationItem("Schools", "organisations.schools", Permission.SCHOOL_LIST),
    NavigationItem("People", "accounts.people", Permission.PEOPLE_LIST),
)


def navigation_for_current_user() -> list[dict[str, Any]]:
    """Service navigation items for the roles of whoever is signed in, marking the current section."""
    section = (request.endpoint or "").split(".")[0]
    return [
        {"href": url_for(item.endpoint), "text": item.text, "active": item.endpoint.split(".")[0] == section}
        for item in NAVIGATION
        if can(current_user, item.permission)
    ]


def show_error(form: FlaskForm, error: ValueError) -> None:
    """Put a service's refusal on the form: under the input its ``field`` names, or above the form."""
    field = getattr(form, getattr(error, "field", None) or "", None)
    (field.errors if field is not None else form.form_errors).append(str(error))


def wants_json() -> bool:
    """The page's script asked (fetch with ``Accept: application/json``), not the browser's own form post."""
    return request.accept_mimetypes.best == "application/json"


def render_form_page(template: str, form: object, **context: object) -> tuple[str, int] | str:
    """Render a page with a form; a submission that failed is answered 400, so nothing it did is committed."""
    page = render_template(template, form=form, **context)
    return (page, 400) if request.method == "POST" else page


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(counted=counted, plural=plural)

    @app.context_processor
    def _layout_context() -> dict[str, Any]:
        return {
            "service_name": "Moderation Hub",
            "navigation": navigation_for_current_user,
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "Permission": Permission,
        }
