//! User agents as tools: the parts of a `userAgent` that change from call to call are dropped
//! before two agents are compared, so that a new AWS CLI subcommand is a new API call, not a
//! new user agent. Pure.
//!
//! Dropped tokens (space-separated): `md/command#…` (the AWS CLI v2 appends the command it
//! runs), `api/…` (the SDKs' per-service client and version) and `m/…` (the SDKs' per-call
//! feature metrics, user-agent 2.1). Everything else — tool, version, OS, language, installer —
//! stays: a new version of the same tool is a new agent, as Detective counts them.

/// The user agent with its per-call parts dropped.
pub fn tool_of(user_agent: &str) -> String {
    let kept: Vec<&str> = user_agent
        .split_whitespace()
        .filter(|t| !(t.starts_with("md/command#") || t.starts_with("api/") || t.starts_with("m/")))
        .collect();
    kept.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_commands_and_sdk_metrics_are_not_part_of_the_tool() {
        let a = "aws-cli/2.22.4 md/awscrt#0.23.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 \
                 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe \
                 md/prompt#off md/command#cloudtrail.stop-logging";
        let b = a.replace("cloudtrail.stop-logging", "sts.assume-role");
        assert_eq!(tool_of(a), tool_of(&b));
        assert!(tool_of(a).ends_with("md/prompt#off"));
        let go = "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 api/sts#1.33.2 m/E,G";
        assert_eq!(
            tool_of(go),
            "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3"
        );
        // A browser's agent is kept whole; another version of a tool is another agent.
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0.0.0 Safari/537.36";
        assert_eq!(tool_of(chrome), chrome);
        assert_ne!(tool_of(a), tool_of(&a.replace("2.22.4", "2.22.5")));
    }
}
