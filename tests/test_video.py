"""Video files: reading with timestamps and sampling, refusing bad files, and the whole path
from a short video made of the sample photos to the report and the annotated video."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from posture.cli import EXIT_BAD_INPUT, EXIT_FAIL, main
from posture.images import BadInput
from posture.video import VideoReader, check_video, is_video

W, H = 320, 400  # small frames keep MediaPipe fast


def write_video(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    """An MP4 ('mp4v') of RGB frames, as OpenCV writes it on any machine."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened()
    for rgb in frames:
        writer.write(np.ascontiguousarray(rgb[:, :, ::-1]))
    writer.release()
    return path


def fitted(photo: Path) -> np.ndarray:
    """A sample photo scaled into a W x H frame on grey."""
    img = Image.open(photo).convert("RGB")
    img.thumbnail((W, H))
    canvas = Image.new("RGB", (W, H), (128, 128, 128))
    canvas.paste(img, ((W - img.width) // 2, (H - img.height) // 2))
    return np.asarray(canvas)


def numbered(n: int) -> list[np.ndarray]:
    """Frames whose brightness tells their index (for checking which ones were kept)."""
    return [np.full((64, 96, 3), 4 * i, np.uint8) for i in range(n)]


def test_reader_gives_every_frame_with_its_time(tmp_path):
    path = write_video(tmp_path / "n.mp4", numbered(45), fps=30)
    with VideoReader(path) as reader:
        frames = list(reader)
        assert reader.fps == pytest.approx(30)
    assert [f.index for f in frames] == list(range(45))
    assert [f.t for f in frames] == pytest.approx([i / 30 for i in range(45)], abs=1e-3)
    assert frames[10].rgb.shape == (64, 96, 3)
    assert abs(int(frames[10].rgb.mean()) - 40) <= 3  # decoded, in order


@pytest.mark.parametrize("sample_fps", [10.0, 7.5])
def test_reader_samples_at_the_chosen_rate(tmp_path, sample_fps):
    path = write_video(tmp_path / "n.mp4", numbered(90), fps=30)
    with VideoReader(path, sample_fps=sample_fps) as reader:
        kept = list(reader)
        assert reader.frames_read == 90
    assert len(kept) == pytest.approx(3.0 * sample_fps, abs=1)
    gaps = np.diff([f.t for f in kept])
    assert gaps.mean() == pytest.approx(1 / sample_fps, rel=0.1)
    assert gaps.min() >= 1 / sample_fps - 1 / 30 - 1e-6


def test_bad_video_files_are_refused_with_their_name(tmp_path):
    with pytest.raises(BadInput, match="not found"):
        VideoReader(tmp_path / "missing.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(BadInput, match="empty"):
        VideoReader(tmp_path / "empty.mp4")
    (tmp_path / "junk.mp4").write_bytes(b"this is not a video" * 100)
    with pytest.raises(BadInput, match="junk.mp4"):
        list(VideoReader(tmp_path / "junk.mp4"))
    assert main(["check", str(tmp_path / "junk.mp4")]) == EXIT_BAD_INPUT


def test_a_video_without_anyone_is_bad_input(tmp_path):
    video = write_video(tmp_path / "empty_room.mp4", [np.full((H, W, 3), 90, np.uint8)] * 5, fps=5)
    assert main(["check", str(video), "--json", str(tmp_path / "r.json")]) == EXIT_BAD_INPUT
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["frames_with_person"] == 0
    assert {c["verdict"] for c in report["clauses"]} <= {"not_visible", "not_observed"}


def test_videos_are_told_from_photos_by_suffix():
    assert is_video("a/b.MP4") and is_video("x.mov") and is_video("x.webm")
    assert not is_video("x.jpg") and not is_video("x")


def test_video_from_photos_end_to_end(tmp_path, samples):
    """3 s of a smiling person, then 3 s of a neutral one: the CLI reads the file, checks it
    at 5 frames per second, and reports the smile kept only half the time, with the smile's
    loss on the timeline at 3 s; the annotated video decodes."""
    frames = [fitted(samples / "astronaut_smile.png")] * 30 + [fitted(samples / "hagrid_one_neutral.jpg")] * 30
    video = write_video(tmp_path / "greeting.mp4", frames, fps=10)
    with VideoReader(video) as reader:  # the written file decodes on this machine
        assert sum(1 for _ in reader) == 60
    out = tmp_path / "out"
    code = main(["check", str(video), "--sample-fps", "5", "--json", str(tmp_path / "r.json"),
                 "--annotate", str(out), "--lang", "en"])
    assert code == EXIT_FAIL
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["version"] == "1.0" and report["kind"] == "video"
    assert report["video"]["frames_read"] == 60 and report["video"]["frames_checked"] == 30
    assert report["video"]["duration_s"] == pytest.approx(6.0, abs=0.1)
    assert report["frames_with_person"] == 30
    always = next(c for c in report["clauses"] if c["id"] == "EX-SMILE-ALWAYS")
    assert always["verdict"] == "fail"
    assert 0.35 <= always["metrics"]["smiling_share"] <= 0.65
    assert always["metrics"]["longest_without_smile_s"] == pytest.approx(3.0, abs=0.5)
    [smile_lost] = [e for e in report["timeline"] if e["clause"] == "EX-SMILE"]
    assert smile_lost["verdict"] == "fail" and smile_lost["start"] == pytest.approx(3.0, abs=0.3)
    bow = next(c for c in report["clauses"] if c["id"] == "BW-BOW")
    assert bow["verdict"] in ("not_observed", "not_visible")  # no bow in two still photos
    assert report["timings_ms"]["frames_per_second"] > 0
    annotated = out / "greeting.annotated.mp4"
    with VideoReader(annotated) as reader:
        shown = list(reader)
    assert len(shown) == 30
    assert [f.t for f in shown] == pytest.approx([i / 5 for i in range(30)], abs=0.01)
    assert shown[0].rgb.shape[0] % 2 == 0 and shown[0].rgb.shape[1] > W  # picture plus the verdict panel


def test_check_video_reports_progress_in_video_seconds(tmp_path, samples):
    video = write_video(tmp_path / "short.mp4", [fitted(samples / "hagrid_palm.jpg")] * 10, fps=10)
    seen: list[tuple[float, float]] = []
    result = check_video(video, sample_fps=None, progress=lambda done, total: seen.append((done, total)))
    assert [d for d, _ in seen] == pytest.approx([i / 10 for i in range(10)], abs=1e-3)
    assert all(total == pytest.approx(1.0) for _, total in seen)
    assert result.report.video.frames_checked == 10 and result.annotated is None
