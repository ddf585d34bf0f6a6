"""SQLite history: roster, checks and verdicts, overrides beside the machine's verdict,
pictures only when given, deleting a trainee's data, progress over time."""

from __future__ import annotations

import sqlite3

import pytest

from posture.store import Store, StoreError


@pytest.fixture()
def store(tmp_path):
    return Store(tmp_path / "sub" / "history.sqlite")


def test_roster_add_rename_remove(store):
    wang = store.add_trainee("  王 芳 ", "female", has_desk=True)
    li = store.add_trainee("Li Lei", "male")
    assert [t.name for t in store.trainees()] == ["Li Lei", "王 芳"]
    assert store.trainee(wang).has_desk and store.trainee(wang).profile == "female"
    store.update_trainee(li, name="Li Ming", has_desk=True)
    assert store.trainee(li).name == "Li Ming" and store.trainee(li).profile == "male"
    with pytest.raises(StoreError, match="already exists"):
        store.add_trainee("王 芳")
    with pytest.raises(StoreError, match="already exists"):
        store.update_trainee(li, name="王  芳")
    with pytest.raises(StoreError, match="empty"):
        store.add_trainee("   ")
    with pytest.raises(StoreError, match="profile"):
        store.add_trainee("Zhao", "robot")
    store.delete_trainee(li)
    assert [t.name for t in store.trainees()] == ["王 芳"]
    with pytest.raises(StoreError, match="no trainee"):
        store.trainee(li)


def test_checks_overrides_and_results(store):
    session = store.new_session("review", "batch 1")
    check = store.add_check(session, "a.jpg", "standing", [("EX-SMILE", "fail"), ("ST-HEAD", "pass")],
                            score=50.0, detail={"report": {"score": 50}})
    store.add_override(check, "EX-SMILE", "pass", " smiling, the mask hides it ")
    store.add_override(check, "EX-SMILE", "fail", "second look: no smile")
    rows = store.results(session)
    smile = next(r for r in rows if r.clause == "EX-SMILE")
    assert (smile.verdict, smile.override, smile.note) == ("fail", "fail", "second look: no smile")
    head = next(r for r in rows if r.clause == "ST-HEAD")
    assert head.override is None and head.label == "a.jpg" and head.trainee is None
    assert store.detail(check) == {"report": {"score": 50}}
    with pytest.raises(StoreError, match="no verdict on PT-PALM"):
        store.add_override(check, "PT-PALM", "pass", "")
    with pytest.raises(StoreError, match="unknown verdict"):
        store.add_override(check, "EX-SMILE", "maybe", "")
    with pytest.raises(StoreError, match="unknown verdict"):
        store.add_check(session, "b.jpg", "standing", [("EX-SMILE", "ok")])
    assert [s.title for s in store.sessions("review")] == ["batch 1"]
    assert store.sessions("group") == []


def test_pictures_are_kept_only_when_given(store):
    session = store.new_session("self", "self-check")
    without = store.add_check(session, "smile", "standing", [("EX-SMILE", "pass")])
    with_picture = store.add_check(session, "smile", "standing", [("EX-SMILE", "pass")], picture_jpeg=b"\xff\xd8jpeg")
    assert store.picture(without) is None
    assert store.picture(with_picture) == b"\xff\xd8jpeg"
    assert store.counts()["pictures"] == 1


def test_deleting_a_trainee_deletes_all_their_data(store):
    wang = store.add_trainee("Wang")
    li = store.add_trainee("Li")
    session = store.new_session("group", "morning")
    for trainee in (wang, li):
        check = store.add_check(session, "smile", "standing", [("EX-SMILE", "fail")], trainee_id=trainee,
                                picture_jpeg=b"jpeg")
        store.add_override(check, "EX-SMILE", "pass", "ok")
    assert store.delete_trainee(wang, keep_in_roster=True) == 1
    assert [t.name for t in store.trainees()] == ["Li", "Wang"]
    assert {r.trainee for r in store.results(session)} == {"Li"}
    assert store.counts() == {"trainees": 2, "sessions": 1, "checks": 1, "verdicts": 1, "overrides": 1,
                              "pictures": 1}
    store.delete_trainee(li)
    assert store.counts()["checks"] == 0 and store.counts()["pictures"] == 0
    assert [t.name for t in store.trainees()] == ["Wang"]


def test_progress_over_sessions(store):
    wang = store.add_trainee("Wang")
    first = store.new_session("self", "Monday")
    store.add_check(first, "stand", "standing",
                    [("ST-HEAD", "fail"), ("ST-ARMS", "pass"), ("ST-FEET-F", "not_visible")], trainee_id=wang)
    second = store.new_session("group", "Tuesday")
    store.add_check(second, "stand", "standing", [("ST-HEAD", "pass"), ("ST-ARMS", "pass")], trainee_id=wang)
    store.add_check(second, "smile", "standing", [("EX-SMILE", "fail")], trainee_id=wang)
    points = store.progress(wang)
    assert [(p.title, p.passed, p.judged) for p in points] == [("Monday", 1, 2), ("Tuesday", 2, 3)]
    assert points[1].share == pytest.approx(2 / 3)


def test_history_survives_reopening_and_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "h.sqlite"
    Store(path).add_trainee("Wang")
    assert [t.name for t in Store(path).trainees()] == ["Wang"]
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer version"):
        Store(path)


def test_a_step_done_again_replaces_the_earlier_try_in_the_latest_view(store):
    wang, li = store.add_trainee("Wang"), store.add_trainee("Li")
    session = store.new_session("group", "drill")
    store.add_check(session, "smile", "standing", [("EX-SMILE", "fail")], trainee_id=wang)
    store.add_check(session, "smile", "standing", [("EX-SMILE", "fail")], trainee_id=li)
    store.add_check(session, "smile", "standing", [("EX-SMILE", "pass")], trainee_id=wang)
    assert len(store.results(session)) == 3
    latest = {(r.trainee, r.clause): r.verdict for r in store.results(session, latest_only=True)}
    assert latest == {("Wang", "EX-SMILE"): "pass", ("Li", "EX-SMILE"): "fail"}


def test_company_pictures_are_kept_listed_capped_and_removed(store):
    import cv2
    import numpy as np
    from grooming_pictures import badge_picture

    from posture.grooming.references import read_picture
    from posture.store import MAX_PICTURES_PER_KIND

    def png(rgb):
        return cv2.imencode(".png", rgb)[1].tobytes()

    badge = read_picture("badge", "badge.png", png(badge_picture()))
    badge_id = store.add_company_picture(badge)
    [kept] = Store(store.path).company_pictures()  # another connection, as after a restart
    assert kept.id == badge_id and kept.picture == badge and store.company_picture_digests() == (badge.digest,)
    with pytest.raises(StoreError, match="already kept"):
        store.add_company_picture(badge)
    for i in range(MAX_PICTURES_PER_KIND):
        store.add_company_picture(read_picture("uniform", f"u{i}.png", png(np.full((64, 64, 3), 10 * i, np.uint8))))
    with pytest.raises(StoreError, match=f"at most {MAX_PICTURES_PER_KIND}"):
        store.add_company_picture(read_picture("uniform", "one-more.png", png(np.full((64, 64, 3), 99, np.uint8))))
    store.delete_company_picture(badge_id)
    assert [p.picture.kind for p in store.company_pictures()] == ["uniform"] * MAX_PICTURES_PER_KIND
    with pytest.raises(StoreError, match="no company picture"):
        store.delete_company_picture(badge_id)
