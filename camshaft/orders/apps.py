from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "camshaft.orders"
    label = "orders"

    def ready(self):
        from camshaft.orders import services
        from camshaft.payments.services import changed_at_processor

        changed_at_processor.connect(
            services.payment_changed_at_processor, dispatch_uid="orders-processor-change"
        )
