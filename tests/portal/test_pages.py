import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Department

PAGE_BUDGET_BYTES = 60 * 1024


def test_home_routes_each_kind_of_user_to_its_end(client, seeded):
    html = client.get("/").get_data(as_text=True)
    for end in ("/citizen/", "/enterprise/", "/gov/"):
        assert f'href="{end}"' in html


def test_home_lists_the_service_centres_from_the_department_table(client, seeded):
    html = client.get("/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "方松街道" in html and "九亭镇" in html
    assert "区经济委员会" not in html  # bureaus are not community service centres


def test_pages_stay_under_the_size_budget(client, seeded):
    for url in ["/", "/citizen/", "/enterprise/", "/gov/"]:
        html = client.get(url).get_data()
        assets = re.findall(r'(?:href|src)="(/static/[^"?]+)', html.decode())
        total = len(html)
        for asset in assets:
            with client.get(asset) as response:
                total += len(response.get_data())
        assert total < PAGE_BUDGET_BYTES, (url, total)


def test_static_assets_are_versioned_and_cached_long(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/portal\.css\?v=[0-9a-f]{12})"', html)
    assert css
    with client.get(css.group(1)) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_elder_mode_switch_is_remembered_before_sign_in(client):
    assert 'class="elder"' not in client.get("/").get_data(as_text=True)
    response = client.post("/preferences/elder-mode", data={"enabled": "1", "next": "/gov/"})
    assert response.headers["Location"] == "/gov/"
    assert '<html lang="en" class="elder">' in client.get("/").get_data(as_text=True)
    client.post("/preferences/elder-mode", data={"enabled": "0", "next": "/"})
    assert 'class="elder"' not in client.get("/").get_data(as_text=True)


def test_seed_demo_is_idempotent(app, app_context):
    first = app.test_cli_runner().invoke(args=["seed-demo"])
    assert first.exit_code == 0
    count = db.session.scalar(select(func.count(Department.id)))
    assert count >= 25
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count(Department.id))) == count
    skipped = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "skipped" in skipped.output


def test_seed_demo_refuses_production(app):
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True
    assert result.exit_code != 0
    assert "never created in production" in result.output
