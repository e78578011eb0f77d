UNION ALL
SELECT k.customer_id, a.seq, a.kind, a.effective_at, a.recorded_at, 'email'
FROM /*@keys*/ k JOIN active a ON k.email_hmac = a.email_hmac
UNION ALL
SELECT k.customer_id, a.seq, a.kind, a.effective_at, a.recorded_at, 'phone'
FROM /*@keys*/ k JOIN active a ON k.phone_hmac = a.phone_hmac
