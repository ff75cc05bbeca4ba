"""Reads of the privacy app."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from camshaft.accounts.models import Address
from camshaft.core.spreadsheet import SafeDictWriter
from camshaft.orders.models import Order
from camshaft.privacy.models import BreachIncident

# --- Breach register (V6) ----------------------------------------------------

#: V6: people and the supervisory authority are told within 72 hours of discovery.
BREACH_NOTIFICATION_DEADLINE = timedelta(hours=72)

#: The 27 EU member states and the three other EEA states (Iceland,
#: Liechtenstein, Norway): where a resident must be told of a breach (V6).
EU_EEA_COUNTRIES = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        "IS", "LI", "NO",
    }
)  # fmt: skip

_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def listed_emails(text: str) -> list[str]:
    """The addresses in a breach's list, lower-cased, each once, in order."""
    seen: dict[str, None] = {}
    for email in _EMAIL_SEPARATORS.split(text or ""):
        if email:
            seen.setdefault(email.lower(), None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class AffectedPerson:
    email: str
    user_id: int | None
    #: Where the person lives as far as their addresses tell; "" if unknown.
    country: str

    @property
    def in_eu_eea(self) -> bool:
        return self.country in EU_EEA_COUNTRIES


def resident_country(countries: Iterable[str]) -> str:
    """The country a person lives in, from the countries of the addresses of
    one kind (address book defaults, or one order's billing and shipping).
    Any of them in the EU/EEA wins: when in doubt we tell the person."""
    countries = [country for country in countries if country]
    for country in countries:
        if country in EU_EEA_COUNTRIES:
            return country
    return countries[0] if countries else ""


def affected_people(incident: BreachIncident) -> Iterator[AffectedPerson]:
    """Everyone the incident's selection names, once each, with the country
    they live in. Members by their address book (defaults first), else by
    their latest order; guests by their latest order. Only address
    countries are read: the rest of an address is encrypted (V8)."""
    members, guest_emails = _selection(incident)
    seen: set[str] = set()
    member_countries = _member_countries(members)
    for user_id, email in members.values_list("id", "email").order_by("id").iterator():
        email = email.lower()
        seen.add(email)
        yield AffectedPerson(email, user_id, member_countries.get(user_id, ""))
    guests = _guest_countries(guest_emails)
    # A listed address may have neither account nor order: it is still named.
    names = guest_emails if isinstance(guest_emails, list) else list(guests)
    for email in names:
        if email not in seen:
            seen.add(email)
            yield AffectedPerson(email, None, guests.get(email, ""))


def _selection(incident: BreachIncident) -> tuple[QuerySet, list[str] | QuerySet]:
    """The members named by the incident, and the lower-cased addresses of
    guests (people without an account) it names."""
    users = get_user_model().objects
    period = (incident.period_start, incident.period_end)
    Selection = BreachIncident.Selection
    if incident.selection == Selection.ALL_MEMBERS:
        return users.all(), []
    if incident.selection == Selection.ACCOUNTS_CREATED_BETWEEN:
        return users.filter(date_joined__gte=period[0], date_joined__lt=period[1]), []
    if incident.selection == Selection.ORDERS_BETWEEN:
        orders = Order.objects.filter(placed_at__gte=period[0], placed_at__lt=period[1])
        members = users.filter(id__in=orders.filter(user__isnull=False).values("user_id"))
        guests = (
            orders.filter(user__isnull=True)
            .annotate(address=Lower("email"))
            .values_list("address", flat=True)
            .distinct()
        )
        return members, guests
    emails = listed_emails(incident.affected_emails)
    return users.filter(email__in=emails), emails


def _member_countries(members: QuerySet) -> dict[int, str]:
    """{user id: country lived in} for the members who have any address."""
    book: dict[int, tuple[list[str], list[str]]] = {}
    rows = (
        Address.objects.filter(user__in=members)
        .order_by("user_id", "id")
        .values_list("user_id", "country", "default_billing", "default_shipping")
    )
    for user_id, country, billing, shipping in rows.iterator():
        defaults, others = book.setdefault(user_id, ([], []))
        # Billing before shipping: a gift may ship where the payer does not live.
        if billing:
            defaults.insert(0, country)
        elif shipping:
            defaults.append(country)
        else:
            others.append(country)
    countries = {
        uid: resident_country(defaults or others) for uid, (defaults, others) in book.items()
    }
    latest = (
        Order.objects.filter(user__in=members.filter(addresses__isnull=True))
        .order_by("user_id", "-placed_at", "-id")
        .values_list("user_id", "billing_address__country", "shipping_address__country")
    )
    for user_id, billing, shipping in latest.iterator():
        countries.setdefault(user_id, resident_country((billing, shipping)))
    return countries


def _guest_countries(emails: list[str] | QuerySet) -> dict[str, str]:
    """{lower-cased address: country lived in} from each guest's latest order."""
    countries: dict[str, str] = {}
    latest = (
        Order.objects.filter(user__isnull=True)
        .annotate(address=Lower("email"))
        .filter(address__in=emails)
        .order_by("address", "-placed_at", "-id")
        .values_list("address", "billing_address__country", "shipping_address__country")
    )
    for email, billing, shipping in latest.iterator():
        countries.setdefault(email, resident_country((billing, shipping)))
    return countries


@dataclass(frozen=True, slots=True)
class BreachPreview:
    """How many people an incident reaches, before anyone is mailed."""

    in_eu_eea: int
    elsewhere: int
    unknown: int
    already_notified: int

    @property
    def to_notify(self) -> int:
        return self.in_eu_eea - self.already_notified


def breach_preview(incident: BreachIncident) -> BreachPreview:
    notified = set(incident.notices.values_list("email", flat=True))
    eu = elsewhere = unknown = done = 0
    for person in affected_people(incident):
        if person.in_eu_eea:
            eu += 1
            done += person.email in notified
        elif person.country:
            elsewhere += 1
        else:
            unknown += 1
    return BreachPreview(eu, elsewhere, unknown, done)


@dataclass(frozen=True, slots=True)
class BreachClock:
    """Where an incident stands against the 72 hours from discovery."""

    deadline: datetime
    #: Time left before the deadline; negative once it has passed.
    remaining: timedelta
    authority_notified_at: datetime | None
    people_notified_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def authority_in_time(self) -> bool | None:
        if self.authority_notified_at is None:
            return None
        return self.authority_notified_at <= self.deadline

    def __str__(self) -> str:
        if self.authority_notified_at is not None:
            late = "in time" if self.authority_in_time else "late"
            return f"Authority notified {late}"
        if self.overdue:
            return f"Overdue by {_hours(-self.remaining)}"
        return f"{_hours(self.remaining)} left"


def _hours(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def breach_clock(incident: BreachIncident, *, now: datetime | None = None) -> BreachClock:
    deadline = incident.discovered_at + BREACH_NOTIFICATION_DEADLINE
    return BreachClock(
        deadline=deadline,
        remaining=deadline - (now or timezone.now()),
        authority_notified_at=incident.authority_notified_at,
        people_notified_at=incident.people_notified_at,
    )


def breach_register() -> QuerySet[BreachIncident]:
    """The register's list, each incident with its number of notices."""
    return BreachIncident.objects.annotate(notice_count=Count("notices"))


# --- Sharing register (V10) --------------------------------------------------


# --- Access and portability (V3), retention (V5), policy notices (V1) --------

#: V3/V4: a person's request is answered within one month of being made.
DATA_REQUEST_DEADLINE_MONTHS = 1
#: V5: an account unused this long gets a warning mail...
RETENTION_WARNING_AFTER_MONTHS = 35
#: ...and is deleted at this age, if the warning was sent long enough before.
RETENTION_ERASE_AFTER_MONTHS = 36
RETENTION_MIN_NOTICE = timedelta(days=30)


def request_due_at(requested_at: datetime) -> datetime:
    from dateutil.relativedelta import relativedelta

    return requested_at + relativedelta(months=DATA_REQUEST_DEADLINE_MONTHS)


def months_ago(now: datetime, months: int) -> datetime:
    from dateutil.relativedelta import relativedelta

    return now - relativedelta(months=months)


def open_data_requests() -> QuerySet:
    from camshaft.privacy.models import DataRequest

    return DataRequest.objects.filter(status=DataRequest.Status.OPEN).order_by("due_at")


def last_activity_expression():
    """When a member last did something: signed in, joined or ordered."""
    from django.db.models import Max
    from django.db.models.functions import Coalesce, Greatest

    return Greatest(
        Coalesce("last_login", "date_joined"),
        Coalesce(Max("orders__placed_at"), "date_joined"),
    )


def inactive_members(*, since: datetime) -> QuerySet:
    """Customer accounts with no activity after `since` (staff are kept)."""
    return (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False)
        .annotate(last_active=last_activity_expression())
        .filter(last_active__lt=since)
    )


def _money(value) -> str:
    return str(value)


def _address(address) -> dict:
    if address is None:
        return {}
    fields = ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
    return {name: getattr(address, name) for name in fields}


def _when(value) -> str | None:
    return value.isoformat() if value else None


def orders_of(*, user=None, email: str = "") -> QuerySet:
    """A member's orders (with the guest orders under their confirmed
    address, V3, V4), or a guest's (orders placed without an account under
    `email`): whose data a request is about."""
    if user is not None:
        return Order.objects.belonging_to(user)
    return Order.objects.filter(user__isnull=True, email__iexact=email)


def personal_data(user=None, *, email: str = "") -> dict[str, list[dict]]:
    """Everything Camshaft holds about a member (`user`) or a guest known by
    `email` alone, section by section, as plain data (V3): what the export
    archive and the privacy officer hand over."""
    from camshaft.consent.models import ConsentRecord, Subscription
    from camshaft.consent.selectors import is_suppressed
    from camshaft.marketplace import selectors as marketplace_selectors
    from camshaft.notifications.models import OutboxMessage
    from camshaft.payments.models import SavedCard
    from camshaft.privacy.models import BreachNotice, DataRequest

    email = user.email if user is not None else email.strip().lower()
    orders = (
        orders_of(user=user, email=email)
        .select_related("billing_address", "shipping_address", "payment")
        .prefetch_related("lines", "events")
        .order_by("placed_at")
    )
    member = user is not None
    sections: dict[str, list[dict]] = {
        "profile": [
            {
                "email": email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "phone": user.phone,
                "date_of_birth": _when(user.date_of_birth),
                "joined_at": _when(user.date_joined),
                "last_sign_in_at": _when(user.last_login),
                "email_do_not_send": is_suppressed(email),
            }
        ]
        if member
        else [{"email": email, "email_do_not_send": is_suppressed(email)}],
        "addresses": [
            {
                **_address(a),
                "default_billing": a.default_billing,
                "default_shipping": a.default_shipping,
            }
            for a in (Address.objects.filter(user=user) if member else Address.objects.none())
        ],
        "orders": [
            {
                "number": o.number,
                "placed_at": _when(o.placed_at),
                "status": o.status,
                "email": o.email,
                "currency": o.currency,
                "items_total": _money(o.items_total),
                "shipping_total": _money(o.shipping_total),
                "tax_total": _money(o.tax_total),
                "grand_total": _money(o.grand_total),
                "shipping_method": o.shipping_method_name,
                "billing_address": _address(o.billing_address),
                "shipping_address": _address(o.shipping_address),
                "gift_message": o.gift_message,
                "payment": str(o.payment) if o.payment_id else "",
                "card": f"{o.payment.card_brand} {o.payment.card_last4}".strip()
                if o.payment_id
                else "",
            }
            for o in orders
        ],
        "order_lines": [
            {
                "order": o.number,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "line_total": _money(line.line_total),
            }
            for o in orders
            for line in o.lines.all()
        ],
        "order_history": [
            {"order": o.number, "at": _when(e.at), "action": e.action, "status": e.to_status}
            for o in orders
            for e in o.events.all()
        ],
        "saved_cards": [
            {"brand": c.brand, "last4": c.last4, "expires": f"{c.exp_month:02d}/{c.exp_year}"}
            for c in (SavedCard.objects.filter(user=user) if member else SavedCard.objects.none())
        ],
        "marketplace_seller": marketplace_selectors.personal_data(user) if member else [],
        "marketplace_listings": marketplace_selectors.listings_data(user) if member else [],
        "marketplace_listing_photos": marketplace_selectors.photos_data(user) if member else [],
        "marketplace_ratings": marketplace_selectors.ratings_data(user) if member else [],
        "marketplace_sales": marketplace_selectors.sales_data(user) if member else [],
        "marketplace_statements": marketplace_selectors.statements_data(user) if member else [],
        "marketplace_payouts": marketplace_selectors.payouts_data(user) if member else [],
        "marketplace_reports": marketplace_selectors.reports_data(user) if member else [],
        "consents": [
            {
                "purpose": c.purpose,
                "policy_version": c.policy_version.version,
                "given_at": _when(c.given_at),
                "channel": c.channel,
                "withdrawn_at": _when(c.withdrawn_at),
            }
            for c in ConsentRecord.objects.filter(
                Q(user=user) if member else Q(user__isnull=True, email__iexact=email)
            ).select_related("policy_version")
        ],
        "subscriptions": [
            {
                "list": "newsletter",
                "email": s.email,
                "status": s.status,
                "requested_at": _when(s.requested_at),
                "confirmed_at": _when(s.confirmed_at),
                "unsubscribed_at": _when(s.unsubscribed_at),
            }
            for s in Subscription.objects.filter(email=email)
        ],
        "mail_sent_to_you": [
            {
                "subject": m.subject,
                "kind": m.kind,
                "status": m.status,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
                "text": m.body_text,
            }
            for m in OutboxMessage.objects.filter(to_address=email).order_by("created_at")
        ],
        "data_requests": [
            {
                "kind": r.kind,
                "requested_at": _when(r.requested_at),
                "status": r.status,
                "completed_at": _when(r.completed_at),
            }
            for r in DataRequest.objects.filter(
                Q(user=user) if member else Q(user__isnull=True, email__iexact=email)
            )
        ],
        "breach_notices": [
            {
                "breach": n.incident.title,
                "discovered_at": _when(n.incident.discovered_at),
                "notified_at": _when(n.sent_at),
            }
            for n in BreachNotice.objects.filter(email__iexact=email).select_related("incident")
        ],
    }
    from camshaft.support.selectors import personal_data as support_data

    sections.update(support_data(user=user, email=email))
    from camshaft.chat.selectors import personal_data as chat_data

    sections.update(chat_data(user=user, email=email))
    from camshaft.returns.selectors import personal_data as returns_data

    sections.update(returns_data(order_ids=[order.pk for order in orders]))
    from camshaft.pricematch.selectors import personal_data as price_match_data

    sections.update(price_match_data(user=user, email=email))
    # Analytics events link to members only; a guest's are not theirs to find.
    from camshaft.analytics.selectors import events_for_user

    sections["analytics_events"] = list(events_for_user(user)) if member else []
    return sections


def export_archive(user=None, *, email: str = "", now: datetime | None = None) -> bytes:
    """A ZIP of `personal_data`: one JSON file with everything and one CSV
    per section, so both people and programs can read it (V3)."""
    import io
    import json
    import zipfile

    now = now or timezone.now()
    data = personal_data(user, email=email)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            "Everything we hold about you, made on "
            f"{now:%Y-%m-%d %H:%M} UTC.\n\n"
            "data.json holds it all; each CSV file holds one section, with nested values "
            "written as JSON.\n",
        )
        archive.writestr(
            "data.json",
            json.dumps({"made_at": now.isoformat(), **data}, indent=2, ensure_ascii=False),
        )
        for section, rows in data.items():
            text = io.StringIO()
            columns = list(dict.fromkeys(key for row in rows for key in row))
            writer = SafeDictWriter(text, fieldnames=columns or ["(none)"])
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {
                        key: json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else value
                        for key, value in row.items()
                    }
                )
            archive.writestr(f"{section}.csv", text.getvalue())
    return buffer.getvalue()
