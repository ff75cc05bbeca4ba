from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "camshaft.cart"
    label = "cart"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from camshaft.cart import signals

        user_logged_in.connect(signals.merge_guest_cart, dispatch_uid="cart-merge-at-sign-in")
