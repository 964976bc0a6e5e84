"""AppTest of the presentation mode page without a consultation (the demo-world journey with keyboard
navigation is in ``test_browser_pictures.py``)."""

from __future__ import annotations

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD


def test_presentation_without_a_session_says_so(users, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = goto(sign_in(new_app(), "fc_qp", PASSWORD), "presentation.py")
    assert not at.exception, at.exception
    assert "当天尚无会商。" in texts(at)


def test_presentation_before_any_forecast_says_nothing_to_compare(users, db_url, db, monkeypatch):
    """A session with no forecast saved yet has nothing to compare: the flag card says so instead of
    "✓ 无一致性提示" (all consistent) beside an empty submissions card."""
    from consultation_data import ISSUE, make_rota, open_consulting

    make_rota(db)
    open_consulting(db, users["fc_qp"], days=3)
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = goto(sign_in(new_app(), "fc_qp", PASSWORD), "presentation.py")
    at.selectbox(key="pres_issue_date").select(ISSUE).run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "尚无可比对的相邻预报" in page and "无分歧" not in page
    # the submissions card names the district whole: at 1280 px it broke as "青浦" / "区"
    assert "<h3>各区县提交 · <span style='white-space:nowrap'>青浦区</span></h3>" in page
