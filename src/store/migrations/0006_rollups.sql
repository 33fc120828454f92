-- 0006: roll-ups. Calls counted per entity over time, so that any scope from an hour to a year
-- answers at the speed of one hour (issue 13). Derived by `analysis::refresh` in one pass over
-- the new events (`store::rollup::fold`); rebuilt with the other attribution tables.
--
-- An entity is one integer: `strings.id * 4 + kind`, kind 0 a principal (a role session, an IAM
-- user, root… by principal ID), 1 a role (session issuer ARN), 2 an account (the caller's,
-- `userIdentity.accountId`, else the recipient), 3 a source IP address (or service name). The
-- kind is in the key because a root user's principal ID is its account ID: the two must not
-- share counts.
--
-- Each call is counted once: the copies of a cross-account call share `sharedEventID`, and only
-- the caller's copy counts (the other account's shows `{type: AWSAccount}` and names no role);
-- with only that other copy cached, it counts until the caller's arrives.

-- Calls per entity and UTC hour, successful and failed: series, baselines, scope totals.
-- Replaces `activity_hours` (which counted both copies and keyed entities by bare string id).
DROP INDEX IF EXISTS activity_hours_hour;
DROP TABLE IF EXISTS activity_hours;
CREATE TABLE rollup_hours (
    entity INTEGER NOT NULL,
    hour   INTEGER NOT NULL,
    ok     INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (entity, hour)
) WITHOUT ROWID;
CREATE INDEX rollup_hours_hour ON rollup_hours(hour, entity);

-- Calls per entity, dimension, UTC day and value: the breakdowns of whole days. Dimensions:
-- 0 API (`source id << 32 | name id`), 1 source IP, 2 access key (principals and roles: keys
-- rotate, their number is the cost), 3 user agent, 4 region, 5 the calling principal (roles,
-- accounts, IPs), 6 failed calls by error code and API (`error id << 32 | name id`,
-- principals). IPs keep only APIs and callers. Values are `strings.id`, 0 for none.
CREATE TABLE rollup_days (
    entity INTEGER NOT NULL,
    dim    INTEGER NOT NULL,
    day    INTEGER NOT NULL,
    value  INTEGER NOT NULL,
    ok     INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (entity, dim, day, value)
) WITHOUT ROWID;
-- The same by hour for accounts and IPs: the edges of a scope that does not start or end at
-- midnight (neither has an events index; one account-hour is hundreds of calls).
CREATE TABLE rollup_edge_hours (
    entity INTEGER NOT NULL,
    dim    INTEGER NOT NULL,
    hour   INTEGER NOT NULL,
    value  INTEGER NOT NULL,
    ok     INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (entity, dim, hour, value)
) WITHOUT ROWID;

-- First and last call per entity, dimension and value, with all-time counts: "new in the scope
-- against the baseline" is a look-up.
CREATE TABLE rollup_seen (
    entity   INTEGER NOT NULL,
    dim      INTEGER NOT NULL,
    value    INTEGER NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms  INTEGER NOT NULL,
    ok       INTEGER NOT NULL,
    failed   INTEGER NOT NULL,
    PRIMARY KEY (entity, dim, value)
) WITHOUT ROWID;
CREATE INDEX rollup_seen_value ON rollup_seen(dim, value);

-- The copy counted for each cross-account call (`sharedEventID`), and whether it is the
-- caller's copy. Reading events directly (the edges of a scope, the events behind a count)
-- keeps only these copies.
CREATE TABLE rollup_copies (
    shared_event_id TEXT PRIMARY KEY,
    event           INTEGER NOT NULL,
    caller          INTEGER NOT NULL
) WITHOUT ROWID;

-- Every derived table is rebuilt from the events by the next refresh (any ingest, or the next
-- analysis), so that the roll-ups cover what is already cached and `principals` and
-- `session_keys` count each call once.
DELETE FROM session_keys;
DELETE FROM principals;
DELETE FROM issuances;
DELETE FROM attribution_state;
