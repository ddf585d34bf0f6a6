"""App settings from the environment: no ICE server by default, a TURN server when set."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture.settings import AppSettings


def test_defaults_contact_no_server(monkeypatch):
    for name in ("POSTURE_DB", "POSTURE_TURN_URL", "POSTURE_SHOW_AFTER_S", "POSTURE_MAX_FILE_MB"):
        monkeypatch.delenv(name, raising=False)
    settings = AppSettings.from_env()
    assert settings.rtc_configuration() == {"iceServers": []}
    assert settings.db_path.name == "posture.sqlite"
    assert settings.show_after_s + 1 / 10 <= 1.5  # shown within 1.5 s even at 10 frames a second


def test_turn_server_and_limits_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "h.sqlite"))
    monkeypatch.setenv("POSTURE_TURN_URL", "turn:turn.example.org:3478, turns:turn.example.org:5349")
    monkeypatch.setenv("POSTURE_TURN_USERNAME", "desk")
    monkeypatch.setenv("POSTURE_TURN_CREDENTIAL", "s3cret")
    monkeypatch.setenv("POSTURE_MAX_FILE_MB", "2.5")
    monkeypatch.setenv("POSTURE_CLEAR_AFTER_S", "1.0")
    settings = AppSettings.from_env()
    assert settings.db_path == Path(tmp_path / "h.sqlite")
    assert settings.rtc_configuration() == {"iceServers": [{
        "urls": ["turn:turn.example.org:3478", "turns:turn.example.org:5349"],
        "username": "desk", "credential": "s3cret"}]}
    assert settings.limits.max_file_bytes == int(2.5 * 2**20)
    assert settings.clear_after_s == 1.0


def test_a_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("POSTURE_SHOW_AFTER_S", "soon")
    with pytest.raises(ValueError, match="POSTURE_SHOW_AFTER_S"):
        AppSettings.from_env()
