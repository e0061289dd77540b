"""What the complainant sees for each step: text (Telegram HTML) and buttons, in their language.

Pure: no Telegram objects here, so screens can be checked without a network.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.chat.callbacks import (
    ADD_DETAILS,
    BACK,
    CHOOSE,
    DONE,
    EDIT,
    KEEP,
    PICK_EDIT,
    SHOW_REVIEW,
    SKIP,
    SUBMIT,
    TO_SUMMARY,
    TOGGLE,
    LanguageButton,
    StepButton,
)
from bot.chat.texts import answer_text, error_text, type_hint
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.i18n.review import ALTERNATIVE, shows_draft_notice
from bot.intake.engine import Ended, Prompt, Review, Step, Submitted
from bot.intake.form import Form
from bot.intake.ports import Destination, Receipt
from bot.intake.service import (
    AlreadyApplied,
    CodeAwaited,
    CodeConfirmed,
    Discarded,
    IntakeOutcome,
    NoDraft,
    Refused,
    Sent,
    Shown,
    Stale,
)
from bot.intake.vocabulary import EndReason, Refusal

MAX_TEXT = 4000
REVIEW_ANSWER_CHARS = 300

Row = list[tuple[str, str]]
HelpTexts = tuple[tuple[str, str], ...]  # (language, text), from the coalitions file
Helpline = tuple[str, HelpTexts]  # a coalition's name and its help texts


@dataclass(frozen=True)
class Screen:
    text: str
    buttons: list[Row] = field(default_factory=list)


class Screens:
    def __init__(
        self,
        form: Form,
        t: Translator,
        *,
        demo: bool = False,
        helplines: Sequence[Helpline] = (),
    ) -> None:
        self.form = form
        self.t = t
        self.demo = demo
        self.helplines = tuple(helplines)

    def step(
        self,
        step: Step,
        *,
        intro: bool = False,
        resumed: bool = False,
        destination: Destination | None = None,
    ) -> list[Screen]:
        match step:
            case Prompt():
                screen = self.prompt(step)
                if intro:
                    text = self.intro() + "\n\n" + screen.text
                    return [Screen(text, screen.buttons + self.draft_notice_buttons())]
                if resumed:
                    return [Screen(self.resumed() + "\n\n" + screen.text, screen.buttons)]
                return [screen]
            case Review():
                return self.review(step, destination)
            case Submitted():
                return [self.sent(None)]
            case Ended(reason=reason):
                return [Screen(self.ended(reason))]
        raise TypeError(step)

    def intro(self) -> str:
        _ = self.t.gettext
        demo = ["", "⚠️ " + _e(_("This bot runs in DEMO mode: do not send a real report."))]
        return "\n".join(
            [
                "<b>" + _e(_("Report torture, ill-treatment or arbitrary detention")) + "</b>",
                "",
                _e(
                    _(
                        "This bot takes complaints for the NGO coalitions against torture in "
                        "Central Asia. We will ask what happened, to whom, and how to reach you. "
                        "You can skip most questions; only your consent, the country and how to "
                        "reach you are needed to pass the report on. You can stop at any time."
                    )
                ),
                "",
                "• "
                + _e(
                    _(
                        "Your answers are encrypted and sent only to the coalition for the "
                        "country concerned."
                    )
                ),
                "• "
                + _e(
                    _(
                        "Telegram keeps this chat on its own computers and can give your phone "
                        "number to the authorities if they demand it. The bot deletes each of "
                        "your answers from this chat once it has saved it. When you finish, "
                        "delete this chat on your phone too."
                    )
                ),
                "• " + _e(_("/exit stops at once and deletes your unfinished answers.")),
                *(demo if self.demo else []),
                *self.draft_notice(),
            ]
        )

    def draft_notice(self) -> list[str]:
        """Said once, at the start, while this language awaits review by a native speaker."""
        if not shows_draft_notice(self.t.language):
            return []
        note = self.t.gettext(
            "This translation was made with the help of a computer and is still waiting to be "
            "checked by a native speaker. If anything is unclear, you can switch to Russian "
            "with the button below."
        )
        return ["", "<i>" + _e(note) + "</i>"]

    def draft_notice_buttons(self) -> list[Row]:
        if not shows_draft_notice(self.t.language):
            return []
        return [[("🌐 " + LANGUAGE_NAMES[ALTERNATIVE], LanguageButton(ALTERNATIVE).encode())]]

    def resumed(self) -> str:
        return "<i>" + _e(self.t.gettext("Welcome back. Here is where you stopped.")) + "</i>"

    def prompt(self, prompt: Prompt, error: str | None = None) -> Screen:
        _ = self.t.gettext
        question = prompt.question
        progress = prompt.progress
        header = _(
            "Section {number} of {count}: {title}",
            number=progress.section_number,
            count=progress.section_count,
            title=_(progress.section.title),
        )
        parts = []
        if error:
            parts.append("⚠️ " + _e(error))
        parts.append("<i>" + _e(header) + "</i>")
        parts.extend(_e(_(note.text)) for note in prompt.notes)
        text = question.text_self if prompt.self_report and question.text_self else question.text
        parts.append("<b>" + _e(_(text)) + "</b>")
        if question.hint:
            parts.append(_e(_(question.hint)))
        hint = type_hint(self.t, question)
        if hint:
            parts.append("<i>" + _e(hint) + "</i>")
        if prompt.revisiting:
            shown = answer_text(self.t, self.form, question, prompt.current)
            parts.append(_e(_("Current answer: {answer}", answer=_clip(shown))))
        if question.type == "files" and prompt.pending:
            count = len(prompt.pending)
            parts.append(_e(self.t.ngettext("{n} file received.", "{n} files received.", count)))
        return Screen("\n\n".join(parts), self._prompt_buttons(prompt))

    def _prompt_buttons(self, prompt: Prompt) -> list[Row]:
        _ = self.t.gettext
        question = prompt.question
        visit = prompt.visit
        rows: list[Row] = []
        if question.type == "single":
            for choice in self.form.offered_choices(question):
                mark = "● " if prompt.current == choice.code and prompt.revisiting else ""
                data = StepButton(visit, CHOOSE, choice.code).encode()
                rows.append([(mark + _(choice.label), data)])
        elif question.type == "multi":
            for choice in self.form.offered_choices(question):
                mark = "✅ " if choice.code in prompt.pending else "▫️ "
                rows.append(
                    [(mark + _(choice.label), StepButton(visit, TOGGLE, choice.code).encode())]
                )
            if prompt.pending:
                rows.append([("✔️ " + _("Done"), StepButton(visit, DONE).encode())])
        elif question.type == "files" and prompt.pending:
            rows.append([("✔️ " + _("Done"), StepButton(visit, DONE).encode())])
        navigation: Row = []
        if prompt.can_back:
            navigation.append(("◀️ " + _("Back"), StepButton(visit, BACK).encode()))
        if prompt.revisiting:
            navigation.append((_("Keep") + " ▶️", StepButton(visit, KEEP).encode()))
        elif question.skippable:
            navigation.append((_("Skip") + " ⏭", StepButton(visit, SKIP).encode()))
        if navigation:
            rows.append(navigation)
        if prompt.can_finish:
            rows.append(
                [("📋 " + _("Back to the summary"), StepButton(visit, TO_SUMMARY).encode())]
            )
        return rows

    def review(self, review: Review, destination: Destination | None = None) -> list[Screen]:
        _ = self.t.gettext
        lines = [
            "<b>" + _e(_("Please check your report before sending.")) + "</b>",
            "<i>" + _e(_("This summary is removed from the chat once you send.")) + "</i>",
            "",
        ]
        for number, (question, value) in enumerate(review.items, start=1):
            answer = _clip(answer_text(self.t, self.form, question, value))
            label = _(question.short or question.text)
            lines.append(f"<b>{number}.</b> {_e(label)}\n→ {_e(answer)}")
        lines.append("")
        lines.append(_e(_("Urgency: {level}", level=self.urgency_label(review.urgency.level))))
        if destination is not None:
            lines.append(self.destination(destination))
        chunks = _chunks(lines)
        buttons: list[Row] = [
            [("✅ " + _("Send the report"), StepButton(review.visit, SUBMIT).encode())]
        ]
        if review.can_add_details:
            buttons.append(
                [
                    (
                        "➕ " + _("Add more details first"),
                        StepButton(review.visit, ADD_DETAILS).encode(),
                    )
                ]
            )
        # One a row: "Change an answer" is too long, in most languages, for half a phone's width.
        buttons.append(
            [("✏️ " + _("Change an answer"), StepButton(review.visit, PICK_EDIT).encode())]
        )
        buttons.append([("◀️ " + _("Back"), StepButton(review.visit, BACK).encode())])
        screens = [Screen(chunk) for chunk in chunks]
        screens[-1] = Screen(screens[-1].text, buttons)
        return screens

    def edit_picker(self, review: Review) -> list[Row]:
        numbers = [
            (str(number), StepButton(review.visit, EDIT, question.id).encode())
            for number, (question, _) in enumerate(review.items, start=1)
        ]
        rows = [numbers[i : i + 8] for i in range(0, len(numbers), 8)]
        rows.append(
            [
                (
                    "◀️ " + self.t.gettext("Back to the summary"),
                    StepButton(review.visit, SHOW_REVIEW).encode(),
                )
            ]
        )
        return rows

    def urgency_label(self, level: str) -> str:
        _ = self.t.gettext
        return {"high": _("high"), "medium": _("medium"), "low": _("low")}[level]

    def destination(self, destination: Destination) -> str:
        _ = self.t.gettext
        keys = ", ".join(destination.fingerprints)
        line = "🔒 " + _e(
            _(
                "It will be encrypted so that only {coalition} can read it (key {keys}).",
                coalition=destination.coalition,
                keys=keys,
            )
        )
        if destination.demo:
            line += "\n⚠️ " + _e(_("This bot runs in DEMO mode: do not send a real report."))
        return line

    def sent(self, receipt: Receipt | None) -> Screen:
        _ = self.t.gettext
        if receipt is None:
            return Screen(_e(_("This was only a try-out: nothing was stored or sent.")))
        parts = [
            "✅ "
            + _e(
                _(
                    "Your report was sealed and sent to {coalition}.",
                    coalition=receipt.destination.coalition,
                )
            ),
            _e(_("Reference: {reference}", reference=receipt.reference)),
            _e(
                _(
                    "What happens next: the coalition's staff read it on their own devices as "
                    "soon as they can, urgent reports first. This bot's server can no longer "
                    "read it. If you agreed to be contacted, they will contact you only in the "
                    "way you chose."
                )
            ),
            self.what_to_do_now(receipt.destination.help),
            _e(
                _(
                    "Keep the reference somewhere safe, and not on this phone if it may be "
                    "searched. To report something else, send /start."
                )
            ),
        ]
        return Screen("\n\n".join(parts))

    def what_to_do_now(self, texts: HelpTexts) -> str:
        """After sending: the coalition's own help text (hotline, hours), or the general steps."""
        said = _help_in(texts, self.t.language) or self.self_help()
        return "<b>" + _e(self.t.gettext("What you can do now:")) + "</b>\n" + _e(said)

    def self_help(self) -> str:
        return self.t.gettext(
            "If someone was taken and no one knows where they are: write down now what you "
            "know (who took them, when, where, cars, uniforms), ask in writing at the police "
            "station and the temporary detention facility (IVS) where they are held, and find "
            "a lawyer. Do not sign anything under pressure."
        )

    def ended(self, reason: EndReason) -> str:
        _ = self.t.gettext
        if reason == EndReason.DECLINED:
            said = _e(
                _(
                    "Nothing has been stored or sent. If you change your mind, send /start. "
                    "If someone is in danger now, contact a lawyer or a human rights "
                    "organisation you trust."
                )
            )
            lines = [f"{_e(name)}: {_e(text)}" for name, texts in self.helplines
                     if (text := _help_in(texts, self.t.language))]  # fmt: skip
            if lines:
                said += "\n\n" + _e(_("The coalitions can be reached here:")) + "\n"
                said += "\n".join("• " + line for line in lines)
            return said + "\n\n" + _e(self.self_help())
        return _e(_("Closed. Your unfinished answers have been deleted."))

    def refused(
        self, prompt_or_step: Step, error: Refusal, params: dict[str, int | str]
    ) -> list[Screen]:
        message = error_text(self.t, error, params)
        if isinstance(prompt_or_step, Prompt):
            return [self.prompt(prompt_or_step, error=message)]
        return [Screen("⚠️ " + _e(message)), *self.step(prompt_or_step)]

    def language_picker(self, offered: tuple[str, ...]) -> Screen:
        rows = [[(LANGUAGE_NAMES[code], LanguageButton(code).encode())] for code in offered]
        return Screen(_e(self.t.gettext("Choose your language.")), rows)

    def help(self) -> str:
        _ = self.t.gettext
        return "\n".join(
            [
                _e(
                    _(
                        "This bot passes complaints about torture and ill-treatment to the "
                        "NGO coalitions against torture."
                    )
                ),
                "",
                "/start — " + _e(_("start or continue a report")),
                "/language — " + _e(_("change the language")),
                "/cancel — " + _e(_("discard your unfinished report")),
                "/exit — " + _e(_("stop at once and delete your unfinished answers")),
                "/status — " + _e(_("the status of reports linked to this account")),
                "/check — " + _e(_("with your case code: status and the coalition's answers")),
                "/delete — "
                + _e(
                    _(
                        "withdraw: erase your answers; with a reference or your case code, "
                        "tell the coalition"
                    )
                ),
                "",
                _e(_("Unfinished reports are deleted after 48 hours.")),
            ]
        )

    def outcome(self, outcome: IntakeOutcome, *, intro: bool = False) -> list[Screen]:
        """What to say after an intake call, whether it came from a button or a message."""
        match outcome:
            case Shown(step=Ended(reason=EndReason.EXIT)):
                return []  # the whole conversation is being deleted: say nothing
            case Shown(step=step, resumed=resumed, destination=destination, started=started):
                # A new draft always opens with the welcome and the safety notice, however it
                # was started (/start, or a language chosen before any /start).
                return self.step(
                    step,
                    intro=(intro or started) and not resumed,
                    resumed=resumed,
                    destination=destination,
                )
            case Sent(receipt=receipt):
                screens = [self.sent(receipt)]
                if receipt is not None and receipt.case_code is not None:
                    screens.append(self.case_code(receipt.case_code))
                return screens
            case CodeAwaited(mismatch=mismatch):
                return [self.code_awaited(mismatch=mismatch)]
            case CodeConfirmed():
                return [self.code_confirmed()]
            case AlreadyApplied(step=step, language=language) if step is not None and language:
                return self.step(step)
            case Refused(error=error, params=params, step=step):
                return self.refused(step, error, params)
            case Discarded():
                return [self.discarded()]
            case NoDraft() | AlreadyApplied() | Stale():
                return [self.no_draft()]
        raise TypeError(outcome)

    def case_code(self, code: str) -> Screen:
        """The case code, shown once; it goes from the chat when its end is typed back."""
        _ = self.t.gettext
        lines = [
            "🔑 " + _e(_("Your case code:")),
            f"<code>{_e(code)}</code>",
            _e(
                _(
                    "Write it down somewhere safe, not on this phone. With it, and only with it, "
                    "you can read the coalition's answers: send /check and the code. It is shown "
                    "only once and cannot be recovered."
                )
            ),
            _e(_("To confirm you have it, type its last four characters.")),
        ]
        return Screen("\n".join(lines))

    def code_awaited(self, *, mismatch: bool) -> Screen:
        _ = self.t.gettext
        if mismatch:
            return Screen(
                _e(
                    _(
                        "That does not match. Type the last four characters of the case code "
                        "shown above."
                    )
                )
            )
        return Screen(_e(_("Type the last four characters of the case code shown above.")))

    def code_confirmed(self) -> Screen:
        return Screen(
            _e(
                self.t.gettext(
                    "Thank you. The message with the code is deleted. To read the coalition's "
                    "answers, send /check followed by your code."
                )
            )
        )

    def discarded(self) -> Screen:
        return Screen(
            _e(
                self.t.gettext(
                    "Your unfinished report has been deleted. Send /start to begin again."
                )
            )
        )

    def no_draft(self) -> Screen:
        _ = self.t.gettext
        text = _("You have no report in progress. Send /start to begin.")
        text += "\n" + _("Unfinished reports are deleted after 48 hours.")
        return Screen(_e(text))

    def withdraw_what(self) -> Screen:
        """/delete with something that is neither a reference nor a case code: nothing goes."""
        return Screen(
            _e(
                self.t.gettext(
                    "Nothing was deleted: this is neither a report number (like KZ-7G4M-Q2XD) "
                    "nor a case code. Check it and send /delete with it again, or /delete alone "
                    "to erase your unfinished answers and your links to reports."
                )
            )
        )

    def withdrawn_by_code(self, wait_seconds: int) -> Screen:
        """The same words whether or not the code belonged to a report."""
        _ = self.t.gettext
        if wait_seconds:
            return Screen(
                _e(
                    self.t.gettext(
                        "Too many wrong codes. Wait {seconds} seconds and try again.",
                        seconds=wait_seconds,
                    )
                )
            )
        return Screen(
            _e(
                _(
                    "If this code belongs to a report, its coalition has been told that you "
                    "withdraw your consent, and the code no longer works. They decide what "
                    "happens to the report, which this bot cannot read. The message with the "
                    "code has been deleted."
                )
            )
        )

    def withdrawn(self, *, with_reference: bool) -> Screen:
        _ = self.t.gettext
        if with_reference:
            return Screen(
                _e(
                    _(
                        "If this reference exists, its coalition has been told that you withdraw "
                        "your consent. They decide what happens to the report, which this bot "
                        "cannot read."
                    )
                )
            )
        return Screen(
            _e(
                _(
                    "Your unfinished answers are deleted, and so is every link the bot kept "
                    "between your Telegram account and reports you sent: coalitions can no longer "
                    "write to you here. To withdraw a sent report, send /delete with its "
                    "reference, for example /delete KZ-7G4M-Q2XD."
                )
            )
        )

    def too_fast(self) -> str:
        """Plain text: it may go into a button's pop-up, which shows no HTML."""
        return self.t.gettext("You are sending messages very fast. Please wait a few seconds.")

    def not_saved_too_fast(self) -> str:
        """The answer to a message the flood guard did not take (plain text)."""
        return self.t.gettext(
            "You are sending messages very fast: this message was not saved. Please wait a few "
            "seconds and send it again."
        )

    def not_saved_many(self, count: int) -> str:
        """The later notice for messages the flood guard neither took nor answered (plain)."""
        return self.t.ngettext(
            "{n} message you sent in the last seconds was not saved, because messages came too "
            "fast. Please send it again, slowly.",
            "{n} messages you sent in the last seconds were not saved, because messages came too "
            "fast. Please send them again, one at a time.",
            count,
        )

    def stale_button(self) -> str:
        return self.t.gettext("This button is no longer active.")

    def refusal_alert(self, error: Refusal, params: dict[str, int | str]) -> str:
        """A refusal in a button's pop-up (plain text, at most 200 characters)."""
        return error_text(self.t, error, params)[:200]


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _help_in(texts: HelpTexts, language: str) -> str | None:
    """A help text in this language, else Russian, else English, else any."""
    found = dict(texts)
    for candidate in (language, language.split("_")[0], "ru", "en"):
        if found.get(candidate):
            return found[candidate]
    return next(iter(found.values()), None)


def _clip(text: str) -> str:
    return text if len(text) <= REVIEW_ANSWER_CHARS else text[: REVIEW_ANSWER_CHARS - 1] + "…"


def _chunks(lines: list[str]) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_TEXT and current:
            chunks.append(current)
            current = line
        else:
            current = candidate
    chunks.append(current)
    return chunks
