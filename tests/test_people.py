"""Several people in one frame: each found, checked on their own and reported, as if alone."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from posture.images import decode_image
from posture.landmarks import FACELESS_VISIBILITY, Landmarks, PoseLM, is_faceless_body, largest_blob

HEIGHT = 512
PHOTOS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "etiquette-photos" / "images"
# Three real photos of one person each, whole body in view (two standing, one sitting).
SINGLE = ("Agavi-tech__team-3.jpg", "Zsanett1__standing.jpg", "Jiayii03__proper_1.jpg")


def _photo(name: str) -> np.ndarray:
    rgb = decode_image(PHOTOS / name)
    return cv2.resize(rgb, (round(rgb.shape[1] * HEIGHT / rgb.shape[0]), HEIGHT), interpolation=cv2.INTER_AREA)


def _verdicts(result) -> dict[str, str]:
    return {v.clause.id: v.outcome for v in result.verdicts}


@pytest.fixture(scope="module")
def photos():
    if not all((PHOTOS / n).exists() for n in SINGLE):
        pytest.skip(f"needs the shared evaluation photos in {PHOTOS}")
    return [_photo(n) for n in SINGLE]


@pytest.mark.parametrize("count", [2, 3])
def test_people_side_by_side_get_the_verdicts_each_gets_alone(checker, photos, count):
    alone = [checker.check_rgb(p) for p in photos[:count]]
    together = checker.check_rgb(np.hstack(photos[:count]))
    assert [p.report.id for p in together.people] == list(range(1, count + 1))  # numbered left to right
    offset = 0
    for single, person, photo in zip(alone, together.people, photos, strict=False):
        assert person.report.person.judgeable
        # Sitting or standing alike; an action seen from a hand held forward (viewpoint's
        # handover) may differ where the hand is at its threshold.
        assert person.report.scenarios[0] == single.report.scenarios[0]
        # Except HD-FOLD: on the first photo it rests on right_hand_in_front_m, a depth
        # difference of 1-2 cm whose sign MediaPipe's z flips from one crop to another
        # (-0.021 m alone, +0.013 m beside the others): not a people question.
        together_v, alone_v = _verdicts(person) | {"HD-FOLD": ""}, _verdicts(single) | {"HD-FOLD": ""}
        common = together_v.keys() & alone_v.keys()
        together_v, alone_v = {k: together_v[k] for k in common}, {k: alone_v[k] for k in common}
        # A clause judged both ways gets the same verdict; one may be "not visible" in one of
        # them where the view of the body (issue 10) is at the edge of a side view.
        assert {k: v for k, v in together_v.items() if "not_visible" not in (v, alone_v[k])} == \
            {k: v for k, v in alone_v.items() if "not_visible" not in (v, together_v[k])}
        assert sum(v != alone_v[k] for k, v in together_v.items()) <= 1
        x0, _, x1, _ = person.report.person.box  # each box lies on its own photo
        assert offset - 5 <= x0 < x1 <= offset + photo.shape[1] + 5
        offset += photo.shape[1]
    # The frame's report lists everyone; the main person is one of them.
    assert len(together.frame.people) == count
    assert together.report in [p.report for p in together.people]


def test_overlapping_people_keep_their_own_skeletons(checker, photos):
    a, b = photos[0], photos[1]
    overlap = a.shape[1] // 4  # b's photo slides a quarter of a's width over a's right side
    frame = np.zeros((HEIGHT, a.shape[1] + b.shape[1] - overlap, 3), dtype=np.uint8)
    frame[:, :a.shape[1]] = a
    frame[:, a.shape[1] - overlap:] = b
    people = checker.check_rgb(frame).people
    assert len(people) == 2
    faces = [p.person.face_box for p in people]
    for person, own, other in ((people[0], faces[0], faces[1]), (people[1], faces[1], faces[0])):
        lm = person.landmarks
        assert lm.pose is not None
        for joint in (PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER, PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST,
                      PoseLM.LEFT_HIP, PoseLM.RIGHT_HIP):
            if not lm.seen(joint):
                continue
            x = lm.pose[joint, 0]
            # Every seen joint is nearer (in face widths) its own face than the other person's.
            own_d = abs(x - (own[0] + own[2]) / 2) / (own[2] - own[0])
            other_d = abs(x - (other[0] + other[2]) / 2) / (other[2] - other[0])
            assert own_d <= other_d, (person.report.id, joint.name)


def test_a_face_too_small_is_listed_not_dropped(checker, photos):
    big = photos[0]
    small = cv2.resize(photos[1], None, fx=0.12, fy=0.12, interpolation=cv2.INTER_AREA)
    frame = np.full((HEIGHT, big.shape[1] + 200, 3), 128, dtype=np.uint8)
    frame[:, :big.shape[1]] = big
    frame[100:100 + small.shape[0], big.shape[1] + 60:big.shape[1] + 60 + small.shape[1]] = small
    people = checker.check_rgb(frame).people
    tiny = [p for p in people if p.person is not None and p.person.too_small]
    judged = [p for p in people if p.report.person.judgeable]
    assert len(judged) == 1 and len(tiny) <= 1
    for p in tiny:
        assert not p.report.person.judgeable
        assert any("too small" in w.en for w in p.report.person.warnings)
        assert all(c.verdict == "not_visible" for c in p.report.clauses)


def _count(checker, path: Path) -> int:
    if not path.exists():
        pytest.skip(f"needs the shared evaluation photo {path}")
    result, _ = checker.check_file(path)
    return len(result.people)


def test_a_face_near_the_camera_only_the_short_range_detector_sees_is_counted(checker):
    # A dinner table of 8 (labelled by eye): the man at the table's end, his 83 px face turned
    # and cut by the frame's edge, escapes the full-range detector (6 counted without it).
    assert 7 <= _count(checker, PHOTOS / "HomerMau__events-2.jpg") <= 9


def test_the_short_range_detector_does_not_add_people_to_a_photo_of_one(checker):
    # A chef beside a carved wooden figurine, which the short-range detector takes for a face
    # when it is run on a picture of one person.
    assert _count(checker, PHOTOS / "HomerMau__chefs-1.jpg") == 1


def test_a_wall_the_short_range_detector_takes_for_a_face_gets_no_persons_skeleton(checker):
    # A man showing "three" in his living room, a painting's face behind him: with two faces
    # found the short-range detector also runs, and takes a patch of wall beside his head for
    # a face (0.60); the region around it holds his skeleton, which is not its face.
    photo = PHOTOS.parents[1] / "hagrid-512" / "images" / "three" / "6bc1b99a-4bcf-4a25-b15c-b2b70421be39.jpg"
    assert _count(checker, photo) == 1


def test_a_person_whose_face_is_not_seen_is_counted_and_judged_on_the_body(checker):
    # Three cadets on a bench (COCO 328, labelled 3 by eye): the middle one reads with his
    # face down, so no face detector finds him; with the other two greyed out his body is
    # found, and the face clauses are not visible for him rather than judged or skipped.
    path = PHOTOS / "y44k0v__COCO_val2014_000000000328.jpg"
    if not path.exists():
        pytest.skip(f"needs the shared evaluation photo {path}")
    people = checker.check_file(path)[0].people
    assert len(people) == 3
    middle = people[1]
    assert middle.person.face_box is None and middle.landmarks.face is None
    assert middle.landmarks.seen(PoseLM.LEFT_HIP) and middle.landmarks.seen(PoseLM.RIGHT_HIP)
    outcomes = {c.id: c.verdict for c in middle.report.clauses}
    assert outcomes["EX-SMILE"] == "not_visible"
    assert any("face could not be read" in w.en for w in middle.report.person.warnings)
    assert not any("face could not be read" in w.en for p in (people[0], people[2]) for w in p.report.person.warnings)
    assert any(v in ("pass", "fail") for v in outcomes.values())


@pytest.mark.parametrize("photo", [
    # A man showing "ok"; beside him coats and a bag hang on the wall. With him greyed out the
    # pose detector finds a body in the coats (all its joints at 0.99); the person mask sees no
    # person in its trunk.
    "hagrid-512/images/ok/3c48c4da-10d2-4652-a71e-1ed1c62865d1.jpg",
    # A face filling the picture, found by Holistic, not by the face detector: his skeleton's
    # box ends at the eyes. Greyed out with only that box, a second body (20 px shoulders) is
    # found under a head imagined on his forehead; his face mesh greyed out too, or its width
    # taken as the size a body must reach, each keeps him from being counted twice.
    "genki4k/images/file2391.jpg",
])
def test_a_found_person_is_not_found_again_as_a_body_without_a_face(checker, photo):
    assert _count(checker, PHOTOS.parents[1] / photo) == 1


def _standing_body(width: int = 400, height: int = 400, shoulders: float = 80.0, visibility: float = 0.99):
    """A skeleton of a standing person (image coordinates), its trunk at x 160-240."""
    pose = np.zeros((33, 3))
    cx = width / 2
    pose[:, :2] = (cx, 200.0)
    pose[PoseLM.NOSE, :2] = (cx, 80)
    pose[PoseLM.LEFT_SHOULDER, :2] = (cx + shoulders / 2, 140)
    pose[PoseLM.RIGHT_SHOULDER, :2] = (cx - shoulders / 2, 140)
    pose[PoseLM.LEFT_HIP, :2] = (cx + 30, 280)
    pose[PoseLM.RIGHT_HIP, :2] = (cx - 30, 280)
    return Landmarks(width, height, pose=pose, pose_visibility=np.full(33, visibility))


def test_a_body_without_a_face_is_kept_only_when_each_test_passes():
    mask = np.zeros((400, 400), dtype=np.uint8)
    mask[120:300, 140:260] = 255  # the person mask covers the trunk
    none_greyed = np.zeros((400, 400), dtype=bool)
    assert is_faceless_body(_standing_body(), none_greyed, mask, min_shoulders_px=60)
    # Each test on its own side of its bound:
    assert not is_faceless_body(_standing_body(visibility=FACELESS_VISIBILITY - 0.05), none_greyed, mask, 60)
    assert is_faceless_body(_standing_body(visibility=FACELESS_VISIBILITY + 0.05), none_greyed, mask, 60)
    assert not is_faceless_body(_standing_body(shoulders=50), none_greyed, mask, min_shoulders_px=60)
    assert not is_faceless_body(_standing_body(), none_greyed, np.zeros_like(mask), 60)
    half = np.zeros_like(mask)
    half[120:300, 140:185] = 255  # the mask sees only a third of the trunk
    assert not is_faceless_body(_standing_body(), none_greyed, half, 60)
    greyed = np.zeros_like(none_greyed)
    greyed[:, :201] = True  # a found person's box over half of the joints (all at x = 200 or left)
    assert not is_faceless_body(_standing_body(), greyed, mask, 60)
    head = np.zeros_like(none_greyed)
    head[60:100, 180:220] = True  # only the nose on a found person: a head imagined in the grey
    assert not is_faceless_body(_standing_body(), head, mask, 60)


def test_the_body_search_looks_only_where_a_piece_of_person_is_left_big_enough():
    left = np.zeros((100, 100), dtype=bool)
    left[10:30, 10:30] = True  # 400 px
    left[50:90, 50:80] = True  # 1,200 px, apart from the first
    assert largest_blob(left) == 1200
    assert largest_blob(np.zeros((5, 5), dtype=bool)) == 0


def _people(boxes: list[tuple[float, float, float, float]], width: int = 640, height: int = 480):
    from posture.landmarks import Landmarks, People, Person

    return People(width, height, tuple(Person(i + 1, b, Landmarks(width, height), b) for i, b in enumerate(boxes)))


def test_tracker_keeps_ids_as_people_move_and_swap_order():
    from posture.people_tracker import PeopleTracker

    rgb = np.zeros((480, 640, 3), dtype=np.uint8)
    tracker = PeopleTracker()
    first = tracker.update(0.0, _people([(100, 100, 160, 160), (400, 100, 460, 160)]), rgb)
    assert list(first.ids) == [1, 2]
    # Both walk 20 px; listed in the other order (left to right changes when they cross).
    moved = tracker.update(0.1, _people([(380, 100, 440, 160), (120, 100, 180, 160)]), rgb)
    assert list(moved.ids) == [2, 1]


def _swaying(frame: np.ndarray, count: int) -> list[np.ndarray]:
    """``count`` frames of ``frame`` moved side to side by up to 6 px (people in front of a
    camera are never quite still)."""
    h, w = frame.shape[:2]
    return [cv2.warpAffine(frame, np.float32([[1, 0, 6 * np.sin(2 * np.pi * i / count)], [0, 1, 0]]), (w, h),
                           borderMode=cv2.BORDER_REPLICATE) for i in range(count)]


def _on_photo(box, photos) -> int:
    """Which of the photos side by side the middle of ``box`` lies on."""
    edges = np.cumsum([p.shape[1] for p in photos])
    return int(np.searchsorted(edges, (box[0] + box[2]) / 2))


def test_video_mode_follows_each_person_with_their_own_holistic(photos):
    from posture.people_tracker import PeopleTracker
    from posture.pipeline import Checker

    frames = _swaying(np.hstack(photos), 8)
    ids, graphs, regions = [], [], []
    with Checker(static_image_mode=False) as checker:
        tracker = PeopleTracker()
        for i, frame in enumerate(frames):
            result = checker.check_rgb(frame, tracked=(tracker, 0.1 * i))
            assert all(p.report.person.judgeable for p in result.people)
            ids.append({_on_photo(p.report.person.box, photos): p.report.id for p in result.people})
            graphs.append([id(f.holistic) for f in checker.follower.followed])
            regions.append([f.region for f in checker.follower.followed])
    assert ids[0].keys() == {0, 1, 2} and len(set(ids[0].values())) == 3  # one person on each photo
    assert all(i == ids[0] for i in ids)  # each keeps their id on every frame
    # One tracking-mode Holistic each, the same on every frame, on a region that stayed put.
    assert len(set(graphs[0])) == 3 and all(g == graphs[0] for g in graphs)
    assert all(r == regions[0] for r in regions)


def test_the_coached_person_gets_face_and_hands_on_every_frame(photos):
    from posture.people_tracker import PeopleTracker
    from posture.people_video import REFRESH_EVERY
    from posture.pipeline import Checker

    frames = _swaying(np.hstack(photos[:2]), 7)
    with Checker(static_image_mode=False) as checker:
        tracker = PeopleTracker()
        first = checker.check_rgb(frames[0], tracked=(tracker, 0.0))
        right = next(p.report.id for p in first.people if _on_photo(p.report.person.box, photos) == 1)
        calls = {}
        for f in checker.follower.followed:  # count each person's Holistic runs
            def counted(rgb, f=f, process=f.holistic.process):
                calls[_on_photo(f.face, photos)] = calls.get(_on_photo(f.face, photos), 0) + 1
                return process(rgb)
            f.holistic.process = counted
        for i, frame in enumerate(frames[1:], start=1):
            result = checker.check_rgb(frame, tracked=(tracker, 0.1 * i), coached=right)
            # Everyone's body on every frame, and a face (the other's carried along between runs).
            assert all(p.landmarks.pose is not None and p.landmarks.face is not None for p in result.people)
    assert calls[1] == 6  # the coached person (on the right): every frame
    assert calls[0] <= -(-6 // REFRESH_EVERY) + 1  # the other: every REFRESH_EVERY-th


def test_a_person_walking_out_and_back_regains_their_id(photos):
    from posture.people_tracker import PeopleTracker
    from posture.people_video import LOST_AFTER
    from posture.pipeline import Checker

    a, b = photos[0], photos[1]
    blank = np.full_like(b, 235)  # the empty studio background where b stood
    gone = LOST_AFTER + 2
    frames = [np.hstack([a, b])] * 2 + [np.hstack([a, blank])] * gone + [np.hstack([a, b])] * 4
    seen, followed = [], []
    with Checker(static_image_mode=False) as checker:
        tracker = PeopleTracker()
        for i, frame in enumerate(frames):
            result = checker.check_rgb(np.ascontiguousarray(frame), tracked=(tracker, 0.2 * i))
            seen.append({p.report.id: p.report.person.box[0] < a.shape[1] for p in result.people})
            followed.append(sum(f.confirmed for f in checker.follower.followed))
    assert seen[0] == {1: True, 2: False}
    assert seen[3] == {1: True}  # b left; a keeps 1
    assert followed[1] == 2 and followed[1 + gone] == 1  # b's models were let go
    assert seen[-1] == {1: True, 2: False}  # b came back as 2, not as a newcomer 3
    assert followed[-1] == 2


def test_each_persons_mask_holds_their_own_hair_not_the_neighbours(checker, photos):
    frame = np.hstack(photos[:2])
    people = checker.check_rgb(frame).people
    assert len(people) == 2
    whole = checker.detector.person_mask(checker.detector.prepare(frame, False))

    def face_pixels(mask, box):  # the face box grown by half (hair above and beside it)
        x0, y0, x1, y1 = box
        gx, gy = 0.5 * (x1 - x0), 0.5 * (y1 - y0)
        return mask[max(0, round(y0 - gy)):round(y1 + gy), max(0, round(x0 - gx)):round(x1 + gx)]

    for person, other in ((people[0], people[1]), (people[1], people[0])):
        own_mask = person.landmarks.person_mask
        assert own_mask is not None
        assert (face_pixels(whole, other.person.face_box) > 128).mean() > 0.3  # the frame's mask has both
        assert (face_pixels(own_mask, person.person.face_box) > 128).mean() > 0.3  # their own head
        assert (face_pixels(own_mask, other.person.face_box) > 0).mean() < 0.05  # not the other's


def test_a_skeleton_run_on_along_someone_elses_arm_is_not_kept():
    from posture.landmarks import Landmarks, own_parts

    face = (100.0, 100.0, 140.0, 140.0)  # 40 px wide, centre (120, 120)
    pose = np.zeros((33, 3))
    pose[:, :2] = (120, 200)
    pose[PoseLM.NOSE, :2] = (120, 125)
    pose[PoseLM.LEFT_SHOULDER, :2] = (170, 190)  # 100 px apart: 2.5 face widths, below the face
    pose[PoseLM.RIGHT_SHOULDER, :2] = (70, 190)
    own = Landmarks(640, 480, pose=pose.copy(), pose_visibility=np.ones(33))
    kept = own_parts(own, face, (0, 0, 640, 480))
    assert kept.pose is not None
    pose[PoseLM.LEFT_SHOULDER, :2] = (420, 300)  # the "shoulders" 8 face widths apart, off to one side
    pose[PoseLM.RIGHT_SHOULDER, :2] = (100, 300)
    other = Landmarks(640, 480, pose=pose, pose_visibility=np.ones(33))
    assert own_parts(other, face, (0, 0, 640, 480)).pose is None


def test_batch_csv_has_a_row_per_person_and_clause_with_the_box(tmp_path, photos):
    import csv

    from PIL import Image

    from posture.cli import main

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(np.hstack(photos[:2])).save(folder / "two.png")
    out = tmp_path / "results.csv"
    main(["batch", str(folder), "--out", str(out), "--workers", "1", "-q", "--lang", "en"])
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["clause"]]
    assert {r["person"] for r in rows} == {"1", "2"}
    boxes = {r["person"]: [float(v) for v in r["box"].split()] for r in rows}
    assert boxes["1"][2] <= photos[0].shape[1] + 5 < boxes["2"][2]  # person 1 on the left photo, 2 on the right


def test_batch_video_has_a_row_per_person_and_clause_with_the_box(tmp_path, photos):
    import csv

    from test_video import write_video

    from posture.cli import main

    folder = tmp_path / "videos"
    folder.mkdir()
    write_video(folder / "two.mp4", _swaying(np.hstack(photos[:2]), 10), fps=10)
    out = tmp_path / "results.csv"
    main(["batch", str(folder), "--out", str(out), "--workers", "1", "-q", "--lang", "en"])
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["clause"]]
    assert {r["kind"] for r in rows} == {"video"}
    assert {r["person"] for r in rows} == {"1", "2"}
    boxes = {r["person"]: [float(v) for v in r["box"].split()] for r in rows}
    assert boxes["1"][2] <= photos[0].shape[1] + 10 < boxes["2"][2]  # 1 on the left photo, 2 on the right
