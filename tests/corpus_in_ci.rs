//! Under `CI=true` the corpus tests fail, not skip, when the corpus is missing; elsewhere they
//! skip loudly. (The decision is `found_or_skip`, which every corpus test goes through.)

mod corpus_support;

use corpus_support::found_or_skip;

fn missing() -> std::path::PathBuf {
    std::env::temp_dir().join("rolecall-no-corpus-here/corpus")
}

#[test]
#[should_panic(expected = "conformance tests must not skip in CI")]
fn under_ci_a_missing_corpus_fails_the_test() {
    found_or_skip(missing(), true);
}

#[test]
fn outside_ci_a_missing_corpus_is_a_loud_skip() {
    assert_eq!(found_or_skip(missing(), false), None);
}

#[test]
fn a_corpus_that_is_there_is_used_in_ci_and_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ci in [true, false] {
        assert_eq!(
            found_or_skip(dir.path().to_path_buf(), ci).as_deref(),
            Some(dir.path())
        );
    }
}
