"""Staff forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from accounts.roles import ROLE_LABELS, Role

CODE = [DataRequired(), Length(min=6, max=8)]


class LoginForm(FlaskForm):
    """User name, password and the authenticator code."""

    username = StringField("用户名 User name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("密码 Password", validators=[DataRequired(), Length(max=256)])
    code = StringField("验证码 Authenticator code", validators=[Optional(), Length(max=8)])


class SetupForm(FlaskForm):
    """First login: a password of one's own and a confirmed authenticator."""

    new_password = PasswordField(
        "新密码 New password", validators=[DataRequired(), Length(max=256)]
    )
    confirm = PasswordField(
        "再次输入 Repeat", validators=[DataRequired(), EqualTo("new_password", "两次输入不一致")]
    )
    code = StringField("验证码 Authenticator code", validators=CODE)


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField("当前密码 Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "新密码 New password", validators=[DataRequired(), Length(max=256)]
    )
    confirm = PasswordField(
        "再次输入 Repeat", validators=[DataRequired(), EqualTo("new_password", "两次输入不一致")]
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: the form exists for its CSRF token."""


class NewAccountForm(FlaskForm):
    """A security administrator creates one account."""

    username = StringField("用户名 User name", validators=[DataRequired(), Length(max=64)])
    display_name = StringField("姓名 Name", validators=[DataRequired(), Length(max=100)])
    staff_no = StringField(
        "工号 Staff number (psychologists, supervisors)", validators=[Optional()]
    )
    email = StringField(
        "联系邮箱 Contact e-mail (when the roster has no contact)",
        validators=[Optional(), Length(max=254)],
    )


class ContactForm(FlaskForm):
    """The account's own contact e-mail, for its set-up links and notices."""

    email = StringField("联系邮箱 Contact e-mail", validators=[DataRequired(), Length(max=254)])


class GrantForm(FlaskForm):
    """Request a role over a scope for an account."""

    role = SelectField("角色 Role", choices=[])
    scope_id = SelectField("学校或区 School or district", choices=[], validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set after binding: WTForms 3.3 warns about tuple choices given to the field class.
        self.role.choices = [(r.value, ROLE_LABELS[r]) for r in Role]


class BulkAccountsForm(FlaskForm):
    """A CSV of accounts, roles and scopes."""

    file = FileField("CSV", validators=[FileRequired()])
