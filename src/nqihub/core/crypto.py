"""Personal data encrypted at rest with SM4 (GB/T 32907) in GCM mode, exact look-ups through an HMAC-SM3
blind index, and masks for lists (GB/T 39786-2021 application layer; SPEC §14).

Ciphertext: ``sm4g:<key id>:<base64(nonce 12 B ‖ ciphertext ‖ tag 16 B)>``; the header (prefix and key id)
is authenticated as associated data, so a value cannot be moved to another key id.

Keys come from ``FIELD_ENCRYPTION_KEYS``: comma-separated ``<id>:<base64 of 16 random bytes>``; the first
encrypts, every one decrypts, so keys rotate: put the new key first, run ``manage.py rotate_keys``, then
drop the old one. Without it a key derived from SECRET_KEY is used (embedded set-up only; ``check
--deploy`` warns). Values written before SM4 (``enc1:`` Fernet tokens) still read, with the Fernet keys in
``FIELD_ENCRYPTION_LEGACY_KEYS`` or the SECRET_KEY-derived one, until ``rotate_keys`` rewrites them.

A value that cannot be decrypted (its key is gone, the bytes were changed) is logged and reads as
``Undecryptable`` — a ``str`` that shows "无法解密" and keeps the stored ciphertext, which the field writes
back unchanged on the next save: a missing key never erases data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext

logger = logging.getLogger("nqihub.crypto")

PREFIX = "sm4g"
LEGACY_PREFIX = "enc1:"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 16
#: Key id of the key derived from SECRET_KEY (embedded set-up).
DERIVED_KEY_ID = "dev"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
UNDECRYPTABLE_TEXT = "无法解密"


class DecryptionError(Exception):
    """The value is encrypted but cannot be read: unknown key id, wrong key, changed bytes."""


# --- SM3 ------------------------------------------------------------------------------------------------


def sm3(data: bytes) -> str:
    """SM3 (GB/T 32905) digest in hex."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _derive(purpose: str, length: int = 32) -> bytes:
    return hmac_sm3(settings.SECRET_KEY.encode(), purpose.encode())[:length]


# --- keys -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]
    legacy: MultiFernet
    index_key: bytes


def parse_keys(entries: list[str]) -> list[tuple[str, bytes]]:
    """``["k2:<base64>", "k1:<base64>"]`` → ``[("k2", b"…"), ("k1", b"…")]``; loud on a bad entry."""
    parsed: list[tuple[str, bytes]] = []
    for entry in entries:
        key_id, sep, b64 = entry.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS: each entry is <id>:<base64 of 16 bytes>, the id 1–16 of A–Z a–z 0–9 _ -"
            )
        try:
            key = base64.b64decode(b64.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key {key_id!r} is not base64") from exc
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key {key_id!r} must be 16 bytes (SM4-128)")
        if key_id == DERIVED_KEY_ID or key_id in dict(parsed):
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key id {key_id!r} is reserved or repeated")
        parsed.append((key_id, key))
    return parsed


def generate_key(key_id: str) -> str:
    """A new ``FIELD_ENCRYPTION_KEYS`` entry."""
    if not _KEY_ID.match(key_id) or key_id == DERIVED_KEY_ID:
        raise ValueError(key_id)
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


@lru_cache(maxsize=8)
def _ring(entries: tuple[str, ...], legacy: tuple[str, ...], index_key: str, secret: str) -> KeyRing:
    keys = dict(parse_keys(list(entries)))
    derived = _derive("nqihub-field-sm4", KEY_BYTES)
    current_id = next(iter(keys)) if keys else DERIVED_KEY_ID
    keys.setdefault(DERIVED_KEY_ID, derived)  # decrypt-only once real keys are configured
    fernet_keys = [Fernet(k.encode()) for k in legacy]
    fernet_keys.append(
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(("nqihub-field:" + secret).encode()).digest()))
    )
    if index_key:
        try:
            blind = base64.b64decode(index_key, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured("FIELD_BLIND_INDEX_KEY is not base64") from exc
        if len(blind) < 16:
            raise ImproperlyConfigured("FIELD_BLIND_INDEX_KEY must be at least 16 bytes")
    else:
        blind = _derive("nqihub-blind-index")
    return KeyRing(current_id, keys, MultiFernet(fernet_keys), blind)


def ring() -> KeyRing:
    return _ring(
        tuple(settings.FIELD_ENCRYPTION_KEYS),
        tuple(getattr(settings, "FIELD_ENCRYPTION_LEGACY_KEYS", [])),
        getattr(settings, "FIELD_BLIND_INDEX_KEY", "") or "",
        settings.SECRET_KEY,
    )


def current_key_id() -> str:
    return ring().current_id


# --- encryption -----------------------------------------------------------------------------------------


def _aad(key_id: str) -> bytes:
    return f"{PREFIX}:{key_id}".encode()


def encrypt(value: str) -> str:
    keyring = ring()
    key_id = keyring.current_id
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(keyring.keys[key_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_aad(key_id))
    body = encryptor.update(value.encode("utf-8")) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}:{key_id}:{blob}"


def is_encrypted(value: str) -> bool:
    return value.startswith((PREFIX + ":", LEGACY_PREFIX))


def key_id_of(value: str) -> str | None:
    """The key id a stored value was written with (``"enc1"`` for Fernet, None for plain text)."""
    if value.startswith(LEGACY_PREFIX):
        return "enc1"
    if value.startswith(PREFIX + ":"):
        return value.split(":", 2)[1]
    return None


def decrypt(value: str) -> str:
    """The plain text of a stored value; plain text (never encrypted) passes through.

    Raises ``DecryptionError`` when the value is encrypted but cannot be read."""
    if value.startswith(LEGACY_PREFIX):
        try:
            return ring().legacy.decrypt(value[len(LEGACY_PREFIX) :].encode()).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError) as exc:
            raise DecryptionError("legacy Fernet value: no configured key opens it") from exc
    if not value.startswith(PREFIX + ":"):
        return value
    try:
        _prefix, key_id, blob = value.split(":", 2)
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise DecryptionError("malformed ciphertext") from exc
    key = ring().keys.get(key_id)
    if key is None:
        raise DecryptionError(f"no key with id {key_id!r} is configured")
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(_aad(key_id))
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError) as exc:
        raise DecryptionError(f"ciphertext under key {key_id!r} failed authentication") from exc


class Undecryptable(str):
    """What an encrypted field reads as when its value cannot be decrypted: shows "无法解密" (translated),
    remembers the stored ciphertext, and is written back as that ciphertext."""

    ciphertext: str

    def __new__(cls, ciphertext: str):
        obj = super().__new__(cls, gettext(UNDECRYPTABLE_TEXT))
        obj.ciphertext = ciphertext
        return obj

    def __reduce__(self):
        return (Undecryptable, (self.ciphertext,))


def is_undecryptable(value) -> bool:
    return isinstance(value, Undecryptable)


# --- blind index ----------------------------------------------------------------------------------------


def normalise_text(value: str) -> str:
    return " ".join((value or "").split())


def normalise_phone(value: str) -> str:
    """Digits (and a leading +) only: "138-0000 0000" and "13800000000" index alike."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    return ("+" + digits) if value.startswith("+") and digits else digits


def blind_index(value: str, normalise: Callable[[str], str] = normalise_text) -> str:
    """HMAC-SM3 of the normalised value under the blind-index key (hex); "" for an empty value."""
    plain = normalise(value or "")
    if not plain:
        return ""
    return hmac_sm3(ring().index_key, plain.encode("utf-8")).hex()


# --- the model field ------------------------------------------------------------------------------------


class _EncryptedDescriptor(DeferredAttribute):
    """Keeps an undecryptable value from being replaced by its own display text (a form that shows
    "无法解密" and is saved unchanged), and keeps the blind index in step with the value."""

    def __set__(self, instance, value):
        current = instance.__dict__.get(self.field.attname)
        if isinstance(current, Undecryptable) and not isinstance(value, Undecryptable):
            if value is None or str(value) in {str(current), UNDECRYPTABLE_TEXT}:
                return
        instance.__dict__[self.field.attname] = value
        if self.field.blind_index_field and not isinstance(value, Undecryptable):
            instance.__dict__[self.field.blind_index_field] = blind_index(value or "", self.field.normalise)


class EncryptedCharField(models.TextField):
    """Stores SM4-GCM ciphertext; Python sees plain text. ``max_length`` bounds the plain text (forms,
    validation), not the column. ``blind_index="<field>"`` names a CharField(max_length=64) kept equal to
    ``blind_index(value)`` for exact look-ups (``blind_filter``)."""

    descriptor_class = _EncryptedDescriptor

    def __init__(self, *args, blind_index: str = "", normalise: str = "text", **kwargs):
        self.blind_index_field = blind_index
        self.normalise_name = normalise
        self.normalise = NORMALISERS[normalise]
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index_field:
            kwargs["blind_index"] = self.blind_index_field
        if self.normalise_name != "text":
            kwargs["normalise"] = self.normalise_name
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except DecryptionError as exc:
            logger.error(
                "cannot decrypt %s.%s (key id %s): %s",
                getattr(self.model, "_meta", None) and self.model._meta.label,
                self.name,
                key_id_of(value),
                exc,
            )
            return Undecryptable(value)

    def get_prep_value(self, value):
        if isinstance(value, Undecryptable):
            return value.ciphertext
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.ciphertext if isinstance(value, Undecryptable) else super().value_to_string(obj)


NORMALISERS: dict[str, Callable[[str], str]] = {"text": normalise_text, "phone": normalise_phone}


def blind_filter(model, field_name: str, value: str) -> models.Q:
    """``Q`` for rows whose encrypted ``field_name`` equals ``value`` (through the blind index)."""
    field = model._meta.get_field(field_name)
    if not field.blind_index_field:
        raise ValueError(f"{model._meta.label}.{field_name} has no blind index")
    digest = blind_index(value, field.normalise)
    if not digest:
        return models.Q(pk__in=[])
    return models.Q(**{field.blind_index_field: digest})


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedCharField]]:
    """Every (model, field) that holds encrypted data, for ``rotate_keys``."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                found.append((model, field))
    return found


# --- masks ----------------------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    if isinstance(phone, Undecryptable):
        return str(phone)
    digits = (phone or "").strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    if isinstance(name, Undecryptable):
        return str(name)
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def backfill_blind_index(model, field_name: str, index_name: str, normalise: str = "phone") -> int:
    """Sets ``index_name`` from the decrypted ``field_name`` on every row (for data migrations, which get
    historical models). Rows that cannot be decrypted keep an empty index. Returns the rows updated."""
    from django.db.models.functions import Cast

    rows = model._base_manager.annotate(_raw=Cast(field_name, output_field=models.TextField())).values_list(
        "pk", "_raw"
    )
    updated = 0
    for pk, raw in rows.iterator(chunk_size=2000):
        if not raw:
            continue
        try:
            plain = decrypt(raw)
        except DecryptionError:
            logger.error("cannot decrypt %s #%s %s for its blind index", model._meta.label, pk, field_name)
            continue
        model._base_manager.filter(pk=pk).update(**{index_name: blind_index(plain, NORMALISERS[normalise])})
        updated += 1
    return updated
