"""``lastmile manager list|add|leave``: store managers without the window, on the same
services as the Stores and managers tab (a manager who leaves keeps their history)."""

from __future__ import annotations

import argparse
from typing import Any

from lastmile_desktop.campaigns.managers import (
    ManagerDraft,
    ManagerInfo,
    add_manager,
    deactivate_manager,
    list_managers,
)
from lastmile_desktop.campaigns.stores import list_stores
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    open_for_command,
    print_json,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "manager",
        help="list store managers, add one, or mark one as having left",
        description="Store managers: added to a store, marked as left (never deleted).",
    )
    actions = parser.add_subparsers(dest="manager_command", metavar="ACTION", required=True)

    listing = add_command(actions, "list", help="managers by store")
    listing.add_argument("--all", action="store_true", help="include managers who left")
    listing.add_argument("--json", action="store_true", help="print the managers as JSON")
    listing.set_defaults(run=run_list)

    add = add_command(actions, "add", help="add a manager to a store")
    add.add_argument("--store", required=True, metavar="CODE", help="the store's code")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--json", action="store_true", help="print the manager as JSON")
    add.set_defaults(run=run_add)

    leave = add_command(actions, "leave", help="mark a manager as left: no new work, history kept")
    leave.add_argument("name", metavar="NAME")
    leave.add_argument("--json", action="store_true", help="print the manager as JSON")
    leave.set_defaults(run=run_leave)


def run_list(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        managers = list_managers(db, COMMAND_LINE_PROFILE, include_inactive=args.all)
    finally:
        db.dispose()
    if args.json:
        print_json([manager_json(info) for info in managers])
    elif not managers:
        print("No managers yet: add one with lastmile manager add --store CODE NAME.")
    else:
        for info in managers:
            left = "" if info.active else "  (left)"
            print(
                f"{info.store_code:<8} {info.name}{left}  {info.open_members:,} customers to call"
            )
    return 0


def _store_id(db: Database, code: str) -> int:
    wanted = code.strip().casefold()
    stores = list_stores(db)
    for store in stores:
        if store.code.casefold() == wanted:
            return store.id
    known = ", ".join(store.code for store in stores) or "none yet"
    raise UserFacingError(f'No store has the code "{code}". Stores: {known}.')


def run_add(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        info = add_manager(
            db, ManagerDraft(args.name, _store_id(db, args.store)), COMMAND_LINE_PROFILE
        )
    finally:
        db.dispose()
    if args.json:
        print_json(manager_json(info))
    else:
        print(f"Added {info.name} to {info.store_name} ({info.store_code}).")
    return 0


def _manager_named(db: Database, name: str) -> ManagerInfo:
    wanted = " ".join(name.split()).casefold()
    found = [
        m
        for m in list_managers(db, COMMAND_LINE_PROFILE, include_inactive=True)
        if m.name.casefold() == wanted
    ]
    active = [m for m in found if m.active]
    if not found:
        raise UserFacingError(f'No manager is called "{name}": see lastmile manager list --all.')
    if len(active) > 1:
        stores = ", ".join(m.store_code for m in active)
        raise UserFacingError(
            f'Several managers are called "{name}" (stores {stores}): mark them as left from '
            "the Stores and managers tab."
        )
    return (active or found)[0]


def run_leave(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        manager = _manager_named(db, args.name)
        if not manager.active:
            raise UserFacingError(f"{manager.name} is already marked as left.")
        info = deactivate_manager(db, manager.id, COMMAND_LINE_PROFILE)
    finally:
        db.dispose()
    if args.json:
        print_json(manager_json(info))
    else:
        print(f"{info.name} is marked as left; their calls stay theirs.")
        if info.open_members:
            print(
                f"They still own {info.open_members:,} customers to call: share them out with "
                "Move work... on the Assign page."
            )
    return 0


def manager_json(info: ManagerInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "store": info.store_code,
        "store_name": info.store_name,
        "active": info.active,
        "open_members": info.open_members,
        "phone": info.phone,
        "email": info.email,
    }
