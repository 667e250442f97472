"""The API shapes of CRM records: related fields find the caller's organisation's rows only."""

from types import SimpleNamespace

import pytest
from rest_framework import serializers

from crm.models import Company
from crm.serializers import DealSerializer
from crm.services.leads import lead_create
from crm.services.records import record_create

pytestmark = pytest.mark.django_db


def test_related_fields_find_only_the_organisations_rows_and_only_when_sent(org, other_org):
    ours = lead_create(organization=org, by=None, name="Ours", stage="lead")
    record_create(Company, organization=org, name="Acme")
    theirs = lead_create(organization=other_org, by=None, name="Theirs", stage="lead")
    request = SimpleNamespace(organization=org)

    sent = DealSerializer(data={"lead": ours.pk}, context={"request": request}).fields
    answer = DealSerializer(ours, context={"request": request}).fields

    assert list(sent["lead"].get_queryset()) == [ours]
    assert not sent["company"].get_queryset().exists()  # not sent: nothing to find
    assert not answer["lead"].get_queryset().exists()
    assert theirs not in sent["lead"].get_queryset()


def test_each_serializer_gets_its_own_fields(org):
    request = SimpleNamespace(organization=org)
    first = DealSerializer(data={"lead": 1}, context={"request": request}).fields["lead"]
    second = DealSerializer(data={}, context={"request": request}).fields["lead"]

    assert first is not second
    assert first.parent is not second.parent


class TaggedDealSerializer(DealSerializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "tags"]


def test_a_field_holding_another_gets_its_own_copy_of_it(org):
    request = SimpleNamespace(organization=org)
    first = TaggedDealSerializer(data={}, context={"request": request}).fields["tags"]
    second = TaggedDealSerializer(data={}, context={"request": request}).fields["tags"]

    assert first.child is not second.child
    assert (first.child.parent, second.child.parent) == (first, second)


def test_serializers_sharing_a_class_keep_their_own_errors(org):
    request = SimpleNamespace(organization=org)
    long = DealSerializer(data={"name": "x" * 1000}, partial=True, context={"request": request})
    short = DealSerializer(data={"name": "Renewal"}, partial=True, context={"request": request})

    assert not long.is_valid()
    assert short.is_valid(), short.errors
    assert list(long.errors) == ["name"]
    assert short.validated_data == {"name": "Renewal"}
