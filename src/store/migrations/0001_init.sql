-- 0001: the cache's first schema. Never edit a shipped migration: add the next number.

-- Interned strings: principals, ARNs, access keys, IPs, user agents, API names… are stored once
-- and referenced by integer, which keeps rows and indexes small.
CREATE TABLE strings (
    id INTEGER PRIMARY KEY,
    s  TEXT NOT NULL UNIQUE
);

CREATE TABLE ingest_runs (
    id          INTEGER PRIMARY KEY,
    started_ms  INTEGER NOT NULL,
    finished_ms INTEGER,
    paths       TEXT NOT NULL,
    files       INTEGER NOT NULL DEFAULT 0,
    events_new  INTEGER NOT NULL DEFAULT 0,
    events_dup  INTEGER NOT NULL DEFAULT 0,
    findings    INTEGER NOT NULL DEFAULT 0,
    flows       INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);

-- One row per file read: its detected format, good records found, records rejected.
CREATE TABLE files (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES ingest_runs(id),
    path     TEXT NOT NULL,
    format   TEXT NOT NULL,
    size     INTEGER,
    records  INTEGER NOT NULL,
    rejected INTEGER NOT NULL
);

-- One CloudTrail record. String columns hold `strings.id`. `id_hash` is the 64-bit xxh3 of
-- `event_id`: the deduplication key (DESIGN: deduplicated on eventID; a UNIQUE on the text cost
-- 40% of ingest throughput, on an integer hash it is nearly free). On a hash conflict the writer
-- compares the text, so a true collision is reported, never silently merged.
-- `raw_ref` points at the original record: block id << 8 | index in the block.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    time_ms            INTEGER NOT NULL,
    id_hash            INTEGER NOT NULL,
    event_id           TEXT NOT NULL,
    account            INTEGER,
    region             INTEGER,
    source             INTEGER NOT NULL,
    name               INTEGER NOT NULL,
    error_code         INTEGER,
    read_only          INTEGER,
    user_type          INTEGER,
    principal          INTEGER,
    arn                INTEGER,
    caller_account     INTEGER,
    access_key         INTEGER,
    user_name          INTEGER,
    issuer_arn         INTEGER,
    session_created_ms INTEGER,
    source_identity    INTEGER,
    invoked_by         INTEGER,
    source_ip          INTEGER,
    user_agent         INTEGER,
    shared_event_id    TEXT,
    raw_ref            INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_id_hash ON events(id_hash);

-- Original records, zstd-compressed in blocks of up to 64 (JSON compresses far better in
-- company than alone). Each record is a u32 little-endian length followed by its bytes.
CREATE TABLE raw_blocks (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- STS calls that issue (or try to issue) temporary credentials: one row per such event.
CREATE TABLE sts_calls (
    event             INTEGER PRIMARY KEY REFERENCES events(id),
    role_arn          INTEGER,
    role_session_name TEXT,
    source_identity   TEXT,
    issued_key        INTEGER,
    assumed_role_id   INTEGER,
    assumed_role_arn  INTEGER,
    expires_ms        INTEGER,
    provider_arn      TEXT,
    subject           TEXT,
    caller_provider   TEXT
);
CREATE INDEX sts_calls_issued_key ON sts_calls(issued_key);
CREATE INDEX sts_calls_assumed_role_id ON sts_calls(assumed_role_id);
CREATE INDEX sts_calls_role_arn ON sts_calls(role_arn);

-- Events per account, region and UTC day: coverage without scanning events.
CREATE TABLE coverage (
    account  TEXT NOT NULL,
    region   TEXT NOT NULL,
    day      INTEGER NOT NULL,
    events   INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms  INTEGER NOT NULL,
    PRIMARY KEY (account, region, day)
) WITHOUT ROWID;

-- Every revision of a GuardDuty finding (updatedAt moves, count grows).
CREATE TABLE findings (
    id            INTEGER PRIMARY KEY,
    finding_id    TEXT NOT NULL,
    updated_ms    INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    type          TEXT NOT NULL,
    severity      REAL NOT NULL,
    title         TEXT,
    description   TEXT,
    account       TEXT,
    region        TEXT,
    created_ms    INTEGER,
    first_seen_ms INTEGER,
    last_seen_ms  INTEGER,
    resource_type TEXT,
    access_key    TEXT,
    principal_id  TEXT,
    user_name     TEXT,
    user_type     TEXT,
    instance_id   TEXT,
    api           TEXT,
    service_name  TEXT,
    caller_ip     TEXT,
    raw           TEXT NOT NULL,
    UNIQUE (finding_id, updated_ms, count)
);

-- VPC flow records. `line_hash` (xxh3 of the normalised fields) deduplicates re-ingests.
CREATE TABLE flows (
    id           INTEGER PRIMARY KEY,
    line_hash    INTEGER NOT NULL UNIQUE,
    version      INTEGER,
    account      TEXT,
    interface_id TEXT,
    src_addr     TEXT,
    dst_addr     TEXT,
    src_port     INTEGER,
    dst_port     INTEGER,
    protocol     INTEGER,
    packets      INTEGER,
    bytes        INTEGER,
    start_ms     INTEGER,
    end_ms       INTEGER,
    action       TEXT,
    log_status   TEXT,
    vpc_id       TEXT,
    instance_id  TEXT,
    region       TEXT,
    fields       TEXT NOT NULL
);
CREATE INDEX flows_src ON flows(src_addr, start_ms);
CREATE INDEX flows_dst ON flows(dst_addr, start_ms);

-- Records and files that could not be ingested, with where and why.
CREATE TABLE rejects (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES ingest_runs(id),
    file     TEXT NOT NULL,
    position TEXT NOT NULL,
    reason   TEXT NOT NULL,
    excerpt  TEXT
);
