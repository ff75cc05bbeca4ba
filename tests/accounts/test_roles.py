"""A4 staff roles: what each of the seven roles can open in the back office,
that marketing never meets an address or a phone, that the warehouse sees
only the address it ships to, that the roles are synced after migrate, and
the grant_role command."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from camshaft.accounts import roles
from camshaft.accounts.models import User
from camshaft.accounts.roles import (
    ADMINISTRATOR,
    CATALOGUE,
    CUSTOMER_SERVICE,
    MARKETING,
    MARKETPLACE_MODERATOR,
    PRIVACY_OFFICER,
    ROLES,
    WAREHOUSE,
)
from tests.factories import PartFactory
from tests.staff import (
    BILLING_PHONE,
    BILLING_STREET,
    BOOK_STREET,
    CUSTOMER_BIRTHDAY,
    CUSTOMER_PHONE,
    SHIPPING_PHONE,
    SHIPPING_STREET,
    customer_with_order,
    sign_in_with_role,
)

pytestmark = pytest.mark.django_db

CS, WH, CAT, MKT, PO, MOD, ADM = (
    CUSTOMER_SERVICE,
    WAREHOUSE,
    CATALOGUE,
    MARKETING,
    PRIVACY_OFFICER,
    MARKETPLACE_MODERATOR,
    ADMINISTRATOR,
)

# page → the roles that may open it; every other role gets 403.
MATRIX = {
    "customers": {CS, PO, ADM},
    "customer": {CS, PO, ADM},
    "orders": {CS, WH, ADM},
    "order": {CS, WH, ADM},
    "ship": {WH, ADM},
    "record_payment": {CS, ADM},
    "mailbox": {CS, PO, ADM},
    "saved_cards": {CS, ADM},
    "parts": {WH, CAT, MKT, ADM},
    "add_part": {CAT, ADM},
    "stock": {WH, CAT, ADM},
    "vehicles": {CAT, ADM},
    "exchange_rates": {ADM},
    "audit_log": {PO, ADM},
    "roles": {ADM},
    "chats": {CS, PO, ADM},
    "chat_desk": {CS, ADM},
    "mp_reports": {MOD, ADM},
    "mp_report": {MOD, ADM},
    "mp_seller": {MOD, ADM},
    "mp_statement": {MOD, ADM},
    "mp_fees_report": {MOD, ADM},
    "mp_ratings": {MOD, ADM},
    "mp_listings": {MOD, ADM},
    "mp_sales": {MOD, ADM},
    "mp_add_commission_rate": {ADM},
    "mp_add_seller_terms": {ADM},
}


def reported_seller():
    from camshaft.marketplace.models import Report
    from tests.marketplace.helpers import seller

    shop = seller("brakes")
    report = Report.objects.create(
        member=shop.user, seller=shop, reason="Rude", created_at=shop.accepted_at
    )
    return shop, report


def page_urls(customer, order):
    shop, report = reported_seller()
    return {
        "customers": reverse("admin:accounts_user_changelist"),
        "customer": reverse("admin:accounts_user_change", args=[customer.pk]),
        "orders": reverse("admin:orders_order_changelist"),
        "order": reverse("admin:orders_order_change", args=[order.pk]),
        "ship": reverse("admin:orders_order_ship", args=[order.pk]),
        "record_payment": reverse("admin:orders_order_record_payment", args=[order.pk]),
        "mailbox": reverse("admin:notifications_outboxmessage_changelist"),
        "saved_cards": reverse("admin:payments_savedcard_changelist"),
        "parts": reverse("admin:catalog_part_changelist"),
        "add_part": reverse("admin:catalog_part_add"),
        "stock": reverse("admin:inventory_stocklevel_changelist"),
        "vehicles": reverse("admin:fitment_vehicle_changelist"),
        "exchange_rates": reverse("admin:pricing_exchangerate_changelist"),
        "audit_log": reverse("admin:core_auditentry_changelist"),
        "roles": reverse("admin:auth_group_changelist"),
        "chats": reverse("admin:chat_conversation_changelist"),
        "chat_desk": reverse("admin:chat_conversation_desk"),
        "mp_reports": reverse("admin:marketplace_report_changelist"),
        "mp_report": reverse("admin:marketplace_report_change", args=[report.pk]),
        "mp_seller": reverse("admin:marketplace_seller_change", args=[shop.pk]),
        "mp_statement": reverse("admin:marketplace_seller_statement", args=[shop.pk]),
        "mp_fees_report": reverse("admin:marketplace_fees_report"),
        "mp_ratings": reverse("admin:marketplace_rating_changelist"),
        "mp_listings": reverse("admin:marketplace_listing_changelist"),
        "mp_sales": reverse("admin:marketplace_sale_changelist"),
        "mp_add_commission_rate": reverse("admin:marketplace_commissionrate_add"),
        "mp_add_seller_terms": reverse("admin:marketplace_sellerterms_add"),
    }


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.slug)
def test_A4_each_role_opens_exactly_its_pages(client, role):
    customer, order = customer_with_order()
    sign_in_with_role(client, role)
    assert client.get(reverse("admin:index")).status_code == 200
    answers = {
        name: client.get(url).status_code for name, url in page_urls(customer, order).items()
    }
    expected = {name: 200 if role in allowed else 403 for name, allowed in MATRIX.items()}
    assert answers == expected


def test_A4_a_member_without_a_role_is_sent_to_sign_in(client):
    customer, order = customer_with_order()
    client.force_login(customer)
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_A4_administrator_holds_every_permission_without_the_superuser_flag(client):
    admin = sign_in_with_role(client, ADMINISTRATOR)
    assert not admin.is_superuser
    everything = {
        f"{app}.{code}"
        for app, code in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert admin.get_all_permissions() == everything


PERSONAL = (
    CUSTOMER_PHONE,
    BILLING_STREET,
    BILLING_PHONE,
    SHIPPING_STREET,
    SHIPPING_PHONE,
    BOOK_STREET,
    CUSTOMER_BIRTHDAY,
    "Feb. 29, 1984",
)


def crawl(client, start):
    """Every back-office page reachable by links from `start`, two links deep,
    without following logout or anything outside /staff/."""
    seen, pages, frontier = set(), {}, [start]
    for _depth in range(3):
        following = []
        for url in frontier:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            pages[url] = response
            if response.status_code != 200:
                continue
            for href in re.findall(r'href="(/staff/[^"#]*)"', response.content.decode()):
                href = href.replace("&amp;", "&")
                if "logout" not in href and "password" not in href:
                    following.append(href)
        frontier = following
    return pages


def test_A4_marketing_never_sees_an_address_or_a_phone(client):
    customer_with_order()
    PartFactory()
    user = sign_in_with_role(client, MARKETING)
    for model in ("accounts.view_address", "orders.view_orderaddress", "accounts.view_user"):
        assert not user.has_perm(model)
    pages = crawl(client, reverse("admin:index"))
    opened = [url for url, response in pages.items() if response.status_code == 200]
    assert reverse("admin:catalog_part_changelist") in opened  # the crawl got somewhere
    for url in opened:
        html = pages[url].content.decode()
        leaked = [value for value in PERSONAL if value in html]
        assert not leaked, f"{url} shows {leaked}"


def test_A4_warehouse_sees_the_shipping_address_but_no_contact_details(client):
    customer, order = customer_with_order()
    sign_in_with_role(client, WAREHOUSE)
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert SHIPPING_STREET in page and SHIPPING_PHONE in page
    for hidden in (BILLING_STREET, BILLING_PHONE, customer.email, CUSTOMER_PHONE):
        assert hidden not in page
    ship = client.get(reverse("admin:orders_order_ship", args=[order.pk])).content.decode()
    assert SHIPPING_STREET in ship and customer.email not in ship
    listing = client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert order.number in listing and customer.email not in listing
    by_email = client.get(reverse("admin:orders_order_changelist"), {"q": customer.email})
    assert order.number not in by_email.content.decode()


def user_form(user, **fields):
    """The back office's user form as a browser posts it."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else "",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "10:00:00",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        **fields,
    }


def test_A4_customer_service_sees_the_customer_but_cannot_raise_privileges(client):
    customer, _ = customer_with_order()
    clerk = sign_in_with_role(client, CUSTOMER_SERVICE)
    admins = Group.objects.get(name=ADMINISTRATOR.name).pk
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    page = client.get(url).content.decode()
    assert CUSTOMER_PHONE in page and BOOK_STREET in page
    form = user_form(
        customer, first_name="Robyn", is_staff="on", is_superuser="on", groups=[admins]
    )
    assert client.post(url, form).status_code == 302
    customer.refresh_from_db()
    assert customer.first_name == "Robyn"
    assert not customer.is_staff and not customer.is_superuser and not customer.groups.exists()
    # A staff account, its own included, is read-only to the clerk.
    own = reverse("admin:accounts_user_change", args=[clerk.pk])
    assert client.post(own, user_form(clerk, is_superuser="on")).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[clerk.pk])
    assert client.get(password).status_code == 403
    assert not User.objects.get(pk=clerk.pk).is_superuser


def role_permissions():
    return {
        group.name: set(group.permissions.values_list("pk", flat=True))
        for group in Group.objects.filter(name__in=[role.name for role in ROLES])
    }


def test_A4_migrate_leaves_the_seven_roles_in_the_database():
    held = role_permissions()
    assert set(held) == {role.name for role in ROLES}
    assert len(held[ADMINISTRATOR.name]) == Permission.objects.count()
    codenames = set(
        Permission.objects.filter(group__name=PRIVACY_OFFICER.name).values_list(
            "content_type__app_label", flat=True
        )
    )
    assert "privacy" in codenames


def test_A4_role_sync_is_idempotent_and_puts_back_edits():
    before = role_permissions()
    group = Group.objects.get(name=MARKETING.name)
    group.permissions.add(Permission.objects.get(codename="view_address"))
    Group.objects.get(name=WAREHOUSE.name).permissions.clear()
    roles.sync_roles()
    roles.sync_roles()
    assert role_permissions() == before
    assert Group.objects.filter(name__in=[role.name for role in ROLES]).count() == len(ROLES)


def test_A4_a_role_naming_a_permission_not_yet_installed_still_syncs(monkeypatch):
    future = roles.Role(
        slug="future",
        name="Future",
        summary="",
        permissions=("nosuchapp.view_thing", "catalog.view_part"),
    )
    monkeypatch.setattr(roles, "ROLES", (*ROLES, future))
    held = roles.sync_roles()
    assert held["Future"] == 1
    assert list(
        Group.objects.get(name="Future").permissions.values_list("codename", flat=True)
    ) == ["view_part"]


def test_A4_grant_role_command_makes_staff_and_revoke_takes_it_back():
    member = User.objects.create_user("sam@example.com", "a long password")
    out = StringIO()
    call_command("grant_role", "SAM@example.com", "warehouse", stdout=out)
    member.refresh_from_db()
    assert member.is_staff and not member.is_superuser
    assert list(member.groups.values_list("name", flat=True)) == [WAREHOUSE.name]
    assert member.has_perm("orders.ship_order") and not member.has_perm("accounts.view_user")
    assert "Warehouse" in out.getvalue()
    call_command("grant_role", "sam@example.com", "Warehouse", "--revoke", stdout=StringIO())
    member = User.objects.get(pk=member.pk)
    assert not member.is_staff and not member.groups.exists()


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("nobody@example.com", "warehouse", "No account"),
        ("sam@example.com", "janitor", "No role called 'janitor'"),
    ],
)
def test_A4_grant_role_command_refuses_unknown_people_and_roles(email, role, message):
    User.objects.create_user("sam@example.com", "a long password")
    with pytest.raises(CommandError, match=message):
        call_command("grant_role", email, role)
    assert not User.objects.get(email="sam@example.com").is_staff


def test_A4_back_office_user_page_gives_a_role(client):
    member = User.objects.create_user("sam@example.com", "a long password")
    sign_in_with_role(client, ADMINISTRATOR)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    assert "Customer service" in client.get(url).content.decode()
    warehouse = Group.objects.get(name=WAREHOUSE.name).pk
    assert client.post(url, user_form(member, is_staff="on", groups=[warehouse])).status_code == 302
    member = User.objects.get(pk=member.pk)
    assert member.is_staff and member.has_perm("orders.ship_order")
    assert not member.has_perm("accounts.view_user")


@pytest.mark.django_db(transaction=True)
def test_A4_roles_survive_a_flush():
    """A flushed database (as after a transactional test) gets its roles back."""
    call_command("flush", interactive=False, verbosity=0)
    assert Group.objects.filter(name__in=[role.name for role in ROLES]).count() == len(ROLES)
    assert Permission.objects.filter(group__name=WAREHOUSE.name, codename="ship_order").exists()
