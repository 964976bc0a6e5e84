"""Beyond one machine: grid ingestion on a dask.distributed cluster (DASK_SCHEDULER_ADDRESS).

A LocalCluster (scheduler and two workers in the test process, reached over TCP) stands in for a
production cluster; the ingest command runs as its own process, like cron would, and sends its grid
work to the cluster's workers through the scheduler's address.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from forecasting import datastore
from forecasting.grids.synthetic import write_cmaq_aconc
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent


def _ingest(url, path, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    env.update({"DATABASE_URL": url, **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "forecasting", "ingest", str(path), "--model", "CMAQ-YRD"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)


@pytest.mark.slow
def test_ingest_on_a_local_cluster_gives_the_same_values(tmp_path, sqlite_url, _sqlite_template):
    import shutil

    from dask.distributed import Client, LocalCluster

    from forecasting.store.db import Database

    path = write_cmaq_aconc(tmp_path / "ACONC.nc", nx=60, ny=45, hours=24, seed=5)
    local_copy = tmp_path / "local.sqlite3"
    shutil.copy(_sqlite_template, local_copy)
    local_url = f"sqlite:///{local_copy}"
    done = _ingest(local_url, path)
    assert done.returncode == 0, done.stderr

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster, \
            Client(cluster) as client:
        done = _ingest(sqlite_url, path, {"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
        assert done.returncode == 0, done.stderr
        # the cluster's workers did the reading and the reductions
        prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
        assert prefixes, "no task reached the cluster"

    a, b = Database(local_url), Database(sqlite_url)
    fa = datastore.forecast_frame(a).sort_values(["district", "valid_time", "variable"]).reset_index(drop=True)
    fb = datastore.forecast_frame(b).sort_values(["district", "valid_time", "variable"]).reset_index(drop=True)
    assert len(fa) == len(fb) == 3 * 24 * 6
    np.testing.assert_allclose(fa["value"].to_numpy(), fb["value"].to_numpy(), rtol=1e-12)
    a.dispose(), b.dispose()


def test_unreachable_scheduler_is_a_clear_error(tmp_path, sqlite_url):
    path = write_cmaq_aconc(tmp_path / "ACONC.nc", nx=10, ny=8, hours=2)
    done = _ingest(sqlite_url, path, {"DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:9"})
    assert done.returncode == 2
    assert "DASK_SCHEDULER_ADDRESS=tcp://127.0.0.1:9: cannot connect" in done.stderr
    from forecasting.store.db import Database

    assert datastore.list_runs(Database(sqlite_url)) == []  # nothing written
