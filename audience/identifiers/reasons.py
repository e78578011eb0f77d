"""Why a value was rejected: fixed texts that never contain the value itself."""

EMPTY = "empty value"

EMAIL_NO_AT = "email: no @-sign"
EMAIL_SPECIAL_USE = "email: special-use or reserved domain"
EMAIL_TOO_LONG = "email: too long"
EMAIL_SYNTAX = "email: invalid syntax"
EMAIL_EMPTY_AFTER_CUT = "email: nothing left before the @-sign after removing the +tag and dots"

PHONE_NOT_A_NUMBER = "phone: not a phone number"
PHONE_COUNTRY_CODE = "phone: unknown country code"
PHONE_TOO_SHORT = "phone: too short"
PHONE_TOO_LONG = "phone: too long"
PHONE_INVALID = "phone: not a valid number for its region"

MAID_FORMAT = "device_id: not a hyphenated UUID (8-4-4-4-12 hex digits)"
MAID_ZERO = "device_id: all-zero ID (limit ad tracking)"
