"""``dossier serve``: argument parsing and start-up checks; the servers do the rest.

dossier serve [PATH] [--host 127.0.0.1] [--port 2222] [--host-key FILE]
              [--authorized-keys FILE] [--allow-anonymous] [--max-sessions 32]
              [--idle-timeout 900] ...          the explorer over SSH
dossier serve --web [PATH] [--port 8000] ...    the explorer in a browser (textual-serve)

Every problem found before serving (a bad dossier, an open bind without keys, an
unreadable key file, a port in use) is one clear line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TextIO

import platformdirs

from ..cliargs import add_diff_options, add_load_options
from ..content import check_dossier, default_dossier
from ..content.bundled import dossiers_in
from ..content.text import clean_text, printable_path
from .config import (
    DEFAULT_HOST,
    DEFAULT_SSH_PORT,
    DEFAULT_WEB_PORT,
    AppCommand,
    Limits,
    ProxyProtocol,
    ServeSettings,
    is_loopback,
)
from .flags import LIMIT_FLAGS
from .proxy import network

PROG = "dossier serve"
MAX_SHOWN_PROBLEMS = 10
_DEFAULTS = Limits()


class ServeError(Exception):
    """A reason not to start serving, worded for the user."""

    exit_code = 1


class UsageError(ServeError):
    """Options that must not be combined, or an open bind with no login."""

    exit_code = 2


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier serve``'s arguments."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve the dossier explorer over SSH (or, with --web, to browsers): "
        "each user gets their own copy of the app, and nothing else of this machine.",
        epilog="Users connect with: ssh -p PORT HOST. Without --authorized-keys anyone who "
        "can reach the port gets in, which is why only 127.0.0.1 is served by default.",
    )
    parser.add_argument(
        "path", nargs="?", type=Path, help="a dossier folder or file (default: the bundled one)"
    )
    where = parser.add_argument_group("where")
    where.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    where.add_argument(
        "--port",
        type=_port,
        help=f"port to listen on (default {DEFAULT_SSH_PORT}, or {DEFAULT_WEB_PORT} with "
        "--web; 0 picks a free one)",
    )
    where.add_argument(
        "--web", action="store_true", help="serve browsers over HTTP (textual-serve) instead"
    )
    where.add_argument(
        "--public-url",
        metavar="URL",
        help="with --web: the address browsers use to reach this server (default http://HOST:PORT)",
    )
    where.add_argument(
        "--proxy-protocol",
        action="store_true",
        help="SSH behind a proxy: a PROXY header (v1/v2, HAProxy's send-proxy-v2) comes first",
    )
    where.add_argument(
        "--trusted-proxy",
        type=network,
        action="append",
        metavar="CIDR",
        help="a proxy whose PROXY headers are believed (repeatable); others are closed",
    )
    who = parser.add_argument_group("who")
    who.add_argument(
        "--host-key",
        type=Path,
        metavar="FILE",
        help="SSH host key (created there if missing; default: one kept in your data folder)",
    )
    who.add_argument(
        "--authorized-keys",
        type=Path,
        metavar="FILE",
        help="only these public keys may log in (OpenSSH authorized_keys format)",
    )
    who.add_argument(
        "--allow-anonymous",
        action="store_true",
        help="allow anyone to connect when listening beyond this machine",
    )
    room = parser.add_argument_group("presenter mode")
    room.add_argument(
        "--present",
        action="store_true",
        help="present from this terminal: it runs your explorer, and every session follows "
        "it (F: explore alone, F again: follow)",
    )
    room.add_argument(
        "--presenter-keys",
        type=Path,
        metavar="FILE",
        help="SSH users with a key in FILE (authorized_keys format) may present: the first "
        "to log in does, the others when the role is free",
    )
    limits = parser.add_argument_group("limits")
    for flag in LIMIT_FLAGS:
        default = getattr(_DEFAULTS, flag.field)
        limits.add_argument(
            "--" + flag.field.replace("_", "-"),
            type=flag.parse,
            default=default,
            metavar=flag.metavar,
            help=flag.help.format(default=flag.shown(default)),
        )
    app = parser.add_argument_group("the app")
    add_load_options(app)
    add_diff_options(app, "every session marks what changed")
    app.add_argument(
        "--no-prefork",
        dest="prefork",
        action="store_false",
        help="start each session as a program of its own, instead of forking it from a "
        "process that has loaded the dossier once (slower, more memory)",
    )
    return parser


def check_path(path: Path, args: argparse.Namespace) -> None:
    """Refuse to serve a dossier that would only show every user an error (or, in diff
    mode, an older version that cannot be compared with)."""
    if not path.exists():
        raise ServeError(f"no such dossier: {printable_path(path)}")
    diff_mode = args.diff is not None or args.diff_git is not None
    if dossiers_in(path):
        if diff_mode:
            raise UsageError("diff mode compares one dossier, and this folder holds several")
        return  # a folder of dossiers: each user picks one, and problems show in the app
    result = check_dossier(path, use_cache=not args.no_cache, max_file_size=args.max_file_size)
    if result.dossier is None:
        for diagnostic in result.diagnostics[:MAX_SHOWN_PROBLEMS]:
            print(clean_text(str(diagnostic)), file=sys.stderr)
        raise ServeError(
            f"cannot serve {printable_path(path)}: it has {len(result.errors)} error(s)"
        )
    if diff_mode:
        from ..cli import PreparedExplorer, older_version

        older = older_version(path, args)
        if isinstance(older, PreparedExplorer):
            older.run()  # (prints why, as the explorer would)
            raise ServeError(f"cannot serve {printable_path(path)} in diff mode")


def check_access(args: argparse.Namespace) -> None:
    """The bind-and-login rules: open binds need keys, or an explicit --allow-anonymous."""
    if args.web and args.authorized_keys is not None:
        raise UsageError("--authorized-keys is for SSH; browsers (--web) have no login")
    if args.web and args.host_key is not None:
        raise UsageError("--host-key is for SSH; it means nothing with --web")
    if args.public_url is not None and not args.web:
        raise UsageError("--public-url is for --web only")
    if args.web and args.presenter_keys is not None:
        raise UsageError("--presenter-keys is for SSH; browsers (--web) have no keys")
    if args.proxy_protocol and args.web:
        raise UsageError("--proxy-protocol is for SSH; it cannot be used with --web")
    if bool(args.proxy_protocol) != bool(args.trusted_proxy):
        raise UsageError("--proxy-protocol needs --trusted-proxy CIDR, and the other way round")
    if is_loopback(args.host):
        return
    if args.authorized_keys is None and not args.allow_anonymous:
        login = "has no login" if args.web else "lets anyone in without --authorized-keys FILE"
        raise UsageError(
            f"refusing to listen on {args.host}: serving beyond this machine {login}; "
            "add --allow-anonymous if that is what you want"
        )
    if args.authorized_keys is None:
        print(
            f"{PROG}: warning: anyone who can reach {args.host} can connect, with no login "
            "(--allow-anonymous)",
            file=sys.stderr,
        )


def check_authorized_keys(path: Path) -> None:
    """Read the keys file once now, so that a mistake is reported before serving."""
    import asyncssh

    try:
        asyncssh.read_authorized_keys(str(path))
    except OSError as error:
        raise ServeError(f"cannot read {printable_path(path)}: {error.strerror or error}") from None
    except ValueError as error:
        raise ServeError(
            f"{printable_path(path)} is not an authorized_keys file: {error}"
        ) from None


def settings_from(args: argparse.Namespace) -> ServeSettings:
    """The servers' settings from parsed, checked arguments."""
    path: Path = (args.path or default_dossier()).resolve()
    # Each limit's flag has the field's name (--max-sessions: max_sessions); the few
    # without a flag keep their default.
    limits = Limits(
        **{f.name: getattr(args, f.name) for f in fields(Limits) if hasattr(args, f.name)}
    )
    return ServeSettings(
        app=AppCommand(
            path=path,
            max_file_size=args.max_file_size,
            no_cache=args.no_cache,
            diff=args.diff.resolve() if args.diff is not None else None,
            diff_git=args.diff_git,
        ),
        host=args.host.strip("[]"),
        port=args.port
        if args.port is not None
        else (DEFAULT_WEB_PORT if args.web else DEFAULT_SSH_PORT),
        limits=limits,
        host_key=args.host_key,
        authorized_keys=args.authorized_keys.resolve() if args.authorized_keys else None,
        home=Path(platformdirs.user_cache_dir("dossier", appauthor=False)) / "serve",
        public_url=args.public_url,
        proxy=ProxyProtocol(tuple(args.trusted_proxy)) if args.proxy_protocol else None,
        prefork=args.prefork,
        present=args.present,
        presenter_keys=args.presenter_keys.resolve() if args.presenter_keys else None,
    )


def check_presenter_keys(settings: ServeSettings) -> None:
    if settings.presenter_keys is not None:
        from .presenters import PresenterKeysError, read_presenter_keys

        try:
            read_presenter_keys(settings.presenter_keys)
        except PresenterKeysError as error:
            raise ServeError(str(error)) from None


@contextlib.contextmanager
def presenting_log(settings: ServeSettings) -> Iterator[TextIO]:
    """With --present the terminal shows the explorer: the server's log goes to a file."""
    from .child import prepare_home
    from .present import can_present_here, log_path

    if not can_present_here():
        raise UsageError("--present needs a terminal: run it in one (or use --presenter-keys)")
    assert settings.home is not None
    path = log_path(prepare_home(settings.home))
    print(f"{PROG}: presenting on this terminal; the server's log is in {path}", file=sys.stderr)
    with path.open("a", encoding="utf-8") as log:
        yield log


def _missing(package: str, spec: str) -> str:
    return f"{package} is not installed; install it with: pip install '{spec}'"


def run(args: argparse.Namespace) -> int:
    check_access(args)
    check_path((args.path or default_dossier()), args)
    settings = settings_from(args)
    assert settings.home is not None
    if args.web:
        try:
            from .child import prepare_home
            from .web import serve_web
        except ImportError:
            raise ServeError(_missing("textual-serve", "textual-serve>=1.1.1,<2")) from None
        try:
            if not settings.present:
                return serve_web(settings, prepare_home(settings.home))
            with presenting_log(settings) as log:
                return serve_web(settings, prepare_home(settings.home), log)
        except OSError as error:
            raise _cannot_listen(settings, error) from None
    try:
        from .hostkey import HostKeyError
        from .ssh import serve_ssh
    except ImportError:
        raise ServeError(_missing("asyncssh", "asyncssh>=2.14,<3")) from None
    if settings.authorized_keys is not None:
        check_authorized_keys(settings.authorized_keys)
    check_presenter_keys(settings)
    try:
        if not settings.present:
            return asyncio.run(serve_ssh(settings, settings.home))
        with presenting_log(settings) as log:
            return asyncio.run(serve_ssh(settings, settings.home, log))
    except HostKeyError as error:
        raise ServeError(str(error)) from None
    except OSError as error:
        raise _cannot_listen(settings, error) from None


def _cannot_listen(settings: ServeSettings, error: OSError) -> ServeError:
    return ServeError(
        f"cannot listen on {settings.host} port {settings.port}: {error.strerror or error}"
    )


def main(argv: Sequence[str]) -> int:
    """``dossier serve ...``: 0 after a clean stop, 1 when serving failed, 2 on bad usage."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    try:
        return run(args)
    except ServeError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
