"""Limits and errors (issue 11, class 6): request sizes, numbers no database holds, and
files a browser or an operating system would run."""

import io
import re

import pytest
from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.models import CampaignAttachment, ConsentRecord, Contact
from tests.api.helpers import auth, make_key
from tests.factories import composed, list_with_contacts, redis_down
from tests.public.helpers import public_list

HUGE = "99999999999999999999999"


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items()
                if type(conv).__name__ == "IdConverter"]
        if ints:
            yield rule, ints


def test_a_huge_id_in_any_url_is_404_not_500(app, client, login):
    login("owner")
    checked = 0
    for rule, ints in _int_rules(app):
        values = {name: "1" for name in rule.arguments}
        values.update(dict.fromkeys(ints, HUGE))
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m, v=values: v[m.group(1)], rule.rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(path, method=method)
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked > 20  # the walk found the admin's id routes


@pytest.mark.parametrize("url", [
    f"/admin/contacts?before={HUGE}",
    f"/admin/blocklist?page={HUGE}",
    f"/admin/themes/preview?theme={HUGE}",
    f"/admin/imports?list_id={HUGE}",
    f"/admin/contacts?list_id={HUGE}",
])
def test_huge_numbers_in_a_query_are_a_bad_request_not_a_crash(client, login, url):
    login("owner")
    assert client.get(url).status_code in (200, 400, 404)


def test_a_huge_number_in_a_form_is_a_bad_request_not_a_crash(client, login):
    login("owner")
    response = client.post("/admin/contacts/bulk", data={"ids": HUGE, "action": "archive"})
    assert response.status_code < 500


def test_a_30_mb_post_gets_the_413_page(client, login):
    login("editor")
    body = {"name": "x", "subject": "s", "body": "x" * (30 * 1024 * 1024)}
    response = client.post("/admin/campaigns/new", data=body)
    assert response.status_code == 413 and "larger than this server accepts" in response.text
    signup = client.post(f"/subscribe/{public_list().key}", data={"email": "x" * 30_000_000})
    assert signup.status_code == 413


def test_the_contact_import_takes_files_larger_than_other_requests(app, client, login, weekly):
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024, IMPORT_MAX_BYTES=4 * 1024 * 1024)
    login("editor")
    rows = b"".join(b"reader%d@example.com\n" % i for i in range(90_000))  # about 2 MB

    def upload(data):
        return client.post("/admin/imports", content_type="multipart/form-data", data={
            "list_id": str(weekly.id), "file": (io.BytesIO(b"email\n" + data), "big.csv")})

    assert upload(rows).status_code == 302
    assert upload(rows * 3).status_code == 413  # over IMPORT_MAX_BYTES
    elsewhere = client.post("/admin/campaigns/new", data={"subject": "x" * 2_000_000})
    assert elsewhere.status_code == 413


@pytest.mark.parametrize("name", [
    "page.html", "page.HTML", "page.htm", "page.xhtml", "page.shtml", "drawing.svg",
    "page.html.", "page.html ", "page.html. . ", "dir/page.html", "dir\\page.html",
    "run.exe", "script.js", "tab\tname.pdf", "nul\x00.pdf", "mht.mhtml",
])
def test_attachments_a_browser_or_system_would_run_are_refused(client, login, name):
    login()
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    response = client.post(f"/admin/campaigns/{campaign.id}/files",
                           data={"file": (io.BytesIO(b"<script>alert(1)</script>"), name)})
    assert response.status_code == 422
    assert "cannot be attached" in response.text or "cannot be used" in response.text


def test_an_attachment_type_comes_from_its_name_not_the_upload(client, login, app):
    login()
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    for name, claimed in (("prices.pdf", "text/html"), ("notes", "image/svg+xml")):
        response = client.post(f"/admin/campaigns/{campaign.id}/files", data={
            "file": (io.BytesIO(b"%PDF-1.4"), name, claimed)})
        assert response.status_code == 302
    from newsletter.extensions import db

    stored = dict(db.session.execute(select(CampaignAttachment.filename,
                                            CampaignAttachment.content_type)).all())
    assert stored == {"prices.pdf": "application/pdf", "notes": "application/octet-stream"}


@pytest.mark.parametrize("hops, recorded", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_behind_a_proxy_consent_records_the_clients_address(app_config, database_url, hops,
                                                            recorded, request):
    app_config["PROXY_HOPS"] = hops
    app = request.getfixturevalue("app")
    from newsletter.extensions import db
    from newsletter.models import OptIn

    mlist = public_list(optin=OptIn.SINGLE)
    client = app.test_client()
    response = client.post(f"/subscribe/{mlist.key}", data={"email": "reader@example.com"},
                           headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 200
    assert db.session.scalar(select(ConsentRecord.ip)) == recorded


def test_with_redis_down_requests_get_a_503_that_asks_to_come_back(app, client, login):
    mlist = public_list()
    token = make_key()
    with redis_down(app):
        signup = client.post(f"/subscribe/{mlist.key}", data={"email": "ana@example.com"})
        api = client.get("/api/v1/contacts", headers=auth(token))
    assert signup.status_code == 503 and signup.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in signup.text and "Try again in a minute" in signup.text
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.json["error"]["code"] == "service_unavailable"
    assert "not answering" in api.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0  # nothing half-done
    # Redis back: the same signup goes through
    again = client.post(f"/subscribe/{mlist.key}", data={"email": "ana@example.com"})
    assert again.status_code == 200
    assert db.session.scalar(select(Contact.email)) == "ana@example.com"
