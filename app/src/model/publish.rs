//! Publishing the handler being edited to a running gopherd's handler
//! service (File > Publish handler…): the form (server, token, name,
//! route, type) and a deploy made off the window's thread, whose answer
//! is shown when it comes. The deploy itself is gopherd's own client.

use crate::model::document::Document;
use gopherd::admin::client::{Connection, deploy, deployed};
use gopherd::deploy::store::Settings;
use std::sync::mpsc::{Receiver, TryRecvError};

/// The Publish handler form.
pub struct Publish {
    /// The admin API, e.g. `http://127.0.0.1:7071`.
    pub server: String,
    /// The account's token.
    pub token: String,
    /// The handler's name.
    pub name: String,
    /// Its route under the account's `/~NAME`.
    pub route: String,
    /// `menu`, `text` or `binary`.
    pub kind: String,
    /// Where the last attempt stands.
    pub state: PublishState,
}

/// Where a publish stands.
pub enum PublishState {
    /// Not sent yet (or changed since).
    Editing,
    /// Sent; its answer comes here.
    Sending(Receiver<Result<String, String>>),
    /// Deployed: what the server said.
    Published(String),
    /// Refused or unreachable: why.
    Failed(String),
}

impl Publish {
    /// A form for `doc`: its name from the file's, the server and token
    /// from `GOPHERD_SERVER` and `GOPHERD_TOKEN` when set.
    pub fn for_document(doc: &Document) -> Publish {
        let stem = doc
            .name
            .rsplit_once('.')
            .map_or(doc.name.as_str(), |(s, _)| s);
        let name: String = stem
            .to_ascii_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let name = if name.is_empty() {
            "handler".into()
        } else {
            name
        };
        Publish {
            server: std::env::var("GOPHERD_SERVER")
                .unwrap_or_else(|_| "http://127.0.0.1:7071".into()),
            token: std::env::var("GOPHERD_TOKEN").unwrap_or_default(),
            route: format!("/{name}"),
            name,
            kind: "menu".into(),
            state: PublishState::Editing,
        }
    }

    /// Sends the document (its text as it is in the editor, or its module
    /// file) as a new version of the handler.
    pub fn send(&mut self, doc: &Document) {
        let (bytes, file) = match (&doc.text, &doc.path) {
            (Some(text), _) => {
                let stem = doc
                    .name
                    .rsplit_once('.')
                    .map_or(doc.name.as_str(), |(s, _)| s);
                (text.clone().into_bytes(), format!("{stem}.wat"))
            }
            (None, Some(path)) => match std::fs::read(path) {
                Ok(bytes) => (bytes, doc.name.clone()),
                Err(e) => {
                    self.state =
                        PublishState::Failed(format!("cannot read {}: {e}", path.display()));
                    return;
                }
            },
            (None, None) => {
                self.state = PublishState::Failed("there is no program to publish".into());
                return;
            }
        };
        let connection = Connection {
            server: self.server.trim().to_string(),
            token: Some(self.token.trim().to_string()).filter(|t| !t.is_empty()),
        };
        let (name, route) = (self.name.trim().to_string(), self.route.trim().to_string());
        let settings = Settings {
            kind: self.kind.clone(),
            ..Settings::default()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let answer = deploy(&connection, &name, &file, &bytes, Some(route), settings)
                .map(|view| deployed(&view))
                .map_err(|e| format!("{e:#}"));
            let _ = tx.send(answer);
        });
        self.state = PublishState::Sending(rx);
    }

    /// Takes the answer, if it has come; whether it is still awaited.
    pub fn poll(&mut self) -> bool {
        let PublishState::Sending(rx) = &self.state else {
            return false;
        };
        match rx.try_recv() {
            Ok(Ok(said)) => self.state = PublishState::Published(said),
            Ok(Err(why)) => self.state = PublishState::Failed(why),
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Disconnected) => {
                self.state = PublishState::Failed("the publish was lost".into())
            }
        }
        false
    }
}
