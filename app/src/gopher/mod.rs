//! The workbench's Gopher client: addresses ([`url`]), menus and text
//! documents as a client reads them ([`menu`]), and fetching a resource over
//! TCP or from a gopherhole served in-process ([`fetch`]).

pub mod fetch;
pub mod menu;
pub mod url;

pub use fetch::{Fetched, Gopherhole, Served};
pub use menu::{Item, Presentation};
pub use url::GopherUrl;
