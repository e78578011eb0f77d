-- The deciding event of each customer on each platform as of $as_of: among the events known then
-- (effective_at <= $as_of AND recorded_at <= $as_of) for the platform or '*', the latest by effective_at, then
-- recorded_at, then seq (later in the input). One grouped pass: a column per platform holds the largest
-- (effective_at, recorded_at, seq, grant) of the customer's events that apply to it.
-- Rows: platform, customer_id, version {effective_at, recorded_at, seq, grant}.
WITH known AS (
    SELECT customer_id, platform,
           {'effective_at': effective_at, 'recorded_at': recorded_at, 'seq': seq, 'grant': action = 'grant'}
               AS version
    FROM consent_event
    WHERE effective_at <= $as_of AND recorded_at <= $as_of /*@customer*/
),
latest AS (
    SELECT customer_id, /*@latest_per_platform*/
    FROM known
    GROUP BY customer_id
)
/*@one_row_per_platform*/
