"""posture: checks service staff against the written etiquette standard from a camera.

The flow is one-way: image -> :mod:`posture.landmarks` -> :mod:`posture.measure` ->
:mod:`posture.verdicts` -> :mod:`posture.report` (JSON, table) and
:mod:`posture.annotate` (picture). :mod:`posture.pipeline` wires them together.
"""

__version__ = "0.1.0"
