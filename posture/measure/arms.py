"""Arm postures the standard forbids while standing (ST-ARMS: "no crossed arms, no hands on
hips"): a forearm held across the chest, and a hand resting on the hip with the elbow bent.
Both are measured against the trunk's own axes (shoulder widths, trunk lengths), so a
rolled camera or the distance to it does not change them."""

from __future__ import annotations

from posture.landmarks import Landmarks
from posture.measure import Measured, measurement
from posture.measure.body import _ELBOW, _HIP, _SHOULDER, _WRIST, L, R, find_trunk
from posture.measure.geometry import joint_angle_deg

# A wrist is "at chest height" above this many shoulder widths below the shoulder line: the
# lower abdomen, where folded hands rest, starts at ~1.0 sw (0.7 of a 1.45 sw trunk).
CHEST_MAX_DROP_SW = 0.9
# A wrist is "at the hip" within this share of the trunk's length above or below the hip
# line, and no more than HIP_INSIDE_SW inside the hip joint (hands folded in front sit at
# the centre line, 0.25 sw or more inside the hip joints).
HIP_BAND_TRUNK = 0.3
HIP_INSIDE_SW = 0.1

_SIGN = {L: 1.0, R: -1.0}  # the person's left is on the trunk's +across side (facing the camera)


@measurement("wrist_across_chest_sw", "shoulder widths")
def wrist_across_chest_sw(lm: Landmarks) -> Measured | None:
    """How far a wrist held at chest height reaches past the trunk's centre line to the
    other side (shoulder widths; 0 when no wrist at chest height crosses): crossed arms put
    a wrist 0.4-0.8 sw across, folded hands keep both within ~0.15 of the centre."""
    trunk = find_trunk(lm)
    if trunk is None:
        return None
    across, conf = 0.0, []
    for s in (L, R):
        if lm.pose_points(_WRIST[s]) is None:
            continue
        wrist = lm.pose[_WRIST[s]]
        conf.append(lm.visibility(_WRIST[s]))
        drop = float((wrist[:2] - trunk.shoulder_mid) @ trunk.down) / trunk.width
        if drop <= CHEST_MAX_DROP_SW:
            across = max(across, -_SIGN[s] * trunk.lateral_sw(wrist))
    if not conf:
        return None
    return Measured(across, min(min(conf), trunk.confidence))


@measurement("hip_hand_elbow_deg", "deg")
def hip_hand_elbow_deg(lm: Landmarks) -> Measured | None:
    """The elbow angle of an arm whose hand rests at its own hip (180 = straight; 180 when
    no hand is at a hip): hands on the hips bend the elbows to 70-110 degrees, an arm
    hanging beside the hip is nearly straight."""
    trunk = find_trunk(lm, need_hips=True)
    if trunk is None:
        return None
    angles, conf = [180.0], [trunk.confidence]
    for s in (L, R):
        pts = lm.pose_points(_SHOULDER[s], _ELBOW[s], _WRIST[s], _HIP[s])
        if pts is None:
            continue
        shoulder, elbow, wrist, hip = pts[:, :2]
        conf.append(lm.visibility(_ELBOW[s], _WRIST[s]))
        at_height = abs(trunk.along(wrist) - trunk.along(hip)) <= HIP_BAND_TRUNK
        outside = _SIGN[s] * trunk.lateral_sw(wrist) >= _SIGN[s] * trunk.lateral_sw(hip) - HIP_INSIDE_SW
        if at_height and outside:
            angles.append(joint_angle_deg(shoulder, elbow, wrist))
    if len(conf) == 1:
        return None
    return Measured(min(angles), min(conf))
