"""FSM states of every wizard; their data lives in SQLite with the state."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Register(StatesGroup):
    link = State()
    platform = State()
    title = State()
    territory = State()
    level = State()
    theme = State()
    confirm = State()


class Reporting(StatesGroup):
    figure = State()
    confirm = State()


class Moderation(StatesGroup):
    reason = State()


class Broadcasting(StatesGroup):
    message = State()
    segment = State()


class SeminarNew(StatesGroup):
    title = State()
    description = State()
    start = State()
    duration = State()
    hours = State()
    place = State()
    capacity = State()
    audience = State()
    confirm = State()


class Feedback(StatesGroup):
    comment = State()


class SeminarEdit(StatesGroup):
    value = State()  # the new value of the field chosen


class Importing(StatesGroup):
    file = State()


class CheckingIn(StatesGroup):
    code = State()


class MarkingAttendance(StatesGroup):
    walk_in = State()


class CertificateName(StatesGroup):
    name = State()
