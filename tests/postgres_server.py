"""A throwaway PostgreSQL server for the test run, started from the system's own binaries.

``initdb`` and ``pg_ctl`` from Debian's ``postgresql`` package (or any installation on the
PATH) create a cluster in a temporary folder with trust authentication, listening on a free
port of 127.0.0.1 only. PostgreSQL refuses to run as root, so when the tests run as root the
server runs as the ``postgres`` system user the package creates (or ``nobody``).

Nothing here is a test: tests/conftest.py makes it a session fixture.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL

SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on the PATH, else Debian's versioned folders."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    # Debian's versioned folders, newest first, then the source build's default.
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    candidates.append(Path("/usr/local/pgsql/bin"))
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _server_user() -> str | None:
    """Who runs the server: ourselves, unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server")


@dataclass
class PostgresServer:
    """One running cluster: where it lives, how to reach it, how to stop and start it again."""

    binaries: Path
    folder: Path
    port: int
    run_as: str | None
    # Commits wait for the disk, as on a real server (benchmarks); tests run without.
    durable: bool = False
    _running: bool = field(default=False, init=False)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(
        self, database: str = "postgres", user: str = SUPERUSER, password: str | None = None
    ) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=user,
            password=password,
            host=self.host,
            port=self.port,
            database=database,
        )

    def _run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / arguments[0]), *arguments[1:]]
        return subprocess.run(
            command,
            user=self.run_as,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.folder,
            timeout=120,
        )

    def initialise(self) -> None:
        result = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()[-500:]}")

    def start(self) -> None:
        # A throwaway cluster: durability is not what the tests are about.
        fast = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
        options = " ".join(
            (
                f"-p {self.port}",
                f"-k {self.folder}",
                "-c listen_addresses=127.0.0.1",
                *(() if self.durable else fast),
                "-c max_connections=200",
            )
        )
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
            "start",
        )  # fmt: skip
        if result.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace")[-800:]
            raise PostgresUnavailable(f"pg_ctl start failed: {result.stderr.strip()} {log}")
        self._running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` drops every connection at once, like a crash)."""
        if not self._running:
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(*, durable: bool = False) -> PostgresServer:
    """Create and start a fresh cluster, or raise ``PostgresUnavailable`` saying why not.

    ``durable``: commits wait for the disk (fsync on), as a server in use would."""
    binaries = find_binaries()
    if binaries is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no initdb found): install the 'postgresql' package"
        )
    run_as = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="lastmile-pg-"))
    if run_as is not None:
        record = pwd.getpwnam(run_as)
        os.chown(folder, record.pw_uid, record.pw_gid)
    server = PostgresServer(
        binaries=binaries, folder=folder, port=_free_port(), run_as=run_as, durable=durable
    )
    try:
        server.initialise()
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
