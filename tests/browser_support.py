"""A real app server and a real headless Chromium for browser tests.

The server is ``streamlit run server.py`` on a free port against its own SQLite file; Chromium is
Debian's ``/usr/bin/chromium`` driven by Playwright (a Playwright browser download is impossible
here). Screenshots go to ``test-artifacts/`` (kept by CI as artefacts).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from patience import PATIENCE_MS, PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DOCS_IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(database_url: str, *, data_dir: Path, env_extra: dict | None = None):
    """Start the app like ``make run`` does (without the set-up) and yield its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "FORECASTING_DATA_DIR": str(data_dir), **(env_extra or {})}
    log = open(data_dir / f"server-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + PATIENCE_S  # a hang guard only: the loop ends as soon as /healthz answers
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(f"app server did not start: {(data_dir / f'server-{port}.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    except BaseException:
        # what the server printed (a traceback, a refused connection) beside the test's own failure
        log.flush()
        tail = (data_dir / f"server-{port}.log").read_text(errors="replace")[-4000:]
        print(f"--- app server log (last 4000 characters) ---\n{tail}", file=sys.stderr)
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def require_chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser test skipped: {CHROMIUM} is missing (make test installs Debian 'chromium' when it can)")


#: URLs that leave the machine: any ``scheme://host`` whose host is not the loopback (``file:`` is this machine's
#: file; ``data:``, ``blob:`` and ``about:`` have no ``//host``). The route guard is registered with this
#: pattern, so Chromium matches it and only such requests travel to the test process; a catch-all route
#: (``**/*``) made every one of the ~1000 requests of a browser test (script chunks, fonts, the app's own
#: calls) wait on a round trip through Python.
LEAVING = re.compile(r"^(?!file:|[a-z][a-z0-9+.-]*://(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]+)?(?:[/?#]|$))"
                     r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def is_local_url(url: str) -> bool:
    """Whether a request stays on this machine: :data:`LEAVING` does not match it."""
    return LEAVING.match(url) is None


@contextmanager
def browser():
    """A headless Chromium whose every context aborts any request that would leave the machine; the
    test fails at the end if a page tried one (the app must work offline: no fonts, tiles or icons
    from the internet). Every action, wait and ``expect`` waits on the page's state for up to
    :data:`patience.PATIENCE_MS` (a hang guard): no test passes its own, shorter time limit."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PATIENCE_MS)

    refused: list[str] = []
    #: what the pages said on their consoles (errors and warnings) and the scripts that threw: printed
    #: when the test fails, so a browser test that waits in vain says what the page went through
    console: list[str] = []

    def listen(page):
        page.on("console", lambda m: console.append(f"console.{m.type}: {m.text[:500]}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: console.append(f"page error: {str(e)[:500]}"))
        page.on("requestfailed", lambda r: console.append(f"request failed: {r.url[:200]} ({r.failure})"))
        page.on("crash", lambda _: console.append(f"page crashed: {page.url}"))
        page.on("close", lambda _: console.append(f"page closed: {page.url}"))

    def guard(route):  # registered with LEAVING: every request it sees would leave the machine
        refused.append(route.request.url)
        route.abort()

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = b.new_context

        def guarded_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            context.set_default_timeout(PATIENCE_MS)
            context.route(LEAVING, guard)
            context.on("page", listen)
            return context

        def guarded_page(*args, **kwargs):
            return guarded_context(*args, **kwargs).new_page()

        b.new_context, b.new_page = guarded_context, guarded_page
        try:
            yield b
        except BaseException:
            _report_pages(b, console)
            raise
        finally:
            b.close()
        assert not refused, f"requests that would leave the machine: {sorted(set(refused))}"


def _report_pages(b, console: list[str]) -> None:
    """After a failed browser test: a screenshot of every open page (``test-artifacts/FAILED-*.png``), the
    exceptions and text it showed, and what its console said, on stderr (pytest prints it with the failure)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "browser-test").split(" ")[0]
    stem = "FAILED-" + "".join(c if c.isalnum() else "-" for c in test.rsplit("::", 1)[-1])[:80]
    lines = [f"--- what the browser showed when {test} failed ---"]
    for i, page in enumerate(p for context in b.contexts for p in context.pages):
        try:
            lines.append(f"page {i}: {page.url}")
            lines.append(f"  screenshot: {screenshot(page, f'{stem}-{i}', timeout=10_000)}")
            counts = page.evaluate(
                "() => ({stale: document.querySelectorAll('[data-stale=\"true\"]').length,"
                " running: !!document.querySelector('[data-testid=\"stStatusWidget\"]'),"
                f" script: {SCRIPT_STATE},"
                " charts: document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]').length,"
                " embeds: document.querySelectorAll('.vega-embed').length})")
            lines.append(f"  state: {counts}")
            for text in page.locator("[data-testid='stException']").all_inner_texts():
                lines.append("  exception shown: " + text[:1500])
            lines.append("  text: " + page.locator("body").inner_text(timeout=10_000)[:1500].replace("\n", " | "))
        except Exception as exc:  # noqa: BLE001 - a diagnosis must not hide the test's own failure
            lines.append(f"  (could not read the page: {exc})")
    lines += console[-40:] or ["(nothing on the pages' consoles)"]
    print("\n".join(lines), file=sys.stderr)


#: Streamlit's toasts ("会商已开始。") hidden in a picture for the documentation: one stood over the flag table's
#: last headings in the desk's picture (the toast itself is checked where it matters).
NO_TOASTS = "[data-testid='stToastContainer'] { visibility: hidden !important; }"


def screenshot(target, name: str, *, docs: bool = False, timeout: float | None = None, toasts: bool = True) -> Path:
    """A screenshot of a page (the viewport) or of one element, in ``test-artifacts/<name>.png``. A picture the
    documentation shows (``docs=True``) is copied to ``docs/img/`` too, but only when ``FORECASTING_DOCS_IMG=1``
    (after looking at it): a plain ``make test`` never rewrites the documentation's pictures. ``toasts=False``
    leaves Streamlit's toasts out of the picture (:data:`NO_TOASTS`)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=str(path), timeout=timeout, **({} if toasts else {"style": NO_TOASTS}))
    if docs and os.environ.get("FORECASTING_DOCS_IMG") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_IMG / path.name)
    return path


#: Element containers of the current script run. During a rerun Streamlit keeps the previous run's
#: elements on screen marked ``data-stale="true"`` until the new run replaces them, so a plain
#: ``page.get_by_label(...)`` can match a stale and a fresh copy of the same widget (a strict-mode
#: violation) or act on the stale one. Locate through :func:`live` instead.
LIVE = '[data-testid="stElementContainer"]:not([data-stale="true"])'


def live(page):
    """A locator of the current run's elements: ``live(page).get_by_label("确认说明")`` cannot match
    a stale copy left on screen by the previous run."""
    return page.locator(LIVE)


def alert(page, text: str):
    """The message box (``st.success``, ``st.info`` …) that says ``text``: a confirmation also shows as
    a toast, and a bare ``get_by_text`` would match both (Playwright's strict mode refuses that)."""
    return page.get_by_test_id("stAlert").get_by_text(text)


def wait_until(check, *, what: str, timeout: float = PATIENCE_S) -> None:
    """Wait until ``check()`` (the app's state, e.g. a row in the database) is true. The timeout only
    guards against a hang; a slow machine just waits longer."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"the app never reached: {what}")
        time.sleep(0.2)


def one(locator, timeout: float = PATIENCE_MS):
    """``locator`` once it matches exactly one element (waits while a rerun still shows an old copy
    beside the new one, instead of failing Playwright's strict mode); returns it for ``fill``/``click``."""
    from playwright.sync_api import expect

    expect(locator).to_have_count(1, timeout=timeout)
    return locator


def table_rows_in_sight(page, key: str) -> tuple[int, int, int]:
    """The current run's table keyed ``key`` (an ``st.data_editor``'s widget key, or the key of the
    ``st.container`` holding an ``st.dataframe``, which puts no key on the page itself), read through the
    grid's own numbers: ``(rows, scroll_height, client_height)``, ``rows`` with the header. A table
    showing every row has ``scroll_height <= client_height + 1``; Streamlit's default height shows ten
    rows and scrolls inside for the rest, which a reader easily misses."""
    table = one(page.locator(f"{LIVE}[class*='st-key-{key}'] [data-testid='stDataFrame'], "
                             f"[class*='st-key-{key}'] {LIVE} [data-testid='stDataFrame']"))
    rows = int(table.locator("[role='grid']").get_attribute("aria-rowcount"))
    scrolled, shown = table.locator(".dvn-scroller").evaluate("e => [e.scrollHeight, e.clientHeight]")
    return rows, scrolled, shown


#: The script run's state as the Streamlit front end holds it (``stApp``'s ``data-test-script-state``:
#: ``initial``, ``running``, ``notRunning``, ``rerunRequested`` …), the attribute Streamlit's own browser
#: tests wait on. The running indicator (``stStatusWidget``) is no substitute: it shows only after half a
#: second of a run, and not at all in this app's minimal toolbar, so a wait on it alone returned while the
#: reports page was still running (its screenshot showed an empty reader box, 2026-12-04).
SCRIPT_STATE = "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"


def wait_idle(page, timeout: float = PATIENCE_MS) -> None:
    """Wait until Streamlit has finished the current script run: the front end says the script is not
    running (:data:`SCRIPT_STATE`; a page without the attribute, e.g. a later Streamlit, falls back to
    the rest), no running indicator, no stale element left on screen and no skeleton (``stSkeleton``: a
    widget whose code is still loading draws a grey box first; a screenshot then shows empty boxes) —
    app state, never a fixed delay."""
    page.wait_for_function(
        f"() => [null, undefined, 'notRunning'].includes({SCRIPT_STATE})"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stElementContainer\"][data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout,
    )


def upload(page, key: str, files, names: list[str]) -> None:
    """Give the file uploader of widget ``key`` (a key prefix: the data desk's keys carry a round number)
    ``files`` (what Playwright's ``set_input_files`` takes) and wait until the uploader lists every one of
    ``names`` as uploaded (a file chip, its spinner gone) and the script run it started has finished.

    A test that acts on the page before that races the upload: a widget changed meanwhile (a model
    chosen) can rerun the script without the files, and a button that needs them stays disabled."""
    box = page.locator(f"[class*='st-key-{key}']")
    box.locator("input[type=file]").set_input_files(files)
    # a chip per file (its name may be cut with an ellipsis, so chips are counted), none still uploading
    page.wait_for_function(
        "([key, n]) => { const box = document.querySelector(`[class*='st-key-${key}']`);"
        " return box && box.querySelectorAll('[data-testid=\"stFileChip\"]').length >= n"
        " && !box.querySelector('[data-testid=\"stFileChipIconSpinner\"]'); }", arg=[key, len(names)])
    wait_idle(page)


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the page (Chinese UI) and wait for the home page."""
    page.goto(base + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("您好").wait_for()
    wait_idle(page)
