"""Add, edit or duplicate a connection profile.

Every edit runs the form's dict through ``Profile.from_dict``, the same check a profile file
passes, so the dialog cannot accept what a file would refuse; the first problem is shown beside
its field and OK stays disabled until it is fixed. Beside the settings the dialog shows what
they buy: how long a silent drop can go unnoticed. "Test now" runs a one-off check on an
engine worker and shows its cause and timings without blocking the GUI thread.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import uuid
from collections.abc import Callable, Collection, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.events import State
from ...core.profile import Profile
from ...core.profile_merge import name_with
from ...core.sample import Sample
from ...core.validate import FieldError, name_key, show
from ...engine.gui_thread import when_done
from ..common.bidi import isolated
from ..common.detail_text import detail_text, timings_text
from ..common.field_problems import caption_text, problem_text
from ..common.fit import fit_on_screen, grow_to_fit, scrolling
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.icons import text_style
from ..common.labels import cause_text
from ..common.text import duration_text, error_text, unit_text
from .ca_check import CaFileCheck, Waiting
from .form import ProfileForm

Tester = Callable[[Profile], concurrent.futures.Future[Sample]]

WATCH_NOTE = QT_TRANSLATE_NOOP(
    "ProfileDialog",
    "Watch never notices a hung peer process (stopped, deadlocked): its kernel still "
    "acknowledges keepalive probes. Only a heartbeat sees it.",
)


def describe_outcome(future: concurrent.futures.Future[Sample], target: str) -> tuple[bool, str]:
    """(connected, a line for the user) from a finished test."""
    if future.cancelled():
        return False, translate("ProfileDialog", "Failed: the test was cancelled")
    if (exc := future.exception()) is not None:
        error = detail_text(error_text(exc))
        return False, translate("ProfileDialog", "Failed: {error}").format(error=error)
    sample = future.result()
    where = sample.address or target
    timings = timings_text(sample.timings) if sample.timings is not None else ""
    if sample.ok:
        took = sample.timings.total_ms if sample.timings is not None else None
        if took is not None:  # the steps beside it add up to it (the kernel's RTT is apart)
            text = translate("ProfileDialog", "Connected to {address} in {latency}").format(
                address=where, latency=_ms(took)
            )
        else:
            text = translate("ProfileDialog", "Connected to {address}").format(address=where)
        return True, text + (f" ({timings})" if timings else "")
    cause = cause_text(sample.cause) or translate("ProfileDialog", "failed")
    place = f"{where}; {timings}" if timings else where
    failed = translate("ProfileDialog", "Failed: {cause} — {detail} ({place})")
    return False, failed.format(
        cause=cause, detail=isolated(detail_text(sample.detail)), place=place
    )


def _ms(value: float) -> str:
    return unit_text("{n} ms", n=f"{value:.2f}" if value < 1 else f"{value:.1f}")


def human_seconds(seconds: float) -> str:
    """Three significant figures below 100 s ("2.5 s", "12.4 s"), minutes and hours above."""
    if seconds < 100:
        return unit_text("{n} s", n=f"{seconds:.3g}")
    return duration_text(seconds)


def copy_name(name: str, taken: Collection[str]) -> str:
    """ "X (copy)", or "X (copy 2)" and so on when that is taken too; "Long na… (copy)"
    where the name would be longer than a name may be (it was made, then refused)."""
    candidate = name_with(translate("ProfileDialog", "{name} (copy)"), name)
    n = 2
    while name_key(candidate) in taken:
        candidate = name_with(translate("ProfileDialog", "{name} (copy {n})"), name, n)
        n += 1
    return candidate


class ProfileDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        profile: Profile | None = None,
        existing_names: Collection[str] = (),
        tester: Tester | None = None,
        duplicate: bool = False,
        groups: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        editing = profile is not None and not duplicate
        self._id = profile.id if profile is not None and editing else uuid.uuid4().hex
        own = name_key(profile.name) if profile is not None and editing else None
        self._taken = {name_key(n) for n in existing_names} - {own}
        self._tester = tester
        #: What the form does not show and an edit keeps: the snooze and the acknowledgement
        #: (a duplicate is a new connection, with neither).
        self._kept: dict[str, object] = {}
        if profile is not None and editing:
            self._kept["snooze_until"] = profile.snooze_until
            self._kept["acknowledged"] = profile.acknowledged
        self._candidate: Profile | None = None  # the form's profile, when it builds
        self._result: Profile | None = None
        self._testing = False
        self._test_target = ""
        #: The settings the shown result (or the test under way) belongs to.
        self._tested: Profile | None = None
        if profile is None:
            self.setWindowTitle(self.tr("Add connection"))
            start = Profile(name="", host="", port=0)
        elif duplicate:
            self.setWindowTitle(self.tr("Duplicate {name}").format(name=isolated(profile.name)))
            start = dataclasses.replace(profile, name=copy_name(profile.name, self._taken))
        else:
            self.setWindowTitle(self.tr("Edit {name}").format(name=isolated(profile.name)))
            start = profile

        self._build(groups, tester is not None)
        self._ca_check = CaFileCheck(self)
        self._ca_check.answered.connect(lambda: self._revalidate(ask=False))
        if profile is not None and profile.detector.tls_ca_file:
            self._ca_check.assume_good(profile.detector.tls_ca_file)
        self.form.changed.connect(self._revalidate)
        self.form.load(start)
        self.form.name_edit.setFocus()
        fit_on_screen(self, 560)
        # Another detector shows other rows and tabs, and a test's result takes a line or
        # two: the dialog grows for them once the layouts have taken them in.
        self._grow = QTimer(self, singleShot=True, interval=0)
        self._grow.timeout.connect(self._grow_to_fit)
        self.form.kind_combo.currentIndexChanged.connect(self._grow.start)

    def _build(self, groups: Sequence[str], testable: bool) -> None:
        self.form = ProfileForm(groups)
        self.worst_case_label = QLabel()
        self.watch_note = QLabel(translate("ProfileDialog", WATCH_NOTE))
        self.problem_label = QLabel()  # a problem with no field of its own (not expected)
        self.test_button = QPushButton(self.tr("&Test now"))
        self.test_button.setAutoDefault(False)
        self.test_button.setVisible(testable)
        self.test_button.clicked.connect(self._start_test)
        self.result_label = QLabel()
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.worst_case_label, self.watch_note, self.result_label):
            label.setWordWrap(True)
        for label in (self.problem_label, self.result_label):  # values, a peer's reply
            label.setTextFormat(Qt.TextFormat.PlainText)  # read as HTML: see common.plain
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(text_style(State.DOWN))
        self.problem_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        for part in (self.form, self.worst_case_label, self.watch_note, self.problem_label):
            inner.addWidget(part)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result_label, 1)
        inner.addLayout(test_row)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(body), 1)  # a small screen scrolls it; OK stays in view
        layout.addWidget(self.buttons)

    def _grow_to_fit(self) -> None:
        grow_to_fit(self)

    def result_profile(self) -> Profile | None:
        """The accepted profile (the original id when editing, a new one otherwise)."""
        return self._result

    def accept(self) -> None:
        self._revalidate()
        if not self.ok_button.isEnabled():
            return
        self._result = self._candidate
        super().accept()

    # -- validation -----------------------------------------------------------------------

    def _revalidate(self, ask: bool = True) -> None:
        """The form's profile judged; ``ask``: after an edit, which has its CA file checked
        (again) on a thread, whose answer comes back here with ``ask`` False."""
        data = {**self._kept, **self.form.to_dict(), "id": self._id}
        problem: FieldError | None = None
        waiting = False
        try:
            self._candidate = Profile.from_dict(data, files=False)
        except FieldError as exc:
            self._candidate, problem = None, exc
        name = self._candidate.name if self._candidate is not None else ""
        if self._candidate is not None and name_key(name) in self._taken:
            taken = self.tr("is already the name of another connection")
            problem = FieldError("name", name, taken)
        if problem is None and self._candidate is not None:
            problem, waiting = self._file_problem(self._candidate, ask)
        self._show_problem(problem)
        if self._tested is not None and not self._testing and self._candidate != self._tested:
            self._clear_result()  # a result belongs to the settings it was run with
        self.ok_button.setEnabled(problem is None and not waiting)
        self.test_button.setEnabled(self._candidate is not None and not self._testing)
        self._show_worst_case(data)

    def _file_problem(self, profile: Profile, ask: bool) -> tuple[FieldError | None, bool]:
        """(what is wrong with the CA file, whether its answer is awaited)."""
        path, field = profile.detector.tls_ca_file, "detector.tls_ca_file"
        if not (profile.detector.tls and path):
            return None, False
        if ask:
            self._ca_check.ask(path)
        answer = self._ca_check.answer(path)
        if answer is Waiting.SLOW:
            slow = self.tr("is being checked (no answer from it yet)")
            return FieldError(field, path, slow), True
        if isinstance(answer, Waiting):
            return None, True
        return (None if answer is None else FieldError(field, path, answer)), False

    def _show_problem(self, problem: FieldError | None) -> None:
        if problem is None:
            self.form.show_error(None, "")
            self.problem_label.hide()
            return
        message = f"{self._shown_value(problem)} {problem_text(problem.problem)}"
        beside = self.form.show_error(problem.field, message)
        self.problem_label.setText("" if beside else str(problem))
        self.problem_label.setVisible(not beside)

    def _shown_value(self, problem: FieldError) -> str:
        """The value as the user sees it: an empty field by its caption ("Name is empty")."""
        if problem.value in ("", None) or (problem.field == "port" and problem.value == 0):
            try:
                return caption_text(self.form.label_for(problem.field))
            except KeyError:
                return problem.field
        return show(problem.value)

    def _show_worst_case(self, data: dict[str, Any]) -> None:
        """Computed from the detector and alerting settings even while the name or host is
        still empty, which is most of the time when adding a profile."""
        general = {"name": "x", "host": "localhost", "port": 1, "ip_family": "auto"}
        try:
            worst = Profile.from_dict({**data, **general}, files=False).worst_case_silent_drop_s()
        except FieldError:
            self.worst_case_label.setText(
                self.tr("Fix the settings to see when a silent drop is noticed.")
            )
        else:
            self.worst_case_label.setText(
                self.tr("A silent drop is noticed within {time}.").format(time=human_seconds(worst))
            )
        self.watch_note.setVisible(self.form.kind == "watch")

    # -- test now -------------------------------------------------------------------------

    def _start_test(self) -> None:
        profile = self._candidate
        if profile is None or self._tester is None or self._testing:
            return
        self._testing = True
        self.test_button.setEnabled(False)
        self.test_button.setText(self.tr("Testing…"))
        self.result_label.setStyleSheet("")
        self.result_label.setText(self.tr("Testing {target}…").format(target=profile.target))
        self._test_target = profile.target
        self._tested = profile
        try:
            future = self._tester(profile)
        except Exception as exc:  # a tester that cannot start is a result too
            future = concurrent.futures.Future()
            future.set_exception(exc)
        when_done(future, self._test_finished, owner=self)  # not if closed meanwhile

    def _test_finished(self, future: concurrent.futures.Future[Sample]) -> None:
        self._testing = False
        self.test_button.setText(self.tr("&Test now"))
        self.test_button.setEnabled(self._candidate is not None)
        if self._candidate != self._tested:  # edited while it ran: it says nothing of these
            self._clear_result()
            self.result_label.setText(self.tr("The settings changed during the test: test again."))
            return
        ok, text = describe_outcome(future, self._test_target)
        self.result_label.setStyleSheet(text_style(State.UP if ok else State.DOWN))
        self.result_label.setText(text)
        self._grow.start()

    def _clear_result(self) -> None:
        self._tested = None
        self.result_label.setStyleSheet("")
        self.result_label.clear()
