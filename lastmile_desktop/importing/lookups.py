"""What the database already holds that an import must match against, loaded once.

An import never asks the database about a single row: customers, the campaign's members,
stores, the do-not-call list and who asked to be forgotten are read here into dictionaries
and sets before the first row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.identities import ForgottenPeople, customer_id_key, load_forgotten
from lastmile_desktop.campaigns.suppression import Suppressions, active_suppressions
from lastmile_desktop.importing.normalize import StoreRef
from lastmile_desktop.storage.models import CampaignMember, Customer, Store


@dataclass
class ExistingData:
    customers_by_external_id: dict[str, int]  # by customer_id_key
    # Every customer by their main phone; rows without a customer id are matched here.
    customers_by_phone: dict[str, int]
    # Customers head office gave no id: a row with a new id may be one of them, by phone.
    unnumbered_by_phone: dict[str, int]
    # Customers who asked to be forgotten: no row of theirs is stored again.
    forgotten: ForgottenPeople
    members: set[int]  # customer ids already in the campaign
    stores: dict[str, int]  # casefolded code and name -> store id
    suppressions: Suppressions

    @classmethod
    def empty(cls) -> ExistingData:
        return cls({}, {}, {}, ForgottenPeople(), set(), {}, Suppressions(frozenset(), frozenset()))


def load_store_keys(session: Session) -> dict[str, int]:
    """Every store by casefolded code and by casefolded name: how a row's store is found."""
    stores: dict[str, int] = {}
    known = session.execute(select(Store.id, Store.code, Store.name)).all()
    for store_id, code, _name in known:
        stores.setdefault(code.casefold(), store_id)
    # Codes win over names: names only fill keys no code already claims.
    for store_id, _code, name in known:
        stores.setdefault(name.casefold(), store_id)
    return stores


def match_store(stores: dict[str, int], store: StoreRef) -> int | None:
    """The known store a row names (by code, else by name), None when it is new."""
    return stores.get(store.key) or stores.get(store.name.casefold())


def load_existing(session: Session, campaign_id: int | None) -> ExistingData:
    by_external_id: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    unnumbered: dict[str, int] = {}
    erased: list[str] = []
    rows = session.execute(
        select(Customer.id, Customer.external_id, Customer.phone, Customer.erased_at)
    )
    for customer_id, external_id, phone, erased_at in rows:
        if external_id is not None:
            by_external_id.setdefault(customer_id_key(external_id), customer_id)
            if erased_at is not None:
                erased.append(external_id)
        if phone is not None and erased_at is None:
            by_phone.setdefault(phone, customer_id)
            if external_id is None:
                unnumbered.setdefault(phone, customer_id)

    members: set[int] = set()
    if campaign_id is not None:
        members = set(
            session.execute(
                select(CampaignMember.customer_id).where(CampaignMember.campaign_id == campaign_id)
            ).scalars()
        )

    return ExistingData(
        customers_by_external_id=by_external_id,
        customers_by_phone=by_phone,
        unnumbered_by_phone=unnumbered,
        forgotten=load_forgotten(session, erased),
        members=members,
        stores=load_store_keys(session),
        suppressions=active_suppressions(session),
    )
