"""History page (AppTest): progress over time, the privacy notice, deleting a trainee's data."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from posture.store import Store


def test_progress_and_deleting_a_trainees_data(db):
    store = Store(db)
    wang = store.add_trainee("Wang")
    for title, verdicts in (("Monday", ["fail", "fail", "pass"]), ("Friday", ["pass", "pass", "fail"])):
        session = store.new_session("group", title)
        store.add_check(session, "stand", "standing", zip(["ST-HEAD", "ST-ARMS", "ST-TORSO"], verdicts, strict=True),
                        trainee_id=wang, picture_jpeg=b"jpeg")
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    at.sidebar.radio(key="lang").set_value("English").run()
    at.sidebar.radio(key="mode").set_value("history").run()
    assert not at.exception
    assert "1 trainees, 2 checks, 2 pictures" in at.info[0].value
    progress = at.table[0].value
    assert progress["pass rate"].tolist() == ["1/3 (33%)", "2/3 (67%)"]
    assert progress["Session"].tolist() == ["Monday", "Friday"]
    assert at.button(key="history-delete").disabled
    at.checkbox(key="history-confirm").check().run()
    at.button(key="history-delete").click().run()
    assert any(s.value == "2 records deleted" for s in at.success)
    assert store.counts()["checks"] == 0 and store.counts()["pictures"] == 0
    assert [t.name for t in store.trainees()] == ["Wang"]  # kept in the roster, as ticked by default
    assert any("Nothing recorded yet" in i.value for i in at.info)


def test_printable_report_of_a_trainee(db, samples, tmp_path):
    """Print-ready HTML: the pass rate per session as a chart, each clause across the
    sessions, the latest session's steps with their pictures; counted as History counts."""
    from posture.standards import load_standard
    from posture.webapp.trainee_report import trainee_report_html

    store = Store(db)
    wang = store.add_trainee("Wang")
    jpeg = (samples / "hagrid_palm.jpg").read_bytes()
    for title, verdicts in (("Monday", ["fail", "fail", "pass"]), ("Friday", ["pass", "pass", "fail"])):
        session = store.new_session("group", title)
        store.add_check(session, "stand", "standing", zip(["ST-HEAD", "ST-ARMS", "ST-TORSO"], verdicts, strict=True),
                        trainee_id=wang, picture_jpeg=jpeg)
    page = trainee_report_html(store, load_standard(), wang, "en").decode()
    assert page.count("<rect") == 2 and ">33%<" in page and ">67%<" in page  # the chart
    assert "<td>1/3</td>" in page and "<td>2/3</td>" in page  # = History's numbers
    head = next(line for line in page.splitlines() if "ST-HEAD Head upright" in line or "ST-HEAD " in line)
    assert head.count('class="fail"') == 1 and head.count('class="pass"') == 1  # Monday failed, Friday passed
    assert "Latest session: Friday" in page and page.count("data:image/jpeg;base64,") == 1
    assert "@media print" in page and "Made on" in page
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    at.sidebar.radio(key="mode").set_value("history").run()
    assert "下载可打印的个人报告(HTML)" in [b.label for b in at.get("download_button")]
