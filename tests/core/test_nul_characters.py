"""B2: text holding a NUL character is refused with a clear 4xx, never a
database error (PostgreSQL cannot store it)."""

import json

import pytest

from camshaft.accounts.models import User

pytestmark = pytest.mark.django_db


def test_B2_api_refuses_a_json_body_with_a_nul_character(client):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"email": "a\x00@example.com", "password": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "NUL" in response.json()["errors"][0]["message"]


def test_B2_api_refuses_a_nul_character_in_a_nested_key(client):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"email": "a@example.com", "password": "x", "x": [{"k\x00": 1}]}),
        content_type="application/json",
    )
    assert response.status_code == 422


def test_B2_web_refuses_a_nul_character_in_a_query_string(client):
    response = client.get("/search/?q=brake%00pad")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_B2_web_form_with_a_nul_character_changes_nothing(client):
    response = client.post(
        "/account/register/",
        {"email": "nul\x00@example.com", "password1": "x", "password2": "x"},
    )
    assert response.status_code == 400
    assert not User.objects.exists()


def test_B2_ordinary_text_passes(client):
    assert client.get("/search/?q=brake+pad").status_code == 200
