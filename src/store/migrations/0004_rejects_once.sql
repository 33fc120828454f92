-- 0004: a reject is recorded once per input content and position. Re-ingesting the same bad
-- file used to record its rejects again on every run (412 rejects listed for 103 bad records
-- after four runs). `content_key` is the xxh3-128 of the input's decoded bytes (for an entry
-- that has no content, such as a dangling symbolic link, of its name and reason). A file row
-- with rejects keeps its input's key, so a run's summary can list the rejects its inputs have,
-- whichever run recorded them first. Rows from before this migration have no key and stay as
-- they are.
ALTER TABLE files ADD COLUMN content_key BLOB;
ALTER TABLE rejects ADD COLUMN content_key BLOB;
CREATE UNIQUE INDEX rejects_once ON rejects(content_key, position, reason);
