"""Storefront URLs of the live chat."""

from django.urls import path

from camshaft.chat import views

urlpatterns = [path("chat/status", views.status, name="chat_status")]
