"""Real playback, heard: the review queue's preview of a generated tone, played by the app through
a PulseAudio null sink and recorded from the sink's monitor with parec.

The PulseAudio server is the test's own: a child process (so the test knows its PID and stops it
by that PID) with its own runtime and home folders, so it touches nothing of the user's:

    XDG_RUNTIME_DIR=<tmp> HOME=<tmp> pulseaudio -n --daemonize=no --exit-idle-time=-1 \\
        --load="module-native-protocol-unix auth-anonymous=1 socket=<tmp>/pulse/native" \\
        --load="module-null-sink sink_name=testsink"

As root, pulseaudio only warns ("not intended to be run as root") and runs; anonymous auth on the
socket spares the cookie it would otherwise look for in root's home. `--daemonize=no` keeps the
server our child (a daemonized one would need its pid file read back). The app runs in a fresh
interpreter with PULSE_SERVER pointing at that socket, because QtMultimedia picks its audio
server once per process. Skips where pulseaudio or parec is missing or the server won't start.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from audio_factory import tone, write_audio

from tagger.library.store import Library

SINK = "testsink"
RATE = 44_100
FREQ = 440.0
AMPLITUDE = 0.5
SECONDS = 8.0
SOUND = 0.05  # a recorded sample louder than this is the tone, not silence

APP = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from tagger.gui.app import create_application
    from tagger.gui.main_window import MainWindow
    from tagger.gui.settings_store import SettingsStore
    from tagger.library.settings import Settings
    from tagger.library.store import Library

    db, model, work = sys.argv[1:4]
    app = create_application()
    library = Library.open(db)
    store = SettingsStore(
        QSettings(f"{work}/gui.ini", QSettings.Format.IniFormat), Path(work) / "settings.json"
    )
    window = MainWindow(library, store, Settings(model_path=model, threshold=1.0, workers=1))
    window.show()
    if not window.player.available:
        print(json.dumps({"error": window.player.reason}))
        sys.exit(3)
    window.act_review.trigger()
    window.activateWindow()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not window.isActiveWindow():
        app.processEvents()  # a shortcut only fires in the active window
    review = window.review
    review.list.setFocus()
    states = []
    window.player.playing_changed.connect(states.append)
    QTest.keyClick(review.list, Qt.Key.Key_Space)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (True in states and not states[-1]):
        app.processEvents()
        time.sleep(0.01)
    detail = review.details.detail
    start = detail.windows[review.details.telling].start
    print(json.dumps({"states": states, "start": start, "path": detail.row.path}))
    window.close()
    library.close()
    """
)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def pulse_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a client of a fresh PulseAudio server with a null sink `testsink`."""
    for tool in ("pulseaudio", "parec", "pactl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (.ci/setup installs pulseaudio)")
    runtime, home = tmp_path / "pulse-runtime", tmp_path / "pulse-home"
    runtime.mkdir(mode=0o700)
    home.mkdir()
    socket = runtime / "pulse" / "native"
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(home),
        "PULSE_SERVER": f"unix:{socket}",
    }
    log = tmp_path / "pulseaudio.log"
    with log.open("wb") as log_file:
        daemon = subprocess.Popen(
            [
                "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
                "--log-target=stderr",
                f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket}",
                f"--load=module-null-sink sink_name={SINK} rate={RATE}",
            ],
            env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )  # fmt: skip
    try:
        for _ in range(100):
            if daemon.poll() is not None:
                pytest.skip(f"pulseaudio exited: {log.read_text(errors='replace')[-500:]}")
            ready = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=10)
            if ready.returncode == 0:
                break
            time.sleep(0.1)
        else:
            pytest.skip("pulseaudio did not answer within 10 s")
        yield env
    finally:
        _stop(daemon)


def _classified_tone_library(tmp_path: Path, model: Path) -> Path:
    from tagger.library.pipeline import run_classification, select_for_classification
    from tagger.library.records import register_model
    from tagger.library.scanner import scan
    from tagger.model.predictor import Predictor

    music = tmp_path / "music"
    music.mkdir()
    # Stereo, both channels alike: a mono file would be spread over two channels at -3 dB each.
    mono = tone(SECONDS, rate=RATE, channels=1, freq=FREQ, noise=0.0, amplitude=AMPLITUDE)
    write_audio(music / "tone.flac", np.vstack([mono, mono]), rate=RATE)
    db = tmp_path / "library.db"
    library = Library.open(db)
    try:
        scan(library, [music])
        predictor = Predictor.load(model)
        with library.session() as session, session.begin():
            model_id = register_model(session, predictor).id
        run_classification(library, predictor, select_for_classification(library, model_id))
    finally:
        library.close()
    return db


def test_the_review_preview_is_heard(
    pulse_env: dict[str, str], tmp_path: Path, random_model: Path
) -> None:
    db = _classified_tone_library(tmp_path, random_model)
    recording = tmp_path / "recorded.f32"
    with recording.open("wb") as out:
        recorder = subprocess.Popen(
            [
                "parec", f"--device={SINK}.monitor", "--format=float32le", f"--rate={RATE}",
                "--channels=2", "--raw", "--latency-msec=20",
            ],
            env=pulse_env, stdout=out,
        )  # fmt: skip
    try:
        app_env = {
            **pulse_env,
            "QT_QPA_PLATFORM": "offscreen",
            "TAGGER_SETTINGS": str(tmp_path / "settings.json"),
        }
        done = subprocess.run(
            [sys.executable, "-c", APP, str(db), str(random_model), str(tmp_path)],
            env=app_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        time.sleep(0.3)  # the last buffers reach the monitor
    finally:
        _stop(recorder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Input #0" not in done.stderr  # FFmpeg's stream dump stays off the terminal
    played = json.loads(done.stdout.strip().splitlines()[-1])
    assert played["states"][:1] == [True] and played["states"][-1] is False

    samples = np.fromfile(recording, dtype="<f4").reshape(-1, 2).T  # [left, right]
    loud = np.flatnonzero(np.abs(samples).max(axis=0) > SOUND)
    assert loud.size, "nothing was heard on the sink"
    heard = samples[:, loud[0] : loud[-1] + 1].astype(np.float64)
    expected_seconds = SECONDS - played["start"]  # from the telling window to the end
    assert expected_seconds - 0.5 < heard.shape[1] / RATE < expected_seconds + 0.5
    cut = heard.shape[1] // 10
    for channel in heard[:, cut:-cut]:  # away from the edges
        rms = float(np.sqrt(np.mean(channel**2)))
        assert rms == pytest.approx(AMPLITUDE / np.sqrt(2), rel=0.05)  # a sine's RMS
        spectrum = np.abs(np.fft.rfft(channel * np.hanning(len(channel))))
        peak = float(np.fft.rfftfreq(len(channel), 1 / RATE)[np.argmax(spectrum)])
        assert peak == pytest.approx(FREQ, abs=1.0)
