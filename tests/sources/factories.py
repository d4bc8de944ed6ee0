from __future__ import annotations

import factory

from sources.models import Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"bron-{n}")
    title = factory.Sequence(lambda n: f"Handreiking ontmoeting {n}")
    author = "Movisie"
    year = 2008
    url = "https://www.movisie.nl"
    summary = "Een handleiding voor wie mensen met elkaar in contact brengt."
    kind = Source.Kind.MANUAL
    status = Source.Status.APPROVED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        from network.search import search_vectors_refresh

        if create:
            search_vectors_refresh(Source, [self.pk])
