"""camshaft grant-role EMAIL ROLE: give a staff member a role (A4), or take it back."""

from django.core.management import BaseCommand, CommandError

from camshaft.accounts.models import User
from camshaft.accounts.roles import ROLES, UnknownRole, grant_role, revoke_role, role_named


class Command(BaseCommand):
    help = "Give the account EMAIL a staff role (making it staff), or take it away with --revoke."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", help=", ".join(role.slug for role in ROLES))
        parser.add_argument("--revoke", action="store_true", help="take the role away")

    def handle(self, *args, **opts):
        try:
            role = role_named(opts["role"])
        except UnknownRole as problem:
            raise CommandError(str(problem)) from None
        user = User.objects.filter(email=User.objects.normalize_email(opts["email"])).first()
        if user is None:
            raise CommandError(f"No account with the email address {opts['email']}.")
        if opts["revoke"]:
            revoke_role(user=user, role=role)
            self.stdout.write(f"{user.email} is no longer {role.name}.")
        else:
            grant_role(user=user, role=role)
            self.stdout.write(
                f"{user.email} is now {role.name}: {role.summary} "
                "They set up two-factor sign-in at their first visit to /staff/."
            )
