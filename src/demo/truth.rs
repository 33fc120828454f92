//! `truth.json`: who really acted, and through which chain of roles, for every issuance and a
//! sample of assumed-role calls.
//!
//! The file is one JSON object written as the run goes (never held in memory):
//!
//! ```text
//! {"format":"rolecall-truth/1","seed":…,"window":{"start":…,"end":…},"conventions":{…},
//!  "entries":[
//! {"query":"<event ID or access key>","kind":"issuance"|"call","origin":{…},"hops":[…]},
//! …one entry per line…
//! ]}
//! ```
//!
//! `origin` and `hops` are exactly the `chain --json` contract of DESIGN.md. An entry may add
//! `"note"` when the generator did something deliberate (an issuing event left out, an access
//! key reused). Issuances are queried by their access key (the issuing event's own ID belongs
//! to the caller's session, not the new one); calls by their event ID.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::clock::iso;
use super::creds::{Cred, Hop, Origin};
use super::json::JsonOut;

/// The streaming writer.
#[derive(Debug)]
pub struct TruthWriter {
    out: BufWriter<std::fs::File>,
    first: bool,
    pub entries: u64,
}

/// What the conventions block says, so a reader need not open this source.
const CONVENTIONS: &str = r#"{"origin_when_inferred":"an i-… session name gives EC2Instance (account = the role's account); an AWSReservedSSO_* role gives IdentityCenterUser named by the session name; otherwise Unknown (name = the sourceIdentity if any, else null)","origin_when_observed":"the issuing event's userIdentity: SAMLUser/WebIdentityUser named by userName with no arn or account; IAMUser with arn and account; EC2Instance (instance ID, the role's account) for ec2.amazonaws.com; AWSService named by the service principal; AWSAccount named by the principal ID when only the role account's copy of a cross-account AssumeRole exists (hops then start at that role)","inferred_hop":"access_key_id, principal_id, issued_at (sessionContext creationDate) and source_identity from the calls; expires_at, via and issuing_event_id null; cross_account false","cross_account_issuing_event":"the caller account's copy (the richer one) when that account is collected, else the role account's copy","query":"issuances by the issued access key, calls by event ID"}"#;

impl TruthWriter {
    /// Creates `path` and writes the header.
    pub fn create(
        path: &Path,
        seed: u64,
        start_ms: i64,
        end_ms: i64,
    ) -> std::io::Result<TruthWriter> {
        let mut out = BufWriter::new(std::fs::File::create(path)?);
        write!(
            out,
            "{{\"format\":\"rolecall-truth/1\",\"seed\":{seed},\"window\":{{\"start\":\"{}\",\"end\":\"{}\"}},\"conventions\":{CONVENTIONS},\n\"entries\":[\n",
            iso(start_ms),
            iso(end_ms)
        )?;
        Ok(TruthWriter {
            out,
            first: true,
            entries: 0,
        })
    }

    /// Writes one entry for `cred`'s chain, queried by `query`.
    pub fn entry(&mut self, query: &str, kind: &str, cred: &Cred) -> std::io::Result<()> {
        let line = entry_json(query, kind, &cred.origin, &cred.hops, cred.note.as_deref());
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        self.entries += 1;
        self.out.write_all(line.as_bytes())
    }

    /// Closes the array and the object.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}

/// One entry as JSON text.
pub fn entry_json(
    query: &str,
    kind: &str,
    origin: &Origin,
    hops: &[Hop],
    note: Option<&str>,
) -> String {
    let mut j = JsonOut::new();
    j.open(None).str("query", query).str("kind", kind);
    j.open(Some("origin"))
        .str("type", origin.kind)
        .opt_str("name", origin.name.as_deref())
        .opt_str("arn", origin.arn.as_deref())
        .opt_str("account_id", origin.account_id.as_deref())
        .close();
    j.open_array(Some("hops"));
    for h in hops {
        j.open(None)
            .str("role_arn", &h.role_arn)
            .str("account_id", &h.account_id)
            .str("session_name", &h.session_name)
            .str("principal_id", &h.principal_id)
            .opt_str("access_key_id", h.access_key_id.as_deref())
            .opt_str("issued_at", h.issued_ms.map(iso).as_deref())
            .opt_str("expires_at", h.expires_ms.map(iso).as_deref())
            .opt_str("via", h.via)
            .bool("cross_account", h.cross_account)
            .opt_str("source_identity", h.source_identity.as_deref())
            .str("evidence", if h.observed { "observed" } else { "inferred" })
            .opt_str("issuing_event_id", h.issuing_event_id.as_deref())
            .close();
    }
    j.close_array();
    if let Some(n) = note {
        j.str("note", n);
    }
    j.close();
    j.finish()
}
