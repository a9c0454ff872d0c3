"""A throwaway PostgreSQL cluster for tests: initdb in a temp folder, pg_ctl on a free port.

No running service is assumed: `.ci/setup` installs the server binaries (Debian `postgresql`) and
each test session starts its own cluster, with TLS on (a CA and a server certificate made with
`openssl`, so `sslmode=verify-full` can be tested), and stops it at the end. PostgreSQL refuses to
run as root, so as root the cluster runs as the `postgres` system user the package creates (else
`nobody`) through `runuser`; as anyone else it runs as that user.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "tagger_test"
PASSWORD_USER = "tagger_secret_user"


def server_bin() -> Path | None:
    """The folder of the server binaries: $TAGGER_PG_BIN, Debian's newest versioned folder, or
    the PATH (a folder holding initdb, pg_ctl and pg_dump together)."""
    if env := os.environ.get("TAGGER_PG_BIN"):
        return Path(env)
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = [str(Path(p).parent) for p in filter(None, [shutil.which("initdb")])]
    for folder in map(Path, [*debian, *on_path]):
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "pg_dump")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


def _owner() -> tuple[int, int] | None:
    prefix = _run_as()
    if not prefix:
        return None
    entry = pwd.getpwnam(prefix[2])
    return entry.pw_uid, entry.pw_gid


def _make_certificates(folder: Path) -> None:
    """A CA and a server certificate for localhost / 127.0.0.1 signed by it."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=tagger test CA", "-keyout", "ca.key", "-out", "ca.crt")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext",
            "-out", "server.crt")  # fmt: skip
    (folder / "server.key").chmod(0o600)


@dataclass
class PostgresCluster:
    folder: Path
    port: int
    bin: Path
    password: str
    _names: Iterator[int] = itertools.count()

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.crt"

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self) -> str:
        """A fresh empty database; returns its name."""
        name = f"lib_{os.getpid()}_{next(self._names)}"
        self.psql(f'CREATE DATABASE "{name}" OWNER {SUPERUSER}')
        return name

    def stop(self) -> None:
        subprocess.run(
            [
                *_run_as(),
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],  # fmt: skip
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> PostgresCluster:
    binaries = server_bin()
    if binaries is None or not (binaries / "initdb").exists():
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    folder = Path(tempfile.mkdtemp(prefix="tagger-pg-"))
    owner = _owner()
    _make_certificates(folder)
    if owner is not None:
        for path in [folder, *folder.iterdir()]:
            os.chown(path, *owner)
    folder.chmod(0o700)
    prefix = _run_as()
    data = folder / "data"
    subprocess.run(
        [
            *prefix,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    # Everyone is trusted over loopback except the password user, who must give a password.
    (data / "pg_hba.conf").write_text(
        f"local all all trust\n"
        f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
        f"host all all 127.0.0.1/32 trust\n"
    )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
        f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
        f"-c ssl=on -c ssl_cert_file={folder}/server.crt -c ssl_key_file={folder}/server.key"
    )
    subprocess.run(
        [
            *prefix,
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    password = f"pw-{os.urandom(8).hex()}"
    cluster = PostgresCluster(folder, port, binaries, password)
    deadline = time.monotonic() + 30
    while True:
        try:
            cluster.psql(f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{password}'")
            break
        except Exception:
            if time.monotonic() > deadline:
                cluster.stop()
                raise
            time.sleep(0.2)
    return cluster
