"""In Chromium: an editor imports a Windows-1250 CSV with bad rows, follows the live
progress and reads the report of invalid rows; the good rows are on the list."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CSV = ("Email;Meno;Priezvisko\r\n"
       "jana@example.sk;Jana;Nováková\r\n"
       "nie-je-adresa;Zlý;Riadok\r\n"
       "peter@example.sk;Peter;Šťastný\r\n"
       ";Bez;Adresy\r\n").encode("cp1250")


def test_import_with_bad_rows_shows_the_report(page, live_server, make_user, worker,
                                               artifacts, tmp_path):
    make_user("editor@example.com", "editor")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Lists").click()
    page.get_by_role("link", name="New list").click()
    page.get_by_label("Name").fill("Zákazníci")
    page.get_by_role("button", name="Create list").click()
    page.get_by_role("link", name="Import contacts").click()

    path = tmp_path / "kontakty.csv"
    path.write_bytes(CSV)
    page.get_by_label("File (CSV or XML)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()

    # the mapping screen read the Windows-1250 file and guessed the columns
    expect(page.get_by_role("cell", name="Nováková")).to_be_visible()
    expect(page.get_by_label("Encoding")).to_have_value("cp1250")
    expect(page.get_by_label("Delimiter")).to_have_value(";")
    expect(page.get_by_label("Column 3")).to_have_value("last_name")
    page.screenshot(path=str(artifacts / "import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_text("Choose the legal basis.")).to_be_visible()
    page.get_by_label("Legal basis").select_option("consent")
    page.get_by_role("button", name="Start import").click()
    expect(page.locator("#import-state")).to_have_text("queued")
    page.screenshot(path=str(artifacts / "import-queued.png"), full_page=True)

    worker()
    expect(page.locator("#import-state")).to_have_text("finished")  # polled, then reloaded
    expect(page.locator('[data-stat="subscribed"]')).to_have_text("2")
    expect(page.locator('[data-stat="invalid"]')).to_have_text("2")
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "100")
    issues = page.locator("#import-issues tbody tr")
    expect(issues).to_have_count(2)
    expect(issues.nth(0)).to_contain_text("3")
    expect(issues.nth(0)).to_contain_text("'nie-je-adresa' is not a valid e-mail address")
    expect(issues.nth(1)).to_contain_text("5")
    expect(issues.nth(1)).to_contain_text("no e-mail address")
    page.screenshot(path=str(artifacts / "import-report.png"), full_page=True)

    page.get_by_role("link", name="Zákazníci").click()
    expect(page.get_by_role("cell", name="peter@example.sk")).to_be_visible()
    expect(page.get_by_role("cell", name="Peter Šťastný")).to_be_visible()


def test_bulk_erase_warns_and_unsubscribe_is_taken_instead(page, live_server, make_user,
                                                           artifacts):
    from tests.factories import list_with_contacts

    make_user("editor@example.com", "editor")
    list_with_contacts(*(f"reader{i}@example.sk" for i in range(12)), name="Weekly")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Contacts").click()
    page.get_by_label("Search").fill("reader")
    page.get_by_role("button", name="Search").click()
    boxes = page.locator('input[name="ids"]')
    expect(boxes).to_have_count(12)
    for i in range(12):
        boxes.nth(i).check()
    page.screenshot(path=str(artifacts / "contacts-search.png"), full_page=True)
    page.get_by_label("Action").select_option("erase")
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page.get_by_role("heading", name="Erase 12 contacts?")).to_be_visible()
    expect(page.get_by_text("This is a mass deletion.")).to_be_visible()
    page.screenshot(path=str(artifacts / "contacts-erase-warning.png"), full_page=True)
    page.get_by_role("button", name="Unsubscribe them instead").click()
    expect(page.get_by_text("12 contacts unsubscribed.")).to_be_visible()
    page.get_by_role("link", name="reader0@example.sk").click()
    expect(page.locator("#subscriptions")).to_contain_text("unsubscribed")
    expect(page.locator("#consents")).to_contain_text("withdrawn")
    expect(page.locator("#history")).to_contain_text("inactive")
    page.screenshot(path=str(artifacts / "contact-detail.png"), full_page=True)
