-- 0007: the organisation's own address ranges (VPN egress, offices, cloud desktops), kept in
-- the cache when `rolecall ingest` meets their CSV (header
-- `network,country,region,city,latitude,longitude,asn,as_org`), so that every reader of the
-- cache (the command line, the console, a report) places the organisation's addresses alike,
-- with no configuration and no download. One row per input name: ingesting an edited file
-- again replaces its ranges. The text is kept as ingested (validated first); `ranges` counts
-- its rows.
CREATE TABLE ip_ranges (
    name   TEXT PRIMARY KEY,
    text   TEXT NOT NULL,
    ranges INTEGER NOT NULL,
    run_id INTEGER NOT NULL
);
