"""The donation form: turns what a supporter typed into integer minor units, or a clear message."""

import re
import unicodedata

from django import forms
from django.utils.translation import gettext, gettext_lazy

from fundraising.campaigns.fees import campaign_fee_cover, fee_cover_offer
from fundraising.core import money
from fundraising.ledger.models import Donation

from .challenge import ChallengeRefused, challenge_verify

# Stripe's smallest charge per currency (minor units), from its "minimum and maximum charge amounts" table.
STRIPE_MINIMUM = {
    "usd": 50, "aud": 50, "brl": 50, "cad": 50, "chf": 50, "eur": 50, "inr": 50, "nzd": 50, "sgd": 50,
    "gbp": 30, "dkk": 250, "nok": 300, "sek": 300, "pln": 200, "ron": 200, "aed": 200, "bgn": 100,
    "czk": 1500, "hkd": 400, "huf": 17500, "jpy": 50, "mxn": 1000, "myr": 200, "thb": 1000,
}  # fmt: skip
# Stripe's largest amount: eight digits of minor units, whatever the currency.
STRIPE_MAXIMUM = 99_999_999
CUSTOM = "custom"
# The button under "Did you mean 25.50 $?" sends the suggestion's minor units under this name.
CONFIRMED = "amount_confirmed"


def stripe_minimum(currency):
    """Stripe's minimum for the currency; for one not in its table, half a major unit (a JPY-like one: 50)."""
    if currency in STRIPE_MINIMUM:
        return STRIPE_MINIMUM[currency]
    digits = money.currency_digits(currency)
    return 50 if digits == 0 else 10**digits // 2


def amount_range(campaign):
    """(lowest, highest) gift in minor units: the campaign's limits within Stripe's for the currency."""
    low = max(campaign.min_amount or 0, stripe_minimum(campaign.currency))
    high = min(campaign.max_amount or STRIPE_MAXIMUM, STRIPE_MAXIMUM)
    return low, high


def amount_check(*, campaign, amount):
    """The one range rule of every gift and change of amount (presets too): MoneyError naming the limit."""
    low, high = amount_range(campaign)
    if amount < low:
        raise money.MoneyError(gettext("The smallest gift is %(amount)s.") % {"amount": campaign.format(low)})
    if amount > high:
        raise money.MoneyError(gettext("The largest gift is %(amount)s.") % {"amount": campaign.format(high)})
    return amount


def amount_read(*, campaign, text, confirmed=""):
    """What a person typed into minor units within the range. When the text had two readings the first
    answer is a question; `confirmed` is the suggestion's minor units, sent back when they choose it."""
    try:
        amount = campaign.parse(text)
    except money.MoneyError as exc:
        if exc.suggestion is None or str(confirmed).strip() != str(exc.suggestion):
            raise
        amount = exc.suggestion
    return amount_check(campaign=campaign, amount=amount)


def suggestion_text(campaign, amount):
    """A suggested amount as the question shows it, minor digits kept: "25.50 $", "5.00 $"."""
    return money.format_money(amount, campaign.currency, campaign.locale, campaign.amount_pattern, trim=False)


def tribute_name_clean(text):
    """A dedication's name as typed, without what could disguise it where it is shown: control, format
    (bidi overrides and isolates, zero-width joiners and spaces) and unassigned characters; runs of white
    space become one space."""
    text = unicodedata.normalize("NFC", text or "")
    kept = "".join(" " if char.isspace() else char for char in text if unicodedata.category(char) not in
                   {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} or char.isspace())  # fmt: skip
    return " ".join(kept.split())


class TributeFields(forms.Form):
    """The "Dedicate this gift" block (in honour or in memory of someone): its own block, so other changes to the
    donation form merge without touching it. The name decides: without one there is no dedication."""

    tribute_kind = forms.ChoiceField(
        required=False,
        choices=[(Donation.Tribute.HONOUR, gettext_lazy("In honour of")),
                 (Donation.Tribute.MEMORY, gettext_lazy("In memory of"))],  # fmt: skip
        initial=Donation.Tribute.HONOUR,
        widget=forms.RadioSelect,
        label=gettext_lazy("Dedication"),
    )
    tribute_name = forms.CharField(required=False, max_length=100, label=gettext_lazy("Their name"))
    tribute_on_wall = forms.BooleanField(
        required=False, label=gettext_lazy("Show the dedication on the supporters wall")
    )
    tribute_notify_email = forms.EmailField(
        required=False, max_length=254, label=gettext_lazy("E-mail someone about it (optional)")
    )
    tribute_notify_amount = forms.BooleanField(required=False, label=gettext_lazy("Include the amount in that e-mail"))

    def tribute_clean(self, data):
        """Fills data["tribute"] (the Donation fields, empty when no dedication), or adds the fields' errors."""
        raw = data.get("tribute_name") or ""
        name = tribute_name_clean(raw)
        if raw.strip() and not name:
            self.add_error("tribute_name", gettext_lazy("Enter a name with letters we can show."))
            return
        kind = data.get("tribute_kind") or ""
        email = data.get("tribute_notify_email") or ""
        if not name:
            self._tribute_options_without_name(data, email)
            data["tribute"] = {}
            return
        if not kind:
            self.add_error("tribute_kind", gettext_lazy("Choose in honour of or in memory of."))
            return
        if data.get("tribute_notify_amount") and not email and "tribute_notify_email" not in self.errors:
            self.add_error("tribute_notify_amount",
                           gettext_lazy("Enter an address to e-mail, or untick including the amount."))  # fmt: skip
            return
        data["tribute"] = {
            "tribute_kind": kind, "tribute_name": name, "tribute_on_wall": bool(data.get("tribute_on_wall")),
            "tribute_notify_email": email.strip().lower() if email else "",
            "tribute_notify_amount": bool(email and data.get("tribute_notify_amount")),
        }  # fmt: skip

    def _tribute_options_without_name(self, data, email):
        if email or data.get("tribute_on_wall") or data.get("tribute_notify_amount"):
            self.add_error("tribute_name",
                           gettext_lazy("Enter the name of the person this gift is dedicated to, or leave the "
                                        "dedication's other choices empty."))  # fmt: skip


class FeeCoverFields(forms.Form):
    """The "Add X to cover the card fees" box (fundraising/campaigns/fees.py): its own block, shown only on a
    campaign that offers it. The cover is computed here from the gift, never read from the page."""

    fee_cover = forms.BooleanField(required=False, label=gettext_lazy("Cover the card fees"))

    def fee_cover_clean(self, data):
        """Fills data["fee_cover"] (minor units, 0 without a cover) once the gift is known, or adds an error
        when the gift and its cover would pass Stripe's largest charge."""
        gift = data.get("amount")
        if not gift or not data.get("fee_cover") or not self.campaign.fee_cover_offered:
            data["fee_cover"] = 0
            return
        cover = campaign_fee_cover(campaign=self.campaign, gift=gift)
        if gift + cover > STRIPE_MAXIMUM:
            self.add_error("fee_cover", gettext_lazy("This gift is too large to add the fees: untick the box."))
            return
        data["fee_cover"] = cover

    def fee_cover_gift(self):
        """The gift the box's label is computed for before any script runs: the one read from a submission,
        else the chosen preset, else the first one (or the smallest gift)."""
        cleaned = getattr(self, "cleaned_data", None) or {}
        chosen = str(self["preset"].value() or "")
        if cleaned.get("amount"):
            return cleaned["amount"]
        if chosen.isdigit() and int(chosen) in self.campaign.preset_amounts:
            return int(chosen)
        return (self.campaign.preset_amounts or [0])[0] or amount_range(self.campaign)[0]

    def fee_cover_offer(self):
        """The box's figures (fees.fee_cover_offer), None when the campaign does not offer it."""
        return fee_cover_offer(campaign=self.campaign, gift=self.fee_cover_gift())


class DonationForm(FeeCoverFields, TributeFields, forms.Form):
    preset = forms.ChoiceField(required=False, widget=forms.RadioSelect, label=gettext_lazy("Amount"))
    custom_amount = forms.CharField(required=False, max_length=30, label=gettext_lazy("Other amount"))
    kind = forms.ChoiceField(
        choices=[(Donation.Kind.ONE_TIME, gettext_lazy("One-time")), (Donation.Kind.MONTHLY, gettext_lazy("Monthly"))],
        initial=Donation.Kind.ONE_TIME,
        widget=forms.RadioSelect,
        label=gettext_lazy("Frequency"),
    )
    public_name = forms.CharField(required=False, max_length=100, label=gettext_lazy("Public name (optional)"))
    message = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                              label=gettext_lazy("Message (optional)"))  # fmt: skip
    anonymous = forms.BooleanField(required=False, label=gettext_lazy("Give anonymously (your name is not shown)"))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.amount_suggestion = None  # minor units, when the typed amount had two readings
        choices = [(str(amount), campaign.format(amount)) for amount in campaign.preset_amounts]
        self.fields["preset"].choices = [*choices, (CUSTOM, gettext_lazy("Other"))]
        self.fields["preset"].error_messages["invalid_choice"] = gettext_lazy(
            "Choose one of the amounts shown, or Other."
        )
        self.fields["kind"].choices = kind_choices(campaign)
        frequency = (
            gettext_lazy("Choose one-time, monthly or yearly.")
            if campaign.yearly_gifts
            else gettext_lazy("Choose one-time or monthly.")
        )
        self.fields["kind"].error_messages["invalid_choice"] = frequency
        self.fields["kind"].error_messages["required"] = frequency

    def clean(self):
        data = super().clean()
        self.tribute_clean(data)
        if "preset" not in data:  # the field already has its error
            return data
        preset = data.get("preset")
        custom = (data.get("custom_amount") or "").strip()
        if custom:  # typing an amount is the clearer intent, whichever radio is on
            data["amount"] = self.amount_parse(custom)  # None after adding the field's error
        elif preset and preset != CUSTOM:
            data["amount"] = self.amount_in_range(int(preset), "preset")
        else:
            raise forms.ValidationError(gettext_lazy("Choose an amount or enter your own."), code="amount_missing")
        self.fee_cover_clean(data)
        return data

    def amount_parse(self, text):
        try:
            return amount_read(campaign=self.campaign, text=text, confirmed=self.data.get(CONFIRMED, ""))
        except money.MoneyError as exc:
            self.amount_suggestion = exc.suggestion
            self.add_error("custom_amount", str(exc))
            return None

    @property
    def amount_suggestion_text(self):
        """The suggestion as the question shows it ("25.50 $"), for the button that chooses it."""
        return "" if self.amount_suggestion is None else suggestion_text(self.campaign, self.amount_suggestion)

    def amount_in_range(self, amount, field):
        try:
            return amount_check(campaign=self.campaign, amount=amount)
        except money.MoneyError as exc:
            self.add_error(field, str(exc))
            return None

    # Bots and card testing (fundraising/payments/challenge.py): the widget's solved challenge, checked last, once
    # every other field is valid, so a mistyped amount does not spend the visitor's solution.
    altcha = forms.CharField(required=False, widget=forms.HiddenInput, strip=True)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            challenge_verify(payload=self.cleaned_data.get("altcha", ""))
        except ChallengeRefused as exc:
            self.add_error("altcha", str(exc))


def kind_choices(campaign):
    """One-time and monthly always; yearly where the campaign offers it (Campaign.yearly_gifts), so a yearly
    gift is refused on any other campaign's form and in its links."""
    choices = [(Donation.Kind.ONE_TIME, gettext_lazy("One-time")), (Donation.Kind.MONTHLY, gettext_lazy("Monthly"))]
    if campaign.yearly_gifts:
        choices.append((Donation.Kind.YEARLY, gettext_lazy("Yearly")))
    return choices


def donation_prefill(*, campaign, query):
    """Initial form values from a widget's link (/c/<slug>/?amount=2500&kind=monthly): a preset when the
    amount is one, else the amount typed in the campaign's locale if it could be given; anything else is
    ignored, so a hand-edited link shows the plain form, never an error page."""
    initial = {}
    kind = query.get("kind", "")
    if kind in {value for value, _ in kind_choices(campaign)}:
        initial["kind"] = kind
    raw = query.get("amount", "")
    if not re.fullmatch(r"[1-9][0-9]{0,8}", raw):
        return initial
    amount = int(raw)
    if amount in campaign.preset_amounts:
        initial["preset"] = str(amount)
        return initial
    low, high = amount_range(campaign)
    if low <= amount <= high:
        # Text that reads back once on submit, even 1.234 KWD ("1.2340").
        typed = money.money_typed(amount, campaign.currency, campaign.locale)
        initial["preset"], initial["custom_amount"] = CUSTOM, typed or money.money_plain(
            amount, campaign.currency, campaign.locale
        )
    return initial
