"""Ctrl-C and SIGTERM for the CLI: stop gracefully on the first, abandon on the second.

systemd, ``docker stop`` and Kubernetes stop a process with SIGTERM and, after a grace
period of their own, SIGKILL; a person presses Ctrl-C (SIGINT). Both are handled alike:
the first signal sets :attr:`Interrupts.stop` (the command stops taking new work and
lets what is in flight finish), and the second, or the end of *grace* seconds, cancels
the command's task. The exit code is 128 plus the signal's number, as a shell reports a
process killed by it: 130 for SIGINT, 143 for SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from contextlib import suppress

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Handle SIGINT and SIGTERM while a command runs (a context manager).

    Args:
        message: printed on the first signal; ``None`` to print nothing.
        grace: seconds after the first signal before the task is cancelled anyway;
            ``None`` waits for a second signal; ``0`` cancels at once.
    """

    def __init__(self, message: str | None = None, grace: float | None = None) -> None:
        self.stop = asyncio.Event()
        self.signal: signal.Signals | None = None
        self.abandoned = False
        self._message = message
        self._grace = grace
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def exit_code(self) -> int:
        """128 plus the first signal's number (130 for Ctrl-C, 143 for SIGTERM)."""
        return 128 + (self.signal or signal.SIGINT)

    def __enter__(self) -> Interrupts:
        for number in _SIGNALS:
            with suppress(
                NotImplementedError, RuntimeError
            ):  # Windows, not main thread
                self._loop.add_signal_handler(number, self._on_signal, number)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for number in _SIGNALS:
            with suppress(NotImplementedError, RuntimeError):
                self._loop.remove_signal_handler(number)

    def _on_signal(self, number: signal.Signals) -> None:
        if self.stop.is_set():
            self.abandon()
            return
        self.signal = signal.Signals(number)
        self.stop.set()
        if self._message:
            sys.stderr.write(
                f"\n{self.signal.name} received. Stopping: {self._message}\n"
            )
            sys.stderr.flush()
        if self._grace is not None:
            self._timer = self._loop.call_later(self._grace, self.abandon)

    def abandon(self) -> None:
        """Cancel the command's task now (the second signal, or the grace ran out)."""
        if not self.abandoned and self._task is not None:
            self.abandoned = True
            self._task.cancel()
