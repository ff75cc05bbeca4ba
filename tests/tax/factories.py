"""factory-boy factories for the tax app's models."""

from datetime import date
from decimal import Decimal

import factory

from camshaft.tax.models import Facility, TaxJurisdiction, TaxRate


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Facility {n}")
    street = "200 Main Street"
    city = "Reno"
    region = "NV"
    postal_code = "89501"
    country = "US"


class TaxJurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxJurisdiction

    name = factory.LazyAttribute(lambda o: f"{o.region or o.country} tax")
    country = "US"
    region = "OH"
    level = TaxJurisdiction.Level.REGION


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate

    jurisdiction = factory.SubFactory(TaxJurisdictionFactory)
    rate = Decimal("0.0575")
    effective_from = date(2020, 1, 1)
