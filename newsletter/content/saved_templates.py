"""Saved templates: a campaign's blocks kept under a name, offered next to the starter
templates when a campaign is composed. The plan's templates limit (platform.limits) counts
them and is checked when one is saved."""

from flask_babel import gettext
from sqlalchemy import select

from newsletter.errors import DomainError
from newsletter.models import Campaign, SavedTemplate
from newsletter.platform import limits

from . import blocks as blockmod

PREFIX = "saved:"


class TemplateError(DomainError):
    pass


def list_templates(session) -> list[SavedTemplate]:
    return list(session.scalars(select(SavedTemplate).order_by(SavedTemplate.name)))


def choices(session) -> list[tuple[str, str]]:
    """The composer's template choices for saved templates (``saved:<id>``)."""
    return [(f"{PREFIX}{t.id}", gettext("%(name)s (saved)", name=t.name))
            for t in list_templates(session)]


def save_from_campaign(session, campaign_id: int, name: str,
                       created_by_id: int | None = None) -> SavedTemplate:
    """Keep the campaign's blocks as a new template; refused past the plan's limit."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TemplateError(gettext("Name the template (at most %(num)d characters).", num=100))
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not campaign.blocks:
        raise TemplateError(
            gettext("Only a campaign composed of blocks can be saved as a template."))
    if session.scalar(select(SavedTemplate.id).where(SavedTemplate.name == name)):
        raise TemplateError(gettext("A template named “%(name)s” already exists.", name=name))
    limits.check(session, "templates")
    template = SavedTemplate(name=name, blocks=blockmod.clean_blocks(campaign.blocks),
                             created_by_id=created_by_id)
    session.add(template)
    session.flush()
    return template


def delete_template(session, template_id: int) -> str:
    template = session.get(SavedTemplate, template_id)
    if template is None:
        raise TemplateError(gettext("That template does not exist."))
    session.delete(template)
    session.flush()
    return template.name


def blocks_for(session, key: str) -> list[dict] | None:
    """The blocks a template choice starts with: a starter template's or a saved one's;
    None for an unknown choice."""
    if key in blockmod.TEMPLATES:
        return blockmod.template_blocks(key)
    if key.startswith(PREFIX) and key[len(PREFIX):].isdigit():
        template = session.get(SavedTemplate, int(key[len(PREFIX):]))
        return blockmod.clean_blocks(template.blocks) if template else None
    return None
