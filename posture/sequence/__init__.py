"""The time-aware layer over the per-frame engine, shared by the live view and video files.

``SequenceTracker(standard, profile=..., scenario=...)`` is fed ``(t, CheckResult)`` per frame
and returns a :class:`SequenceState` (draw it with :func:`posture.sequence.overlay.draw_overlay`);
``tracker.report()`` gives the :class:`VideoReport` with its timeline and events.
"""

from posture.sequence.monitors import Alert, Bow, Event, Judgement
from posture.sequence.report import VideoReport
from posture.sequence.tracker import SequenceState, SequenceTracker

__all__ = ["Alert", "Bow", "Event", "Judgement", "SequenceState", "SequenceTracker", "VideoReport"]
