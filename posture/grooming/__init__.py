"""Grooming and dress (the GR-* clauses): regions of the face and body found from the
landmarks, the pixels sampled in them, and the measurements made on those pixels.

- ``regions``: each region as a polygon in the frame's pixels (pure functions of the landmarks);
- ``pixels``: sampling a region's pixels (CIELAB colour, gradient texture) and the skin reference;
- ``features``: the numbers each measurement's model reads;
- ``models``: the fitted weights (scripts/fit_grooming.py);
- ``company``: a company's own uniform, badge, tie, hair-colour and make-up settings;
- ``references``: the company's badge and uniform pictures (files or uploads), validated;
- ``badge``: finding the company's badge on the chest;
- ``over_time``: a video's or the live view's grooming, the majority over the last seconds.

The registered measurements themselves are in ``posture.measure.grooming``.
"""
