//! Polish search over the demo data and a few synthetic records: dictionary
//! forms find the inflected forms the fiches use and the other way round,
//! diacritics are optional, and records that share only a word do not come first.

use crate::helpers::{spawn_app, TestApp};
use crate::seeds::load_demo;
use serde_json::{json, Value};

/// The seed projects, by the start of their titles.
const S000: &str = "Koordynacja rozwoju ekonomii";
const S001: &str = "Centrum Ekonomii";
const S002: &str = "Współpraca się opłaca";
const S003: &str = "PI-PWP";
const S004: &str = "Pomorski system";
/// Synthetic records: inflected forms the seeds lack, and an unrelated one.
const ROWERY: &str = "Budowa ścieżek rowerowych";
const AUTOBUSY: &str = "Zakup autobusów elektrycznych";
const SPOLDZIELNIA: &str = "Spółdzielnią socjalną";

async fn titles_for(app: &TestApp, query: &str) -> Vec<String> {
    let reply = app.anonymous().get(&format!("/api/v1/projects?limit=10&q={}", urlencode(query))).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn synthetic(app: &TestApp) {
    let measure = app.get("/api/v1/measures?limit=1").await.body["items"][0]["id"].clone();
    let projects: [Value; 3] = [
        json!({"title": "Budowa ścieżek rowerowych w powiecie grudziądzkim", "objective": "Bezpieczny dojazd do pracy", "measure_id": measure}),
        json!({"title": "Zakup autobusów elektrycznych dla miasta", "objective": "Czystsze powietrze w centrum", "measure_id": measure}),
        json!({"title": "Spółdzielnią socjalną kierują jej członkowie", "objective": "Szkoleniami objęto zarządy spółdzielni", "measure_id": measure,
               "target_groups": [{"name": "bezrobotni mieszkańcy wsi"}]}),
    ];
    for project in projects {
        let reply = app.post("/api/v1/projects", &project).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
}

#[tokio::test]
async fn inflected_and_dictionary_forms_find_each_other_and_unrelated_records_come_last() {
    let app = spawn_app().await;
    load_demo(&app).await;
    synthetic(&app).await;
    // (query, the projects it must find among its first ten results)
    let cases: &[(&str, &[&str])] = &[
        ("spółdzielnia socjalna", &[S000, S001, SPOLDZIELNIA]),
        ("spółdzielnie socjalne", &[S000, S001, SPOLDZIELNIA]),
        ("spoldzielnia socjalna", &[S000, S001, SPOLDZIELNIA]),
        ("Lejda", &[S003]),
        ("sieciowanie", &[S000]),
        ("mapa", &[S002, S004]),
        ("Zakup Prospołeczny", &[S000]),
        ("zakupu prospołecznego", &[S000]),
        ("wolontariusz", &[S000]),
        ("reintegracyjny", &[S002, S004]),
        ("inkubator", &[S001]),
        ("konwent", &[S002]),
        ("gra planszowa", &[S002]),
        ("komitet", &[S000, S004]),
        ("szkoła", &[S002]),
        ("partnerstwo", &[S001]),
        ("Toruń", &[S003]),
        ("torun", &[S003]),
        ("województwo śląskie", &[S002]),
        ("województwo pomorskie", &[S004]),
        ("wizyta studyjna", &[S000, S002]),
        ("konferencja", &[S002, S003, S004]),
        ("doradztwo", &[S000, S001, S002, S004]),
        ("warsztat", &[S000, S004]),
        ("szkolenie", &[S001, S003, S004, SPOLDZIELNIA]),
        ("pracownik", &[S000, S002]),
        ("administracja publiczna", &[S000, S003]),
        ("wykluczenie społeczne", &[S002]),
        ("niepełnosprawny", &[S002]),
        ("przedsiębiorczość społeczna", &[S002, S004]),
        ("forum gospodarcze", &[S000]),
        ("polityka publiczna", &[S003]),
        ("członek", &[SPOLDZIELNIA]),
        ("bezrobotny", &[SPOLDZIELNIA]),
        ("ścieżka rowerowa", &[ROWERY]),
        ("autobus elektryczny", &[AUTOBUSY]),
    ];
    assert!(cases.len() >= 30);
    let (mut expected, mut found) = (0, 0);
    let mut misses = Vec::new();
    for (query, wanted) in cases {
        let titles = titles_for(&app, query).await;
        for want in *wanted {
            expected += 1;
            if titles.iter().any(|t| t.starts_with(want)) {
                found += 1;
            } else {
                misses.push(format!("{query} → {want}"));
            }
        }
        // The synthetic records are about other things than the query unless it wants them.
        let unrelated: Vec<&str> = [ROWERY, AUTOBUSY, SPOLDZIELNIA].into_iter().filter(|s| !wanted.contains(s)).collect();
        if let Some(first) = titles.first() {
            assert!(!unrelated.iter().any(|u| first.starts_with(u)), "{query}: an unrelated record comes first: {titles:?}");
        }
    }
    let recall = f64::from(found) / f64::from(expected);
    println!("search recall in the first ten: {recall:.3} ({found} of {expected}); missed: {misses:?}");
    assert!(recall >= 0.9, "recall {recall:.2} ({found} of {expected}); missed: {misses:?}");
    // A record that shares one word of a query is not a match for all of it.
    assert!(!titles_for(&app, "zakupu prospołecznego").await.iter().any(|t| t.starts_with(AUTOBUSY)));
    assert!(titles_for(&app, "budowa spółdzielni").await.is_empty(), "every word must match");
}

#[tokio::test]
async fn facets_count_what_a_search_finds_in_one_answer_with_its_total() {
    let app = spawn_app().await;
    load_demo(&app).await;
    synthetic(&app).await;
    let query = "q=ekonomia%20spo%C5%82eczna";
    let list = app.anonymous().get(&format!("/api/v1/projects?{query}")).await.body;
    let facets = app.anonymous().get(&format!("/api/v1/projects/facets?{query}")).await;
    assert_eq!(facets.status, 200, "{}", facets.body);
    let facets = facets.body;
    assert_eq!(facets["total"], list["total"], "{facets}");
    assert!(facets["total"].as_i64().unwrap() >= 5, "the five seed projects: {facets}");
    for dimension in ["voivodeship", "programme", "fund", "status", "year"] {
        let sum: i64 = facets[dimension].as_array().unwrap().iter().map(|v| v["count"].as_i64().unwrap()).sum();
        assert_eq!(json!(sum), facets["total"], "{dimension} counts every project once: {facets}");
    }
    let kujawsko = facets["voivodeship"].as_array().unwrap().iter().find(|v| v["key"] == "04").unwrap();
    assert_eq!(kujawsko["name"], "kujawsko-pomorskie");
    assert!(facets["programme"].as_array().unwrap().iter().all(|v| v["code"].is_string() && v["name"].is_string()), "{facets}");
    // The same filters as the list: narrowed to one voivodeship, one voivodeship remains.
    let narrowed = app.anonymous().get(&format!("/api/v1/projects/facets?{query}&voivodeship=24")).await.body;
    assert_eq!(narrowed["voivodeship"].as_array().unwrap().len(), 1, "{narrowed}");
    assert_eq!(narrowed["total"], app.anonymous().get(&format!("/api/v1/projects?{query}&voivodeship=24")).await.body["total"]);
}

#[tokio::test]
async fn names_of_organisations_and_their_towns_are_found_despite_a_typo() {
    let app = spawn_app().await;
    load_demo(&app).await;
    synthetic(&app).await;
    let organisation =
        app.create("beneficiaries", json!({"name": "Spółdzielnia Socjalna Razem", "kind": "pes", "city": "Grudziądz", "voivodeship": "04"})).await;
    let project = app.get("/api/v1/projects?q=rowerowych").await.body["items"][0]["id"].clone();
    app.create("partners", json!({"project_id": project, "beneficiary_id": organisation, "role": "partner"})).await;

    let names = |body: Value| -> Vec<String> { body["items"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_owned()).collect() };
    assert!(
        names(app.anonymous().get("/api/v1/beneficiaries?q=Grudziac").await.body).contains(&"Spółdzielnia Socjalna Razem".to_owned()),
        "a town with a typo"
    );
    assert!(
        names(app.anonymous().get("/api/v1/beneficiaries?q=Stowarzyszenei").await.body).contains(&"Stowarzyszenie Partnerstwo Społeczne".to_owned()),
        "a name with a typo"
    );
    assert!(titles_for(&app, "Grudziac").await.iter().any(|t| t.starts_with(ROWERY)), "a project by its organisation's town, despite the typo");
    assert!(
        !names(app.anonymous().get("/api/v1/beneficiaries?q=Warszawa").await.body).contains(&"Spółdzielnia Socjalna Razem".to_owned()),
        "not everything is alike"
    );
}

#[tokio::test]
async fn a_project_is_found_by_its_places_and_by_words_from_all_its_parts_kept_up_to_date() {
    let app = spawn_app().await;
    load_demo(&app).await;
    synthetic(&app).await;
    let found = |query: &'static str| {
        let app = &app;
        async move { titles_for(app, query).await.iter().any(|t| t.starts_with(ROWERY)) }
    };
    let project = app.get("/api/v1/projects?q=rowerowych").await.body["items"][0]["id"].as_i64().unwrap();
    assert!(!found("Chełmża").await && !found("powiat toruński").await, "no place of the project is named so yet");

    // An activity held in the town gmina of Chełmża (TERYT 0415011), powiat toruński.
    let activity =
        app.create("activities", json!({"project_id": project, "activity_type": "training", "title": "Warsztaty naprawy rowerów", "teryt": "0415011"})).await;
    for query in ["Chełmża", "Chełmży", "chelmza", "powiat toruński", "toruńskim", "województwo kujawsko-pomorskie", "warsztat naprawy"] {
        assert!(found(query).await, "{query}: by the activity's place or title");
    }
    // The words of one search may come from the title, an organisation and a place.
    let organisation = app.create("beneficiaries", json!({"name": "Fundacja Dwa Kółka", "kind": "ngo", "city": "Grudziądz", "voivodeship": "04"})).await;
    app.create("partners", json!({"project_id": project, "beneficiary_id": organisation, "role": "partner"})).await;
    assert!(found("ścieżki kółka Chełmża").await, "title, organisation and place together");
    assert!(!found("ścieżki kółka Gdańsk").await, "every word must match somewhere in the project");

    // The document follows the organisation's name and the activity's removal.
    let renamed = app.patch(&format!("/api/v1/beneficiaries/{organisation}"), &json!({"name": "Fundacja Trzy Pedały"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert!(found("pedały").await && !found("kółka").await, "the new name, not the old one");
    let removed = app.delete(&format!("/api/v1/activities/{activity}")).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert!(!found("Chełmża").await && !found("warsztat naprawy").await, "the activity's place and title went with it");
}

#[tokio::test]
async fn search_pages_by_cursor_and_offset_keep_the_order_and_the_total() {
    let app = spawn_app().await;
    load_demo(&app).await;
    synthetic(&app).await;
    let query = "/api/v1/projects?q=spo%C5%82eczna";
    let ids = |body: &Value| -> Vec<i64> { body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect() };
    let whole = app.anonymous().get(&format!("{query}&limit=100")).await.body;
    let total = whole["total"].as_i64().unwrap();
    assert!(total >= 5, "{whole}");
    assert_eq!(ids(&whole).len() as i64, total);

    // Forwards by cursor, two at a time: the same records in the same order, each page with the total.
    let (mut walked, mut pages, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let path = format!("{query}&limit=2{}", cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default());
        let page = app.anonymous().get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body["total"], json!(total), "every page counts all matches: {}", page.body);
        walked.extend(ids(&page.body));
        pages.push(page.body.clone());
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, ids(&whole), "cursor pages follow the ranking");
    // Back from the second page to the first.
    let back = pages[1]["prev_cursor"].as_str().unwrap();
    assert_eq!(ids(&app.anonymous().get(&format!("{query}&limit=2&cursor={back}")).await.body), ids(&pages[0]));
    // By offset: the same slices, and past the end no records but the same total.
    let second = app.anonymous().get(&format!("{query}&limit=2&offset=2")).await.body;
    assert_eq!(ids(&second), ids(&pages[1]));
    let beyond = app.anonymous().get(&format!("{query}&limit=2&offset={}", total + 5)).await.body;
    assert!(ids(&beyond).is_empty());
    assert_eq!(beyond["total"], json!(total));
    // Narrowed by another filter: only the matches in that voivodeship, still ranked.
    let narrowed = app.anonymous().get(&format!("{query}&voivodeship=22")).await.body;
    let expected: Vec<i64> = whole["items"].as_array().unwrap().iter().filter(|p| p["voivodeship"] == "22").map(|p| p["id"].as_i64().unwrap()).collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&narrowed), expected, "{narrowed}");
    assert_eq!(narrowed["total"], json!(expected.len()));
}
