"""The page list for the signed-in user's role, built on every run (a page left out is the
only page hidden; the services check permissions anyway)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from forecasting.permissions import Actor
from ui.i18n import tr
from ui.state import SIGNED_OUT_HERE

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"

#: (file, title key, icon, roles allowed or None for everyone signed in, section)
PAGE_TABLE: list[tuple[str, str, str, tuple[str, ...] | None, str]] = [
    ("home.py", "nav.home", ":material/home:", None, "main"),
    ("consultation_room.py", "consult.nav_room", ":material/forum:", ("forecaster", "manager", "admin"), "main"),
    ("chief_desk.py", "consult.nav_desk", ":material/gavel:", ("forecaster",), "main"),
    ("rota.py", "rota.nav", ":material/calendar_month:", None, "main"),
    ("presentation.py", "pres17.nav_title", ":material/co_present:", None, "main"),
    ("data_desk.py", "dd20.nav", ":material/inventory:", None, "main"),
    ("model_guidance.py", "nav.model_guidance", ":material/grid_on:", None, "products"),
    ("district_forecast.py", "nav.district_forecast", ":material/query_stats:", None, "products"),
    ("reports.py", "report.nav", ":material/description:", None, "products"),
    ("verification.py", "verif.nav", ":material/fact_check:", None, "products"),
    ("api_tokens.py", "tokens.nav", ":material/key:", None, "me"),
    ("account.py", "nav.account", ":material/person:", None, "me"),
    ("admin_users.py", "nav.users", ":material/group:", ("admin",), "admin"),
    ("audit_log.py", "nav.audit", ":material/history:", ("admin",), "admin"),
]


def allowed_pages(actor: Actor | None) -> list[str]:
    """File names of the pages ``actor`` sees (tested without Streamlit running)."""
    if actor is None:
        return ["sign_in.py"]
    return [f for f, _k, _i, roles, _s in PAGE_TABLE if roles is None or actor.role in roles]


def _refusal(key: str, *, why: str = "nav.refused", to: tuple[str, str, str] = PAGE_TABLE[0][:3]):
    """A page's stand-in for a role that may not open it: its address answers in the user's language
    instead of Streamlit's English "Page not found" (the page's own script never runs). ``to``: the
    (file, title key, icon) of the page it links to."""

    def page() -> None:
        st.title(tr(key))
        st.warning(tr(why, page=tr(key)), icon=":material/block:")
        st.page_link(str(PAGES / to[0]), label=tr(to[1]), icon=to[2])

    return page


#: The one page of a user whose password an administrator set (``accounts.password_must_change``).
ACCOUNT_PAGE = "account.py"


def build(actor: Actor | None, *, must_change_password: bool = False):
    if actor is None:
        # every page's address leads to the sign-in (hidden): after signing in the same address opens the page
        hidden = [st.Page(str(PAGES / "sign_in.py"), title=tr("nav.sign_in"), url_path=Path(file).stem,
                          visibility="hidden") for file, *_ in PAGE_TABLE]
        start = st.Page(str(PAGES / "sign_in.py"), title=tr("nav.sign_in"), icon=":material/login:", default=True)
        current = st.navigation([start, *hidden], position="hidden")
        if st.session_state.pop(SIGNED_OUT_HERE, False) and current.url_path:
            # who signs in next in this tab starts at home, not on the page the last user left
            st.switch_page(start)
        return current
    if must_change_password:
        # their own password first: the account page alone, every other address says why (the services refuse
        # anything else too: accounts.current_actor)
        account = next(row for row in PAGE_TABLE if row[0] == ACCOUNT_PAGE)[:3]
        file, key, icon = account
        pages = [st.Page(str(PAGES / file), title=tr(key), icon=icon, default=True, url_path=Path(file).stem)]
        # every other page at its address; the home page at "/index" and "/home", as in the full list
        home_file, home_key = PAGE_TABLE[0][:2]
        addresses = [("index" if f == home_file else Path(f).stem, k) for f, k, *_ in PAGE_TABLE if f != ACCOUNT_PAGE]
        addresses.append((Path(home_file).stem, home_key))
        pages += [st.Page(_refusal(k, why="nav.must_change", to=account), title=tr(k), url_path=stem,
                          visibility="hidden") for stem, k in addresses]
        return st.navigation(pages, position="hidden")
    sections: dict[str, list] = {}
    allowed = set(allowed_pages(actor))
    for i, (file, key, icon, _roles, section) in enumerate(PAGE_TABLE):
        if file in allowed:
            # the home page is served at "/", and Streamlit reserves its file's name ("home") without serving
            # it: "/home" opened Streamlit's English "Page not found". The default page takes another name and
            # "/home" is a hidden page of the same script (below).
            page = st.Page(str(PAGES / file), title=tr(key), icon=icon, default=(i == 0),
                           **({"url_path": "index"} if i == 0 else {}))
        else:  # hidden, in the first section (a section of hidden pages only would still show its header)
            page = st.Page(_refusal(key), title=tr(key), icon=icon, url_path=Path(file).stem, visibility="hidden")
            section = PAGE_TABLE[0][4]
        sections.setdefault(tr(f"nav.section.{section}"), []).append(page)
    home_file, home_key, _icon, _roles, home_section = PAGE_TABLE[0]
    sections[tr(f"nav.section.{home_section}")].append(
        st.Page(str(PAGES / home_file), title=tr(home_key), url_path=Path(home_file).stem, visibility="hidden"))
    # expanded: every page of the role is listed (collapsed, Streamlit cut an admin's list with its own
    # English "View 3 more")
    return st.navigation(sections, expanded=True)
