"""How long a test may wait: a hang guard, never a measure of speed.

Every wait in the suite waits on something the app does (a page element, a database row, a process
ending); none sleeps for a fixed time. The bound below only stops a test that would otherwise hang
for ever, so it is far above what a machine five times slower than the 2-core CI machine needs: the
longest single wait measured there (a report PDF rendered by the app under load) is about 20 s, and
the longest whole test (the consultation journey) about 2 min quiet.
"""

from __future__ import annotations

#: Seconds: subprocesses, threads, AppTest script runs, HTTP clients, polling loops.
PATIENCE_S = 1200
#: Milliseconds: Playwright's default for every action, wait and ``expect`` of a browser test. Shorter
#: than :data:`PATIENCE_S` (no single page wait comes near it: 20 s under load, 100 s on a machine five
#: times slower), so a page that will never get there fails in 10 minutes, with what it showed
#: (``browser_support``), instead of holding the suite for 20.
PATIENCE_MS = 600 * 1000
