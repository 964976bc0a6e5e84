"""``python -m forecasting tokens create USERNAME [--name N] | revoke ID | list [--user USERNAME]``.

``create`` prints the new token once (on its own line: the only time it is shown); only its SHA-256
is stored. The operator at the command line acts as admin; every action is audited.
"""

from __future__ import annotations

from forecasting.cli import helptext, say
from forecasting.permissions import Actor


def _db():
    from forecasting.store.db import get_database

    return get_database()


def _create(args) -> int:
    from forecasting.tokens import create_token

    view, secret = create_token(_db(), Actor.system("cli"), args.username, name=args.name or "")
    say("cliout.tokens.created", id=view.id, username=view.username, prefix=view.prefix)
    print(secret)  # data, not prose: the token itself, alone on its line
    return 0


def _revoke(args) -> int:
    from forecasting.tokens import revoke_token

    view = revoke_token(_db(), Actor.system("cli"), args.id)
    say("cliout.tokens.revoked", id=view.id, username=view.username)
    return 0


def _list(args) -> int:
    from forecasting.tokens import list_tokens

    for t in list_tokens(_db(), Actor.system("cli"), username=args.user):
        state = "active" if t.active else f"revoked {t.revoked_at:%Y-%m-%d %H:%M}Z"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}Z" if t.last_used_at else "never"
        print(f"{t.id}\t{t.username}\t{t.prefix}…\t{state}\tlast used {used}\t{t.name}")  # data, not prose
    return 0


def register(sub) -> None:
    tokens = sub.add_parser("tokens", help=helptext("clihelp.tokens.help"))
    ts = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    p = ts.add_parser("create", help=helptext("clihelp.tokens.create.help"))
    p.add_argument("username", help=helptext("clihelp.tokens.create.username"))
    p.add_argument("--name", help=helptext("clihelp.tokens.create.name"))
    p.set_defaults(func=_create)
    p = ts.add_parser("revoke", help=helptext("clihelp.tokens.revoke.help"))
    p.add_argument("id", type=int, help=helptext("clihelp.tokens.revoke.id"))
    p.set_defaults(func=_revoke)
    p = ts.add_parser("list", help=helptext("clihelp.tokens.list.help"))
    p.add_argument("--user", help=helptext("clihelp.tokens.list.user"))
    p.set_defaults(func=_list)
