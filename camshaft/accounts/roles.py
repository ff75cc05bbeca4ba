"""Staff roles (A4, M5): seven Django groups whose permissions are defined here, in
code, and written to the database after every migrate.

Least privilege: each role gets the permissions its work needs and no more.
A permission named here that does not exist (yet) is skipped, so a role can
name what an app being built will offer (analytics' report) before it lands.
Edits made to these groups in the back office are put back on the next
migrate; a store that wants another mix adds a group of its own."""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

#: Whoever holds this permission sees customers' contact details (email,
#: phone, billing address, date of birth) wherever a page could show them.
#: Warehouse staff lack it and see only the shipping address they ship to.
CONTACT_DETAILS_PERMISSION = "accounts.view_user"

#: Who may make staff and hand out roles: without it nobody can raise their
#: own (or anyone's) privileges through the user pages.
MANAGE_STAFF_PERMISSION = "auth.change_group"


@dataclass(frozen=True)
class Role:
    slug: str
    name: str
    summary: str
    #: Every permission of these apps, models added later included.
    apps: tuple[str, ...] = ()
    #: Single permissions as "app_label.codename".
    permissions: tuple[str, ...] = ()
    #: Every installed permission (the administrator).
    everything: bool = False


CUSTOMER_SERVICE = Role(
    slug="customer-service",
    name="Customer service",
    summary="Customers and their addresses, orders (change before they ship, cancel, record "
    "offline payments), "
    "returns (authorize, reject, file for a caller, refund), price-match claims (approve at or "
    "above the floor, decline), support tickets (answer, close), live chats, payments and saved "
    "cards read-only, the store's mailbox.",
    permissions=(
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_address",
        "accounts.add_address",
        "accounts.change_address",
        "accounts.delete_address",
        "orders.view_order",
        "orders.view_orderaddress",
        "orders.view_orderline",
        "orders.view_orderevent",
        "orders.cancel_order",
        # Change an unshipped order on the customer's request (O2).
        "orders.change_order",
        "orders.record_offline_payment",
        "payments.view_payment",
        "payments.view_savedcard",
        "shipping.view_shipment",
        "notifications.view_outboxmessage",
        # The returns desk: authorize, reject, file for a caller, refund (R2, R3).
        "returns.view_returnrequest",
        "returns.authorize_return",
        "returns.refund_return",
        "returns.view_corereturn",
        # The support desk: answer, close and reopen tickets (B4).
        "support.view_ticket",
        "support.view_ticketmessage",
        "support.answer_ticket",
        # Live chat: take and answer chats, read transcripts (B4).
        "chat.view_conversation",
        "chat.view_chatmessage",
        "chat.answer_conversation",
        # The price-match queue (P2): approve or decline at or above the
        # category's floor; below it needs pricematch.approve_below_floor.
        "pricematch.view_pricematchclaim",
        "pricematch.decide_claim",
        "pricematch.view_pricefloor",
        # A customer on the phone asks "order updates only, please" (N3).
        "consent.view_subscription",
        "consent.view_suppression",
        "consent.add_suppression",
    ),
)

WAREHOUSE = Role(
    slug="warehouse",
    name="Warehouse",
    summary="Orders to ship (shipping address only, no customer contact details), "
    "shipments, stock and warehouses, returned parcels and cores to inspect.",
    permissions=(
        "orders.view_order",
        "orders.view_orderline",
        "orders.ship_order",
        "shipping.view_shipment",
        "shipping.view_carrier",
        "inventory.view_warehouse",
        "inventory.change_warehouse",
        "inventory.view_stocklevel",
        "inventory.add_stocklevel",
        "inventory.change_stocklevel",
        "catalog.view_part",
        # Parcels coming back: count them, inspect cores (R2, R4).
        "returns.view_returnrequest",
        "returns.receive_return",
        "returns.view_corereturn",
        "returns.inspect_core",
    ),
)

CATALOGUE = Role(
    slug="catalogue",
    name="Catalogue",
    summary="Parts, brands, categories, vehicles and fitment, stock and warehouses, search.",
    apps=("catalog", "fitment", "inventory", "search"),
)

MARKETING = Role(
    slug="marketing",
    name="Marketing",
    summary="Aggregate analytics reports, newsletters, the catalogue read-only. Never an "
    "address, a phone number or a customer record.",
    permissions=(
        "analytics.view_analytics_report",
        # Newsletters go to confirmed subscribers; marketing writes and sends
        # them but never reads the subscriber list (addresses).
        "notifications.view_newsletterissue",
        "notifications.add_newsletterissue",
        "notifications.change_newsletterissue",
        "notifications.send_newsletter",
        "catalog.view_part",
        "catalog.view_brand",
        "catalog.view_category",
    ),
)

PRIVACY_OFFICER = Role(
    slug="privacy-officer",
    name="Privacy officer",
    summary="Everything in the privacy app (policies, consent, data requests, breaches), "
    "customers, newsletter consent and the do-not-send list read-only, the store's mailbox "
    "and the audit log.",
    apps=("privacy",),
    permissions=(
        "consent.view_privacypolicyversion",
        "consent.add_privacypolicyversion",
        "consent.change_privacypolicyversion",
        "consent.delete_privacypolicyversion",
        "consent.view_consentrecord",
        "consent.add_consentrecord",
        "consent.change_consentrecord",
        "consent.delete_consentrecord",
        "accounts.view_user",
        "accounts.view_address",
        "notifications.view_outboxmessage",
        "consent.view_subscription",
        "consent.view_suppression",
        "consent.add_suppression",
        "consent.delete_suppression",
        "analytics.view_cookiechoice",
        "core.view_auditentry",
        # Chat transcripts belong to the customer; the officer may read them.
        "chat.view_conversation",
        "chat.view_chatmessage",
    ),
)

MARKETPLACE_MODERATOR = Role(
    slug="marketplace-moderator",
    name="Marketplace moderator",
    summary="Trust and safety on the marketplace: the report queue (remove a listing, warn, "
    "suspend), reinstating sellers, taking down ratings that break the rules, sellers' "
    "statements and payouts, the fees report; listings and sales read-only. Members show by "
    "their public user ID: no customer records, orders, payments or privacy work.",
    permissions=(
        # The queue of reports (M5): closing one removes the listing, warns
        # or suspends the seller (marketplace.services.handle_report).
        "marketplace.view_report",
        "marketplace.change_report",
        # Sellers: read, and lift a suspension with a reason (M5).
        "marketplace.view_seller",
        "marketplace.change_seller",
        "marketplace.view_listing",
        "marketplace.view_listingphoto",
        # Sales read-only, to look into a report ("never shipped").
        "marketplace.view_sale",
        # Ratings (M3): take down one that breaks the rules, with a reason.
        "marketplace.view_rating",
        "marketplace.change_rating",
        # Statements, payouts and the fees report (M4); the rates stay the
        # administrator's, the seller terms too (V1: publishing mails sellers).
        "marketplace.view_payout",
        "marketplace.add_payout",
        "marketplace.view_commissionrate",
        "marketplace.view_salefee",
        "marketplace.view_sellerterms",
    ),
)

ADMINISTRATOR = Role(
    slug="administrator",
    name="Administrator",
    summary="Every permission, given as permissions rather than the superuser flag.",
    everything=True,
)

ROLES: tuple[Role, ...] = (
    CUSTOMER_SERVICE,
    WAREHOUSE,
    CATALOGUE,
    MARKETING,
    PRIVACY_OFFICER,
    MARKETPLACE_MODERATOR,
    ADMINISTRATOR,
)


class UnknownRole(ValueError):
    def __init__(self, name: str):
        names = ", ".join(role.slug for role in ROLES)
        super().__init__(f"No role called {name!r}. The roles are: {names}.")


def role_named(name: str) -> Role:
    """A role by its slug or its group name, any case."""
    wanted = name.strip().lower()
    for role in ROLES:
        if wanted in {role.slug, role.name.lower()}:
            return role
    raise UnknownRole(name)


def _permissions_query(role: Role) -> Q:
    if role.everything:
        return Q()
    query = Q(pk__in=[])
    for app_label in role.apps:
        query |= Q(content_type__app_label=app_label)
    for dotted in role.permissions:
        app_label, codename = dotted.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


@transaction.atomic
def sync_roles(*, group_model=Group, permission_model=Permission) -> dict[str, int]:
    """Make each role's group hold exactly its permissions; running it again
    changes nothing. Answers how many permissions each role holds."""
    held = {}
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role.name)
        permissions = list(permission_model.objects.filter(_permissions_query(role)))
        group.permissions.set(permissions)
        held[role.name] = len(permissions)
    return held


def sync_roles_after_migrate(sender, apps=global_apps, **kwargs) -> None:
    """post_migrate receiver: permissions exist only once every app's own
    post_migrate has run, so the roles are written after the last app's.
    (`flush` sends the signal without `apps`: then the installed models.)"""
    migrated = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender is not migrated[-1]:
        return
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:  # auth migrated back to zero: no groups to fill
        return
    sync_roles(group_model=group_model, permission_model=permission_model)


@transaction.atomic
def grant_role(*, user, role: Role) -> None:
    """Give `user` the role, and the back office door that goes with it."""
    group, _ = Group.objects.get_or_create(name=role.name)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)


@transaction.atomic
def revoke_role(*, user, role: Role) -> None:
    """Take the role away; the account stays staff only while it is in a group."""
    user.groups.remove(*Group.objects.filter(name=role.name))
    if user.is_staff and not user.is_superuser and not user.groups.exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])


def sees_contact_details(user) -> bool:
    return user.has_perm(CONTACT_DETAILS_PERMISSION)


def manages_staff(user) -> bool:
    return user.has_perm(MANAGE_STAFF_PERMISSION)
