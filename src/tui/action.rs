//! `Action`: everything a key can do, and the vocabulary of the keymap file. Each action has
//! a config name (`scope_earlier`) and a description that help and the footer show, so the
//! keys a user sees are always the keys that work. No key handling here: that is `keymap`.

/// One thing the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Home,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Jump,
    Events,
    Find,
    NextMatch,
    PrevMatch,
    FailedOnly,
    ScopeEarlier,
    ScopeLater,
    ScopeWider,
    ScopeNarrower,
    ScopeType,
    ScopeReset,
    Reload,
    Copy,
    CopyPath,
    Export,
    Sync,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: [Action; 34] = [
        Action::Open,
        Action::Back,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::NextTab,
        Action::PrevTab,
        Action::Tab1,
        Action::Tab2,
        Action::Tab3,
        Action::Tab4,
        Action::Jump,
        Action::Home,
        Action::Events,
        Action::Find,
        Action::NextMatch,
        Action::PrevMatch,
        Action::FailedOnly,
        Action::ScopeEarlier,
        Action::ScopeLater,
        Action::ScopeWider,
        Action::ScopeNarrower,
        Action::ScopeType,
        Action::ScopeReset,
        Action::Reload,
        Action::Copy,
        Action::CopyPath,
        Action::Export,
        Action::Sync,
        Action::Help,
        Action::Quit,
    ];

    /// The name in the keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Back => "back",
            Action::Home => "home",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::Tab1 => "tab_1",
            Action::Tab2 => "tab_2",
            Action::Tab3 => "tab_3",
            Action::Tab4 => "tab_4",
            Action::Jump => "jump",
            Action::Events => "events",
            Action::Find => "find",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::FailedOnly => "failed_only",
            Action::ScopeEarlier => "scope_earlier",
            Action::ScopeLater => "scope_later",
            Action::ScopeWider => "scope_wider",
            Action::ScopeNarrower => "scope_narrower",
            Action::ScopeType => "scope_type",
            Action::ScopeReset => "scope_reset",
            Action::Reload => "reload",
            Action::Copy => "copy",
            Action::CopyPath => "copy_path",
            Action::Export => "export",
            Action::Sync => "sync",
        }
    }

    /// What it does, for help.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "this help",
            Action::Up => "previous row",
            Action::Down => "next row",
            Action::PageUp => "page up",
            Action::PageDown => "page down, load more",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Open => "open the focused row",
            Action::Back => "back",
            Action::Home => "home",
            Action::NextTab => "next tab",
            Action::PrevTab => "previous tab",
            Action::Tab1 => "tab 1",
            Action::Tab2 => "tab 2",
            Action::Tab3 => "tab 3",
            Action::Tab4 => "tab 4",
            Action::Jump => "jump to any ID or name",
            Action::Events => "list the calls in scope",
            Action::Find => "filter events / search",
            Action::NextMatch => "next match",
            Action::PrevMatch => "previous match",
            Action::FailedOnly => "failed calls only / all",
            Action::ScopeEarlier => "scope earlier",
            Action::ScopeLater => "scope later",
            Action::ScopeWider => "widen the scope",
            Action::ScopeNarrower => "narrow the scope",
            Action::ScopeType => "type a scope",
            Action::ScopeReset => "scope: finding's window",
            Action::Reload => "reload this pane",
            Action::Copy => "copy the focused ID",
            Action::CopyPath => "copy path and scope",
            Action::Export => "export as Markdown",
            Action::Sync => "sync from AWS",
        }
    }

    /// The word the footer shows next to the key, short.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Open => "open",
            Action::Back => "back",
            Action::NextTab => "tab",
            Action::Jump => "jump",
            Action::Events => "events",
            Action::Find => "filter",
            Action::FailedOnly => "failed",
            Action::NextMatch => "next",
            Action::ScopeEarlier | Action::ScopeLater => "shift",
            Action::ScopeWider | Action::ScopeNarrower => "zoom",
            Action::ScopeType => "scope",
            Action::ScopeReset => "reset",
            Action::Copy => "copy",
            Action::Export => "export",
            Action::Help => "help",
            Action::Quit => "quit",
            other => other.name(),
        }
    }

    /// The action a keymap name names.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_unique_name_that_reads_back() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(!a.description().is_empty() && a.description().chars().count() <= 25);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
