//! Server configuration: one module per server or proxy.

pub mod nginx;
