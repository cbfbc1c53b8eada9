"""Form widgets of the event forms."""

from django import forms


class RichTextArea(forms.Textarea):
    """A textarea that static/js/rich-text.js turns into a Trix editor (static/vendor/trix/)
    limited to what events.richtext keeps: paragraphs, bold, italic, links and lists. The
    textarea stays the field the form submits (the editor writes its HTML into it), so without
    JavaScript it is a plain textarea and the server's sanitiser is the one rule either way.

    Trix adds its own small <style> element: a page with this widget on the public site carries
    <meta name="trix-csp-nonce" nonce="{{ csp_nonce }}"> so the strict CSP lets it in."""

    template_name = "events/widgets/rich_text.html"

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "data-rich-text": "", **(attrs or {})})

    class Media:
        css = {"all": ("vendor/trix/trix.css", "css/rich-text.css")}
        # Deferred, in this order, so the page's form is there when the editor starts.
        js = (forms.Script("vendor/trix/trix.umd.min.js", defer=True), forms.Script("js/rich-text.js", defer=True))
