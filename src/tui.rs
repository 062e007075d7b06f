//! Terminal set-up.
