"""WebSocket routes of the live chat."""

from django.urls import path

from camshaft.chat import consumers

websocket_urlpatterns = [
    path("ws/chat/", consumers.ShopperConsumer.as_asgi()),
    path("ws/chat/agent/", consumers.AgentConsumer.as_asgi()),
    path("ws/chat/agent/<int:pk>/", consumers.AgentConsumer.as_asgi()),
]
