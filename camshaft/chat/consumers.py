"""The live chat's WebSockets (B4): thin. Each message parses a small JSON
frame, checks who may do what, calls one service and tells the
conversation's group. Shoppers see only their own conversation (their
account's, or the one under their session's guest key); agents need
`chat.answer_conversation`."""

import time

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from camshaft.abuse import services as abuse
from camshaft.chat import guests, rules, selectors, services
from camshaft.chat.models import Author, Conversation, State

ANSWER = "chat.answer_conversation"
DESK_GROUP = "chat.desk"
#: Close codes: 4403 not allowed, 4404 no such conversation of yours.
FORBIDDEN, NOT_FOUND = 4403, 4404
#: The largest frame read at all: a message of MAX_MESSAGE characters, each
#: written as a JSON escape, with room for the rest of the frame.
MAX_FRAME = rules.MAX_MESSAGE * 6 + 1024
#: Seconds a shopper's socket waits between two frames of a kind that costs
#: every process (a typing mark goes to all of them through the channel
#: layer); earlier ones are dropped. The panel sends one every 2 s at most.
MIN_GAP = {"typing": 1.0}


def group_of(conversation_id: int) -> str:
    return f"chat.{conversation_id}"


def hosts_with(host: str = "") -> set[str]:
    """This store's host names (links to them are its own pages)."""
    hosts = {h.lower() for h in settings.ALLOWED_HOSTS if h and h != "*" and h[0] != "."}
    if host:
        hosts.add(host.lower())
    return hosts


def _hosts(scope) -> set[str]:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return hosts_with(value.decode("latin-1"))
    return hosts_with()


def _send_once_committed(group: str, event: dict) -> None:
    # What was written must be readable when the news arrives.
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, event))


def tell_conversation(conversation_id: int, frame: dict) -> None:
    """From outside a socket (a back-office page): a frame for both sides
    of one conversation, in whichever app process they are."""
    _send_once_committed(group_of(conversation_id), {"type": "chat.frame", "frame": frame})


def tell_desk(event: dict) -> None:
    """From outside a socket: news for every agent's desk."""
    _send_once_committed(DESK_GROUP, event)


def taken(conversation: Conversation) -> None:
    """B4: an agent took a waiting chat. The other agents' desks show it
    taken at once, and the shopper sees who joined."""
    name = selectors.agent_name(conversation.agent)
    tell_desk({"type": "desk.taken", "conversation": conversation.pk, "agent": name})
    tell_conversation(conversation.pk, {"type": "joined", "name": name})


def message_frame(message, *, hosts: set[str]) -> dict:
    """A message as both sides receive it. The text travels as text (the
    page writes it with textContent); links an agent pasted are offered only
    when they are this store's pages, as paths."""
    links = []
    if message.author == Author.STAFF:
        links = [
            p for url in rules.urls_in(message.body) if (p := rules.store_path(url, hosts=hosts))
        ]
    return {
        "type": "message",
        "id": message.pk,
        "author": message.author,
        "text": message.body,
        "at": message.at.isoformat(),
        "read": message.read_at is not None,
        "links": links,
    }


def status_frame(conversation: Conversation | None) -> dict:
    now = timezone.now()
    hours = rules.hours_at(now)
    agents = selectors.agents_online(now=now)
    going_on = conversation is not None and conversation.state in selectors.OPEN_STATES
    answered = conversation is not None and selectors.answered(conversation)
    return {
        "type": "status",
        "open": hours.is_open,
        "hours": hours.today,
        "agents": agents,
        "state": conversation.state if conversation else "",
        "answered": answered,
        # B4: "nobody answers within 2 minutes" counts from the question, and
        # an agent who took the chat but has not written is nobody answering.
        "offer_ticket": rules.offer_ticket(
            is_open=hours.is_open,
            agents_online=agents,
            waiting_since=conversation.started_at if going_on else None,
            answered=answered,
            now=now,
        ),
        "ticket": conversation.ticket_reference if conversation else "",
    }


def request_of(scope) -> HttpRequest:
    """The client's address as the rate limits read it from a request."""
    request = HttpRequest()
    client = scope.get("client") or ("", 0)
    request.META["REMOTE_ADDR"] = client[0]
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            request.META["HTTP_X_FORWARDED_FOR"] = value.decode("latin-1")
    return request


class ChatConsumer(JsonWebsocketConsumer):
    """What both sides share: the conversation's group and its events."""

    conversation: Conversation | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_frames: dict[str, float] = {}

    def too_soon(self, kind: str) -> bool:
        """Whether a `kind` frame comes sooner than MIN_GAP after the last."""
        now = time.monotonic()
        if kind in self.last_frames and now - self.last_frames[kind] < MIN_GAP.get(kind, 0):
            return True
        self.last_frames[kind] = now
        return False

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        # A frame too big to be a message is refused before it is parsed.
        if not text_data or len(text_data) > MAX_FRAME:
            self.send_json(
                {
                    "type": "error",
                    "message": f"A message is at most {rules.MAX_MESSAGE} characters.",
                }
            )
            return
        try:
            content = self.decode_json(text_data)
        except ValueError:
            self.send_json({"type": "error", "message": "That frame is not JSON."})
            return
        self.receive_json(content, **kwargs)

    def join(self, conversation: Conversation) -> None:
        self.conversation = conversation
        async_to_sync(self.channel_layer.group_add)(group_of(conversation.pk), self.channel_name)

    def disconnect(self, code):
        if self.conversation is not None:
            async_to_sync(self.channel_layer.group_discard)(
                group_of(self.conversation.pk), self.channel_name
            )

    def tell(self, frame: dict) -> None:
        async_to_sync(self.channel_layer.group_send)(
            group_of(self.conversation.pk), {"type": "chat.frame", "frame": frame}
        )

    def chat_frame(self, event):
        frame = event["frame"]
        if frame.get("from") == self.channel_name:
            return  # my own typing or read mark
        self.send_json({k: v for k, v in frame.items() if k != "from"})

    def refuse(self, problem) -> None:
        text = problem.message if isinstance(problem, abuse.RateLimited) else problem.messages[0]
        self.send_json({"type": "error", "message": text})

    def send_transcript(self) -> None:
        hosts = _hosts(self.scope)
        for message in selectors.transcript(self.conversation):
            self.send_json(message_frame(message, hosts=hosts))

    def written(self, written: services.Written) -> None:
        if written.had_card:
            self.send_json(
                {
                    "type": "error",
                    "message": "We removed a card number from your message: never send card "
                    "details in the chat.",
                }
            )
        self.tell(message_frame(written.message, hosts=_hosts(self.scope)))


class ShopperConsumer(ChatConsumer):
    """`/ws/chat/`: the shopper's side. The conversation is found from the
    account or the session's guest key; a shopper cannot name another one."""

    def connect(self):
        self.user = self.scope.get("user")
        self.guest_key = guests.key_of(self.scope.get("session"))
        self.accept()
        found = selectors.open_conversation_for(user=self.user, guest_key=self.guest_key)
        if found is not None:
            self.join(found)
        self.send_json(status_frame(found))
        if found is not None:
            self.send_transcript()

    def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "message":
                self.write(content)
            elif kind == "ticket":
                self.make_ticket(content)
            elif kind == "status":
                self.send_json(status_frame(self.fresh()))
            elif self.conversation is not None and kind == "typing":
                self.typing()
            elif self.conversation is not None and kind == "read":
                self.read()
        except (services.ChatProblem, abuse.RateLimited) as problem:
            self.refuse(problem)

    def typing(self) -> None:
        if not self.too_soon("typing"):
            self.tell({"type": "typing", "author": Author.CUSTOMER, "from": self.channel_name})

    def read(self) -> None:
        # Only news is told: a flood of read marks changes nothing.
        if services.mark_read(conversation=self.conversation, reader=Author.CUSTOMER):
            self.tell({"type": "read", "reader": Author.CUSTOMER, "from": self.channel_name})

    def fresh(self) -> Conversation | None:
        if self.conversation is None:
            return None
        self.conversation.refresh_from_db()
        return self.conversation

    def write(self, content: dict) -> None:
        text = content.get("text")
        if not isinstance(text, str):
            raise services.ChatProblem("Write a message.", code="no_message")
        abuse.check_client(request=request_of(self.scope), door=abuse.CHAT)
        current = self.fresh()
        if current is None or current.state not in selectors.OPEN_STATES:
            page = content.get("page")
            conversation, written = services.start_conversation(
                text=text,
                page=page if isinstance(page, str) else "",
                user=self.user,
                guest_key=self.guest_key,
            )
            self.join(conversation)
            self.written(written)
            async_to_sync(self.channel_layer.group_send)(
                DESK_GROUP, {"type": "desk.waiting", "conversation": conversation.pk}
            )
            self.send_json(status_frame(conversation))
            return
        self.written(services.write_as_customer(conversation=current, text=text, user=self.user))

    def make_ticket(self, content: dict) -> None:
        if self.conversation is None:
            raise services.ChatProblem("Write your question first.", code="no_chat")
        # A ticket mails the address given: as the contact form, no more often.
        abuse.check_client(request=request_of(self.scope), door=abuse.CONTACT)
        email = content.get("email")
        ticket = services.make_ticket(
            conversation=self.conversation,
            email=email if isinstance(email, str) else "",
            user=self.user,
        )
        self.tell({"type": "ticket", "reference": ticket.reference})


class AgentConsumer(ChatConsumer):
    """`/ws/chat/agent/` (the desk: presence and news of waiting chats) and
    `/ws/chat/agent/<id>/` (one conversation this agent has taken)."""

    def connect(self):
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_staff or not self.user.has_perm(ANSWER):
            self.close(code=FORBIDDEN)
            return
        conversation_id = self.scope["url_route"]["kwargs"].get("pk")
        if conversation_id is not None:
            conversation = Conversation.objects.filter(
                pk=conversation_id, agent=self.user, state=State.ACTIVE
            ).first()
            if conversation is None:
                self.close(code=NOT_FOUND)
                return
        self.accept()
        services.seat_agent(channel_name=self.channel_name, agent=self.user)
        async_to_sync(self.channel_layer.group_add)(DESK_GROUP, self.channel_name)
        if conversation_id is not None:
            self.join(conversation)
            self.send_transcript()

    def disconnect(self, code):
        super().disconnect(code)
        async_to_sync(self.channel_layer.group_discard)(DESK_GROUP, self.channel_name)
        services.unseat_agent(channel_name=self.channel_name)

    def desk_waiting(self, event):
        self.send_json({"type": "waiting", "conversation": event["conversation"]})

    def desk_taken(self, event):
        self.send_json(
            {"type": "taken", "conversation": event["conversation"], "agent": event["agent"]}
        )

    def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "heartbeat":
            services.seat_agent(channel_name=self.channel_name, agent=self.user)
            return
        if self.conversation is None:
            return
        try:
            if kind == "message":
                text = content.get("text")
                self.written(
                    services.answer(
                        conversation=self.conversation,
                        agent=self.user,
                        text=text if isinstance(text, str) else "",
                    )
                )
            elif kind == "typing":
                self.tell({"type": "typing", "author": Author.STAFF, "from": self.channel_name})
            elif kind == "read":
                services.mark_read(conversation=self.conversation, reader=Author.STAFF)
                self.tell({"type": "read", "reader": Author.STAFF, "from": self.channel_name})
        except services.ChatProblem as problem:
            self.refuse(problem)
