"""Many people at once (threads; SQLite and PostgreSQL through the ``db`` fixture): every note is
kept, a double click creates one note, and no submission is silently overwritten."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from consultation_data import ISSUE, TARGETS, make_rota, open_consulting
from forecasting import consultation as c
from forecasting.errors import Conflict
from patience import PATIENCE_S

THREADS = 20


def _run(n, work):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def go(i):
        try:
            barrier.wait(timeout=PATIENCE_S)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=PATIENCE_S)
    return results, errors


@pytest.fixture
def room(db, users):
    make_rota(db)
    open_consulting(db, users["fc_qp"])
    return [users["fc_qp"], users["fc_wj"], users["fc_js"]]


def test_twenty_threads_add_notes_and_save_submissions(db, room):
    """Regression guard: lost notes or a submission overwritten without a version check."""

    def work(i):
        actor = room[i % 3]
        note = c.add_note(db, actor, ISSUE, f"note {i}", client_token=f"tok-{i}")
        day = TARGETS[(i // 3) % 3]
        lo = 55 + i
        try:  # everyone believes the entry is new (expected_version 0): one per key wins
            c.save_submission(db, actor, ISSUE, actor.district, day, aqi_lo=lo, aqi_hi=lo + 20, primary=["pm25"])
            won = True
        except Conflict as exc:
            assert exc.key == "consult.changed_meanwhile"
            won = False
        return note.id, (actor.district, day), lo, won

    results, errors = _run(THREADS, work)
    assert errors == []
    notes = c.list_notes(db, ISSUE)
    assert sorted(n.body for n in notes) == sorted(f"note {i}" for i in range(THREADS))
    assert len({r[0] for r in results}) == THREADS
    winners = Counter(r[1] for r in results if r[3])
    assert set(winners.values()) == {1} and len(winners) == 9  # 9 keys (3 districts × 3 days), one winner each
    stored = {(s.district, s.target_date): s for s in c.list_submissions(db, ISSUE)}
    for _, key, lo, won in results:
        if won:
            assert stored[key].aqi_lo == lo and stored[key].version == 1
            assert len(c.submission_history(db, stored[key].id)) == 1


def test_twenty_threads_editing_one_entry_lose_no_update(db, room):
    """Each thread retries with the version it reads; every successful save is a version in the history."""
    actor = room[0]
    first = c.save_submission(db, actor, ISSUE, actor.district, TARGETS[0], aqi_lo=60, aqi_hi=80, primary=["pm25"])

    def work(i):
        for _ in range(100):
            current = [s for s in c.list_submissions(db, ISSUE) if s.id == first.id][0]
            try:
                c.save_submission(db, actor, ISSUE, actor.district, TARGETS[0], aqi_lo=61 + i, aqi_hi=81 + i,
                                  primary=["pm25"], expected_version=current.version)
                return 61 + i
            except Conflict:
                continue
        return None

    results, errors = _run(THREADS, work)
    assert errors == [] and None not in results
    history = c.submission_history(db, first.id)
    assert [h["version"] for h in history] == list(range(1, THREADS + 2))
    assert sorted(h["aqi_lo"] for h in history[1:]) == sorted(results)


def test_a_double_click_from_many_threads_creates_one_note(db, room):
    results, errors = _run(10, lambda i: c.add_note(db, room[0], ISSUE, "一条", client_token="same").id)
    assert errors == [] and len(set(results)) == 1
    assert len(c.list_notes(db, ISSUE)) == 1
