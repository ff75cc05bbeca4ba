from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "camshaft.support"
    label = "support"
    verbose_name = "Support desk"

    def ready(self):
        # notifications sits below support and never imports it: it announces
        # every mail that reaches the store, and the desk picks out replies.
        from camshaft.notifications.signals import inbound_mail
        from camshaft.support import receivers

        inbound_mail.connect(receivers.reply_by_mail, dispatch_uid="support-reply-by-mail")
