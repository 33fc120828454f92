//! The documented examples of the peer corpus (`../shared/corpus/peer`, or `$ROLECALL_CORPUS`)
//! resolve: the JohnRole1 → JohnRole2 chain, the cross-account AssumeRole, SSO sessions to their
//! user, EC2 instance-profile sessions to their instance. Skipped loudly without the corpus.

mod corpus_support;
use corpus_support::corpus_peer;

use rolecall::analysis::{build_chain, refresh};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::{Chain, Evidence, OriginKind};
use rolecall::store::Store;

fn chain(store: &Store, id: &str) -> Chain {
    build_chain(store.conn(), id)
        .expect("query")
        .unwrap_or_else(|| panic!("no chain for {id}"))
}

#[test]
fn the_documented_corpus_examples_resolve() {
    let Some(peer) = corpus_peer() else { return };
    let mut store = Store::open_in_memory().expect("db");
    ingest_paths(&mut store, &[peer], &IngestOptions::default(), 0).expect("ingest");
    refresh(&mut store).expect("refresh");
    let sts: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM issuances", [], |r| r.get(0))
        .expect("count");
    assert!(sts > 0, "the corpus's STS calls became issuances");

    // Role chaining: a JohnRole1 session assumed JohnRole2.
    let c = chain(&store, "AROAIFR7WHDTSOYQYHFUE:Role2WithTags");
    let roles: Vec<_> = c.hops.iter().map(|h| h.role_arn.as_deref()).collect();
    assert_eq!(
        roles,
        vec![
            Some("arn:aws:iam::111111111111:role/JohnRole1"),
            Some("arn:aws:iam::111111111111:role/JohnRole2"),
        ]
    );
    assert_eq!(c.hops[0].evidence, Evidence::Inferred);
    assert_eq!(c.hops[1].evidence, Evidence::Observed);
    // JohnRole1's own issuing call is not in the corpus: the source identity names the origin.
    assert_eq!(c.origin.name.as_deref(), Some("JohnDoe"));

    // Cross-account: JohnDoe of 777788889999 into EC2-dev of 111122223333.
    let c = chain(
        &store,
        "arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev",
    );
    assert_eq!(c.origin.kind, OriginKind::IamUser);
    assert_eq!(c.origin.name.as_deref(), Some("JohnDoe"));
    assert_eq!(c.origin.account_id.as_deref(), Some("777788889999"));
    assert!(c.hops[0].cross_account);

    // An SSO session to its Identity Center user.
    let c = chain(&store, "AROASXP6SDP2F4WLQVARB:nicholas.hakmiller");
    assert_eq!(c.origin.kind, OriginKind::IdentityCenterUser);
    assert_eq!(c.origin.name.as_deref(), Some("nicholas.hakmiller"));

    // EC2 instance profiles, observed (AWSService ec2 AssumeRole) and inferred (a call).
    let c = chain(&store, "AROAEXAMPLEEXAMPLE01:i-0123456789abcdef0");
    assert_eq!(c.origin.kind, OriginKind::Ec2Instance);
    assert_eq!(c.origin.name.as_deref(), Some("i-0123456789abcdef0"));
    assert_eq!(c.hops[0].evidence, Evidence::Observed);
    let c = chain(&store, "6f3b1f0e-3a47-4c33-9a54-2f0c7a1d9b11");
    assert_eq!(c.origin.kind, OriginKind::Ec2Instance);
    assert_eq!(c.origin.name.as_deref(), Some("i-021987ab2dbf04585"));

    // Failed STS calls are attempts, never links.
    let failed_linked: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM issuances c JOIN issuances p ON c.parent = p.id WHERE p.failed = 1",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(failed_linked, 0);
}
