"""Friendly error pages; production never shows a traceback."""

from flask import Flask, jsonify, render_template
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, SecurityError
from werkzeug.wrappers import Response

from moderation_hub.logs import log_unhandled_error
from moderation_hub.templating import wants_json
from moderation_hub.text_rules import UnsafeTextError

TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        template = TEMPLATES.get(code, "errors/generic.html")
        return render_template(template, error=error), code

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
        """A request for a host not in TRUSTED_HOSTS. Flask refused it before binding URLs, so no page that links
        anywhere can be drawn: plain text."""
        return "This site does not answer for that host name.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(UnsafeTextError)
    def _unsafe_text(error: UnsafeTextError) -> tuple[Response | str, int]:
        """Text read outside a form (a script's post, a criterion's note) that may not be stored: a 400 naming it."""
        if wants_json():
            return jsonify({"error": str(error), "errors": [str(error)], "field": error.field}), 400
        return render_template("errors/400.html", error=BadRequest(), problem=str(error)), 400

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> tuple[str, int]:
        log_unhandled_error(error.original_exception or error)
        return render_template("errors/500.html"), 500
