"""Beyond one machine: two app processes against one PostgreSQL.

A note written through process 1 (in one browser) appears in the live consultation room served by
process 2 (in another browser), without a reload: the only shared state is the database.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from browser_support import alert, app_server, browser, screenshot, sign_in, wait_idle
from db_support import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


@pytest.fixture
def shared_pg(pg_url):
    from forecasting import accounts
    from forecasting import consultation as c
    from forecasting.permissions import Actor
    from forecasting.store.db import Database

    db = Database(pg_url)
    op = Actor.system("test")
    for username, district in [("fc_qp", "310118"), ("fc_wj", "320509"), ("fc_js", "330421")]:
        accounts.create_user(db, op, username=username, password=PASSWORD, role="forecaster", district=district)
    today = c.beijing_today()
    c.generate_rota(db, op, today - timedelta(days=today.weekday()), today + timedelta(days=14))
    c.open_session(db, op, today, days=3)
    db.dispose()
    return pg_url


def _sign_in(page, base, username):
    sign_in(page, base, username, PASSWORD)


def test_a_note_written_in_one_process_is_seen_in_the_other(shared_pg, tmp_path):
    text = f"来自进程一的会商记录 {uuid.uuid4().hex[:8]}"
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    with app_server(shared_pg, data_dir=tmp_path / "a") as base_a, app_server(shared_pg, data_dir=tmp_path / "b") as base_b:
        assert base_a != base_b
        with browser() as b:
            reader_ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            reader = reader_ctx.new_page()
            _sign_in(reader, base_b, "fc_qp")
            reader.goto(base_b + "/consultation_room")
            reader.get_by_text("添加会商记录", exact=True).wait_for()  # the room has drawn its notes
            wait_idle(reader)
            assert reader.get_by_text(text).count() == 0

            writer_ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            writer = writer_ctx.new_page()
            _sign_in(writer, base_a, "fc_wj")
            writer.goto(base_a + "/consultation_room")
            writer.get_by_role("textbox", name="内容（纯文本显示）").fill(text)
            writer.get_by_role("button", name="添加记录").click()
            alert(writer, "记录已添加。").wait_for()

            # process 2's live board refreshes itself (st.fragment run_every) and shows the note
            reader.get_by_text(text).wait_for()
            screenshot(reader, "scale-two-processes-note-seen")
            reader_ctx.close()
            writer_ctx.close()
