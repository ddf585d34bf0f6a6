"""The standards folder: complete, cited, and validated with clear errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from posture.standards import DEFAULT_DIR, StandardsError, load_standard

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_every_clause_has_texts_source_and_advice(standard):
    for c in standard.clauses:
        assert c.original and c.english and c.advice.zh and c.advice.en and c.title.zh and c.title.en
        assert c.source.file.endswith(".txt")
        for v in c.variants:
            for cond in v.conditions:
                assert len(cond.why) >= 10, f"{c.id}/{cond.measurement}: say why"


def test_still_scope_of_the_engine_issue(standard):
    expected = {"ST-HEAD", "ST-SHOULDERS", "ST-TORSO", "ST-ARMS", "ST-FEET-M", "ST-FEET-F", "ST-REST",
                "HD-FOLD-F", "HD-FOLD-M", "HD-FOLD", "HD-DESK", "HD-TALK", "HD-TOUCH", "PT-LEAN", "PT-ANGLE",
                "PT-STRAIGHT", "PT-FINGERS", "PT-PALM", "PT-GAZE", "PT-ONE-FINGER", "SI-HEAD", "SI-UPRIGHT",
                "SI-LEAN", "SI-LEGS-M", "SI-LEGS-F", "EX-SMILE", "EX-SMILE-MODERATE", "DL-BOTH",
                "DL-EYES"}
    assert {c.id for c in standard.still_clauses()} == expected


@pytest.mark.skipif(not (SHARED / "spec" / "CLAUSES.md").exists(), reason="../shared/spec not present")
def test_every_clause_of_the_spec_is_in_the_standard(standard):
    spec_ids = set(re.findall(r"^\| ([A-Z]{2}-[A-Z0-9-]+) \|", (SHARED / "spec" / "CLAUSES.md").read_text(), re.M))
    # ... and nothing else, except clauses combining spec clauses for an unchosen profile (HD-FOLD).
    assert spec_ids == {c.id for c in standard.clauses if not c.combines}
    assert all(set(c.combines) <= spec_ids for c in standard.clauses)


def _plain(text: str) -> str:
    """Text without spaces and with one kind of quote marks, for comparing quotations."""
    return re.sub(r"\s", "", text).replace("“", '"').replace("”", '"')


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="../shared/seeds not present")
def test_original_text_is_quoted_from_the_cited_seed(standard):
    for c in standard.clauses:
        lines = (SHARED / "seeds" / c.source.file).read_text(encoding="utf-8").splitlines()
        first = int(re.match(r"\d+", c.source.lines).group())
        cited = _plain("".join(lines[max(0, first - 2):first + 12]))
        # Quotations may skip words ("...", "/") or add a note in brackets; each part is verbatim.
        quoted = re.sub(r"[((][^))]*[))]", "", c.original)
        for part in re.split(r"\.\.\.| / ", quoted):
            assert _plain(part) in cited, f"{c.id}: {part!r} not found near {c.source.file}:{c.source.lines}"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "standards"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def test_a_company_can_change_a_threshold_without_code(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "pointing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("tolerance: 15", "tolerance: 5"), encoding="utf-8")
    assert load_standard(folder).by_id["PT-ANGLE"].variants[0].conditions[0].tolerance == 5


def test_broken_file_names_file_clause_and_key(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "pointing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("measurement: pointing_palm_up",
                                                             "measurement: palm_upp"), encoding="utf-8")
    with pytest.raises(StandardsError) as err:
        load_standard(folder)
    text = str(err.value)
    assert "pointing.yaml" in text and "PT-PALM" in text and "palm_upp" in text and "measurement" in text


def test_bad_value_and_bad_yaml_are_reported(tmp_path):
    folder = _copy(tmp_path)
    (folder / "settings.yaml").write_text("min_visibility: 2\n", encoding="utf-8")
    with pytest.raises(StandardsError, match="settings.yaml"):
        load_standard(folder)
    folder = _copy(tmp_path / "b")
    (folder / "extra.yaml").write_text("clauses: [\n", encoding="utf-8")
    with pytest.raises(StandardsError, match="extra.yaml: cannot read"):
        load_standard(folder)


def test_duplicate_clause_id_is_refused(tmp_path):
    folder = _copy(tmp_path)
    shutil.copy(folder / "pointing.yaml", folder / "pointing_copy.yaml")
    with pytest.raises(StandardsError, match="already defined"):
        load_standard(folder)


def test_hd_fold_for_no_profile_accepts_the_womens_or_the_mens_way(standard):
    """The standing step judges the hands for a trainee of profile "any" (it judged none):
    HD-FOLD passes with either profile's variant, as BW-HANDS does, and reads their numbers."""
    from sequences import LandmarkChecker
    from synthetic import Body

    fold = standard.by_id["HD-FOLD"]
    assert [v.name for v in fold.variants] == [v.name for cid in ("HD-FOLD-F", "HD-FOLD-M")
                                               for v in standard.by_id[cid].variants]
    checker = LandmarkChecker(standard)

    def verdict(body, profile: str = "any") -> str | None:
        report = checker.check_landmarks(body.landmarks(), scenario="standing", profile=profile).report
        return next((c.verdict for c in report.clauses if c.id == "HD-FOLD"), None)

    assert verdict(Body().hands_folded()) == "pass"  # the women's way
    assert verdict(Body().hands_folded(right_over_left=False)) == "pass"  # the men's front variant
    assert verdict(Body().arms_hanging()) == "pass"  # the men's "at the sides"
    assert verdict(Body().hands_on_hips()) == "fail"
    assert verdict(Body().hands_folded(), "female") is None  # a chosen profile has its own clause


def test_the_pages_name_every_measurement_a_clause_reads():
    from posture.webapp.words import MEASUREMENT_TITLES

    names = {m for c in load_standard().clauses for m in c.measurements}
    assert sorted(names - MEASUREMENT_TITLES.keys()) == []
    assert all(zh and en and zh != en for zh, en in (MEASUREMENT_TITLES[n] for n in names))
