from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "camshaft.accounts"
    label = "accounts"

    def ready(self):
        from camshaft.accounts.roles import sync_roles_after_migrate

        # Staff roles (A4) are code; every migrate writes them to the database.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="camshaft-staff-roles")
        from camshaft.accounts import checks  # noqa: F401 - registers the deploy checks
