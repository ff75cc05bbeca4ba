"""V11: clients over a limit are recorded and slowed, longer each time they
come back for more; staff see and clear them in the back office; a job
deletes old records."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from camshaft.abuse import services
from camshaft.abuse.models import AbusiveClient
from camshaft.accounts.models import FailedSignIn
from camshaft.accounts.services import client_digest

pytestmark = pytest.mark.django_db

IP = "198.51.100.7"


def search(client, ip=IP):
    return client.get("/search/", {"q": "brake"}, REMOTE_ADDR=ip)


def go_over_the_limit(client, times: int = 3):
    answers = [search(client) for _ in range(times)]
    assert [a.status_code for a in answers[:-1]] == [200] * (times - 1)
    return answers[-1]


def test_V11_penalty_doubles_with_each_offence_up_to_a_day():
    minutes = [services.penalty_for(n) / timedelta(minutes=1) for n in range(1, 6)]
    assert minutes == [1, 2, 4, 8, 16]
    assert services.penalty_for(40) == services.MAX_PENALTY == timedelta(hours=24)


def test_V11_over_the_limit_is_recorded_under_a_keyed_hash(client, limits):
    limits(search="2/m")
    refused = go_over_the_limit(client)

    assert refused.status_code == 429
    record = AbusiveClient.objects.get()
    assert record.client_digest == client_digest(IP)  # the sign-in lock-out's hash
    assert IP not in record.client_digest
    assert (record.offences, record.total_offences, record.doors) == (1, 1, {"search": 1})
    assert record.last_door == "search"
    assert record.first_seen == record.last_seen
    assert record.slowed_until > timezone.now()


def test_V11_repeat_offender_waits_longer_each_time(client, limits):
    limits(search="2/m")
    start = timezone.now()
    retry_after = []
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            retry_after.append(int(go_over_the_limit(client)["Retry-After"]))
            # While slowed, every request is refused with the time left.
            clock.shift(timedelta(seconds=10))
            assert int(search(client)["Retry-After"]) == retry_after[-1] - 10
            record = AbusiveClient.objects.get()
            clock.move_to(record.slowed_until + timedelta(seconds=1))

    assert retry_after == [60, 120, 240]
    assert record.offences == record.total_offences == 3


def test_V11_a_day_of_good_behaviour_resets_the_penalty():
    now = timezone.now()
    for _ in range(3):
        record = services.record_offence(client="c" * 64, door=services.SEARCH, now=now)
        now = record.slowed_until
    assert record.offences == 3

    later = record.last_seen + services.FORGIVE_AFTER + timedelta(seconds=1)
    record = services.record_offence(client="c" * 64, door=services.SIGN_IN, now=later)

    assert record.offences == 1
    assert record.total_offences == 4
    assert record.slowed_until == later + services.BASE_PENALTY
    assert record.doors == {"search": 3, "sign_in": 1}


def test_V11_a_slowed_client_is_refused_at_every_limited_door(client, limits):
    limits(search="2/m")
    go_over_the_limit(client)

    sign_in = client.post(
        "/account/sign-in/", {"email": "a@example.com", "password": "x"}, REMOTE_ADDR=IP
    )
    api = client.post(
        "/api/v1/auth/token",
        {"email": "a@example.com", "password": "x"},
        content_type="application/json",
        REMOTE_ADDR=IP,
    )
    assert (sign_in.status_code, api.status_code) == (429, 429)
    assert not FailedSignIn.objects.exists()  # no password was even tried
    # Browsing is not limited.
    assert client.get("/", REMOTE_ADDR=IP).status_code == 200


def test_V11_back_office_lists_abusive_clients(admin_client, limits, client):
    limits(search="2/m")
    go_over_the_limit(client)
    record = AbusiveClient.objects.get()

    page = admin_client.get("/staff/abuse/abusiveclient/")

    assert page.status_code == 200
    html = page.content.decode()
    assert record.client_digest[:12] in html
    assert "search 1" in html
    assert admin_client.get(f"/staff/abuse/abusiveclient/{record.pk}/change/").status_code == 200


def test_V11_staff_clear_an_entry_and_the_client_may_search_again(admin_client, limits, client):
    limits(search="2/m")
    go_over_the_limit(client)
    record = AbusiveClient.objects.get()
    assert search(client).status_code == 429

    answer = admin_client.post(
        "/staff/abuse/abusiveclient/",
        {"action": "clear_penalty", "_selected_action": [record.pk]},
    )

    assert answer.status_code == 302
    record.refresh_from_db()
    assert record.offences == 0
    assert record.slowed_until <= timezone.now()
    assert record.cleared_at is not None
    assert record.total_offences == 1  # the history stays
    # The counter of the current minute is still over, but it is forgiven.
    assert search(client).status_code == 200


def test_V11_staff_without_the_permission_cannot_see_the_list(client, django_user_model):
    from tests.staff import sign_in_staff

    clerk = django_user_model.objects.create_user("clerk@example.com", "pw", is_staff=True)
    sign_in_staff(client, clerk)
    assert client.get("/staff/abuse/abusiveclient/").status_code == 403


def test_V11_purge_job_deletes_records_of_clients_quiet_for_30_days(capsys):
    now = timezone.now()
    old = now - services.RECORD_RETENTION - timedelta(hours=1)

    def record(digest, last_seen, slowed_until):
        return AbusiveClient.objects.create(
            client_digest=digest,
            first_seen=last_seen,
            last_seen=last_seen,
            slowed_until=slowed_until,
            offences=1,
            total_offences=1,
        )

    record("old", old, old)
    record("recent", now - timedelta(days=2), now - timedelta(days=2))
    record("still-slowed", old, now + timedelta(hours=1))

    call_command("jobs", "--only", "purge_abuse_records")

    assert "purge_abuse_records: deleted 1 record(s)" in capsys.readouterr().out
    assert set(AbusiveClient.objects.values_list("client_digest", flat=True)) == {
        "recent",
        "still-slowed",
    }
