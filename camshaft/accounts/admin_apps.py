"""The admin app, configured with the staff back office's site (A2)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """The back office at /staff/, open only to staff who passed the second
    factor."""

    default_site = "camshaft.accounts.admin_site.StaffAdminSite"
