"""What stories adds to network's pages (network.sections): the figures of published
stories on "De kennisbank in cijfers", and an initiative's published stories."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from network.charts import Dimension, bar_chart
from network.models import Municipality, TargetGroup, Theme
from network.sections import PageSection
from stories.selectors import StoryFilters, stories_published_for, story_figures

STORY_DIMENSIONS = (
    Dimension(
        "reported-success-factors",
        "success_factors",
        "",
        _("Success factors people report"),
        _("Success factors named in stories"),
    ),
    Dimension(
        "reported-obstacles",
        "obstacles",
        "",
        _("Obstacles people report"),
        _("Obstacles named in stories"),
    ),
    Dimension(
        "stories-by-quarter",
        "by_quarter",
        "",
        _("Stories per quarter"),
        _("Approved stories per quarter"),
    ),
)


def _filters(params: QueryDict) -> tuple[StoryFilters, dict]:
    """The figures for one theme, target group or municipality; unknown values are
    ignored (a hand-typed URL gives the whole picture, not an error)."""
    theme = params.get("story_theme", "")
    target_group = params.get("story_target_group", "")
    municipality = params.get("story_municipality", "")
    themes = list(Theme.objects.all())
    groups = list(TargetGroup.objects.all())
    municipalities = list(Municipality.objects.all())
    filters = StoryFilters(
        theme=theme if theme in {row.pk for row in themes} else "",
        target_group=target_group if target_group in {row.pk for row in groups} else "",
        municipality=municipality if municipality in {row.pk for row in municipalities} else "",
    )
    choices = {"themes": themes, "target_groups": groups, "municipalities": municipalities}
    return filters, choices


def overview_section(params: QueryDict, viewer) -> PageSection:
    """The figures on "De kennisbank in cijfers"; `params` are the page's query parameters."""
    filters, choices = _filters(params)
    figures = story_figures(filters)
    charts = [
        bar_chart(dimension=dimension, rows=getattr(figures, dimension.attribute))
        for dimension in STORY_DIMENSIONS
    ]
    return PageSection(
        template="stories/_overview_section.html",
        context={"figures": figures, "charts": charts, "filters": filters, **choices},
    )


def initiative_section(initiative, viewer) -> PageSection | None:
    stories = list(stories_published_for(initiative))
    if not stories:
        return None
    return PageSection(template="stories/_initiative_section.html", context={"stories": stories})
