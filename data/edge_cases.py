"""Hand-picked raw identifiers that exercise the corners of the identifier contract (identifiers.md)."""

_UUID = "6d92078a-8246-4ba4-ae5b-76104861e7dc"
_HASH = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

EMAILS: tuple[str, ...] = (
    "", " ", "\t", "\u00a0", "@", "@@", "a@b", "a@b.c", "a@b.co",
    "jan.kowalski@wp.pl", "Jan.Kowalski@WP.PL", "JAN.KOWALSKI@WP.PL", " jan.kowalski@wp.pl ",
    "\tjan@wp.pl\t", "\u00a0jan@wp.pl\u00a0", "jan@wp.pl\r\n", "jan@wp.pl\n", "\u2003jan@wp.pl\u3000",
    "\u200bjan@wp.pl", "\ufeffjan@wp.pl", "jan@wp.pl\u200b",
    "łukasz.żółć@wp.pl", "ZAŻÓŁĆ.GĘŚLĄ.JAŹŃ@WP.PL", "Łucja@Onet.PL", "müller@bücher.de", "MÜLLER@BÜCHER.DE",
    "jan@xn--bcher-kva.de", "jan@XN--BCHER-KVA.DE", "jan@bücher.de", "jan@BÜCHER.DE", "jan@żabka-mail.pl",
    "jan@xn--abka-mail-9bc.pl", "用户@例子.广告", "почта@пример.рф", "ПОЧТА@ПРИМЕР.РФ", "θσερ@εχαμπλε.ψομ",
    "jose\u0301@gmail.com", "jan@bu\u0308cher.de", "zo\u0301l\u0301@wp.pl", "İSTANBUL@wp.pl", "STRASSE@web.de",
    "straße@web.de", "\u212aowalski@wp.pl", "ǅemal@wp.pl", "ｊａｎ@wp.pl", "jan@ｗｐ.pl", "jan＠wp.pl", "jan@wp。pl",
    "😀@wp.pl", "jan@😀.pl",
    "Jan.Kowalski+allegro@gmail.com", "j.a.n.kowalski@googlemail.com", "JAN.KOWALSKI+@GMAIL.COM",
    "J.A.N@GoogleMail.com", "+tag@gmail.com", "+@gmail.com", ".+x@gmail.com", "a.+b@gmail.com",
    "jan+a+b@gmail.com", "jan.kowalski+allegro@wp.pl", "+@wp.pl", "jan.+x@wp.pl", "jan..kowalski@gmail.com",
    "...@gmail.com", "jan@gmail.com.", "jan@g.mail.com", "jan.kowalski@gmail.co", "jan@GMAIL.com",
    '"jan kowalski"@wp.pl', '"jan"@wp.pl', '"jan\\"k"@wp.pl', '"j@n"@wp.pl', '""@wp.pl',
    "a" * 64 + "@wp.pl", "a" * 65 + "@wp.pl", "ą" * 64 + "@wp.pl",
    "jan@" + "b" * 63 + ".pl", "jan@" + "b" * 64 + ".pl",
    "jan@" + ".".join(["c" * 63] * 3) + "." + "d" * 57 + ".pl",
    "jan@" + ".".join(["c" * 63] * 3) + "." + "d" * 58 + ".pl",
    "jan@" + ".".join(["c" * 63] * 3) + "." + "d" * 59 + ".pl",
    "a" * 64 + "@" + ".".join(["c" * 63] * 2) + "." + "e" * 58 + ".pl",
    "a" * 64 + "@" + ".".join(["c" * 63] * 2) + "." + "e" * 59 + ".pl",
    "jan@example.test", "jan@shop.invalid", "jan@my.localhost", "jan@printer.local", "jan@abc.onion",
    "jan@example.com", "jan@example.org", "jan@localhost", "jan@test.test", "jan@[127.0.0.1]", "jan@[IPv6:::1]",
    "jan@123.123.123.123", "jan@wp.123", "jan@wp.p", "jan@wp",
    "jan,kowalski@wp.pl", "jan;kowalski@wp.pl", "jan kowalski@wp.pl", "jan@wp..pl", "jan@.wp.pl", "jan@wp.pl.",
    "jan@-wp.pl", "jan@wp-.pl", "jan@w_p.pl", "jan@wp@pl", "jan@@wp.pl", "jan.@wp.pl", ".jan@wp.pl",
    "jan!#$%&'*+/=?^_`{|}~-@wp.pl", "mailto:jan@wp.pl", "Jan Kowalski <jan@wp.pl>", "<jan@wp.pl>",
    "jan@wp.pl (Jan)", "jan\\@wp.pl", "jan@wp.pl,", "jan@wp.pl;", "jan\x00@wp.pl", "jan\x7f@wp.pl", "jan\n@wp.pl",
    "janwp.pl", "jan(at)wp.pl", "jan@wp.pl jan@o2.pl", _HASH, _HASH.upper(),
)

PHONES: tuple[str, ...] = (
    "", " ", "+", "++48 512 345 678", "+48", "48", "0", "00", "0048", "000000000", "+48 000 000 000",
    "512345678", "512 345 678", "512-345-678", "512.345.678", "512/345/678", "(512) 345 678", "+48 512 345 678",
    "+48512345678", "0048 512 345 678", "0048512345678", "48512345678", " +48-512-345-678 ",
    "+48 (0) 512 345 678", "(+48) 512345678", "+48–512–345–678", "+48—512—345—678",
    "+48\u00a0512\u00a0345\u00a0678", "\t512345678\t", "512345678\n", "\u2003512 345 678\u3000", "\u200b512345678",
    "＋４８ ５１２ ３４５ ６７８", "٥١٢٣٤٥٦٧٨", "۵۱۲۳۴۵۶۷۸", "५१२३४५६७८",
    "+48 512 345 678 ext. 12", "+48 512 345 678 ext 12", "+48 512 345 678 x12", "+48 512 345 678 wew. 12",
    "+48 512 345 678#12", "512345678;ext=12", "tel:+48-512-345-678", "tel:+48512345678;ext=12",
    "tel:512345678;phone-context=+48", "TEL:+48512345678", "+48 512-ABC-678", "1-800-FLOWERS",
    "+1 800 FLOWERS", "512 34S 678", "o512345678", "+48 512 345 67o", "512345678a", "a512345678",
    "011 48 512 345 678", "011 1 201 555 0123", "00 1 201 555 0123", "001 201 555 0123", "+1 (201) 555-0123",
    "(201) 555-0123", "201-555-0123", "1 201 555 0123", "+1 201 555 0123",
    "+49 1512 3456789", "+49 30 123456", "0151 23456789", "0049 151 23456789", "+44 7400 123456",
    "07400 123456", "+44 (0) 7400 123456", "+380 50 123 4567", "050 123 4567", "+420 601 123 456",
    "+421 912 123 456", "+370 612 34567", "+31 6 12345678", "+33 6 12 34 56 78", "+39 312 345 6789",
    "+39 02 1234 5678", "+47 406 12 345", "+353 85 012 3456", "+34 612 34 56 78", "+7 912 345-67-89",
    "+86 131 2345 6789", "+81 90-1234-5678", "+91 98765 43210", "+61 412 345 678", "+55 11 91234-5678",
    "+971 50 123 4567", "+972 50-123-4567", "+90 501 234 56 78", "+375 29 123 45 67", "+48 22 123 45 67",
    "(22) 123 45 67", "22 123 45 67", "+48 (22) 123-45-67", "0 22 123 45 67", "022 123 45 67",
    "112", "997", "999", "116 111", "800 123 456", "+48 800 123 456", "+48 700 123 456", "+48 39 123 45 67",
    "+48 64 123 45 67", "+48 10 123 45 67", "+48 512 345 6789", "+48 512 345 67", "5123456789012345678",
    "+4851234567890123", "brak", "nie mam", "n/a", "null", "abc", "-", "512 345 678 / 601 234 567",
    "512345678, 601234567", "0512345678", "00512345678", "0048 0 512 345 678", _HASH,
)

MAIDS: tuple[str, ...] = (
    "", " ", _UUID, _UUID.upper(), "6d92078A-8246-4bA4-aE5b-76104861E7dc", f" {_UUID} ", f"\t{_UUID}\t",
    f"\u00a0{_UUID.upper()}\u00a0", f"{_UUID}\n", f"\u2003{_UUID}", f"\u200b{_UUID}",
    "00000000-0000-0000-0000-000000000000", " 00000000-0000-0000-0000-000000000000 ",
    "ffffffff-ffff-ffff-ffff-ffffffffffff", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
    "00000000-0000-0000-0000-000000000001", "c232ab00-9414-11ec-b3c8-9f6bdeced846",
    _UUID.replace("-", ""), _UUID.upper().replace("-", ""), "{" + _UUID + "}", "urn:uuid:" + _UUID,
    "6d92078a8-246-4ba4-ae5b-76104861e7dc", _UUID[:-1], _UUID + "0", "6d92078g-8246-4ba4-ae5b-76104861e7dc",
    _UUID.replace("-", "\u2010"), _UUID.replace("-", "\u2212"), _UUID.replace("-", "_"), _UUID.replace("-", " "),
    "-" + _UUID, _UUID + "-", _UUID.replace("-", "--", 1), "６d92078a-8246-4ba4-ae5b-76104861e7dc",
    "ＡＢ92078a-8246-4ba4-ae5b-76104861e7dc", _HASH, "IDFA_NOT_AVAILABLE", "null", "unknown", "0", "-", "(null)",
    "00000000-0000-0000-0000-00000000000", "0000-0000", _UUID + _UUID,
)

CATALOGUES = {"email": EMAILS, "phone": PHONES, "maid": MAIDS}
