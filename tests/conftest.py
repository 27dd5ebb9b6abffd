"""Shared fixtures: a throwaway PostgreSQL server, an empty workspace per backend and the public CRM data.

The PostgreSQL server starts once per test session, on 127.0.0.1 and a free
port, and each test that requests it gets a new empty database. Without the
PostgreSQL binaries the postgres tests are skipped, but when CI=true they fail.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NoReturn

import psycopg
import pytest

from rasr.store import Workspace, open_workspace

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# initdb and postgres exit with an error when run as root, so under root they run as this
# system user, which Debian's postgresql package creates.
POSTGRES_OS_USER = "postgres"
# The superuser that initdb creates, the user name in every test database URL.
POSTGRES_SUPERUSER = "postgres"
START_TIMEOUT_SECONDS = 60
START_ATTEMPTS = 3


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def skip_or_fail(message: str) -> NoReturn:
    """Skip the test, or fail it under CI=true, where a missing prerequisite is an error."""
    if in_ci():
        pytest.fail(f"{message} (CI=true, so this is an error rather than a skip)", pytrace=False)
    pytest.skip(message)


# --- PostgreSQL server ---------------------------------------------------------------


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway PostgreSQL server and where to reach it."""

    host: str
    port: int
    user: str
    socket_dir: Path
    data_dir: Path
    startup_seconds: float

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.user, dbname=database, autocommit=True)


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin gives (15,), and a directory name without digits sorts first.
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def find_postgres_bin_dir() -> Path | None:
    """Return the directory containing initdb and pg_ctl: from PATH, else Debian's newest version."""
    initdb = shutil.which("initdb")
    if initdb:
        # resolve() follows a symlink such as /usr/local/bin/initdb to the directory of its version.
        bin_dir = Path(initdb).resolve().parent
        if (bin_dir / "pg_ctl").exists():
            return bin_dir
    # Debian and Ubuntu keep the server binaries out of PATH, one directory per major version.
    candidates = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    candidates = [bin_dir for bin_dir in candidates if (bin_dir / "pg_ctl").exists()]
    if not candidates:
        return None
    return max(candidates, key=_version_key)


def _run_as_prefix() -> list[str]:
    """Return the command prefix that runs a PostgreSQL binary as a user it accepts."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", POSTGRES_OS_USER, "--"]
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={POSTGRES_OS_USER}", f"--regid={POSTGRES_OS_USER}", "--init-groups", "--"]
    raise RuntimeError(
        "the tests run as root, where PostgreSQL does not start, and neither runuser nor setpriv is installed "
        f"to run it as the '{POSTGRES_OS_USER}' user. Install util-linux, which provides both"
    )


def _free_port() -> int:
    # The port is free when this returns. Another process can still take it before
    # the server binds it, which _start_server handles by retrying on a new port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # Callers pass a cwd that the postgres user can enter, because it may not be
    # able to enter the directory that pytest runs in.
    return subprocess.run(
        command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )


def _log_tail(log_file: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log was written)"


def _init_cluster(bin_dir: Path, prefix: list[str], base_dir: Path, data_dir: Path, socket_dir: Path) -> None:
    result = _run(
        prefix + [
            str(bin_dir / "initdb"), "--pgdata", str(data_dir), "--username", POSTGRES_SUPERUSER,
            "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync",
        ],
        cwd=base_dir,
    )
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed with exit code {result.returncode}:\n{result.stdout}{result.stderr}")

    # Appended settings override initdb's defaults. fsync and the other durability
    # settings are off because the cluster is deleted after the run.
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# Throwaway test server started by tests/conftest.py\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{socket_dir}'\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
        )


def _start_server(bin_dir: Path, prefix: list[str], base_dir: Path, data_dir: Path) -> int:
    """Start the server on a free port and return the port, retrying on another one if that port was taken."""
    log_file = base_dir / "server.log"
    for attempt in range(1, START_ATTEMPTS + 1):
        port = _free_port()
        result = _run(
            prefix + [
                str(bin_dir / "pg_ctl"), "--pgdata", str(data_dir), "--log", str(log_file),
                "--wait", "--timeout", str(START_TIMEOUT_SECONDS), "-o", f"-p {port}", "start",
            ],
            cwd=base_dir,
        )
        if result.returncode == 0:
            return port
        log = _log_tail(log_file)
        if "could not bind" in log and attempt < START_ATTEMPTS:
            continue
        raise RuntimeError(
            f"pg_ctl start failed with exit code {result.returncode} on port {port}:\n"
            f"{result.stdout}{result.stderr}\nLast lines of {log_file}:\n{log}"
        )
    raise AssertionError("unreachable: the last attempt returns or raises")


def _stop_server(bin_dir: Path, prefix: list[str], base_dir: Path, data_dir: Path) -> None:
    # Immediate mode skips the shutdown checkpoint: the data is deleted next.
    result = _run(
        prefix + [str(bin_dir / "pg_ctl"), "--pgdata", str(data_dir), "--mode", "immediate", "--wait", "stop"],
        cwd=base_dir,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pg_ctl stop failed with exit code {result.returncode}:\n{result.stdout}{result.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL server for the test session, and stop and delete it afterwards."""
    bin_dir = find_postgres_bin_dir()
    if bin_dir is None:
        skip_or_fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or /usr/lib/postgresql/*/bin. "
            "Install Debian's postgresql package (apt-get install postgresql) to run the postgres tests"
        )
    prefix = _run_as_prefix()

    started = time.perf_counter()
    # Not pytest's tmp_path: its directories are private to the user running pytest,
    # so the postgres user could not enter them.
    base_dir = Path(tempfile.mkdtemp(prefix="rasr-pg-"))
    data_dir = base_dir / "data"
    try:
        if prefix:
            try:
                owner = pwd.getpwnam(POSTGRES_OS_USER)
            except KeyError:
                raise RuntimeError(
                    f"the tests run as root, so PostgreSQL must run as the '{POSTGRES_OS_USER}' user, "
                    "which does not exist. Install Debian's postgresql package, which creates it"
                ) from None
            os.chown(base_dir, owner.pw_uid, owner.pw_gid)
            if _run(prefix + ["test", "-x", str(base_dir)], cwd=Path("/")).returncode != 0:
                raise RuntimeError(
                    f"the '{POSTGRES_OS_USER}' user cannot enter {base_dir}, so PostgreSQL cannot start there. "
                    "Set TMPDIR to a directory every user can enter, such as /tmp"
                )

        _init_cluster(bin_dir, prefix, base_dir, data_dir, socket_dir=base_dir)
        port = _start_server(bin_dir, prefix, base_dir, data_dir)
        server = PostgresServer(
            host="127.0.0.1",
            port=port,
            user=POSTGRES_SUPERUSER,
            socket_dir=base_dir,
            data_dir=data_dir,
            startup_seconds=time.perf_counter() - started,
        )
        yield server
    finally:
        try:
            # The pid file also exists when pg_ctl timed out on a server that is still starting.
            if (data_dir / "postmaster.pid").exists():
                _stop_server(bin_dir, prefix, base_dir, data_dir)
        finally:
            shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """Create an empty database for one test, yield its postgresql:// URL and drop the database afterwards."""
    name = f"rasr_test_{uuid.uuid4().hex[:12]}"
    with postgres_server.connect() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    # FORCE ends the connections of any workspace the test left open (PostgreSQL 13 and later).
    with postgres_server.connect() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Workspaces ----------------------------------------------------------------------


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """Open an empty workspace on each backend in turn: a test that uses it runs once per backend."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'workspace.duckdb'}"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workspace.db'}"
    else:
        # Requested here, not as an argument, so duckdb and sqlite runs start no server.
        url = request.getfixturevalue("postgres_url")
    workspace = open_workspace(url)
    yield workspace
    workspace.close()


# --- Spark -----------------------------------------------------------------------------

# Settings for small test data on this machine's cores: one shuffle partition instead of
# 200, no web UI, and every Spark file in the run's temporary directory.
SPARK_TEST_CONFIG = {
    "spark.master": "local[2]",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.catalogImplementation": "in-memory",
}


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Start the one SparkSession of the test run, on 127.0.0.1, with a temporary warehouse directory."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("PySpark is not installed; install the Spark extra with pip install -e '.[dev,spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        skip_or_fail("Java is not installed, and Spark needs it; install a Java 17 runtime (openjdk-17-jre-headless)")
    from rasr.store.spark import spark_session as start_spark

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    base = tmp_path_factory.mktemp("spark")
    config = {
        **SPARK_TEST_CONFIG,
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.local.dir": str(base / "local"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={base / 'derby'}",
    }
    session = start_spark(config)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# --- Public CRM data -----------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return the public CRM data directory beside the repository, or skip the test without it."""
    if not SHARED_DATA.is_dir():
        skip_or_fail("../shared/data not found beside the repository; the public CRM data tests need it")
    return SHARED_DATA
