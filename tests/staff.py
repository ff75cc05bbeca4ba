"""Staff in tests: signed in and past the second factor, as the back office requires (A2)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def pass_second_factor(client, user) -> TOTPDevice:
    """Give `user` a confirmed authenticator and mark the client's session
    as verified with it, as the two-factor page does after a right code."""
    device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in_staff(client, user):
    client.force_login(user)
    pass_second_factor(client, user)
    return client
