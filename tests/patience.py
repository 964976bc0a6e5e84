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
#: Milliseconds: Playwright's default for every action, wait and ``expect`` of a browser test.
PATIENCE_MS = PATIENCE_S * 1000
