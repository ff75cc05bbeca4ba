"""People: shoppers and staff sign in with their email address (A1), keep
addresses (A3), and use the API with tokens (B2)."""

from functools import cache

from babel import Locale
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from camshaft.core.fields import EncryptedCharField, EncryptedDateField

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-.]{5,24}$",
    "Enter a phone number with digits, spaces, dashes or brackets, like +1 614 555 0100.",
)


# CLDR territories that are not ISO 3166-1 countries (unions, pseudo-locales,
# "unknown", exceptionally reserved codes). Kosovo's XK stays: carriers use it.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@cache
def _countries() -> tuple[tuple[str, str], ...]:
    names = Locale("en").territories
    return tuple(
        sorted(
            (
                (code, name)
                for code, name in names.items()
                if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
            ),
            key=lambda pair: pair[1],
        )
    )


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 two-letter countries, named in English (babel's CLDR data)."""
    return list(_countries())


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # One person, one address: the whole address is compared lower-cased.
        return (email or "").strip().lower()

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)
    # Null only for staff and accounts made before A1 asked for it.
    # V8: both encrypted at rest.
    date_of_birth = EncryptedDateField(null=True, blank=True)
    phone = EncryptedCharField(max_length=30, blank=True, validators=[phone_validator])
    #: When the person last chose their own password (registration, a
    #: set-password or reset link). Empty for a password someone else set
    #: (the demo account, `createsuperuser`): the deploy checks name those.
    password_chosen_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: When a link mailed to the address was opened (V3, V4): only then are
    #: orders placed as a guest under that address this member's too.
    email_verified_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class Address(models.Model):
    """A shipping or billing address in a member's address book. Encrypted
    at rest (V8) but for region and country, which tax, shipping zones and
    breach notices (V6) query."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    full_name = EncryptedCharField(max_length=150)
    line1 = EncryptedCharField("address line 1", max_length=200)
    line2 = EncryptedCharField("address line 2", max_length=200, blank=True)
    city = EncryptedCharField(max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = EncryptedCharField(max_length=20)
    country = models.CharField(max_length=2, choices=country_choices)
    phone = EncryptedCharField(max_length=30, blank=True, validators=[phone_validator])
    default_billing = models.BooleanField(default=False)
    default_shipping = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-default_shipping", "-default_billing", "id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(default_billing=True),
                name="one_default_billing_address",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(default_shipping=True),
                name="one_default_shipping_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}, {self.city} {self.country}"


class FailedSignIn(models.Model):
    """One failed sign-in, for the lock-outs of A2/V11. Neither the email nor
    the IP address is kept: only keyed hashes that can be matched again."""

    account_digest = models.CharField(max_length=64)
    client_digest = models.CharField(max_length=64)
    #: Set when the attempt came from a browser (or app) that signed in to
    #: this account before: such failures lock that device only, so a
    #: stranger's guesses never lock the owner out (A2, OWASP device cookies).
    device_digest = models.CharField(max_length=64, blank=True, default="")
    attempted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["account_digest", "attempted_at"]),
            models.Index(fields=["device_digest", "attempted_at"]),
            models.Index(fields=["client_digest", "attempted_at"]),
            models.Index(fields=["attempted_at"]),
        ]

    def __str__(self) -> str:
        return f"Failed sign-in at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is
    shown once, when it is issued, and its prefix identifies it later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class StaffInvitation(models.Model):
    """A one-time, expiring link with which a new staff member chooses their
    own password (A2, A4): nobody else ever knows it. Only the SHA-256 of
    the link's token is kept, so the table cannot be read into a way in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitations"
    )
    role = models.CharField(max_length=40, help_text="The role the invitation gave.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the invitation came from the command line.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.user} as {self.role}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        return "open" if self.is_open() else "expired"


class EnrolmentCode(models.Model):
    """A code mailed to a staff member before they may add an authenticator
    app when no set-password link proved the mailbox is theirs (A2): knowing
    the password alone must not let anyone enrol their own phone. Kept as a
    keyed hash; a few wrong tries use it up."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"Enrolment code for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"
