def test_health_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"ok": True, "problems": []}


def test_root_leads_to_the_admin(client):
    assert client.get("/").headers["Location"] == "/admin/"


def test_404_is_a_real_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text and "Error 404" in response.text


def test_a_public_404_speaks_the_visitors_language_without_the_admin_header(client):
    """A subscriber who follows a broken link meets the public layout in their language:
    ?lang= first, then the browser's."""
    german = client.get("/archive/nope", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.status_code == 404
    assert '<html lang="de">' in german.text
    assert "<h1>Seite nicht gefunden</h1>" in german.text
    assert 'class="topbar"' not in german.text and "/admin/" not in german.text
    unknown = client.get("/no/such/page", headers={"Accept-Language": "de"}).text
    assert "<h1>Seite nicht gefunden</h1>" in unknown and "Fehler 404" in unknown
    assert 'class="topbar"' not in unknown and "/admin/" not in unknown
    slovak = client.get("/no/such/page?lang=sk", headers={"Accept-Language": "de"})
    assert '<html lang="sk">' in slovak.text and "Stránka sa nenašla" in slovak.text
    for lang, title in (("cs", "Stránka nenalezena"), ("sl", "Strani ni mogoče najti")):
        assert title in client.get(f"/nothing?lang={lang}").text


def test_an_admin_404_keeps_the_admin_layout(client, login):
    login()
    page = client.get("/admin/no-such-page")
    assert page.status_code == 404
    assert 'class="topbar"' in page.text and "Back to the start page" in page.text


def test_500_is_a_real_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "RuntimeError" not in response.text
