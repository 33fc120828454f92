-- 0008: what `rolecall sync` has already fetched, so the next sync fetches only what is new and
-- a stopped one resumes. Written only after the records they stand for are committed: a sync
-- killed between the two re-fetches a little (deduplication makes that harmless), never skips.

-- LookupEvents: time spans known to be complete in the cache, per account, region and lookup
-- filter ('' for every event). `[from_ms, to_ms)`, merged when they touch. Spans rather than one
-- cursor because a window is fetched newest first (LookupEvents pages run back in time): a
-- stopped sync leaves the top of a gap done and its bottom to do.
CREATE TABLE sync_spans (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    filter  TEXT NOT NULL,
    from_ms INTEGER NOT NULL,
    to_ms   INTEGER NOT NULL,
    PRIMARY KEY (account, region, filter, from_ms)
) WITHOUT ROWID;

-- GuardDuty: per detector, the newest `updatedAt` whose findings are all in the cache.
CREATE TABLE sync_cursors (
    source   TEXT NOT NULL,
    account  TEXT NOT NULL,
    region   TEXT NOT NULL,
    key      TEXT NOT NULL,
    value_ms INTEGER NOT NULL,
    PRIMARY KEY (source, account, region, key)
) WITHOUT ROWID;

-- S3: objects ingested, by bucket, key and ETag (an object rewritten under the same key has a
-- new ETag and is fetched again).
CREATE TABLE sync_objects (
    bucket    TEXT NOT NULL,
    key       TEXT NOT NULL,
    etag      TEXT NOT NULL,
    synced_ms INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, etag)
) WITHOUT ROWID;
