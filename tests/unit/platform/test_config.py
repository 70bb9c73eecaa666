"""Settings: their order of precedence, and refusing to run production without a secret key or its host name."""

from pathlib import Path

import pytest

from moderation_hub import create_app
from moderation_hub.config import ConfigurationError


def test_production_without_secret_key_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "ENVIRONMENT": "development"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "ENVIRONMENT": "development"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_defaults_then_instance_file_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.py").write_text(
        'SECRET_KEY = "from-file"\nSERVER_NAME = "moderation.example.org"\n'
        'MAIL_SENDER = "file@example.org"\nPASSWORD_MIN_LENGTH = 20\n'
    )
    monkeypatch.setenv("MAIL_SENDER", "env@example.org")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["PASSWORD_MIN_LENGTH"] == 20
    assert app.config["MAIL_SENDER"] == "env@example.org"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'moderation_hub.sqlite3'}"


def test_a_malformed_environment_value_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSWORD_MIN_LENGTH", "fifteen")
    with pytest.raises(ConfigurationError, match="PASSWORD_MIN_LENGTH must be a whole number"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})


def test_production_without_server_name_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERVER_NAME", raising=False)
    with pytest.raises(ConfigurationError, match=r"^SERVER_NAME is not set\. In production it must be the host name"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENVIRONMENT": "production", "SECRET_KEY": "x"})


def test_requests_are_answered_for_server_name_and_the_further_trusted_hosts_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTED_HOSTS", "10.0.0.5, health.internal")  # a load balancer's checks by address
    settings = {"ENVIRONMENT": "production", "SECRET_KEY": "x", "SERVER_NAME": "moderation.example.org"}
    client = create_app({"INSTANCE_PATH": str(tmp_path), **settings}).test_client()
    for host, status in [
        ("moderation.example.org", 200),
        ("10.0.0.5:8000", 200),
        ("health.internal", 200),
        ("moderation.example.org.attacker.example", 400),
        ("attacker.example", 400),
    ]:
        assert client.get("/sign-in", headers={"Host": host}).status_code == status, host


def test_development_serves_localhost_on_the_demo_port_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SERVER_NAME", raising=False)
    client = create_app({"INSTANCE_PATH": str(tmp_path), "ENVIRONMENT": "development"}).test_client()
    assert client.get("/sign-in", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/sign-in", headers={"Host": "attacker.example"}).status_code == 400


@pytest.mark.parametrize(
    ("name", "value"),
    [("INGEST_FILES_PER_SCHOOL", "0"), ("JOB_WORKERS", "-1"), ("UPLOAD_MAX_FILE_MB", "0")],
)
def test_a_count_below_one_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=rf"^{name} must be a whole number of at least 1, not {value}$"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "ENVIRONMENT": "testing"})


def test_counts_that_may_be_zero_and_counts_set_in_the_instance_file_are_checked_too(tmp_path: Path) -> None:
    settings = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "ENVIRONMENT": "testing"}
    app = create_app({**settings, "JOB_RETRIES": 0, "PROXY_FIX_HOPS": 0})
    assert (app.config["JOB_RETRIES"], app.config["PROXY_FIX_HOPS"]) == (0, 0)
    (tmp_path / "config.py").write_text('INGEST_MEMORY_MB = "1024"\n')
    with pytest.raises(
        ConfigurationError, match=r"^INGEST_MEMORY_MB must be a whole number of at least 1, not '1024'$"
    ):
        create_app(settings)


@pytest.mark.parametrize("server_name", ["https://moderation.example.org", "moderation.example.org/hub", "a b"])
def test_a_server_name_that_is_not_a_host_name_refuses_to_start(tmp_path: Path, server_name: str) -> None:
    settings = {"ENVIRONMENT": "production", "SECRET_KEY": "x", "SERVER_NAME": server_name}
    with pytest.raises(ConfigurationError, match=r"^SERVER_NAME must be a host name with an optional port"):
        create_app({"INSTANCE_PATH": str(tmp_path), **settings})
