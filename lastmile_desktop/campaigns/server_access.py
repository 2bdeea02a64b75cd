"""A chain on one PostgreSQL server: setting it up, one login per store, and which store the
login in use works for.

``set_up_server`` brings the database to the current schema and installs the roles and the
row-level security of storage/server_roles.py, with the do-not-call rules of a member's life
(calling/life.py) that its triggers apply for stores a store's login cannot see.
``add_store_login`` makes a store's login. Both run with the owner's or a superuser's login.

On a store's login the database itself shows only that store's members, customers, attempts,
purchases and do-not-call entries; ``login_store`` tells the app which store that is, so that
it offers that store's managers as profiles and never the lead's (campaigns/profiles.py).
"""

from __future__ import annotations

import enum
import re
import secrets
import string
from dataclasses import dataclass, field

from sqlalchemy import URL, Connection, make_url
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import SUPPRESSIBLE_STATUSES, status_after_release
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.identities import DIGEST_KEY_SETTING
from lastmile_desktop.campaigns.stores import store_by_code
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database, connect, upgrade
from lastmile_desktop.storage.models import CampaignState, MemberGroup, MemberStatus
from lastmile_desktop.storage.server_roles import (
    LEAD_ROLE,
    LOGIN_NAME,
    STORE_ROLE,
    MemberRules,
    create_store_login,
    current_login,
    install_access,
    is_set_up,
    is_store_login,
    login_state,
    login_store_id,
    map_store_login,
    set_login_password,
    tables_owned_by_others,
)

GENERATED_PASSWORD_BYTES = 18  # 24 characters of letters, digits, "-" and "_"
MIN_PASSWORD_LENGTH = 12
NOT_SET_UP = (
    "This database is not set up for store logins yet: run `lastmile server init URL` "
    "with the owner's login first."
)


def member_rules() -> MemberRules:
    """The do-not-call rules the server's triggers apply, as calling/life.py defines them."""
    groups = (MemberGroup.HOLDOUT.value, MemberGroup.CALL.value, None)
    return MemberRules(
        suppressed=MemberStatus.SUPPRESSED.value,
        suppressible=tuple(status.value for status in SUPPRESSIBLE_STATUSES),
        open_campaign_state=CampaignState.OPEN.value,
        release={
            (group, called): status_after_release(group, 1 if called else 0).value
            for group in groups
            for called in (False, True)
        },
        private_settings=(DIGEST_KEY_SETTING,),
    )


def server_url(url: str | URL) -> URL:
    """A PostgreSQL URL as the app opens it ("postgresql://" means psycopg 3); anything else
    is refused with what to give instead."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise UserFacingError(
            "lastmile server works on a PostgreSQL server: give its URL, for example "
            "postgresql://postgres@db.example.org/lastmile"
        )
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@dataclass(frozen=True)
class ServerSetup:
    server: str  # the URL, password masked
    schema: str  # what migrating said
    schema_changed: bool
    roles_created: list[str] = field(default_factory=list)
    owner_made_lead: str | None = None  # the owner's login, when it was made a lead
    rules_installed: bool = False
    tables_without_rule: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            self.schema_changed
            or bool(self.roles_created)
            or self.owner_made_lead is not None
            or self.rules_installed
        )

    def describe(self) -> list[str]:
        if not self.changed:
            lines = [f"{self.server} is already set up for a chain: nothing changed."]
        else:
            lines = [f"Set up {self.server} for a chain:", f"- {self.schema}"]
            if self.roles_created:
                lines.append(f"- created the roles {', '.join(self.roles_created)}")
            if self.owner_made_lead is not None:
                lines.append(f"- {self.owner_made_lead} may now do everything a lead does")
            if self.rules_installed:
                lines.append("- installed the access rules (row-level security) for stores")
            lines.append("Next: one login per store with `lastmile server add-store-login CODE`.")
        if self.tables_without_rule:
            lines.append(
                "Only the lead's logins see these tables, which have no rule for stores yet: "
                + ", ".join(self.tables_without_rule)
            )
        return lines


def _check_may_administer(connection: Connection, what: str) -> None:
    login = current_login(connection)
    if login.superuser:
        return
    if not login.may_create_roles:
        raise UserFacingError(
            f"{login.name} may not create roles, so it cannot {what}: use the login of the "
            "database's owner (with CREATEROLE) or of a superuser such as postgres."
        )
    others = tables_owned_by_others(connection)
    if others:
        owner = sorted(set(others.values()))[0]
        raise UserFacingError(
            f"The tables belong to {owner}, not {login.name}, so {login.name} cannot {what}: "
            f"use {owner}'s login or a superuser's."
        )


def set_up_server(url: str | URL) -> ServerSetup:
    """Create or upgrade the schema, then the roles and the access rules; idempotent."""
    parsed = server_url(url)
    db = connect(parsed)
    try:
        with db.engine.connect() as connection:
            _check_may_administer(connection, "set up the server")
        migration = upgrade(db)
        with db.engine.begin() as connection:
            report = install_access(connection, member_rules())
            owner = current_login(connection).name if report.owner_made_lead else None
    finally:
        db.dispose()
    return ServerSetup(
        server=parsed.render_as_string(hide_password=True),
        schema=migration.describe(),
        schema_changed=migration.changed,
        roles_created=report.roles_created,
        owner_made_lead=owner,
        rules_installed=report.rules_installed,
        tables_without_rule=report.tables_without_rule,
    )


class LoginOutcome(enum.StrEnum):
    CREATED = "created"  # a new login, with its password
    MAPPED = "mapped"  # a store login of this server, now also working on this database
    PASSWORD_CHANGED = "password_changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class StoreLogin:
    login: str
    store_code: str
    store_name: str
    outcome: LoginOutcome
    # A password made here, to be shown this once; None when given or left as it was.
    generated_password: str | None = None

    def describe(self) -> str:
        store = f"store {self.store_code} ({self.store_name})"
        match self.outcome:
            case LoginOutcome.CREATED:
                said = f"Created the login {self.login} for {store}."
            case LoginOutcome.MAPPED:
                said = f"The login {self.login} now works for {store} on this database too."
            case LoginOutcome.PASSWORD_CHANGED:
                said = f"Changed the password of {self.login}, the login of {store}."
            case LoginOutcome.UNCHANGED:
                return (
                    f"{self.login} is already the login of {store}: nothing changed. "
                    "To change its password give --password, or --new-password to have one made."
                )
        if self.generated_password is not None:
            said += (
                f"\nIts password: {self.generated_password}\nIt is shown this once only: "
                "give it to the store now (the database keeps only a hash of it)."
            )
        return said


def default_login(code: str) -> str:
    """``store_<code>``, lower-cased, with anything but letters and digits made "_"."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", code.strip().lower()).strip("_")
    return f"store_{cleaned}"[:63]


def _check_login(login: str) -> str:
    if not LOGIN_NAME.fullmatch(login) or login.startswith("pg_"):
        raise UserFacingError(
            f'"{login}" cannot be a login name: use up to 63 lower-case letters, digits and '
            '"_", starting with a letter (for example store_12).'
        )
    if login in (LEAD_ROLE, STORE_ROLE):
        raise UserFacingError(f"{login} is the name of a group role: choose another login name.")
    return login


def _check_password(password: str) -> str:
    allowed = set(string.ascii_letters + string.digits + string.punctuation)
    if len(password) < MIN_PASSWORD_LENGTH or not set(password) <= allowed:
        raise UserFacingError(
            f"Give a password of at least {MIN_PASSWORD_LENGTH} characters (letters, digits and "
            "punctuation, no spaces or accents), or leave --password out to have one made."
        )
    return password


def new_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def add_store_login(
    url: str | URL,
    store_code: str,
    *,
    login: str | None = None,
    password: str | None = None,
    new_password_wanted: bool = False,
) -> StoreLogin:
    """The login of a store: created with a password (``password``, else one made here and
    returned once), or, for a store's existing login, left as it is unless a new password is
    asked for. A login of another store, or any other role of that name, is refused."""
    name = _check_login(login.strip() if login is not None else default_login(store_code))
    given = _check_password(password) if password is not None else None
    db = connect(server_url(url))
    try:
        with db.engine.begin() as connection:
            if not is_set_up(connection):
                raise UserFacingError(NOT_SET_UP)
            _check_may_administer(connection, "add store logins")
            with Session(bind=connection) as session:
                store = store_by_code(session, store_code)
                store_id, code, store_name = store.id, store.code, store.name
            state = login_state(connection, name)
            if not state.exists:
                chosen = given or new_password()
                create_store_login(connection, name, store_id, chosen)
                made = None if given else chosen
                return StoreLogin(name, code, store_name, LoginOutcome.CREATED, made)
            if state.superuser or state.lead_member or not state.store_member:
                raise UserFacingError(
                    f"{name} is already a role on this server and not a store's login: choose "
                    "another name with --login."
                )
            if state.store_id is not None and state.store_id != store_id:
                raise UserFacingError(
                    f"{name} is already the login of another store here: choose another name "
                    "with --login."
                )
            made = new_password() if new_password_wanted and given is None else None
            changed = given if given is not None else made
            if changed is not None:
                set_login_password(connection, name, changed)
            if state.store_id is None:
                map_store_login(connection, name, store_id)
                outcome = LoginOutcome.MAPPED
            elif changed is not None:
                outcome = LoginOutcome.PASSWORD_CHANGED
            else:
                outcome = LoginOutcome.UNCHANGED
            return StoreLogin(name, code, store_name, outcome, made)
    finally:
        db.dispose()


NO_STORE_FOR_LOGIN = (
    "This login ({login}) is a store's login but no store is given to it on this database: "
    "ask the regional lead to run `lastmile server add-store-login CODE --login {login}`."
)


def login_store(db: Database) -> int | None:
    """The store the database's login works for: None for the lead's (and on SQLite).

    A login of the stores' role that no store is given to is refused: it sees nothing.
    """
    with db.read_session() as session:
        connection = session.connection()
        if not is_store_login(connection):
            return None
        store = login_store_id(connection)
    if store is None:
        raise AccessDenied(NO_STORE_FOR_LOGIN.format(login=db.url.username or "?"))
    return store
