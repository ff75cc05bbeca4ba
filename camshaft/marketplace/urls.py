"""Pages of the marketplace."""

from django.urls import path

from camshaft.marketplace import views

urlpatterns = [
    path("account/selling/", views.seller_home, name="seller_home"),
]
