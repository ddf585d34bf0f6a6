"""Settings of the app (not of the standard): where history is kept, upload limits, the
live view's debounce, and an optional TURN server. Each comes from an environment
variable so a deployment changes them without touching code; the defaults suit one
trainee on one laptop (localhost, no STUN/TURN server contacted).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a number") from exc


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on what a reviewer may upload; anything beyond is refused with a reason."""

    max_file_bytes: int = 20 * 1024 * 1024  # a phone photo is 2-12 MB
    max_files: int = 300  # photos per review batch (after opening zips)
    max_pixels: int = 50_000_000  # same as the standard's settings.yaml max_pixels
    max_zip_entries: int = 2000  # a zip with more members is refused before reading any
    max_zip_total_bytes: int = 500 * 1024 * 1024  # photos unpacked from all the zips of one upload
    max_zip_ratio: float = 100.0  # JPEG/PNG barely compress; a higher ratio is a bomb
    max_video_bytes: int = 200 * 1024 * 1024  # a few minutes of phone video; Streamlit's own upload limit


@dataclass(frozen=True)
class AppSettings:
    db_path: Path = ROOT / "data" / "posture.sqlite"
    turn_url: str = ""
    turn_username: str = ""
    turn_credential: str = ""
    show_after_s: float = 0.7
    clear_after_s: float = 0.7
    limits: UploadLimits = field(default_factory=UploadLimits)

    @classmethod
    def from_env(cls) -> AppSettings:
        """Read POSTURE_DB, POSTURE_TURN_URL/_USERNAME/_CREDENTIAL, POSTURE_SHOW_AFTER_S,
        POSTURE_CLEAR_AFTER_S, POSTURE_MAX_FILE_MB, POSTURE_MAX_FILES, POSTURE_MAX_PIXELS,
        POSTURE_MAX_VIDEO_MB."""
        env = os.environ
        base = UploadLimits()
        limits = UploadLimits(
            max_file_bytes=int(_env_float("POSTURE_MAX_FILE_MB", base.max_file_bytes / 2**20) * 2**20),
            max_files=int(_env_float("POSTURE_MAX_FILES", base.max_files)),
            max_pixels=int(_env_float("POSTURE_MAX_PIXELS", base.max_pixels)),
            max_video_bytes=int(_env_float("POSTURE_MAX_VIDEO_MB", base.max_video_bytes / 2**20) * 2**20),
        )
        return cls(
            db_path=Path(env["POSTURE_DB"]) if env.get("POSTURE_DB") else cls.db_path,
            turn_url=env.get("POSTURE_TURN_URL", "").strip(),
            turn_username=env.get("POSTURE_TURN_USERNAME", ""),
            turn_credential=env.get("POSTURE_TURN_CREDENTIAL", ""),
            show_after_s=_env_float("POSTURE_SHOW_AFTER_S", cls.show_after_s),
            clear_after_s=_env_float("POSTURE_CLEAR_AFTER_S", cls.clear_after_s),
            limits=limits,
        )

    def rtc_configuration(self) -> dict[str, list[dict[str, object]]]:
        """ICE servers for WebRTC: none by default (localhost needs none, and nothing is
        contacted); the configured TURN server for a hosted deployment."""
        if not self.turn_url:
            return {"iceServers": []}
        server: dict[str, object] = {"urls": [u.strip() for u in self.turn_url.split(",") if u.strip()]}
        if self.turn_username:
            server["username"] = self.turn_username
            server["credential"] = self.turn_credential
        return {"iceServers": [server]}
