"""Live chat in the back office (B4): the desk (chats waiting for an agent
and the ones this agent has taken), Take, and a chat's live page where the
agent answers. Transcripts are readable with `chat.view_conversation`
(customer service, the privacy officer); taking and answering need
`chat.answer_conversation` (customer service). Each step is a service call."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from camshaft.chat import consumers, rules, selectors, services
from camshaft.chat.models import ChatMessage, Conversation, State
from camshaft.core.admin import AuditedPersonalDataAdmin, ReadOnlyInline, RecordAdmin
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access

ANSWER = "chat.answer_conversation"


class ChatMessageInline(ReadOnlyInline):
    model = ChatMessage
    fields = ("at", "author", "by", "body", "read_at")
    readonly_fields = fields


class AnswerForm(forms.Form):
    message = forms.CharField(
        max_length=rules.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        label="Answer",
    )


@admin.register(Conversation)
class ConversationAdmin(AuditedPersonalDataAdmin, RecordAdmin, admin.ModelAdmin):
    list_display = ("pk", "state", "started_at", "page_kind", "agent", "ticket_reference")
    list_filter = ("state",)
    ordering = ("-started_at",)
    inlines = (ChatMessageInline,)
    readonly_fields = (
        "state",
        "user",
        "page",
        "page_kind",
        "agent",
        "started_at",
        "taken_at",
        "first_answer_at",
        "closed_at",
        "ticket_reference",
        "erased_at",
    )
    exclude = ("token", "guest_key")
    search_fields = ("ticket_reference",)  # shows the search box; see get_search_results
    search_help_text = "A customer's email address (a member's, or one a guest gave), or a ticket"

    def get_search_results(self, request, queryset, search_term):
        # V3, V4: the privacy officer finds a person's chats by their address;
        # a guest's are known only by keyed hashes of the addresses they gave.
        term = search_term.strip()
        if "@" in term:
            members = get_user_model().objects.filter(email__iexact=term)
            found = selectors.conversations_of_person(email=term).values("pk")
            mine = queryset.filter(Q(pk__in=found) | Q(user__in=members))
            return mine, False
        return super().get_search_results(request, queryset, term)

    def get_urls(self):
        views = (
            ("desk/", self.desk_view, "desk"),
            ("<int:pk>/take/", require_POST(self.take_view), "take"),
            ("<int:pk>/live/", self.live_view, "live"),
            ("<int:pk>/close/", require_POST(self.close_view), "close"),
        )
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"chat_conversation_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_answer": request.user.has_perm(ANSWER)}
        return super().changelist_view(request, extra_context)

    def _agent(self, request):
        if not request.user.has_perm(ANSWER):
            raise PermissionDenied
        return request.user

    def desk_view(self, request):
        agent = self._agent(request)
        chats = list(selectors.waiting_and_mine(agent=agent))
        context = {
            **self.admin_site.each_context(request),
            "title": "Live chat",
            "opts": self.model._meta,
            "chats": chats,
            "agents_online": selectors.agents_online(),
        }
        return render(request, "admin/chat/conversation/desk.html", context)

    def take_view(self, request, pk: int):
        agent = self._agent(request)
        conversation = get_object_or_404(Conversation, pk=pk)
        try:
            conversation = services.take_conversation(conversation=conversation, agent=agent)
        except services.ChatProblem as problem:
            self.message_user(request, problem.messages[0], messages.WARNING)
            return redirect("admin:chat_conversation_desk")
        consumers.taken(conversation)
        return redirect("admin:chat_conversation_live", pk)

    def close_view(self, request, pk: int):
        agent = self._agent(request)
        conversation = get_object_or_404(Conversation, pk=pk, agent=agent)
        conversation = services.close(conversation=conversation)
        consumers.tell_conversation(conversation.pk, consumers.status_frame(conversation))
        self.message_user(request, "Chat closed.", messages.SUCCESS)
        return redirect("admin:chat_conversation_desk")

    def live_view(self, request, pk: int):
        agent = self._agent(request)
        conversation = get_object_or_404(Conversation, pk=pk, agent=agent)
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                written = services.answer(
                    conversation=conversation, agent=agent, text=form.cleaned_data["message"]
                )
            except services.ChatProblem as problem:
                form.add_error(None, problem)
            else:
                # Without JavaScript too, the shopper sees the answer at once.
                consumers.tell_conversation(
                    pk,
                    consumers.message_frame(
                        written.message, hosts=consumers.hosts_with(request.get_host())
                    ),
                )
                return redirect("admin:chat_conversation_live", pk)
        if request.method == "GET":
            record_access(
                staff=request.user,
                action=AuditAction.VIEWED,
                subject_user_id=conversation.user_id,
                subject_email="",
                obj=conversation,
                detail="live chat: the transcript",
                path=request.path,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Chat {conversation.pk}",
            "opts": self.model._meta,
            "conversation": conversation,
            "transcript": selectors.transcript(conversation),
            "form": form,
            "active": conversation.state == State.ACTIVE,
        }
        return render(
            request,
            "admin/chat/conversation/live.html",
            context,
            status=400 if form.errors else 200,
        )
