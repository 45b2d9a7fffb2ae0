//! Built-in locales, right-to-left text, fallbacks and the default locale.

mod common;

use common::{build_in, errorsmith, fixture_copy};
use std::path::Path;

const LOCALES: [&str; 12] = [
    "ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "zh",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&out.join("manifest.json"))).unwrap()
}

#[test]
fn every_builtin_locale_has_every_page_translated() {
    let dir = tempfile::tempdir().unwrap();
    let assert = errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains("no translation"), "{stderr}");
    let out = dir.path().join("dist");
    let english_404 = read(&out.join("en/404.html"));
    for locale in LOCALES {
        let page = read(&out.join(format!("{locale}/404.html")));
        assert!(page.contains(&format!("lang=\"{locale}\"")), "{locale}");
        if locale != "en" {
            assert_ne!(page, english_404, "{locale} 404 is not translated");
            assert!(
                !page.contains(">Try again<"),
                "{locale} theme strings are not translated"
            );
        }
    }
    let pages = manifest(&out)["pages"].as_array().unwrap().clone();
    assert!(pages.iter().all(|p| p.get("fallback_from").is_none()));
    let locales: std::collections::BTreeSet<&str> = pages
        .iter()
        .map(|p| p["locale"].as_str().unwrap())
        .collect();
    assert_eq!(locales.into_iter().collect::<Vec<_>>(), LOCALES);
}

#[test]
fn arabic_is_right_to_left_and_japanese_is_there() {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &[]);
    let out = dir.path().join("dist");
    let arabic = read(&out.join("ar/503.html"));
    assert!(
        arabic.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        &arabic[..200]
    );
    assert!(arabic.contains("أعد المحاولة"));
    let japanese = read(&out.join("ja/503.html"));
    assert!(japanese.contains("<html lang=\"ja\" dir=\"ltr\">"));
    assert!(japanese.contains("もう一度試す"));
    let german = read(&out.join("de/503.html"));
    assert!(german.contains("Erneut versuchen"));
    assert!(german.contains("Zur Startseite"));
}

#[test]
fn missing_translations_fall_back_and_are_reported() {
    let project = fixture_copy("locales/new_locale");
    let assert = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("note: 39 pages have no translation and use the default locale's content: sv/400, sv/401, sv/402, sv/403, sv/405,"),
        "{stderr}"
    );
    let out = project.path().join("dist");
    let swedish = read(&out.join("sv/404.html"));
    assert!(swedish.contains("lang=\"sv\""));
    assert!(swedish.contains("Sidan hittades inte"));
    assert!(swedish.contains("Försök igen"));
    // Untranslated strings come from the default locale.
    assert!(swedish.contains("Go to the home page"));
    // A fallback page keeps the language it is written in.
    let fallback = read(&out.join("sv/500.html"));
    assert!(fallback.contains("lang=\"en\""));
    assert!(fallback.contains("Internal Server Error"));
    let pages = manifest(&out)["pages"].as_array().unwrap().clone();
    let sv_500 = pages.iter().find(|p| p["path"] == "sv/500.html").unwrap();
    assert_eq!(sv_500["fallback_from"], "en");
    assert_eq!(sv_500["locale"], "sv");
}

#[test]
fn the_default_locale_is_written_at_the_top_level() {
    let project = fixture_copy("locales/german_default");
    let out = build_in(project.path(), &[]);
    let top = read(&out.join("404.html"));
    assert_eq!(top, read(&out.join("de/404.html")));
    assert!(top.contains("lang=\"de\""));
    assert_eq!(manifest(&out)["default_locale"], "de");
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("404.json"))).unwrap();
    assert_eq!(json["status"], 404);
    assert_eq!(
        json["title"],
        serde_json::from_str::<serde_json::Value>(&read(&out.join("de/404.json"))).unwrap()["title"]
    );
}

#[test]
fn json_and_text_never_carry_the_developer_part() {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &[]);
    let out = dir.path().join("dist");
    for locale in LOCALES {
        let json = read(&out.join(format!("{locale}/502.json")));
        let problem: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(problem["status"], 502);
        assert_eq!(problem["type"], "about:blank");
        assert!(problem["title"].is_string() && problem["detail"].is_string());
        assert_eq!(problem.as_object().unwrap().len(), 4, "{json}");
        let text = read(&out.join(format!("{locale}/502.txt")));
        assert!(text.starts_with("502 "));
        // The 502 checklist names this directive in every language, and the
        // HTML page (hidden mode) carries it, so its absence here means
        // something.
        let html = read(&out.join(format!("{locale}/502.html")));
        assert!(html.contains("proxy_buffer_size"), "{locale}");
        assert!(!text.contains("proxy_buffer_size"), "{locale}");
        assert!(!json.contains("proxy_buffer_size"), "{locale}");
    }
}

/// (locale, hidden-mode label, ssi-mode label): each says what is true in
/// its mode. Hidden is only hidden: anyone can add `#developer` or read the
/// source. SSI is added by the server for trusted networks only.
const DEVELOPER_NOTES: [(&str, &str, &str); 12] = [
    (
        "ar",
        "هذا الجزء مخفي وليس سريًا: يمكن لأي شخص رؤيته بإضافة #developer إلى العنوان أو بعرض مصدر الصفحة.",
        "لا يضيف الخادم هذا الجزء إلا للشبكات التي يثق بها مالك الموقع.",
    ),
    (
        "de",
        "Dieser Teil ist verborgen, nicht geheim: Jeder kann ihn sehen, indem er #developer an die Adresse anhängt oder den Quelltext der Seite ansieht.",
        "Der Server fügt diesen Teil nur für Netzwerke ein, denen der Betreiber der Website vertraut.",
    ),
    (
        "en",
        "This part is hidden, not private: anyone can see it by adding #developer to the address or by viewing the page source.",
        "The server adds this part only for networks the site owner trusts.",
    ),
    (
        "es",
        "Esta parte está oculta, no es privada: cualquiera puede verla añadiendo #developer a la dirección o viendo el código fuente de la página.",
        "El servidor solo añade esta parte para las redes en las que confía el responsable del sitio.",
    ),
    (
        "fr",
        "Cette partie est masquée, pas secrète : tout le monde peut la voir en ajoutant #developer à l'adresse ou en affichant le code source de la page.",
        "Le serveur n'ajoute cette partie que pour les réseaux auxquels le responsable du site fait confiance.",
    ),
    (
        "it",
        "Questa parte è nascosta, non riservata: chiunque può vederla aggiungendo #developer all'indirizzo o guardando il codice sorgente della pagina.",
        "Il server aggiunge questa parte solo per le reti di cui il gestore del sito si fida.",
    ),
    (
        "ja",
        "この部分は非表示ですが、秘密ではありません。アドレスの末尾に #developer を付けるか、ページのソースを表示すれば、誰でも見られます。",
        "この部分は、サイト管理者が信頼するネットワークにだけサーバーが追加します。",
    ),
    (
        "ko",
        "이 부분은 숨겨져 있을 뿐 비공개가 아닙니다. 주소 끝에 #developer를 붙이거나 페이지 소스를 보면 누구나 볼 수 있습니다.",
        "서버는 사이트 관리자가 신뢰하는 네트워크에만 이 부분을 추가합니다.",
    ),
    (
        "nl",
        "Dit deel is verborgen, niet geheim: iedereen kan het zien door #developer aan het adres toe te voegen of de broncode van de pagina te bekijken.",
        "De server voegt dit deel alleen toe voor netwerken die de sitebeheerder vertrouwt.",
    ),
    (
        "pl",
        "Ta część jest ukryta, ale nie tajna: każdy może ją zobaczyć, dodając #developer do adresu lub wyświetlając źródło strony.",
        "Serwer dodaje tę część tylko dla sieci, którym ufa właściciel strony.",
    ),
    (
        "pt",
        "Esta parte está oculta, mas não é privada: qualquer pessoa pode vê-la acrescentando #developer ao endereço ou vendo o código-fonte da página.",
        "O servidor só adiciona esta parte para as redes em que o responsável pelo site confia.",
    ),
    (
        "zh",
        "这部分只是隐藏，并不保密：任何人在地址后加上 #developer 或查看网页源代码，都能看到。",
        "服务器只为网站所有者信任的网络添加这部分内容。",
    ),
];

/// Builds the built-in project with `--developer mode`; returns the output.
fn build_mode(dir: &Path, mode: &str) -> std::path::PathBuf {
    build_in(dir, &["--developer", mode])
}

#[test]
fn the_developer_label_says_what_is_true_in_each_mode_and_locale() {
    let hidden_dir = tempfile::tempdir().unwrap();
    let hidden = build_mode(hidden_dir.path(), "hidden");
    let ssi_dir = tempfile::tempdir().unwrap();
    let ssi = build_mode(ssi_dir.path(), "ssi");
    assert_eq!(
        DEVELOPER_NOTES.map(|(locale, _, _)| locale),
        LOCALES,
        "one row per built-in locale"
    );
    for (locale, hidden_note, ssi_note) in DEVELOPER_NOTES {
        let page = read(&hidden.join(format!("{locale}/404.html")));
        assert!(
            page.contains(&format!(
                "<p class=\"note\">{}</p>",
                hidden_note.replace('\'', "&#39;")
            )),
            "{locale} hidden: {page}"
        );
        // Hidden mode must never promise what only SSI does.
        assert!(hidden_note.contains("#developer"), "{locale}");
        for (_, _, any_ssi_note) in DEVELOPER_NOTES {
            assert!(
                !page.contains(any_ssi_note),
                "{locale} hidden page claims SSI"
            );
        }
        let fragment = read(&ssi.join(format!("{locale}/developer/404.html")));
        assert!(
            fragment.contains(&format!(
                "<p class=\"note\">{}</p>",
                ssi_note.replace('\'', "&#39;")
            )),
            "{locale} ssi: {fragment}"
        );
        assert!(!fragment.contains(hidden_note), "{locale}");
    }
    let english = read(&hidden.join("404.html")).to_lowercase();
    assert!(
        !english.contains("trust"),
        "the hidden page speaks of trust"
    );
}

#[test]
fn a_strings_file_with_only_developer_note_labels_both_modes() {
    for mode in ["hidden", "ssi"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/de")).unwrap();
        std::fs::write(
            dir.path().join("content/de/strings.yaml"),
            "developer_note: Unser eigener Satz.\n",
        )
        .unwrap();
        let out = build_mode(dir.path(), mode);
        let file = if mode == "ssi" {
            "de/developer/404.html"
        } else {
            "de/404.html"
        };
        let page = read(&out.join(file));
        assert!(
            page.contains("<p class=\"note\">Unser eigener Satz.</p>"),
            "{mode}: {page}"
        );
    }
}

/// The locales of the pages in the manifest, and what nginx's map lists.
fn built_locales(out: &Path) -> (Vec<String>, String) {
    let pages = manifest(out)["pages"].as_array().unwrap().clone();
    let locales: std::collections::BTreeSet<String> = pages
        .iter()
        .map(|p| p["locale"].as_str().unwrap().to_string())
        .collect();
    let nginx = read(&out.join("servers/nginx-http.conf"));
    (locales.into_iter().collect(), nginx)
}

#[test]
fn locales_key_limits_the_build_manifest_and_nginx_maps() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), "locales: []\n").unwrap();
    let out = build_in(dir.path(), &[]);
    let (locales, nginx) = built_locales(&out);
    assert_eq!(locales, ["en"]);
    assert!(!out.join("de").exists());
    let german_map = "\"~*^,*de(?:,|$)\" de;";
    assert!(nginx.contains("\"~*^,*en(?:,|$)\" en;"), "{nginx}");
    assert!(!nginx.contains(german_map), "{nginx}");

    std::fs::write(dir.path().join("errorsmith.yaml"), "locales: [de]\n").unwrap();
    let out = build_in(dir.path(), &[]);
    let (locales, nginx) = built_locales(&out);
    assert_eq!(locales, ["de", "en"]);
    assert!(nginx.contains(german_map), "{nginx}");
}

#[test]
fn locale_option_overrides_the_key_and_the_default_locale_is_always_built() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), "locales: [de]\n").unwrap();
    let out = build_in(dir.path(), &["--locale", "fr", "--locale", "ja"]);
    assert_eq!(built_locales(&out).0, ["en", "fr", "ja"]);
    assert!(out.join("404.html").is_file());
}

#[test]
fn a_regional_default_locale_without_content_is_refused_with_its_base_language() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        "default_locale: de-DE\n",
    )
    .unwrap();
    errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .failure()
        .stderr(
            "error: errorsmith.yaml: `default_locale` is `de-DE`, but there is no content for it; use `de`, whose pages serve `de-DE` visitors too, or add your pages as content/NNN.md\n",
        );
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn a_default_locale_with_the_users_own_content_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        "default_locale: de-DE\nlocales: []\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("content/404.md"),
        "---\ntitle: Seite nicht gefunden\nsummary: Diese Seite gibt es nicht.\n---\nZur Startseite.\n",
    )
    .unwrap();
    let out = build_in(dir.path(), &[]);
    let page = read(&out.join("de-DE/404.html"));
    assert!(page.contains("Seite nicht gefunden"), "{page}");
    assert!(page.contains("lang=\"de-DE\""), "{page}");
    assert_eq!(read(&out.join("404.html")), page);
    assert_eq!(manifest(&out)["default_locale"], "de-DE");
}
