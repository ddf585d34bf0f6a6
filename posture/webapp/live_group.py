"""The trainer's group session in one camera: everyone in the frame checked, each with a
stable number (posture.people_tracker); the group's trainees assigned to the people on
screen (left to right by default, or chosen for each number); each person drawn with
their number, their trainee's name and their failing clauses, with their own sequence of
events (bows, smiles, nods) and, in the routine, their own results
(:class:`~posture.routine.GroupRoutineRun`).

The design is the one-person view's (:class:`~posture.webapp.live.LiveProcessor`): every
camera frame shown at once with the latest drawing, the checking in its own thread on the
newest frame only. A person keeps their trainee by their id, so someone who leaves and comes
back (re-identified by the tracker) is still that trainee; a person not assigned is drawn
but not recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from posture.fonts import load_font, shaded_lines, text_width
from posture.people_tracker import PeopleTracker
from posture.pipeline import CheckResult
from posture.placement import Framing, Placement, check_group_placement, check_placement
from posture.report import Report
from posture.routine import GroupRoutineRun, RunStatus, Step
from posture.sequence import SequenceState, SequenceTracker
from posture.standards import Lang, Standard
from posture.webapp.i18n import t
from posture.webapp.live import LiveProcessor, draw_banner, drawn_at_frame_size, drawn_mask, drawn_result, routine_lines

NAME_COLOR = (255, 225, 120)
FAIL_COLOR = (255, 90, 90)
UNASSIGNED_COLOR = (200, 200, 200)
TAG_CLAUSES = 3  # failing clauses listed under a person's name; the page lists them all


@dataclass(frozen=True)
class Member:
    """A trainee of the group (from the roster)."""

    id: int
    name: str
    profile: str = "any"


@dataclass(frozen=True)
class PersonNow:
    """One person of the latest checked frame, as the page lists them."""

    id: int  # their number on screen (the tracker's id)
    trainee: Member | None
    report: Report
    shown: frozenset[str]  # failing long enough to be shown (debounced by their own sequence)
    sequence: SequenceState
    x: float  # the centre of their box as shown, 0 (left) to 1 (right)
    too_small: bool


@dataclass(frozen=True)
class GroupLiveState:
    people: tuple[PersonNow, ...]  # left to right as shown
    absent: tuple[Member, ...]  # group trainees assigned to nobody in this frame
    placement: Placement
    status: RunStatus | None
    fps: float
    frames: int


def _shown_x(result: CheckResult) -> float:
    """The person's centre as the frame is shown (0..1): a selfie view is mirrored."""
    box = result.person.box if result.person is not None else (result.landmarks.person_box() or (0, 0, 0, 0))
    x = (box[0] + box[2]) / 2 / max(1, result.landmarks.width)
    return 1.0 - x if result.landmarks.mirrored else x


def group_placement(view: np.ndarray, result: CheckResult, framing: Framing, members: list[Member],
                    assigned: dict[int, int]) -> Placement:
    """The camera set-up for the group's members (each must be in the picture and placed
    right); without members, the main person's."""
    if not members:
        return check_placement(view, result.landmarks, framing)
    people = {p.report.id: p.landmarks for p in result.people}
    where = {tid: people[pid] for pid, tid in assigned.items() if pid in people}
    return check_group_placement(view, [(m.name, where.get(m.id)) for m in members], framing)


def _cut(text: str, size: int, width: int) -> str:
    """``text`` shortened with "…" to fit ``width`` pixels."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _tag(img: np.ndarray, anchor: tuple[int, int], lines: list[tuple[str, tuple[int, int, int]]],
         size: int, lang: Lang, max_width: int) -> None:
    """Text lines on a dark box whose bottom centre is at ``anchor`` (above a face), at most
    ``max_width`` wide (a long title is cut, so a tag does not cover the neighbours), kept
    inside the picture; drawn in place."""
    if not load_font(size)[1] and lang != "en":
        lines = [(text.encode("ascii", "replace").decode(), c) for text, c in lines]
    h, w = img.shape[:2]
    step, pad = size + 4, 5
    lines = [(_cut(text, size, max_width - 2 * pad), c) for text, c in lines]
    bw = min(w, max(text_width(text, size) for text, _ in lines) + 2 * pad)
    bh = min(h, len(lines) * step + pad)
    x0 = int(np.clip(anchor[0] - bw // 2, 0, w - bw))
    y0 = int(np.clip(anchor[1] - bh - 4, 0, h - bh))
    shaded_lines(img, x0, y0, lines, size, step, pad, keep=0.35)


def draw_group(view: np.ndarray, result: CheckResult, now: list[PersonNow], status: RunStatus | None,
               lang: Lang) -> np.ndarray:
    """The frame the group sees: everyone's skeleton (failures debounced per person), above
    each face their number and trainee's name and what fails, the routine's step on top."""
    h, w = view.shape[:2]
    by_id = {p.id: p for p in now}
    # Too-small people keep their grey box and number from annotate; the others get a tag.
    drawn = tuple(p if p.person is not None and p.person.too_small else
                  drawn_result(p, by_id[p.report.id].shown if p.report.id in by_id else frozenset())
                  for p in result.people)
    picture = drawn_at_frame_size(view, replace(result, people=drawn), lang)
    picture = draw_banner(picture, routine_lines(status, lang), lang)
    size = max(14, h // 30)
    share = max(8 * size, w // max(1, sum(not p.too_small for p in now)))  # each person's width for their tag
    for person, p in ((r, by_id.get(r.report.id)) for r in result.people):
        if p is None or p.too_small or person.person is None:
            continue
        head = f"#{p.id} " + (p.trainee.name if p.trainee is not None else t("unassigned", lang))
        tag = [(head, NAME_COLOR if p.trainee is not None else UNASSIGNED_COLOR)]
        titles = {c.id: c.title.get(lang) for c in p.report.clauses}
        tag += [(f"× {cid} {titles.get(cid, '')}", FAIL_COLOR) for cid in sorted(p.shown)[:TAG_CLAUSES]]
        if len(p.shown) > TAG_CLAUSES:
            tag.append((f"+{len(p.shown) - TAG_CLAUSES}", FAIL_COLOR))
        box = person.person.face_box or person.person.box
        x0, x1 = (w - 1 - box[2], w - 1 - box[0]) if person.landmarks.mirrored else (box[0], box[2])
        _tag(picture, (round((x0 + x1) / 2), round(box[1])), tag, size, lang, share)
    return picture


class GroupLiveProcessor(LiveProcessor):
    """The live view for a group (see the module's text). The page sets the group
    (:meth:`set_group`), may assign people by hand (:meth:`assign`), and reads
    :attr:`group_state`; the routine (:meth:`start_routine`) is a
    :class:`~posture.routine.GroupRoutineRun` for the group's trainees."""

    EVERYONE = True

    def __init__(self, standard: Standard, *, show_after_s: float, clear_after_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(standard, show_after_s=show_after_s, clear_after_s=clear_after_s, clock=clock)
        self._people = PeopleTracker()
        self._members: dict[int, Member] = {}  # trainee id -> member, in the page's order
        self._assigned: dict[int, int] = {}  # person id -> trainee id
        self._declined: set[int] = set()  # people the trainer said are none of the group
        self._positions: dict[int, float] = {}  # person id -> x as shown, in the latest frame
        self._group_state: GroupLiveState | None = None

    def _new_session(self) -> SequenceTracker:
        # Everyone's events start again with the session (called from LiveProcessor too).
        self._sequences: dict[int, tuple[int | None, SequenceTracker]] = {}  # person id -> (trainee, theirs)
        return super()._new_session()

    def set_group(self, members: list[Member]) -> None:
        """The trainees taking part, in their order on screen; assignments of others are dropped."""
        with self._lock:
            self._members = {m.id: m for m in members}
            self._assigned = {pid: tid for pid, tid in self._assigned.items() if tid in self._members}

    def assign(self, person_id: int, trainee_id: int | None) -> None:
        """Person ``person_id`` on screen is ``trainee_id`` (None: none of the group, not recorded)."""
        with self._lock:
            self._assigned = {p: tr for p, tr in self._assigned.items() if tr != trainee_id and p != person_id}
            if trainee_id is None:
                self._declined.add(person_id)
            else:
                self._assigned[person_id] = trainee_id
                self._declined.discard(person_id)

    def assign_left_to_right(self) -> None:
        """Forget every assignment: the group's trainees go to the people on screen, left to right."""
        with self._lock:
            self._assigned, self._declined = {}, set()
            self._fill_left_to_right()

    @property
    def assignment(self) -> dict[int, int]:
        with self._lock:
            return dict(self._assigned)

    @property
    def group_state(self) -> GroupLiveState | None:
        with self._lock:
            return self._group_state

    def start_routine(self, steps: list[Step]) -> None:
        with self._lock:
            self._routine = GroupRoutineRun(steps, {m.id: m.profile for m in self._members.values()})
            self._sequence = self._new_session()

    def _fill_left_to_right(self) -> None:
        """Trainees assigned to nobody go to the people on screen assigned to nobody (and not
        declined), left to right, in the group's order. Under the lock."""
        free = [m for m in self._members if m not in self._assigned.values()]
        people = sorted((x, pid) for pid, x in self._positions.items()
                        if pid not in self._assigned and pid not in self._declined)
        for trainee, (_, pid) in zip(free, people, strict=False):
            self._assigned[pid] = trainee

    def _process(self, view: np.ndarray, t: float) -> np.ndarray:
        with self._lock:
            routine = self._routine
            step = routine.status(t).step if routine is not None else None
            scenario = step.scenario if step is not None else self._scenario
            profiles = {pid: self._members[tid].profile for pid, tid in self._assigned.items()
                        if tid in self._members}
            profile = self._profile
        result = self._checker.check_rgb(view, scenario=scenario, profile=profile, mirrored=True,
                                         tracked=(self._people, t), profiles=profiles)
        return self.show(view, t, result)

    def _sequence_of(self, person_id: int, trainee_id: int | None) -> SequenceTracker:
        """The person's own sequence (a new one when they are given to another trainee, whose
        profile may differ). Under the lock."""
        made_for, tracker = self._sequences.get(person_id, (None, None))
        if tracker is None or made_for != trainee_id:
            profile = self._members[trainee_id].profile if trainee_id in self._members else self._profile
            tracker = SequenceTracker(self._standard, profile=profile, scenario=self._scenario,
                                      show_after_s=self._delays[0], clear_after_s=self._delays[1])
            self._sequences[person_id] = (trainee_id, tracker)
        return tracker

    def show(self, view: np.ndarray, t: float, result: CheckResult) -> np.ndarray:
        """Everyone of the checked frame through their own sequence, the group's routine, the
        picture to show."""
        with self._lock:
            routine, lang = self._routine, self._lang
            status = routine.status(t) if routine is not None else None
            framing: Framing = status.step.framing if status is not None and status.step is not None else "face"
            judged = [p for p in result.people if not (p.person is not None and p.person.too_small)]
            self._positions = {p.report.id: _shown_x(p) for p in judged}
            self._fill_left_to_right()
            assigned = dict(self._assigned)
            members = everyone = list(self._members.values())
            now = []
            for p in result.people:
                pid = p.report.id
                trainee = self._members.get(assigned.get(pid, -1))
                sequence = self._sequence_of(pid, trainee.id if trainee else None).update(t, p)
                now.append(PersonNow(pid, trainee, p.report, sequence.failing_still, sequence, _shown_x(p),
                                     p.person is not None and p.person.too_small))
        now.sort(key=lambda p: p.x)
        if isinstance(routine, GroupRoutineRun):
            members = [m for m in members if m.id in routine.by_trainee]  # the run's trainees are placed
        placement = group_placement(view, result, framing, members, assigned)
        picture = draw_group(view, result, now, status, lang)
        drawing = drawn_mask(picture, view) if picture.shape == view.shape else None
        present = {p.trainee.id for p in now if p.trainee is not None}
        absent = tuple(m for m in everyone if m.id not in present)
        with self._lock:
            if isinstance(routine, GroupRoutineRun) and self._routine is routine:
                routine.assignment = assigned
                status = routine.feed(t, result, placement, picture)
            fps = self._count_checked(t)
            self._group_state = GroupLiveState(tuple(now), absent, placement, status, fps, self._frames)
            self._drawn = (t, picture, drawing)
        return picture
