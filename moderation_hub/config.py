"""Settings: defaults, then ``instance/config.py``, then environment variables.

Every setting is listed in ``DEFAULTS`` and documented in the README's configuration table.
"""

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

ENVIRONMENTS = ("development", "production", "testing")
# SERVER_NAME when it is not set; production has none, and refuses to start without one.
DEFAULT_SERVER_NAMES = {
    "development": "localhost:5000",  # where scripts/serve-demo.sh and `flask run` serve by default
    "testing": "localhost",  # the host Flask's test client names
}

DEFAULTS: dict[str, Any] = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "STORAGE_URL": None,  # None: the local filesystem under instance/uploads
    "STORAGE_URL_EXPIRY_SECONDS": 300,  # how long readers' browsers keep an image before asking again
    "S3_ENDPOINT_URL": None,  # None: AWS's own endpoint; set for an S3-compatible store
    "S3_REGION": None,  # None: boto3's own lookup (AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config)
    "S3_ADDRESSING_STYLE": "auto",  # auto, path or virtual (bucket in the host name)
    "REDIS_URL": None,  # None: sign-in throttling kept in process memory
    "SERVER_NAME": None,  # None: DEFAULT_SERVER_NAMES outside production, which refuses to start without it
    "TRUSTED_HOSTS": None,  # further host names requests may be addressed to, comma-separated
    "PREFERRED_URL_SCHEME": "https",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "mh_session",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_NAME": "mh_remember",
    "REMEMBER_COOKIE_DURATION_DAYS": 14,
    "PERMANENT_SESSION_LIFETIME_HOURS": 12,
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    "SIGN_IN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "SIGN_IN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "PASSWORD_MIN_LENGTH": 15,
    "PASSWORD_RESET_MAX_AGE_HOURS": 2,
    "INVITATION_MAX_AGE_DAYS": 14,
    "MAIL_SERVER": None,  # None: emails are written to the log instead of sent
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "Moderation Hub <no-reply@localhost>",
    "CSP_REPORT_ONLY": False,
    "STANDARDS_PUBLIC": False,  # True: exemplars a school allowed the public to see are read without signing in
    "LOG_LEVEL": "INFO",
    "PROXY_FIX_HOPS": 0,  # how many reverse proxies set X-Forwarded-For/-Proto in front of the app
    "UPLOAD_MAX_FILE_MB": 50,  # bytes per uploaded file
    "UPLOAD_MAX_PDF_PAGES": 60,
    "UPLOAD_MAX_IMAGE_PIXELS": 40_000_000,  # a 12-24 MP phone photo passes; 48 MP "pro" modes do not
    "UPLOAD_MAX_FILES_PER_SAMPLE": 100,
    "INGEST_CHECK_SECONDS": 30,  # time for checking one upload while the teacher waits
    "INGEST_FILE_SECONDS": 300,  # time for rendering every page of one file in the worker
    "INGEST_MEMORY_MB": 1024,  # memory one check or render may use, beyond the renderer's own
    "INGEST_FILES_PER_SCHOOL": 1,  # one school's files queued or processing at once; the rest wait their turn
    "INGEST_STALE_MINUTES": 10,  # a file still pending this long after it was queued, its job lost, is queued again
    "JOB_IMMEDIATE": False,  # True: run each job inside enqueue, in the same process (the test suite)
    "JOB_WORKERS": 2,  # job processes `flask worker` runs at once
    "JOB_DATABASE": None,  # None: the queue is instance/jobs.sqlite3 (Redis instead when REDIS_URL is set)
    "JOB_QUEUE_NAME": "moderation_hub",  # lets several deployments share one Redis
    "JOB_RETRIES": 2,  # further attempts after a job fails, unless the job says otherwise
    "JOB_RETRY_DELAY_SECONDS": 10,
    "JOB_TIMEOUT_SECONDS": 600,  # a job still running after this is stopped and counts as failed
}

_BOOLEAN_WORDS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


# Whole-number settings for which 0 means something ("no proxy", "no retry", "retry at once"); every other
# whole-number setting counts things or time that must be at least 1 (0 files per school would queue nothing).
ZERO_ALLOWED = frozenset({"PROXY_FIX_HOPS", "JOB_RETRIES", "JOB_RETRY_DELAY_SECONDS"})


class ConfigurationError(RuntimeError):
    """The settings cannot run the application; the message says what to change."""


def load_settings(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order: defaults, instance/config.py, environment, explicit overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, default in DEFAULTS.items():
        if name in os.environ:
            app.config[name] = _parse_environment_value(name, os.environ[name], default)
    app.config.update(overrides or {})
    _derive_settings(app)


def _parse_environment_value(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        try:
            return _BOOLEAN_WORDS[raw.strip().lower()]
        except KeyError:
            raise ConfigurationError(f"{name} must be true or false, not {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    return raw


def _derive_settings(app: Flask) -> None:
    config = app.config
    environment = config["ENVIRONMENT"]
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    config["TESTING"] = environment == "testing" or config.get("TESTING", False)
    instance = Path(app.instance_path)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _development_secret_key(instance, environment, debug=app.debug)
    _check_whole_numbers(config)
    config["SERVER_NAME"] = _checked_host(config["SERVER_NAME"]) or _default_server_name(environment)
    # Flask answers 400 to a request for any other host, so a forged Host header reaches no view.
    config["TRUSTED_HOSTS"] = [config["SERVER_NAME"], *_host_list(config["TRUSTED_HOSTS"])]
    if not config["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'moderation_hub.sqlite3'}"
    if not config["STORAGE_URL"]:
        config["STORAGE_URL"] = f"file://{instance / 'uploads'}"
    config["REMEMBER_COOKIE_DURATION"] = config["REMEMBER_COOKIE_DURATION_DAYS"] * 86400
    config["PERMANENT_SESSION_LIFETIME"] = config["PERMANENT_SESSION_LIFETIME_HOURS"] * 3600
    config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    # A request may carry one file at its limit and the form around it; a larger one is refused unread.
    config["MAX_CONTENT_LENGTH"] = (config["UPLOAD_MAX_FILE_MB"] + 1) * 1024 * 1024


def _check_whole_numbers(config: dict[str, Any]) -> None:
    """Whatever set them (the instance file, the environment, the app factory's caller), counts are in range."""
    for name, default in DEFAULTS.items():
        if isinstance(default, bool) or not isinstance(default, int):
            continue
        value, least = config[name], 0 if name in ZERO_ALLOWED else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigurationError(f"{name} must be a whole number of at least {least}, not {value!r}")


def _checked_host(server_name: str | None) -> str | None:
    """A host name with an optional port: Flask matches it against each request's Host header as it is."""
    if server_name and ("/" in server_name or any(character.isspace() for character in server_name)):
        raise ConfigurationError(
            f"SERVER_NAME must be a host name with an optional port (for example moderation.example.org), "
            f"not a URL: {server_name!r}. The scheme is PREFERRED_URL_SCHEME; a path is APPLICATION_ROOT."
        )
    return server_name


def _development_secret_key(instance: Path, environment: str, *, debug: bool) -> str:
    """Generate a key once and keep it in instance/, so sessions survive restarts; never in production."""
    if environment == "production" and not debug:
        raise ConfigurationError(
            "SECRET_KEY is not set. In production the secret key must come from the environment "
            "(for example: export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')). "
            "For a local trial set ENVIRONMENT=development instead."
        )
    key_file = instance / "secret_key"
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _default_server_name(environment: str) -> str:
    """Links in emails name this host, so production must say which one it serves rather than trust requests."""
    if environment not in DEFAULT_SERVER_NAMES:
        raise ConfigurationError(
            "SERVER_NAME is not set. In production it must be the host name the site is served on "
            "(for example: export SERVER_NAME=moderation.example.org): links in emails are built from it, "
            "and requests for any other host are refused. For a local trial set ENVIRONMENT=development instead."
        )
    return DEFAULT_SERVER_NAMES[environment]


def _host_list(hosts: str | list[str] | None) -> list[str]:
    """Host names from a list or a comma-separated string (as the environment gives them)."""
    names = hosts.split(",") if isinstance(hosts, str) else hosts or []
    return [name.strip() for name in names if name.strip()]
