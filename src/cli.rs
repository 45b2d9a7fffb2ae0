//! Command-line definitions (clap derive) and dispatch to the library.

mod build;
mod generate;
mod progress;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
use errorsmith::config;
use errorsmith::config::DeveloperMode;
use errorsmith::project::ProjectOptions;
use errorsmith::servers::{self, Server, ServerInput};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Build static error pages for web servers from Markdown and themes.
///
/// With no project files, errorsmith uses its built-in content (every 4xx
/// and 5xx status code) and default theme, so `errorsmith build` works in
/// any directory.
#[derive(Debug, Parser)]
#[command(name = "errorsmith", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build one HTML page per status code into the output directory.
    Build(BuildArgs),
    /// List the available themes, built-in and your own.
    Themes(ProjectArgs),
    /// Print the configuration that serves a build from a web server.
    Config(ConfigArgs),
    /// Validate everything a build would use, write nothing; exit 1 on errors.
    Check(CheckArgs),
    /// Start a brand project: errorsmith.yaml, an example content override and your own theme.
    Init(InitArgs),
    /// Preview every page of every theme and locale on 127.0.0.1, reloading on changes.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
    /// Print a JSON Schema for errorsmith.yaml, theme.yaml or the content front matter.
    Schema(SchemaArgs),
    /// Print the shell completion script for bash, zsh, fish, PowerShell or elvish.
    Completions(CompletionsArgs),
    /// Print the man page (roff): errorsmith(1), or a subcommand's with its name.
    Man(ManArgs),
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// The YAML document the schema describes.
    #[arg(value_enum, default_value = "config")]
    document: SchemaDocument,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SchemaDocument {
    /// errorsmith.yaml
    Config,
    /// A theme's theme.yaml
    Theme,
    /// The YAML block at the top of a content file
    FrontMatter,
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
struct ManArgs {
    /// A subcommand, for its own page (errorsmith-build(1), ...).
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

/// How much a command prints besides errors.
#[derive(Debug, Clone, Copy, Args)]
struct Verbosity {
    /// Print only errors.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also list every file written, with its size.
    #[arg(long, short)]
    verbose: bool,
}

#[cfg(feature = "serve")]
#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, short, value_name = "N", default_value_t = 4000)]
    port: u16,
    /// Address to listen on; anything but a loopback address exposes the preview to other machines.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Also answer requests addressed to this host name or IP (repeatable), e.g. a name in
    /// /etc/hosts or a tunnel's. Without it only localhost, 127.0.0.1, [::1] and the --bind
    /// address are answered; others get 421, so web pages cannot read the preview through
    /// DNS rebinding.
    #[arg(long = "allow-host", value_name = "NAME", value_parser = errorsmith::serve::parse_allowed_host)]
    allow_host: Vec<errorsmith::serve::AllowedHost>,
    /// Preview only this locale (repeatable) and the default locale [default: `locales:` from the config, else all].
    #[arg(long = "locale", value_name = "TAG")]
    locale: Vec<String>,
    /// Notice changes by checking the files four times a second instead of by file events
    /// (used by itself where file events fail, e.g. on some network file systems).
    #[arg(long)]
    poll: bool,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// Project directory; created if missing.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Brand name [default: the directory's name].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Print only errors, not the files created.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Theme to check [default: from the config, else `default`].
    #[arg(long, value_name = "NAME", value_parser = ThemeName, hide_possible_values = true)]
    theme: Option<String>,
    /// `text`: one line per finding and a summary; `json`: one document;
    /// `github`: GitHub Actions annotations.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text")]
    format: CheckFormat,
    /// Print only errors (text format).
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Github,
}

#[derive(Debug, Args)]
struct ConfigArgs {
    /// The server or proxy to configure.
    #[arg(value_enum)]
    server: Server,
    /// Directory the built pages are served from.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pages: PathBuf,
    /// URL path the pages are served under [default: the one the build used].
    #[arg(long, value_name = "PATH")]
    url_prefix: Option<String>,
    /// Print this file of the server's configuration instead of the main one
    /// (e.g. nginx-http.conf, nginx-default-backend.conf, haproxy/503.http).
    #[arg(long, value_name = "NAME")]
    file: Option<String>,
}

/// Where the inputs are. Each defaults to the working directory's
/// `errorsmith.yaml`, `content/` and `themes/` when they exist; your files
/// override the built-in ones file by file.
#[derive(Debug, Args)]
struct ProjectArgs {
    /// Config file [default: ./errorsmith.yaml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Your content: NNN.md per status code, locales in subfolders [default: ./content if present].
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// Your themes: one folder per theme [default: ./themes if present].
    #[arg(long, value_name = "DIR")]
    themes: Option<PathBuf>,
    /// With `brands:` in the config: only this brand (check, serve) [default: every brand; serve: the first].
    #[arg(long, value_name = "NAME")]
    brand: Option<String>,
}

#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output directory; replaced as a whole only when the build succeeds.
    #[arg(long, short, value_name = "DIR", default_value = "dist")]
    out: PathBuf,
    /// Theme to use [default: from the config, else `default`].
    #[arg(long, value_name = "NAME", value_parser = ThemeName, hide_possible_values = true)]
    theme: Option<String>,
    /// What happens to the developer part of each page [default: from the config, else `hidden`].
    #[arg(long, value_enum, value_name = "MODE")]
    developer: Option<DeveloperMode>,
    /// Fail, writing nothing, on anything `errorsmith check` reports, warnings included.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    verbosity: Verbosity,
    /// Build only this locale (repeatable) and the default locale [default: `locales:` from the config, else all].
    #[arg(long = "locale", value_name = "TAG")]
    locale: Vec<String>,
}

/// A theme name: any name is accepted (your themes/ folder is read later);
/// the built-in names are offered to shell completion.
#[derive(Debug, Clone, Copy)]
struct ThemeName;

impl clap::builder::TypedValueParser for ThemeName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let names: Vec<String> = errorsmith::theme::ThemeSources::load(None)
            .map(|themes| themes.names().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        Some(Box::new(
            names.into_iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

impl ProjectArgs {
    fn options(self) -> ProjectOptions {
        ProjectOptions {
            root: PathBuf::from("."),
            config_file: self.config,
            content_dir: self.content,
            themes_dir: self.themes,
            brand: self.brand,
            theme: None,
            developer: None,
            locales: None,
        }
    }
}

/// The clap command, for completions and man pages.
fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => {
            if let Some(brand) = &args.project.brand {
                anyhow::bail!(
                    "--brand {brand}: `build` builds every brand, because it replaces the whole output; leave --brand out (or use --config with a file of that brand alone)"
                );
            }
            let mut project = args.project.options();
            project.theme = args.theme;
            project.developer = args.developer;
            project.locales = Some(args.locale);
            build::build(&build::BuildCommand {
                project,
                out_dir: args.out,
                strict: args.strict,
                quiet: args.verbosity.quiet,
                verbose: args.verbosity.verbose,
            })?;
        }
        Command::Config(args) => print_server_config(args)?,
        Command::Check(args) => return Ok(check(args)),
        Command::Init(args) => init(args)?,
        #[cfg(feature = "serve")]
        Command::Serve(args) => errorsmith::serve::serve(&errorsmith::serve::ServeOptions {
            project: errorsmith::project::ProjectOptions {
                locales: Some(args.locale),
                ..args.project.options()
            },
            bind: args.bind,
            port: args.port,
            allow_hosts: args.allow_host,
            poll: args.poll,
        })?,
        Command::Schema(args) => {
            let document = match args.document {
                SchemaDocument::Config => errorsmith::schema::Document::Config,
                SchemaDocument::Theme => errorsmith::schema::Document::Theme,
                SchemaDocument::FrontMatter => errorsmith::schema::Document::FrontMatter,
            };
            print!("{}", errorsmith::schema::schema_json(document));
        }
        Command::Completions(args) => generate::completions(args.shell)?,
        Command::Man(args) => generate::man(args.command.as_deref())?,
        Command::Themes(args) => {
            let project = errorsmith::project::Project::load(&args.options())?;
            for (name, description) in project.themes.list()? {
                println!("{name:<12} {description}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> ExitCode {
    let mut project = args.project.options();
    project.theme = args.theme;
    let mut report = errorsmith::check::check(&project);
    match args.format {
        CheckFormat::Text if args.quiet => {
            report
                .findings
                .retain(|f| f.severity == errorsmith::check::Severity::Error);
            for finding in &report.findings {
                println!("{finding}");
            }
        }
        CheckFormat::Text => print!("{}", report.to_text()),
        CheckFormat::Json => print!("{}", report.to_json()),
        CheckFormat::Github => {
            let cwd = std::env::current_dir().unwrap_or_default();
            // Actions checks the repository out here; paths relative to it
            // are what annotations need, wherever the job `cd`s.
            let base = std::env::var_os("GITHUB_WORKSPACE")
                .map(PathBuf::from)
                .unwrap_or_else(|| cwd.clone());
            print!(
                "{}",
                errorsmith::github::workflow_commands(&report, &cwd, &base)
            );
        }
    }
    if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn init(args: InitArgs) -> Result<()> {
    let report = errorsmith::init::init(&errorsmith::init::InitOptions {
        dir: args.dir.clone(),
        name: args.name,
    })?;
    if args.quiet {
        return Ok(());
    }
    for file in &report.files {
        eprintln!("created {}", args.dir.join(file).display());
    }
    let cd = if args.dir == std::path::Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", args.dir.display())
    };
    eprintln!(
        "next: {cd}errorsmith build   (your theme is themes/{}/)",
        report.theme
    );
    Ok(())
}

fn print_server_config(args: ConfigArgs) -> Result<()> {
    let mut input = ServerInput::from_dir(&args.pages)?;
    if let Some(url_prefix) = args.url_prefix {
        if !config::is_url_prefix(&url_prefix) {
            bail!(
                "--url-prefix `{url_prefix}` is not a plain path; use something like /_errors (letters, digits, -, _, /)"
            );
        }
        input.manifest.servers.url_prefix = url_prefix;
    }
    let file = servers::config_file(args.server, &input, args.file.as_deref())?;
    std::io::stdout().write_all(&file.bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
