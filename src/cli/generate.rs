//! `errorsmith completions SHELL` and `errorsmith man [COMMAND]`: generated
//! from the clap definition at run time, so they always match the binary
//! that prints them.

use anyhow::{Context, Result, bail};
use std::io::Write as _;

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut command = super::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "errorsmith", &mut script);
    write_stdout(&script)
}

/// errorsmith(1), or errorsmith-COMMAND(1) for one subcommand.
pub fn man(subcommand: Option<&str>) -> Result<()> {
    let mut command = super::command();
    command.build();
    let page = match subcommand {
        None => command,
        Some(name) => {
            let names: Vec<String> = command
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = command.find_subcommand(name) else {
                bail!(
                    "`{name}` is not an errorsmith command; use one of: {}",
                    names.join(", ")
                );
            };
            let title = format!("errorsmith-{}", sub.get_name());
            sub.clone()
                .name(title.clone())
                .bin_name(title)
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .context("cannot render the man page")?;
    write_stdout(&roff)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(())
}
