"""The catalogue's search box: a GET form, nothing to protect from cross-site requests."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional


class DatasetSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search the datasets"), validators=[Optional(), Length(max=100)])
