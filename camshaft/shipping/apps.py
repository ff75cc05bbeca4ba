from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "camshaft.shipping"
    label = "shipping"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from camshaft.shipping import selectors
        from camshaft.shipping.models import Carrier, ShippingRate

        for model in (Carrier, ShippingRate):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.forget_rates, sender=model, dispatch_uid=f"rates-{model.__name__}"
                )
