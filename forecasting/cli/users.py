"""``python -m forecasting users create-admin|add|disable|enable|reset-password|list``.

Passwords come from a prompt (twice) or, when standard input is not a terminal, from its first
line: never from arguments (they would land in shell history and ``ps``).
"""

from __future__ import annotations

import getpass
import sys

from forecasting.cli import CliError, helptext, result_text, say
from forecasting.i18n import t
from forecasting.permissions import Actor
from forecasting.vocab import district_by_adcode


def _read_password(prompt_twice: bool = True) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if prompt_twice and getpass.getpass("Repeat password: ") != first:
            raise CliError("the two passwords differ", key="cli.passwords_differ")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        raise CliError("no password on standard input (give it as the first line)", key="cli.no_password")
    return password


def _role(role: str) -> dict[str, str]:
    """A role as a result line names it: the code in English ("created admin …", as before), the app's word
    in Chinese ("系统管理员")."""
    return {"role": role, "role_zh": t(f"role.{role}", "zh")}


def _db():
    from forecasting.store.db import get_database

    return get_database()


def _create_admin(args) -> int:
    from forecasting import accounts

    user = accounts.create_user(_db(), Actor.system("cli"), username=args.username, password=_read_password(),
                                role="admin", display_name=args.name)
    say("cliout.users.created", **_role(user.role), username=user.username)
    return 0


def _add(args) -> int:
    from forecasting import accounts

    user = accounts.create_user(_db(), Actor.system("cli"), username=args.username, password=_read_password(),
                                role=args.role, district=args.district, display_name=args.name,
                                temporary=args.temporary)
    if user.district:  # English: "(青浦区 Qingpu)", read in either language; Chinese: "青浦区预报员"
        created = result_text("cliout.users.created_in", **_role(user.role), username=user.username,
                              district=district_by_adcode(user.district).both_names,
                              district_zh=t(f"district.{user.district}", "zh"))
    else:
        created = result_text("cliout.users.created", **_role(user.role), username=user.username)
    print(created + (result_text("cliout.users.first_sign_in") if args.temporary else ""))
    return 0


def _disable(args) -> int:
    from forecasting import accounts

    user = accounts.disable_user(_db(), Actor.system("cli"), args.username)
    say("cliout.users.disabled", username=user.username)
    return 0


def _enable(args) -> int:
    from forecasting import accounts

    user = accounts.enable_user(_db(), Actor.system("cli"), args.username)
    say("cliout.users.enabled", username=user.username)
    return 0


def _reset(args) -> int:
    from forecasting import accounts

    user = accounts.reset_password(_db(), Actor.system("cli"), args.username, _read_password(),
                                   temporary=args.temporary)
    print(result_text("cliout.users.password_reset", username=user.username)
          + (result_text("cliout.users.next_sign_in") if args.temporary else ""))
    return 0


def _list(args) -> int:
    from forecasting import accounts

    for u in accounts.list_users(_db(), Actor.system("cli")):
        state = "active" if u.is_active else "disabled"
        print(f"{u.username}\t{u.role}\t{u.district or '-'}\t{state}\t{u.display_name}")  # data, not prose
    return 0


def register(sub) -> None:
    users = sub.add_parser("users", help=helptext("clihelp.users.help"))
    us = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = us.add_parser("create-admin", help=helptext("clihelp.users.create_admin.help"))
    p.add_argument("username", help=helptext("clihelp.users.username"))
    p.add_argument("--name", help=helptext("clihelp.common.display_name"))
    p.set_defaults(func=_create_admin)
    p = us.add_parser("add", help=helptext("clihelp.users.add.help"))
    p.add_argument("username", help=helptext("clihelp.users.username"))
    p.add_argument("--role", required=True, choices=["forecaster", "manager", "admin"],
                   help=helptext("clihelp.users.add.role"))
    p.add_argument("--district", metavar="DISTRICT", help=helptext("clihelp.users.add.district"))
    p.add_argument("--name", help=helptext("clihelp.common.display_name"))
    p.add_argument("--temporary", action="store_true",
                   help=helptext("clihelp.common.temporary"))
    p.set_defaults(func=_add)
    p = us.add_parser("disable", help=helptext("clihelp.users.disable.help"))
    p.add_argument("username", help=helptext("clihelp.users.username"))
    p.set_defaults(func=_disable)
    p = us.add_parser("enable", help=helptext("clihelp.users.enable.help"))
    p.add_argument("username", help=helptext("clihelp.users.username"))
    p.set_defaults(func=_enable)
    p = us.add_parser("reset-password", help=helptext("clihelp.users.reset_password.help"))
    p.add_argument("username", help=helptext("clihelp.users.username"))
    p.add_argument("--temporary", action="store_true",
                   help=helptext("clihelp.common.temporary"))
    p.set_defaults(func=_reset)
    p = us.add_parser("list", help=helptext("clihelp.users.list.help"))
    p.set_defaults(func=_list)
