"""Account use-cases: registration (A1), sign-in with lock-out, password
reset and staff two-factor sign-in (A2, V11), profile and address book (A3),
API tokens (B2)."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from camshaft.accounts import selectors
from camshaft.accounts.models import (
    Address,
    ApiToken,
    EnrolmentCode,
    FailedSignIn,
    StaffInvitation,
    User,
)
from camshaft.accounts.roles import Role, grant_role
from camshaft.consent import services as consent
from camshaft.consent.models import PrivacyPolicyVersion
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access

MINIMUM_AGE = 13  # A1: younger people may not register.
OLDEST_PLAUSIBLE_AGE = 120

# A2/V11 lock-outs.
ACCOUNT_MAX_FAILURES = 5
CLIENT_MAX_FAILURES = 20
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)

API_TOKEN_PREFIX_LENGTH = 8
DUPLICATE_EMAIL = "An account with this email already exists."


# Registration -------------------------------------------------------------


def age_on(day: date, *, born: date) -> int:
    """Whole years lived on `day`. Someone born on 29 February turns a year
    older on 1 March in common years (they have not reached 29 February)."""
    had_birthday = (day.month, day.day) >= (born.month, born.day)
    return day.year - born.year - (0 if had_birthday else 1)


def check_date_of_birth(born: date | None, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if born is None:
        raise ValidationError({"date_of_birth": "Enter your date of birth."})
    if born > today:
        raise ValidationError({"date_of_birth": "Date of birth can't be in the future."})
    age = age_on(today, born=born)
    if age > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError({"date_of_birth": "Please check your date of birth."})
    if age < MINIMUM_AGE:
        raise ValidationError({"date_of_birth": f"You must be at least {MINIMUM_AGE} to register."})


def check_registration(
    *,
    email: str,
    password: str,
    date_of_birth: date | None,
    accepted_policy_version: PrivacyPolicyVersion | str | None,
    today: date | None = None,
    first_name: str = "",
    last_name: str = "",
) -> PrivacyPolicyVersion:
    """Raise ValidationError keyed by field if `register` would refuse these
    details; return the policy they accept. Stores nothing, so a checkout can
    ask before it charges anything (K4)."""
    email = User.objects.normalize_email(email)
    problems: dict[str, list[str]] = {}

    def problem(field: str, error: ValidationError) -> None:
        problems.setdefault(field, []).extend(error.messages)

    try:
        User._meta.get_field("email").run_validators(email)
        if not email:
            raise ValidationError("Enter your email address.")
    except ValidationError as error:
        problem("email", error)
    else:
        if User.objects.filter(email__iexact=email).exists():
            problem("email", ValidationError(DUPLICATE_EMAIL))
    try:
        check_date_of_birth(date_of_birth, today=today)
    except ValidationError as error:
        problem("date_of_birth", error)
    try:
        validate_password(
            password or "", user=User(email=email, first_name=first_name, last_name=last_name)
        )
    except ValidationError as error:
        problem("password", error)
    policy = consent.current_policy()
    accepted = getattr(accepted_policy_version, "version", accepted_policy_version)
    if accepted != policy.version:
        problem(
            "accepted_policy_version",
            ValidationError(
                f"Please read and accept the current privacy policy (version {policy.version})."
            ),
        )
    if problems:
        raise ValidationError(problems)
    return policy


@transaction.atomic
def register(
    *,
    email: str,
    password: str,
    date_of_birth: date | None,
    accepted_policy_version: PrivacyPolicyVersion | str | None,
    channel: str,
    today: date | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a member and record their consent to the policy in force.

    Raises ValidationError keyed by field; nothing is stored when it does."""
    policy = check_registration(
        email=email,
        password=password,
        date_of_birth=date_of_birth,
        accepted_policy_version=accepted_policy_version,
        today=today,
        first_name=first_name,
        last_name=last_name,
    )
    email = User.objects.normalize_email(email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                date_of_birth=date_of_birth,
                first_name=first_name,
                last_name=last_name,
                password_chosen_at=timezone.now(),
            )
    except IntegrityError:  # registered by a concurrent request a moment ago
        raise ValidationError({"email": DUPLICATE_EMAIL}) from None
    consent.record_consent(user=user, version=policy, channel=channel)
    send_email_confirmation(user=user)
    return user


# Confirming the email address (V3, V4) --------------------------------------
#
# A member's address is theirs once a link mailed to it was opened. Until
# then nothing found by that address alone (orders placed there as a guest)
# is shown to, exported for or erased with the account: anyone can type
# someone else's address when registering.

EMAIL_CONFIRMATION_DAYS = 7
EMAIL_CONFIRMATION_RESEND_AFTER = timedelta(minutes=1)


class InvalidConfirmationLink(Exception):
    message = (
        "This confirmation link is not valid, has expired or is for another account. Sign in "
        "to the account you made and ask for a new one on My Account."
    )


def _email_confirmation():
    from camshaft.notifications.selectors import SignedLink

    return SignedLink("confirm_email", "camshaft.accounts.confirm-email", EMAIL_CONFIRMATION_DAYS)


def send_email_confirmation(*, user: User, now: datetime | None = None) -> None:
    """Mail `user` a link confirming their address (at most once a minute).
    Raises CodeSentRecently when asked again too soon."""
    from camshaft.notifications.models import OutboxMessage
    from camshaft.notifications.services import queue_email

    now = now or timezone.now()
    reference = f"user:{user.pk}"
    latest = (
        OutboxMessage.objects.filter(category="email_confirmation", reference=reference)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if latest and now - latest < EMAIL_CONFIRMATION_RESEND_AFTER:
        wait = EMAIL_CONFIRMATION_RESEND_AFTER - (now - latest)
        raise CodeSentRecently(wait_seconds=max(1, int(wait.total_seconds())))
    queue_email(
        to=user.email,
        subject=f"Confirm your email address for {settings.STORE_NAME}",
        template="accounts/email/confirm_email",
        context={
            "name": user.first_name or user.email,
            "link": _email_confirmation().url(user.email),
            "days": EMAIL_CONFIRMATION_DAYS,
        },
        category="email_confirmation",
        reference=reference,
    )


def mark_email_verified(*, user: User, now: datetime | None = None) -> None:
    """Record that the member holds the mailbox (a link mailed to it was opened)."""
    if user.email_verified_at is None:
        user.email_verified_at = now or timezone.now()
        user.save(update_fields=["email_verified_at"])


def confirm_email(*, user: User, token: str, now: datetime | None = None) -> None:
    """`user`, signed in, opened the link mailed to their address. Signed in,
    because someone who receives a link for an account they did not make
    (registered with their address by another) must not confirm it for
    whoever made it. Raises InvalidConfirmationLink."""
    address = _email_confirmation().address(token)
    if not address or address != user.email:
        raise InvalidConfirmationLink
    mark_email_verified(user=user, now=now)


# Sign-in and lock-out -----------------------------------------------------


class InvalidCredentials(Exception):
    """Email or password wrong; deliberately says no more than that."""

    message = "The email or password is not right."


@dataclass
class SignInLocked(Exception):
    """Too many failures for this account or from this client."""

    until: datetime

    def retry_after_seconds(self, *, now: datetime | None = None) -> int:
        remaining = (self.until - (now or timezone.now())).total_seconds()
        return max(1, int(remaining) + (remaining % 1 > 0))

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after_seconds() // 60))
        return (
            "Too many failed sign-ins. For your security, signing in is paused: "
            f"try again at {self.until:%H:%M} UTC (in about {minutes} minute"
            f"{'s' if minutes != 1 else ''}), or reset your password."
        )


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"camshaft.accounts.sign-in.{kind}", value, algorithm="sha256").hexdigest()


def account_digest(email: str) -> str:
    return _digest("account", User.objects.normalize_email(email))


def client_digest(ip: str | None) -> str:
    return _digest("client", ip or "unknown")


def lock_ends(
    failures: list[datetime], *, threshold: int, window: timedelta, duration: timedelta
) -> datetime | None:
    """When the newest lock brought on by `failures` (ascending) ends: a lock
    starts at the failure that completes `threshold` failures within `window`
    and lasts `duration`. None if no such run exists."""
    for last in range(len(failures) - 1, threshold - 2, -1):
        if failures[last] - failures[last - threshold + 1] <= window:
            return failures[last] + duration
    return None


def _locked_until(
    field: str, digest: str, threshold: int, now: datetime, *, untrusted_only: bool = False
) -> datetime | None:
    since = now - FAILURE_WINDOW - LOCK_DURATION
    failures = FailedSignIn.objects.filter(**{field: digest}, attempted_at__gte=since)
    if untrusted_only:
        failures = failures.filter(device_digest="")
    times = list(failures.order_by("attempted_at").values_list("attempted_at", flat=True))
    ends = lock_ends(times, threshold=threshold, window=FAILURE_WINDOW, duration=LOCK_DURATION)
    return ends if ends and ends > now else None


# A browser (or app) that signed in to an account is trusted by it: a signed
# token naming the account and the device, kept in an HttpOnly cookie (or
# by the app). Strangers' failures lock the account for everyone else; a
# trusted device is locked only by its own failures (OWASP "device cookies").
DEVICE_SALT = "camshaft.accounts.device"
DEVICE_MAX_AGE = timedelta(days=365)
DEVICE_COOKIE_PREFIX = "device_"


def device_cookie_name(email: str) -> str:
    """One cookie per account, so a shared computer trusts each separately."""
    return DEVICE_COOKIE_PREFIX + account_digest(email)[:16]


def issue_device_token(*, email: str) -> str:
    payload = {"a": account_digest(email)[:32], "d": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=DEVICE_SALT)


def trusted_device(*, token: str | None, email: str) -> str | None:
    """The device's digest if `token` is a device token of this account."""
    if not token or len(token) > 500:
        return None
    try:
        payload = signing.loads(token, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE.total_seconds())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("a") != account_digest(email)[:32]:
        return None
    return _digest("device", str(payload.get("d", "")))


def sign_in_lock(
    *, email: str, client_ip: str | None, device: str | None = None, now: datetime | None = None
):
    """The later end of the locks that apply, or None: the client's, and the
    account's for an unknown device or the device's own for a trusted one."""
    now = now or timezone.now()
    if device:
        own = _locked_until("device_digest", device, ACCOUNT_MAX_FAILURES, now)
    else:
        own = _locked_until(
            "account_digest", account_digest(email), ACCOUNT_MAX_FAILURES, now, untrusted_only=True
        )
    client = _locked_until("client_digest", client_digest(client_ip), CLIENT_MAX_FAILURES, now)
    return max((end for end in (own, client) if end), default=None)


def check_credentials(
    *,
    email: str,
    password: str,
    client_ip: str | None,
    device_token: str | None = None,
    request=None,
    now=None,
) -> User:
    """The user these credentials belong to, or an exception. A locked
    account or client is refused before the password is even checked, so
    guessing on cannot succeed while the lock lasts. A device that signed in
    to the account before gets through the account's lock (strangers cannot
    keep the owner out) and is locked only by its own failures."""
    now = now or timezone.now()
    device = trusted_device(token=device_token, email=email)
    if until := sign_in_lock(email=email, client_ip=client_ip, device=device, now=now):
        raise SignInLocked(until)
    user = authenticate(request, email=User.objects.normalize_email(email), password=password)
    if user is None:
        FailedSignIn.objects.create(
            account_digest=account_digest(email),
            client_digest=client_digest(client_ip),
            device_digest=device or "",
            attempted_at=now,
        )
        # Rows older than any lock can reach are no use: keep the table small.
        FailedSignIn.objects.filter(attempted_at__lt=now - FAILURE_WINDOW - LOCK_DURATION).delete()
        raise InvalidCredentials
    if device and sign_in_lock(email=email, client_ip=client_ip, now=now):
        record_access(
            staff=None,
            action=AuditAction.LOCK_PASSED,
            subject_user_id=user.pk,
            subject_email=user.email,
            detail="signed in through the account's lock from a device it trusts",
            actor="the customer",
        )
    FailedSignIn.objects.filter(account_digest=account_digest(email)).delete()
    return user


# A locked-out owner on a new device asks for a link by mail: opening it
# makes that browser trusted, so the password works again at once.
UNLOCK_SALT = "camshaft.accounts.unlock"
UNLOCK_LINK_MINUTES = 30


def _unlock_stamp(user: User) -> str:
    """Changes once the owner signs in or changes the password: a used or
    stale link stops working."""
    seen = user.last_login.isoformat() if user.last_login else ""
    return salted_hmac(UNLOCK_SALT, f"{user.pk}:{user.password}:{seen}").hexdigest()[:24]


def send_unlock_link(*, email: str, origin: str, now: datetime | None = None) -> None:
    """Mail a link that lets this browser through the account's lock, if an
    active account has this email and is locked. The caller answers the
    same either way, so nothing is revealed."""
    from camshaft.notifications.services import queue_email

    user = User.objects.filter(
        email__iexact=User.objects.normalize_email(email), is_active=True
    ).first()
    if user is None or not sign_in_lock(email=user.email, client_ip=None, now=now):
        return
    token = signing.dumps({"u": user.pk, "s": _unlock_stamp(user)}, salt=UNLOCK_SALT)
    queue_email(
        to=user.email,
        subject="Get back into your Camshaft account",
        template="accounts/email/unlock",
        context={
            "name": user.first_name or user.email,
            "unlock_url": origin.rstrip("/") + reverse("unlock_sign_in", args=[token]),
            "valid_minutes": UNLOCK_LINK_MINUTES,
        },
        kind="transactional",
        category="sign_in_unlock",
        reference=f"user:{user.pk}",
    )


def _unlock_user(token: str) -> User | None:
    try:
        payload = signing.loads(token[:500], salt=UNLOCK_SALT, max_age=UNLOCK_LINK_MINUTES * 60)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or payload.get("s") != _unlock_stamp(user):
        return None
    return user


def unlock_link_valid(*, token: str) -> bool:
    return _unlock_user(token) is not None


def use_unlock_link(*, token: str) -> tuple[User, str] | None:
    """The account and a device token for the browser that opened the link,
    or None for a link that is forged, too old or used."""
    user = _unlock_user(token)
    if user is None:
        return None
    record_access(
        staff=None,
        action=AuditAction.LOCK_PASSED,
        subject_user_id=user.pk,
        subject_email=user.email,
        detail="opened the mailed link that lets a browser through the sign-in lock",
        actor="the customer",
    )
    return user, issue_device_token(email=user.email)


# Password reset -----------------------------------------------------------


def password_reset_link(*, user: User, origin: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return origin.rstrip("/") + path


def request_password_reset(*, email: str, origin: str) -> None:
    """Mail a reset link if an active account has this email. The caller
    shows the same answer either way, so the page reveals no accounts."""
    from camshaft.notifications.services import queue_email

    user = User.objects.filter(
        email__iexact=User.objects.normalize_email(email), is_active=True
    ).first()
    if user is None or not user.has_usable_password():
        return
    queue_email(
        to=user.email,
        subject="Reset your Camshaft password",
        template="accounts/email/password_reset",
        context={
            "name": user.first_name or user.email,
            "reset_url": password_reset_link(user=user, origin=origin),
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        },
        kind="transactional",
        category="password_reset",
        reference=f"user:{user.pk}",
    )


def password_was_reset(*, user: User) -> None:
    """A new password ends any lock-out and every API token made before; the
    owner chose it themselves, through a link only their mailbox received."""
    user.password_chosen_at = timezone.now()
    user.save(update_fields=["password_chosen_at"])
    mark_email_verified(user=user)
    FailedSignIn.objects.filter(account_digest=account_digest(user.email)).delete()
    ApiToken.objects.filter(user=user).delete()


# Profile and addresses ------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "phone", "date_of_birth")
#: The fields of a postal address, wherever one is kept (address book, orders).
POSTAL_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
)
ADDRESS_FIELDS = (*POSTAL_FIELDS, "default_billing", "default_shipping")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


@transaction.atomic
def update_profile(*, user: User, changes: dict, today: date | None = None) -> User:
    """Apply `changes` (a subset of PROFILE_FIELDS) all or nothing."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field can't be changed here." for name in unknown})
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in changes.items():
        setattr(user, name, _strip(value))
    if "date_of_birth" in changes:
        check_date_of_birth(user.date_of_birth, today=today)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=list(changes))
    return user


def clean_address(values: dict) -> dict:
    """`values` (POSTAL_FIELDS) checked as an address book entry would be,
    stripped and with the country upper-cased. Raises ValidationError keyed
    by field. Checkout uses it for one-off addresses."""
    fields = POSTAL_FIELDS
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError({name: "Unknown address field." for name in unknown})
    address = Address(**{name: _strip(values.get(name) or "") for name in fields})
    address.country = address.country.upper()
    address.full_clean(exclude=["user"])
    return {name: getattr(address, name) for name in fields}


@transaction.atomic
def save_address(*, user: User, changes: dict, address_id: int | None = None) -> Address:
    """Add an address (no `address_id`) or change one of `user`'s own. At
    most one default billing and one default shipping address per member."""
    unknown = set(changes) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown address field." for name in unknown})
    # Locking the member's row serialises two saves racing for "default".
    User.objects.select_for_update().filter(pk=user.pk).exists()
    if address_id is None:
        address = Address(user=user)
    else:
        address = Address.objects.get(pk=address_id, user=user)
    for name, value in changes.items():
        setattr(address, name, _strip(value))
    if isinstance(address.country, str):
        address.country = address.country.upper()
    address.full_clean(exclude=["user"])
    others = Address.objects.filter(user=user).exclude(pk=address.pk)
    if address.default_billing:
        others.filter(default_billing=True).update(default_billing=False)
    if address.default_shipping:
        others.filter(default_shipping=True).update(default_shipping=False)
    address.save()
    return address


@transaction.atomic
def delete_address(*, user: User, address_id: int) -> None:
    deleted, _ = Address.objects.filter(pk=address_id, user=user).delete()
    if not deleted:
        raise Address.DoesNotExist


# API tokens -----------------------------------------------------------------


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class IssuedToken:
    key: str
    token: ApiToken


def issue_api_token(*, user: User) -> IssuedToken:
    """A new random key; only its hash is stored, the key is returned once."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=hash_token(key), prefix=key[:API_TOKEN_PREFIX_LENGTH]
    )
    return IssuedToken(key=key, token=token)


def revoke_api_token(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


# Two-factor sign-in for staff (A2) -------------------------------------------
#
# Staff prove a second factor with an authenticator app (TOTP, RFC 6238)
# before the back office opens: django-otp keeps the device, verifies codes
# with replay protection and slows down guessing. Ten single-use backup codes
# are issued when the app is set up, for a lost phone.

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"


class InvalidSecondFactor(Exception):
    message = "That code is not right, or it was used already. Try the newest code from the app."


def needs_second_factor(user) -> bool:
    """Staff accounts sign in with a second factor; shoppers need not."""
    return bool(user.is_authenticated and user.is_staff)


def has_second_factor(user) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


@transaction.atomic
def authenticator_to_set_up(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator whose secret the setup page shows (one
    per member, kept until it is confirmed, so reloading shows the same QR)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def _code(token: str) -> str:
    return "".join((token or "").split())[:16]


@transaction.atomic
def confirm_authenticator(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app with a code it shows; returns the device and a fresh
    set of backup codes (shown once). Raises InvalidSecondFactor."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None or not device.verify_token(_code(token)):
        raise InvalidSecondFactor
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device, new_backup_codes(user=user)


@transaction.atomic
def new_backup_codes(*, user: User) -> list[str]:
    """Replace the member's backup codes with BACKUP_CODE_COUNT new ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def check_second_factor(*, user: User, token: str):
    """The confirmed device (app or backup code) that accepts `token`; each
    code works once and wrong guesses slow further tries. Raises
    InvalidSecondFactor."""
    device = django_otp.match_token(user, _code(token))
    if device is None:
        raise InvalidSecondFactor
    return device


# Staff invitations and proof of the mailbox (A2, A4) --------------------------
#
# Nobody but its owner ever knows a staff password: an administrator (or
# `camshaft createstaff`) invites a person, who chooses their password through
# a one-time link. Before anyone adds an authenticator app to an account, they
# prove the mailbox is theirs (that link, a password-reset link or a code sent
# by mail): a password someone else knows must not be enough to enrol a phone.

INVITATION_LIFETIME = timedelta(hours=72)
ENROLMENT_CODE_LIFETIME = timedelta(minutes=15)
ENROLMENT_CODE_MAX_TRIES = 5
ENROLMENT_CODE_RESEND_AFTER = timedelta(seconds=60)
ENROLMENT_CODE_DIGITS = 8
#: The session remembers which account proved its mailbox in it.
MAILBOX_PROVEN_SESSION_KEY = "camshaft.accounts.mailbox_proven"


class StaffAccountExists(ValidationError):
    def __init__(self, email: str):
        super().__init__(
            {
                "email": f"{email} already has an account with a password of its own: "
                "give it a role instead (camshaft grant-role, or the groups on its user page)."
            },
            code="account_exists",
        )


class InvitationClosed(Exception):
    message = (
        "This invitation link has expired, was used already or was withdrawn. "
        "Ask an administrator of the store for a new one."
    )


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: StaffInvitation
    #: The one-time link, returned once; only its hash is stored.
    link: str = field(repr=False)
    #: True when the link went by mail, so whoever invited need not pass it on.
    mailed: bool


def mail_leaves_the_machine() -> bool:
    """False in the embedded default, whose mail is only written to files."""
    return not settings.EMAIL_TO_FILES


def _invitation_link(token: str) -> str:
    return settings.STORE_URL + reverse("staff_welcome", kwargs={"token": token})


@transaction.atomic
def invite_staff(
    *, email: str, role: Role, invited_by: User | None = None, now: datetime | None = None
) -> IssuedInvitation:
    """Make `email` a staff member with `role` and issue their set-password
    link, mailed when mail leaves the machine. Inviting again someone who
    has not yet chosen a password withdraws the earlier link."""
    now = now or timezone.now()
    email = User.objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password=None)  # unusable until chosen
    elif user.has_usable_password():
        raise StaffAccountExists(email)
    grant_role(user=user, role=role)
    StaffInvitation.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        user=user,
        role=role.slug,
        token_hash=hash_token(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    link = _invitation_link(token)
    mailed = mail_leaves_the_machine()
    if mailed:
        from camshaft.notifications.services import queue_email

        queue_email(
            to=email,
            subject=f"You are invited to the {settings.STORE_NAME} back office",
            template="accounts/email/staff_invitation",
            context={
                "role": role,
                "link": link,
                "expires_at": invitation.expires_at,
                "invited_by": invited_by.get_full_name() or invited_by.email if invited_by else "",
            },
            category="staff_invitation",
            reference=f"user:{user.pk}",
        )
    record_access(
        staff=invited_by,
        actor="camshaft createstaff",
        action=AuditAction.CHANGED,
        subject_user_id=user.pk,
        subject_email=email,
        obj=invitation,
        detail=f"Invited as {role.name}; link {'mailed' if mailed else 'handed over'}",
    )
    return IssuedInvitation(invitation=invitation, link=link, mailed=mailed)


def _open_invitation(token: str, *, now: datetime, lock: bool = False) -> StaffInvitation:
    invitations = StaffInvitation.objects.select_related("user")
    if lock:
        invitations = invitations.select_for_update()
    invitation = invitations.filter(token_hash=hash_token(token or "")).first()
    if invitation is None or not invitation.is_open(now) or not invitation.user.is_active:
        raise InvitationClosed
    return invitation


def invitation_for_link(*, token: str, now: datetime | None = None) -> StaffInvitation:
    """The open invitation behind a link, for its page. Raises InvitationClosed."""
    return _open_invitation(token, now=now or timezone.now())


@transaction.atomic
def accept_invitation(*, token: str, password: str, now: datetime | None = None) -> User:
    """Set the invited person's own password; the link then works no more.
    Raises InvitationClosed, or ValidationError for a weak password (and
    then the link still works)."""
    now = now or timezone.now()
    invitation = _open_invitation(token, now=now, lock=True)
    user = invitation.user
    try:
        validate_password(password, user)
    except ValidationError as weak:
        raise ValidationError({"password": weak.messages}) from None
    user.set_password(password)
    user.password_chosen_at = now
    user.email_verified_at = user.email_verified_at or now  # the link came by mail
    user.save(update_fields=["password", "password_chosen_at", "email_verified_at"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    record_access(
        staff=None,
        actor="invitation link",
        action=AuditAction.CHANGED,
        subject_user_id=user.pk,
        subject_email=user.email,
        obj=invitation,
        detail="Chose a password through the invitation link",
    )
    return user


def mailbox_proven(session, user) -> bool:
    return session.get(MAILBOX_PROVEN_SESSION_KEY) == user.pk


def prove_mailbox(session, user) -> None:
    """Remember in the session that `user` opened a link or typed a code that
    only reached their mailbox."""
    session[MAILBOX_PROVEN_SESSION_KEY] = user.pk


class InvalidEnrolmentCode(Exception):
    message = (
        "That code is not right, has expired or was tried too often. "
        "Ask for a new one and type the newest code from the mail."
    )


@dataclass
class CodeSentRecently(Exception):
    wait_seconds: int

    @property
    def message(self) -> str:
        return (
            f"We sent you a mail a moment ago: look for it, or ask again in "
            f"{self.wait_seconds} seconds."
        )


def _enrolment_digest(user: User, code: str) -> str:
    return salted_hmac(
        "camshaft.accounts.enrolment-code", f"{user.pk}:{code}", algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def send_enrolment_code(*, user: User, now: datetime | None = None) -> EnrolmentCode:
    """Mail `user` a code that proves the mailbox is theirs; an earlier code
    stops working. Raises CodeSentRecently when asked again too soon."""
    now = now or timezone.now()
    User.objects.select_for_update().filter(pk=user.pk).first()  # one sender at a time
    latest = EnrolmentCode.objects.filter(user=user).order_by("-created_at").first()
    if latest and now - latest.created_at < ENROLMENT_CODE_RESEND_AFTER:
        wait = ENROLMENT_CODE_RESEND_AFTER - (now - latest.created_at)
        raise CodeSentRecently(wait_seconds=max(1, int(wait.total_seconds())))
    EnrolmentCode.objects.filter(user=user, used_at=None).update(used_at=now)
    code = f"{secrets.randbelow(10**ENROLMENT_CODE_DIGITS):0{ENROLMENT_CODE_DIGITS}d}"
    sent = EnrolmentCode.objects.create(
        user=user,
        code_hash=_enrolment_digest(user, code),
        created_at=now,
        expires_at=now + ENROLMENT_CODE_LIFETIME,
    )
    from camshaft.notifications.services import queue_email

    queue_email(
        to=user.email,
        subject=f"Your code to set up two-factor sign-in at {settings.STORE_NAME}",
        template="accounts/email/enrolment_code",
        context={"code": code, "minutes": int(ENROLMENT_CODE_LIFETIME.total_seconds() // 60)},
        category="sign_in_code",
        reference=f"user:{user.pk}",
    )
    return sent


def confirm_enrolment_code(*, user: User, code: str, now: datetime | None = None) -> None:
    """Accept the newest code mailed to `user`, once. A wrong try counts
    against the code (and is kept); raises InvalidEnrolmentCode."""
    now = now or timezone.now()
    typed = "".join((code or "").split())
    with transaction.atomic():
        sent = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, used_at=None, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if sent is None:
            accepted = False
        elif constant_time_compare(sent.code_hash, _enrolment_digest(user, typed)):
            sent.used_at = now
            sent.save(update_fields=["used_at"])
            accepted = True
        else:
            sent.failed_tries += 1
            if sent.failed_tries >= ENROLMENT_CODE_MAX_TRIES:
                sent.used_at = now
            sent.save(update_fields=["failed_tries", "used_at"])
            accepted = False
    if not accepted:
        raise InvalidEnrolmentCode


@transaction.atomic
def withdraw_invitations(*, invitations, by: User, now: datetime | None = None) -> int:
    """Stop open invitation links from working; answers how many were open."""
    now = now or timezone.now()
    withdrawn = list(invitations.select_for_update().filter(used_at=None, revoked_at=None))
    for invitation in withdrawn:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        record_access(
            staff=by,
            action=AuditAction.CHANGED,
            subject_user_id=invitation.user_id,
            obj=invitation,
            detail="Withdrew the invitation",
        )
    return len(withdrawn)


@transaction.atomic
def disarm_default_passwords() -> list[User]:
    """Stop every staff password anyone may know from working (A2, A4): the
    password becomes unusable, and the authenticators and API tokens made
    with it go, since a stranger may have enrolled them. The owner comes back
    through a new invitation (`camshaft createstaff EMAIL --role ROLE`)."""
    disarmed = selectors.staff_with_default_passwords()
    for user in disarmed:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        for device in django_otp.devices_for_user(user, confirmed=None):
            device.delete()
        ApiToken.objects.filter(user=user).delete()
        record_access(
            staff=None,
            actor="camshaft serve",
            action=AuditAction.CHANGED,
            subject_user_id=user.pk,
            subject_email=user.email,
            detail="Disabled a known default password, its authenticators and API tokens",
        )
    return disarmed


def forget_person(*, email: str) -> None:
    """Erasure (V4): failed sign-ins counted against the address go."""
    FailedSignIn.objects.filter(account_digest=account_digest(email)).delete()
