//! Which part of the server answers a selector: the handler route with the
//! longest prefix that matches whole path segments, else the static
//! gopherhole.

/// Where a selector goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Handler number `index`, with the rest of the selector after the
    /// route's prefix (empty or starting with `/`).
    Handler {
        /// Index of the route in the configuration.
        index: usize,
        /// The selector after the prefix.
        path_info: String,
    },
    /// The static gopherhole.
    Static,
}

/// Route prefixes, longest first.
#[derive(Clone, Debug, Default)]
pub struct Router {
    /// Each prefix, its index, and whether it answers only itself.
    prefixes: Vec<(String, usize, bool)>,
}

impl Router {
    /// A router over these prefixes (as normalized by the configuration:
    /// a leading `/`, no trailing `/`); index `i` is the `i`th prefix.
    pub fn new<'a>(prefixes: impl IntoIterator<Item = &'a str>) -> Router {
        Router::with_exact(prefixes.into_iter().map(|p| (p, false)))
    }

    /// A router over these prefixes, each marked `true` if it answers only
    /// itself and not the paths below it (WAGI's routes without `/...`).
    pub fn with_exact<'a>(prefixes: impl IntoIterator<Item = (&'a str, bool)>) -> Router {
        let mut prefixes: Vec<(String, usize, bool)> = prefixes
            .into_iter()
            .enumerate()
            .map(|(i, (p, exact))| (p.to_string(), i, exact))
            .collect();
        prefixes.sort_by_key(|(prefix, ..)| std::cmp::Reverse(prefix.len()));
        Router { prefixes }
    }

    /// Routes a selector. A selector without its leading `/` is taken as if
    /// it had one.
    pub fn route(&self, selector: &str) -> Target {
        let rooted;
        let selector = if selector.starts_with('/') {
            selector
        } else {
            rooted = format!("/{selector}");
            &rooted
        };
        for (prefix, index, exact) in &self.prefixes {
            let rest = if *exact {
                (selector == prefix).then_some("")
            } else if prefix == "/" {
                Some(selector)
            } else {
                selector
                    .strip_prefix(prefix.as_str())
                    .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            };
            if let Some(rest) = rest {
                return Target::Handler {
                    index: *index,
                    path_info: rest.to_string(),
                };
            }
        }
        Target::Static
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler(index: usize, path_info: &str) -> Target {
        Target::Handler {
            index,
            path_info: path_info.into(),
        }
    }

    #[test]
    fn longest_whole_segment_prefix_wins() {
        let r = Router::new(["/wasi", "/wasi/fortune", "/search"]);
        assert_eq!(r.route("/wasi"), handler(0, ""));
        assert_eq!(r.route("/wasi/other/x"), handler(0, "/other/x"));
        assert_eq!(r.route("/wasi/fortune"), handler(1, ""));
        assert_eq!(r.route("/wasi/fortune/today"), handler(1, "/today"));
        assert_eq!(r.route("search"), handler(2, ""));
        assert_eq!(r.route("/wasixyz"), Target::Static);
        assert_eq!(r.route("/"), Target::Static);
        assert_eq!(r.route(""), Target::Static);
    }

    #[test]
    fn a_root_route_takes_everything_else() {
        let r = Router::new(["/", "/static"]);
        assert_eq!(r.route("/docs/a.txt"), handler(0, "/docs/a.txt"));
        assert_eq!(r.route("/static/x"), handler(1, "/x"));
    }

    #[test]
    fn an_exact_route_answers_only_itself() {
        let r = Router::with_exact([("/exact", true), ("/", false)]);
        assert_eq!(r.route("/exact"), handler(0, ""));
        assert_eq!(r.route("/exact/below"), handler(1, "/exact/below"));
    }
}
