"""Live view speed in Chromium with a fake 30 frames/s camera (not a test).

Starts the app (``streamlit run``), opens it in headless Chromium whose webcam is a
YUV4MPEG2 file made from a sample photo, starts the live check and, after a warm-up,
prints three numbers over a measuring window:

- displayed: frames per second the page's video element presented (requestVideoFrameCallback
  on the processed stream that comes back from the app);
- checked: frames per second the app checked (MediaPipe and the verdicts), as the page shows;
- delay: camera frame arriving in the app -> the overlay checked on it being drawn (median,
  milliseconds, as the page shows; the browser's encode/decode on localhost adds a few ms).

    .venv/bin/python scripts/live_speed.py [--fps 30] [--seconds 15] [--photo sample_images/...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_browser_app import CHROMIUM, CHROMIUM_FLAGS, _free_port, write_y4m  # noqa: E402

COUNT_FRAMES_JS = """async (seconds) => {
  const video = [...document.querySelectorAll('video')].find(v => v.srcObject && v.videoWidth > 0);
  if (!video) return null;
  let frames = 0;
  const cb = () => { frames += 1; video.requestVideoFrameCallback(cb); };
  video.requestVideoFrameCallback(cb);
  const t0 = performance.now();
  await new Promise(r => setTimeout(r, seconds * 1000));
  return frames / ((performance.now() - t0) / 1000);
}"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fps", type=int, default=30, help="the fake camera's frame rate")
    ap.add_argument("--seconds", type=float, default=15.0, help="measuring window after the warm-up")
    ap.add_argument("--warmup", type=float, default=8.0)
    ap.add_argument("--photo", type=Path, default=ROOT / "sample_images" / "hagrid_one_neutral.jpg")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="posture-live-speed-") as tmp:
        folder = Path(tmp)
        camera = write_y4m(args.photo, folder / "camera.y4m", frames=2 * args.fps, fps=args.fps)
        port = _free_port()
        env = {**os.environ, "POSTURE_DB": str(folder / "h.sqlite"), "GLOG_minloglevel": "2"}
        log = open(folder / "streamlit.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.3)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                            args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={camera}"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                page.goto(url)
                page.get_by_role("heading", name="自查(岗前)").wait_for()
                frame = page.frame_locator("iframe[title*='webrtc']")
                frame.get_by_role("button", name="开始").click()
                caption = page.get_by_text(re.compile(r"显示帧率: [\d.]+ · 处理帧率: [\d.]+ · 骨架延迟: \d+ ms")).first
                caption.wait_for()
                time.sleep(args.warmup)
                iframe = next(f for f in page.frames if f.url.startswith(url + "/component"))
                displayed = iframe.evaluate(COUNT_FRAMES_JS, args.seconds)
                text = caption.inner_text()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
    shown, checked, delay = re.search(r"显示帧率: ([\d.]+) · 处理帧率: ([\d.]+) · 骨架延迟: (\d+) ms", text).groups()
    load = os.getloadavg()
    print(f"camera {args.fps} frames/s, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f}")
    print(f"displayed: {displayed:.1f} frames/s (browser); {float(shown):.1f} frames/s sent back by the app")
    print(f"checked:   {float(checked):.1f} frames/s")
    print(f"delay:     {delay} ms (camera frame in the app -> its overlay drawn, median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
