"""The theme page: colour pickers, logo upload and the live preview of unsaved values."""

import io

from sqlalchemy import select

from newsletter.content import display
from newsletter.extensions import db
from newsletter.models import Theme, Upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
THEME = {"name": "Brand", "primary_color": "#123456", "background_color": "#ffffff",
         "text_color": "#000000", "font_family": "Verdana, Geneva, sans-serif"}


def test_theme_form_offers_colour_pickers_and_a_preview(client, login):
    login()
    page = client.get("/admin/themes/new").text
    assert page.count('type="color"') == 3
    assert 'id="theme-preview"' in page and "/admin/themes/preview?" in page


def test_uploaded_logo_becomes_the_themes_logo(client, login):
    login()
    response = client.post("/admin/themes/new", data={
        **THEME, "logo_file": (io.BytesIO(PNG), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme))
    upload = db.session.scalar(select(Upload))
    assert theme.logo_url == f"/media/{upload.key}" and upload.content_type == "image/png"
    preview = client.get(f"/admin/templates/newsletter/preview?theme={theme.id}").text
    assert f"/media/{upload.key}" in preview
    assert client.get(f"/media/{upload.key}").data == PNG


def test_a_logo_that_is_no_image_is_refused_and_nothing_is_saved(client, login):
    login()
    response = client.post("/admin/themes/new", data={
        **THEME, "logo_file": (io.BytesIO(b"MZ not an image"), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Only PNG, JPEG and GIF images can be uploaded." in response.text
    assert db.session.scalar(select(Theme)) is None
    assert db.session.scalar(select(Upload)) is None


def test_preview_shows_unsaved_values_and_defaults_for_half_typed_ones(client, login):
    login()
    shown = client.get("/admin/themes/preview", query_string={
        **THEME, "primary_color": "#abcdef", "organization": "Unsaved Ltd."})
    assert shown.status_code == 200
    assert shown.headers["Content-Security-Policy"] == display.MESSAGE_CSP  # no script
    assert "#abcdef" in shown.text and "Unsaved Ltd." in shown.text
    half = client.get("/admin/themes/preview", query_string={
        **THEME, "primary_color": "#ab", "font_family": "Comic Sans",
        "logo_url": "javascript:alert(1)"}).text
    assert "#ab;" not in half and "#1a5fb4" in half  # the default primary colour
    assert "Comic Sans" not in half and "javascript:" not in half
    assert db.session.scalar(select(Theme)) is None  # a preview saves nothing
