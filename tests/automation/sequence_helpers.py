"""Building welcome and drip sequences for the tests, through the domain functions."""

from email import message_from_bytes, policy

from newsletter.automation import sequences
from newsletter.content import composer
from newsletter.extensions import db
from newsletter.models import SequenceTrigger

DAY = 24 * 60


def compose(step, subject: str, text: str = "Hello {{ first_name }}.") -> None:
    """Write the step's message as the composer does (blocks, with a tracked link)."""
    template = step.template
    draft = composer.Draft(
        name=template.name, subject=subject, list_ids=[m.id for m in template.lists],
        sender_id=None, theme_id=None, template="blank",
        blocks=[{"type": "text", "text": f'<p>{text} <a href="https://shop.example/">'
                                         'Shop</a></p>'}],
        body_text="", text_edited=False)
    composer.save_draft(db.session, template.id, draft)
    db.session.commit()


def sequence(mlist, *steps: tuple[int, str], trigger=SequenceTrigger.CONFIRMATION,
             name="Welcome", **fields):
    """A sequence on ``mlist`` with steps of (delay in minutes, subject), composed."""
    made = sequences.save_sequence(db.session, None, name=name, list_id=mlist.id,
                                   trigger=trigger, **fields)
    for delay, subject in steps:
        step = sequences.add_step(db.session, made.id, delay=delay, subject=subject)
        db.session.commit()
        compose(step, subject)
    db.session.commit()
    return made


def subjects_to(smtp_server, address) -> list[str]:
    return [str(message_from_bytes(m.data, policy=policy.default)["Subject"])
            for m in smtp_server.messages if address in m.rcpt_tos]


def message_to(smtp_server, address, index=0):
    found = [message_from_bytes(m.data, policy=policy.default)
             for m in smtp_server.messages if address in m.rcpt_tos]
    return found[index]
