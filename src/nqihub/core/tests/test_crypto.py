"""Personal data at rest: SM4-GCM with key ids, undecryptable values never erased, HMAC-SM3 blind index,
``rotate_keys`` and the migration of the pre-SM4 Fernet values."""

import base64
import hashlib
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from nqihub.core import crypto
from nqihub.core.models import AuditEntry
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import EnterpriseContact

KEY1 = "k1:" + base64.b64encode(b"\x01" * 16).decode()
KEY2 = "k2:" + base64.b64encode(b"\x02" * 16).decode()


@pytest.fixture
def contacts(db):
    from nqihub.directory.models import Enterprise

    enterprise = Enterprise.objects.order_by("pk").first()
    return [
        EnterpriseContact.objects.create(enterprise=enterprise, name=f"示例{i}", phone=f"1350000000{i}")
        for i in range(3)
    ]


def _raw(model, pk, field):
    return (
        model.objects.annotate(r=Cast(field, output_field=TextField())).values_list("r", flat=True).get(pk=pk)
    )


def _set_raw(model, pk, field, raw):
    model.objects.filter(pk=pk).update(**{field: Value(raw, output_field=TextField())})


@given(st.text(max_size=200))
def test_encrypt_then_decrypt_gives_the_text_back(text):
    token = crypto.encrypt(text)
    assert token.startswith(f"sm4g:{crypto.current_key_id()}:")
    assert crypto.decrypt(token) == text


def test_the_same_text_encrypts_differently_each_time():
    assert crypto.encrypt("13800001111") != crypto.encrypt("13800001111")


def test_a_changed_byte_or_a_moved_key_id_fails_authentication():
    token = crypto.encrypt("13800001111")
    prefix, key_id, blob = token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[14] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY1]):
        # The same bytes presented under another id: the header is authenticated.
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(f"{prefix}:k1:{blob}")


def test_sm4_is_the_cipher_known_answer():
    # GB/T 32907-2016 appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (known-answer test only)
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    # GB/T 32905-2016 appendix A.1: SM3("abc").
    assert crypto.sm3(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@pytest.mark.parametrize(
    "entries", [["nokey"], ["k1:not base64!"], ["k1:" + "QUJD"], [KEY1, KEY1], ["dev:" + KEY1[3:]]]
)
def test_bad_key_configuration_fails_loudly(entries):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keys(entries)


@pytest.mark.django_db
def test_an_undecryptable_value_shows_a_marker_and_is_never_overwritten_by_a_save(caplog):
    sr = ServiceRequest.objects.first()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY1]):
        sr.contact_phone = "13800001111"
        sr.save()
    stored = _raw(ServiceRequest, sr.pk, "contact_phone")
    assert stored.startswith("sm4g:k1:") and "13800001111" not in stored
    # k1 is gone: the value cannot be read.
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY2]):
        loaded = ServiceRequest.objects.get(pk=sr.pk)
        assert crypto.is_undecryptable(loaded.contact_phone)
        assert str(loaded.contact_phone) == "无法解密"
        assert crypto.mask_phone(loaded.contact_phone) == "无法解密"
        assert "cannot decrypt desk.ServiceRequest.contact_phone" in caplog.text
        # A later save, also of a form that showed the marker and sent it back, keeps the ciphertext.
        loaded.product = "螺蛳粉（示例）"
        loaded.save()
        loaded.contact_phone = "无法解密"
        loaded.save()
        assert _raw(ServiceRequest, sr.pk, "contact_phone") == stored
    # The key comes back: the value is still there.
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY2, KEY1]):
        assert ServiceRequest.objects.get(pk=sr.pk).contact_phone == "13800001111"
        # An explicit new value does replace it.
        loaded = ServiceRequest.objects.get(pk=sr.pk)
        loaded.contact_phone = "13900002222"
        loaded.save()
        assert ServiceRequest.objects.get(pk=sr.pk).contact_phone == "13900002222"


@pytest.mark.django_db
def test_phone_numbers_are_found_exactly_through_the_blind_index(contacts):
    sr = ServiceRequest.objects.first()
    sr.contact_phone = "138 0000 1111"
    sr.save()
    assert "1111" not in sr.contact_phone_index and len(sr.contact_phone_index) == 64
    found = ServiceRequest.objects.filter(
        crypto.blind_filter(ServiceRequest, "contact_phone", "138-0000-1111")
    )
    assert list(found) == [sr]
    assert not ServiceRequest.objects.filter(
        crypto.blind_filter(ServiceRequest, "contact_phone", "13800001112")
    ).exists()
    contact = contacts[0]
    contact.phone = "0772-1234567"
    contact.save()
    assert (
        EnterpriseContact.objects.filter(crypto.blind_filter(EnterpriseContact, "phone", "07721234567")).get()
        == contact
    )


@pytest.mark.django_db
def test_rotate_keys_round_trip_written_under_key_1_read_after_key_1_is_removed(contacts):
    requests = list(ServiceRequest.objects.order_by("pk")[:3])
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY1]):
        for i, c in enumerate(contacts):
            c.name, c.phone = f"联系人{i}", f"1380000000{i}"
            c.save()
        for i, r in enumerate(requests):
            r.contact_name, r.contact_phone = f"申请人{i}", f"1390000000{i}"
            r.save()
        # Everything else (demo data) goes under k1 too, as a real deployment would have it.
        call_command("rotate_keys", stdout=io.StringIO())
    assert _raw(EnterpriseContact, contacts[0].pk, "phone").startswith("sm4g:k1:")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY2, KEY1]):
        out = io.StringIO()
        with pytest.raises(CommandError):
            call_command("rotate_keys", "--check", stdout=out)
        call_command("rotate_keys", "--batch-size", "2", stdout=out)
        call_command("rotate_keys", "--check", stdout=io.StringIO())
    assert AuditEntry.objects.filter(action="core.keys.rotated", data__key_id="k2").exists()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY2]):
        for i, c in enumerate(contacts):
            assert _raw(EnterpriseContact, c.pk, "phone").startswith("sm4g:k2:")
            fresh = EnterpriseContact.objects.get(pk=c.pk)
            assert (fresh.name, fresh.phone) == (f"联系人{i}", f"1380000000{i}")
        for i, r in enumerate(requests):
            fresh = ServiceRequest.objects.get(pk=r.pk)
            assert (fresh.contact_name, fresh.contact_phone) == (f"申请人{i}", f"1390000000{i}")
        assert not any(crypto.is_undecryptable(c.phone) for c in EnterpriseContact.objects.all())
        assert (
            ServiceRequest.objects.filter(
                crypto.blind_filter(ServiceRequest, "contact_phone", "13900000001")
            ).get()
            == requests[1]
        )


@pytest.mark.django_db
def test_rotate_keys_leaves_what_it_cannot_decrypt_and_says_so():
    sr = ServiceRequest.objects.first()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY1]):
        sr.contact_phone = "13800001111"
        sr.save()
    stored = _raw(ServiceRequest, sr.pk, "contact_phone")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[KEY2]),
        pytest.raises(CommandError, match="could not be decrypted"),
    ):
        call_command("rotate_keys", stdout=io.StringIO(), stderr=io.StringIO())
    assert _raw(ServiceRequest, sr.pk, "contact_phone") == stored


@pytest.mark.django_db
def test_fernet_values_from_before_sm4_still_read_and_rotate_keys_rewrites_them(settings, contacts):
    legacy_key = base64.urlsafe_b64encode(
        hashlib.sha256(("nqihub-field:" + settings.SECRET_KEY).encode()).digest()
    )
    token = "enc1:" + Fernet(legacy_key).encrypt(b"13700007777").decode()
    contact = contacts[0]
    _set_raw(EnterpriseContact, contact.pk, "phone", token)
    assert EnterpriseContact.objects.get(pk=contact.pk).phone == "13700007777"
    call_command("rotate_keys", stdout=io.StringIO())
    assert _raw(EnterpriseContact, contact.pk, "phone").startswith(f"sm4g:{crypto.current_key_id()}:")
    assert EnterpriseContact.objects.get(pk=contact.pk).phone == "13700007777"
    assert EnterpriseContact.objects.filter(
        crypto.blind_filter(EnterpriseContact, "phone", "13700007777")
    ).exists()


@pytest.mark.django_db
def test_the_migration_backfill_indexes_existing_rows(contacts):
    contact = contacts[0]
    contact.phone = "13600006666"
    contact.save()
    EnterpriseContact.objects.filter(pk=contact.pk).update(phone_index="")
    crypto.backfill_blind_index(EnterpriseContact, "phone", "phone_index")
    assert EnterpriseContact.objects.get(pk=contact.pk).phone_index == crypto.blind_index(
        "13600006666", crypto.normalise_phone
    )


@given(st.text(alphabet="0123456789 -+()", max_size=30))
def test_phone_normalisation_keeps_only_digits_and_a_leading_plus(text):
    normal = crypto.normalise_phone(text)
    assert normal.lstrip("+").isdigit() or normal == ""
    assert crypto.normalise_phone(normal) == normal
