"""Issue #15 items 10 and 16: a dead or locked database shows a translated, retryable message at
the page boundary (never Streamlit's crash page) and keeps what the user typed."""

from __future__ import annotations


from apptest_support import new_app, texts


def test_dead_database_shows_the_retry_message_and_keeps_the_input(monkeypatch):
    """Regression: the UI showed Streamlit's generic crash page ("Ask Google/ChatGPT")."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    at = new_app()
    at.run()
    assert not at.exception
    at.text_input(key="signin_username").input("fc_qp")
    at.text_input(key="signin_password").input("correct-horse-9")
    assert "数据库暂时不可用" in texts(at)  # already on the sign-in page (the demo check needs the database)
    submit = next(b for b in at.button if not str(b.key or "").startswith("_db_retry"))
    submit.click()
    at.run()
    assert not at.exception, at.exception
    assert "数据库暂时不可用" in texts(at)
    assert at.text_input(key="signin_username").value == "fc_qp"
