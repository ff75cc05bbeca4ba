"""A2, A4: staff are invited, choose their own password through a one-time
link, and prove their mailbox before an authenticator app is enrolled."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from camshaft.accounts import services
from camshaft.accounts.models import StaffInvitation, User
from camshaft.accounts.roles import ADMINISTRATOR, CUSTOMER_SERVICE, WAREHOUSE
from camshaft.core.models import AuditEntry
from camshaft.notifications.models import OutboxMessage
from tests.accounts.test_two_factor import code_of, mailed_code
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "torque wrench 1987"


def token_of(link: str) -> str:
    return re.search(r"/account/welcome/([^/]+)/", link).group(1)


def welcome(client, token, password=NEW_PASSWORD, again=None):
    return client.post(
        reverse("staff_welcome", kwargs={"token": token}),
        {"password": password, "password_again": again or password},
    )


def test_A2_invite_link_works_once(client, settings):
    settings.EMAIL_TO_FILES = True
    issued = services.invite_staff(email="Kim@Example.com", role=WAREHOUSE)
    assert not issued.mailed
    token = token_of(issued.link)
    user = issued.invitation.user
    assert user.email == "kim@example.com" and user.is_staff
    assert not user.has_usable_password()  # nobody knows a password yet
    assert StaffInvitation.objects.get().token_hash != token  # only its hash is kept

    assert client.get(reverse("staff_welcome", kwargs={"token": token})).status_code == 200
    response = welcome(client, token)
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor"))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.password_chosen_at

    other = client.__class__()
    assert other.get(reverse("staff_welcome", kwargs={"token": token})).status_code == 410
    assert welcome(other, token, password="another long password").status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_A2_invite_link_expires(client):
    issued = services.invite_staff(
        email="kim@example.com", role=WAREHOUSE, now=timezone.now() - timedelta(hours=73)
    )
    assert welcome(client, token_of(issued.link)).status_code == 410
    assert not User.objects.get(email="kim@example.com").has_usable_password()


def test_A2_a_weak_password_is_refused_and_the_link_still_works(client):
    issued = services.invite_staff(email="kim@example.com", role=WAREHOUSE)
    token = token_of(issued.link)
    refused = welcome(client, token, password="password1")
    assert refused.status_code == 400
    assert b"too common" in refused.content or b"too short" in refused.content
    assert welcome(client, token, password="a", again="b").status_code == 400
    assert welcome(client, token).status_code == 302


def test_A2_a_wrong_or_made_up_token_opens_nothing(client):
    services.invite_staff(email="kim@example.com", role=WAREHOUSE)
    assert welcome(client, "made-up-token").status_code == 410
    assert welcome(client, "x" * 500).status_code == 410
    # A path segment longer than any token is not a page at all (B2).
    assert client.get(f"/account/welcome/{'x' * 5000}/").status_code == 404


def test_A4_inviting_again_withdraws_the_earlier_link(client):
    first = services.invite_staff(email="kim@example.com", role=WAREHOUSE)
    second = services.invite_staff(email="kim@example.com", role=CUSTOMER_SERVICE)
    assert welcome(client, token_of(first.link)).status_code == 410
    assert welcome(client, token_of(second.link)).status_code == 302


def test_A4_an_account_with_its_own_password_is_not_invited(django_user_model):
    django_user_model.objects.create_user("pat@example.com", "pat's own password")
    with pytest.raises(services.StaffAccountExists):
        services.invite_staff(email="PAT@example.com", role=WAREHOUSE)
    assert not User.objects.get(email="pat@example.com").is_staff


def test_A2_invitation_is_mailed_when_mail_leaves_the_machine(settings):
    settings.EMAIL_TO_FILES = False
    issued = services.invite_staff(email="kim@example.com", role=WAREHOUSE)
    assert issued.mailed
    mail = OutboxMessage.objects.get(to_address="kim@example.com", category="staff_invitation")
    assert issued.link in mail.body_text
    assert "Warehouse" in mail.body_text


def test_B3_createstaff_prints_the_link_or_mails_it(settings, client):
    settings.EMAIL_TO_FILES = True
    out = io.StringIO()
    call_command("createstaff", "lee@example.com", "--role", "customer-service", stdout=out)
    link = re.search(r"http\S+/account/welcome/\S+/", out.getvalue()).group(0)
    assert welcome(client, token_of(link)).status_code == 302
    assert (
        User.objects.get(email="lee@example.com").groups.filter(name=CUSTOMER_SERVICE.name).exists()
    )

    settings.EMAIL_TO_FILES = False
    out = io.StringIO()
    call_command("createstaff", "sam@example.com", "--role", "warehouse", stdout=out)
    assert "/account/welcome/" not in out.getvalue() and "mailed" in out.getvalue()

    with pytest.raises(CommandError, match="No role called"):
        call_command("createstaff", "x@example.com", "--role", "boss")
    with pytest.raises(CommandError, match="valid email"):
        call_command("createstaff", "not-an-email", "--role", "warehouse")


def test_A2_password_alone_cannot_enrol_an_authenticator(client, django_user_model):
    """Someone who knows a staff member's password (set by another, leaked)
    signs in: no authenticator is shown or accepted without the mail code."""
    clerk = django_user_model.objects.create_user(
        "clerk@example.com", "a password others know", is_staff=True
    )
    client.post(reverse("sign_in"), {"email": clerk.email, "password": "a password others know"})
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200 and b"<svg" not in page.content
    assert "secret" not in page.context
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert client.post(reverse("two_factor"), {"code": "123456"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=clerk).exists()

    client.post(reverse("two_factor"), {"send_code": "1"})
    wrong = client.post(reverse("two_factor"), {"mail_code": "00000000"})
    assert wrong.status_code == 400 and b"<svg" not in wrong.content
    client.post(reverse("two_factor"), {"mail_code": mailed_code(clerk)})
    assert b"<svg" in client.get(reverse("two_factor")).content


def test_A2_a_mailed_code_is_used_up_by_wrong_tries(client, django_user_model):
    clerk = django_user_model.objects.create_user(
        "clerk@example.com", "a long password", is_staff=True
    )
    client.force_login(clerk)
    client.post(reverse("two_factor"), {"send_code": "1"})
    code = mailed_code(clerk)
    for _ in range(services.ENROLMENT_CODE_MAX_TRIES):
        client.post(reverse("two_factor"), {"mail_code": "12345678"})
    late = client.post(reverse("two_factor"), {"mail_code": code})
    assert late.status_code == 400
    assert b"<svg" not in client.get(reverse("two_factor")).content


def test_A2_a_new_code_waits_a_minute(django_user_model):
    clerk = django_user_model.objects.create_user(
        "clerk@example.com", "a long password", is_staff=True
    )
    now = timezone.now()
    services.send_enrolment_code(user=clerk, now=now)
    with pytest.raises(services.CodeSentRecently):
        services.send_enrolment_code(user=clerk, now=now + timedelta(seconds=30))
    services.send_enrolment_code(user=clerk, now=now + timedelta(seconds=61))
    with pytest.raises(services.InvalidEnrolmentCode):
        services.confirm_enrolment_code(user=clerk, code="1", now=now + timedelta(minutes=20))


def test_A2_invited_staff_enrol_at_once_and_reach_the_back_office(client):
    issued = services.invite_staff(email="kim@example.com", role=ADMINISTRATOR)
    welcome(client, token_of(issued.link))
    page = client.get(reverse("two_factor") + "?next=/staff/")
    assert b"<svg" in page.content  # the link proved the mailbox: no mail code
    device = TOTPDevice.objects.get(user=issued.invitation.user, confirmed=False)
    confirmed = client.post(reverse("two_factor"), {"code": code_of(device), "next": "/staff/"})
    assert confirmed.status_code == 200 and len(confirmed.context["codes"]) == 10
    assert client.get("/staff/").status_code == 200


def test_A4_administrators_invite_staff_in_the_back_office(client, settings):
    settings.EMAIL_TO_FILES = True
    admin = sign_in_with_role(client, ADMINISTRATOR)
    add = reverse("admin:accounts_staffinvitation_add")
    assert client.get(add).status_code == 200
    bad = client.post(add, {"email": "nope", "role": "warehouse"})
    assert bad.status_code == 200 and not StaffInvitation.objects.exists()
    done = client.post(add, {"email": "new@example.com", "role": "warehouse"})
    assert done.status_code == 200
    assert b"/account/welcome/" in done.content
    invitation = StaffInvitation.objects.get()
    assert invitation.invited_by == admin
    assert AuditEntry.objects.filter(staff=admin, subject_user_id=invitation.user_id).exists()

    changelist = reverse("admin:accounts_staffinvitation_changelist")
    client.post(changelist, {"action": "withdraw", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.state == "revoked"


def test_A4_only_administrators_invite_staff(client):
    sign_in_with_role(client, CUSTOMER_SERVICE)
    assert client.get(reverse("admin:accounts_staffinvitation_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_staffinvitation_add"),
            {"email": "x@example.com", "role": "administrator"},
        ).status_code
        == 403
    )
    assert not User.objects.filter(email="x@example.com").exists()


def test_A4_nobody_sets_another_persons_password_in_the_back_office(client, django_user_model):
    sign_in_with_role(client, ADMINISTRATOR)
    other = django_user_model.objects.create_user("other@example.com", "their own password")
    url = reverse("admin:auth_user_password_change", args=[other.pk])
    response = client.post(
        url, {"password1": "i know it now 123", "password2": "i know it now 123"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.check_password("their own password")
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
