"""A chain's server: the lead's and the stores' roles, one login per store, and the row-level
security that lets a store's login read and change only its own store's data. PostgreSQL only.

Two group roles: ``lastmile_lead`` reads and changes everything; ``lastmile_store`` is what
every store's login belongs to. Which store a login works for is a row of ``store_logins``
(login, store); ``lastmile_login_store()`` reads it for the login running the statement, and
every policy compares against it. Each table's rule for stores is in ``store_access``: the
rows a store reads, inserts, updates and deletes, as SQL conditions. Tables with store data
are ENABLEd and FORCEd (an owner who is not a superuser is held to the policies too, and is
made a lead for that). A table no rule names is the lead's alone until one does.

The do-not-call list is one for the whole chain: a store's entry suppresses the customer at
every store, yet a store reads only the entries it added and those that match its own
customers. The app suppresses (and, when its outcome is undone, releases) the members it can
see, as everywhere; on the server a trigger finishes the job for the stores it cannot see,
through ``lastmile_dnc_elsewhere``, a SECURITY DEFINER function that only ever applies what
an entry says. So a store's desk, whose queue leaves out suppressed members, never shows a
customer another store put on the list.

``install_access`` writes all of it in the caller's transaction and marks the database with
a fingerprint of what it wrote: run again with nothing new, it writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy.engine import ExceptionContext

from lastmile_desktop.errors import UserFacingError

LEAD_ROLE = "lastmile_lead"
STORE_ROLE = "lastmile_store"
LOGINS_TABLE = "store_logins"
POLICY_PREFIX = "lastmile_"
RULES_MARK = "Last Mile access rules "
# The store of the login running the statement. As a sub-select it is looked up once per
# statement (an InitPlan), so the conditions compare store_id with a constant and use indexes.
HERE = "(SELECT lastmile_login_store())"
# Tables that are the migration tool's, not the app's: every login reads them.
READ_BY_ALL = ("alembic_version",)
LOGIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SCRAM_ITERATIONS = 4096


@dataclass(frozen=True)
class MemberRules:
    """What a member's life says about the do-not-call list, handed down by the module that
    defines it (calling/life.py): the status a suppressed member takes, the statuses the list
    takes members out of, and where a member goes back to when the entry is lifted, by group
    and whether it was called (``status_after_release``)."""

    suppressed: str
    suppressible: tuple[str, ...]
    open_campaign_state: str
    release: Mapping[tuple[str | None, bool], str]
    # Settings a store may not read (the key behind the forgotten customers' digests).
    private_settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreAccess:
    """What a store's login may do with a table's rows: SQL conditions over the row, None
    where it may not do that at all (a store still SELECTs, and sees no rows)."""

    read: str | None = None
    insert: str | None = None
    update: str | None = None
    update_check: str | None = None  # what the row may become; default: ``update``
    delete: str | None = None
    update_columns: tuple[str, ...] = ()  # only these columns, when given


@dataclass(frozen=True)
class AccessReport:
    roles_created: list[str] = field(default_factory=list)
    owner_made_lead: bool = False
    rules_installed: bool = False
    tables_without_rule: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.roles_created or self.owner_made_lead or self.rules_installed)


def _member_here(table: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM campaign_members m "
        f"WHERE m.id = {table}.member_id AND m.store_id = {HERE})"
    )


def _customer_here(table: str, column: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM campaign_members m "
        f"WHERE m.customer_id = {table}.{column} AND m.store_id = {HERE})"
    )


def _own_customers(column: str, *, lateral: str = "") -> str:
    """``column`` of the store's customers: a sub-select the planner hashes once per
    statement (a condition per do-not-call entry would cost an index probe per entry)."""
    return (
        f"SELECT {column} FROM customers c JOIN campaign_members m ON m.customer_id = c.id "
        f"{lateral}WHERE m.store_id = {HERE}"
    )


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(_literal(value) for value in values)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def store_access(rules: MemberRules) -> dict[str, StoreAccess]:
    """Every table's rule for stores. A store works on its own store's members (and hands
    them back to the lead's Unassigned bucket, whose member rows it may therefore read: no
    names or phones there, those stay in customers), their customers, attempts and days."""
    attempt_ok = (
        f"store_id = {HERE} AND {_member_here('call_attempts')} AND (manager_id IS NULL OR "
        "EXISTS (SELECT 1 FROM managers g WHERE g.id = call_attempts.manager_id "
        f"AND g.store_id = {HERE}))"
    )
    own_dnc = f"added_by_store_id = {HERE}"
    settings = "true"
    if rules.private_settings:
        settings = f"key NOT IN ({_sql_list(rules.private_settings)})"
    return {
        "stores": StoreAccess(
            read="true",
            update=f"id = {HERE}",
            update_columns=("name", "timezone", "opening_hours"),
        ),
        "managers": StoreAccess(read=f"store_id = {HERE}"),
        "campaigns": StoreAccess(read="true"),
        # The desk gives a campaign made without the editor its first script version.
        "script_versions": StoreAccess(read="true", insert="true"),
        "customers": StoreAccess(
            read=_customer_here("customers", "id"), update=_customer_here("customers", "id")
        ),
        "campaign_members": StoreAccess(
            read=f"store_id = {HERE} OR store_id IS NULL",
            update=f"store_id = {HERE}",
            update_check=f"store_id = {HERE} OR store_id IS NULL",
        ),
        "member_days": StoreAccess(
            read=_member_here("member_days"),
            insert=_member_here("member_days"),
            update=_member_here("member_days"),
            delete=_member_here("member_days"),
        ),
        "assignment_changes": StoreAccess(
            read=(
                f"from_store_id = {HERE} OR to_store_id = {HERE} OR "
                + _member_here("assignment_changes")
            ),
            insert=(
                f"from_store_id = {HERE} AND EXISTS (SELECT 1 FROM campaign_members m WHERE "
                f"m.id = assignment_changes.member_id AND (m.store_id = {HERE} "
                "OR m.store_id IS NULL))"
            ),
        ),
        "call_attempts": StoreAccess(
            read=f"store_id = {HERE} OR {_member_here('call_attempts')}",
            insert=attempt_ok,
            update=f"store_id = {HERE}",
            update_check=attempt_ok,
            delete=f"store_id = {HERE}",
        ),
        # Ids compare trimmed and case-blind, as campaigns.access.dnc_visibility compares them.
        "do_not_call": StoreAccess(
            read=(
                f"{own_dnc} OR phone IN ("
                + _own_customers(
                    "p", lateral="CROSS JOIN LATERAL (VALUES (c.phone), (c.phone_alt)) v (p) "
                )
                + ") OR lower(btrim(customer_external_id)) IN "
                f"({_own_customers('lower(btrim(c.external_id))')})"
            ),
            insert=own_dnc,
            update=own_dnc,
        ),
        # A desk's claim on the customer it shows: its own store's members only.
        "member_claims": StoreAccess(
            read=_member_here("member_claims"),
            insert=_member_here("member_claims"),
            update=_member_here("member_claims"),
            delete=_member_here("member_claims"),
        ),
        # The leaderboard's counts per store, moved by the store's own calls and hand-backs.
        "store_tallies": StoreAccess(
            read=f"store_id = {HERE}",
            insert=f"store_id = {HERE}",
            update=f"store_id = {HERE}",
            delete=f"store_id = {HERE}",
        ),
        "purchases": StoreAccess(
            read=f"store_id = {HERE} OR {_customer_here('purchases', 'customer_id')}"
        ),
        "settings": StoreAccess(read=settings),
        "import_batches": StoreAccess(read="true"),
        # Which store a rejected row names is read from its text in Python (importing/
        # rejects.py), not something a policy can compare: on a server they are the lead's.
        "rejected_rows": StoreAccess(),
        "saved_mappings": StoreAccess(),
        "erased_identities": StoreAccess(),
        LOGINS_TABLE: StoreAccess(read="login = current_user::text"),
    }


# Indexes the policies' look-ups need beyond the app's own, both answered from the index
# alone: a store's members and their customers (the app's indexes on campaign_members lead
# with the campaign), and whether a customer is a member at a given store.
POLICY_INDEXES = {
    "ix_server_members_store": "campaign_members (store_id, id, customer_id)",
    "ix_server_members_customer": "campaign_members (customer_id, store_id)",
}


def _functions(schema: str, rules: MemberRules) -> list[str]:
    path = f"SET search_path = {_identifier(schema)}, pg_temp"
    matches = (
        "((d.phone IS NOT NULL AND (c.phone = d.phone OR c.phone_alt = d.phone)) OR "
        "(d.customer_external_id IS NOT NULL AND "
        "lower(btrim(c.external_id)) = lower(btrim(d.customer_external_id))))"
    )
    still_listed = (
        "EXISTS (SELECT 1 FROM do_not_call o WHERE o.removed_at IS NULL AND ("
        "o.phone IN (c.phone, c.phone_alt) OR "
        "lower(btrim(o.customer_external_id)) = lower(btrim(c.external_id))))"
    )
    open_campaigns = f"SELECT id FROM campaigns WHERE state = {_literal(rules.open_campaign_state)}"
    return [
        f"""CREATE TABLE IF NOT EXISTS {LOGINS_TABLE} (
            login text PRIMARY KEY,
            store_id integer NOT NULL REFERENCES stores (id),
            added_at timestamp with time zone NOT NULL DEFAULT now()
        )""",
        # search_path is fixed in every function: a login's temporary table of the same name
        # must never stand in for the real one.
        f"""CREATE OR REPLACE FUNCTION lastmile_login_store() RETURNS integer
        LANGUAGE sql STABLE {path}
        AS $$ SELECT store_id FROM {LOGINS_TABLE} WHERE login = current_user::text $$""",
        f"""CREATE OR REPLACE FUNCTION lastmile_dnc_elsewhere(entry integer) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER {path}
        AS $$
        DECLARE
            d record;
        BEGIN
            SELECT * INTO d FROM do_not_call WHERE id = entry;
            IF NOT FOUND OR d.added_by_store_id IS NULL THEN
                RETURN;
            END IF;
            IF d.removed_at IS NULL THEN
                UPDATE campaign_members m
                SET status = {_literal(rules.suppressed)}, version = m.version + 1
                FROM customers c
                WHERE c.id = m.customer_id AND {matches}
                  AND m.store_id IS DISTINCT FROM d.added_by_store_id
                  AND m.status IN ({_sql_list(rules.suppressible)})
                  AND m.campaign_id IN ({open_campaigns});
            ELSE
                UPDATE campaign_members m
                SET status = {_release_case(rules)}, version = m.version + 1
                FROM customers c
                WHERE c.id = m.customer_id AND {matches}
                  AND m.store_id IS DISTINCT FROM d.added_by_store_id
                  AND m.status = {_literal(rules.suppressed)}
                  AND m.campaign_id IN ({open_campaigns})
                  AND NOT {still_listed};
            END IF;
        END;
        $$""",
        f"""CREATE OR REPLACE FUNCTION lastmile_dnc_from_store() RETURNS trigger
        LANGUAGE plpgsql {path}
        AS $$
        DECLARE
            here integer := lastmile_login_store();
        BEGIN
            IF here IS NOT NULL THEN
                NEW.added_by_store_id := here;
            END IF;
            RETURN NEW;
        END;
        $$""",
        f"""CREATE OR REPLACE FUNCTION lastmile_dnc_reach_other_stores() RETURNS trigger
        LANGUAGE plpgsql {path}
        AS $$
        BEGIN
            IF lastmile_login_store() IS NOT NULL THEN
                PERFORM lastmile_dnc_elsewhere(NEW.id);
            END IF;
            RETURN NULL;
        END;
        $$""",
        "REVOKE ALL ON FUNCTION lastmile_dnc_elsewhere(integer) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION lastmile_dnc_elsewhere(integer) TO {LEAD_ROLE}, {STORE_ROLE}",
        "DROP TRIGGER IF EXISTS lastmile_dnc_from_store ON do_not_call",
        "CREATE TRIGGER lastmile_dnc_from_store BEFORE INSERT ON do_not_call "
        "FOR EACH ROW EXECUTE FUNCTION lastmile_dnc_from_store()",
        "DROP TRIGGER IF EXISTS lastmile_dnc_added ON do_not_call",
        "CREATE TRIGGER lastmile_dnc_added AFTER INSERT ON do_not_call "
        "FOR EACH ROW EXECUTE FUNCTION lastmile_dnc_reach_other_stores()",
        "DROP TRIGGER IF EXISTS lastmile_dnc_lifted ON do_not_call",
        "CREATE TRIGGER lastmile_dnc_lifted AFTER UPDATE OF removed_at ON do_not_call "
        "FOR EACH ROW WHEN (OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL) "
        "EXECUTE FUNCTION lastmile_dnc_reach_other_stores()",
    ]


def _release_case(rules: MemberRules) -> str:
    """``status_after_release`` as SQL, from the statuses it gives for each group."""
    branches = []
    for group in sorted({g for g, _ in rules.release if g is not None}):
        for called in (True, False):
            attempts = " AND m.attempts > 0" if called else ""
            status = _literal(rules.release[(group, called)])
            branches.append(f'WHEN m."group" = {_literal(group)}{attempts} THEN {status}')
    branches.append(f"WHEN m.attempts > 0 THEN {_literal(rules.release[(None, True)])}")
    return f"CASE {' '.join(branches)} ELSE {_literal(rules.release[(None, False)])} END"


def _table_statements(table: str, access: StoreAccess | None) -> list[str]:
    """Row-level security, policies and grants of one table; ``access`` None: lead only."""
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY_PREFIX}lead ON {table} FOR ALL TO {LEAD_ROLE} "
        "USING (true) WITH CHECK (true)",
        f"REVOKE ALL ON {table} FROM {STORE_ROLE}",
        f"GRANT ALL ON {table} TO {LEAD_ROLE}",
    ]
    if access is None:
        return statements
    statements.append(f"GRANT SELECT ON {table} TO {STORE_ROLE}")
    store = f"TO {STORE_ROLE}"
    if access.read is not None:
        statements.append(
            f"CREATE POLICY {POLICY_PREFIX}store_read ON {table} FOR SELECT {store} "
            f"USING ({access.read})"
        )
    if access.insert is not None:
        statements.append(f"GRANT INSERT ON {table} TO {STORE_ROLE}")
        statements.append(
            f"CREATE POLICY {POLICY_PREFIX}store_insert ON {table} FOR INSERT {store} "
            f"WITH CHECK ({access.insert})"
        )
    if access.update is not None:
        columns = f" ({', '.join(access.update_columns)})" if access.update_columns else ""
        statements.append(f"GRANT UPDATE{columns} ON {table} TO {STORE_ROLE}")
        statements.append(
            f"CREATE POLICY {POLICY_PREFIX}store_update ON {table} FOR UPDATE {store} "
            f"USING ({access.update}) WITH CHECK ({access.update_check or access.update})"
        )
    if access.delete is not None:
        statements.append(f"GRANT DELETE ON {table} TO {STORE_ROLE}")
        statements.append(
            f"CREATE POLICY {POLICY_PREFIX}store_delete ON {table} FOR DELETE {store} "
            f"USING ({access.delete})"
        )
    return statements


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema(connection: Connection) -> str:
    return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def _tables(connection: Connection) -> list[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    return sorted(str(name) for (name,) in rows)


def _sequences(connection: Connection) -> dict[str, list[str]]:
    """The sequences that number each table's rows (SERIAL or IDENTITY), by table."""
    rows = connection.execute(
        text(
            "SELECT t.relname, s.oid::regclass::text FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND t.relnamespace = current_schema()::regnamespace"
        )
    )
    found: dict[str, list[str]] = {}
    for table, sequence in rows:
        found.setdefault(str(table), []).append(str(sequence))
    return found


def access_statements(connection: Connection, rules: MemberRules) -> tuple[list[str], list[str]]:
    """Every statement that sets up the access rules for the tables there are now, and the
    tables no rule names (the lead's alone)."""
    access = store_access(rules)
    schema = _schema(connection)
    existing = set(_tables(connection)) | {LOGINS_TABLE}
    sequences = _sequences(connection)
    statements = [
        f"GRANT USAGE ON SCHEMA {_identifier(schema)} TO {LEAD_ROLE}, {STORE_ROLE}",
        *_functions(schema, rules),
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS {name} ON {definition}"
        for name, definition in POLICY_INDEXES.items()
    ]
    unknown = sorted(existing - set(access) - set(READ_BY_ALL))
    for table in sorted(existing):
        if table in READ_BY_ALL:
            statements.append(f"GRANT SELECT ON {table} TO {LEAD_ROLE}, {STORE_ROLE}")
            continue
        statements += _table_statements(table, access.get(table))
        allowed = access.get(table)
        for sequence in sorted(sequences.get(table, [])):
            statements.append(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE {sequence} TO {LEAD_ROLE}")
            if allowed is not None and allowed.insert is not None:
                statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {STORE_ROLE}")
    return statements, unknown


def _fingerprint(statements: list[str]) -> str:
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()


def _installed_fingerprint(connection: Connection) -> str | None:
    comment = connection.execute(
        text(
            "SELECT obj_description(to_regclass(:table), 'pg_class') "
            "WHERE to_regclass(:table) IS NOT NULL"
        ),
        {"table": LOGINS_TABLE},
    ).scalar_one_or_none()
    if not comment or not str(comment).startswith(RULES_MARK):
        return None
    return str(comment)[len(RULES_MARK) :]


def _drop_policies(connection: Connection) -> None:
    rows = connection.execute(
        text(
            "SELECT tablename, policyname FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname LIKE :prefix"
        ),
        {"prefix": POLICY_PREFIX.replace("_", "\\_") + "%"},
    ).all()
    for table, policy in rows:
        connection.exec_driver_sql(f"DROP POLICY {_identifier(policy)} ON {_identifier(table)}")


def role_exists(connection: Connection, role: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :role)"), {"role": role}
        ).scalar_one()
    )


@dataclass(frozen=True)
class Login:
    """Who the connection's login is, as the server sees it."""

    name: str
    superuser: bool
    may_create_roles: bool


def current_login(connection: Connection) -> Login:
    name, superuser, create_role = connection.execute(
        text(
            "SELECT current_user::text, rolsuper, rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        )
    ).one()
    return Login(str(name), bool(superuser), bool(create_role))


def tables_owned_by_others(connection: Connection) -> dict[str, str]:
    """The schema's tables whose owner is not the connection's login: owner by table."""
    rows = connection.execute(
        text(
            "SELECT tablename, tableowner FROM pg_tables "
            "WHERE schemaname = current_schema() AND tableowner <> current_user"
        )
    )
    return {str(table): str(owner) for table, owner in rows}


def install_access(connection: Connection, rules: MemberRules) -> AccessReport:
    """Create the roles and the access rules, in the caller's transaction; only what is
    missing or different: a second run on an unchanged database changes nothing."""
    created = []
    for role in (LEAD_ROLE, STORE_ROLE):
        if not role_exists(connection, role):
            connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            created.append(role)
    login = current_login(connection)
    made_lead = False
    if not login.superuser and not _is_member(connection, login.name, LEAD_ROLE):
        # Held to the forced policies like everyone: as the lead, the owner still sees all.
        connection.exec_driver_sql(f"GRANT {LEAD_ROLE} TO {_identifier(login.name)}")
        made_lead = True
    statements, unknown = access_statements(connection, rules)
    fingerprint = _fingerprint(statements)
    installed = _installed_fingerprint(connection) == fingerprint
    if not installed:
        _drop_policies(connection)
        for statement in statements:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(
            f"COMMENT ON TABLE {LOGINS_TABLE} IS {_literal(RULES_MARK + fingerprint)}"
        )
    return AccessReport(created, made_lead, not installed, unknown)


def _is_member(connection: Connection, login: str, role: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT pg_has_role(:login, :role, 'MEMBER')"), {"login": login, "role": role}
        ).scalar_one()
    )


def is_set_up(connection: Connection) -> bool:
    """Whether ``install_access`` ran on this database (and the roles exist)."""
    return _installed_fingerprint(connection) is not None and role_exists(connection, STORE_ROLE)


class ServerRefusedError(UserFacingError):
    """The server's rules refused the statement to this login (SQLSTATE 42501)."""


INSUFFICIENT_PRIVILEGE = "42501"


def refused_by_server(context: ExceptionContext) -> BaseException | None:
    """The engine's ``handle_error`` hook: a refusal by the access rules, as a sentence.

    A store's login that tries what only the lead may (an import, a campaign's settings) or
    another store's rows gets this instead of a database error; nothing was changed.
    """
    if getattr(context.original_exception, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return None
    login = context.engine.url.username if context.engine is not None else None
    return ServerRefusedError(
        f"The database refused this to the login {login or 'in use'}: a store's login reads "
        "and changes only its own store's customers, and the rest is the regional lead's. "
        "Nothing was changed; ask the regional lead."
    )


# --- store logins ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginState:
    """A role of this name as it stands: None when there is none."""

    exists: bool
    superuser: bool = False
    can_log_in: bool = False
    store_member: bool = False
    lead_member: bool = False
    store_id: int | None = None  # the store ``store_logins`` maps it to in this database


def login_state(connection: Connection, login: str) -> LoginState:
    row = connection.execute(
        text(
            "SELECT rolsuper, rolcanlogin, pg_has_role(oid, :store, 'MEMBER'), "
            "pg_has_role(oid, :lead, 'MEMBER') FROM pg_roles WHERE rolname = :login"
        ),
        {"login": login, "store": STORE_ROLE, "lead": LEAD_ROLE},
    ).first()
    if row is None:
        return LoginState(exists=False)
    store_id = connection.execute(
        text(f"SELECT store_id FROM {LOGINS_TABLE} WHERE login = :login"), {"login": login}
    ).scalar_one_or_none()
    return LoginState(True, bool(row[0]), bool(row[1]), bool(row[2]), bool(row[3]), store_id)


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL keeps for ``password`` (RFC 5802, 7677), made
    here so that the password itself never travels to the server nor reaches its logs."""
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def create_store_login(connection: Connection, login: str, store_id: int, password: str) -> None:
    _check_login_name(login)
    connection.exec_driver_sql(
        f"CREATE ROLE {_identifier(login)} LOGIN PASSWORD {_literal(scram_verifier(password))} "
        f"IN ROLE {STORE_ROLE}"
    )
    map_store_login(connection, login, store_id)


def map_store_login(connection: Connection, login: str, store_id: int) -> None:
    connection.execute(
        text(
            f"INSERT INTO {LOGINS_TABLE} (login, store_id) VALUES (:login, :store) "
            "ON CONFLICT (login) DO UPDATE SET store_id = excluded.store_id"
        ),
        {"login": login, "store": store_id},
    )


def set_login_password(connection: Connection, login: str, password: str) -> None:
    _check_login_name(login)
    connection.exec_driver_sql(
        f"ALTER ROLE {_identifier(login)} PASSWORD {_literal(scram_verifier(password))}"
    )


def _check_login_name(login: str) -> None:
    if not LOGIN_NAME.fullmatch(login):  # the service says so in words first
        raise ValueError(f"not a safe login name: {login!r}")


def login_store_id(connection: Connection) -> int | None:
    """The store the connection's login works for, on a chain's server; None for the lead's
    and owner's logins, and wherever ``server init`` never ran (SQLite included)."""
    if connection.dialect.name != "postgresql":
        return None
    found = connection.execute(
        text("SELECT to_regprocedure('lastmile_login_store()') IS NOT NULL")
    ).scalar_one()
    if not found:
        return None
    store = connection.execute(text("SELECT lastmile_login_store()")).scalar_one_or_none()
    return None if store is None else int(store)


def is_store_login(connection: Connection) -> bool:
    """Whether the connection's login belongs to the stores' role (mapped to a store or not)."""
    if connection.dialect.name != "postgresql" or not role_exists(connection, STORE_ROLE):
        return False
    return bool(
        connection.execute(
            text(
                "SELECT NOT rolsuper AND pg_has_role(current_user, :store, 'MEMBER') "
                "AND NOT pg_has_role(current_user, :lead, 'MEMBER') "
                "FROM pg_roles WHERE rolname = current_user"
            ),
            {"store": STORE_ROLE, "lead": LEAD_ROLE},
        ).scalar_one()
    )
