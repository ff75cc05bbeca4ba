from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "camshaft.notifications"
    label = "notifications"
