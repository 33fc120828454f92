//! Keys are data: the default keymap (`assets/keymap.toml`, compiled in) overlaid by the user's
//! file, turned into a lookup from key to `Action`. Help and the footer are generated from it.
//! A bad file is an error naming its line, raised before the terminal goes raw. This module
//! never reads the terminal; the shell hands it key events.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::Spanned;

use super::action::Action;

/// The default keys.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// One key with its modifiers, as the keymap file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` reduced to what a keymap can name, ordered so bindings list stably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Named {
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
    Insert,
}

const NAMED: [(&str, Named, &str); 15] = [
    ("enter", Named::Enter, "⏎"),
    ("esc", Named::Esc, "esc"),
    ("backspace", Named::Backspace, "⌫"),
    ("tab", Named::Tab, "⇥"),
    ("backtab", Named::BackTab, "⇤"),
    ("up", Named::Up, "↑"),
    ("down", Named::Down, "↓"),
    ("left", Named::Left, "←"),
    ("right", Named::Right, "→"),
    ("pageup", Named::PageUp, "pgup"),
    ("pagedown", Named::PageDown, "pgdn"),
    ("home", Named::Home, "home"),
    ("end", Named::End, "end"),
    ("delete", Named::Delete, "del"),
    ("insert", Named::Insert, "ins"),
];

impl Key {
    /// A plain character key.
    pub const fn char(c: char) -> Key {
        Key {
            code: KeyCodeOrd::Char(c),
            ctrl: false,
            alt: false,
        }
    }

    /// Parses `q`, `G`, `?`, `enter`, `ctrl-d`, `alt-x`, `f5`, `space`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut rest = s;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ if rest == "space" => KeyCodeOrd::Char(' '),
            _ => {
                if let Some(n) = rest.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if (1..=12).contains(&n) {
                        KeyCodeOrd::F(n)
                    } else {
                        return None;
                    }
                } else {
                    let (_, named, _) = NAMED.iter().find(|(name, _, _)| *name == rest)?;
                    KeyCodeOrd::Named(*named)
                }
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key a terminal event names (`None` for keys a keymap cannot name).
    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let alt = e.modifiers.contains(KeyModifiers::ALT);
        let code = match e.code {
            // Shift is in the character itself (`G`, `?`); terminals differ in also setting it.
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Named(Named::Enter),
            KeyCode::Esc => KeyCodeOrd::Named(Named::Esc),
            KeyCode::Backspace => KeyCodeOrd::Named(Named::Backspace),
            KeyCode::Tab => KeyCodeOrd::Named(Named::Tab),
            KeyCode::BackTab => KeyCodeOrd::Named(Named::BackTab),
            KeyCode::Up => KeyCodeOrd::Named(Named::Up),
            KeyCode::Down => KeyCodeOrd::Named(Named::Down),
            KeyCode::Left => KeyCodeOrd::Named(Named::Left),
            KeyCode::Right => KeyCodeOrd::Named(Named::Right),
            KeyCode::PageUp => KeyCodeOrd::Named(Named::PageUp),
            KeyCode::PageDown => KeyCodeOrd::Named(Named::PageDown),
            KeyCode::Home => KeyCodeOrd::Named(Named::Home),
            KeyCode::End => KeyCodeOrd::Named(Named::End),
            KeyCode::Delete => KeyCodeOrd::Named(Named::Delete),
            KeyCode::Insert => KeyCodeOrd::Named(Named::Insert),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    /// As help shows it: `⏎`, `ctrl-d`, `G`, `space`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
            KeyCodeOrd::Named(n) => {
                let label = NAMED
                    .iter()
                    .find(|(_, named, _)| *named == n)
                    .map_or("?", |(_, _, label)| *label);
                f.write_str(label)
            }
        }
    }
}

/// Why a keymap file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("{path}:{line}: {message}")]
    Bad {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// Actions to keys and back.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    by_key: BTreeMap<Key, Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

type KeymapFile = BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>;

impl Keymap {
    /// The compiled-in defaults.
    pub fn defaults() -> Keymap {
        let mut map = Keymap {
            by_key: BTreeMap::new(),
            by_action: BTreeMap::new(),
        };
        // The defaults are part of the program: a test holds them valid.
        let _ = map.overlay("assets/keymap.toml", DEFAULT_KEYMAP);
        map
    }

    /// The defaults overlaid by the user's file, when there is one.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::defaults();
        if let Some(path) = user_file.filter(|p| p.exists()) {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| KeymapError::Read {
                path: shown.clone(),
                source,
            })?;
            map.overlay(&shown, &text)?;
        }
        Ok(map)
    }

    /// `$XDG_CONFIG_HOME/rolecall/keymap.toml`, else `~/.config/rolecall/keymap.toml`.
    pub fn user_path() -> Option<PathBuf> {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .map(|d| d.join("rolecall").join("keymap.toml"))
    }

    /// Replaces the keys of every action `text` names. Each key does one thing: a key the
    /// file gives an action is taken from the action that had it by default, and a key given
    /// to two actions in the same file is an error.
    pub fn overlay(&mut self, path: &str, text: &str) -> Result<(), KeymapError> {
        let bad = |span: std::ops::Range<usize>, message: String| KeymapError::Bad {
            path: path.to_string(),
            line: line_of(text, span.start),
            message,
        };
        let file: KeymapFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            bad(at..at, e.message().to_string())
        })?;
        let mut given: BTreeMap<Key, (Action, std::ops::Range<usize>)> = BTreeMap::new();
        let mut actions = Vec::new();
        for (name, keys) in &file {
            let action = Action::from_name(name.get_ref()).ok_or_else(|| {
                bad(
                    name.span(),
                    format!(
                        "unknown action {:?} (see `?` in the console)",
                        name.get_ref()
                    ),
                )
            })?;
            let mut parsed = Vec::new();
            for k in keys.get_ref() {
                let key = Key::parse(k.get_ref())
                    .ok_or_else(|| bad(k.span(), format!("unknown key {:?}", k.get_ref())))?;
                if let Some((other, at)) = given.get(&key).filter(|(a, _)| *a != action) {
                    // Named at the later of the two places, the actions in file order (the
                    // file's tables are not read in file order).
                    let (first, second, span) = if at.start < k.span().start {
                        (*other, action, k.span())
                    } else {
                        (action, *other, at.clone())
                    };
                    return Err(bad(
                        span,
                        format!(
                            "key {key} is given to both {} and {}",
                            first.name(),
                            second.name()
                        ),
                    ));
                }
                given.insert(key, (action, k.span()));
                parsed.push(key);
            }
            actions.push((action, parsed));
        }
        for (action, keys) in actions {
            if let Some(old) = self.by_action.insert(action, keys.clone()) {
                for k in old {
                    self.by_key.remove(&k);
                }
            }
            for k in keys {
                if let Some(prev) = self.by_key.insert(k, action).filter(|a| *a != action) {
                    if let Some(list) = self.by_action.get_mut(&prev) {
                        list.retain(|x| *x != k);
                    }
                }
            }
        }
        Ok(())
    }

    /// The action of a key event.
    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        Key::from_event(e).and_then(|k| self.by_key.get(&k).copied())
    }

    /// The keys of an action, in file order.
    pub fn keys(&self, a: Action) -> &[Key] {
        self.by_action.get(&a).map_or(&[], Vec::as_slice)
    }

    /// The first key of an action as text (`""` when unbound).
    pub fn key_text(&self, a: Action) -> String {
        self.keys(a)
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn the_default_keymap_parses_and_binds_every_action() {
        let mut m = Keymap {
            by_key: BTreeMap::new(),
            by_action: BTreeMap::new(),
        };
        m.overlay("assets/keymap.toml", DEFAULT_KEYMAP)
            .expect("defaults parse");
        for a in Action::ALL {
            assert!(!m.keys(a).is_empty(), "{} has no key", a.name());
        }
        assert_eq!(m, Keymap::defaults());
    }

    #[test]
    fn arrows_and_vim_keys_both_move() {
        let m = Keymap::defaults();
        let none = KeyModifiers::NONE;
        assert_eq!(m.action(&ev(KeyCode::Down, none)), Some(Action::Down));
        assert_eq!(m.action(&ev(KeyCode::Char('j'), none)), Some(Action::Down));
        assert_eq!(m.action(&ev(KeyCode::Up, none)), Some(Action::Up));
        assert_eq!(m.action(&ev(KeyCode::Char('k'), none)), Some(Action::Up));
        // Terminals that add SHIFT to `?` and `G` still match.
        assert_eq!(
            m.action(&ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            m.action(&ev(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
    }

    #[test]
    fn a_user_file_replaces_the_keys_of_the_actions_it_names() {
        let mut m = Keymap::defaults();
        m.overlay("user.toml", "quit = [\"Q\"]\nexport = [\"q\"]\n")
            .expect("valid");
        let none = KeyModifiers::NONE;
        assert_eq!(
            m.action(&ev(KeyCode::Char('q'), none)),
            Some(Action::Export)
        );
        assert_eq!(m.action(&ev(KeyCode::Char('Q'), none)), Some(Action::Quit));
        assert_eq!(m.action(&ev(KeyCode::Char('x'), none)), None);
        assert_eq!(m.key_text(Action::Open), "⏎");
    }

    #[test]
    fn a_user_key_taken_from_another_action_leaves_that_action_its_other_keys() {
        let mut m = Keymap::defaults();
        m.overlay("user.toml", "help = [\"h\"]\n").expect("valid");
        assert_eq!(
            m.action(&ev(KeyCode::Char('h'), KeyModifiers::NONE)),
            Some(Action::Help)
        );
        assert_eq!(m.key_text(Action::Back), "esc");
    }

    #[test]
    fn bad_files_name_their_line() {
        let cases = [
            ("quit = [\"q\"]\nfly = [\"f\"]\n", 2, "unknown action"),
            ("quit = [\"q\"]\n\nhelp = [\"hyper-x\"]\n", 3, "unknown key"),
            ("quit = [\"z\"]\nhelp = [\"z\"]\n", 2, "given to both"),
            ("quit = \n", 1, ""),
        ];
        for (text, line, words) in cases {
            let mut m = Keymap::defaults();
            let err = m.overlay("user.toml", text).expect_err(text).to_string();
            assert!(err.starts_with(&format!("user.toml:{line}:")), "{err}");
            assert!(err.contains(words), "{err}");
        }
    }

    #[test]
    fn keys_read_back_as_their_spelling() {
        for s in ["q", "G", "?", "ctrl-d", "alt-x", "f5", "space", "pagedown"] {
            let k = Key::parse(s).expect(s);
            assert_eq!(
                Key::parse(&k.to_string().replace("pgdn", "pagedown")),
                Some(k)
            );
        }
        assert_eq!(Key::parse("f13"), None);
        assert_eq!(Key::parse("ctrl-"), None);
    }
}
