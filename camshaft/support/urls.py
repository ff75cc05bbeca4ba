"""Storefront pages of the support desk."""

from django.urls import path

from camshaft.support import views

urlpatterns = [
    path("support/", views.contact, name="contact"),
    path("support/tickets/", views.my_tickets, name="my_tickets"),
    path("support/tickets/<segment:reference>/", views.ticket_page, name="support_ticket"),
    path("support/link/<segment:token>/", views.ticket_link, name="support_ticket_link"),
]
