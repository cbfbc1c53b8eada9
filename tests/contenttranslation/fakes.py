"""Machine-translation backends for tests: no network."""

from contenttranslation.backends import Backend, TranslationError


class FakeBackend(Backend):
    """Prefixes every text with the target language, and counts calls."""

    name = "fake"
    calls = []

    def translate(self, fields, *, source, target):
        FakeBackend.calls.append((source, target, dict(fields)))
        return {name: (f"[{target}] {text}" if text else "") for name, text in fields.items()}


class BrokenBackend(Backend):
    name = "broken"

    def translate(self, fields, *, source, target):
        raise TranslationError("HTTP 503")


class EvilBackend(Backend):
    """Answers with script in every field."""

    name = "evil"

    def translate(self, fields, *, source, target):
        return {name: '<script>alert(1)</script><p onclick="x()">Hallo <a href="javascript:x()">da</a></p>'
                for name in fields}


class AsyncFakeBackend(Backend):
    """Like eTranslation: accepts the request; answers come through the callback."""

    name = "async-fake"
    asynchronous = True
    submitted = []

    def submit(self, fields, *, source, target, reference, callback_url, error_url):
        AsyncFakeBackend.submitted.append({"fields": dict(fields), "reference": reference, "target": target,
                                           "callback_url": callback_url, "error_url": error_url})
