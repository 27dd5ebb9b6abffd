"""Start or reuse the SparkSession that the Spark engine runs on.

PySpark is an optional dependency (`pip install 'rasr[spark]'`), imported
only when the Spark engine is chosen. Spark's own configuration applies:
`spark-defaults.conf`, `PYSPARK_SUBMIT_ARGS` (for example `--master
spark://HOST:7077 pyspark-shell`) and `SPARK_LOCAL_IP`. Without any of them
PySpark runs in local mode on every core of this machine.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rasr.store.connection import WorkspaceError

log = logging.getLogger(__name__)

APP_NAME = "rasr"

# Set on a session that rasr starts, unless the caller's config sets the key.
DEFAULT_CONFIG = {
    # Progress bars would mix into the command's stderr lines.
    "spark.ui.showConsoleProgress": "false",
    # The web UI renders every query plan, which costs seconds per query for the
    # large plans of an analysis, and it would listen on a port.
    "spark.ui.enabled": "false",
}
INSTALL_HINT = "install the Spark extra with `pip install 'rasr[spark]'` (it needs Java 17 or later)"


def spark_session(config: dict[str, str] | None = None) -> Any:
    """Return the active SparkSession, or start one with config set on it.

    Raises WorkspaceError when PySpark is not installed or Spark fails to start.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise WorkspaceError(f"the Spark engine needs PySpark, which is not installed; {INSTALL_HINT}") from error

    started = time.perf_counter()
    builder = SparkSession.builder.appName(APP_NAME)
    for key, value in {**DEFAULT_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # py4j and the JVM launcher raise their own types
        raise WorkspaceError(f"Spark failed to start: {error}; check that Java 17 or later is on PATH") from error
    context = session.sparkContext
    if context.master.startswith("local") and not context.getConf().contains("spark.sql.shuffle.partitions"):
        # Spark's default of 200 shuffle partitions suits a cluster. In local mode, where
        # every task shares this machine's cores, one partition per core is faster.
        session.conf.set("spark.sql.shuffle.partitions", str(context.defaultParallelism))
    log.info("Spark %s session ready (master %s) in %.1fs", session.version,
             session.sparkContext.master, time.perf_counter() - started)
    return session


def spark_backend(session: Any | None = None) -> Any:
    """Return an Ibis PySpark backend on session, or on the session that `spark_session` returns."""
    import ibis

    return ibis.pyspark.connect(session if session is not None else spark_session())
