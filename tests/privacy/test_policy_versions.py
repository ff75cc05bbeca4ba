"""V1: every policy version is kept; consent is recorded per person, version,
time and channel."""

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from camshaft.accounts.models import User
from camshaft.consent.models import ConsentRecord, PrivacyPolicyVersion
from camshaft.consent.services import current_policy, record_consent

pytestmark = pytest.mark.django_db


def test_V1_a_fresh_store_has_policy_1_0():
    # Created by the data migration; recreated if someone deleted every version.
    assert current_policy().version == "1.0"
    PrivacyPolicyVersion.objects.all().delete()
    assert current_policy().version == "1.0"
    assert PrivacyPolicyVersion.objects.count() == 1


def test_V1_current_policy_is_the_newest_in_effect():
    now = timezone.now()
    PrivacyPolicyVersion.objects.create(version="2.0", body="b", published_at=now, effective_at=now)
    PrivacyPolicyVersion.objects.create(
        version="2.1", body="c", published_at=now, effective_at=now + timedelta(days=30)
    )
    assert current_policy().version == "2.0"
    assert current_policy(now=now + timedelta(days=31)).version == "2.1"


def test_V1_consent_is_recorded_per_person_version_time_and_channel():
    user = User.objects.create_user("ana@example.com", "s3cret-pass-123")
    version = current_policy()
    given = timezone.now() - timedelta(minutes=3)
    record = record_consent(user=user, version=version, channel="checkout", now=given)
    assert (record.user, record.email, record.policy_version, record.channel) == (
        user,
        "ana@example.com",
        version,
        "checkout",
    )
    assert record.given_at == given
    assert not hasattr(record, "ip")
    with pytest.raises(ValueError):
        record_consent(user=user, version=version, channel="fax")
    assert ConsentRecord.objects.count() == 1


def test_V1_a_version_with_consents_cannot_be_deleted():
    user = User.objects.create_user("ana@example.com", "s3cret-pass-123")
    record_consent(user=user, version=current_policy(), channel="web")
    with pytest.raises(ProtectedError):
        PrivacyPolicyVersion.objects.all().delete()
