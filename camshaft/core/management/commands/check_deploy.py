"""camshaft check-deploy: Django's deployment checks and the store's own
(camshaft.core.checks, camshaft.accounts.checks); any warning fails it."""

from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Check that this store is set up for real use (settings, keys, staff passwords)."

    def handle(self, *args, **opts):
        call_command("check", deploy=True, fail_level="WARNING", databases=["default"])
        self.stdout.write("The deployment checks found nothing to fix.")
