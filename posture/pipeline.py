"""The one pipeline: frame -> landmarks -> measurements -> verdicts -> report.

:class:`Checker` owns the MediaPipe models (through :class:`LandmarkDetector`) and the
loaded standard; make one and reuse it for many frames.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posture.grooming.company import GroomingContext, unset_by_company
from posture.grooming.over_time import GroomingMajority
from posture.images import decode_image
from posture.landmarks import FaceLM, HandLM, LandmarkDetector, Landmarks, People, box_area, own_mask
from posture.landmarks import Person as PersonLM
from posture.measure import hidden_measurements, measure_all
from posture.measure.face import MIN_EYE_SPAN_PX
from posture.measure.view import body_frame_world, body_unit_px, view_of
from posture.people_tracker import PeopleTracker
from posture.people_video import THREADS, PeopleFollower
from posture.report import FrameReport, Person, Report, Skipped, View, build_report
from posture.scenarios import choose_scenarios
from posture.standards import Standard, Text, load_standard
from posture.verdicts import REASON_TEXT, Verdict, judge, judge_all

PROFILES = ("any", "female", "male")
# What the automatic scenario choice looks at (see posture.scenarios).
SCENARIO_MEASUREMENTS = {"thigh_from_vertical_deg", "pointing_arm_angle_deg", "person_below_forearms_share"}
SCENARIO_CHOICES = ("auto", "standing", "sitting", "pointing", "talking", "handover", "grooming")


@dataclass(frozen=True)
class CheckResult:
    """One person's report with what it was made from, for drawing and for the sequence
    layer. A frame's check also carries everyone in it (``people``, each a CheckResult of
    one person, this one among them) and the frame's report (``frame``); ``report``,
    ``landmarks`` and ``verdicts`` are then those of the main person (the largest judged)."""

    report: Report
    landmarks: Landmarks
    verdicts: list[Verdict]
    people: tuple[CheckResult, ...] = ()
    frame: FrameReport | None = None
    person: PersonLM | None = None  # who this is in the frame (id, box)

    @property
    def everyone(self) -> tuple[CheckResult, ...]:
        """Every person's result (this one alone when not checked as a frame)."""
        return self.people or (self,)


# A hand is only judged when its wrist-to-middle-knuckle span is at least this many pixels:
# the hand of a person too small to judge (under 24 px between the shoulders) spans ~6 px.
MIN_HAND_SPAN_PX = 12.0


def _usable_parts(lm: Landmarks, min_shoulder_px: float) -> tuple[Landmarks, list[Text]]:
    """The landmarks large enough to be measured: a body under ``min_shoulder_px`` of shoulder
    width (as it would show facing the camera, so a side view is not "too small"), or a tiny
    hand, is left out (its clauses become "not visible"), while a usable face or hand close-up is still judged."""
    warnings: list[Text] = []
    sw = body_unit_px(lm) if lm.pose is not None else None
    if sw is not None and sw < min_shoulder_px:
        lm = replace(lm, pose=None, pose_visibility=None, pose_world=None)
        warnings.append(Text(
            zh=f"人物太小(肩宽约 {sw:.0f} 像素),请靠近镜头",
            en=f"person too small (about {sw:.0f} px of shoulder width); move closer to the camera"))
    for side in ("left_hand", "right_hand"):
        hand = getattr(lm, side)
        if hand is not None and np.linalg.norm(hand[HandLM.MIDDLE_MCP, :2] - hand[HandLM.WRIST, :2]) < MIN_HAND_SPAN_PX:
            lm = replace(lm, **{side: None})
    return lm, warnings


def _person(lm: Landmarks, usable: Landmarks, warnings: list[Text], who: PersonLM | None = None,
            several: bool = False) -> Person:
    """Who is in the frame, and whether any part of them is large enough to be judged.
    ``who``: this person's row of the frame's people; ``several``: everyone in the frame is
    checked, so the warning that only one is no longer applies."""
    if who is not None and who.too_small:
        return Person(found=True, judgeable=False, faces_in_frame=lm.faces_in_frame,
                      box=[round(v, 1) for v in who.box], warnings=[*warnings, Text(
                          zh=f"人物太小,无法判断(脸宽 {who.face_px:.0f} 像素)",
                          en=f"too small to judge (face {who.face_px:.0f} px wide)")])
    found = any(x is not None for x in (lm.pose, lm.face, lm.left_hand, lm.right_hand))
    face_ok = usable.face is not None and float(np.linalg.norm(
        usable.face[FaceLM.LEFT_EYE_OUTER, :2] - usable.face[FaceLM.RIGHT_EYE_OUTER, :2])) >= MIN_EYE_SPAN_PX
    judgeable = found and (usable.pose is not None or face_ok or usable.left_hand is not None
                           or usable.right_hand is not None)
    warnings = list(warnings)
    if not found and who is not None:
        warnings.append(Text(zh="找到了脸,但找不到此人的骨架和面部特征点(被遮挡或转身)",
                             en="a face was found but none of this person's landmarks (hidden or turned away)"))
    elif not found:
        warnings.append(Text(zh="画面中没有找到人", en="no person found in the picture"))
    elif lm.pose is not None and lm.face is None:
        # A body found without its face (turned away, looking down, the head cut off): say why
        # the face clauses are not visible rather than leave them blank.
        warnings.append(Text(zh="读不出此人的脸(转身、低头或被画面截掉):面部条款无法判断",
                             en="this person's face could not be read (turned away, looking down or cut off "
                                "by the frame): the face clauses are not visible"))
    if lm.faces_in_frame > 1 and not several:
        warnings.append(Text(
            zh=f"画面中有 {lm.faces_in_frame} 张脸,只检查画出骨架的一人",
            en=f"{lm.faces_in_frame} faces in the picture; only the person with the skeleton drawn is checked"))
    box = lm.person_box() if who is None else who.box
    return Person(found=found, judgeable=judgeable, faces_in_frame=lm.faces_in_frame,
                  box=[round(v, 1) for v in box] if box else None, warnings=warnings)


def _unset_reason(names: set[str], unset: dict[str, str]) -> str:
    """A report's not_applicable reason for a clause whose every rule the company left unset."""
    return "; ".join(REASON_TEXT[why][1] for why in sorted({unset[n] for n in names}))


BADGE_NOT_COMPARED = Text(
    zh="公司未提供工牌图片:只找到类似工牌的矩形,未与公司工牌比对",
    en="no company badge picture (company.yaml): a badge-like rectangle was looked for, not compared "
       "with the company's badge")


def _grooming_in_view(verdicts: list[Verdict], scenarios: list[str]) -> tuple[list[Verdict], list[Skipped]]:
    """Outside the ``grooming`` scenario, grooming clauses whose regions are out of view are
    left out of the report (a photo of someone pointing the way need not list the badge it
    cannot see); in the grooming scenario every one is reported, "not visible" included."""
    if "grooming" in scenarios:
        return verdicts, []
    kept = [v for v in verdicts if not (v.clause.method == "grooming" and v.outcome == "not_visible")]
    skipped = [Skipped(id=v.clause.id, reason="not in view: " + ", ".join(v.missing))
               for v in verdicts if v.clause.method == "grooming" and v.outcome == "not_visible"]
    return kept, skipped


def _view(lm: Landmarks) -> View | None:
    """The camera's view of the body, for the report (None without a body)."""
    name = view_of(lm)
    if name is None:
        return None
    frame = body_frame_world(lm)
    return View(name=name, body_yaw_deg=None if frame is None else round(frame.yaw_deg, 1))


class Checker:
    """Checks frames against a standard. Use as a context manager to free the models."""

    def __init__(self, standard: Standard | None = None, *, static_image_mode: bool = True,
                 count_faces: bool | None = None, fallbacks: bool | None = None,
                 threads: int | None = None) -> None:
        """``static_image_mode``: photos (True) or a video stream (False, tracks between frames).
        ``count_faces`` (default True): find everyone in the frame with the face detector,
        or (False) only Holistic's one person; ``fallbacks`` (default: photos only, as it
        costs another model on some frames): look again with Face Mesh / Hands when
        Holistic finds no face / hand. ``threads``: in a video, how many people's models
        run at once (default: one per core, at most 2)."""
        self.standard = standard or load_standard()
        count_faces = True if count_faces is None else count_faces
        self.detector = LandmarkDetector(
            static_image_mode=static_image_mode, count_faces=count_faces,
            min_visibility=self.standard.settings.min_visibility, fallbacks=fallbacks)
        # A video's grooming: judged a few times a second, reported as the majority over seconds.
        self._grooming_votes = None if static_image_mode else GroomingMajority(
            self.standard.settings.grooming_over_time)
        # A video's people are followed from frame to frame, each with their own models.
        self.follower = (PeopleFollower(self.detector, threads=threads or THREADS)
                         if count_faces and not static_image_mode else None)

    def check_landmarks(self, lm: Landmarks, *, scenario: str = "auto", profile: str = "any",
                        source: str | None = None, timings: dict[str, float] | None = None,
                        who: PersonLM | None = None, several: bool = False,
                        grooming_at: float | None = None, judge_grooming: bool = True) -> CheckResult:
        """Measurements, verdicts and report for one person's landmarks already found
        (``who``, ``several``: see :func:`_person`). ``grooming_at``: the time of a video's
        frame, whose grooming verdicts are then the majority over the last seconds
        (:class:`GroomingMajority`), this frame's own judgements added only if
        ``judge_grooming``."""
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILES}")
        timings = dict(timings or {})
        t0 = time.perf_counter()
        usable, warnings = _usable_parts(lm, self.standard.settings.min_shoulder_width_px)
        person = _person(lm, usable, warnings, who, several)
        measured = measure_all(usable, SCENARIO_MEASUREMENTS)
        choice = choose_scenarios(scenario, usable, measured)
        applicable, skipped = [], []
        grooming_here = "grooming" in choice.applied or self.standard.settings.grooming_in_every_photo
        unset = unset_by_company(self.standard.company, profile)
        for clause in self.standard.frame_clauses():
            if clause.method == "grooming" and not grooming_here:
                skipped.append(Skipped(id=clause.id, reason="scenario grooming"))
            elif clause.applies(choice.applied, profile):
                if clause.method == "grooming" and clause.measurements <= unset.keys():
                    skipped.append(Skipped(id=clause.id, reason=_unset_reason(clause.measurements, unset)))
                else:
                    applicable.append(clause)
            elif not clause.applies(clause.scenarios, profile):
                skipped.append(Skipped(id=clause.id, reason=clause.profile_reason()))
            else:
                skipped.append(Skipped(id=clause.id, reason=f"scenario {'/'.join(clause.scenarios)}"))
        # Only what the applicable clauses need is measured.
        needed = set().union(*(c.measurements for c in applicable)) - measured.keys()
        grooming_clauses = [c for c in applicable if c.method == "grooming"]
        grooming = {m for c in grooming_clauses for m in c.measurements}
        votes = self._grooming_votes if grooming_at is not None else None
        context = GroomingContext(self.standard.company, profile)
        measured.update(measure_all(usable, needed - grooming, context))
        t1 = time.perf_counter()
        if votes is None or judge_grooming:
            measured.update(measure_all(usable, needed & grooming, context))
        t_groom = time.perf_counter()
        hidden = hidden_measurements(usable, set(measured)) if person.judgeable else {}
        if person.judgeable:  # judged on the conditions the company did set
            hidden.update({m: why for m, why in unset.items() if m in measured})
        judged = measured if person.judgeable else {}
        if votes is None:
            verdicts = judge_all(applicable, judged, hidden)
        else:
            pid = 1 if who is None else who.id
            if judge_grooming:
                votes.add(pid, grooming_at, judge_all(grooming_clauses, judged, hidden))
            over_time = {v.clause.id: v for v in votes.verdicts(pid, grooming_at, grooming_clauses)}
            verdicts = [over_time[c.id] if c.method == "grooming" else judge(c, judged, hidden) for c in applicable]
        verdicts, more_skipped = _grooming_in_view(verdicts, choice.applied)
        skipped += more_skipped
        if any(v.clause.id == "GR-BADGE" and v.outcome != "not_visible" for v in verdicts) \
                and not self.standard.company.references("badge"):
            person.warnings.append(BADGE_NOT_COMPARED)
        t2 = time.perf_counter()
        timings.update(measure=(t1 - t0) * 1e3, grooming=(t_groom - t1) * 1e3, verdicts=(t2 - t_groom) * 1e3)
        report = build_report(
            source=source, width=lm.width, height=lm.height, choice=choice, profile=profile,
            person=person, verdicts=verdicts, skipped=skipped, settings=self.standard.settings,
            timings_ms=timings, view=_view(usable) if person.judgeable else None,
            person_id=1 if who is None else who.id)
        timings["report"] = (time.perf_counter() - t2) * 1e3
        report.timings_ms["report"] = round(timings["report"], 2)
        return CheckResult(report, lm, verdicts, person=who)

    def check_people(self, people: People, *, scenario: str = "auto", profile: str = "any",
                     source: str | None = None, timings: dict[str, float] | None = None,
                     mirrored: bool = False, grooming_at: float | None = None,
                     judge_grooming: bool = True, profiles: Mapping[int, str] | None = None) -> CheckResult:
        """Every person of a frame checked on their own; the result is the main person's
        (the largest judged one) with everyone in ``people`` and the frame's report
        (``grooming_at``, ``judge_grooming``: see :meth:`check_landmarks`; ``profiles``: a
        person's own profile by their id, a group's trainees, else ``profile``)."""
        timings = dict(timings or {})
        several = len(people) > 1
        profiles = profiles or {}
        results = tuple(self.check_landmarks(p.landmarks, scenario=scenario, profile=profiles.get(p.id, profile),
                                             source=source, timings=timings, who=p, several=several,
                                             grooming_at=grooming_at, judge_grooming=judge_grooming)
                        for p in people)
        if results:
            judged = [r for r in results if r.report.person.judgeable] or list(results)
            main = max(judged, key=lambda r: box_area(r.person.box))
        else:  # nobody found: the report of nobody says so
            main = self.check_landmarks(Landmarks(people.width, people.height, mirrored=mirrored),
                                        scenario=scenario, profile=profile, source=source, timings=timings)
        frame = FrameReport(source=source, width=people.width, height=people.height,
                            people=[r.report for r in results], warnings=main.report.person.warnings
                            if not results else [], timings_ms={k: round(t, 2) for k, t in timings.items()})
        return replace(main, people=results, frame=frame)

    def check_rgb(self, rgb: np.ndarray, *, scenario: str = "auto", profile: str = "any",
                  mirrored: bool = False, source: str | None = None,
                  timings: dict[str, float] | None = None,
                  tracked: tuple[PeopleTracker, float] | None = None, t: float | None = None,
                  coached: int | None = None, profiles: Mapping[int, str] | None = None) -> CheckResult:
        """Check one RGB uint8 frame. ``mirrored``: the frame is a selfie view. ``tracked``:
        (tracker, time in seconds) of a video's frame, to keep each person's id; ``t``: the
        frame's time without a tracker. In video mode with a time, grooming is judged on
        frames ``grooming_over_time.every_s`` apart (with the person mask) and reported as
        the majority over the last seconds. ``coached``: in a video, the id of the person
        being coached, whose face and hands are found on every frame (others' less often);
        None: the one with the largest face. ``profiles``: see :meth:`check_people`."""
        t0 = time.perf_counter()
        at = tracked[1] if tracked is not None else t
        votes = self._grooming_votes if at is not None else None
        judge_grooming = votes is None or votes.due(at)
        min_face_px = self.standard.settings.min_face_px
        if self.follower is not None:
            face = tracked[0].face_of(coached) if tracked is not None and coached is not None else None
            people = self.follower.find(rgb, mirrored=mirrored, min_face_px=min_face_px, coached=face)
        else:
            people = self.detector.detect_people(rgb, mirrored=mirrored, min_face_px=min_face_px)
        if tracked is not None:
            people = tracked[0].update(tracked[1], people, rgb)
        if votes is not None and judge_grooming and (
                scenario == "grooming" or self.standard.settings.grooming_in_every_photo):
            people = self._with_person_mask(people)
        timings = {**(timings or {}), "landmarks": (time.perf_counter() - t0) * 1e3}
        result = self.check_people(people, scenario=scenario, profile=profile, source=source, timings=timings,
                                   mirrored=mirrored, grooming_at=at if votes is not None else None,
                                   judge_grooming=judge_grooming, profiles=profiles)
        if votes is not None and judge_grooming:
            votes.judged(at)
        return result

    def _with_person_mask(self, people: People) -> People:
        """The people with their part of the frame's person mask (in video mode
        SelfieSegmentation runs only on the frames whose grooming is judged: the hair regions
        need it); with several people each keeps only their own part, as in a photo."""
        frame = next((p.landmarks.image for p in people
                      if p.landmarks.image is not None and p.landmarks.person_mask is None), None)
        if frame is None:
            return people
        mask = self.detector.person_mask(frame)
        faces = [p.face_box for p in people if p.face_box is not None]

        def theirs(p: PersonLM) -> np.ndarray:
            if len(faces) < 2 or p.face_box is None:
                return mask
            return own_mask(mask, people.width, p.face_box, [f for f in faces if f is not p.face_box], p.box)

        return replace(people, persons=tuple(
            replace(p, landmarks=replace(p.landmarks, person_mask=theirs(p)))
            if p.landmarks.image is not None and p.landmarks.image.shape[:2] == mask.shape else p for p in people))

    def check_file(self, path: Path | str, **kwargs: object) -> tuple[CheckResult, np.ndarray]:
        """Decode and check a photo; raises :class:`posture.images.BadInput` with a clear
        message for a file that cannot be read."""
        t0 = time.perf_counter()
        rgb = decode_image(path, max_pixels=self.standard.settings.max_pixels)
        decode_ms = (time.perf_counter() - t0) * 1e3
        result = self.check_rgb(rgb, source=str(path), timings={"decode": decode_ms}, **kwargs)
        return result, rgb

    def close(self) -> None:
        if self.follower is not None:
            self.follower.close()
        self.detector.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
