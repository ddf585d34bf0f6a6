"""Self-check page (AppTest): photo and snapshot-routine checks, guests not saved, trainees
saved without pictures unless ticked, bad files answered with a message, English a click away."""

from __future__ import annotations

import pytest
from sequences import bump, run
from streamlit.testing.v1 import AppTest
from synthetic import Body

from posture.store import Store

pytestmark = pytest.mark.slow


def start(db) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def upload(at: AppTest, key: str, samples, name: str) -> None:
    at.file_uploader(key=key).set_value((name, (samples / name).read_bytes(), "image/jpeg")).run()
    assert not at.exception, at.exception


def test_opens_in_chinese_and_says_when_live_video_cannot_start(db):
    at = start(db)
    assert at.header[0].value == "自查(岗前)"
    # AppTest has no browser, so the video component cannot start: the page says what to use instead.
    assert any("实时视频无法启动" in w.value for w in at.warning)
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.header[0].value == "Self-check (before a shift)"
    assert any("Use the snapshot or the photo upload instead" in w.value for w in at.warning)


def test_uploaded_photo_shows_failing_clauses_with_text_advice_and_source(db, samples):
    at = start(db)
    at.radio(key="self-how").set_value("upload").run()
    upload(at, "photo-check-upload", samples, "hagrid_one_neutral.jpg")
    cards = texts(at)
    assert "PT-ONE-FINGER 忌用一根手指指点** — 未通过" in cards
    assert "原文:忌讳手势:用一根手指指点对方" in cards
    assert "建议:" in cards and "出处:标准文件 001 第 2 行 (忌讳手势)" in cards and "严重程度:严重" in cards
    # Measured values by name with units, the failing one marked first (not smile_score=0.0158).
    assert "测量值:✗ 微笑程度 " in cards and "smile_score" not in cards
    table = at.dataframe[0].value
    assert set(table["条款"]) >= {"EX-SMILE", "PT-ONE-FINGER"}
    assert Store(db).counts()["checks"] == 0  # a guest's checks are not saved


def test_a_broken_file_gets_a_clear_message_and_the_page_keeps_working(db, samples):
    at = start(db)
    at.radio(key="self-how").set_value("upload").run()
    at.file_uploader(key="photo-check-upload").set_value(("broken.jpg", b"\xff\xd8 not a jpeg", "image/jpeg")).run()
    assert not at.exception
    assert any("无法检查" in e.value and "broken.jpg" in e.value for e in at.error)
    upload(at, "photo-check-upload", samples, "astronaut_smile.png")
    assert "EX-SMILE" in set(at.dataframe[0].value["条款"])


def test_a_trainee_is_saved_without_the_picture_unless_ticked(db, samples):
    store = Store(db)
    store.add_trainee("王芳", "female")
    at = start(db)
    at.selectbox(key="self-who").set_value(store.trainees()[0].id).run()
    at.radio(key="self-how").set_value("upload").run()
    upload(at, "photo-check-upload", samples, "astronaut_smile.png")
    counts = store.counts()
    assert counts["checks"] == 1 and counts["pictures"] == 0 and counts["verdicts"] > 0
    at.run()  # a rerun of the page is not a new check
    assert store.counts()["checks"] == 1
    at.sidebar.checkbox(key="keep-pictures").check().run()
    upload(at, "photo-check-upload", samples, "hagrid_palm.jpg")
    assert store.counts()["pictures"] == 1
    female = [r for r in store.results(store.sessions("self")[0].id) if r.clause.endswith("-F")]
    assert female  # the trainee's profile chose the women's clauses


def test_routine_by_snapshots_steps_through_and_summarises(db, samples):
    store = Store(db)
    store.add_trainee("Li Lei", "male")
    at = start(db)
    trainee = store.trainees()[0].id
    at.selectbox(key="self-who").set_value(trainee).run()
    at.radio(key="self-how").set_value("routine_snap").run()
    prefix = f"self-routine-{trainee}-male-False-snap"
    assert "第 1/4 步 · 站姿与叠手" in texts(at)
    # The greeting is a bow, a movement: not in the snapshot routine, and the page says so.
    assert any("拍照流程不包含“问候鞠躬”" in c.value for c in at.caption)
    upload(at, f"{prefix}-up-0", samples, "hagrid_one_neutral.jpg")
    assert "第 2/4 步 · 微笑" in texts(at)
    upload(at, f"{prefix}-up-1", samples, "astronaut_smile.png")
    at.button(key=f"{prefix}-skip-2").click().run()
    upload(at, f"{prefix}-up-3", samples, "hagrid_one_neutral.jpg")
    assert at.subheader[0].value == "流程总结"
    summary = at.dataframe[0].value
    smile = summary[(summary["步骤"] == "微笑") & (summary["条款"] == "EX-SMILE")]
    assert smile["判定"].tolist() == ["✓ 通过"]
    assert set(summary[summary["步骤"] == "向左指示方向"]["判定"]) == {"跳过"}
    assert "需要改进" in texts(at)
    assert {r.label for r in store.results(store.sessions("self")[0].id)} == {
        "stand", "smile", "point-left", "point-right"}
    at.button(key=f"{prefix}-restart").click().run()
    assert "第 1/4 步" in texts(at)


def test_a_stopped_live_session_is_summarised(db, standard):
    """The report a live session leaves when the video stops (here from synthetic frames: a
    smiling bow) is summarised under the video: time, smile, eye contact, nods, bows, clauses."""
    _, report = run(standard, lambda t: Body().hands_folded().smiling().lean_forward(bump(t, 1.0, 0.8, 0.4, 0.8, 20)),
                    duration=4)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["live-check-summary"] = report
    at.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["本次实时检查小结"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["时长"] == "4 秒" and metrics["微笑时间"] == "100%" and metrics["鞠躬(合格)"] == "1 次(1)"
    table = at.dataframe[0].value
    bow = table[table["条款"] == "BW-BOW"].iloc[0]
    assert bow["判定"] == "✓ 通过" and bow["说明"].startswith("1 次鞠躬,深度 20")
    assert "没有观察到" in set(table["判定"])  # e.g. no nod in 4 s
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.subheader[0].value == "Summary of this live session"
