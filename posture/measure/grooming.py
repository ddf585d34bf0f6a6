"""Grooming measurements (GR-* clauses): probabilities of the fitted models and colour
differences, from the regions' pixels (see posture.grooming).

Each returns None, never a guess, when its region is not in the picture, when the frame has
no pixels (landmarks alone, a video without the person mask) or, for a colour, when the
picture is grayscale.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from posture.grooming import appearance, regions
from posture.grooming import features as F
from posture.grooming.badge import CHEST_SEEN_FOR_A_FIND, BadgeFind, find_badge_like, match_company_badge
from posture.grooming.company import GroomingContext
from posture.grooming.models import MODELS
from posture.grooming.pixels import canvas, is_grayscale, sample
from posture.landmarks import Landmarks
from posture.measure import Measured, blocking_state, measurement, per_frame


def model_probability(name: str, feats: dict[str, float] | None, lm: Landmarks) -> float | None:
    """The fitted model ``name``'s probability of "yes" for these features of ``lm`` (and,
    for the models that read it, the face's appearance); None when either is not in view."""
    if feats is None:
        return None
    names, bias, weights = MODELS[name]
    z = bias + float(np.dot(weights, [feats[k] for k in names]))
    if name in appearance.WINDOWS:
        seen = appearance.symmetric_descriptor(lm, name)
        if seen is None:
            return None
        z += float(seen @ appearance.appearance_weights()[name])
    return float(1.0 / (1.0 + np.exp(-z)))


def _prob(lm: Landmarks, model: str, features: Callable, colour: bool) -> Measured | None:
    if colour and is_grayscale(lm) is not False:
        return None
    p = per_frame(lm, f"grooming_{model}", lambda: model_probability(model, features(lm), lm))
    return None if p is None else Measured(p, 1.0)


# The measurements of the hair, which a hat, cap or scarf hides (they are then "not visible
# (headwear)", never judged on the hat).
HAIR = ("headwear",)
# The measurements of a colour, which a black-and-white picture cannot show; the report then
# says why ("not visible (a black-and-white picture ...)") rather than a bare "not visible".
COLOUR = ("grayscale",)


@blocking_state("grayscale")
def grayscale_picture(lm: Landmarks) -> bool:
    """The picture has no colour (its face's pixels are grey; see pixels.is_grayscale)."""
    return is_grayscale(lm) is True


def _out_of_frame(lm: Landmarks, polygons: list[np.ndarray | None], min_share: float) -> bool:
    return any(p is None or regions.share_in_frame(p, lm.width, lm.height) < min_share for p in polygons)


# Regions the frame's edge cuts off, so that the report says which part of the person is out of
# the picture; each at the share its measurement needs (features.MIN_INSIDE; the badge's
# CHEST_SEEN_FOR_A_FIND). Without a face (or, for the chest, a body) there is no region to place,
# and the person's own warning says so.
CHIN = ("chin_out_of_frame",)
COLLAR = ("collar_out_of_frame",)
CHEST = ("chest_out_of_frame",)
NECK_SIDES = ("neck_sides_out_of_frame",)
HAIR_TOP = ("hair_top_out_of_frame",)  # the hair whose colour every hair measurement reads
LOBES = ("lobes_hidden",)


@blocking_state("chin_out_of_frame")
def chin_out_of_frame(lm: Landmarks) -> bool:
    """The chin and jaw or the upper lip (where a beard or moustache grows) is cut off by the frame."""
    return lm.face is not None and _out_of_frame(
        lm, [regions.chin_jaw(lm.face), regions.upper_lip(lm.face)], F.MIN_INSIDE)


@blocking_state("collar_out_of_frame")
def collar_out_of_frame(lm: Landmarks) -> bool:
    """The collar under the chin (where a tie shows, and the shirt beside it) is cut off by the frame."""
    if lm.face is None:
        return False
    strip, beside = regions.collar(lm.face)
    return _out_of_frame(lm, [strip, beside[:4], beside[4:]], F.MIN_INSIDE)


@blocking_state("hair_top_out_of_frame")
def hair_top_out_of_frame(lm: Landmarks) -> bool:
    """The hair above the forehead (whose colour the hair measurements read) is cut off by the
    frame: under features.MIN_INSIDE_HAIR (35%) of its region is inside, counted on the pixels
    the measurements read (so that the reason is given exactly where they cannot be read)."""
    cv = canvas(lm) if lm.face is not None else None
    if cv is None:
        return False
    found = sample(cv, regions.hair_top(lm.face))
    return found is None or found.inside < F.MIN_INSIDE_HAIR


@blocking_state("neck_sides_out_of_frame")
def neck_sides_out_of_frame(lm: Landmarks) -> bool:
    """Both bands beside the neck (where loose long hair falls) are cut off by the frame."""
    return lm.face is not None and all(
        regions.share_in_frame(regions.hair_side(lm.face, side), lm.width, lm.height) < F.MIN_INSIDE_HAIR
        for side in regions.SIDES)


@blocking_state("lobes_hidden")
def lobes_hidden(lm: Landmarks) -> bool:
    """Neither ear lobe shows its skin: hair over the ears, the head's turn or the frame hides
    both (an earring cannot be judged, never guessed). Only where the cheeks' skin is read, so
    that a frame without pixels is not taken for hidden ears."""
    if lm.face is None or F.skin(lm) is None:
        return False
    return not any(F.lobe_visible(lm, side) for side in regions.SIDES)


@blocking_state("chest_out_of_frame")
def chest_out_of_frame(lm: Landmarks) -> bool:
    """The chest (where the badge is pinned and the uniform shows) is out of the picture, or the
    shoulders that place it are not seen while the face is."""
    return lm.face is not None and _out_of_frame(lm, [regions.chest_both(lm)], CHEST_SEEN_FOR_A_FIND)


@blocking_state("headwear")
def wears_headwear(lm: Landmarks) -> bool:
    """A hat, cap or headscarf over the hair (the headwear model's balanced point; without a
    person mask it cannot be told, and the hair is then judged as it is)."""
    p = per_frame(lm, "grooming_headwear", lambda: model_probability("headwear", F.headwear_features(lm), lm))
    return p is not None and p >= 0.5


@measurement("facial_hair_score", "probability", unless=CHIN)
def facial_hair_score(lm: Landmarks) -> Measured | None:
    """Probability of a beard or moustache: chin/jaw and upper-lip skin against the cheeks
    (darker, rougher, less red), logistic model fitted on labelled faces."""
    return _prob(lm, "facial_hair", F.facial_hair_features, colour=False)


@measurement("hair_colour_other_score", "probability", unless=COLOUR + HAIR + HAIR_TOP)
def hair_colour_other_score(lm: Landmarks) -> Measured | None:
    """Probability that the hair above the forehead is not black or brown (blond, grey,
    red, dyed), from its Lab colour; not visible on a grayscale picture or without hair."""
    return _prob(lm, "hair_colour_other", F.hair_colour_features, colour=True)


@measurement("hair_colour_not_allowed", "probability", unless=COLOUR + HAIR + HAIR_TOP, contextual=True)
def hair_colour_not_allowed(lm: Landmarks, ctx: GroomingContext) -> Measured | None:
    """Probability that the hair's colour is one the company does not allow (company.yaml
    ``hair_colours``: ``black_brown``, the standard's rule, or ``any``)."""
    found = hair_colour_other_score(lm)
    if found is None or ctx.company.hair_colours == "black_brown":
        return found
    return Measured(0.0, found.confidence)


@measurement("hair_over_ears_share", "share", unless=HAIR + HAIR_TOP)
def hair_over_ears_share(lm: Landmarks) -> Measured | None:
    """Share of the more covered ear's box that is hair of the colour seen above the forehead."""
    feats = F.ear_hair_features(lm)
    return None if feats is None else Measured(feats["ear_hair"], 1.0)


@measurement("loose_long_hair_score", "probability", unless=HAIR + HAIR_TOP + NECK_SIDES)
def loose_long_hair_score(lm: Landmarks) -> Measured | None:
    """Probability of loose hair to the shoulders: hair of the head's colour in the bands
    beside the neck."""
    return _prob(lm, "loose_long_hair", F.long_hair_features, colour=False)


@measurement("fringe_score", "probability", unless=HAIR)
def fringe_score(lm: Landmarks) -> Measured | None:
    """Probability that a fringe covers the eyebrows: hair instead of skin above them."""
    return _prob(lm, "fringe", F.fringe_features, colour=False)


@measurement("lipstick_score", "probability", unless=COLOUR)
def lipstick_score(lm: Landmarks) -> Measured | None:
    """Probability of a clearly coloured lipstick: the lips against the cheeks in Lab."""
    return _prob(lm, "lipstick", F.lip_features, colour=True)


@measurement("lipstick_missing", "probability", contextual=True, unless=COLOUR)
def lipstick_missing(lm: Landmarks, ctx: GroomingContext) -> Measured | None:
    """Probability that a lipstick the company requires (company.yaml makeup.require_lipstick)
    is missing; 0 when the company does not require one."""
    found = lipstick_score(lm)
    if found is None:
        return None
    return Measured(1.0 - found.value if ctx.company.makeup.require_lipstick else 0.0, found.confidence)


@measurement("eyelid_saturation", "Lab chroma", unless=COLOUR)
def eyelid_saturation(lm: Landmarks) -> Measured | None:
    """How much more colourful the upper eyelids are than the cheeks (Lab chroma units)."""
    if is_grayscale(lm) is not False:
        return None
    value = per_frame(lm, "grooming_eyelid", lambda: F.eyelid_saturation(lm))
    return None if value is None else Measured(value, 1.0)


@measurement("dangling_earring_score", "probability", unless=LOBES)
def dangling_earring_score(lm: Landmarks) -> Measured | None:
    """Probability of a dangling earring under a visible ear lobe; not visible when hair,
    the head's turn or the frame hides both lobes."""
    return _prob(lm, "dangling_earring", F.earring_features, colour=False)


@measurement("necktie_score", "probability", unless=COLLAR)
def necktie_score(lm: Landmarks) -> Measured | None:
    """Probability of a tie in the collar strip under the chin (against the shirt beside it)."""
    return _prob(lm, "necktie", F.tie_features, colour=False)


@measurement("tie_as_required", "probability", contextual=True, unless=COLLAR)
def tie_as_required(lm: Landmarks, ctx: GroomingContext) -> Measured | None:
    """1 when no tie is required (company.yaml ``men_wear_tie`` off, or not a man's profile),
    else the probability of a tie."""
    if not (ctx.company.men_wear_tie and ctx.profile == "male"):
        return Measured(1.0, 1.0)
    return necktie_score(lm)


@measurement("uniform_colour_delta_e", "Delta E (Lab)", contextual=True, unless=CHEST + COLOUR)
def uniform_colour_delta_e(lm: Landmarks, ctx: GroomingContext) -> Measured | None:
    """Colour distance (CIELAB Delta E) from the chest's median colour to the nearest of the
    company's uniform colours; not visible without company colours or with the chest out
    of frame."""
    labs = ctx.company.uniform_labs()
    cv = canvas(lm)
    region = regions.chest_both(lm)
    if not labs or cv is None or region is None or is_grayscale(lm) is not False:
        return None
    s = sample(cv, region)
    if s is None or s.inside < F.MIN_INSIDE:
        return None
    med = s.median()
    return Measured(float(min(np.linalg.norm(med - lab) for lab in labs)), 1.0)


@measurement("badge_left_chest", "+1 left / -1 right / 0 none", contextual=True, unless=CHEST)
def badge_left_chest(lm: Landmarks, ctx: GroomingContext) -> Measured | None:
    """+1 when the badge is on the person's own left chest, -1 on the right, 0 when not found;
    not visible with the chest out of frame. Matched against the company's badge pictures,
    or (without any) a badge-like rectangle, which is not compared with the company's."""
    found = badge_find(lm, ctx)
    if found is None:
        return None
    value = 0.0 if not found.found else (1.0 if found.side == "left" else -1.0)
    return Measured(value, 1.0)


def badge_find(lm: Landmarks, ctx: GroomingContext) -> BadgeFind | None:
    """The badge search of this frame (once per frame and company)."""
    pictures = ctx.company.references("badge")
    key = "grooming_badge:" + "|".join(p.digest for p in pictures)
    return per_frame(lm, key, lambda: match_company_badge(lm, pictures) if pictures else find_badge_like(lm))
