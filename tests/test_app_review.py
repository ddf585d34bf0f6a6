"""Review page (AppTest): a zip and loose files checked with a progress bar, refused files
listed with reasons, the table with thumbnails and filters, overrides kept beside the
machine's verdict, and the CSV, JSON and HTML exports."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from streamlit.testing.v1 import AppTest
from test_video import fitted, write_video

from posture.store import Store

pytestmark = pytest.mark.slow


def photos_zip(samples) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("day1/one.jpg", (samples / "hagrid_one_neutral.jpg").read_bytes())
        zf.writestr("day1/smile.png", (samples / "astronaut_smile.png").read_bytes())
        zf.writestr("day1/broken.jpg", (samples / "hagrid_palm.jpg").read_bytes()[:3000])  # cut off
        zf.writestr("../evil.jpg", b"x")
        zf.writestr("day1/readme.txt", b"notes")
    return buf.getvalue()


@pytest.fixture()
def reviewed(db, samples) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.run()
    at.sidebar.radio(key="mode").set_value("review").run()
    assert at.button(key="review-run").disabled  # nothing uploaded yet
    at.file_uploader(key="review-files").set_value([
        ("batch.zip", photos_zip(samples), "application/zip"),
        ("palm.jpg", (samples / "hagrid_palm.jpg").read_bytes(), "image/jpeg"),
    ]).run()
    at.button(key="review-run").click().run()
    assert not at.exception, at.exception
    return at


def test_batch_with_refused_files_and_the_table(reviewed, db):
    at = reviewed
    refused = "\n".join(w.value for w in at.warning)
    assert "`batch.zip/day1/broken.jpg`: 无法读取:" in refused and "truncated or corrupt" in refused
    assert "`batch.zip/../evil.jpg`: 路径不安全" in refused
    assert "`batch.zip/day1/readme.txt`: 不是照片" in refused
    assert any(s.value == "已检查 3 张照片" for s in at.success)
    table = at.dataframe[1].value
    assert list(dict.fromkeys(table["photo"])) == ["batch.zip/day1/one.jpg", "batch.zip/day1/smile.png", "palm.jpg"]
    assert table["thumb"].str.startswith("data:image/jpeg;base64,").all()
    one = table[(table["photo"] == "batch.zip/day1/one.jpg") & (table["clause"] == "PT-ONE-FINGER")]
    assert one["判定"].tolist() == ["✗ 未通过"]
    assert Store(db).counts()["pictures"] == 0  # not ticked: only numbers and verdicts


def test_the_table_and_the_opened_photo_say_why_a_clause_was_not_visible(db, samples):
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.run()
    at.sidebar.radio(key="mode").set_value("review").run()
    at.selectbox(key="review-scenario").set_value("grooming").run()
    at.file_uploader(key="review-files").set_value([
        ("grey.png", (samples / "camera_grayscale.png").read_bytes(), "image/png")]).run()
    at.button(key="review-run").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[1].value
    hair = table[table["clause"] == "GR-HAIR-COLOUR"]["判定"].tolist()
    assert hair == ["? 看不到(黑白照片,看不出颜色)"], hair
    assert any(c.value.startswith("GR-HAIR-COLOUR 发色: ? 看不到(黑白照片") for c in at.caption)


def test_filters(reviewed):
    at = reviewed
    # An empty filter asks in the page's language (Streamlit's own "Choose options" otherwise).
    assert [at.multiselect(key=k).placeholder for k in ("review-fc", "review-fv")] == ["请选择(可多选)"] * 2
    at.multiselect(key="review-fc").set_value(["EX-SMILE"]).run()
    table = at.dataframe[1].value
    assert set(table["clause"]) == {"EX-SMILE"} and len(table) == 3
    at.multiselect(key="review-fv").set_value(["pass"]).run()
    assert at.dataframe[1].value["photo"].tolist() == ["batch.zip/day1/smile.png"]


def test_override_is_kept_beside_the_machine_verdict_and_exported(reviewed, db):
    from posture.exports import to_csv
    from posture.webapp.review import export_html, export_json, export_rows

    at = reviewed
    at.selectbox(key="review-open").set_value("batch.zip/day1/one.jpg").run()
    assert at.image  # the annotated picture
    check_id = at.session_state["review"].items[0].check_id
    assert at.selectbox(key=f"ov-clause-{check_id}").value is None  # no clause chosen for the reviewer
    at.button[-1].click().run()
    assert [e.value for e in at.error] == ["请选择条款和审核判定"]
    at.selectbox(key=f"ov-clause-{check_id}").set_value("EX-SMILE")
    at.selectbox(key=f"ov-verdict-{check_id}").set_value("pass")
    at.button[-1].click().run()  # the form's submit button, without a note
    assert any(e.value == "请写明理由" for e in at.error)
    at.selectbox(key=f"ov-clause-{check_id}").set_value("EX-SMILE")
    at.selectbox(key=f"ov-verdict-{check_id}").set_value("pass")
    at.text_input(key=f"ov-note-{check_id}").input("戴口罩,看得出在笑")
    at.button[-1].click().run()  # not confirmed: nothing saved
    assert [e.value for e in at.error] == ["请先勾选确认"] and Store(db).counts()["overrides"] == 0
    at.selectbox(key=f"ov-clause-{check_id}").set_value("EX-SMILE")
    at.selectbox(key=f"ov-verdict-{check_id}").set_value("pass")
    at.text_input(key=f"ov-note-{check_id}").input("戴口罩,看得出在笑")
    at.checkbox(key=f"ov-sure-{check_id}").check()
    at.button[-1].click().run()
    assert not at.exception
    assert any(s.value == "审核意见已保存" for s in at.success)
    # The detail shows the reviewer's verdict beside the machine's failure; the summary counts it.
    assert any("审核判定:✓ 通过(理由:戴口罩,看得出在笑)" in i.value for i in at.info)
    summary = at.dataframe[0].value
    assert summary.set_index("照片").loc["batch.zip/day1/one.jpg", "审核改判"] == 1
    assert "项条款" in summary.iloc[0]["得分"]
    table = at.dataframe[1].value
    row = table[(table["photo"] == "batch.zip/day1/one.jpg") & (table["clause"] == "EX-SMILE")].iloc[0]
    assert (row["判定"], row["审核判定"], row["审核备注"]) == ("✗ 未通过", "✓ 通过", "戴口罩,看得出在笑")

    batch = at.session_state["review"]
    rows = Store(db).results(batch.session_id)
    exported = list(csv.DictReader(io.StringIO(to_csv(export_rows(batch, rows, "zh")).decode("utf-8-sig"))))
    smile = next(r for r in exported if r["subject"] == "batch.zip/day1/one.jpg" and r["clause"] == "EX-SMILE")
    assert (smile["verdict"], smile["reviewer_verdict"]) == ("fail", "pass")
    assert smile["reviewer_note"] == "戴口罩,看得出在笑"
    assert smile["values"].startswith("smile_score=")
    data = json.loads(export_json(batch, rows))
    assert data["photos"][0]["reviewer_overrides"] == [
        {"clause": "EX-SMILE", "machine": "fail", "reviewer": "pass", "note": "戴口罩,看得出在笑"}]
    assert data["photos"][0]["report"]["clauses"]
    assert {r["file"] for r in data["not_checked"]} >= {"batch.zip/day1/broken.jpg", "batch.zip/day1/readme.txt"}
    html = export_html(batch, rows, "zh").decode()
    assert html.count("data:image/jpeg;base64,") == 3 and "batch.zip/day1/broken.jpg" in html


def clip(samples, tmp_path) -> bytes:
    """6 s at 10 frames per second: the smiling astronaut, then the neutral hand-raiser."""
    frames = [fitted(samples / "astronaut_smile.png")] * 30 + [fitted(samples / "hagrid_one_neutral.jpg")] * 30
    return write_video(tmp_path / "clip.mp4", frames, fps=10).read_bytes()


def test_a_video_is_reviewed_with_its_timeline_and_annotated_video(db, samples, tmp_path):
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.run()
    at.sidebar.radio(key="mode").set_value("review").run()
    assert not at.main.slider  # the sampling rate is asked only for videos
    at.file_uploader(key="review-files").set_value([
        ("greeting.mp4", clip(samples, tmp_path), "video/mp4"),
        ("broken.mp4", b"this is not a video" * 100, "video/mp4"),
        ("palm.jpg", (samples / "hagrid_palm.jpg").read_bytes(), "image/jpeg"),
    ]).run()
    at.slider(key="review-sample-fps").set_value(5).run()
    at.button(key="review-run").click().run()
    assert not at.exception, at.exception
    refused = "\n".join(w.value for w in at.warning)
    assert "`broken.mp4`: 无法读取视频:not a video" in refused
    assert {s.value for s in at.success} == {"已检查 1 张照片", "已检查 1 段视频"}
    assert "检查了 30/60 帧(每秒 5 帧)" in "\n".join(c.value for c in at.caption)
    assert len(at.get("video")) == 1  # the annotated video
    _, photos, times, still, timeline = (d.value for d in at.dataframe)
    assert set(photos["photo"]) == {"palm.jpg"}  # the photo table holds only photos
    always = times[times["条款"] == "EX-SMILE-ALWAYS"].iloc[0]
    assert always["判定"] == "✗ 未通过" and "smiling_share=0.5" in always["测量值"]
    smile = still[still["条款"] == "EX-SMILE"].iloc[0]
    assert smile["未通过(秒)"] == pytest.approx(3.0, abs=0.3)
    # The rule that made the verdict is beside it (3 s of 6 failing: 50% >= 20% and >= 1 s).
    assert smile["判定"] == "✗ 未通过" and "未通过时间 ≥ 20% 且 ≥ 1 秒即不通过" in smile["判定规则"]
    [smile_lost] = timeline[timeline["条款"] == "EX-SMILE"].to_dict("records")
    assert smile_lost["判定"] == "✗ 未通过" and smile_lost["开始(秒)"] == pytest.approx(3.0, abs=0.3)

    store = Store(db)
    batch = at.session_state["review"]
    [video] = batch.videos
    assert video.annotated[4:8] == b"ftyp" and video.frame_jpeg[:2] == b"\xff\xd8"
    assert store.counts()["pictures"] == 0  # not ticked: no frame kept
    detail = store.detail(video.check_id)
    assert detail["source"] == "greeting.mp4" and detail["video"]["path"] == "greeting.mp4"  # no temporary path
    saved = {r.clause: r.verdict for r in store.results(batch.session_id)}
    assert saved["EX-SMILE-ALWAYS"] == "fail" and "BW-BOW" not in saved  # no bow: nothing to judge, not saved

    from posture.webapp.review import export_html, export_json, export_rows
    from posture.webapp.video_review import timeline_csv

    rows = store.results(batch.session_id)
    exported = {(r["subject"], r["clause"]): r for r in export_rows(batch, rows, "en")}
    assert exported[("greeting.mp4", "BW-BOW")]["verdict"] == "not_observed"
    assert re.match(r"failing [23]\.\d s, passing [23]\.\d s", exported[("greeting.mp4", "EX-SMILE")]["values"])
    assert exported[("palm.jpg", "EX-SMILE")]["values"].startswith("smile_score=")
    data = json.loads(export_json(batch, rows))
    assert data["videos"][0]["report"]["timeline"] and data["not_checked"][0]["file"] == "broken.mp4"
    html = export_html(batch, rows, "zh").decode()
    assert "没有观察到" in html and html.count("data:image/jpeg;base64,") == 2  # the photo and a frame of the video
    lines = timeline_csv(video.report, "en").decode("utf-8-sig").splitlines()
    assert lines[0] == "video,clause,start_s,end_s,verdict,label" and any(",EX-SMILE," in x for x in lines[1:])

    at.sidebar.checkbox(key="keep-pictures").check().run()
    at.button(key="review-run").click().run()
    assert store.counts()["pictures"] == 2  # ticked: the photo and one annotated frame of the video


def test_a_photo_of_two_people_has_rows_thumbnails_and_overrides_per_person(db, samples):
    import cv2
    import numpy as np
    from PIL import Image

    from posture.images import decode_image

    photos = [decode_image(samples / n) for n in ("hagrid_one_neutral.jpg", "astronaut_smile.png")]
    height = 512
    row = np.hstack([cv2.resize(p, (round(p.shape[1] * height / p.shape[0]), height)) for p in photos])
    buf = io.BytesIO()
    Image.fromarray(row).save(buf, format="PNG")
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.run()
    at.sidebar.radio(key="mode").set_value("review").run()
    at.file_uploader(key="review-files").set_value([("two.png", buf.getvalue(), "image/png")]).run()
    at.button(key="review-run").click().run()
    assert not at.exception, at.exception
    batch = at.session_state["review"]
    assert [i.name for i in batch.items] == ["two.png #1", "two.png #2"]
    # Each person's rows show that person: a thumbnail of their part of the photo, not the whole.
    sizes = [Image.open(io.BytesIO(i.thumb)).size for i in batch.items]
    whole = Image.open(io.BytesIO(batch.items[0].annotated)).size
    assert all(w / h < row.shape[1] / row.shape[0] * 0.75 for w, h in sizes) and whole[0] > sizes[0][0]
    # The page shows the picture without the panel (its clauses are the cards beside it, in
    # readable type); the saved report and the exports keep the panel.
    shown = Image.open(io.BytesIO(batch.items[0].shown)).size
    photo_ratio = row.shape[1] / row.shape[0]
    assert abs(shown[0] / shown[1] - photo_ratio) < 0.02 and whole[0] / whole[1] > photo_ratio + 0.3
    rows = Store(db).results(batch.session_id)
    assert {r.check_id for r in rows} == {i.check_id for i in batch.items}  # rows per person and clause
    first, second = batch.items
    clause = first.result.report.clauses[0].id
    Store(db).add_override(first.check_id, clause, "pass", "checked by hand")
    overridden = [(r.check_id, r.clause) for r in Store(db).results(batch.session_id) if r.override]
    assert overridden == [(first.check_id, clause)]
