"""``posture eval``: how often the engine's verdicts are right on photos labelled by others.

A labelled folder holds ``labels.csv`` (``file,label``; paths relative to the folder;
several tags may be joined with ``;``) and optionally a head-pose CSV (``file,yaw,pitch,roll``).
Each task below turns one clause's verdict (or one condition of it) into a yes/no answer
and compares it with the labels; a photo where the engine found no face, hand or person
is counted as a wrong answer, never dropped. Head pose is compared angle by angle.

Every photo falls in the ``fit`` or the ``test`` split by a hash of its file name, so
thresholds fitted on one split (scripts/fit_*.py) are reported on the other.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import math
import pickle
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from posture.landmarks import Landmarks, People, box_area
from posture.measure import Measured, measure_all
from posture.standards import Clause, Standard, load_standard
from posture.verdicts import Verdict, judge

if TYPE_CHECKING:
    from posture.pipeline import Checker, CheckResult

LABELS_FILE = "labels.csv"
SPLITS = ("fit", "test")


def split_of(file: str) -> str:
    """``"fit"`` or ``"test"``: a fixed half of the photos by a hash of the file name, so
    the split never depends on the order, the machine or the other files."""
    digest = hashlib.sha256(Path(file).name.encode("utf-8")).digest()
    return "fit" if digest[0] % 2 == 0 else "test"


def _rank(file: str) -> int:
    """A fixed pseudo-random order of the photos (for the balanced subsets of ``limit``)."""
    return int.from_bytes(hashlib.sha256(("rank:" + file).encode("utf-8")).digest()[:8], "big")


@dataclass(frozen=True)
class Sample:
    """One labelled photo."""

    file: str  # relative to the folder, as in labels.csv
    tags: frozenset[str]
    split: str


# A folder may also hold attribute labels, one column per attribute (``file,sex,...,
# hand_on_face,...``); each cell becomes the tag ``column:value``. ``?`` (the labeller could
# not decide) gives no tag, so the photo is left out of that attribute's tasks.
ATTRIBUTES_FILE = "grooming.csv"
UNDECIDED = "?"


def _attribute_tags(folder: Path) -> dict[str, set[str]]:
    path = folder / ATTRIBUTES_FILE
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["file"]: {f"{k}:{v.strip()}" for k, v in row.items()
                              if k != "file" and v and v.strip() != UNDECIDED}
                for row in csv.DictReader(handle)}


def read_labels(folder: Path) -> list[Sample]:
    """The samples of ``folder/labels.csv`` (``file,label``, label tags split on ``;``), with the
    tags of ``grooming.csv`` (``column:value``) where that file is present."""
    path = folder / LABELS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: missing (a labelled folder needs labels.csv with columns file,label)")
    attributes = _attribute_tags(folder)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"file", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: needs the columns file,label (got {reader.fieldnames})")
        return [Sample(row["file"], frozenset({t.strip() for t in row["label"].split(";") if t.strip()}
                                              | attributes.get(row["file"], set())),
                       split_of(row["file"])) for row in reader]


# ---------------------------------------------------------------------------------------
# Tasks


@dataclass(frozen=True)
class Task:
    """A yes/no question answered by one clause of the standard.

    ``condition``: judge only that measurement of the clause (None: the whole clause).
    ``yes_when``: the verdict that means "yes" ("pass" or "fail"). ``also``: further clauses
    judged with ``clause``: "pass" means every one passes, "fail" any one fails.
    ``chosen_scenario``: instead of a clause, "yes" is the automatic choice applying this
    scenario. ``positives_alone``: scored (as a recall) even where the folder has no "no"
    labels (tags set only where seen: no "hand_on_face" tag does not mean no hand).
    """

    name: str
    clause: str
    question: str
    positive: frozenset[str]
    negative: frozenset[str]
    yes_when: str
    scenario: str
    condition: str | None = None
    also: tuple[str, ...] = ()
    chosen_scenario: str | None = None
    positives_alone: bool = False

    @property
    def clauses(self) -> tuple[str, ...]:
        return (self.clause, *self.also)

    def truth(self, tags: frozenset[str]) -> bool | None:
        """True/False from a photo's tags; None when the photo is not part of this task,
        or when an ``uncertain:`` tag of the other answer makes it unsure."""
        pos, neg = bool(tags & self.positive), bool(tags & self.negative)
        if pos == neg:
            return None
        unsure = {t.removeprefix("uncertain:") for t in tags if t.startswith("uncertain:")}
        return None if unsure & (self.negative if pos else self.positive) else pos


OPEN_HAND = frozenset({"palm", "stop", "stop_inverted", "five_open_palm", "open_palm"})
ONE_FINGER = frozenset({"one", "one_index_finger", "index_finger_point"})
# Every other hand shape of HaGRID and of the sign-language digits: what the forbidden
# gesture must not be confused with. HaGRID's ``mute`` (an index finger raised to the
# lips) is left out: it is the same hand shape, and a camera cannot tell whom it is for.
OTHER_HAND_SHAPES = OPEN_HAND | frozenset({
    "call", "dislike", "fist", "four", "like", "ok", "peace", "peace_inverted", "rock", "three",
    "three2", "two_up", "two_up_inverted", "digit_0", "digit_2", "digit_3", "digit_4", "digit_6", "digit_7",
    "digit_8", "digit_9", "other_hand_shape"})

SITTING = frozenset({"sitting_upright", "sitting_slouched_or_reclined", "legs_crossed_seated"})
HAND_ON_FACE = frozenset({"hand_on_face", "hand_on_face:yes"})
TASKS: dict[str, Task] = {t.name: t for t in (
    Task("smile", "EX-SMILE", "smiling?", frozenset({"smile", "smiling"}),
         frozenset({"non_smile", "not_smiling", "neutral"}), "pass", "auto"),
    Task("one-finger", "PT-ONE-FINGER", "one-finger point (vs open hand)?", ONE_FINGER, OPEN_HAND,
         "fail", "auto"),
    Task("one-finger-any", "PT-ONE-FINGER", "one-finger point (vs any other hand shape)?", ONE_FINGER,
         OTHER_HAND_SHAPES, "fail", "auto"),
    Task("fingers-extended", "PT-FINGERS", "all four fingers straight (open hand vs one-finger point)?",
         OPEN_HAND, ONE_FINGER, "pass", "pointing", condition="pointing_fingers_extended_min"),
    Task("fingers-together", "PT-FINGERS", "fingers together (stop) vs spread (palm)?",
         frozenset({"stop", "stop_inverted", "fingers_together"}), frozenset({"palm", "fingers_spread"}),
         "pass", "pointing", condition="pointing_finger_spread_deg"),
    Task("sitting", "-", "sitting (vs standing)? (the automatic scenario choice)", SITTING,
         frozenset({"standing_full_body"}), "pass", "auto", chosen_scenario="sitting"),
    Task("sitting-upright", "SI-UPRIGHT", "sitting upright (vs slouched or reclined)?",
         frozenset({"sitting_upright"}), frozenset({"sitting_slouched_or_reclined"}), "pass", "sitting",
         also=("SI-LEAN",)),
    Task("hand-on-face", "HD-TOUCH", "a hand on the face or hair?", HAND_ON_FACE,
         frozenset({"hand_on_face:no"}), "fail", "auto", positives_alone=True),
)}
HEAD_TASK = "head-pose"


@dataclass(frozen=True)
class GroomingTask(Task):
    """A grooming question on the labels of ``grooming.csv`` (tags ``column:value``) and on
    the real photos' tags (``etiquette-photos``: ``beard``, ``necktie``...), answered by one
    condition of a GR-* clause judged with its own ``profile`` and company settings (e.g. a
    tie required, to read the tie model through GR-UNIFORM)."""

    profile: str = "any"
    requires: frozenset[str] = frozenset()  # one of these tags at least (e.g. sex:m), if any
    men_wear_tie: bool = False
    require_lipstick: bool = False

    def truth(self, tags: frozenset[str]) -> bool | None:
        return super().truth(tags) if not self.requires or self.requires & tags else None


def _g(column: str, *values: str, tags: tuple[str, ...] = ()) -> frozenset[str]:
    """The label-file tags ``column:value`` and the same answer's tags in the real photos."""
    return frozenset(f"{column}:{v}" for v in values) | frozenset(tags)


GROOMING_TASKS: dict[str, GroomingTask] = {t.name: t for t in (
    GroomingTask("facial-hair", "GR-BEARD", "beard or moustache (men)?",
                 _g("facial_hair", "beard", "moustache", tags=("beard",)),
                 _g("facial_hair", "none", tags=("clean_shaven",)), "fail", "grooming",
                 condition="facial_hair_score", profile="male", requires=_g("sex", "m", tags=("profile_male",))),
    GroomingTask("hair-colour", "GR-HAIR-COLOUR", "hair not black or brown?",
                 _g("hair_colour", "blond", "grey_white", "red", "dyed", tags=("hair_colour_other",)),
                 _g("hair_colour", "black_brown", tags=("hair_colour_black_brown",)), "fail",
                 "grooming", condition="hair_colour_not_allowed"),
    GroomingTask("dangling-earring", "GR-JEWELLERY", "dangling earrings (vs stud or none)?",
                 _g("earrings", "dangling", tags=("earrings_dangling",)),
                 _g("earrings", "stud", "none", tags=("earrings_stud",)), "fail", "grooming",
                 condition="dangling_earring_score", profile="female"),
    GroomingTask("fringe", "GR-HAIR-F", "a fringe over the eyebrows?",
                 _g("fringe_eyebrows", "yes", tags=("fringe_covers_eyebrows",)),
                 _g("fringe_eyebrows", "no"), "fail", "grooming", condition="fringe_score", profile="female"),
    GroomingTask("loose-long-hair", "GR-HAIR-F", "loose long hair?",
                 _g("hair_loose_long", "yes", tags=("hair_loose_long",)),
                 _g("hair_loose_long", "no", tags=("hair_tied_up", "hair_short")), "fail", "grooming",
                 condition="loose_long_hair_score", profile="female"),
    GroomingTask("necktie", "GR-UNIFORM", "a necktie?", _g("necktie", "yes", tags=("necktie",)),
                 _g("necktie", "no", tags=("no_tie",)), "pass",
                 "grooming", condition="tie_as_required", profile="male", men_wear_tie=True),
    GroomingTask("lipstick", "GR-MAKEUP", "a strong (clearly coloured) lipstick?",
                 _g("lipstick", "strong", tags=("lipstick_other",)),
                 _g("lipstick", "natural", tags=("no_lipstick_visible",)), "pass", "grooming",
                 condition="lipstick_missing", profile="female", require_lipstick=True),
)}
TASKS.update(GROOMING_TASKS)


@dataclass(frozen=True)
class PoseFormat:
    """How a head-pose CSV writes its angles: unit and the sign that maps each angle onto
    the engine's convention (see posture.measure.face.head_angles_deg)."""

    radians: bool
    signs: tuple[float, float, float]  # yaw, pitch, roll


# GENKI-4K's pose labels are radians and its pitch is positive for a raised chin, the
# engine's for a lowered one (checked on the photos with the largest labelled angles and
# by the sign of the correlation; docs/EVALUATION.md).
KNOWN_POSE_FILES: dict[str, PoseFormat] = {
    "genki_pose.csv": PoseFormat(radians=True, signs=(1.0, -1.0, 1.0)),
    "pose.csv": PoseFormat(radians=False, signs=(1.0, 1.0, 1.0)),  # a company's own: engine convention
}


def read_pose(folder: Path) -> dict[str, tuple[float, float, float]]:
    """Labelled (yaw, pitch, roll) in degrees in the engine's convention, by file; empty
    when the folder has no known pose CSV."""
    for name, fmt in KNOWN_POSE_FILES.items():
        path = folder / name
        if not path.exists():
            continue
        out = {}
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                vals = [float(row[k]) for k in ("yaw", "pitch", "roll")]
                if fmt.radians:
                    vals = [math.degrees(v) for v in vals]
                out[row["file"]] = tuple(s * v for s, v in zip(fmt.signs, vals, strict=True))
        return out
    return {}


# ---------------------------------------------------------------------------------------
# Landmarks: from the images (the default) or from an opt-in cache of earlier runs


@dataclass
class Observation:
    """What the engine made of one photo."""

    file: str
    landmarks: Landmarks | None  # the main person's; None: the file could not be read
    error: str | None = None
    ms: float = 0.0  # decode + landmarks + verdicts; 0 when taken from the cache
    others: tuple[Landmarks, ...] = ()  # the other people judged, largest first


class LandmarkCache:
    """Landmarks of earlier runs, keyed by file, size and modification time (dev use:
    fitting iterations re-read them instead of running MediaPipe again)."""

    VERSION = 5  # 3: Landmarks carry the mouth patch; 4: and the pixels with the person mask;
    # 5: everyone of a photo (people_landmarks), not Holistic's own pick of one
    # The pixels are kept compressed (a few tens of kB a photo instead of a few hundred).
    ENCODED = {"image": ".jpg", "person_mask": ".png"}

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, object] = {}
        self.dirty = 0
        if path.exists():
            with open(path, "rb") as handle:
                stored = pickle.load(handle)  # noqa: S301 - our own dev cache
            if stored.get("version") == self.VERSION:
                self.data = stored["items"]

    @staticmethod
    def key(image: Path) -> str:
        st = image.stat()
        return f"{image.resolve()}|{st.st_size}|{st.st_mtime_ns}"

    def get(self, image: Path) -> tuple[list[Landmarks] | None, str | None] | None:
        """(everyone judged, largest first; None: unreadable), error."""
        hit = self.data.get(self.key(image))
        if hit is None:
            return None
        people, error = hit
        return (None if people is None else [self._landmarks(f) for f in people]), error

    def _landmarks(self, fields: dict) -> Landmarks:
        fields = {**fields, **{k: _decode(fields[k], k) for k in self.ENCODED if fields.get(k) is not None}}
        # Rebuilt through the constructor, so derived state of a newer Landmarks is made.
        return Landmarks(**fields)

    def put(self, image: Path, people: list[Landmarks] | None, error: str | None) -> None:
        self.data[self.key(image)] = (None if people is None else [self._fields(lm) for lm in people], error)
        self.dirty += 1
        if self.dirty >= 1000:
            self.save()

    def _fields(self, landmarks: Landmarks) -> dict:
        fields = {f.name: getattr(landmarks, f.name) for f in dataclasses.fields(landmarks) if f.init}
        fields.update({k: _encode(fields[k], ext) for k, ext in self.ENCODED.items() if fields.get(k) is not None})
        return fields

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            pickle.dump({"version": self.VERSION, "items": self.data}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self.path)
        self.dirty = 0


def _encode(pixels: np.ndarray, ext: str) -> bytes:
    import cv2

    if pixels.ndim == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    return cv2.imencode(ext, pixels, [cv2.IMWRITE_JPEG_QUALITY, 95] if ext == ".jpg" else [])[1].tobytes()


def _decode(data: bytes, name: str) -> np.ndarray:
    import cv2

    if name == "person_mask":
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def cache_path(cache_dir: Path, folder: Path) -> Path:
    """The cache file of one labelled folder."""
    tag = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:10]
    return cache_dir / f"landmarks-{folder.resolve().name}-{tag}.pkl"


def people_landmarks(people: People) -> list[Landmarks]:
    """The landmarks of everyone not too small to judge, largest first: the first is the
    main person, whom the report puts first (:meth:`Checker.check_people`). Nobody found:
    the landmarks of nobody, alone."""
    judged = sorted((p for p in people if not p.too_small), key=lambda p: -box_area(p.box))
    return [p.landmarks for p in judged] or [Landmarks(people.width, people.height)]


def observe(folder: Path, samples: list[Sample], checker: Checker, cache: LandmarkCache | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[Observation]:
    """Landmarks of every sample photo, detected by the checker's models (or from ``cache``)."""
    from posture.images import BadInput, decode_image

    out = []
    for i, sample in enumerate(samples):
        image = folder / sample.file
        hit = cache.get(image) if cache is not None and image.exists() else None
        if hit is not None:
            (found, error), ms = hit, 0.0
        else:
            t0 = time.perf_counter()
            try:
                rgb = decode_image(image, max_pixels=checker.standard.settings.max_pixels)
                # Everyone, as a photo is checked: with several people in the picture,
                # Holistic's own choice of one (detect()) need not be the labelled person.
                people = checker.detector.detect_people(rgb, min_face_px=checker.standard.settings.min_face_px)
                found, error = people_landmarks(people), None
            except BadInput as exc:
                found, error = None, str(exc)
            ms = (time.perf_counter() - t0) * 1e3
            if cache is not None and image.exists():
                cache.put(image, found, error)
        out.append(Observation(sample.file, None, error, ms) if found is None
                   else Observation(sample.file, found[0], error, ms, tuple(found[1:])))
        if progress:
            progress(i + 1, len(samples))
    if cache is not None:
        cache.save()
    return out


# ---------------------------------------------------------------------------------------
# Scores


@dataclass
class BinaryScore:
    """Confusion of a yes/no task. A photo without a verdict (no face/hand/person found)
    counts as the wrong answer: a missed "yes" or a false "yes"."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    none_pos: int = 0  # truly "yes", but no verdict
    none_neg: int = 0  # truly "no", but no verdict

    def add(self, truth: bool, said: bool | None) -> None:
        if said is None:
            if truth:
                self.none_pos += 1
            else:
                self.none_neg += 1
        elif truth:
            self.tp += said
            self.fn += not said
        else:
            self.fp += said
            self.tn += not said

    @property
    def n(self) -> int:
        return self.tp + self.fn + self.fp + self.tn + self.none_pos + self.none_neg

    @property
    def no_detection(self) -> int:
        return self.none_pos + self.none_neg

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.n)

    @property
    def accuracy_found(self) -> float:
        """Accuracy on the photos that got a verdict (the measurement's own error)."""
        return _ratio(self.tp + self.tn, self.n - self.no_detection)

    @property
    def balanced_found(self) -> float:
        """Mean of the recalls of "yes" and "no" on the photos that got a verdict."""
        return 0.5 * (_ratio(self.tp, self.tp + self.fn) + _ratio(self.tn, self.tn + self.fp))

    @property
    def not_visible_share(self) -> float:
        return _ratio(self.no_detection, self.n)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp + self.none_neg)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn + self.none_pos)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else float("nan")

    @property
    def balanced_accuracy(self) -> float:
        """Mean of the "yes" and the "no" photos' accuracies (no verdict = wrong): fair when
        one answer is much rarer, as hands on faces are."""
        yes, no = self.tp + self.fn + self.none_pos, self.tn + self.fp + self.none_neg
        return (_ratio(self.tp, yes) + _ratio(self.tn, no)) / 2.0

    @property
    def false_no_rate(self) -> float:
        """Share of true "yes" photos told "no" (e.g. a smiling trainee told to smile)."""
        return _ratio(self.fn, self.tp + self.fn + self.none_pos)

    @property
    def false_yes_rate(self) -> float:
        """Share of true "no" photos told "yes"."""
        return _ratio(self.fp, self.fp + self.tn + self.none_neg)

    def as_dict(self) -> dict[str, float | int]:
        return {"n": self.n, "accuracy": self.accuracy, "accuracy_found": self.accuracy_found,
                "balanced_accuracy_found": self.balanced_found, "not_visible_share": self.not_visible_share,
                "precision": self.precision, "recall": self.recall, "f1": self.f1,
                "balanced_accuracy": self.balanced_accuracy,
                "tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn,
                "none_pos": self.none_pos, "none_neg": self.none_neg,
                "false_no_rate": self.false_no_rate, "false_yes_rate": self.false_yes_rate}


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


@dataclass
class PoseScore:
    """Absolute errors of the measured head angles against the labels, in degrees."""

    errors: dict[str, list[float]] = field(default_factory=lambda: {"yaw": [], "pitch": [], "roll": []})
    signed: dict[str, list[float]] = field(default_factory=lambda: {"yaw": [], "pitch": [], "roll": []})
    no_face: int = 0
    verdict: BinaryScore = field(default_factory=BinaryScore)  # "head level" per labels vs per engine

    def add(self, truth: tuple[float, float, float], measured: tuple[float, float, float] | None) -> None:
        if measured is None:
            self.no_face += 1
            return
        for name, t, m in zip(("yaw", "pitch", "roll"), truth, measured, strict=True):
            self.errors[name].append(abs(m - t))
            self.signed[name].append(m - t)

    @property
    def n(self) -> int:
        return len(self.errors["yaw"]) + self.no_face

    def summary(self, name: str) -> dict[str, float]:
        err = np.asarray(self.errors[name])
        if err.size == 0:
            return {"mean": float("nan"), "p95": float("nan"), "bias": float("nan")}
        return {"mean": float(err.mean()), "p95": float(np.percentile(err, 95)),
                "bias": float(np.mean(self.signed[name]))}

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "no_face": self.no_face,
                **{name: self.summary(name) for name in ("yaw", "pitch", "roll")},
                "st_head": self.verdict.as_dict()}


@dataclass
class Evaluation:
    """Scores of one labelled folder, by task and split."""

    folder: str
    photos: int
    ms_per_photo: float  # nan when every photo came from the cache
    binary: dict[str, dict[str, BinaryScore]]  # task -> split -> score
    pose: dict[str, PoseScore]  # split -> score (empty without pose labels)
    wrong: dict[str, list[tuple[str, bool, bool | None]]]  # task -> (file, truth, said) of the errors

    def as_dict(self) -> dict[str, object]:
        return {"folder": self.folder, "photos": self.photos, "ms_per_photo": self.ms_per_photo,
                "tasks": {t: {s: sc.as_dict() for s, sc in by.items()} for t, by in self.binary.items()},
                HEAD_TASK: {s: sc.as_dict() for s, sc in self.pose.items()},
                "wrong": {t: [{"file": f, "label_yes": truth, "said_yes": said} for f, truth, said in rows]
                          for t, rows in self.wrong.items()}}


def _verdict_answer(task: Task, verdicts: dict[str, Verdict], result: CheckResult | None = None) -> bool | None:
    """The task's yes/no from the clause verdicts or the scenario choice (None: not judged)."""
    if task.chosen_scenario is not None:
        if result is None or result.report.person.box is None:
            return None
        return task.chosen_scenario in result.report.scenarios
    if task.condition is None:
        found = [verdicts.get(c) for c in task.clauses]
        outcomes = [v.outcome for v in found if v is not None]
        if "fail" in outcomes:  # one failing clause decides; otherwise every one must be judged
            return task.yes_when == "fail"
        if len(outcomes) < len(found) or "not_visible" in outcomes:
            return None
        return task.yes_when == "pass"
    verdict = verdicts.get(task.clause)
    if verdict is None:
        return None
    check = next((c for c in verdict.checks if c.measurement == task.condition), None)
    if check is None or check.ok is None:
        return None
    return check.ok == (task.yes_when == "pass")


def _grooming_answer(task: GroomingTask, standard: Standard, lm: Landmarks | None) -> bool | None:
    """The grooming task's yes/no: its clause judged as the pipeline does, with the task's
    profile and company settings (None: not visible)."""
    from posture.grooming.company import GroomingContext

    if lm is None:
        return None
    clause = standard.by_id[task.clause]
    company = standard.company.model_copy(update={
        "men_wear_tie": task.men_wear_tie,
        "makeup": standard.company.makeup.model_copy(update={"require_lipstick": task.require_lipstick})})
    measured = measure_all(lm, clause.measurements, GroomingContext(company, task.profile))
    return _verdict_answer(task, {clause.id: judge(clause, measured)})


HEAD_MEASUREMENTS = ("head_yaw_deg", "head_pitch_deg", "head_roll_deg")  # the order of the labels


def _head_measured(result: CheckResult | None) -> tuple[float, float, float] | None:
    """The face mesh's (yaw, pitch, roll) against the camera, as the labels are (ST-HEAD reads
    the yaw against the trunk), or None when no judgeable face was found."""
    from posture.measure.face import head_angles_to_camera

    if result is None or not result.report.person.judgeable:
        return None
    return head_angles_to_camera(result.landmarks)


def _head_truth_level(clause: Clause, truth: tuple[float, float, float]) -> bool:
    """Whether the labelled angles meet the clause (the verdict a perfect measurement gives)."""
    measured = {k: Measured(v, 1.0) for k, v in zip(HEAD_MEASUREMENTS, truth, strict=True)}
    return judge(clause, measured).outcome == "pass"


def select(samples: list[Sample], tasks: Iterable[Task], pose: dict[str, tuple[float, float, float]],
           split: str | None = None, limit_per_label: int | None = None) -> list[Sample]:
    """The samples some task (or the pose labels) can score, optionally one split only and
    at most ``limit_per_label`` photos per label, chosen by a fixed hash order."""
    tasks = list(tasks)
    wanted = [s for s in samples if (split is None or s.split == split)
              and (any(t.truth(s.tags) is not None for t in tasks) or s.file in pose)]
    if limit_per_label is None:
        return wanted
    # Grouped by the tags the tasks score (not the attribute columns every photo has its own mix of).
    scored = set().union(*(t.positive | t.negative for t in tasks))
    by_label: dict[str, list[Sample]] = {}
    for s in sorted(wanted, key=lambda s: _rank(s.file)):
        by_label.setdefault(";".join(sorted(s.tags & scored)), []).append(s)
    chosen = [s for group in by_label.values() for s in group[:limit_per_label]]
    return sorted(chosen, key=lambda s: s.file)


def tasks_for(samples: list[Sample], names: Iterable[str] | None = None) -> list[Task]:
    """The named tasks, or (by default) every task whose labels both occur in the folder."""
    if names:
        unknown = [n for n in names if n not in TASKS and n != HEAD_TASK]
        if unknown:
            raise ValueError(f"unknown task(s) {unknown}; known: {', '.join([*TASKS, HEAD_TASK])}")
        return [TASKS[n] for n in names if n in TASKS]
    tags = set().union(*(s.tags for s in samples)) if samples else set()
    return [t for t in TASKS.values() if tags & t.positive and (tags & t.negative or t.positives_alone)]


def evaluate_folder(folder: Path | str, *, tasks: Iterable[str] | None = None, split: str | None = None,
                    limit_per_label: int | None = None, standard: Standard | None = None,
                    checker: Checker | None = None, cache_dir: Path | None = None,
                    progress: Callable[[int, int], None] | None = None) -> Evaluation:
    """Run the engine over a labelled folder and score every applicable task.

    ``checker``: a :class:`posture.pipeline.Checker` to reuse (one is made otherwise);
    ``cache_dir``: opt-in landmark cache for repeated runs (timings are then not measured).
    """
    from posture.pipeline import Checker  # imported here: importing posture.evaluate stays cheap

    folder = Path(folder)
    samples = read_labels(folder)
    names = list(tasks) if tasks else None
    chosen_tasks = tasks_for(samples, names)
    pose = read_pose(folder) if names is None or HEAD_TASK in names else {}
    selected = select(samples, chosen_tasks, pose, split, limit_per_label)
    if not selected:
        known = sorted(set().union(*(t.positive | t.negative for t in TASKS.values())))
        raise ValueError(f"{folder}: no photo{'' if split is None else ' of the ' + split + ' split'} has a label "
                         f"that a task{'' if names is None else ' of ' + ', '.join(names)} scores; labels known: "
                         f"{', '.join(known)}; head pose needs pose.csv (file,yaw,pitch,roll in degrees)")
    own = checker is None
    if own:
        checker = Checker(standard or load_standard())
    head_clause = checker.standard.by_id.get("ST-HEAD")
    cache = LandmarkCache(cache_path(cache_dir, folder)) if cache_dir else None
    try:
        observations = observe(folder, selected, checker, cache, progress)
        binary = {t.name: {s: BinaryScore() for s in (*SPLITS, "all")} for t in chosen_tasks}
        pose_scores = {s: PoseScore() for s in (*SPLITS, "all")} if pose else {}
        wrong: dict[str, list[tuple[str, bool, bool | None]]] = {t.name: [] for t in chosen_tasks}
        timed = []
        scenarios = ({t.scenario for t in chosen_tasks if not isinstance(t, GroomingTask)}
                     | ({"standing"} if pose else set()))
        for sample, obs in zip(selected, observations, strict=True):
            t0 = time.perf_counter()
            verdicts: dict[str, dict[str, Verdict]] = {}
            results: dict[str, CheckResult] = {}
            if obs.landmarks is not None:
                for scenario in scenarios:
                    results[scenario] = checker.check_landmarks(obs.landmarks, scenario=scenario)
                    verdicts[scenario] = {v.clause.id: v for v in results[scenario].verdicts}
            if obs.ms:
                timed.append(obs.ms + (time.perf_counter() - t0) * 1e3)
            others: dict[tuple[int, str], CheckResult] = {}  # (person, scenario), checked when asked
            for task in chosen_tasks:
                truth = task.truth(sample.tags)
                if truth is None:
                    continue
                if isinstance(task, GroomingTask):
                    said = _grooming_answer(task, checker.standard, obs.landmarks)
                else:
                    said = _verdict_answer(task, verdicts.get(task.scenario, {}), results.get(task.scenario))
                    # In a photo of several, when the main person cannot be judged on this task
                    # (cut by the frame's edge, turned away), the next largest who can answers.
                    for n, other in enumerate(obs.others):
                        if said is not None:
                            break
                        if (n, task.scenario) not in others:
                            others[n, task.scenario] = checker.check_landmarks(other, scenario=task.scenario)
                        result = others[n, task.scenario]
                        said = _verdict_answer(task, {v.clause.id: v for v in result.verdicts}, result)
                for s in (sample.split, "all"):
                    binary[task.name][s].add(truth, said)
                if said != truth:
                    wrong[task.name].append((sample.file, truth, said))
            if sample.file in pose:
                truth_angles = pose[sample.file]
                head = verdicts.get("standing", {}).get("ST-HEAD")
                measured = _head_measured(results.get("standing"))
                said = None if head is None or head.outcome == "not_visible" else head.outcome == "pass"
                for s in (sample.split, "all"):
                    pose_scores[s].add(truth_angles, measured)
                    if head_clause is not None:
                        pose_scores[s].verdict.add(_head_truth_level(head_clause, truth_angles), said)
        ms = float(np.mean(timed)) if timed else float("nan")
        return Evaluation(str(folder), len(selected), ms, binary, pose_scores, wrong)
    finally:
        if own:
            checker.close()


# ---------------------------------------------------------------------------------------
# Output


def _pct(x: float) -> str:
    return "  -  " if math.isnan(x) else f"{100 * x:5.1f}"


def format_evaluation(ev: Evaluation, splits: Iterable[str] = (*SPLITS, "all")) -> str:
    """A plain-text table of every task and split."""
    splits = list(splits)
    ms = "not measured (landmarks from the cache)" if math.isnan(ev.ms_per_photo) else f"{ev.ms_per_photo:.0f} ms"
    lines = [f"{ev.folder}: {ev.photos} photos, time per photo {ms}"]
    for name, by_split in ev.binary.items():
        task = TASKS[name]
        what = ("scenario " + task.chosen_scenario if task.chosen_scenario
                else "+".join(task.clauses) + (f" [{task.condition}]" if task.condition else ""))
        lines.append(f"\n{name}: {task.question}  ({what}; yes = {task.yes_when})")
        lines.append(f"  {'split':<5} {'n':>5} {'acc%':>6} {'acc|found%':>10} {'bal|found%':>10} {'prec%':>6} "
                     f"{'rec%':>6} {'F1%':>6} {'bal%':>5}   confusion yes->(yes,no,none) no->(yes,no,none)   "
                     f"no verdict")
        for s in splits:
            sc = by_split[s]
            if sc.n == 0:
                continue
            lines.append(
                f"  {s:<5} {sc.n:>5} {_pct(sc.accuracy):>6} {_pct(sc.accuracy_found):>10} "
                f"{_pct(sc.balanced_found):>10} {_pct(sc.precision):>6} {_pct(sc.recall):>6} {_pct(sc.f1):>6} "
                f"{_pct(sc.balanced_accuracy):>5}   yes->({sc.tp},{sc.fn},{sc.none_pos}) "
                f"no->({sc.fp},{sc.tn},{sc.none_neg})   {sc.no_detection} ({_pct(sc.not_visible_share).strip()}%)")
    if ev.pose:
        lines.append(f"\n{HEAD_TASK}: measured head angles against the labels (degrees, absolute error)")
        lines.append(f"  {'split':<5} {'n':>5} {'no face':>7}   {'yaw mean/p95':>13} {'pitch mean/p95':>15} "
                     f"{'roll mean/p95':>14}   ST-HEAD verdict agrees%")
        for s in splits:
            sc = ev.pose[s]
            if sc.n == 0:
                continue
            cells = []
            for k in ("yaw", "pitch", "roll"):
                d = sc.summary(k)
                cells.append(f"{d['mean']:.1f}/{d['p95']:.1f}")
            lines.append(f"  {s:<5} {sc.n:>5} {sc.no_face:>7}   {cells[0]:>13} {cells[1]:>15} {cells[2]:>14}   "
                         f"{_pct(sc.verdict.accuracy)}")
    return "\n".join(lines)


def default_progress(done: int, total: int) -> None:
    """A one-line counter on stderr."""
    if done == total or done % 50 == 0:
        print(f"\r  {done}/{total} photos", end="\n" if done == total else "", file=sys.stderr, flush=True)
