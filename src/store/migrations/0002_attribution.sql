-- 0002: attribution. Tables derived from `events` and `sts_calls` by `analysis::refresh` after
-- each ingest; they can be rebuilt from scratch (delete their rows, reset the watermark).

-- How far derivation has read: the highest `events.id` already folded into the tables below.
CREATE TABLE attribution_state (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

-- One set of temporary credentials (or one failed attempt to get them): one row per STS issuing
-- call. The two copies of a cross-account AssumeRole (same `sharedEventID`, different `eventID`s)
-- make one row: `dedup_key` is the shared event ID when there is one, else the event ID.
-- Text columns, not interned ids: this table is small next to `events`, and queries join nothing.
CREATE TABLE issuances (
    id               INTEGER PRIMARY KEY,
    dedup_key        TEXT NOT NULL UNIQUE,
    event            INTEGER NOT NULL REFERENCES events(id),
    event_id         TEXT NOT NULL,
    -- the other copy of a cross-account call, when both were delivered
    other_event_id   TEXT,
    shared_event_id  TEXT,
    -- the copy whose userIdentity names the caller (the richer one)
    caller_event_id  TEXT NOT NULL,
    via              TEXT NOT NULL,
    failed           INTEGER NOT NULL,
    error_code       TEXT,
    region           TEXT,
    source_ip        TEXT,
    role_arn         TEXT,
    role_account     TEXT,
    principal_id     TEXT,
    session_name     TEXT,
    assumed_role_arn TEXT,
    issued_key       TEXT,
    issued_ms        INTEGER NOT NULL,
    expires_ms       INTEGER,
    source_identity  TEXT,
    provider_arn     TEXT,
    subject          TEXT,
    caller_type      TEXT,
    caller_principal TEXT,
    caller_arn       TEXT,
    caller_account   TEXT,
    caller_key       TEXT,
    caller_user_name TEXT,
    caller_provider  TEXT,
    caller_issuer    TEXT,
    caller_created_ms INTEGER,
    caller_source_identity TEXT,
    caller_invoked_by TEXT,
    -- the issuance of the caller's own session (role chaining), when the caller is a role
    -- session and its issuing call is in the cache; `parent_link` says which rule found it
    parent           INTEGER REFERENCES issuances(id),
    parent_link      TEXT
);
CREATE INDEX issuances_key ON issuances(issued_key, issued_ms);
CREATE INDEX issuances_principal ON issuances(principal_id, issued_ms);
CREATE INDEX issuances_role ON issuances(role_arn, issued_ms);
CREATE INDEX issuances_caller_issuer ON issuances(caller_issuer, issued_ms);
CREATE INDEX issuances_assumed_arn ON issuances(assumed_role_arn, issued_ms);
CREATE INDEX issuances_unlinked_key ON issuances(caller_key) WHERE parent IS NULL;
CREATE INDEX issuances_unlinked_principal ON issuances(caller_principal) WHERE parent IS NULL;

-- Every principal that signed calls (role sessions are those of type AssumedRole: role ID +
-- session name, as Amazon Detective keys them), plus role sessions known only from an issuance.
-- Columns hold `strings.id`, like `events`.
CREATE TABLE principals (
    principal  INTEGER PRIMARY KEY,
    user_type  INTEGER,
    arn        INTEGER,
    issuer_arn INTEGER,
    account    INTEGER,
    first_ms   INTEGER NOT NULL,
    last_ms    INTEGER NOT NULL,
    events     INTEGER NOT NULL,
    failed     INTEGER NOT NULL
);
CREATE INDEX principals_issuer ON principals(issuer_arn);
CREATE INDEX principals_arn ON principals(arn);
CREATE INDEX principals_last ON principals(last_ms);

-- Calls per entity and UTC hour, successful and failed: API volume and baselines without
-- scanning events. An entity is a `strings.id`: a principal ID, a session issuer (role) ARN, or
-- the ARN of a caller that is not a role session (IAM user, root).
CREATE TABLE activity_hours (
    entity INTEGER NOT NULL,
    hour   INTEGER NOT NULL,
    ok     INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (entity, hour)
) WITHOUT ROWID;
CREATE INDEX activity_hours_hour ON activity_hours(hour, entity);
