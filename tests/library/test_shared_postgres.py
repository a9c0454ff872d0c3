"""One PostgreSQL library shared by several `tagger scan` processes, over TLS, with a password
that never shows: the proof on one machine of docs/scale-out.md."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from library_helpers import MakeLibrary, predictions_per_track, stored_results
from sqlalchemy import func, select, text

from tagger.library.schema import Prediction, Track, TrackStatus
from tagger.library.store import Library, LibraryError

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]


def tagger(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "tagger", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=full_env,
        **kw,
    )


def run_tagger(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = tagger(*args, env=env)
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out


def test_a_password_is_never_printed_or_stored(postgres_cluster, tmp_path: Path) -> None:
    from postgres_cluster import PASSWORD_USER

    cluster = postgres_cluster
    name = cluster.new_database()
    cluster.psql(f'ALTER DATABASE "{name}" OWNER TO {PASSWORD_USER}')
    secret = cluster.password
    good = f"postgresql+psycopg://{PASSWORD_USER}:{secret}@127.0.0.1:{cluster.port}/{name}"
    wrong = good.replace(secret, "Wr0ng-" + secret[::-1])
    (tmp_path / "music").mkdir()
    outputs = []
    for args in (
        ("scan", "--no-classify", str(tmp_path / "music"), "--db", good),
        ("stats", "--db", good),
        ("list", "--db", good),
    ):
        code, out = run_tagger(*args)
        assert code == 0, out
        outputs.append(out)
    code, out = run_tagger("stats", "--db", wrong)
    assert code != 0 and "password authentication failed" in out
    assert "Traceback" not in out and "***" in out, out
    outputs.append(out)
    code, out = run_tagger("stats", "--db", good + "?bad_option=1")
    assert code != 0 and "Traceback" not in out
    outputs.append(out)
    log = (cluster.folder / "server.log").read_text(errors="replace")
    dump = subprocess.run(
        [
            str(cluster.bin / "pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "tagger_test",
            name,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tracks" in dump
    for where, content in [("output", "\n".join(outputs)), ("server log", log), ("dump", dump)]:
        assert secret not in content and secret[::-1] not in content, where


def test_tls_with_verify_full(postgres_cluster) -> None:
    cluster = postgres_cluster
    name = cluster.new_database()
    base = f"postgresql+psycopg://tagger_test@localhost:{cluster.port}/{name}?sslmode=verify-full"
    with Library.open(f"{base}&sslrootcert={cluster.ca_file}") as lib, lib.engine.connect() as c:
        ssl = c.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert ssl.scalar() is True
    # A server certificate that does not chain to the trusted CA is refused, in one line.
    with pytest.raises(LibraryError) as refused:
        Library.open(f"{base}&sslrootcert={cluster.folder / 'server.crt'}")
    assert "certificate verify failed" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_two_scanners_one_killed_classify_every_track_exactly_once(
    postgres_cluster, tiny_model: Path, make_music: MakeLibrary, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    make_music(24, root)
    url = postgres_cluster.url(postgres_cluster.new_database())
    scan = ("scan", str(root), "--db", url, "--model", str(tiny_model), "--workers", "1")
    lease = {"TAGGER_CLAIM_LEASE_S": "4"}

    code, out = run_tagger("scan", "--no-classify", str(root), "--db", url)
    assert code == 0, out
    first = tagger(*scan, env=lease, start_new_session=True)
    second = None
    with Library.open(url) as lib:

        def stored() -> int:
            with lib.session() as s:
                return s.scalar(select(func.count(Prediction.id))) or 0

        deadline = time.monotonic() + 240
        while stored() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = tagger(*scan, env=lease)
        while stored() < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the first scanner finished before it could be killed"
        with lib.session() as s:
            held = s.scalar(select(func.count()).where(Track.claimed_by.is_not(None)))
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        out, _ = second.communicate(timeout=300)
        assert second.returncode == 0, out
        assert held, "nothing was claimed when the first scanner was killed"

        per_track = predictions_per_track(lib)
        assert len(per_track) == 24 and set(per_track.values()) == {1}, per_track
        with lib.session() as s:
            assert set(s.scalars(select(Track.status))) == {TrackStatus.OK}
            assert s.scalar(select(func.count()).where(Track.claimed_by.is_not(None))) == 0
        shared = stored_results(lib)

    code, out = run_tagger(*scan[:2], "--db", str(tmp_path / "alone.db"), *scan[4:])
    assert code == 0, out
    with Library.open(tmp_path / "alone.db") as alone:
        expected = stored_results(alone)
    assert set(shared) == set(expected)
    for path, (label, probabilities) in expected.items():
        assert shared[path][0] == label
        assert shared[path][1] == pytest.approx(probabilities, abs=1e-4)


def test_processes_opening_a_new_library_at_once_all_get_it(postgres_cluster) -> None:
    url = postgres_cluster.url(postgres_cluster.new_database())
    with ThreadPoolExecutor(4) as pool:
        libraries = list(pool.map(lambda _: Library.open(url), range(4)))
    for library in libraries:
        with library.session() as s:
            assert s.scalar(select(func.count(Track.id))) == 0
        library.close()
