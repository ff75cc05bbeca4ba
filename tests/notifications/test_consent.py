"""N1-N3: marketing mail only with confirmed consent, one-click unsubscribe
(RFC 8058), unsubscribe by mail, and the do-not-send list."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from camshaft.accounts.services import issue_api_token
from camshaft.consent import selectors as consent
from camshaft.consent import services as consent_services
from camshaft.consent.models import ConsentRecord, Subscription
from camshaft.notifications import selectors, services
from camshaft.notifications.models import NewsletterIssue, OutboxMessage

pytestmark = pytest.mark.django_db

PAT = "pat@example.com"


def link_in(message: OutboxMessage, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({path}[^\s\"<]+/)", message.body_text).group(1)


def confirmed(email: str = PAT) -> Subscription:
    services.subscribe(email=email, source="web")
    mail_ = OutboxMessage.objects.filter(to_address=email, category="newsletter_confirm").first()
    token = link_in(mail_, "/newsletter/confirm/").split("/")[-2]
    return services.confirm_subscription(token=token)


def newsletter(subject="Brake week") -> NewsletterIssue:
    return NewsletterIssue.objects.create(subject=subject, body="20% off rotors.")


def delivered_to(address: str) -> list[str]:
    services.deliver_due_messages()
    return [m.subject for m in mail.outbox if address in m.to]


def test_N1_marketing_mail_goes_only_to_confirmed_subscribers():
    services.subscribe(email="pending@example.com", source="web")
    confirmed(PAT)
    for address in (PAT, "pending@example.com", "stranger@example.com"):
        services.queue_email(
            to=address,
            subject="Offer",
            template="notifications/email/newsletter",
            context={"body": "Offer"},
            kind="marketing",
            category="offer",
        )
    services.deliver_due_messages()
    offers = [m.to[0] for m in mail.outbox if m.subject == "Offer"]
    assert offers == [PAT]
    held = OutboxMessage.objects.filter(category="offer", status="suppressed")
    assert sorted(held.values_list("to_address", flat=True)) == [
        "pending@example.com",
        "stranger@example.com",
    ]


def test_N2_subscription_counts_only_after_the_confirmation_is_pressed(client):
    response = client.post("/newsletter/", {"email": "Pat@Example.com", "agree": "on"})
    assert response.status_code == 200 and b"Check your inbox" in response.content
    subscription = Subscription.objects.get()
    assert subscription.email == PAT and subscription.status == "pending"
    confirm_mail = OutboxMessage.objects.get(category="newsletter_confirm")
    assert confirm_mail.kind == "transactional"
    path = link_in(confirm_mail, "/newsletter/confirm/")
    assert client.get(path).status_code == 200  # a mail scanner opening the link
    assert Subscription.objects.get().status == "pending"
    client.post(path)
    subscription.refresh_from_db()
    assert subscription.status == "confirmed" and subscription.confirmed_at
    consent = ConsentRecord.objects.get(purpose="newsletter")
    assert consent.email == PAT and consent.withdrawn_at is None


def test_N2_signing_up_needs_agreement_and_a_valid_address(client):
    assert client.post("/newsletter/", {"email": PAT}).status_code == 400
    assert (
        client.post("/newsletter/", {"email": "not-an-address", "agree": "on"}).status_code == 400
    )
    assert not Subscription.objects.exists() and not OutboxMessage.objects.exists()


def test_N2_a_forged_confirmation_link_confirms_nothing(client):
    services.subscribe(email=PAT, source="web")
    response = client.post("/newsletter/confirm/not-a-token/")
    assert response.status_code == 400 and b"not valid" in response.content
    assert Subscription.objects.get().status == "pending"


def test_N2_every_marketing_mail_has_one_click_unsubscribe_headers_and_link():
    confirmed()
    assert services.send_newsletter(issue=newsletter()) == 1
    services.deliver_due_messages()
    sent = next(m for m in mail.outbox if m.subject == "Brake week")
    link = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/newsletter/unsubscribe/" in link
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in sent.body


def test_N2_get_shows_a_page_and_one_click_post_unsubscribes_without_signing_in():
    confirmed()
    services.send_newsletter(issue=newsletter())
    message = OutboxMessage.objects.get(category="newsletter")
    path = link_in(message, "/newsletter/unsubscribe/")
    client = Client(enforce_csrf_checks=True)  # as a mail client: no cookie, no CSRF token
    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert Subscription.objects.get().status == "confirmed"  # a prefetch changes nothing
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.status == "unsubscribed" and subscription.unsubscribed_via == "link"
    assert ConsentRecord.objects.get(purpose="newsletter").withdrawn_at is not None


def test_N2_unsubscribe_link_works_for_30_days_and_not_after():
    confirmed()
    services.send_newsletter(issue=newsletter())
    path = link_in(OutboxMessage.objects.get(category="newsletter"), "/newsletter/unsubscribe/")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        late = Client().post(path)
    assert late.status_code == 400 and b"30 days" in late.content
    assert Subscription.objects.get().status == "confirmed"
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert Client().post(path).status_code == 200
    assert Subscription.objects.get().status == "unsubscribed"


def test_N2_unsubscribing_stops_a_newsletter_already_queued():
    confirmed()
    services.send_newsletter(issue=newsletter())
    consent_services.unsubscribe(email=PAT, via="link")
    assert "Brake week" not in delivered_to(PAT)
    assert OutboxMessage.objects.get(category="newsletter").status == "suppressed"


EML = (
    b"From: Pat Doe <Pat@Example.com>\r\nTo: shop@example.com\r\n"
    b"Subject: Re: Brake week - please UNSUBSCRIBE me\r\n\r\nNo more mail please.\r\n"
)


def test_N2_mail_with_unsubscribe_in_its_subject_unsubscribes_its_sender(tmp_path):
    confirmed()
    other = tmp_path / "other.eml"
    other.write_bytes(EML.replace(b"UNSUBSCRIBE me", b"where is my order"))
    eml = tmp_path / "stop.eml"
    eml.write_bytes(EML)
    call_command("inbound", str(other))
    assert Subscription.objects.get().status == "confirmed"
    call_command("inbound", str(eml))
    subscription = Subscription.objects.get()
    assert subscription.status == "unsubscribed" and subscription.unsubscribed_via == "inbound_mail"


def test_N2_inbound_polls_a_maildir_once_per_mail(tmp_path):
    import mailbox

    confirmed()
    box = mailbox.Maildir(tmp_path / "store")
    box.add(mailbox.MaildirMessage(EML))
    call_command("inbound", maildir=str(tmp_path / "store"))
    assert Subscription.objects.get().status == "unsubscribed"
    assert [m.get_subdir() for m in box] == ["cur"]
    services.subscribe(email=PAT, source="web")  # they change their mind later
    call_command("inbound", maildir=str(tmp_path / "store"))  # the old mail is not read again
    assert Subscription.objects.get().status == "pending"


ORDER_STATUS = ("order_confirmation", "order_shipped", "order_cancelled")
OTHER_TRANSACTIONAL = ("password_reset", "newsletter_confirm", "account_deleted", "policy_change")


def test_N3_do_not_send_address_gets_order_status_mail_only():
    confirmed()
    consent_services.set_do_not_send(email=PAT, on=True)
    for category in ORDER_STATUS + OTHER_TRANSACTIONAL:
        services.queue_email(
            to=PAT,
            subject=category,
            template="notifications/email/newsletter",
            context={"body": category},
            kind="transactional",
            category=category,
        )
    services.queue_email(
        to=PAT,
        subject="offer",
        template="notifications/email/newsletter",
        context={"body": "offer"},
        kind="marketing",
        category="offer",
    )
    services.send_newsletter(issue=newsletter())
    assert sorted(delivered_to(PAT)) == sorted(ORDER_STATUS)
    assert Subscription.objects.get().status == "unsubscribed"


def test_N3_the_list_holds_no_addresses_and_subscribing_is_refused_while_on_it():
    consent_services.set_do_not_send(email=PAT, on=True)
    from camshaft.consent.models import Suppression

    assert PAT not in str(list(Suppression.objects.values()))
    with pytest.raises(services.SubscriptionProblem, match="do-not-send"):
        services.subscribe(email=PAT, source="web")
    consent_services.set_do_not_send(email=PAT, on=False)
    assert services.subscribe(email=PAT, source="web").status == "pending"


def test_N2_member_sets_email_preferences_in_my_account(client, django_user_model):
    member = django_user_model.objects.create_user(email=PAT, password="x-long-pass-1")
    client.force_login(member)
    assert client.get("/account/email-preferences/").status_code == 200
    client.post("/account/email-preferences/", {"newsletter": "on"})
    assert Subscription.objects.get().status == "pending"
    assert Subscription.objects.get().user == member
    refused = client.post("/account/email-preferences/", {"newsletter": "on", "do_not_send": "on"})
    assert refused.status_code == 400 and b"either" in refused.content
    client.post("/account/email-preferences/", {"do_not_send": "on"})
    assert consent.preferences_of(PAT) == {"newsletter": "unsubscribed", "do_not_send": True}


def test_N2_email_preferences_need_a_signed_in_member(client):
    assert client.get("/account/email-preferences/").status_code == 302


def test_N2_api_subscribe_confirm_unsubscribe_and_preferences(client, django_user_model):
    refused = client.post(
        "/api/v1/newsletter/subscribe",
        {"email": PAT, "agree": False},
        content_type="application/json",
    )
    assert refused.status_code == 422
    accepted = client.post(
        "/api/v1/newsletter/subscribe",
        {"email": PAT, "agree": True},
        content_type="application/json",
    )
    assert accepted.status_code == 202
    token = link_in(
        OutboxMessage.objects.get(category="newsletter_confirm"), "/newsletter/confirm/"
    )
    token = token.split("/")[-2]
    bad = client.post("/api/v1/newsletter/confirm", {"token": "x"}, content_type="application/json")
    assert bad.status_code == 404  # a link that is not valid (any more)
    ok = client.post(
        "/api/v1/newsletter/confirm", {"token": token}, content_type="application/json"
    )
    assert ok.status_code == 200 and Subscription.objects.get().status == "confirmed"
    unsubscribe_token = selectors.unsubscribe_link(PAT).split("/")[-2]
    gone = client.post(
        "/api/v1/newsletter/unsubscribe",
        {"token": unsubscribe_token},
        content_type="application/json",
    )
    assert gone.status_code == 200 and Subscription.objects.get().status == "unsubscribed"

    member = django_user_model.objects.create_user(
        email="sam@example.com", password="x-long-pass-1"
    )
    headers = {"Authorization": f"Bearer {issue_api_token(user=member).key}"}
    assert client.get("/api/v1/me/email-preferences").status_code == 401
    assert client.get("/api/v1/me/email-preferences", headers=headers).json() == {
        "newsletter": "not_subscribed",
        "do_not_send": False,
    }
    changed = client.put(
        "/api/v1/me/email-preferences",
        {"newsletter": False, "do_not_send": True},
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["do_not_send"] is True
    assert consent.preferences_of(PAT)["do_not_send"] is False  # only their own address


def test_N2_staff_send_a_newsletter_once(admin_client):
    confirmed()
    issue = newsletter()
    response = admin_client.post(
        "/staff/notifications/newsletterissue/",
        {"action": "send_now", "_selected_action": [issue.pk]},
        follow=True,
    )
    assert b"queued for 1 subscriber" in response.content
    with pytest.raises(services.SubscriptionProblem):
        services.send_newsletter(issue=issue)
    assert OutboxMessage.objects.filter(category="newsletter").count() == 1


def test_N2_signup_form_has_a_honeypot_and_a_rate_limit(client, settings):
    filled = client.post(
        "/newsletter/", {"email": PAT, "agree": "on", "website": "http://spam.example"}
    )
    assert filled.status_code == 400
    assert not Subscription.objects.exists() and not OutboxMessage.objects.exists()
    settings.CAMSHAFT_RATE_LIMITS = {"newsletter": "2/m"}
    for n in range(2):
        client.post(
            "/api/v1/newsletter/subscribe",
            {"email": f"p{n}@example.com", "agree": True},
            content_type="application/json",
        )
    refused = client.post(
        "/api/v1/newsletter/subscribe",
        {"email": "p9@example.com", "agree": True},
        content_type="application/json",
    )
    assert refused.status_code == 429 and refused["Retry-After"]
    assert not Subscription.objects.filter(email="p9@example.com").exists()
