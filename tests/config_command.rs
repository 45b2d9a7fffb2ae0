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

/// Every server file of a build with non-default settings, printed by
/// `errorsmith config` from a folder that has no config at all: the
/// settings come from the build's manifest, so the bytes are the same.
#[test]
fn config_from_another_folder_prints_the_files_of_a_non_default_build() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("errorsmith.yaml"),
        "developer: ssi\nurl_prefix: /errors/v2\ntrusted_networks: [10.1.0.0/16, 2001:db8::/32]\nlocales: [en, de]\ncodes: [404, 502, 503]\n",
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("manifest.json")).unwrap()).unwrap();
    let server_files: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str()?.strip_prefix("servers/").map(str::to_string))
        .collect();
    let mut printed = Vec::new();
    for server in [
        "nginx", "haproxy", "apache", "caddy", "lighttpd", "traefik", "varnish",
    ] {
        // The error for a file that does not exist lists the server's files.
        let output = errorsmith()
            .current_dir(elsewhere.path())
            .args(["config", server, "--pages"])
            .arg(&dist)
            .args(["--file", "?"])
            .assert()
            .failure();
        let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
        let names = stderr.trim_end().split("its files are: ").nth(1).unwrap();
        for name in names.split(", ") {
            let output = errorsmith()
                .current_dir(elsewhere.path())
                .args(["config", server, "--pages"])
                .arg(&dist)
                .args(["--file", name])
                .assert()
                .success();
            let built = std::fs::read(dist.join("servers").join(name)).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&output.get_output().stdout),
                String::from_utf8_lossy(&built),
                "{server} {name}"
            );
            printed.push(name.to_string());
        }
    }
    printed.sort();
    let mut expected = server_files;
    expected.sort();
    assert_eq!(printed, expected);
    let nginx = std::fs::read_to_string(dist.join("servers/nginx.conf")).unwrap();
    assert!(nginx.contains("/errors/v2/"), "{nginx}");
    let http = std::fs::read_to_string(dist.join("servers/nginx-http.conf")).unwrap();
    assert!(
        http.contains("10.1.0.0/16") && http.contains("2001:db8::/32"),
        "{http}"
    );
}
