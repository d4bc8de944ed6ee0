"""The initiative page's links into key figures' reach, asked of outreach.permissions."""

from __future__ import annotations

from django import template

from outreach.permissions import can_invite, can_view_reach

register = template.Library()


@register.inclusion_tag("outreach/_initiative_links.html", takes_context=True)
def reach_links(context, initiative):
    user = context["request"].user
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    may_invite = initiative.status != initiative.Status.FINISHED and can_invite(user)
    may_view = can_view_reach(user, initiative)
    return {
        "show": may_invite or may_view,
        "initiative": initiative,
        "may_invite": may_invite,
        "may_view": may_view,
    }
