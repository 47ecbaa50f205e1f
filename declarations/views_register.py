"""Registering a declaration by hand when ICS is down: the form, one service call, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Role
from core.errors import DomainError, field_messages, http_status

from . import idents, services
from .forms_register import RegisterForm, goods_formset
from .import_validation import Validator


def may_open_register(user) -> bool:
    """Who is offered the page: headquarters, and office staff with an office (their own as origin)."""
    return user.is_superuser or user.role == Role.HQ or (user.role == Role.OFFICE and bool(user.office_id))


@login_required
def declaration_register(request):
    if not may_open_register(request.user):
        raise PermissionDenied(_("Only headquarters and office staff register declarations by hand."))
    validator = Validator(by_hand=True)
    form = RegisterForm(request.POST or None, user=request.user, validator=validator)
    try:
        lines = int(request.GET.get("lines", 3))
    except ValueError:
        lines = 3
    goods = goods_formset(lines)(request.POST or None, prefix="goods", form_kwargs={"validator": validator})
    status = 200
    if request.method == "POST":
        if form.is_valid() and goods.is_valid():
            try:
                declaration = services.declaration_register(row=form.row(), goods=goods.goods(), by=request.user)
            except DomainError as exc:
                _place_error(form, goods, exc)
                status = http_status(exc)
            else:
                messages.success(
                    request,
                    _("Declaration %(serial)s registered by hand.")
                    % {"serial": idents.serial_text(declaration.serial)},
                )
                return redirect("declarations:detail", pk=declaration.pk)
        else:
            status = 400
    return render(
        request,
        "declarations/register.html",
        {"form": form, "goods": goods, "more_lines": min(lines + 5, 50)},
        status=status,
    )


def _place_error(form, goods, exc: DomainError) -> None:
    """The service's error beside each field it names with that field's messages (a goods column on the
    formset), or on the form."""
    placed = False
    for name, said in field_messages(exc).items():
        for target in (form, *goods.forms[:1]):
            if name in target.fields:
                for message in said:
                    target.add_error(name, message)
                placed = True
                break
    if not placed:
        form.add_error(None, str(exc))
