//! ARNs shortened for a column: the partition and the path go first, then the middle of the
//! name, so what a reader needs — the account and the role (or user) name — stays.

use super::cells::{fit_middle, width};
use crate::text::sanitize;

/// `arn` in at most `w` columns (sanitised): whole when it fits; else without `arn:aws:` and
/// the service, then with the path elided (`…/`), then with the name cut in its middle.
pub fn short_arn(arn: &str, w: usize) -> String {
    let arn = sanitize(arn);
    if width(&arn) <= w {
        return arn.into_owned();
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, _, _, account, resource] = parts.as_slice() else {
        return fit_middle(&arn, w);
    };
    let (kind, rest) = resource.split_once('/').unwrap_or(("", resource));
    let name = rest.rsplit('/').next().unwrap_or(rest);
    let has_path = rest.len() > name.len();
    let prefix = match (kind.is_empty(), has_path) {
        (true, _) => format!("{account}:"),
        (false, false) => format!("{account}:{kind}/"),
        (false, true) => format!("{account}:{kind}/…/"),
    };
    let short = format!("{prefix}{name}");
    if width(&short) <= w {
        return short;
    }
    let room = w.saturating_sub(width(&prefix));
    if room >= 8 {
        return format!("{prefix}{}", fit_middle(name, room));
    }
    // Too narrow for the account: the name alone.
    fit_middle(name, w)
}

/// A role as a person names it: `Name (account)` when it fits in `w`, else the name shortened.
pub fn role_label(arn: &str, w: usize) -> String {
    let arn = sanitize(arn);
    let name = arn.rsplit('/').next().unwrap_or(&arn);
    let account = arn.split(':').nth(4).unwrap_or_default();
    let full = format!("{name} ({account})");
    if width(&full) <= w || account.is_empty() {
        return fit_middle(if account.is_empty() { name } else { &full }, w);
    }
    fit_middle(name, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSO: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5";

    #[test]
    fn a_long_role_arn_keeps_its_account_and_role_name() {
        assert_eq!(short_arn(SSO, 200), SSO);
        assert_eq!(
            short_arn(SSO, 80),
            "111122223333:role/…/AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5"
        );
        let s = short_arn(SSO, 40);
        assert_eq!(width(&s), 40);
        assert!(s.starts_with("111122223333:role/…/AWSReserv"), "{s}");
        assert!(s.ends_with("b4e5"), "{s}");
        assert_eq!(
            short_arn("arn:aws:iam::444455556666:role/Deploy", 30),
            "444455556666:role/Deploy"
        );
    }

    #[test]
    fn role_labels_name_the_role_then_the_account() {
        assert_eq!(
            role_label("arn:aws:iam::111122223333:role/DemoRole1", 40),
            "DemoRole1 (111122223333)"
        );
        assert_eq!(
            role_label("arn:aws:iam::111122223333:role/DemoRole1", 9),
            "DemoRole1"
        );
    }

    #[test]
    fn control_characters_in_an_arn_are_escaped_before_cutting() {
        let s = short_arn("arn:aws:iam::111122223333:role/x\u{1b}[2Jy", 80);
        assert!(!s.contains('\u{1b}'));
    }
}
