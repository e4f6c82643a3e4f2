"""What users read, composed from records: digests, alerts, reminders, cards, captions.

One module per feature. Every public function takes the locale to speak and, when it
translates, the `I18n`; it translates inside `bot.i18n.speaking(i18n, locale)`, so it says
the same in a handler, a scheduled job or a background task. Services receive the
renderers built here (wired in `bot.app`) and never import this package; keyboards come
from the handlers, injected the same way.
"""
