"""The company's badge and uniform pictures: validated when they come in, kept in the history
database by the app's Company dress page (AppTest), removable, and used by the next check."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest
from grooming_pictures import as_phone_photo, badge_picture, composite
from streamlit.testing.v1 import AppTest

from posture.grooming.company import Company, GroomingContext
from posture.grooming.references import MAX_BYTES, PictureError, read_picture
from posture.images import decode_image
from posture.measure.grooming import badge_left_chest, uniform_colour_delta_e
from posture.store import Store


def png(rgb: np.ndarray) -> bytes:
    return cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[1].tobytes()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels and holds none (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) \
        + chunk(b"IEND", b"")


def test_a_picture_is_validated_and_kept_as_plain_png():
    badge = read_picture("badge", "badge.jpg", cv2.imencode(".jpg", badge_picture()[:, :, ::-1])[1].tobytes())
    assert badge.png.startswith(b"\x89PNG") and badge.rgb().shape == (180, 300, 3)
    big = read_picture("uniform", "jacket.png", png(np.full((2400, 1600, 3), 40, np.uint8)))
    assert max(big.rgb().shape[:2]) == 1000  # kept at the size it is read at, no larger
    refusals = {
        "not an image": ("notes.png", b"minutes of the meeting" * 50),
        "above the limit of 15.0 MB": ("huge.png", b"\x89PNG" + bytes(MAX_BYTES)),
        "megapixels, above the limit": ("bomb.png", png_header_only(30_000, 30_000)),
        "only 300 x 20 pixels": ("strip.png", png(np.full((20, 300, 3), 200, np.uint8))),
        "too plain to recognise": ("card.png", png(np.full((180, 300, 3), 230, np.uint8))),
    }
    for words, (name, data) in refusals.items():
        with pytest.raises(PictureError, match=words) as caught:
            read_picture("badge", name, data)
        assert name in str(caught.value)
    with pytest.raises(PictureError, match="unknown kind"):
        read_picture("hat", "hat.png", png(badge_picture()))


def test_stored_pictures_are_the_company_s_beside_its_files(tmp_path):
    cv2.imwrite(str(tmp_path / "file_badge.png"), badge_picture(seed=1)[:, :, ::-1])
    company = Company(folder=tmp_path, badge={"pictures": ["file_badge.png"]})
    stored = [read_picture("badge", "b.png", png(badge_picture(seed=2))),
              read_picture("uniform", "u.png", png(np.full((100, 100, 3), (30, 40, 90), np.uint8)))]
    both = company.with_stored(stored)
    assert [p.name for p in both.references("badge")] == ["file_badge.png", "b.png"]
    assert [p.name for p in both.references("uniform")] == ["u.png"] and len(both.uniform_labs()) == 1
    assert [p.name for p in company.references("badge")] == ["file_badge.png"]  # the original is unchanged


@pytest.mark.slow
def test_a_stored_badge_and_uniform_are_used_by_the_measurements(checker, samples):
    rgb = decode_image(samples / "hagrid_palm.jpg")
    rgb = as_phone_photo(rgb)
    lm = checker.detector.detect(rgb)
    shown = checker.detector.detect(composite(rgb, lm, badge_picture(), "left", np.random.default_rng(1)))
    company = Company().with_stored([read_picture("badge", "b.png", png(badge_picture()))])
    assert badge_left_chest(shown, GroomingContext(company)).value == 1.0
    assert badge_left_chest(lm, GroomingContext(company)).value == 0.0
    assert uniform_colour_delta_e(lm, GroomingContext(Company())) is None  # no uniform given: not visible
    garment = lm.image[lm.image.shape[0] * 3 // 4:, lm.image.shape[1] // 3: 2 * lm.image.shape[1] // 3]
    uniform = Company().with_stored([read_picture("uniform", "u.png", png(np.ascontiguousarray(garment)))])
    assert uniform_colour_delta_e(lm, GroomingContext(uniform)) is not None


def start_company_page(db) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    at.sidebar.radio(key="lang").set_value("English").run()
    at.sidebar.radio(key="mode").set_value("company").run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, kind: str, name: str, data: bytes) -> None:
    at.file_uploader(key=f"company-upload-{kind}").set_value((name, data, "image/png")).run()
    assert not at.exception, at.exception


def test_the_company_page_keeps_refuses_and_removes_pictures(db):
    at = start_company_page(db)
    assert at.header[0].value == "Company dress (trainer)"
    assert [i.value for i in at.info if i.value == "No picture kept yet"] == ["No picture kept yet"] * 2
    upload(at, "badge", "badge.png", png(badge_picture()))
    assert any(s.value == "Kept: badge.png" for s in at.success)
    store = Store(db)
    [kept] = store.company_pictures()
    assert kept.picture.kind == "badge" and kept.picture.name == "badge.png"
    at.run()  # a rerun of the page is not a new upload
    assert len(store.company_pictures()) == 1
    for name, data, words in (("notes.png", b"not a picture at all" * 40, "not an image"),
                              ("bomb.png", png_header_only(30_000, 30_000), "megapixels"),
                              ("card.png", png(np.full((180, 300, 3), 230, np.uint8)), "too plain"),
                              ("again.png", png(badge_picture()), "already kept")):
        upload(at, "badge", name, data)
        assert any(e.value.startswith("This picture cannot be used: ") and name in e.value and words in e.value
                   for e in at.error), (name, [e.value for e in at.error])
    assert len(store.company_pictures()) == 1  # nothing refused was kept
    upload(at, "uniform", "jacket.png", png(np.full((200, 150, 3), (25, 35, 80), np.uint8)))
    assert {p.picture.kind for p in store.company_pictures()} == {"badge", "uniform"}
    at.button(key=f"company-remove-{kept.id}").click().run()
    assert any(s.value == "Removed: badge.png" for s in at.success)
    assert [p.picture.kind for p in store.company_pictures()] == ["uniform"]


@pytest.mark.slow
def test_a_badge_kept_by_the_trainer_is_used_by_the_next_photo_check(db, checker, samples):
    rgb = decode_image(samples / "hagrid_palm.jpg")
    rgb = as_phone_photo(rgb)
    photo = png(composite(rgb, checker.detector.detect(rgb), badge_picture(), "left", np.random.default_rng(1)))
    at = start_company_page(db)

    def check_photo(name: str) -> str:
        at.sidebar.radio(key="mode").set_value("self").run()
        at.radio(key="self-how").set_value("upload").run()
        at.selectbox(key="self-scenario").set_value("grooming").run()
        at.file_uploader(key="photo-check-upload").set_value((name, photo, "image/png")).run()
        assert not at.exception, at.exception
        table = at.dataframe[0].value
        return table[table["Clause"] == "GR-BADGE"]["Verdict"].item()

    check_photo("before.png")
    assert any("no company badge picture" in w.value for w in at.warning)
    at.sidebar.radio(key="mode").set_value("company").run()
    upload(at, "badge", "badge.png", png(badge_picture()))
    assert check_photo("after.png") == "✓ pass"
    assert not any("no company badge picture" in w.value for w in at.warning)
