"""Every text field of every form has a length limit (issue 13 item 8): a form added without one fails
here. The limits are listed in docs/security.md."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.test import RequestFactory

import nqihub


def _form_classes():
    for module_info in pkgutil.walk_packages(nqihub.__path__, "nqihub."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or not name.rsplit(".", 1)[-1].startswith("forms"):
            continue
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def _instance(cls):
    """An unbound instance (limits some forms set in ``__init__``), or None when it needs arguments."""
    for args in ((), (None,)):
        try:
            return cls(*args)
        except (TypeError, AttributeError):
            continue
    return None


@pytest.mark.django_db
def test_every_text_field_of_every_form_has_a_maximum_length():
    unbounded = []
    for cls in _form_classes():
        form = _instance(cls)
        fields = form.fields if form is not None else cls.base_fields
        for name, field in fields.items():
            if isinstance(field, forms.CharField) and not field.max_length:
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unbounded == []


@pytest.mark.django_db
def test_the_sign_in_forms_bound_passwords_too():
    from nqihub.accounts.forms import LoginForm

    form = LoginForm(RequestFactory().post("/"), data={"username": "x", "password": "A" * 5000})
    assert not form.is_valid() and "password" in form.errors
