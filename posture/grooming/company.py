"""A company's own dress rules, read from ``company.yaml`` in the standards folder.

The standard says "the company's uniform" and "the company's badge" without saying what
they look like: a trainer writes it here (colours, reference pictures next to the file),
without code. The file is optional; without it (or with its lists empty) the clauses that
need a company's picture say so in their verdict. Validated like the standard: a bad value
or a missing picture raises :class:`~posture.standards.StandardsError` naming the key.
The app adds the badge and uniform pictures a trainer uploaded (:meth:`Company.with_stored`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from posture.grooming.references import Kind, PictureError, ReferencePicture, file_picture

COMPANY_FILE = "company.yaml"
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def hex_to_lab(colour: str) -> np.ndarray:
    """CIELAB of an sRGB colour written ``#rrggbb``."""
    rgb = np.array([[[int(colour[i:i + 2], 16) for i in (1, 3, 5)]]], dtype=np.float32) / 255.0
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[0, 0]


class Uniform(_Strict):
    colours: list[str] = Field(default_factory=list, description="the uniform's main colours, #rrggbb")
    photos: list[str] = Field(default_factory=list, description="pictures of the uniform (its colours are read)")

    @field_validator("colours")
    @classmethod
    def _hex(cls, colours: list[str]) -> list[str]:
        for c in colours:
            if len(c) != 7 or c[0] != "#" or any(ch not in "0123456789abcdefABCDEF" for ch in c[1:]):
                raise ValueError(f"colour {c!r} is not #rrggbb")
        return colours


class Badge(_Strict):
    pictures: list[str] = Field(default_factory=list, description="front views of the company's badge")


class Makeup(_Strict):
    require_lipstick: bool = Field(default=False, description="women must wear a clearly coloured lipstick")


class Company(_Strict):
    """The company's dress rules. ``folder`` is where the pictures are (the standards folder)."""

    folder: Path = Path(".")
    uniform: Uniform = Field(default_factory=Uniform)
    men_wear_tie: bool = False
    badge: Badge = Field(default_factory=Badge)
    hair_colours: Literal["black_brown", "any"] = "black_brown"
    makeup: Makeup = Field(default_factory=Makeup)

    # Pictures the app keeps in its history database (uploaded by a trainer), beside the files.
    _stored: tuple[ReferencePicture, ...] = PrivateAttr(default=())

    def with_stored(self, pictures: Iterable[ReferencePicture]) -> Company:
        """These settings with the app's stored pictures added to the files' ones."""
        copy = self.model_copy()
        copy._stored = tuple(pictures)
        return copy

    def _names(self, kind: Kind) -> list[str]:
        return self.badge.pictures if kind == "badge" else self.uniform.photos

    def references(self, kind: Kind) -> tuple[ReferencePicture, ...]:
        """The company's pictures of its badge or uniform: the files named here, then the stored ones."""
        files = tuple(file_picture(kind, self.folder / n) for n in self._names(kind))
        return files + tuple(p for p in self._stored if p.kind == kind)

    def check_pictures(self) -> list[str]:
        """Problems with the named pictures (missing, not a picture, unusable), for the loader."""
        problems = []
        for kind, key in (("uniform", "uniform.photos"), ("badge", "badge.pictures")):
            for name in self._names(kind):
                path = self.folder / name
                if path.suffix.lower() not in PICTURE_SUFFIXES:
                    problems.append(f"{key}: {path.name} is not a picture ({', '.join(PICTURE_SUFFIXES)})")
                elif not path.is_file():
                    problems.append(f"{key}: {path} not found")
                else:
                    try:
                        file_picture(kind, path)
                    except PictureError as exc:
                        problems.append(f"{key}: {exc}")
        return problems

    def uniform_labs(self) -> list[np.ndarray]:
        """The uniform's colours in Lab: the written ones, then each photo's median colour."""
        return [hex_to_lab(c) for c in self.uniform.colours] + [_garment_lab(p) for p in self.references("uniform")]


@lru_cache(maxsize=32)
def _garment_lab(picture: ReferencePicture) -> np.ndarray:
    """The median Lab colour of the middle of a uniform photo (the garment, not its background)."""
    rgb = picture.rgb()
    h, w = rgb.shape[:2]
    centre = rgb[h // 4:3 * h // 4, w // 4:3 * w // 4]
    lab = cv2.cvtColor(centre.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    return np.median(lab.reshape(-1, 3), axis=0)


NO_COMPANY = Company()

# Why a company-aware measurement has nothing to compare with (the report's reason).
NO_UNIFORM_SET = "no_company_uniform"
NO_TIE_RULE = "no_tie_rule"
NO_LIPSTICK_RULE = "no_lipstick_rule"


def unset_by_company(company: Company, profile: str) -> dict[str, str]:
    """The measurements whose rule this company's settings leave unset for ``profile``, each
    with why: no uniform colours or photos (nothing to compare the chest with), no tie rule
    for men, no lipstick rule. A clause is judged on its other conditions, and left out when
    it has none: a "pass" on a rule nobody set would say nothing was wrong that nobody checked."""
    out = {}
    if not company.uniform_labs():  # what uniform_colour_delta_e compares with
        out["uniform_colour_delta_e"] = NO_UNIFORM_SET
    if not (company.men_wear_tie and profile == "male"):
        out["tie_as_required"] = NO_TIE_RULE
    if not company.makeup.require_lipstick:
        out["lipstick_missing"] = NO_LIPSTICK_RULE
    return out


@dataclass(frozen=True)
class GroomingContext:
    """What a company-aware measurement needs besides the landmarks."""

    company: Company = NO_COMPANY
    profile: str = "any"
