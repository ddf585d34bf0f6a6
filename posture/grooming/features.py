"""The numbers each grooming model reads, from the regions' pixels against the cheeks' skin.

Each ``*_features`` function returns a dict of named numbers, or None when its regions are
not in the picture (the measurement is then "not visible", never guessed). Colours are
differences from the person's own cheek skin in Lab units, so skin tone and the light's
brightness drop out; textures are log ratios of gradient energy to the cheeks', so focus
and resolution drop out.
"""

from __future__ import annotations

import cv2
import numpy as np

from posture.grooming import regions
from posture.grooming.pixels import Sample, Skin, canvas, chroma, sample, skin, spot_contrast
from posture.landmarks import Landmarks, per_frame

# A pixel is "not skin" when it is this many times the cheeks' own spread (plus a floor)
# away from the cheeks' median colour in Lab.
NOT_SKIN_SPREADS = 3.0
NOT_SKIN_FLOOR = 10.0
# A region must be this much inside the frame to be judged; the hair regions, whose outer
# parts are often cut off by a head-and-shoulders framing, a third of it.
MIN_INSIDE = 0.9
MIN_INSIDE_HAIR = 0.35
PERSON = 128  # person-mask value above which a pixel belongs to the person (hair included)


def _not_skin(ref: Skin, lab: np.ndarray) -> np.ndarray:
    return ref.delta_e(lab) > NOT_SKIN_FLOOR + NOT_SKIN_SPREADS * ref.spread


# Blond hair is as light as skin and near it in Lab, but much less red than the cheeks.
HAIR_LESS_RED = 8.0


# Blotchy or noisy cheeks (Lab spread 13-16 on a tenth of the GENKI faces) put the skin's
# colour distance at 50-60: auburn or lit red hair 30-35 away from the skin counted as skin,
# and the hair's colour was read from its darkest strands and the dark background the mask
# takes in (L 5-15). Past this distance a pixel is not the person's skin, however spread the
# cheeks (a forehead in shade stays within it). Chosen on the fit half (20-25 cross-validate alike).
HAIR_SKIN_MAX = 25.0


def _hair_not_skin(ref: Skin, lab: np.ndarray) -> np.ndarray:
    far = ref.delta_e(lab) > min(NOT_SKIN_FLOOR + NOT_SKIN_SPREADS * ref.spread, HAIR_SKIN_MAX)
    return far | (lab[:, 1] < ref.lab[1] - HAIR_LESS_RED)


def _texture(ref: Skin, s: Sample) -> float:
    return float(np.log((s.grad.mean() + 0.5) / (ref.grad + 0.5)))


def _region(lm: Landmarks, polygon: np.ndarray, hole: np.ndarray | None = None,
            min_inside: float = MIN_INSIDE) -> tuple[Skin, Sample] | None:
    cv, ref = canvas(lm), skin(lm)
    if cv is None or ref is None:
        return None
    s = sample(cv, polygon, hole)
    if s is None or s.inside < min_inside:
        return None
    return ref, s


def _skin_contrast(ref: Skin, s: Sample, prefix: str) -> dict[str, float]:
    med = s.median()
    return {f"{prefix}_dL": float(med[0] - ref.lab[0]), f"{prefix}_da": float(med[1] - ref.lab[1]),
            f"{prefix}_db": float(med[2] - ref.lab[2]), f"{prefix}_texture": _texture(ref, s),
            f"{prefix}_dark": float(np.mean(s.lab[:, 0] < ref.lab[0] - 12.0)),
            f"{prefix}_not_skin": float(np.mean(_not_skin(ref, s.lab)))}


def facial_hair_features(lm: Landmarks) -> dict[str, float] | None:
    """Chin-and-jaw and upper-lip skin against the cheeks: a beard is darker, less red and
    rougher than the cheek above it."""
    if lm.face is None:
        return None
    chin = _region(lm, regions.chin_jaw(lm.face))
    lip = _region(lm, regions.upper_lip(lm.face))
    if chin is None or lip is None:
        return None
    return {**_skin_contrast(*chin, "chin"), **_skin_contrast(*lip, "lip")}


def hair_pixels(lm: Landmarks) -> np.ndarray | None:
    """Lab of the hair above the forehead: person-mask pixels that are not skin; None when
    the region is out of the frame, there is no mask, or almost no hair shows (bald or shaved
    heads have no hair colour to judge). Once per frame: several measurements read it."""
    def build() -> np.ndarray | None:
        found = _region(lm, regions.hair_top(lm.face), min_inside=MIN_INSIDE_HAIR) if lm.face is not None else None
        if found is None or found[1].person is None:
            return None
        ref, s = found
        keep = (s.person > PERSON) & _hair_not_skin(ref, s.lab)
        if keep.sum() < max(8, 0.1 * s.n):
            return None
        return s.lab[keep]

    return per_frame(lm, "grooming_hair_pixels", build)


def light_cast(lm: Landmarks) -> np.ndarray | None:
    """The light's colour (a, b in Lab) on the near-white surfaces of the frame: the median
    a and b of its brightest tenth of pixels that are not colourful (white walls, shirts,
    highlights). Warm indoor light moves b up by 5-15 on everything, hair included."""
    def build() -> np.ndarray | None:
        if lm.image is None:
            return None
        step = max(1, round(np.sqrt(lm.image.shape[0] * lm.image.shape[1] / 8_000)))  # ~8,000 pixels
        lab = cv2.cvtColor(lm.image[::step, ::step].astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab).reshape(-1, 3)
        bright = lab[(lab[:, 0] >= np.percentile(lab[:, 0], 90)) & (chroma(lab) < 25.0)]
        return np.median(bright[:, 1:], axis=0) if len(bright) >= 20 else np.zeros(2)

    return per_frame(lm, "grooming_light", build)


def hair_colour_features(lm: Landmarks) -> dict[str, float] | None:
    """The hair's median colour: absolute Lab (the colour itself is the question), against the
    person's own skin (brightness, redness, yellowness: skin tone and exposure drop out) and
    against the light's colour (a warm light makes dark brown hair look red or blond)."""
    hair, ref, cast = hair_pixels(lm), skin(lm), light_cast(lm)
    if hair is None or ref is None or cast is None:
        return None
    med = np.median(hair, axis=0)
    return {"hair_L": float(med[0]), "hair_a": float(med[1]), "hair_b": float(med[2]),
            "hair_chroma": float(np.median(chroma(hair))), "hair_dL": float(med[0] - ref.lab[0]),
            "hair_L_p80": float(np.percentile(hair[:, 0], 80)),
            "hair_da": float(med[1] - ref.lab[1]), "hair_db": float(med[2] - ref.lab[2]),
            "hair_a_light": float(med[1] - cast[0]), "hair_b_light": float(med[2] - cast[1]),
            "hair_dL_p80": float(np.percentile(hair[:, 0], 80) - ref.lab[0])}


def headwear_features(lm: Landmarks) -> dict[str, float] | None:
    """Above the forehead and above the head, against the skin and against the hair seen
    beside the ears: a hat is often another colour than the hair beside it, smoother and more
    even, and its crown rises above where hair ends; None without a person mask."""
    if lm.face is None:
        return None
    top = _region(lm, regions.hair_top(lm.face), min_inside=MIN_INSIDE_HAIR)
    high = _region(lm, regions.above_head(lm.face), min_inside=0.0)
    if top is None or top[1].person is None:
        return None
    ref, s = top
    person = s.person > PERSON
    worn = s.lab[person & _not_skin(ref, s.lab)]
    med = np.median(worn, axis=0) if len(worn) >= 8 else ref.lab
    spread = float(np.median(np.linalg.norm(worn - med, axis=1))) if len(worn) >= 8 else 0.0
    sides = [_region(lm, regions.ear(lm.face, side), min_inside=MIN_INSIDE_HAIR) for side in regions.SIDES]
    beside = [x[1].lab[_not_skin(ref, x[1].lab) & (x[1].person > PERSON)] for x in sides
              if x is not None and x[1].person is not None]
    beside = [b for b in beside if len(b) >= 8]
    side_med = np.median(np.vstack(beside), axis=0) if beside else med
    return {"top_person": float(person.mean()), "top_not_skin": float(np.mean(person & _not_skin(ref, s.lab))),
            "top_dL": float(med[0] - ref.lab[0]), "top_chroma": float(chroma(med)), "top_spread": spread,
            "top_texture": _texture(ref, s), "top_vs_sides": float(np.linalg.norm(med - side_med)),
            "above_person": 0.0 if high is None or high[1].person is None
            else float(np.mean(high[1].person > PERSON) * high[1].inside)}


def clothes_colour(lm: Landmarks) -> np.ndarray | None:
    """Median Lab of the clothes under the chin (the collar band), or None; once per frame."""
    def build() -> np.ndarray | None:
        found = _region(lm, regions.collar_band(lm.face), min_inside=MIN_INSIDE_HAIR)
        return None if found is None else found[1].median()

    return per_frame(lm, "grooming_clothes", build)


def _hair_colour(lm: Landmarks) -> tuple[np.ndarray, float] | None:
    """(median Lab, median distance from it) of the hair pixels above the forehead, or None
    without them; once per frame (every region read against the hair's colour asks)."""
    def build() -> tuple[np.ndarray, float] | None:
        hair = hair_pixels(lm)
        if hair is None:
            return None
        med = np.median(hair, axis=0)
        return med, float(np.median(np.linalg.norm(hair - med, axis=1)))

    return per_frame(lm, "grooming_hair_colour", build)


def _hair_share(lm: Landmarks, polygon: np.ndarray) -> tuple[float, float, float] | None:
    """(share of the region that is hair-coloured person pixels, share that is person, share
    that is hair-coloured and not the colour of the clothes under the chin)."""
    found = _region(lm, polygon, min_inside=MIN_INSIDE_HAIR)
    if found is None or found[1].person is None:
        return None
    ref, s = found
    hair_med, spread = _hair_colour(lm)
    person = s.person > PERSON
    like = person & (np.linalg.norm(s.lab - hair_med, axis=1) < 8.0 + 2.0 * spread) & _hair_not_skin(ref, s.lab)
    clothes = clothes_colour(lm)
    not_clothes = like if clothes is None else like & (np.linalg.norm(s.lab - clothes, axis=1) > 10.0)
    return float(like.mean()), float(person.mean()), float(not_clothes.mean())


def long_hair_features(lm: Landmarks) -> dict[str, float] | None:
    """How much of the bands beside the neck (under the ears, to below the chin) is hair of
    the colour seen above the forehead."""
    hair = _hair_colour(lm)
    if hair is None:
        return None
    shares = [_hair_share(lm, regions.hair_side(lm.face, side)) for side in regions.SIDES]
    shares = [s for s in shares if s is not None]
    if not shares:
        return None
    like = [s[0] for s in shares]
    clothes = clothes_colour(lm)
    hair_vs_clothes = 0.0 if clothes is None else float(np.linalg.norm(hair[0] - clothes))
    return {"side_hair_max": max(like), "side_hair_min": min(like), "side_person": max(s[1] for s in shares),
            "side_not_clothes": max(s[2] for s in shares), "hair_vs_clothes": min(hair_vs_clothes, 40.0)}


def ear_hair_features(lm: Landmarks) -> dict[str, float] | None:
    """How much of the ears is covered by hair (men's hair over the ears)."""
    if _hair_colour(lm) is None:
        return None
    shares = [_hair_share(lm, regions.ear(lm.face, side)) for side in regions.SIDES]
    shares = [s[2] for s in shares if s is not None]
    return {"ear_hair": max(shares)} if shares else None


def fringe_features(lm: Landmarks) -> dict[str, float] | None:
    """The strip above the eyebrows and the eyebrows themselves against the cheeks: a fringe
    puts hair (not skin, rougher) where the forehead's skin would be."""
    if lm.face is None:
        return None
    band = _region(lm, regions.brow_band(lm.face))
    top = _region(lm, regions.forehead(lm.face))
    brows = [_region(lm, regions.eyebrow(lm.face, side)) for side in regions.SIDES]
    if band is None or top is None or any(b is None for b in brows):
        return None
    out = {**_skin_contrast(*band, "band"), **_skin_contrast(*top, "forehead")}
    out["brow_dL"] = float(np.mean([b[1].median()[0] - b[0].lab[0] for b in brows]))
    return out


def lip_features(lm: Landmarks) -> dict[str, float] | None:
    """The lips (outer minus inner ring) against the cheeks and against the skin just around
    the mouth: lipstick makes them redder, more colourful and often darker. The ring around
    shares the lips' light, which the cheeks do not when light from above shades the lower face."""
    if lm.face is None:
        return None
    outer, inner = regions.lips(lm.face)
    found = _region(lm, outer, hole=inner)
    if found is None:
        return None
    ref, s = found
    around = _region(lm, regions.around_lips(lm.face), hole=outer)
    if around is None:
        return None
    ring = around[1]
    med, near = s.median(), ring.median()
    lip_chroma = float(np.median(chroma(s.lab)))
    return {"lip_vs_around_dL": float(med[0] - near[0]), "lip_vs_around_da": float(med[1] - near[1]),
            "lip_vs_around_dchroma": lip_chroma - float(np.median(chroma(ring.lab))),
            "lip_dL": float(med[0] - ref.lab[0]), "lip_da": float(med[1] - ref.lab[1]),
            "lip_db": float(med[2] - ref.lab[2]),
            "lip_dchroma": lip_chroma - float(chroma(ref.lab)),
            "lip_chroma_p90": float(np.percentile(chroma(s.lab), 90))}


def eyelid_saturation(lm: Landmarks) -> float | None:
    """How much more colourful the upper eyelids are than the cheeks (Lab chroma, the 90th
    percentile of the more colourful lid): eye shadow raises it, fluorescent shadow a lot."""
    if lm.face is None:
        return None
    found = [_region(lm, regions.upper_eyelid(lm.face, side)) for side in regions.SIDES]
    found = [f for f in found if f is not None]
    if not found:
        return None
    ref = found[0][0]
    return max(float(np.percentile(chroma(s.lab), 90) - chroma(ref.lab)) for _, s in found)


def lobe_visible(lm: Landmarks, side: str) -> bool:
    """An ear lobe counts as seen when at least 30% of its box is skin-coloured (hair over the
    ear, a turned head or the frame's edge hide it). Once per frame and side (the earring
    features and the "lobes hidden" state both ask)."""
    def build() -> bool:
        found = _region(lm, regions.ear_lobe(lm.face, side)) if lm.face is not None else None
        if found is None:
            return False
        ref, s = found
        return float(np.mean(~_not_skin(ref, s.lab))) >= 0.3

    return per_frame(lm, f"grooming_lobe_visible:{side}", build)


def earring_features(lm: Landmarks) -> dict[str, float] | None:
    """Under the visible lobes: bright (metal), colourful or high-contrast pixels that are
    neither skin nor the region's own background; the larger of the two sides."""
    if lm.face is None:
        return None
    rows = []
    for side in regions.SIDES:
        if not lobe_visible(lm, side):
            continue
        found = _region(lm, regions.below_lobe(lm.face, side))
        if found is None:
            continue
        ref, s = found
        background = np.median(s.lab, axis=0)
        odd = _not_skin(ref, s.lab) & (np.linalg.norm(s.lab - background, axis=1) > 15.0)
        cv = canvas(lm)
        size = max(3, round(0.06 * regions.face_frame(lm.face)[2] * cv.scale))
        spots = spot_contrast(cv, regions.below_lobe(lm.face, side), size)
        cheek = spot_contrast(cv, regions.cheek(lm.face, side), size)
        base = 1.0 + (float(np.percentile(cheek, 90)) if cheek is not None else 0.0)
        rows.append({"ear_odd": float(odd.mean()),
                     "ear_bright": float(np.mean(s.lab[:, 0] > max(ref.lab[0], background[0]) + 15.0)),
                     "ear_colour": float(np.mean(chroma(s.lab) > chroma(ref.lab) + 15.0)),
                     "ear_texture_p90": float(np.log((np.percentile(s.grad, 90) + 0.5) / (ref.grad + 0.5))),
                     "ear_spot_p98": 0.0 if spots is None else float(np.log((np.percentile(spots, 98) + 1) / base)),
                     "ear_spots": 0.0 if spots is None else float(np.mean(spots > 12.0))})
    if not rows:
        return None
    return {k: max(r[k] for r in rows) for k in rows[0]}


def tie_features(lm: Landmarks) -> dict[str, float] | None:
    """The strip under the chin against the shirt or jacket beside it: a tie is a band of
    another colour down the middle; None when the collar is not in the picture."""
    if lm.face is None:
        return None
    strip, beside = regions.collar(lm.face)
    mid = _region(lm, strip)
    sides = [_region(lm, beside[:4]), _region(lm, beside[4:])]
    if mid is None or any(s is None for s in sides):
        return None
    ref, m = mid
    med = m.median()
    side_meds = [s[1].median() for s in sides]
    side_med = np.mean(side_meds, axis=0)
    return {"tie_vs_sides": float(np.linalg.norm(med - side_med)),
            "tie_sides_apart": float(np.linalg.norm(side_meds[0] - side_meds[1])),
            "tie_dL": float(med[0] - side_med[0]), "tie_chroma": float(chroma(med)),
            "tie_texture": _texture(ref, m), "tie_skin": float(np.mean(~_not_skin(ref, m.lab)))}
