"""Storefront pages of the orders app."""

from django.urls import path

from camshaft.orders import views

urlpatterns = [
    path("account/orders/", views.my_orders, name="my_orders"),
    path("orders/lookup/", views.lookup, name="order_lookup"),
    path("orders/<segment:number>/", views.order_detail, name="order_detail"),
    path("orders/<segment:number>/cancel/", views.cancel, name="order_cancel"),
    path("orders/<segment:number>/address/", views.change_address, name="order_change_address"),
]
