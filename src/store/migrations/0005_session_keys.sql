-- 0005: the credentials seen signing calls. One row per role session (or federated user),
-- access key and session creation date, folded from `events` by `analysis::refresh`. It is what
-- a session's issuances are when their issuing call is not cached (inferred), and how the call's
-- own issuance is found for a session without scanning its events. Derived: rebuilt with the
-- other attribution tables.
CREATE TABLE session_keys (
    id          INTEGER PRIMARY KEY,
    -- `strings.id` of the principal ID (`AROA…:name`, `ACCOUNT:name` of a federated user)
    principal   INTEGER NOT NULL,
    -- `strings.id` of the access key, 0 when the calls carried none
    access_key  INTEGER NOT NULL,
    -- `sessionContext.attributes.creationDate`, -1 when the calls did not say
    created_ms  INTEGER NOT NULL,
    -- `strings.id` of the session issuer (the role) the calls named
    role        INTEGER,
    first_ms    INTEGER NOT NULL,
    last_ms     INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    -- the observed issuance these credentials came from, once linked, and the rule that found it
    issuance    INTEGER REFERENCES issuances(id),
    link        TEXT,
    -- the highest `events.id` folded into the row: rows a refresh changed are linked again
    folded_upto INTEGER NOT NULL,
    -- when the credentials were issued: the creation date the calls carried, else the first
    -- call made with them
    issued_ms   INTEGER GENERATED ALWAYS AS
        (CASE WHEN created_ms >= 0 THEN created_ms ELSE first_ms END) VIRTUAL,
    UNIQUE (principal, access_key, created_ms)
);
CREATE INDEX session_keys_unlinked_key ON session_keys(access_key) WHERE issuance IS NULL;
-- A session's credentials known only from calls, latest issued first.
CREATE INDEX session_keys_unlinked_principal ON session_keys(principal, issued_ms)
    WHERE issuance IS NULL;
CREATE INDEX session_keys_issuance ON session_keys(issuance);
CREATE INDEX session_keys_folded ON session_keys(folded_upto);

-- Issuances whose response named no session (an instance profile's `AssumeRole` by
-- ec2.amazonaws.com can come without `assumedRoleUser`): completed from the calls signed with
-- their key.
CREATE INDEX issuances_without_principal ON issuances(issued_key) WHERE principal_id IS NULL;

-- The resolver finds federated users by name (`sara`, a token subject).
CREATE INDEX issuances_caller_name ON issuances(caller_user_name);
CREATE INDEX issuances_subject ON issuances(subject);

-- A role's credentials known only from calls (its inferred assumers).
CREATE INDEX session_keys_unlinked_role ON session_keys(role) WHERE issuance IS NULL;

-- What a session started (role chaining) and tried to start (failed attempts).
CREATE INDEX issuances_caller_principal ON issuances(caller_principal, issued_ms);

-- The derived tables are rebuilt from the events by the next refresh (`rolecall db refresh`,
-- or any ingest), so that `session_keys` covers what is already cached.
DELETE FROM activity_hours;
DELETE FROM principals;
DELETE FROM issuances;
DELETE FROM attribution_state;
