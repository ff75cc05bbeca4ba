from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "camshaft.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from camshaft.analytics import signals

        user_logged_in.connect(signals.link_member, dispatch_uid="analytics-link-member")
