from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "camshaft.payments"
    label = "payments"

    def ready(self):
        from django.db.models.signals import post_delete

        from camshaft.payments import checks  # noqa: F401 - registers the deploy checks
        from camshaft.payments.models import SavedCard
        from camshaft.payments.services import forget_card_at_processor_later

        post_delete.connect(
            forget_card_at_processor_later, sender=SavedCard, dispatch_uid="payments-forget-card"
        )
