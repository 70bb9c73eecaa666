"""Outgoing email: through SMTP when MAIL_SERVER is set, otherwise written to the log for development."""

import smtplib
from email.message import EmailMessage
from typing import Any

from flask import current_app

from moderation_hub.logs import logger


def email_link(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, from SERVER_NAME, PREFERRED_URL_SCHEME and APPLICATION_ROOT alone.

    ``url_for`` inside a request takes the scheme and path prefix from the request, which a proxy's
    forwarded headers set; an email's link must not depend on who asked for it to be sent.
    """
    config = current_app.config
    adapter = current_app.url_map.bind(
        config["SERVER_NAME"], script_name=config["APPLICATION_ROOT"], url_scheme=config["PREFERRED_URL_SCHEME"]
    )
    return adapter.build(endpoint, values, force_external=True)


def send_email(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        _log_instead_of_sending(to, subject, body, development=config["ENVIRONMENT"] != "production")
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _log_instead_of_sending(to: str, subject: str, body: str, *, development: bool) -> None:
    """Bodies hold one-time links, so only development and tests log them; production logs the omission."""
    if development:
        logger.info("email written to the log (no MAIL_SERVER)", extra={"to": to, "subject": subject, "body": body})
    else:
        logger.warning("email not sent: MAIL_SERVER is not configured", extra={"subject": subject})
