"""Progress of long imports: a bar on a terminal (set by the command line), logged counts otherwise."""

from __future__ import annotations

import contextlib
import logging
from typing import Callable, ContextManager, Iterator, Sequence, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Rows between two log lines when no progress bar is shown.
LOG_EVERY = 50_000
# Files shorter than this get no progress bar: they are read before one would draw.
MIN_ROWS_FOR_BAR = 2_000

# Returns a context manager that yields an advance(rows) function, for one labelled task of total rows.
ProgressFactory = Callable[[str, int], ContextManager[Callable[[int], None]]]
_factory: ProgressFactory | None = None


def set_progress_factory(factory: ProgressFactory | None) -> None:
    """Show progress through factory (None: log counts), e.g. a Rich bar when stderr is a terminal."""
    global _factory
    _factory = factory


@contextlib.contextmanager
def _logged(label: str, total: int) -> Iterator[Callable[[int], None]]:
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        before = done
        done += rows
        if done // LOG_EVERY > before // LOG_EVERY:
            log.info("%s: %s of %s rows", label, done, total)

    yield advance
    if total >= LOG_EVERY:
        log.info("%s: %s of %s rows done", label, done, total)


def track(items: Sequence[T], label: str) -> Iterator[T]:
    """Yield items, advancing a progress bar or logging counts every LOG_EVERY rows."""
    total = len(items)
    factory = _factory if (_factory is not None and total >= MIN_ROWS_FOR_BAR) else _logged
    step = max(1, min(1_000, total // 100))
    with factory(label, total) as advance:
        pending = 0
        for item in items:
            yield item
            pending += 1
            if pending == step:
                advance(pending)
                pending = 0
        if pending:
            advance(pending)
