"""Forms of the follow-up letter and judicial case pages. Every date is typed as Jalali."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from core import currencies
from core.errors import DomainError, FileRejected
from core.forms import (
    CurrencyField,
    JalaliDateField,
    JalaliDateTimeField,
    ListFilterForm,
    PageDecimalField,
    PageForm,
    flag_field,
)
from core.text import digits, format_number

from . import services
from .models import CaseStatus, LetterStatus, ValuationKind


class LetterForm(PageForm):
    subject = forms.CharField(label=gettext_lazy("subject"), max_length=300)
    body = forms.CharField(label=gettext_lazy("body"), widget=forms.Textarea(attrs={"rows": 10}))
    has_attachment = forms.BooleanField(label=gettext_lazy("has attachment"), required=False)
    copies = forms.CharField(
        label=gettext_lazy("copies to (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signer_name = forms.CharField(label=gettext_lazy("signer name"), max_length=150, required=False)
    signer_title = forms.CharField(label=gettext_lazy("signer title"), max_length=150, required=False)

    def clean_copies(self):
        """The copies as lines, beside the field when refused (the service checks the same)."""
        copies, refusal = services.letter_copies(self.cleaned_data["copies"].splitlines())
        _error(refusal)
        return copies


class AnswerForm(PageForm):
    reply_text = forms.CharField(
        label=gettext_lazy("reply"), max_length=services.REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    reply_number = forms.CharField(
        label=gettext_lazy("reply letter number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    answered_on = JalaliDateField(label=gettext_lazy("reply date (Jalali)"), required=False)
    reply_document = forms.FileField(label=gettext_lazy("reply letter file (PDF, JPEG, PNG)"), required=False)

    file_status = 400  # a refused file answers with its own status (413, 415, 422, 503), as the service's would

    def clean_reply_document(self):
        """Checked here as the service checks it, so that a refused file is named with the other fields."""
        document = self.cleaned_data["reply_document"]
        if document:
            try:
                services.check_reply_document(document)
            except FileRejected as exc:
                self.file_status = exc.status
                raise forms.ValidationError(str(exc)) from exc
        return document


RATE_HELP = gettext_lazy(
    "Rials for one unit of the currency on the discovery day: more than 1 for any currency but the rial; "
    "an amount in rials takes IRR at 1."
)


class CaseForm(PageForm):
    file_number = forms.CharField(
        label=gettext_lazy("file number"),
        max_length=60,
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    authority = forms.CharField(label=gettext_lazy("authority"), max_length=150)
    branch = forms.CharField(label=gettext_lazy("branch"), max_length=100, required=False)
    opened_on = JalaliDateField(label=gettext_lazy("opened on (Jalali)"))
    cif_value = PageDecimalField(label=gettext_lazy("CIF value"), min_value=0, decimal_places=2, max_digits=18)
    currency = CurrencyField(label=gettext_lazy("currency"), initial="USD")
    exchange_rate = PageDecimalField(
        label=gettext_lazy("exchange rate (rial per unit)"),
        min_value=0,
        decimal_places=4,
        max_digits=18,
        help_text=RATE_HELP,
    )
    duties = PageDecimalField(label=gettext_lazy("duties (rial)"), min_value=0, decimal_places=0, initial=0)
    fees = PageDecimalField(label=gettext_lazy("fees (rial)"), min_value=0, decimal_places=0, initial=0)
    commercial_profit = PageDecimalField(
        label=gettext_lazy("commercial profit (rial)"), min_value=0, decimal_places=0, initial=0, required=False
    )
    rate_source = forms.CharField(
        label=gettext_lazy("rate source"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "The exporters' rate of the discovery day; empty: the Iran Center for Exchange of Currency and Gold."
        ),
    )
    discovered_at = JalaliDateTimeField(
        label=gettext_lazy("discovered at (Jalali, Tehran time)"),
        required=False,
        time_required=True,
        help_text=gettext_lazy("Empty: the start of the opening day. The statutory clocks run from it."),
    )

    # Every bad field at once, each beside itself; the service checks the same again (the API).
    def clean_file_number(self):
        if self.cleaned_data["file_number"].strip():
            _error(services.file_number_error(" ".join(self.cleaned_data["file_number"].split())))
        return self.cleaned_data["file_number"]

    def clean_opened_on(self):
        _error(services.opened_on_error(self.cleaned_data["opened_on"]))
        return self.cleaned_data["opened_on"]

    def clean_discovered_at(self):
        if self.cleaned_data["discovered_at"] is not None:
            # Beside this field, against the opening day when that is valid (it is cleaned first).
            _error(services.discovered_at_error(self.cleaned_data["discovered_at"], self.cleaned_data.get("opened_on")))
        return self.cleaned_data["discovered_at"]

    def clean_cif_value(self):
        _error(services.amount_error(self.cleaned_data["cif_value"], "cif_value", positive=True))
        return self.cleaned_data["cif_value"]

    def clean_commercial_profit(self):
        return self.cleaned_data.get("commercial_profit") or 0

    def clean(self):
        data = super().clean()
        _check_rate(self, data)
        return data


def _check_rate(form: forms.Form, data: dict) -> None:
    """The exchange rate as its currency can have it (``core.currencies.check_rate``), said beside the rate;
    while the currency is missing or refused, as any currency can have it (not below 1)."""
    if data.get("exchange_rate") is None:
        return
    try:
        if data.get("currency"):
            currencies.check_rate(data["currency"], data["exchange_rate"])
        else:
            currencies.check_rate_of_any(data["exchange_rate"])
    except DomainError as exc:
        form.add_error("exchange_rate", str(exc))


def _error(message: str) -> None:
    if message:
        raise forms.ValidationError(message)


class ValuationForm(PageForm):
    """A valuation (Art. 2) or the correction of one; the inputs the kind needs are checked by the service."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ValuationKind.choices, widget=forms.RadioSelect)
    foreign_amount = PageDecimalField(
        label=gettext_lazy("amount in currency (CIF value, or the currency seized)"),
        min_value=0,
        decimal_places=2,
        max_digits=18,
        required=False,
    )
    currency = CurrencyField(label=gettext_lazy("currency"), required=False, initial="USD")
    exchange_rate = PageDecimalField(
        label=gettext_lazy("exchange rate (rial per unit)"),
        min_value=0,
        decimal_places=4,
        max_digits=18,
        required=False,
        help_text=RATE_HELP,
    )
    rate_source = forms.CharField(label=gettext_lazy("rate source"), max_length=200, required=False)
    duties = PageDecimalField(
        label=gettext_lazy("customs duties (rial)"), min_value=0, decimal_places=0, required=False
    )
    commercial_profit = PageDecimalField(
        label=gettext_lazy("commercial profit (rial)"), min_value=0, decimal_places=0, required=False
    )
    fees = PageDecimalField(label=gettext_lazy("fees (rial)"), min_value=0, decimal_places=0, required=False)
    wholesale_price = PageDecimalField(
        label=gettext_lazy("wholesale price (rial)"), min_value=0, decimal_places=0, required=False
    )
    market = forms.CharField(label=gettext_lazy("nearest domestic market"), max_length=200, required=False)
    corrects = forms.TypedChoiceField(
        label=gettext_lazy("corrects valuation"), coerce=int, required=False, empty_value=None, choices=()
    )
    reason = forms.CharField(label=gettext_lazy("reason for the correction"), max_length=500, required=False)

    def __init__(self, *args, current=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].choices = [("", gettext_lazy("— a new valuation —"))] + [
            (v.pk, f"#{digits(v.pk)} {v.get_kind_display()}: {format_number(v.value, 0)}") for v in current
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") in (ValuationKind.IMPORT, ValuationKind.CURRENCY):
            _check_rate(self, data)
        return data


class MilestoneForm(PageForm):
    """The step of a milestone (its id comes with the POST as ``milestone``)."""

    evidence_note = forms.CharField(
        label=gettext_lazy("evidence (letter number, receipt …)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    done_at = JalaliDateTimeField(
        label=gettext_lazy("done at (Jalali, Tehran time)"), required=False, time_required=True
    )
    amount = PageDecimalField(label=gettext_lazy("amount (rial)"), min_value=0, decimal_places=0, required=False)
    vehicle_seized = forms.BooleanField(label=gettext_lazy("vehicle seized"), required=False)


class ActionForm(PageForm):
    on = JalaliDateField(label=gettext_lazy("date (Jalali)"))
    action = forms.CharField(label=gettext_lazy("action taken"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(PageForm):
    outcome = forms.CharField(label=gettext_lazy("outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome_on = JalaliDateField(label=gettext_lazy("outcome date (Jalali)"))
    close_declaration = forms.BooleanField(label=gettext_lazy("close the declaration too"), required=False)

    def __init__(self, *args, may_close_declaration: bool = False, **kwargs):
        """``may_close_declaration``: the user may close the declaration (the close service's own check);
        only then is the box offered."""
        super().__init__(*args, **kwargs)
        if not may_close_declaration:
            del self.fields["close_declaration"]


# --- the lists' filters (a value not among the choices: the page says so beside it, 400, no rows) ---

MILESTONE_STATES = ("overdue", "pending", "done", "all")
INBOX_STATUSES = {"sent": LetterStatus.SENT, "answered": LetterStatus.ANSWERED, "all": None}


class LetterFilterForm(ListFilterForm):
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False, choices=[("", "—"), *LetterStatus.choices])
    escalated = flag_field(gettext_lazy("escalated to headquarters"))
    overdue = flag_field(gettext_lazy("reply overdue"))


class CaseFilterForm(ListFilterForm):
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False, choices=[("", "—"), *CaseStatus.choices])


class MilestoneFilterForm(ListFilterForm):
    state = forms.ChoiceField(
        label=gettext_lazy("state"), required=False, choices=[("", "—"), *((s, s) for s in MILESTONE_STATES)]
    )


class InboxFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("status"), required=False, choices=[("", "—"), *((s, s) for s in INBOX_STATUSES)]
    )
    overdue = flag_field(gettext_lazy("reply overdue"))
