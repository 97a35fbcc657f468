"""Importing contacts: upload, column mapping, the real RQ worker, and the report."""

import io

from sqlalchemy import func, select

from newsletter.audience import lists
from newsletter.audience.suppression import Reason, suppress
from newsletter.extensions import db
from newsletter.models import ConsentRecord, Contact, ContactImport, ImportChunk, Subscription

CSV_SEMICOLON = (
    "E-mail;Meno;Priezvisko;Telefón;Mesto\r\n"
    "jana.novakova@example.sk;Jana;Nováková;+421 905 123 456;Žilina\r\n"
    "not-an-address;Bad;Row;;Košice\r\n"
    "PETER@Example.SK;Peter;Horváth;;Trenčín\r\n"
    ";No;Address;;\r\n"
    "peter@example.sk;Peter;Again;;\r\n"
    "eva@example.sk;Eva;Phone;0905 123 456;\r\n"
)


def upload(client, list_id, filename, data: bytes):
    return client.post("/admin/imports", data={
        "list_id": str(list_id), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def start(client, response, **fields):
    url = response.headers["Location"]
    page = client.get(url)
    import_id = int(url.split("/")[-2])
    data = {"legal_basis": "consent", "source": "trade fair 2026", **fields}
    return import_id, page, client.post(url, data=data)


def mapping(*targets, encoding="utf-8-sig", delimiter=";", header=True):
    data = {f"columns-{i}": t for i, t in enumerate(targets)}
    data.update(encoding=encoding, delimiter=delimiter)
    if header:
        data["has_header"] = "y"
    return data


def test_bom_semicolon_csv_imports_good_rows_and_reports_bad_ones(client, login, weekly,
                                                                  worker):
    login()
    response = upload(client, weekly.id, "kontakty.csv", CSV_SEMICOLON.encode("utf-8-sig"))
    assert response.status_code == 302
    import_id, page, response = start(
        client, response, **mapping("email", "first_name", "last_name", "phone", "attribute"))
    # the mapping screen guessed encoding, delimiter and columns from the Slovak headers
    assert '<option selected value="utf-8-sig">' in page.text
    assert '<option selected value=";">' in page.text
    assert '<option selected value="last_name">' in page.text
    assert "Nováková" in page.text
    assert response.status_code == 302
    worker()

    report = client.get(f"/admin/imports/{import_id}")
    assert 'data-stat="status">finished' in report.text
    imp = db.session.get(ContactImport, import_id)
    assert (imp.rows_total, imp.created, imp.subscribed, imp.duplicates, imp.invalid) == (
        6, 2, 2, 1, 3)
    assert "<td>3</td><td>&#39;not-an-address&#39; is not a valid e-mail address</td>" \
        in report.text
    assert "<td>5</td><td>no e-mail address</td>" in report.text
    assert "<td>7</td><td>phone &#39;0905 123 456&#39; needs a country code" in report.text

    jana = db.session.scalar(select(Contact).where(Contact.email == "jana.novakova@example.sk"))
    assert (jana.last_name, jana.phone, jana.language) == ("Nováková", "+421905123456", "sk")
    assert jana.attributes == {"Mesto": "Žilina"}
    peter = db.session.scalar(select(Contact).where(Contact.email == "peter@example.sk"))
    assert peter.last_name == "Horváth"  # the first spelling wins, the repeat is counted
    subs = db.session.scalars(select(Subscription)).all()
    assert {s.status for s in subs} == {"confirmed"} and len(subs) == 2
    consents = db.session.scalars(select(ConsentRecord)).all()
    assert {(c.legal_basis, c.source, c.action) for c in consents} == {
        ("consent", "trade fair 2026", "granted")}
    assert len(consents) == 2
    assert db.session.scalar(select(func.count()).select_from(ImportChunk)) == 0  # file gone


def test_windows_1250_is_detected_and_decoded(client, login, weekly, worker):
    login()
    data = "email,first name,last name\nzofia@example.cz,Žofie,Šťastná\n".encode("cp1250")
    import_id, page, response = start(client, upload(client, weekly.id, "cz.csv", data),
                                      **mapping("email", "first_name", "last_name",
                                                encoding="cp1250", delimiter=","))
    assert '<option selected value="cp1250">' in page.text
    assert "Šťastná" in page.text
    worker()
    contact = db.session.scalar(select(Contact))
    assert (contact.first_name, contact.last_name) == ("Žofie", "Šťastná")


def test_wrong_encoding_marks_rows_instead_of_garbling_them(client, login, weekly, worker):
    login()
    data = "email,name\nzofia@example.cz,Šťastná\nok@example.cz,Plain\n".encode("cp1250")
    import_id, _page, _response = start(client, upload(client, weekly.id, "cz.csv", data),
                                        **mapping("email", "last_name", encoding="utf-8",
                                                  delimiter=","))
    worker()
    imp = db.session.get(ContactImport, import_id)
    assert (imp.created, imp.invalid) == (1, 1)
    assert "not valid in the chosen encoding" in client.get(f"/admin/imports/{import_id}").text


def test_xml_import_with_attributes_and_a_broken_tail(client, login, weekly, worker):
    login()
    xml = """<?xml version="1.0" encoding="windows-1250"?>
<contacts>
  <contact>
    <email>Marek@Example.SK</email>
    <first_name>Marek</first_name>
    <last_name>Ďurica</last_name>
    <language>sk</language>
    <attribute name="city">Žilina</attribute>
  </contact>
  <contact>
    <email>broken</email>
  </contact>
  <contact><email>second@example.sk</email><phone>+420 601 123 456</phone></contact>
  <contact><email>lost@example.sk</email>
</contacts>""".encode("cp1250")
    import_id, page, response = start(client, upload(client, weekly.id, "oberon.xml", xml),
                                      legal_basis="contract")
    assert response.status_code == 302
    assert "XML file" in page.text
    worker()
    imp = db.session.get(ContactImport, import_id)
    assert (imp.created, imp.subscribed, imp.invalid) == (2, 2, 2)
    marek = db.session.scalar(select(Contact).where(Contact.email == "marek@example.sk"))
    assert marek.last_name == "Ďurica" and marek.attributes == {"city": "Žilina"}
    second = db.session.scalar(select(Contact).where(Contact.email == "second@example.sk"))
    assert second.phone == "+420601123456"
    report = client.get(f"/admin/imports/{import_id}").text
    assert "<td>10</td><td>&#39;broken&#39; is not a valid e-mail address</td>" in report
    assert "the XML is not well-formed" in report
    assert {c.legal_basis for c in db.session.scalars(select(ConsentRecord))} == {"contract"}


def test_xml_with_entities_is_refused(client, login, weekly, worker):
    login()
    xml = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>
<contacts><contact><email>a@example.sk</email></contact></contacts>"""
    import_id, _page, _response = start(client, upload(client, weekly.id, "evil.xml", xml))
    worker()
    assert db.session.scalar(select(Contact)) is None
    assert "DTDs and entities are not allowed" in client.get(f"/admin/imports/{import_id}").text


def test_suppressed_inactive_and_unsubscribed_are_skipped_not_reactivated(
        client, login, weekly, worker):
    login()
    suppress(db.session, "erased@example.sk", Reason.ERASED)
    lists.add_contact_to_list(db.session, weekly.id, "left@example.sk")
    lists.add_contact_to_list(db.session, weekly.id, "member@example.sk")
    gone = lists.add_contact_to_list(db.session, weekly.id, "inactive@example.sk")
    gone.status = "inactive"
    left = db.session.scalar(select(Subscription).join(Contact).where(
        Contact.email == "left@example.sk"))
    left.status = "unsubscribed"
    db.session.commit()
    data = (b"email\nErased@example.sk\nleft@example.sk\ninactive@example.sk\n"
            b"member@example.sk\nnew@example.sk\n")
    import_id, _page, _response = start(client, upload(client, weekly.id, "a.csv", data),
                                        **mapping("email", encoding="utf-8", delimiter=","))
    worker()
    imp = db.session.get(ContactImport, import_id)
    assert (imp.suppressed, imp.duplicates, imp.created, imp.subscribed) == (3, 1, 1, 1)
    assert db.session.scalar(select(Contact).where(Contact.email == "erased@example.sk")) is None
    db.session.refresh(left)
    db.session.refresh(gone)
    assert left.status == "unsubscribed" and gone.status == "inactive"


def test_legal_basis_is_required_and_the_mapping_is_kept(client, login, weekly):
    login()
    response = upload(client, weekly.id, "a.csv", CSV_SEMICOLON.encode())
    url = response.headers["Location"]
    response = client.post(url, data={**mapping("email", "first_name", "", "phone", ""),
                                      "legal_basis": "", "source": "typed source"})
    assert response.status_code == 422
    assert "Choose the legal basis." in response.text
    assert 'value="typed source"' in response.text
    assert '<option selected value="phone">' in response.text


def test_mapping_needs_exactly_one_email_column(client, login, weekly):
    login()
    url = upload(client, weekly.id, "a.csv", CSV_SEMICOLON.encode()).headers["Location"]
    response = client.post(url, data={**mapping("first_name", "last_name"),
                                      "legal_basis": "consent"})
    assert response.status_code == 422
    assert "Map exactly one column to E-mail." in response.text


def test_empty_file_is_refused(client, login, weekly):
    login()
    response = upload(client, weekly.id, "empty.csv", b"  \n")
    assert response.status_code == 422
    assert "The file is empty." in response.text


def test_viewer_cannot_import(client, login, weekly):
    login("viewer")
    assert upload(client, weekly.id, "a.csv", b"email\na@example.sk\n").status_code == 403


def test_status_endpoint_reports_progress_counters(client, login, weekly, worker):
    login()
    import_id, _page, _response = start(
        client, upload(client, weekly.id, "a.csv", b"email\na@example.sk\nb@example.sk\n"),
        **mapping("email", encoding="utf-8", delimiter=","))
    queued = client.get(f"/admin/imports/{import_id}/status.json").json
    assert queued["status"] == "queued" and queued["percent"] == 0
    worker()
    done = client.get(f"/admin/imports/{import_id}/status.json").json
    assert done == {"id": import_id, "status": "finished", "percent": 100, "rows_total": 2,
                    "created": 2, "subscribed": 2, "duplicates": 0, "suppressed": 0,
                    "invalid": 0, "error": None}




PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01")


def test_an_image_or_other_binary_file_is_refused(client, login, weekly):
    login()
    for name, data in (("contacts.csv", PNG), ("export.csv", b"PK\x03\x04zipdata\x00\x00"),
                       ("list.csv", b"email\x00\x00\x00\x01\x02")):
        response = upload(client, weekly.id, name, data)
        assert response.status_code == 422, name
        assert "not a CSV or XML file" in response.text
    assert "an image (PNG)" in upload(client, weekly.id, "c.csv", PNG).text
    assert db.session.scalar(select(func.count()).select_from(ContactImport)) == 0


def test_the_mapping_preview_shows_the_header_as_column_names_not_as_data(client, login,
                                                                          weekly):
    login()
    response = upload(client, weekly.id, "a.csv", b"email,first_name\na@example.sk,Ann\n")
    page = client.get(response.headers["Location"]).text
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert "<td>email</td>" not in body and "<td>a@example.sk</td>" in body
    assert "email" in head and "first_name" in head
    # without a header row, the first line is data
    url = response.headers["Location"]
    page = client.post(url, data={**mapping("email", "first_name", encoding="utf-8",
                                            delimiter=",", header=False), "preview": "1"}).text
    assert "<td>email</td>" in page.split("<tbody>")[1]


def test_uploads_never_set_up_are_removed_after_a_day(app, client, login, weekly):
    from datetime import timedelta

    from newsletter import jobs
    from newsletter.models import utcnow
    login()
    old = upload(client, weekly.id, "old.csv", b"email\na@example.sk\n")
    fresh = upload(client, weekly.id, "fresh.csv", b"email\nb@example.sk\n")
    old_id = int(old.headers["Location"].split("/")[-2])
    fresh_id = int(fresh.headers["Location"].split("/")[-2])
    db.session.get(ContactImport, old_id).created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    jobs.reap()
    db.session.expire_all()
    assert db.session.get(ContactImport, old_id) is None
    assert db.session.get(ContactImport, fresh_id) is not None
    assert db.session.scalar(select(func.count()).select_from(ImportChunk)
                             .where(ImportChunk.import_id == old_id)) == 0


def test_rejected_and_repeated_rows_are_listed_and_can_be_downloaded(client, login, weekly,
                                                                    worker):
    login()
    import_id, _page, _response = start(
        client, upload(client, weekly.id, "kontakty.csv", CSV_SEMICOLON.encode("utf-8-sig")),
        **mapping("email", "first_name", "last_name", "phone", "attribute"))
    worker()
    report = client.get(f"/admin/imports/{import_id}").text
    assert "<td>6</td><td>the same address as line 4 (imported once)</td>" in report
    assert f'action="/admin/imports/{import_id}/rejected.csv"' in report
    imp = db.session.get(ContactImport, import_id)
    assert imp.invalid == 3 and imp.duplicates == 1  # the repeat is a duplicate, not invalid

    download = client.post(f"/admin/imports/{import_id}/rejected.csv", buffered=True)
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    lines = download.text.splitlines()
    assert lines[0] == "line,reason,row"
    assert lines[1] == ("3,'not-an-address' is not a valid e-mail address,"
                        "not-an-address;Bad;Row;;Košice")
    assert lines[2] == "5,no e-mail address,;No;Address;;"
    assert any(line.startswith("6,the same address as line 4") for line in lines)
    assert len(lines) == 5


def test_addresses_already_on_the_list_are_listed_and_in_the_download(client, login, weekly,
                                                                     worker):
    """Duplicates are named, not just counted: repeats within the file and addresses that
    were on the list before the import."""
    lists.add_contact_to_list(db.session, weekly.id, "jana.novakova@example.sk")
    db.session.commit()
    login()
    import_id, _page, _response = start(
        client, upload(client, weekly.id, "kontakty.csv", CSV_SEMICOLON.encode("utf-8-sig")),
        **mapping("email", "first_name", "last_name", "phone", "attribute"))
    worker()
    imp = db.session.get(ContactImport, import_id)
    assert (imp.duplicates, imp.subscribed, imp.invalid) == (2, 1, 3)
    # peter repeated in the file, jana already on the list
    report = client.get(f"/admin/imports/{import_id}").text
    assert ("<td>2</td><td>already on the list</td>"
            '<td class="cell-wrap">jana.novakova@example.sk</td>') in report
    assert "<td>6</td><td>the same address as line 4 (imported once)</td>" in report
    lines = client.post(f"/admin/imports/{import_id}/rejected.csv", buffered=True).text
    assert "2,already on the list,jana.novakova@example.sk" in lines.splitlines()
