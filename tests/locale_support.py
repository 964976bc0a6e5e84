"""The terminal's language for command-line tests run in this process (``forecasting.cli.main``)."""

from __future__ import annotations

#: What the command line reads, in the order POSIX gives them precedence.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def terminal_locale(monkeypatch, value: str) -> None:
    """Run the rest of the test as in a terminal whose locale is ``value`` ("zh_CN.UTF-8", "C.UTF-8"):
    the machine's own LC_ALL and LC_MESSAGES, which would win over LANG, are cleared."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", value)
