"""Sample data for audience: a deterministic generator of customers, consent events and suppressions."""
