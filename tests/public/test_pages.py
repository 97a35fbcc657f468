def test_health_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"ok": True, "problems": []}


def test_root_leads_to_the_admin(client):
    assert client.get("/").headers["Location"] == "/admin/"


def test_404_is_a_real_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>404 · Not found</h1>" in response.text


def test_500_is_a_real_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "RuntimeError" not in response.text
