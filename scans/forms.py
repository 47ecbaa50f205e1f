"""Forms of the scan pages. They check shape only; content checks live in validation.py."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.forms import JalaliDateTimeField, MultipleFileField, MultipleFileInput, PageForm, with_example
from declarations.arrival_reads import reason_error
from declarations.idents import list_separator
from declarations.models import NOTE_MIN_LENGTH, written_length

from .models import Stage, View
from .reuse_reviews import note_missing
from .services import CAPTURE_CLOCK_SKEW, REMARK_MAX_LENGTH, flagged_accept_needs_reason, unaligned_accept_needs_remark


class ScanUploadForm(PageForm):
    stage = forms.ChoiceField(label=_("stage"), choices=Stage.choices)
    view = forms.ChoiceField(
        label=_("view"),
        choices=View.choices,
        initial=View.SINGLE,
        required=False,  # clients that post no view upload a single view
        help_text=_("A dual-view scanner: upload its top view and its side view, each with its view."),
    )
    scanner_id = forms.CharField(
        label=_("scanner ID"), max_length=64, widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"})
    )
    captured_at = JalaliDateTimeField(
        label=_("captured at"),
        not_future=True,
        future_slack=CAPTURE_CLOCK_SKEW,
        # A scanner's workstation posts this form with its own clock in ISO 8601 (said in the help): the one
        # date box that takes a Gregorian date.
        jalali_only=False,
        help_text=with_example(
            gettext_noop("Jalali %(example)s or ISO 8601; Tehran time unless an offset is given."), True
        ),
    )
    # The form's metaclass moves a field into base_fields, so ``self.files`` stays the uploads dict
    # Django's stubs declare; the field keeps the POST name "files".
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("scan images"),
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/tiff"}),
    )

    pseudo_colour = forms.BooleanField(
        label=_("dual-energy pseudo-colour scan"),
        required=False,
        help_text=_(
            "Tick only for a dual-energy scanner's image in material colours: an X-ray scan is otherwise greyscale, "
            "and a colour photograph is refused."
        ),
    )

    def __init__(self, *args, stages: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if stages is not None:
            field = cast(forms.ChoiceField, self.fields["stage"])
            field.choices = [(v, label) for v, label in Stage.choices if v in stages]
            # Another stage is refused in words, naming the ones this office may upload (Django's own quoted
            # the stage's code: «destination از گزینه‌های موجود نیست»).
            field.error_messages["invalid_choice"] = (
                gettext("This office may upload scans of the %(stages)s stage only.")
                % {"stages": list_separator().join(str(label) for _v, label in field.choices)}
                if field.choices
                else gettext("This office may upload no scan of this declaration now.")
            )

    def clean_view(self) -> str:
        return self.cleaned_data.get("view") or View.SINGLE


class ReviewForm(PageForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("accept", _("accept")), ("escalate", _("escalate"))], widget=forms.RadioSelect
    )
    remark = forms.CharField(
        label=_("remark"),
        required=False,
        max_length=REMARK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, unaligned: bool = False, flagged: bool = False, **kwargs):
        """``unaligned``: the comparison could not align the images (no change map), so accepting it needs
        a remark saying the reviewer compared them by eye. ``flagged`` (``services.flagged``): accepting it
        needs a written reason."""
        super().__init__(*args, **kwargs)
        self.unaligned = unaligned
        self.flagged = flagged
        if unaligned:
            self.fields["remark"].help_text = _(
                "Required to accept: say that you compared the two images side by side and what you saw."
            )
        elif flagged:
            self.fields["remark"].help_text = flagged_accept_needs_reason()

    def clean(self):
        data = super().clean()
        if "remark" in self.errors:  # too long: that alone is said, not also «at least ten letters» under it
            return data
        remark = (data.get("remark") or "").strip()
        if data.get("decision") == "escalate" and not remark:
            self.add_error("remark", _("An escalation needs a remark saying what is wrong."))
        elif data.get("decision") == "escalate" and (short := reason_error(remark, str(self.fields["remark"].label))):
            self.add_error("remark", short)  # a single «.» says nothing, as in any written reason
        elif data.get("decision") == "accept" and self.unaligned and not remark:
            self.add_error("remark", unaligned_accept_needs_remark())
        elif data.get("decision") == "accept" and self.flagged and written_length(remark) < NOTE_MIN_LENGTH:
            self.add_error("remark", flagged_accept_needs_reason())
        return data


class ReuseReviewForm(PageForm):
    """A decision on a reuse finding. Its fields' ids carry the scan (``auto_id``): a declaration's page may
    hold one form per finding."""

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("explained", _("explained (an honest re-upload, say)")),
            ("confirmed", _("confirmed: the truck was not scanned")),
        ],
        widget=forms.RadioSelect,
        # Named, as the plate-entry widget and the problem form name theirs: «this value is required» alone
        # leaves the reviewer to guess which of the page's forms and fields is meant.
        error_messages={"required": _("Choose the decision: explained or confirmed.")},
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an explained reuse: say what you found."),
    )
    # The review a revision supersedes: the one the page showed as counting (one revised meanwhile is refused).
    supersedes = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, scan_id: int, supersedes: int | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"id_reuse{scan_id}_%s")
        super().__init__(*args, **kwargs)
        if supersedes is not None:
            self.fields["supersedes"].initial = supersedes
            self.fields["note"].help_text = _("Required: say why the decision is revised.")

    def clean(self):
        data = super().clean()
        if (
            data.get("decision")
            and "note" not in self.errors
            and (missing := note_missing(data["decision"], data.get("note") or "", data.get("supersedes")))
        ):
            self.add_error("note", missing)
        return data
