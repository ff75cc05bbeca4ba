from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "camshaft.chat"
    label = "chat"
    verbose_name = "Live chat"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from camshaft.chat import signals

        # B4: a guest who signs in (or up) keeps the chat they had going.
        user_logged_in.connect(signals.attach_guest_chats, dispatch_uid="chat-keep-at-sign-in")
