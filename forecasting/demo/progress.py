"""Progress of the demo-world build: one bar with the current stage and an estimate of the time left.

The build reports itself through its ``log`` lines (``"  accounts: 11"``, ``"  model runs: 180 ..."``):
each line that names a known stage marks that stage done. Stages have weights (their share of a
build measured on a quiet 2-core machine), so the bar's position is the share of the work done and
the estimate scales with the speed of *this* machine: ``left = done_time × (1 − share) / share``.
Between two lines the bar creeps forward at the speed measured so far, never past 95 % of the
current stage, so a slow stage is visible as a slow bar and not as a frozen screen.

On a terminal the bar is a :mod:`tqdm` bar on standard error; elsewhere (CI, a test, a log file)
each stage line is printed with the elapsed time and the estimate, nothing else.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STAGES", "Stage", "BuildProgress"]


@dataclass(frozen=True)
class Stage:
    key: str  #: text that starts the stage's log line (after stripping)
    label: str  #: what the bar shows while the stage runs
    weight: float  #: share of a typical build [s on a quiet 2-core machine]


#: The demo build's stages in order; weights are the stage times of ``make bench BENCH_ARGS="startup --first-run"``
#: on this 2-core machine, quiet (2026-12-02, third session: 53 s in all; the consultations of the older half
#: of the history are seeded while the newer half's guidance is computed, so the last stage is the newer half's
#: consultations). Only their ratios matter.
STAGES: tuple[Stage, ...] = (
    Stage("accounts", "accounts (Argon2)", 3.0),
    Stage("observations", "observations", 6.0),
    Stage("model runs", "model runs and files", 11.0),
    Stage("trained corrections", "training corrections", 9.0),
    Stage("guidance rows", "guidance and earlier consultations", 16.0),
    Stage("consultations", "consultations and reports", 8.0),
)


def _columns(stream) -> int:
    """The width of the terminal ``stream`` writes to [columns]; 0 when it says none or cannot say."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return 0


class BuildProgress:
    """A ``log`` callable for :func:`forecasting.demo.seed_if_empty` that draws a progress bar.

    Use as a context manager; ``progress(line)`` marks the stage the line names as done and prints
    the line; ``progress.fraction`` is the share of the work done, ``progress.eta`` the estimate [s].
    With ``status`` (a path) and ``url`` the same reading is written to the status file about once a
    second, for the app to show (``building``, then ``complete`` or ``stopped``).
    """

    def __init__(self, *, stages: tuple[Stage, ...] = STAGES, stream=None, bar: bool | None = None,
                 status: Path | None = None, url: str = ""):
        #: the status file the app reads while the build runs (:mod:`forecasting.demo.status`), for ``url``
        self.status = status
        self.url = url
        self.stages = stages
        self.total = sum(s.weight for s in stages)
        self.stream = stream or sys.stderr
        self.bar_enabled = self.stream.isatty() if bar is None else bar
        self.done: set[str] = set()
        self.started = time.perf_counter()
        self.stage_started = self.started
        self._bar = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- measures ------------------------------------------------------------------------------
    def _done_weight(self) -> float:
        return sum(s.weight for s in self.stages if s.key in self.done)

    @property
    def current(self) -> Stage | None:
        return next((s for s in self.stages if s.key not in self.done), None)

    @property
    def fraction(self) -> float:
        return self._done_weight() / self.total

    @property
    def eta(self) -> float | None:
        """Seconds left, from the speed of the stages done so far (None before the first one)."""
        done = self._done_weight()
        if done <= 0:
            return None
        elapsed = self.stage_started - self.started
        return elapsed * (self.total - done) / done

    # -- the log callable ----------------------------------------------------------------------
    def __call__(self, *parts) -> None:
        line = " ".join(str(p) for p in parts)
        text = line.strip()
        now = time.perf_counter()
        with self._lock:
            stage = next((s for s in self.stages if text.startswith(s.key) and s.key not in self.done), None)
            if stage is not None:
                self.done.add(stage.key)
                self.stage_started = now
            if self._bar is not None:
                self._bar.n = round(self._done_weight(), 1)
                self._set_description()
                self._bar.refresh()
                self._bar.write(line, file=self.stream)
            else:
                eta = self.eta
                tail = f"  [{now - self.started:4.0f} s, ~{eta:.0f} s left]" if stage and eta is not None and self.current else ""
                print(line + tail, file=self.stream, flush=True)
            if stage is not None:
                self._write_status()

    def _set_description(self) -> None:
        stage = self.current
        self._bar.set_description_str(stage.label if stage else "done", refresh=False)

    def _creeping(self) -> float:
        """The work done so far, creeping through the current stage at the speed measured so far."""
        stage = self.current
        done = self._done_weight()
        if stage is None:
            return done
        elapsed = self.stage_started - self.started
        speed = done / elapsed if done > 0 and elapsed > 0 else 1.0
        return done + min((time.perf_counter() - self.stage_started) * speed, 0.95 * stage.weight)

    def _write_status(self, state: str = "building") -> None:
        if self.status is None:
            return
        from forecasting.demo.status import write_status

        stage = self.current
        now = time.perf_counter()
        eta = self.eta
        if eta is not None and stage is not None:  # the estimate at the last stage line, minus the time since
            eta = max(eta - (now - self.stage_started), 1.0)
        try:
            write_status(self.status, state=state, url=self.url, stage=stage.key if stage and state == "building"
                         else "", fraction=1.0 if state == "complete" else self._creeping() / self.total,
                         eta=eta if state == "building" else None, elapsed=now - self.started)
        except OSError as exc:  # the build goes on; only the app's progress page misses a reading
            print(f"  (progress not written to {self.status}: {exc})", file=self.stream, flush=True)

    def _tick(self) -> None:
        beats = 0
        while not self._stop.wait(0.5):
            beats += 1
            with self._lock:
                if self._bar is not None and self.current is not None:
                    self._bar.n = round(self._creeping(), 1)
                    self._bar.refresh()
                if beats % 2 == 0:
                    self._write_status()

    # -- context manager -----------------------------------------------------------------------
    def __enter__(self) -> BuildProgress:
        if self.bar_enabled:
            from tqdm import tqdm

            # the terminal's size as it changes; a terminal that says it has none (a pseudo-terminal nobody
            # sized: `script`, some container consoles) gets 80 × 24, since tqdm draws nothing there (it reads
            # -1 rows and takes the bar for one scrolled off the screen)
            width = {"dynamic_ncols": True} if _columns(self.stream) > 0 else {"ncols": 80, "nrows": 24}
            self._bar = tqdm(total=self.total, file=self.stream, unit="", leave=True, **width,
                             bar_format="{desc:<28} {percentage:3.0f}%|{bar}| {elapsed} elapsed, ~{remaining} left")
            self._set_description()
            self._bar.refresh()
        self._write_status()
        if self._bar is not None or self.status is not None:
            self._thread = threading.Thread(target=self._tick, name="demo-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._write_status("complete" if exc[0] is None else "stopped")
        if self._bar is not None:
            if exc[0] is None:
                self._bar.n = self.total
                self._bar.set_description_str("done", refresh=False)
            self._bar.close()
            self._bar = None
