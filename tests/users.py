"""The people of the handler tests. User 100 is the superadmin of the `bot` fixture."""

from __future__ import annotations

from tests.fakes.bot_api import FakeUser

SUPER = FakeUser(id=100, first_name="Ольга", username="olga", language_code="ru")
ADMIN = FakeUser(id=200, first_name="Иван", username="ivan", language_code="ru")
ADMIN_EN = FakeUser(id=300, first_name="John", username="john", language_code="en")
OTHER = FakeUser(id=400, first_name="Пётр", username="petr", language_code="ru")
