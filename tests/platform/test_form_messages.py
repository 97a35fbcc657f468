"""WTForms' own messages ("This field is required.") in the account's language, Slovenian
included, for which WTForms ships no catalogue of its own."""

import pytest


@pytest.mark.parametrize(("language", "required", "too_long"), [
    ("sl", "To polje je obvezno.", "Polje ima lahko največ 200 znakov."),
    ("de", "Dieses Feld", "200 Zeichen"),
    ("cs", "Toto pole je povinné.", "200 znak"),
    ("en", "This field is required.", "Field cannot be longer than 200 characters."),
])
def test_form_errors_speak_the_accounts_language(client, login, language, required,
                                                 too_long):
    login()
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})
    form = {"visibility": "private", "optin": "double", "language": "en",
            "channels": "email", "purpose": "newsletter"}
    empty = client.post("/admin/lists/new", data={**form, "name": ""})
    assert empty.status_code == 422 and required in empty.text
    long = client.post("/admin/lists/new", data={**form, "name": "x" * 201})
    assert long.status_code == 422 and too_long in long.text
    if language != "en":
        assert "This field is required." not in empty.text
