"""The consent report, the pre-send checklist and the refusals of compliance speak the
account's language (German and Czech here), plural forms included."""

from newsletter.extensions import db
from newsletter.models import Campaign
from tests import factories
from tests.factories import draft, list_with_contacts

from .helpers import without_basis


def speak(client, language: str) -> None:
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def test_the_consent_report_in_german(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    contact = without_basis(mlist, "nobasis@example.com")
    campaign = draft(mlist)
    speak(client, "de")
    page = client.get(f"/admin/campaigns/{campaign.id}/consent").text
    assert ">Empfänger ohne erfasste Rechtsgrundlage</h1>" in page
    assert "Für 1 Empfänger ist für die Listen dieser Kampagne keine Einwilligung" in page
    assert ">Herkunft</label>" in page and ">Berechtigtes Interesse</option>" in page
    refused = client.post(f"/admin/campaigns/{campaign.id}/consent", data={
        "contact": [contact.id], "legal_basis": "legitimate_interest", "source": ""})
    assert refused.status_code == 422
    assert "Geben Sie an, woher die Einwilligung oder das Interesse stammt." in refused.text
    done = client.post(f"/admin/campaigns/{campaign.id}/consent", data={
        "contact": [contact.id], "legal_basis": "legitimate_interest",
        "source": "Kunden 2024"}, follow_redirects=True).text
    assert "Für 1 Kontakt wurde eine Rechtsgrundlage erfasst." in done
    assert "Für jeden Empfänger ist eine Rechtsgrundlage erfasst." in done


def test_the_checklist_and_a_refused_start_in_german(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    without_basis(mlist, "nobasis@example.com")
    campaign = factories.tested(draft(mlist))
    speak(client, "de")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "Für 1 von 2 Empfängern ist keine Einwilligung" in page
    assert "Erster Versand an Weekly" in page

    lonely = list_with_contacts(name="Leer")
    without_basis(lonely, "x@example.com")
    blocked = factories.tested(draft(lonely))
    response = client.post(f"/admin/campaigns/{blocked.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Nicht gestartet: Für 1 Empfänger ist weder eine Einwilligung" in response.text
    db.session.expire_all()
    assert db.session.get(Campaign, blocked.id).status == "draft"


def test_the_checklist_counts_in_czech(client, login):
    login()
    mlist = list_with_contacts("a@example.com", "b@example.com", "c@example.com")
    campaign = factories.tested(draft(mlist))
    speak(client, "cs")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "Všichni 3 příjemci mají zaznamenaný souhlas nebo oprávněný zájem." in page
