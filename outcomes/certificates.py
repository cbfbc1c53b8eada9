"""Certificates of participation: the PDF (fpdf2, with a QR code from qrcode), the links to it and
to its verification page, and the same credential as a signed Open Badges 3.0 / W3C Verifiable
Credential in JSON-LD.

Signing: Ed25519 (`cryptography`) with a Data Integrity proof, cryptosuite eddsa-jcs-2022. The
document is canonicalised as JSON (RFC 8785 for what we put in it: strings, integers, no floats),
as that suite asks. The private key comes from settings.EYOS_CREDENTIAL_KEY; the public keys of
the current and of retired keys are published in the issuer profile, so credentials signed before a
rotation still verify (README: "Certificates")."""

import base64
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

FONTS = Path(__file__).resolve().parent / "fonts"
PDF_SALT = "outcomes.certificate.pdf"


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def verify_url(attendance):
    return _absolute(reverse("certificates:verify", kwargs={"code": attendance.code}))


def signed_pdf_url(attendance):
    token = signing.dumps(attendance.code, salt=PDF_SALT)
    return _absolute(reverse("certificates:pdf", kwargs={"code": attendance.code})) + "?token=" + token


def pdf_token_valid(code, token):
    try:
        return signing.loads(token or "", salt=PDF_SALT) == code
    except signing.BadSignature:
        return False


def facts(attendance):
    """What a certificate states, in the active language."""
    event = attendance.event
    tz = event.tzinfo
    minutes = int((event.end - event.start).total_seconds() // 60)
    return {
        "name": attendance.holder_name,
        "event": event.title,
        "organiser": event.organisation.name,
        "date": formats.date_format(timezone.localtime(event.start, tz), "DATE_FORMAT"),
        "duration": _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60},
        "topics": ", ".join(sorted(topic.name for topic in event.topics.all())),
        "country": event.country.name,
        "code": attendance.code,
    }


def pdf(attendance, language):
    """The certificate as PDF bytes, in `language`: DejaVu Sans covers every EU alphabet (Latin,
    Greek, Cyrillic)."""
    import qrcode
    from fpdf import FPDF

    with translation.override(language):
        values = facts(attendance)
        url = verify_url(attendance)
        document = FPDF(orientation="landscape", format="A4")
        document.set_title(_("Certificate of participation"))
        document.set_lang(language)
        document.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        document.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        document.set_auto_page_break(False)
        document.add_page()
        document.set_draw_color(0, 51, 153)
        document.set_line_width(1.2)
        document.rect(10, 10, 277, 190)
        document.set_y(28)
        document.set_font("DejaVu", "B", 28)
        document.cell(0, 14, _("Certificate of participation"), align="C", new_x="LMARGIN", new_y="NEXT")
        document.set_font("DejaVu", "", 14)
        document.cell(0, 10, _("European Year of Skills"), align="C", new_x="LMARGIN", new_y="NEXT")
        document.ln(8)
        if values["name"]:
            document.set_font("DejaVu", "", 13)
            document.cell(0, 8, _("This certifies that"), align="C", new_x="LMARGIN", new_y="NEXT")
            document.set_font("DejaVu", "B", 22)
            document.cell(0, 13, values["name"], align="C", new_x="LMARGIN", new_y="NEXT")
        document.set_font("DejaVu", "", 13)
        document.cell(0, 8, _("took part in"), align="C", new_x="LMARGIN", new_y="NEXT")
        document.set_font("DejaVu", "B", 17)
        document.multi_cell(0, 9, values["event"], align="C", new_x="LMARGIN", new_y="NEXT")
        document.ln(4)
        document.set_font("DejaVu", "", 12)
        lines = [
            _("Organised by %(organiser)s") % values,
            _("On %(date)s, duration %(duration)s") % values,
        ]
        if values["topics"]:
            lines.append(_("Topics: %(topics)s") % values)
        for line in lines:
            document.multi_cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
        image = qrcode.make(url, box_size=8, border=1).get_image()
        document.image(image, x=22, y=150, w=38, h=38)
        document.set_xy(64, 160)
        document.set_font("DejaVu", "", 10)
        document.multi_cell(150, 6, _("Check that this certificate is genuine: %(url)s") % {"url": url})
        document.set_x(64)
        document.cell(150, 6, _("Certificate number %(code)s") % values)
        return bytes(document.output())


# Credential (Open Badges 3.0 / Verifiable Credentials 2.0) -----------------------------------


def _b58(data):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = alphabet[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _private_key(seed_b64=None):
    """settings.EYOS_CREDENTIAL_KEY: the 32-byte Ed25519 seed, base64. Without it (development,
    tests) a key derived from SECRET_KEY, so nothing needs configuring to try it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed_b64 = seed_b64 or getattr(settings, "EYOS_CREDENTIAL_KEY", "")
    if seed_b64:
        seed = base64.b64decode(seed_b64 + "=" * (-len(seed_b64) % 4), altchars=b"-_")
    else:
        seed = hashlib.sha256(b"eyos-credential-key:" + settings.SECRET_KEY.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_multibase(public_key):
    """Multikey encoding of an Ed25519 public key: multicodec 0xed01 + key, base58btc, 'z'."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + _b58(b"\xed\x01" + raw)


def issuer_url():
    return _absolute(reverse("certificates:issuer"))


def current_key_id():
    return issuer_url() + "#" + public_multibase(_private_key().public_key())


def issuer_profile():
    """The issuer (Open Badges Profile) with its verification keys: the current one and every
    retired one still listed in EYOS_CREDENTIAL_RETIRED_KEYS (public keys, multibase)."""
    current = public_multibase(_private_key().public_key())
    keys = [current] + [key for key in getattr(settings, "EYOS_CREDENTIAL_RETIRED_KEYS", []) if key != current]
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://w3id.org/security/multikey/v1"],
        "id": issuer_url(),
        "type": ["Profile"],
        "name": settings.EYOS_OPEN_DATA_PUBLISHER,
        "url": settings.SITE_URL,
        "verificationMethod": [
            {"id": f"{issuer_url()}#{key}", "type": "Multikey", "controller": issuer_url(), "publicKeyMultibase": key}
            for key in keys
        ],
        "assertionMethod": [f"{issuer_url()}#{key}" for key in keys],
    }


def canonical(document):
    """JSON canonicalisation (RFC 8785) for documents of strings, integers, lists and objects."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def credential(attendance):
    """The unsigned credential: an OpenBadgeCredential whose subject is the attendee, named when
    the name is still held, never by address."""
    event = attendance.event
    verify = verify_url(attendance)
    subject = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": _absolute(reverse("events:detail", kwargs={"uid": event.uid})) + "#participation",
            "type": ["Achievement"],
            "achievementType": "Achievement",
            "name": f"Participation: {event.title}",
            "description": f"Took part in “{event.title}”, organised by {event.organisation.name}.",
            "criteria": {"narrative": "Marked as attended by the event's organiser."},
            "tag": sorted(topic.name for topic in event.topics.all()),
        },
    }
    if attendance.holder_name:
        subject["name"] = attendance.holder_name
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": verify,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Certificate of participation: {event.title}",
        "issuer": {"id": issuer_url(), "type": ["Profile"], "name": settings.EYOS_OPEN_DATA_PUBLISHER},
        "validFrom": event.end.astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
    }


def sign(document, *, created=None, key=None):
    """A Data Integrity proof (eddsa-jcs-2022): Ed25519 over sha256(proof options) +
    sha256(document), both canonicalised."""
    key = key or _private_key()
    created = created or timezone.now()
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created.astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": issuer_url() + "#" + public_multibase(key.public_key()),
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    data = hashlib.sha256(canonical(proof)).digest() + hashlib.sha256(canonical(document)).digest()
    proof["proofValue"] = "z" + _b58(key.sign(data))
    return {**document, "proof": proof}


def verify_signature(signed):
    """True when `signed` carries a valid proof by one of the issuer's published keys."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    document = dict(signed)
    proof = dict(document.pop("proof"))
    value = proof.pop("proofValue")
    key_id = proof["verificationMethod"].rsplit("#", 1)[-1]
    if key_id not in {method["publicKeyMultibase"] for method in issuer_profile()["verificationMethod"]}:
        return False
    raw = _b58decode(key_id[1:])[2:]
    data = hashlib.sha256(canonical(proof)).digest() + hashlib.sha256(canonical(document)).digest()
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(_b58decode(value[1:]), data)
    except InvalidSignature:
        return False
    return True


def _b58decode(text):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = 0
    for char in text:
        number = number * 58 + alphabet.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body
