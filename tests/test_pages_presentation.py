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
