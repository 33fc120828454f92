-- 0003: the secondary indexes on `events` become part of the schema. Before, `Store::open`
-- created them and a first ingest dropped them and built them at the end; ingest now keeps them
-- up to date as rows arrive, so nothing drops them any more. `IF NOT EXISTS`: caches made before
-- this migration have them (unless an ingest was killed mid-load, which this repairs).
CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);
CREATE INDEX IF NOT EXISTS events_principal ON events(principal, time_ms);
CREATE INDEX IF NOT EXISTS events_access_key ON events(access_key, time_ms);
CREATE INDEX IF NOT EXISTS events_issuer ON events(issuer_arn, time_ms);
-- Cross-account copies are stitched through `issuances`, never looked up here: an index no query
-- used, paid for on every insert.
DROP INDEX IF EXISTS events_shared;
