"""Storefront pages of the accounts app."""

from django.urls import path

from camshaft.accounts import views

urlpatterns = [
    path("account/register/", views.register, name="register"),
    path("account/sign-in/", views.sign_in, name="sign_in"),
    path("account/sign-out/", views.sign_out, name="sign_out"),
    path("account/sign-in/unlock/", views.request_unlock, name="request_unlock"),
    path("account/sign-in/unlock/<str:token>/", views.unlock_sign_in, name="unlock_sign_in"),
    path("account/password-reset/", views.password_reset, name="password_reset"),
    path("account/password-reset/done/", views.password_reset_done, name="password_reset_done"),
    path(
        "account/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/welcome/<segment:token>/", views.staff_welcome, name="staff_welcome"),
    path("account/confirm-email/", views.resend_email_confirmation, name="resend_confirmation"),
    path("account/confirm-email/<segment:token>/", views.confirm_email, name="confirm_email"),
    path("account/", views.my_account, name="my_account"),
    path("account/addresses/", views.addresses, name="addresses"),
    path("account/addresses/add/", views.address_form, name="address_add"),
    path("account/addresses/<id:address_id>/", views.address_form, name="address_edit"),
    path(
        "account/addresses/<id:address_id>/delete/",
        views.address_delete,
        name="address_delete",
    ),
]
