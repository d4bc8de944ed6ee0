from __future__ import annotations

import factory

from matching.models import Need
from tests.factories import OrganisationFactory


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"need-test-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    kind = Need.Kind.MENTOR
    title = "Mentor gezocht voor ouderbijeenkomsten"
    description = "We zoeken iemand met ervaring met Marokkaanse ouders."
    radius_km = 30

    @factory.lazy_attribute
    def municipality(self):
        return self.organisation.municipality

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)
