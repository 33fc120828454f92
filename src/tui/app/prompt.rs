//! What the user types: prompts (jump, scope, filter, search), their text, what submitting
//! them does, the event viewer's search, and the pick list of an ambiguous jump.

use super::*;

impl App {
    pub(super) fn prompt(&mut self, kind: PromptKind, text: &str) -> Vec<Request> {
        self.overlay = Some(Overlay::Prompt {
            kind,
            text: text.to_string(),
        });
        Vec::new()
    }

    pub(super) fn text(&mut self, k: TextKey) -> Vec<Request> {
        let Some(Overlay::Prompt { kind, mut text }) = self.overlay.take() else {
            return Vec::new();
        };
        match k {
            TextKey::Char(c) if !c.is_control() => {
                if text.chars().count() < 512 {
                    text.push(c);
                }
            }
            TextKey::Char(_) => {}
            TextKey::Backspace => {
                text.pop();
            }
            TextKey::Esc => return Vec::new(),
            TextKey::Enter => return self.submit(kind, text.trim().to_string()),
        }
        self.overlay = Some(Overlay::Prompt { kind, text });
        Vec::new()
    }

    pub(super) fn submit(&mut self, kind: PromptKind, text: String) -> Vec<Request> {
        match kind {
            PromptKind::Jump if text.is_empty() => Vec::new(),
            PromptKind::Jump => {
                self.status = Some(format!("looking up {}…", safe(&text)));
                vec![Request::Resolve(text)]
            }
            PromptKind::Scope if text.is_empty() => Vec::new(),
            PromptKind::Scope => match crate::model::parse_scope_spec(&text) {
                Ok(crate::model::ScopeSpec::Range(s)) => self.set_scope(s),
                Ok(_) => vec![Request::ResolveScope(text)],
                Err(e) => {
                    self.status = Some(safe(&e.to_string()));
                    Vec::new()
                }
            },
            PromptKind::Filter => match self.top().view.clone() {
                View::Events { of, .. } => match parse_filter(&text) {
                    Ok(filter) => self.replace_top(View::Events { of, filter }),
                    Err(e) => {
                        self.status = Some(e);
                        Vec::new()
                    }
                },
                _ => Vec::new(),
            },
            PromptKind::Search => {
                let top = self.top_mut();
                top.search = (!text.is_empty()).then_some(text);
                self.find_next(true)
            }
        }
    }

    pub(super) fn find_next(&mut self, forward: bool) -> Vec<Request> {
        let top = self.top();
        let (Some(needle), Some(PageData::Event(rec))) = (&top.search, &top.data) else {
            return Vec::new();
        };
        let needle = needle.to_lowercase();
        let n = rec.lines.len();
        if n == 0 {
            return Vec::new();
        }
        let start = top.sel;
        let hit = (1..=n)
            .map(|k| {
                if forward {
                    (start + k) % n
                } else {
                    (start + n - k) % n
                }
            })
            .find(|&i| rec.lines[i].to_lowercase().contains(&needle));
        match hit {
            Some(i) => {
                self.top_mut().sel = i;
                self.status = None;
            }
            None => self.status = Some("no match".into()),
        }
        Vec::new()
    }

    pub(super) fn resolved(
        &mut self,
        input: String,
        result: Result<Resolution, String>,
    ) -> Vec<Request> {
        match result {
            Ok(Resolution::Found(t)) => {
                self.status = None;
                self.push(View::of(&t))
            }
            Ok(Resolution::Ambiguous(candidates)) => {
                self.status = Some(format!(
                    "{} names {} entities: pick one",
                    safe(&input),
                    candidates.len()
                ));
                self.overlay = Some(Overlay::Pick {
                    input,
                    candidates,
                    sel: 0,
                });
                Vec::new()
            }
            Ok(Resolution::NotFound) => {
                self.status = Some(format!("nothing in the cache is named {}", safe(&input)));
                Vec::new()
            }
            Err(e) => {
                self.status = Some(format!("jump: {}", safe(&e)));
                Vec::new()
            }
        }
    }

    pub(super) fn pick(
        &mut self,
        a: Action,
        input: String,
        candidates: Vec<Candidate>,
        sel: usize,
    ) -> Vec<Request> {
        let n = candidates.len();
        let sel = match a {
            Action::Up => sel.saturating_sub(1),
            Action::Down => (sel + 1).min(n.saturating_sub(1)),
            Action::Top => 0,
            Action::Bottom => n.saturating_sub(1),
            Action::Open => {
                self.status = None;
                return match candidates.get(sel) {
                    Some(c) => self.push(View::of(&c.target)),
                    None => Vec::new(),
                };
            }
            Action::Back => {
                self.status = None;
                return Vec::new();
            }
            _ => sel,
        };
        self.overlay = Some(Overlay::Pick {
            input,
            candidates,
            sel,
        });
        Vec::new()
    }
}
