-- One recorded erasure.
SELECT * FROM erasure WHERE erasure_id = $erasure_id
