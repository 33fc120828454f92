//! Loading pages: asking the worker for the page on top, taking its answers (dropping stale
//! ones), paging events, opening the calls behind a pane.

use super::*;

impl App {
    pub(super) fn load_top(&mut self) -> Vec<Request> {
        let scope = self.scope;
        let top = self.top_mut();
        top.generation += 1;
        top.loading = true;
        top.loading_more = false;
        top.error = None;
        vec![Request::Load {
            page: top.id,
            generation: top.generation,
            view: top.view.clone(),
            scope,
        }]
    }

    pub(super) fn loaded(
        &mut self,
        page: PageId,
        generation: u64,
        scope: Option<Scope>,
        result: Result<Option<PageData>, String>,
    ) -> Vec<Request> {
        let Some(idx) = self.stack.iter().position(|p| p.id == page) else {
            return Vec::new();
        };
        if self.stack[idx].generation != generation {
            return Vec::new();
        }
        let mut adopt = None;
        if self.scope.is_none() {
            if let Some(s) = scope {
                self.scope = Some(s);
                self.home_scope = Some(s);
            }
        }
        let first = self.stack[idx].data.is_none();
        let p = &mut self.stack[idx];
        p.loading = false;
        p.loaded_scope = scope.or(self.scope);
        match result {
            Ok(Some(data)) => {
                // Opening a finding sets the scope to its window (DESIGN); coming back to it
                // later keeps the scope the user moved to.
                if let (true, PageData::Finding(f)) = (first, &data) {
                    adopt = Some(f.finding.scope);
                }
                if let PageData::Home(h) = &data {
                    if self.home_scope.is_none() {
                        self.home_scope = h.scope;
                    }
                }
                p.data = Some(data);
                p.missing = false;
                p.error = None;
            }
            Ok(None) => {
                p.data = None;
                p.missing = true;
            }
            Err(e) => p.error = Some(safe(&e)),
        }
        let n = panes::document(&self.stack[idx], self.scope)
            .focusables()
            .len();
        let p = &mut self.stack[idx];
        p.sel = p.sel.min(n.saturating_sub(1));
        if let Some(s) = adopt {
            self.home_scope = Some(s);
            if self.scope != Some(s) {
                self.scope = Some(s);
                for q in self.stack.iter_mut().filter(|q| q.id != page) {
                    q.stale = true;
                }
            }
        }
        Vec::new()
    }

    pub(super) fn more_events(&mut self) -> Vec<Request> {
        let scope = self.scope;
        let top = self.top_mut();
        let (View::Events { of, filter }, Some(PageData::Events(d)), Some(scope)) =
            (&top.view, &top.data, scope)
        else {
            return Vec::new();
        };
        let Some(after) = d.next else {
            return Vec::new();
        };
        if top.loading_more || top.loading {
            return Vec::new();
        }
        let req = Request::More {
            page: top.id,
            generation: top.generation,
            of: of.clone(),
            scope,
            filter: filter.clone(),
            after,
        };
        top.loading_more = true;
        vec![req]
    }

    pub(super) fn more(
        &mut self,
        page: PageId,
        generation: u64,
        result: Result<Option<crate::analysis::EventPage>, String>,
    ) {
        let Some(p) = self.stack.iter_mut().find(|p| p.id == page) else {
            return;
        };
        if p.generation != generation {
            return;
        }
        p.loading_more = false;
        match (result, &mut p.data) {
            (Ok(Some(next)), Some(PageData::Events(d))) => {
                d.rows.extend(next.rows);
                d.next = next.next;
            }
            (Err(e), _) => self.status = Some(format!("loading more: {}", safe(&e))),
            _ => {}
        }
    }

    pub(super) fn events_of_top(&mut self) -> Vec<Request> {
        let of = match &self.top().view {
            View::Session(p) => crate::model::Target::session(p.as_str()),
            View::Role(a) => crate::model::Target::role(a.as_str()),
            View::Profile(t) => t.clone(),
            View::Finding(_) => match &self.top().data {
                Some(PageData::Finding(f)) => match &f.finding.actor {
                    Some(a) => a.clone(),
                    None => return Vec::new(),
                },
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        self.push(View::Events {
            of,
            filter: EventFilter::default(),
        })
    }
}
