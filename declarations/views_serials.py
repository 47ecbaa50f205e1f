"""Pages of the anti-smuggling rules: the declaration page's forms (serials found on arrival, resolving
a discrepancy, overriding a blocked settlement, an IMEI registry check, a transport document), the
transport documents' CSV import and headquarters' list of covered goods.

Scoped fetch (404 outside the scope), form, one service call, redirect to the declaration; a refused
input is shown beside its field on the declaration page again, with 400, 403 or 409.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scoping import get_scoped_or_404
from core.errors import DomainError, http_status
from core.forms import apply_error

from . import covered, idents, monitoring, serials, transport_docs
from .forms_serials import (
    ArrivalSerialsForm,
    CoveredGoodsForm,
    CoveredGoodsRemoveForm,
    CoveredGroupDateForm,
    ImeiCheckForm,
    ResolveDiscrepancyForm,
    SettlementOverrideForm,
    TransportDocumentForm,
    TransportDocumentsImportForm,
)
from .models import CoveredGoods, CoveredGroup, SerialDiscrepancy, TransitDeclaration


def _declaration(request, pk: int) -> TransitDeclaration:
    return get_scoped_or_404(TransitDeclaration.objects.select_related("origin", "destination"), request.user, pk=pk)


def _again(request, pk: int, name: str, form, status: int):
    """The declaration page again, with this form bound and its errors beside the fields."""
    from .views import declaration_detail

    return declaration_detail(request, pk, extra_forms={name: form}, status=status)


def _run(request, pk: int, name: str, form, call, done: str):
    if not form.is_valid():
        return _again(request, pk, name, form, 400)
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        apply_error(form, exc)
        return _again(request, pk, name, form, http_status(exc))
    messages.success(request, done)
    return redirect("declarations:detail", pk=pk)


@login_required
@require_POST
def arrival_serials(request, pk: int):
    declaration = _declaration(request, pk)
    if not serials.may_record(request.user, declaration):
        raise PermissionDenied(_("Only the destination office or headquarters record the serials found on arrival."))
    form = ArrivalSerialsForm(request.POST, prefix="serials")
    return _run(
        request,
        pk,
        "serials_form",
        form,
        lambda d: serials.arrival_serials_record(
            declaration=declaration, values=d["values"], kind=d["kind"], by=request.user
        ),
        _("Serials found on arrival recorded and compared with the declaration."),
    )


@login_required
@require_POST
def discrepancy_resolve(request, pk: int):
    discrepancy = SerialDiscrepancy.objects.filter(pk=pk).first()
    if discrepancy is None:
        raise Http404
    declaration = _declaration(request, discrepancy.declaration_id)
    if not serials.may_resolve(request.user, declaration):
        raise PermissionDenied(_("Only the destination office, the province's inspector or headquarters resolve it."))
    form = ResolveDiscrepancyForm(request.POST, prefix="resolve")
    return _run(
        request,
        declaration.pk,
        "resolve_form",
        form,
        lambda d: serials.discrepancy_resolve(discrepancy=discrepancy, reason=d["reason"], by=request.user),
        _("Discrepancy resolved."),
    )


@login_required
@require_POST
def settlement_override(request, pk: int):
    declaration = _declaration(request, pk)
    if not serials.may_override(request.user, declaration):
        raise PermissionDenied(str(serials.REFUSALS["may_override"]))
    form = SettlementOverrideForm(request.POST, prefix="override")
    return _run(
        request,
        pk,
        "override_form",
        form,
        lambda d: serials.settlement_override(declaration=declaration, reason=d["reason"], by=request.user),
        _("Settlement released: the destination may settle."),
    )


@login_required
@require_POST
def imei_check(request, pk: int):
    declaration = _declaration(request, pk)
    if not serials.may_check_imei(request.user, declaration):
        raise PermissionDenied(_("Only the origin or destination office, the inspector or headquarters record it."))
    form = ImeiCheckForm(request.POST, prefix="imei")
    return _run(
        request,
        pk,
        "imei_form",
        form,
        lambda d: serials.imei_check_record(
            declaration=declaration,
            imei=d["imei"],
            result=d["result"],
            checked_on=d["checked_on"],
            reference=d["reference"],
            by=request.user,
        ),
        _("Registry check recorded."),
    )


@login_required
@require_POST
def transport_document(request, pk: int):
    declaration = _declaration(request, pk)
    if not transport_docs.may_record(request.user, declaration):
        raise PermissionDenied(
            _("Only the origin or destination office, or headquarters, record the transport document.")
        )
    form = TransportDocumentForm(request.POST, prefix="document", declaration=declaration)
    return _run(
        request,
        pk,
        "document_form",
        form,
        lambda d: transport_docs.transport_document_record(
            declaration=declaration,
            number=d["number"],
            issued_on=d["issued_on"],
            origin=d["origin"],
            destination=d["destination"],
            route=d["route"],
            goods_description=d["goods_description"],
            quantity=d["quantity"],
            gross_weight_kg=d["gross_weight_kg"],
            by=request.user,
        ),
        _("Transport document recorded and compared with the declaration."),
    )


@login_required
def transport_documents_import(request):
    """A CSV of transport documents: each row recorded for a declaration in the user's scope."""
    if request.user.role not in (Role.HQ, Role.OFFICE) and not request.user.is_superuser:
        raise PermissionDenied(_("Only headquarters and office staff import transport documents."))
    form = TransportDocumentsImportForm(request.POST or None, request.FILES or None)
    summary = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summary = transport_docs.import_csv(
                    form.cleaned_data["file"].read(),
                    by=request.user,
                    visible=TransitDeclaration.objects.for_user(request.user),
                )
                status = 200
            except DomainError as exc:
                apply_error(form, exc)
    context = {"form": form, "summary": summary, "columns": transport_docs.guide()}
    return render(request, "declarations/transport_documents_import.html", context, status=status)


@login_required
def covered_goods(request):
    """The covered goods and their groups' dates: everyone reads them, headquarters edit them."""
    may_edit = covered.may_edit(request.user)
    add_form = CoveredGoodsForm(prefix="add")
    date_form = CoveredGroupDateForm(prefix="date")
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only headquarters edit the list of covered goods."))
        status = 400
        try:
            if "date-group" in request.POST:
                date_form = CoveredGroupDateForm(request.POST, prefix="date")
                if date_form.is_valid():
                    d = date_form.cleaned_data
                    covered.group_set_date(group=d["group"], mandatory_from=d["mandatory_from"], by=request.user)
                    messages.success(request, _("Date of %(g)s changed.") % {"g": d["group"]})
                    return redirect("declarations:covered-goods")
            else:
                add_form = CoveredGoodsForm(request.POST, prefix="add")
                if add_form.is_valid():
                    d = add_form.cleaned_data
                    covered.goods_add(
                        group=d["group"],
                        hs_prefix=d["hs_prefix"],
                        description=d["description"],
                        identifier=d["identifier"],
                        by=request.user,
                    )
                    messages.success(request, _("HS prefix %(p)s added.") % {"p": idents.hs_code_text(d["hs_prefix"])})
                    return redirect("declarations:covered-goods")
        except DomainError as exc:
            apply_error(add_form, exc)
            status = http_status(exc)
    context = {
        "groups": CoveredGroup.objects.prefetch_related("codes").order_by("mandatory_from", "code"),
        "may_edit": may_edit,
        "add_form": add_form,
        "date_form": date_form,
    }
    return render(request, "declarations/covered_goods.html", context, status=status)


@login_required
def covered_goods_remove(request, pk: int):
    """Removing an HS prefix from the national list, asked first: the page names the prefix and the open
    declarations whose signal «Covered goods without serials» it clears; its button removes it (audited)."""
    if not covered.may_edit(request.user):
        raise PermissionDenied(_("Only headquarters edit the list of covered goods."))
    item = get_object_or_404(CoveredGoods.objects.select_related("group"), pk=pk)
    form = CoveredGoodsRemoveForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            covered.goods_remove(item=item, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_error(form, exc)
            status = http_status(exc)
        else:
            messages.success(
                request, _("HS prefix %(p)s removed from the list.") % {"p": idents.hs_code_text(item.hs_prefix)}
            )
            return redirect("declarations:covered-goods")
    clears = monitoring.filter_signal(covered.flagged_by(item), "covered_without_serials").count()
    context = {"item": item, "clears": clears, "form": form}
    return render(request, "declarations/covered_goods_remove.html", context, status=status)


def page_context(request, declaration: TransitDeclaration, extra_forms: dict | None = None) -> dict:
    """The declaration page's part of these rules: the serials panel, the transport documents, the
    settlement blocks, and each form (bound again with its errors after a refused post)."""
    forms = {
        "serials_form": ArrivalSerialsForm(prefix="serials"),
        "resolve_form": ResolveDiscrepancyForm(prefix="resolve"),
        "override_form": SettlementOverrideForm(prefix="override"),
        "imei_form": ImeiCheckForm(prefix="imei"),
        "document_form": TransportDocumentForm(prefix="document", declaration=declaration),
        **(extra_forms or {}),
    }
    documents = list(declaration.transport_documents.select_related("recorded_by").order_by("-recorded_at", "-id")[:10])
    return {
        **serials.panel(request.user, declaration),
        **forms,
        "transport_documents": [(d, transport_docs.describe(d)) for d in documents],
        "may_record_document": declaration.status in transport_docs.RECORDING_STATUSES
        and transport_docs.may_record(request.user, declaration),
    }
