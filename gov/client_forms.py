"""Forms of the client registry (department systems that sign in through the portal)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from auth.oidc import claims
from auth.oidc.clients import Registration, redirect_uri_problem
from portal.case_labels import ACTIONS
from portal.forms import SubmitOnceForm
from portal.i18n import localized
from portal.webhooks import EVENT_TYPES, AddressPolicy, Subscription, action_of, url_problem


def uri_problem_message(problem: str, uri: str) -> str:
    if problem == "fragment":
        return _("“%(uri)s” has a # part. Redirect addresses cannot have one.", uri=uri)
    if problem == "insecure":
        return _("“%(uri)s” must use https. Plain http is allowed only for 127.0.0.1 or localhost.", uri=uri)
    return _("“%(uri)s” is not a complete address. Write it in full, for example "
             "https://system.example.gov.cn/callback.", uri=uri)


CLIENT_KINDS = [
    SelectChoice("confidential", _l("A system running on a server, which can keep a secret")),
    SelectChoice("public", _l("A mobile or desktop app, which cannot keep a secret (it must use PKCE)")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ClientForm(SubmitOnceForm):
    name = StringField(
        _l("Name of the system"),
        validators=[DataRequired(message=_l("Enter the name of the system.")), Length(max=100)],
    )
    department_id = SelectField(
        _l("Department that runs it"), coerce=int,
        validators=[InputRequired(message=_l("Choose the department that runs the system."))],
    )
    kind = RadioField(_l("Kind of application"), choices=CLIENT_KINDS, default="confidential",
                      validators=[InputRequired(message=_l("Choose the kind of application."))])
    redirect_uris = TextAreaField(
        _l("Redirect addresses"),
        description=_l("Where the portal sends people back after they sign in. One address per line, exactly as "
                       "the system sends it."),
    )
    post_logout_redirect_uris = TextAreaField(
        _l("Addresses after signing out"),
        description=_l("Where the portal may send people after they sign out from the system. One per line; "
                       "may be left empty."),
    )
    scopes = MultiCheckboxField(
        _l("What the system may ask for"),
        choices=[SelectChoice(info.name, info.description) for info in claims.SCOPES.values()],
        default=["openid"],
    )
    first_party = BooleanField(_l("Run by the district itself: people are not asked to allow it"))
    resource_server = BooleanField(_l("An interface that checks access tokens (may use token introspection)"))

    def with_departments(self, departments) -> ClientForm:
        self.department_id.choices = [SelectChoice(d.id, localized(d.name_zh, d.name_en)) for d in departments]
        return self

    @property
    def confidential(self) -> bool:
        return self.kind.data == "confidential"

    def _check_uris(self, field) -> None:
        for uri in _lines(field.data):
            problem = redirect_uri_problem(uri, confidential=self.confidential)
            if problem:
                raise ValidationError(uri_problem_message(problem, uri))

    def validate_redirect_uris(self, field) -> None:
        self._check_uris(field)
        if not _lines(field.data) and not self.resource_server.data:
            raise ValidationError(_l("Enter at least one redirect address."))

    def validate_post_logout_redirect_uris(self, field) -> None:
        self._check_uris(field)

    def validate_scopes(self, field) -> None:
        if not self.resource_server.data and "openid" not in (field.data or []):
            raise ValidationError(_l("A system that signs people in must be allowed to know who they are."))

    def validate_resource_server(self, field) -> None:
        if field.data and not self.confidential:
            raise ValidationError(_l("An interface that checks tokens must be able to keep a secret."))

    def registration(self) -> Registration:
        return Registration(
            name=self.name.data.strip(),
            department_id=self.department_id.data,
            confidential=self.confidential,
            redirect_uris=_lines(self.redirect_uris.data),
            post_logout_redirect_uris=_lines(self.post_logout_redirect_uris.data),
            scopes=list(self.scopes.data or []),
            first_party=self.first_party.data,
            resource_server=self.resource_server.data,
        )


class ClientActionForm(FlaskForm):
    """The CSRF token behind each button (rotate the secret, disable, enable)."""


def webhook_url_message(problem: str, url: str) -> str:
    if problem == "insecure":
        return _("“%(url)s” must use https. Plain http is allowed only for 127.0.0.1 or localhost, and only on a "
                 "development or test portal.", url=url)
    if problem == "credentials":
        return _("“%(url)s” contains a user name or password. Leave them out: the portal signs every message "
                 "instead.", url=url)
    if problem == "fragment":
        return _("“%(url)s” has a # part. Webhook addresses cannot have one.", url=url)
    if problem == "address":
        return _("“%(url)s” is a private or reserved network address, which the portal does not send to unless "
                 "its operator allows that network.", url=url)
    return _("“%(url)s” is not a complete address. Write it in full, for example "
             "https://system.example.gov.cn/portal-events.", url=url)


def _event_choices() -> list[SelectChoice]:
    return [
        SelectChoice(name, _l("%(action)s (%(type)s)", action=ACTIONS.get(action_of(name), name), type=name))
        for name in EVENT_TYPES
    ]


class WebhookForm(SubmitOnceForm):
    url = StringField(
        _l("Address that receives the events"),
        description=_l("The department system's https address. The portal POSTs each case event there as JSON, "
                       "signed with a secret it shows you once."),
        validators=[DataRequired(message=_l("Enter the address that receives the events.")), Length(max=500)],
    )
    event_types = MultiCheckboxField(_l("Case events to send"), choices=_event_choices(), default=list(EVENT_TYPES))

    policy = AddressPolicy()

    def with_policy(self, policy: AddressPolicy) -> WebhookForm:
        self.policy = policy
        return self

    def validate_url(self, field) -> None:
        url = (field.data or "").strip()
        problem = url_problem(url, self.policy)
        if problem:
            raise ValidationError(webhook_url_message(problem, url))

    def validate_event_types(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one case event to send."))

    def subscription(self) -> Subscription:
        return Subscription(url=self.url.data.strip(), event_types=list(self.event_types.data))
