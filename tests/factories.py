from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import User

DEFAULT_PASSWORD = "brug-over-de-vecht-2024"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@voorbeeld.nl")
    name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


# The network -----------------------------------------------------------------------------

from network.models import (  # noqa: E402
    Fund,
    Initiative,
    Membership,
    Municipality,
    Organisation,
    Person,
)


def _municipality(name: str = "Utrecht") -> Municipality:
    return Municipality.objects.get(name=name)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"org-test-{n}")
    name = factory.Sequence(lambda n: f"Stichting Buurtbrug {n}")
    kind = Organisation.Kind.WELFARE
    municipality = factory.LazyFunction(_municipality)
    description = "Welzijnsorganisatie die bewoners met elkaar verbindt."
    offers = "Ruimte voor bijeenkomsten en vrijwilligers."

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"p-test-{n}")
    name = factory.Faker("name", locale="nl_NL")
    municipality = factory.LazyFunction(_municipality)
    bio = "Vrijwilliger in de wijk."
    visibility = Person.Visibility.PUBLIC

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory)
    role = Membership.Role.MEMBER


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"ini-test-{n}")
    title = factory.Sequence(lambda n: f"Buurtmaaltijd {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    municipality = factory.LazyFunction(_municipality)
    status = Initiative.Status.RUNNING
    summary = "Bewoners koken en eten samen."

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)

    @factory.post_generation
    def success_factors(self, create, extracted, **kwargs):
        if create and extracted:
            self.success_factors.set(extracted)

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        if create:
            from network.search import search_vectors_refresh

            search_vectors_refresh(Initiative, [self.pk])


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"fund-test-{n}")
    name = factory.Sequence(lambda n: f"Buurtfonds {n}")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


def member_user(organisation: Organisation, *, role: str = Membership.Role.MEMBER, **user_kwargs):
    """A user with a profile who is a member (or admin) of `organisation`."""
    user = UserFactory(**user_kwargs)
    person = PersonFactory(user=user, name=user.name or user.email)
    Membership.objects.create(organisation=organisation, person=person, role=role)
    return user
