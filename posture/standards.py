"""The standard's clauses as validated data, loaded from the YAML files in ``standards/``.

A company can copy that folder, change a threshold and point ``--standards`` at the copy;
nothing in the code has to change. Every file is checked on load: a bad value raises a
:class:`StandardsError` naming the file, the clause and the key.
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from posture.grooming.company import COMPANY_FILE, NO_COMPANY, Company
from posture.measure import REGISTRY

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "standards"
SCENARIOS = ("standing", "sitting", "pointing", "talking", "handover", "grooming")
# Each scenario's name as the report and the app show it (zh, en).
SCENARIO_NAMES: dict[str, tuple[str, str]] = {
    "standing": ("站姿", "standing"), "sitting": ("坐姿", "sitting"), "pointing": ("指示方向", "pointing"),
    "talking": ("交谈手势", "talking"), "handover": ("递送物品", "handover"), "grooming": ("仪容仪表", "grooming")}
Scenario = Literal["standing", "sitting", "pointing", "talking", "handover", "grooming", "any"]
Profile = Literal["any", "female", "male"]
Severity = Literal["minor", "major", "critical"]
Lang = Literal["zh", "en"]


class StandardsError(ValueError):
    """A standards file could not be read or does not match the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


class Source(_Strict):
    file: str
    lines: str = Field(description="line or range in the seed file, e.g. '299' or '299-300'")


class Condition(_Strict):
    """One measured number that must lie in [min - tolerance, max + tolerance]."""

    measurement: str
    min: float | None = None
    max: float | None = None
    tolerance: float = Field(default=0.0, ge=0.0)
    why: str = Field(min_length=1, description="where the numbers come from")

    @field_validator("measurement")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in REGISTRY:
            raise ValueError(f"unknown measurement {name!r}; known: {', '.join(sorted(REGISTRY))}")
        return name

    @model_validator(mode="after")
    def _bounded(self) -> Condition:
        if self.min is None and self.max is None:
            raise ValueError("a condition needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    @property
    def low(self) -> float:
        return float("-inf") if self.min is None else self.min - self.tolerance

    @property
    def high(self) -> float:
        return float("inf") if self.max is None else self.max + self.tolerance

    def accepts(self, value: float) -> bool:
        return self.low <= value <= self.high

    def expected(self) -> str:
        """The accepted range as text, e.g. '35..55 (45 ±10)'."""
        if self.min is not None and self.max is not None:
            core = f"{self.min:g}" if self.min == self.max else f"{self.min:g}..{self.max:g}"
        elif self.min is not None:
            core = f">= {self.min:g}"
        else:
            core = f"<= {self.max:g}"
        return f"{core} ±{self.tolerance:g}" if self.tolerance else core


class Variant(_Strict):
    """One accepted way of meeting a clause (e.g. feet in a V, or parallel)."""

    name: str
    label: Text
    conditions: list[Condition] = Field(min_length=1)


class Parameter(_Strict):
    """A number used by a time-based (video) clause: a duration, a depth, a share."""

    name: str
    value: float
    unit: str
    why: str = Field(min_length=1)


class Clause(_Strict):
    id: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9-]+$")
    title: Text
    original: str = Field(min_length=1, description="the standard's own Chinese words")
    english: str = Field(min_length=1)
    source: Source
    scenarios: list[Scenario] = Field(min_length=1)
    # "either": only when the trainee's profile is not chosen ("any"); it accepts the variants
    # of the clauses it ``combines`` (the women's and the men's way), as BW-HANDS does.
    profile: Profile | Literal["either"] = "any"
    combines: list[str] = Field(default_factory=list, description="clauses whose variants it accepts")
    severity: Severity
    method: Literal["still", "video", "grooming"] = "still"
    how: str = Field(min_length=1, description="how a camera measures it")
    advice: Text
    variants: list[Variant] = Field(default_factory=list)
    parameters: list[Parameter] = Field(default_factory=list)

    def param(self, name: str) -> float:
        """The value of parameter ``name`` (KeyError naming the clause if missing)."""
        for p in self.parameters:
            if p.name == name:
                return p.value
        raise KeyError(f"{self.id}: no parameter {name!r} in the standard")

    @model_validator(mode="after")
    def _judgeable(self) -> Clause:
        if self.method in ("still", "grooming") and not self.variants and not self.combines:
            raise ValueError(f"a {self.method} clause needs at least one variant with conditions")
        if (self.profile == "either") != bool(self.combines):
            raise ValueError("profile 'either' goes with 'combines' (the clauses whose variants it accepts)")
        return self

    def applies(self, scenarios: list[str], profile: str) -> bool:
        in_scenario = "any" in self.scenarios or any(s in self.scenarios for s in scenarios)
        if self.profile == "either":
            return in_scenario and profile == "any"
        return in_scenario and (self.profile == "any" or self.profile == profile)

    def profile_reason(self) -> str:
        """Why the clause does not apply to another profile (a report's not_applicable)."""
        return "only when no profile is chosen" if self.profile == "either" else f"profile {self.profile} only"

    @property
    def measurements(self) -> set[str]:
        return {c.measurement for v in self.variants for c in v.conditions}


class StillOverTime(_Strict):
    """How a still (one-frame) clause is judged over a video or a live session
    (posture.sequence.still_rule; reasons in settings.yaml)."""

    scenario_hold_s: float = Field(ge=0.0)  # a scenario's clauses count once it has held this long
    critical_hold_s: float = Field(gt=0.0)  # a critical clause fails once failing this long at a stretch
    fail_share: float = Field(gt=0.0, le=1.0)  # others fail when failing this share of the judged time...
    min_fail_s: float = Field(ge=0.0)  # ... and at least this long in all


class GroomingOverTime(_Strict):
    """How the grooming clauses are judged over a video or a live view
    (posture.grooming.over_time; reasons in settings.yaml)."""

    every_s: float = Field(gt=0.0)  # judged on frames at least this far apart (with the person mask)
    window_s: float = Field(gt=0.0)  # the verdict is the majority over this many last seconds
    min_judged_share: float = Field(ge=0.0, le=1.0)  # of the judgements in the window, else "not visible"


class Settings(_Strict):
    min_visibility: float = Field(ge=0.0, le=1.0)
    min_shoulder_width_px: float = Field(gt=0)
    min_face_px: float = Field(default=20.0, gt=0)
    max_pixels: int = Field(gt=0)
    severity_weights: dict[Severity, float]
    still_over_time: StillOverTime
    grooming_in_every_photo: bool = False
    grooming_over_time: GroomingOverTime = GroomingOverTime(every_s=0.3, window_s=3.0, min_judged_share=0.3)
    why: dict[str, str]


class _ClauseFile(_Strict):
    clauses: list[Clause]


class Standard(BaseModel):
    """Every clause plus the global settings, as read from one standards folder."""

    model_config = ConfigDict(frozen=True)
    folder: Path
    clauses: list[Clause]
    settings: Settings
    company: Company = NO_COMPANY

    @cached_property
    def by_id(self) -> dict[str, Clause]:
        return {c.id: c for c in self.clauses}

    def still_clauses(self) -> list[Clause]:
        return [c for c in self.clauses if c.method == "still"]

    def frame_clauses(self) -> list[Clause]:
        """The clauses judged on one frame: the still postures and grooming."""
        return [c for c in self.clauses if c.method in ("still", "grooming")]


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StandardsError(f"{path}: cannot read: {exc}") from exc


def _explain(path: Path, exc: ValidationError, data: object) -> StandardsError:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        # Name the clause by id rather than by list position.
        if len(loc) >= 2 and loc[0] == "clauses" and isinstance(loc[1], int):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                where = f"clause {data['clauses'][loc[1]]['id']}: " + ".".join(str(p) for p in loc[2:])
        lines.append(f"  {where}: {err['msg']} (got {err.get('input')!r})")
    return StandardsError(f"{path}: invalid standard\n" + "\n".join(lines))


def load_standard(folder: Path | str | None = None) -> Standard:
    """Read and validate ``settings.yaml`` and every other ``*.yaml`` in ``folder``."""
    folder = Path(folder) if folder else DEFAULT_DIR
    if not folder.is_dir():
        raise StandardsError(f"{folder}: standards folder not found")
    settings_path = folder / "settings.yaml"
    if not settings_path.exists():
        raise StandardsError(f"{settings_path}: missing (global settings)")
    raw = _read_yaml(settings_path)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise _explain(settings_path, exc, raw) from exc
    company = _load_company(folder)
    clauses: list[Clause] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in ("settings.yaml", COMPANY_FILE):
            continue
        raw = _read_yaml(path)
        try:
            parsed = _ClauseFile.model_validate(raw)
        except ValidationError as exc:
            raise _explain(path, exc, raw) from exc
        for clause in parsed.clauses:
            if clause.id in seen:
                raise StandardsError(f"{path}: clause {clause.id} already defined in {seen[clause.id]}")
            seen[clause.id] = path
            clauses.append(clause)
    if not clauses:
        raise StandardsError(f"{folder}: no clauses found")
    return Standard(folder=folder, clauses=_combined(clauses, seen), settings=settings, company=company)


def _combined(clauses: list[Clause], where: dict[str, Path]) -> list[Clause]:
    """Clauses that ``combine`` others get those clauses' variants (one copy of each number)."""
    by_id = {c.id: c for c in clauses}
    out = []
    for c in clauses:
        if c.combines:
            unknown = [cid for cid in c.combines if cid not in by_id or by_id[cid].combines]
            if unknown:
                raise StandardsError(f"{where[c.id]}: clause {c.id}: combines unknown or combined clauses {unknown}")
            c = c.model_copy(update={"variants": [v for cid in c.combines for v in by_id[cid].variants]})
        out.append(c)
    return out


def _load_company(folder: Path) -> Company:
    """The company's dress rules (``company.yaml``, optional) with its pictures checked."""
    path = folder / COMPANY_FILE
    if not path.exists():
        return Company(folder=folder)
    raw = _read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise StandardsError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        company = Company.model_validate({**raw, "folder": folder})
    except ValidationError as exc:
        raise _explain(path, exc, raw) from exc
    problems = company.check_pictures()
    if problems:
        raise StandardsError(f"{path}: invalid company settings\n" + "\n".join(f"  {p}" for p in problems))
    return company
