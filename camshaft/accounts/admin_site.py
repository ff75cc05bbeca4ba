"""The back office's admin site: staff sign in through the store's sign-in
(with its lock-out), then prove a second factor before any page opens (A2)."""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class StaffAdminSite(admin.AdminSite):
    site_header = "Camshaft back office"
    site_title = "Camshaft staff"
    index_title = "Store administration"

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and user.is_verified()

    def login(self, request, extra_context=None):
        """Password at the store's sign-in page, then the second factor."""
        target = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('sign_in')}?{urlencode({'next': target})}")
        if not user.is_staff:
            raise PermissionDenied("This account has no access to the back office.")
        if not user.is_verified():
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': target})}")
        return redirect(target)
