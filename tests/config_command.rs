//! `errorsmith config`: prints exactly what `build` wrote, file by file.

mod common;

use common::{build_in, errorsmith};

#[test]
fn config_prints_each_file_build_wrote() {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &[]);
    let servers = dir.path().join("dist/servers");
    for (server, file, expected) in [
        ("nginx", None, "nginx.conf"),
        ("nginx", Some("nginx-http.conf"), "nginx-http.conf"),
        (
            "nginx",
            Some("nginx-default-backend.conf"),
            "nginx-default-backend.conf",
        ),
        ("haproxy", Some("haproxy/503.http"), "haproxy/503.http"),
    ] {
        let mut command = errorsmith();
        command
            .current_dir(dir.path())
            .args(["config", server, "--pages", "dist"]);
        if let Some(file) = file {
            command.args(["--file", file]);
        }
        let output = command.assert().success();
        assert_eq!(
            output.get_output().stdout,
            std::fs::read(servers.join(expected)).unwrap(),
            "{server} {file:?}"
        );
    }
}

#[test]
fn config_names_the_files_when_one_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &[]);
    errorsmith()
        .current_dir(dir.path())
        .args(["config", "nginx", "--file", "nope.conf"])
        .assert()
        .failure()
        .code(1)
        .stderr("error: nginx has no file `nope.conf`; its files are: nginx.conf, nginx-http.conf, nginx-default-backend.conf\n");
}

#[test]
fn config_without_a_build_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = errorsmith()
        .current_dir(dir.path())
        .args(["config", "nginx"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.starts_with(
            "error: `dist` holds no errorsmith build; run `errorsmith build` first or pass --pages"
        ),
        "{stderr}"
    );
}
