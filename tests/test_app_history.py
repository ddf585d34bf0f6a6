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
