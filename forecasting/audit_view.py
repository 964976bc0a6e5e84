"""Reading the audit trail and the users' activity (admin only).

Issue #18: actions in words in both languages (:func:`action_label`, keys ``audit18.action.*``),
filters by date, user, action and object (:func:`search_entries`), a formula-escaped CSV export
(:func:`entries_csv`), and per user the last sign-in, open sessions and API tokens
(:func:`user_activity`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import String, and_, cast, func, or_, select

from forecasting.textlimits import csv_safe

from forecasting import audit
from forecasting.accounts import current_actor
from forecasting.errors import ValidationError
from forecasting.i18n import has_key, t, table
from forecasting.permissions import Actor, require_role
from forecasting.store.db import Database
from forecasting.store.consultation import ConsultationSession, IssuedForecast
from forecasting.store.models import AuditEntry, AuthSession, District, User
from forecasting.store.reports import ApiToken
from forecasting.vocab import BEIJING, DISTRICT_ORDER, POLLUTANT_TEXT

__all__ = ["AuditRow", "recent_entries", "search_entries", "action_label", "details_text", "entries_csv",
           "csv_cell", "known_actions", "object_label", "row_object_label", "UserActivity", "user_activity", "MAX_ROWS", "MAX_FILTER_CHARS"]

#: The most rows one search returns (the page says when the list is cut).
MAX_ROWS = 5000
#: Longest filter text [characters].
MAX_FILTER_CHARS = 64


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    details: dict
    #: a consultation's or an issued forecast's issue date and revision ("2026-12-01", 1); else ("", 0)
    object_day: str = ""
    object_revision: int = 0
    #: an account's display name and login ("陈静", "qingpu_fc"); ("", "") for other objects and for an
    #: account that no longer exists (then named by its id)
    object_name: str = ""
    object_login: str = ""


#: Object types whose rows are read by their issue date and revision (their ids mean nothing to a reader).
_DATED_OBJECTS = {"consultation": ConsultationSession, "issued_forecast": IssuedForecast}


def _rows(s, entries) -> list[AuditRow]:
    """Audit rows, each consultation and issued forecast with its issue date and revision (one query per type),
    each account with its display name and login (one query for all of them)."""
    entries = list(entries)
    user_ids = {int(e.object_id) for e in entries if e.object_type == "user" and str(e.object_id).isdigit()}
    people = ({str(i): (name, login) for i, login, name in
               s.execute(select(User.id, User.username, User.display_name).where(User.id.in_(sorted(user_ids))))}
              if user_ids else {})
    dated: dict[tuple[str, str], tuple[str, int]] = {}
    for kind, model in _DATED_OBJECTS.items():
        ids = {int(e.object_id) for e in entries if e.object_type == kind and str(e.object_id).isdigit()}
        for chunk in (sorted(ids)[i:i + 500] for i in range(0, len(ids), 500)):
            for ident, day, revision in s.execute(select(model.id, model.issue_date, model.revision)
                                                  .where(model.id.in_(chunk))):
                dated[(kind, str(ident))] = (day.isoformat(), int(revision))
    return [AuditRow(e.id, e.at, e.actor_username, e.action, e.object_type, e.object_id, dict(e.details or {}),
                     *dated.get((e.object_type, str(e.object_id)), ("", 0)),
                     *(people.get(str(e.object_id), ("", "")) if e.object_type == "user" else ("", "")))
            for e in entries]


def recent_entries(db: Database, actor: Actor | None, *, limit: int = 200, action_prefix: str | None = None) -> list[AuditRow]:
    with db.read() as s:
        require_role(current_actor(s, actor, "read the audit trail"), "admin", action="read the audit trail")
        return _rows(s, audit.recent(s, limit=limit, action_prefix=action_prefix))


def _text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if len(value) > MAX_FILTER_CHARS:
        raise ValidationError(f"filter {name}: at most {MAX_FILTER_CHARS} characters", key="audit18.too_long",
                              field=name, limit=str(MAX_FILTER_CHARS))
    return value or None


def _contains(text: str) -> str:
    """A LIKE pattern (escape character ``!``) for ``text`` anywhere, its ``%`` and ``_`` taken as typed
    (``!``, not the backslash, which PostgreSQL's LIKE would take as its escape and JSON text holds).

    Examples
    --------
    >>> _contains("50%_max")
    '%50!%!_max%'
    """
    return "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def search_entries(db: Database, actor: Actor | None, *, first: date | None = None, last: date | None = None,
                   username: str | None = None, action: str | None = None, object_text: str | None = None,
                   limit: int = MAX_ROWS) -> list[AuditRow]:
    """Audit rows newest first, filtered (all filters optional, combined with AND).

    Parameters
    ----------
    first, last : date
        Beijing dates, both inclusive.
    username : str
        The actor: an exact user name, a display name (陈静: every user who has it), or both as the
        table writes them ("陈静（qp_chen）").
    action : str
        An action code (``login.success``) or a prefix ending in ``.`` or a family (``consult``).
    object_text : str
        Matches the object type or id (substring, case-insensitive); a text with a letter also matches
        the details, and a district's name the rows that name its adcode (青浦区); a part of a person's
        display name or login (陈静, QP_CHEN) finds the rows about their account and those that name their
        login. An account as the table writes it ("用户 陈静（qp_chen）") finds exactly that account's rows.
    """
    username, action, object_text = (_text("user", username), _text("action", action),
                                      _text("object", object_text))
    if first and last and last < first:
        raise ValidationError(f"audit filter: {last} is before {first}", key="common.dates_reversed",
                              first=str(first), last=str(last))
    # newest first by the time of the action (rows written later for an earlier time, as a bulk job
    # replaying a day does, sit where their time puts them), the write order within the same moment
    q = (select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
         .limit(max(1, min(int(limit), MAX_ROWS))))
    if first:
        q = q.where(AuditEntry.at >= datetime(first.year, first.month, first.day, tzinfo=BEIJING))
    if last:
        end = last + timedelta(days=1)
        q = q.where(AuditEntry.at < datetime(end.year, end.month, end.day, tzinfo=BEIJING))
    written = _NAME_AND_LOGIN.fullmatch(username) if username else None
    if written:  # "陈静（qp_chen）", copied from the table
        username = written.group(1).strip()
    if action:
        q = q.where(or_(AuditEntry.action == action, AuditEntry.action.startswith(action.rstrip(".") + ".")))
    person = _labelled_person(object_text) if object_text else None
    labelled = _labelled_object(object_text) if object_text and person is None else None
    if labelled is not None and labelled[0] in _DATED_OBJECTS and _DAY.fullmatch(labelled[1]):
        labelled = None  # "会商 2026-11-30", as the table names a consultation: by its day (_object_filter)
    if labelled is not None:  # "User 12" / "用户 12", as the table's object column writes it
        q = q.where(AuditEntry.object_type == labelled[0], AuditEntry.object_id == labelled[1])
    with db.read() as s:
        require_role(current_actor(s, actor, "read the audit trail"), "admin", action="read the audit trail")
        named = _accounts_named(s, person) if person is not None else []
        if named:  # "用户 陈静（qp_chen）" / "User Chen Jing (qp_chen)", as the object column writes an account
            q = q.where(AuditEntry.object_type == "user", AuditEntry.object_id.in_([str(i) for i in named]))
        elif object_text and labelled is None:
            q = q.where(_object_filter(s, object_text))
        if username:
            # a manager types the name the table shows (陈静), not only the login (qp_chen)
            logins = {username, *s.scalars(select(User.username).where(User.display_name == username))}
            q = q.where(AuditEntry.actor_username.in_(sorted(logins)))
        return _rows(s, s.scalars(q))


def _object_filter(s, text: str):
    """Rows whose object type or id holds ``text``, or (for a text with a letter) whose details do. The
    details keep codes: a district's or a person's name as the table writes it (青浦区, 陈静) also finds
    the rows that name the district's adcode or the person's login (a tour searched for 陈静 and 青浦区 and
    found nothing)."""
    like = _contains(text.lower())
    where = [func.lower(AuditEntry.object_type).like(like, escape="!"),
             func.lower(AuditEntry.object_id).like(like, escape="!")]
    found = _DAY.search(text)
    try:
        day = date.fromisoformat(found.group()) if found else None
    except ValueError:  # "2026-13-45": no day, nothing to look up
        day = None
    if day:  # "会商 2026-12-01", as the table names a consultation: its rows carry its id
        for kind, model in _DATED_OBJECTS.items():
            ids = [str(i) for i in s.scalars(select(model.id).where(model.issue_date == day))]
            if ids:
                where.append(and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_(ids)))
    if not any(ch.isalpha() for ch in text):  # never "1" in every JSON of the trail
        return or_(*where)
    details = func.lower(cast(AuditEntry.details, String))
    terms = {text.lower()}
    terms |= {f'"{code}"' for code in s.scalars(select(District.adcode).where(
        or_(District.name_zh.like(like, escape="!"), func.lower(District.name_en).like(like, escape="!"))))}
    # a person by a part of their name or login, whatever the case (a tour typed a manager's name and found nothing)
    people = list(s.execute(select(User.id, User.username).where(or_(
        func.lower(User.display_name).like(like, escape="!"), func.lower(User.username).like(like, escape="!")))))
    terms |= {f'"{login}"' for _, login in people}
    for term in sorted(terms):
        where.append(details.like(_contains(term), escape="!"))
        escaped = json.dumps(term)[1:-1] if not term.startswith('"') else term  # SQLite: 陈静 as "\u9648\u9759"
        if escaped != term:
            where.append(details.like(_contains(escaped), escape="!"))
    if people:  # the account itself: "用户 1"
        where.append(and_(AuditEntry.object_type == "user", AuditEntry.object_id.in_([str(i) for i, _ in people])))
    return or_(*where)


def _labelled_person(text: str) -> str | None:
    """The person in ``text`` when it is an account as :func:`object_label` writes it, in either language
    ("用户 陈静（qp_chen）" → "陈静（qp_chen）", "User Chen Jing" → "Chen Jing"); ``None`` for anything
    else, an account by its id ("User 12") included.

    Examples
    --------
    >>> _labelled_person("用户 陈静（qp_chen）"), _labelled_person("user Chen Jing (qp_chen)")
    ('陈静（qp_chen）', 'Chen Jing (qp_chen)')
    >>> _labelled_person("User 12"), _labelled_person("User"), _labelled_person("user.create")
    (None, None, None)
    """
    text = text.strip()
    for kind in t("audit18.object.user", "zh"), t("audit18.object.user", "en"):
        head, rest = text[:len(kind)], text[len(kind):]
        if head.lower() == kind.lower() and rest[:1].isspace():
            rest = rest.strip()
            return rest if rest and not rest.isdigit() else None
    return None


def _accounts_named(s, person: str) -> list[int]:
    """The ids of the accounts ``person`` names: "陈静（qp_chen）" the login in parentheses, else a part of a
    display name or login (case-insensitive)."""
    written = _NAME_AND_LOGIN.fullmatch(person)
    if written:
        return list(s.scalars(select(User.id).where(func.lower(User.username) == written.group(1).strip().lower())))
    like = _contains(person.lower())
    return list(s.scalars(select(User.id).where(or_(func.lower(User.display_name).like(like, escape="!"),
                                                    func.lower(User.username).like(like, escape="!")))))


def _labelled_object(text: str) -> tuple[str, str] | None:
    """``(object_type, object_id)`` when ``text`` is an object as :func:`object_label` writes it, in
    either language ("User 12", "用户 12"); else ``None``.

    Examples
    --------
    >>> _labelled_object("User 12"), _labelled_object("用户 12"), _labelled_object("12")
    (('user', '12'), ('user', '12'), None)
    """
    name, _, ident = text.strip().rpartition(" ")
    if not name or not ident:
        return None
    for key, pair in table().items():
        if key.startswith("audit18.object.") and name.strip().lower() in (pair[0].lower(), pair[1].lower()):
            return key.removeprefix("audit18.object."), ident
    return None


def known_actions(db: Database, actor: Actor | None) -> list[str]:
    """The action codes present in the trail, sorted."""
    with db.read() as s:
        require_role(current_actor(s, actor, "read the audit trail"), "admin", action="read the audit trail")
        return sorted(x for x in s.scalars(select(AuditEntry.action).distinct()) if x)


def action_label(action: str, lang: str = "zh") -> str:
    """The action in words (``login.success`` → "登录成功" / "Signed in"); unknown codes as themselves.

    Examples
    --------
    >>> action_label("login.success", "en"), action_label("made.up", "en")
    ('Signed in', 'made.up')
    """
    key = f"audit18.action.{action}"
    return t(key, lang) if has_key(key) else action


def object_label(object_type: str, object_id: str, lang: str = "zh", *, day: str = "", revision: int = 0,
                 name: str = "", login: str = "") -> str:
    """The object in words (``consultation 41`` → "会商 41"); unknown types as themselves. A consultation or
    an issued forecast with its issue ``day`` (and ``revision``) is named by them, as people name it; an
    account by its holder's display ``name`` and ``login`` (by its id only when the account is gone).

    Examples
    --------
    >>> object_label("issued_forecast", "40", "en"), object_label("", ""), object_label("thing", "1")
    ('Issued forecast 40', '', 'thing 1')
    >>> object_label("consultation", "61", "zh", day="2026-12-01", revision=1)
    '会商 2026-12-01（第 1 版）'
    >>> object_label("issued_forecast", "62", "en", day="2026-12-01", revision=2)
    'Issued forecast 2026-12-01 (revision 2)'
    >>> object_label("user", "7", "zh", name="陈静", login="qingpu_fc")
    '用户 陈静（qingpu_fc）'
    >>> object_label("user", "7", "en", name="Chen Jing", login="qingpu_fc")
    'User Chen Jing (qingpu_fc)'
    >>> object_label("user", "1", "en", name="admin", login="admin"), object_label("user", "9", "en")
    ('User admin', 'User 9')
    """
    key = f"audit18.object.{object_type}"
    kind = t(key, lang) if has_key(key) else object_type
    if day:
        return f"{kind} {day}" + (t("audit18.object_revision", lang, n=revision) if revision else "")
    if login:
        return (t("audit18.object_person", lang, kind=kind, name=name, login=login) if name and name != login
                else f"{kind} {login}")
    return f"{kind} {object_id}".strip()


def row_object_label(row: AuditRow, lang: str = "zh") -> str:
    """:func:`object_label` of an audit row, with what :func:`search_entries` read about its object."""
    return object_label(row.object_type, row.object_id, lang, day=row.object_day, revision=row.object_revision,
                        name=row.object_name, login=row.object_login)


#: Fields whose values are codes with words (``audit18.value.*``); a user name stays as it is.
_WORDED_FIELDS = frozenset({"seat", "role", "status", "reason", "kind", "via"})
#: Fields whose values are pollutant codes, shown as pollutants are written (pm25 → PM2.5).
_POLLUTANT_FIELDS = frozenset({"primary", "pollutant", "pollutants"})
#: Fields a ``user.update`` row stores as ``[old, new]``.
_CHANGED_FIELDS = frozenset({"role", "district", "display_name"})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: An actor as the table writes them: display name, then the user name in (full-width) parentheses.
_NAME_AND_LOGIN = re.compile(r".*[（(]([^（）()]+)[）)]\s*")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def _flag_words(text: str, names: dict[str, str], lang: str) -> str | None:
    """A flag or flag-group key (``range_disjoint:310118:330421:2026-11-22:2026-11-22``, or the flag's
    ``kind:day:a:b``) in words, or ``None`` when ``text`` is not one."""
    kind, _, rest = text.partition(":")
    if not rest or not has_key(f"flag.kind.{kind}"):
        return None
    parts = rest.split(":")
    days = sorted({p for p in parts if _DAY.fullmatch(p)})
    # a flag against the guidance has no second district (``guidance_far:day:a:``): no empty place
    places = t("common.list_sep", lang).join(names.get(p, p) for p in parts if p and not _DAY.fullmatch(p))
    when = days[0] if len(days) == 1 else t("audit18.date_span", lang, first=days[0], last=days[-1]) if days else ""
    return t("audit18.flag_where", lang, label=t(f"flag.kind.{kind}", lang), places=places, dates=when)


def details_text(details: dict, *, limit: int = 300, names: dict[str, str] | None = None,
                 lang: str | None = None) -> str:
    """The details as plain ``key: value`` pairs (no JSON braces), cut at ``limit`` characters; a value
    (or list item) found in ``names`` is shown by its name (the page passes the districts' names, so a
    reader sees 青浦区, not 310118).

    With ``lang`` the text is for people: field names, seats, roles and states in words, yes/no for
    true/false, "—" for none, instants in Beijing time (a model cycle as ``12Z``), flag keys as the flag's kind, districts and days; without it (the CSV export) the fields keep their codes.

    Examples
    --------
    >>> names = {"310118": "Qingpu", "320509": "Wujiang", "330421": "Jiashan"}
    >>> details_text({"district": "310118", "days": 7, "districts": ["320509", "330421"]}, names=names)
    'district: Qingpu; days: 7; districts: Wujiang, Jiashan'
    >>> details_text({"groups": ["range_disjoint:310118:330421:2026-11-22:2026-11-23"], "late": False},
    ...              names=names, lang="en")
    'flag groups: AQI ranges do not overlap (Qingpu, Jiashan, 2026-11-22 to 2026-11-23); late: No'
    >>> details_text({"cycle": "2026-11-29T12:00:00+00:00", "chief_absent_reason": ""}, lang="zh")
    '起报时次：2026-11-29 12Z；首席缺席原因：—'
    >>> details_text({"from": "2026-11-15T17:00:00+00:00"}, lang="en")
    'from: 2026-11-16 01:00'
    >>> details_text({"model": None, "files": ["a.nc"]})
    'model: ; files: a.nc'
    >>> details_text({"chosen": {"310118/pm25": "kalman_log", "310118/o3": "mos_ridge",
    ...                           "330421/pm25": "kalman_log"}}, names=names, lang="en")
    'chosen: log-ratio Kalman filter (multiplicative bias) [Qingpu PM2.5, Jiashan PM2.5], MOS ridge \
regression [Qingpu O₃]'
    >>> details_text({"role": ["forecaster", "manager"], "district": ["310118", None],
    ...               "display_name": ["Chen", "Chen Jing"]}, names=names, lang="en")
    'role: forecaster → manager; district: Qingpu → —; display name: Chen → Chen Jing'
    """
    names = names or {}
    details = dict(details or {})
    key, params = details.get("reason_key"), details.get("reason_params")
    if lang and isinstance(key, str) and has_key(key):  # a refusal recorded with its message key: in words
        details.pop("reason_key"), details.pop("reason_params", None)
        try:
            details["reason"] = t(key, lang, **(params if isinstance(params, dict) else {}))
        except (KeyError, IndexError, ValueError):  # a stored parameter missing from an older row
            pass
    sep = t("common.list_sep", lang) if lang else ", "
    codes = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b") if names else None

    def field(k) -> str:
        return t(f"audit18.key.{k}", lang) if lang and has_key(f"audit18.key.{k}") else word(k)

    def pairs(d: dict) -> str:
        return sep.join(f"{field(a)}={word(b, a)}" for a, b in d.items())

    def word(x, key=None) -> str:
        if isinstance(x, (list, tuple)):
            return sep.join(word(y, key) for y in x)
        if isinstance(x, dict):
            return f"（{pairs(x)}）" if lang == "zh" else f"({pairs(x)})"
        if lang and isinstance(x, bool):
            return t("common.yes" if x else "common.no", lang)
        if x is None or (lang and x == ""):
            return "—" if lang else ""  # never Python's "None" (the CSV export read "model: None")
        if not isinstance(x, str):
            return str(x)
        if lang and key in _WORDED_FIELDS and has_key(f"audit18.value.{x}"):
            return t(f"audit18.value.{x}", lang)
        if lang and key in _POLLUTANT_FIELDS and x in POLLUTANT_TEXT:
            return POLLUTANT_TEXT[x]
        if x in names:
            return names[x]
        if lang and x == "*":
            return t("audit18.every_kind", lang)
        flag = _flag_words(x, names, lang) if lang else None
        if flag is not None:
            return flag
        if lang and _INSTANT.fullmatch(x):  # an instant: Beijing time as in the time column; a model cycle as 12Z
            at = datetime.fromisoformat(x)
            return (at.astimezone(timezone.utc).strftime("%Y-%m-%d %HZ") if key == "cycle"
                    else at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"))
        return codes.sub(lambda m: names[m.group(1)], x) if codes is not None else x

    def value(k, v) -> str:
        if lang and k == "chosen" and isinstance(v, dict):
            return chosen(v)
        if isinstance(v, dict):
            return pairs(v)
        if k in _CHANGED_FIELDS and isinstance(v, (list, tuple)) and len(v) == 2:
            return f"{word(v[0], k)} → {word(v[1], k)}"  # a user's change: old → new, never a list
        return word(v, k)

    def chosen(v: dict) -> str:
        # a training's chosen methods ({"310118/pm25": "ensemble_mix", ...}): each method once, in words,
        # with the districts' pollutants it was chosen for ("青浦区/co=ensemble_mix" read as code)
        by_method: dict[str, list[str]] = {}
        for place, method in v.items():
            district, _, pollutant = str(place).partition("/")
            by_method.setdefault(str(method), []).append(
                f"{names.get(district, district)} {POLLUTANT_TEXT.get(pollutant, pollutant)}".strip())
        brackets = "【{}】" if lang == "zh" else " [{}]"  # a method's own name may hold parentheses
        named = {m: t(f"method.{m}", lang) if has_key(f"method.{m}") else m for m in by_method}
        return sep.join(named[m] + brackets.format(sep.join(places)) for m, places in by_method.items())

    colon = t("common.colon", lang) if lang else ": "  # 原因：密码错误 in Chinese, as every other label
    parts = [f"{field(k)}{colon}{value(k, v)}" for k, v in details.items()]
    text = (t("common.clause_sep", lang) if lang else "; ").join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP "CSV injection": a leading ``= + - @``,
    tab or carriage return gets an apostrophe).

    Examples
    --------
    >>> csv_cell("=HYPERLINK(1)"), csv_cell("@x"), csv_cell("ok"), csv_cell(None)
    ("'=HYPERLINK(1)", "'@x", 'ok', '')
    """
    return "" if value is None else csv_safe(str(value))


def entries_csv(rows: list[AuditRow], lang: str = "zh") -> bytes:
    """UTF-8 CSV (with BOM, for Excel) of audit rows: time (Beijing), user, action code, action in words,
    object, details in words (districts by name, as the screen shows them) and as recorded (the codes: the
    record, for machines as much as for people); every cell formula-escaped."""
    names = {adcode: t(f"district.{adcode}", lang) for adcode in DISTRICT_ORDER}  # as the screen shows them
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([t(k, lang) for k in ("audit.col_at", "audit.col_actor", "audit18.col_code", "audit.col_action",
                                     "audit.col_object", "audit.col_details", "audit18.col_details_recorded")])
    for r in rows:
        w.writerow([csv_cell(x) for x in (r.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"), r.actor_username,
                                          r.action, action_label(r.action, lang),
                                          row_object_label(r, lang),
                                          details_text(r.details, limit=4000, names=names, lang=lang),
                                          details_text(r.details, limit=4000))])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class UserActivity:
    """A user's sign-in activity: last successful sign-in, open sessions, active API tokens."""

    user_id: int
    last_sign_in: datetime | None
    open_sessions: int
    active_tokens: int


def user_activity(db: Database, actor: Actor | None) -> dict[int, UserActivity]:
    """Per user id (admin only): last sign-in (the newest ``login.success`` audit row), sessions not
    revoked, tokens not revoked."""
    with db.read() as s:
        require_role(current_actor(s, actor, "see the users' activity"), "admin", action="see the users' activity")
        last = dict(s.execute(select(AuditEntry.actor_id, func.max(AuditEntry.at))
                              .where(AuditEntry.action == "login.success", AuditEntry.actor_id.is_not(None))
                              .group_by(AuditEntry.actor_id)).all())
        sessions = dict(s.execute(select(AuthSession.user_id, func.count()).where(AuthSession.revoked_at.is_(None))
                                  .group_by(AuthSession.user_id)).all())
        tokens = dict(s.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                                .group_by(ApiToken.user_id)).all())
    ids = set(last) | set(sessions) | set(tokens)
    return {i: UserActivity(i, last.get(i), int(sessions.get(i, 0)), int(tokens.get(i, 0))) for i in ids}
