"""The portal's Jinja environment: templates see the same globals as with Jinja's own, imports
included, while its globals' keys are compared as a dict's."""

from __future__ import annotations

from jinja2 import DictLoader

from portal.templating import PortalEnvironment, TemplateGlobals


def _environment(templates: dict, app) -> PortalEnvironment:
    environment = PortalEnvironment(app, loader=DictLoader(templates))
    environment.globals["site"] = "portal"
    return environment


def test_an_imported_macro_sees_the_globals_of_the_template_that_imports_it(app):
    environment = _environment({
        "macros.html": "{% macro badge() %}[{{ site }}:{{ extra }}]{% endmacro %}",
        "page.html": '{% from "macros.html" import badge %}{{ badge() }}',
    }, app)

    page = environment.get_template("page.html", globals={"extra": "own"})

    assert page.render() == "[portal:own]"


def test_a_template_s_own_globals_overlay_the_environment_s(app):
    environment = _environment({"page.html": "{{ site }}"}, app)

    assert environment.get_template("page.html", globals={"site": "own"}).render() == "own"


def test_globals_added_to_the_environment_later_are_seen_by_templates_already_loaded(app):
    environment = _environment({"page.html": "{{ later | default('absent') }}"}, app)
    page = environment.get_template("page.html")
    assert page.render() == "absent"

    environment.globals["later"] = "present"

    assert page.render() == "present"
    assert not {"later"} - page.globals.keys()  # what an import asks


def test_the_keys_are_those_of_every_layer_once():
    shared = {"a": 1, "b": 2}
    template_globals = TemplateGlobals({"b": 3, "c": 4}, shared)

    assert set(template_globals.keys()) == {"a", "b", "c"}
    assert {"a", "d"} - template_globals.keys() == {"d"}
    assert template_globals["b"] == 3


def test_the_app_renders_with_the_portal_s_environment(app):
    assert isinstance(app.jinja_env, PortalEnvironment)
    assert isinstance(app.jinja_env.get_template("citizen/code.html").globals, TemplateGlobals)
