"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).

PostgreSQL tests are marked ``postgres``; without ``TEST_DATABASE_URL`` they are not run and one
line in the summary says so. ``.ci/run`` sets it to the machine's server (database ``test``).

Parallel runs (``pytest -n 2``, pytest-xdist): the demo world template is built once per test run
by whichever worker needs it first, under a file lock in the run's shared temporary folder, and
copied by every test that uses it (read-only: the template itself is never opened for writing).
Tests that use the demo world are marked ``slow`` here, so ``make check`` (``-m "not slow and not
browser"``) never builds it. See ``docs/development.md``.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest

# Fast Argon2 parameters are NOT used: tests hash with the production settings.
os.environ.setdefault("FORECASTING_LANGUAGE", "zh")
# The command line speaks the terminal's locale (forecasting.cli.cli_language): a developer's Chinese locale
# would turn the English lines the tests read into Chinese ones (tests of the Chinese lines set it themselves).
for _name in ("LC_ALL", "LC_MESSAGES", "LANG"):
    if os.environ.get(_name, "").lower().startswith("zh"):
        os.environ[_name] = "C.UTF-8"

from db_support import PASSWORD, PG_URL, normalise_url, pg_fresh

ROOT = Path(__file__).resolve().parent.parent
# test data, not tests: the script that wrote the .xls workbooks needs xlwt, which the app does not install
collect_ignore = ["data"]
_not_run: list[str] = []


#: Fixtures that build a demo world: a test using one is ``slow`` (not in ``make check``).
#: ``month_world`` (``test_managers_18.py``) builds its own 14-day world ending on the 1st of this month.
SLOW_FIXTURES = frozenset({"demo_url", "demo_template", "_demo_template", "month_world"})
#: Test modules that run the command line as real processes (each start imports the science stack).
SLOW_MODULES = frozenset({"test_cli_foundation.py", "test_correction_cli.py", "test_grids_cli.py",
                          "test_consultation_cli.py", "test_reports_immutable.py",
                          # its module fixture builds a 30-day science world with weekly trainings
                          "test_guidance_distribution.py"})
#: Single tests measured among the slowest of ``make check`` (``--durations``); gradient boosting
#: (any test parametrised with it) is the slowest correction method.
SLOW_TESTS = frozenset({"test_guidance.py::test_command_line", "test_datastore.py::test_ingest_command_line",
                        "test_scale_dask.py::test_unreachable_scheduler_is_a_clear_error",
                        "test_correction_methods.py::test_gradient_boosting_log_ratio_target_removes_a_multiplicative_bias",
                        # the slowest of make check on 2026-11-29 (--durations; a command-line process, a
                        # maximum-size report rendered as PDF, a projected file inspected by the CLI)
                        "test_datadesk.py::test_ingest_command_line_records_its_attempts",
                        "test_hardening_issue.py::test_report_with_maximum_size_analyses_uses_a_fixed_table_layout",
                        "test_grids_projected.py::test_inspect_describes_projection_spacing_and_zone_coverage",
                        # every test of 0.85 s or more in make check on 2026-11-29, second session
                        # (--durations=0: 58.5 s wall, 93 s of test time; these 13 are 20 s of it)
                        "test_guidance.py::test_guidance_ignores_observations_after_the_issue_time",
                        "test_guidance.py::test_training_chooses_a_correction_over_the_biased_raw_model",
                        "test_guidance.py::test_guidance_removes_the_bias_and_gives_ranges",
                        "test_pages_model_guidance.py::test_map_and_meteograms",
                        "test_consultation_pages.py::test_chief_acknowledges_a_flag_signs_with_password_and_the_room_is_read_only",
                        "test_consultation_pages.py::test_rota_page_shows_the_calendar_and_admin_generates",
                        "test_consultation_pages.py::test_forecaster_adds_a_note_once",
                        "test_accounts.py::test_five_failures_lock_the_account_for_fifteen_minutes",
                        "test_grids_projected.py::test_mapping_file_names_the_projection_of_a_file_that_does_not",
                        "test_hardening_cli.py::test_observation_at_year_9999_is_one_line",
                        "test_datadesk.py::test_data_desk_page_per_role",
                        "test_consultation_workflow.py::test_only_the_duty_chief_signs_with_the_right_password",
                        # builds a 4-day demo world in its process (16.5 s, the slowest of make check on
                        # 2026-11-30): a demo world is slow, as the fixtures above say
                        "test_demo_build.py::test_a_small_world_built_in_this_process_is_published_complete",
                        # command-line processes added 2026-12-07 (inspect imports the science stack: 2 s)
                        "test_archives.py::test_the_command_line_inspects_the_zip_naming_its_members",
                        "test_cli_language.py::test_an_unmigrated_database_is_told_in_chinese_by_a_real_process"})


def _is_slow(item) -> bool:
    if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    name = module + "::" + item.nodeid.split("::", 1)[-1].split("[", 1)[0]
    return module in SLOW_MODULES or name in SLOW_TESTS or "[gradient_boosting" in item.nodeid


def pytest_collection_modifyitems(config, items):
    """Mark slow tests (see above) so ``make check`` (``-m "not slow and not browser"``) skips them,
    and leave out the PostgreSQL tests when there is no ``TEST_DATABASE_URL``."""
    for item in items:
        if not item.get_closest_marker("slow") and _is_slow(item):
            item.add_marker(pytest.mark.slow)
    if PG_URL:
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        _not_run.append(f"{len(dropped)} PostgreSQL tests not run: TEST_DATABASE_URL is not set")


def pytest_terminal_summary(terminalreporter):
    for line in _not_run:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy (migrations run once)."""
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    db.dispose()  # the last connection to close checkpoints and removes the WAL file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "test.sqlite3"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


def _migrate(url: str) -> None:
    """Migrate an empty PostgreSQL database to head and load the districts."""
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    upgrade(url)
    db = Database(url)
    sync_districts(db)
    db.dispose()


@pytest.fixture
def pg_url() -> str:
    """A freshly migrated PostgreSQL database (a copy of the worker's migrated template, see
    :func:`db_support.pg_fresh`)."""
    url = normalise_url(PG_URL)
    pg_fresh(url, _migrate)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Each test using this runs on SQLite and (when available) PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url):
    from forecasting.store.db import Database

    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url):
    from forecasting.store.db import Database

    database = Database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def password_hash() -> str:
    """``PASSWORD`` hashed once per worker with the production Argon2id parameters."""
    from forecasting import accounts

    return accounts.hash_password(PASSWORD)


#: Argon2id verifications of this worker: ``(stored hash, password) -> True/False``. Verification is a pure
#: function of the two, so a pair's answer, once computed with the production parameters, is the answer.
_VERIFIED: dict[tuple[str, str], bool] = {}
#: zxcvbn's answers of this worker: ``(password, user inputs) -> result`` (a pure function of the two; the
#: password policy's strength check took 4 s of ``make check``'s CPU, mostly the same users made again).
_STRENGTH: dict[tuple[str, tuple[str, ...]], dict] = {}


@contextmanager
def hashed_once(password_hash: str):
    """Within the block, :func:`forecasting.accounts.hash_password` of ``PASSWORD`` returns the
    session's hash (a real production-parameter Argon2id hash of it, salt shared): users are
    created at insert speed and still sign in through the real verification, which is computed
    once per worker for each (hash, password) pair and remembered (0.24 s of CPU each: 155 sign-ins,
    signatures and password checks of ``make check`` took 34 s of CPU). The password policy's zxcvbn
    strength is computed once per worker for each (password, user inputs) pair and remembered too."""
    import zxcvbn
    from argon2.exceptions import VerifyMismatchError

    from forecasting import accounts

    real_hash, real = accounts.hash_password, accounts._hasher

    def cached(password: str) -> str:
        return password_hash if password == PASSWORD else real_hash(password)

    class Remembering:  # the module's PasswordHasher, whose verify remembers (its own attributes are read-only)
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored_hash, password) -> bool:
            key = (str(stored_hash), str(password))
            if key not in _VERIFIED:
                try:
                    _VERIFIED[key] = real.verify(stored_hash, password)
                except VerifyMismatchError:
                    _VERIFIED[key] = False
            if not _VERIFIED[key]:
                raise VerifyMismatchError()
            return True

    real_strength = zxcvbn.zxcvbn

    def strength(password: str, user_inputs=None, *args, **kwargs) -> dict:
        if args or kwargs:
            return real_strength(password, user_inputs, *args, **kwargs)
        key = (password, tuple(user_inputs or ()))
        if key not in _STRENGTH:
            _STRENGTH[key] = real_strength(password, user_inputs=user_inputs)
        return _STRENGTH[key]

    with (mock.patch.object(accounts, "hash_password", cached), mock.patch.object(accounts, "_hasher", Remembering()),
          mock.patch.object(zxcvbn, "zxcvbn", strength)):
        yield


@pytest.fixture(autouse=True)
def _password_hashed_once(request):
    """Every test hashes ``PASSWORD`` once per worker (production Argon2id parameters, see
    :func:`hashed_once`), so creating users costs an insert, not 0.2-0.4 s of Argon2 each; signing in
    still verifies through the real Argon2id, once per worker for each (hash, password) pair. A test
    marked ``real_argon2`` hashes and verifies every time."""
    if request.node.get_closest_marker("real_argon2"):
        yield
        return
    with hashed_once(request.getfixturevalue("password_hash")):
        yield


@pytest.fixture
def users(db, password_hash):
    """A small cast: an admin, a forecaster per district, a manager (password ``correct-horse-9``,
    hashed once per session: see :func:`hashed_once`)."""
    from forecasting import accounts
    from forecasting.permissions import Actor

    op = Actor.system("test")
    cast = {}
    for username, role, district in [
        ("admin1", "admin", None),
        ("fc_qp", "forecaster", "310118"),
        ("fc_wj", "forecaster", "320509"),
        ("fc_js", "forecaster", "330421"),
        ("mgr1", "manager", None),
    ]:
        # hashed once per worker by the autouse _password_hashed_once
        view = accounts.create_user(db, op, username=username, password=PASSWORD, role=role, district=district)
        cast[username] = accounts.Actor(view.id, view.username, view.role, view.district, view.display_name)
    return cast



def _worker(request) -> str:
    """xdist's worker name ("gw0", ...), or "master" in one process (also with ``-p no:xdist``)."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "master"


def _shared_tmp(tmp_path_factory, worker_id: str) -> Path:
    """The run's temporary folder shared by all xdist workers (the worker's own when not parallel)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def build_once(tmp_path_factory, _sqlite_template, request):
    """``build_once(name, build)``: the path of a SQLite world built **once per test run** (shared by the
    xdist workers under a file lock, like the demo template): ``build(path, folder)`` fills a copy of the
    migrated template at ``path`` (and must close its connections). Read-only: copy it to write."""
    from filelock import FileLock

    def once(name: str, build) -> Path:
        folder = _shared_tmp(tmp_path_factory, _worker(request)) / name
        folder.mkdir(exist_ok=True)
        path = folder / "world.sqlite3"
        with FileLock(str(folder / "build.lock")):
            if not path.exists():
                building = folder / "world.building.sqlite3"
                shutil.copy(_sqlite_template, building)
                build(building, folder)
                os.replace(building, path)
        return path

    return once


def _todays_demo_template(build_once) -> Path:
    """The small demo world for the Beijing date of this moment, seeded once per test run and date
    (:func:`build_once`): a run that crosses Beijing midnight builds a second world instead of serving
    yesterday's as today's (whose session would not be open)."""
    from forecasting.consultation import beijing_today
    from forecasting.demo import demo_state, seed_if_empty
    from forecasting.store.db import Database

    today = beijing_today()

    def build(path, folder):
        db = Database(f"sqlite:///{path}")
        # report files stored at issue for the 3 newest issue dates (English for the newest only); the older
        # ones have their files on demand: the tests see both kinds. Built on both cores as `make run` builds
        # its world (two worker processes; a world this small would otherwise be built in one), so that
        # test_demo_build.py checks the parallel build's order on this world instead of building its own;
        # the build's lines are kept beside the template (build.log)
        with open(folder / "build.log", "w", encoding="utf-8") as lines:
            seed_if_empty(db, today=today, folder=folder / "runs", days=12, files_days=2, english_days=1,
                          rendered_days=3, log=lambda line: print(line, file=lines), parallel=True)
        assert demo_state(db) == "complete"
        db.dispose()  # checkpoints the WAL into the file

    return build_once(f"demo-template-{today}", build)


@pytest.fixture(scope="session")
def _demo_template(build_once) -> Path:
    """A small demo world (12 days, the 2 newest cycles as files, report files stored for the 3 newest issue
    dates, English ones for the newest only, the others' files on demand) for today, seeded once per test run: accounts, rota, observations, model runs,
    guidance, issued consultations, today's session open. Never opened for writing: tests copy it.
    For module-scoped worlds; a test that uses today's world directly takes :func:`demo_template`."""
    return _todays_demo_template(build_once)


@pytest.fixture
def demo_template(build_once) -> Path:
    """The small demo world for the Beijing date of the test that asks for it (see ``_demo_template``)."""
    return _todays_demo_template(build_once)


@pytest.fixture
def demo_url(demo_template, tmp_path) -> str:
    """A copy of the small demo world of the test's Beijing date (see ``_demo_template``)."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"
