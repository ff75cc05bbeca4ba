"""B4: the pages and API keep answering while 200 chat sockets are open
(in the process, through the ASGI application; scripts/chat_sockets.py
measures the memory the same under gunicorn and uvicorn)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator, WebsocketCommunicator

from camshaft.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"testserver"), (b"origin", b"http://testserver")]


def test_B4_chat_pages_and_api_answer_with_200_sockets_open():
    async def scenario():
        sockets = []
        for _ in range(200):
            communicator = WebsocketCommunicator(application, "/ws/chat/", headers=HEADERS)
            connected, _ = await communicator.connect(timeout=30)
            assert connected
            assert (await communicator.receive_json_from(timeout=30))["type"] == "status"
            sockets.append(communicator)
        answers = {}
        for path in ("/healthz", "/api/v1/chat/status", "/"):
            http = HttpCommunicator(application, "GET", path, headers=[(b"host", b"testserver")])
            answers[path] = (await http.get_response(timeout=30))["status"]
        for communicator in sockets:
            await communicator.disconnect(timeout=30)
        return answers

    assert async_to_sync(scenario)() == {"/healthz": 200, "/api/v1/chat/status": 200, "/": 200}
