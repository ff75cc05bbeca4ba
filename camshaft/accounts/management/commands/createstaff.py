"""camshaft createstaff EMAIL --role ROLE: invite a staff member (A2, A4).

The person gets a one-time, expiring link to choose their own password, by
mail when the store sends mail, else printed here for you to pass on."""

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from camshaft.accounts import services
from camshaft.accounts.roles import ROLES, UnknownRole, role_named


class Command(BaseCommand):
    help = (
        "Make EMAIL a staff member with ROLE and issue their one-time set-password link "
        "(mailed when EMAIL_URL is set, printed otherwise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--role", required=True, help="one of: " + ", ".join(role.slug for role in ROLES)
        )

    def handle(self, *args, **opts):
        try:
            role = role_named(opts["role"])
            issued = services.invite_staff(email=opts["email"], role=role)
        except UnknownRole as problem:
            raise CommandError(str(problem)) from None
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None
        email = issued.invitation.user.email
        expires = f"{issued.invitation.expires_at:%Y-%m-%d %H:%M} UTC"
        if issued.mailed:
            self.stdout.write(
                f"{email} is invited as {role.name}: the set-password link is mailed to them "
                f"(it works once, until {expires})."
            )
        else:
            self.stdout.write(
                f"{email} is invited as {role.name}. Give them this link, by a channel only "
                f"they read; it works once, until {expires}, and is not shown again:\n\n"
                f"  {issued.link}\n\n"
                "They choose their password there, then set up two-factor sign-in."
            )
