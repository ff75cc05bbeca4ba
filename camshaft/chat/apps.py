from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "camshaft.chat"
    label = "chat"
    verbose_name = "Live chat"
